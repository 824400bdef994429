"""Why no design exists, proved by re-solving: the smallest relaxation that gives one.

When a fabric's model is infeasible, :func:`explain_infeasible` takes the analytic reason of
:func:`designer.diagnose.reasons.analytic_reason` (which limit most likely binds, by counting)
and backs it with solves. For each limit the fabric sets, its suspects first, it re-builds the
model from ``fabric.model_copy(update=...)`` with that limit loosened and solves it under a
short time limit:

==========================  ==================================================================
limit                       loosened to (first feasible wins; monotone, so found by bisection)
==========================  ==================================================================
``max_switch_hops``         3, 5
``max_oversubscription``    1.5, 2, 3, 4, 6, 8, 16
``max_latency_us``          none, then bisected between the limit and the unlimited design's
                            latency: the least achievable latency, to the probes' precision
``budget_usd``              none: the cheapest design's cost is the least budget
``max_gpus_cut_per_switch`` none
``layout``                  any
``scalable_unit_nodes``     none
``switch_models``           none (every switch in the catalogs)
``nic_models``              none
``protocol``                any
``site`` run lengths        measured on the floor instead of set (``node_leaf_m`` ...)
``site.racks_per_row``      32, 64, 128, 256 (shorter runs across a large hall)
==========================  ==================================================================

The first limits (at most :data:`MAX_FIXES`) whose loosening gives a design are named with the
amount and what the design then costs (``max_switch_hops 3 -> 5 gives a design at $1,234 (3
tiers)``): a certificate, not a guess. Each probe has :data:`PROBE_TIME_LIMIT_S` and there are
at most :data:`MAX_PROBES`; a probe that cannot decide in time is said to be undecided, never
counted as a proof.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from designer.diagnose.reasons import Infeasibility, Remedy, missing_parts
from designer.errors import DesignerError, InfeasibleError
from designer.inputs.catalog import Catalog
from designer.inputs.schema import Fabric, Site
from designer.model.formulation import build_model
from designer.model.latency import estimate
from designer.model.links import TIER_HOPS, LinkClass
from designer.solvers.solve import solve
from designer.solvers.status import SolveStatus

PROBE_TIME_LIMIT_S = 10.0
MAX_PROBES = 10
MAX_FIXES = 2
HOPS = tuple(hops for hops in TIER_HOPS.values() if hops > 1)  # 3, 5
OVERSUBSCRIPTIONS = (1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0)
RACKS_PER_ROW = (32, 64, 128, 256)
LATENCY_STEPS = 3
RUN_KEYS = tuple(cls.site_key for cls in LinkClass)


@dataclass(frozen=True)
class Outcome:
    """What one probe solve said."""

    status: SolveStatus  # UNDECIDED also for a solver failure: no proof either way
    cost_usd: float = 0.0
    tiers: int = 0
    optimal: bool = False
    latency_ns: float = 0.0

    @property
    def feasible(self) -> bool:
        return self.status.has_design


@dataclass(frozen=True)
class Candidate:
    """One loosened demand: how it reads (``"max_switch_hops 3 -> 5"``) and what it solves."""

    text: str
    fabric: Fabric
    site: Site


@dataclass(frozen=True)
class Family:
    """One limit and its loosenings, tightest first (feasibility is monotone along them)."""

    key: str
    candidates: tuple[Candidate, ...]
    monotone: bool = True  # False: try each in turn (a longer row is not always shorter runs)


class Prober:
    """Runs probe solves within a count and a per-solve time limit."""

    def __init__(self, catalog: Catalog, solver: str, time_limit_s: float, max_probes: int):
        self.catalog, self.solver = catalog, solver
        self.time_limit_s, self.left = time_limit_s, max_probes
        self.undecided = False

    def __call__(self, fabric: Fabric, site: Site) -> Outcome:
        if self.left <= 0:
            self.undecided = True
            return Outcome(SolveStatus.UNDECIDED)
        self.left -= 1
        try:
            structure, report = solve(build_model(fabric, site, self.catalog),
                                      solver=self.solver, time_limit=self.time_limit_s)
        except InfeasibleError:
            return Outcome(SolveStatus.INFEASIBLE)
        except DesignerError:  # a solver failure or time limit: no proof either way
            self.undecided = True
            return Outcome(SolveStatus.UNDECIDED)
        latency = estimate(structure, structure.worst_runs_m).total_ns
        return Outcome(report.status, report.objective_usd, structure.tiers, report.optimal,
                       latency)


def families(fabric: Fabric, site: Site) -> list[Family]:
    """Every limit ``fabric`` and ``site`` set that a relaxation could lift, default order."""
    def loosen(update: dict, text: str, site_update: dict | None = None) -> Candidate:
        return Candidate(text, fabric.model_copy(update=update),
                         site.model_copy(update=site_update or {}))

    out = []
    hops = [h for h in HOPS if h > fabric.max_switch_hops]
    if hops:
        out.append(Family("max_switch_hops", tuple(
            loosen({"max_switch_hops": h}, f"max_switch_hops {fabric.max_switch_hops} -> {h}")
            for h in hops)))
    o = fabric.max_oversubscription
    ratios = [r for r in OVERSUBSCRIPTIONS if r > o]
    if ratios:
        out.append(Family("max_oversubscription", tuple(
            loosen({"max_oversubscription": r}, f"max_oversubscription {o:g} -> {r:g}")
            for r in ratios)))
    if fabric.max_latency_us is not None:
        out.append(Family("max_latency_us", (loosen(
            {"max_latency_us": None}, f"max_latency_us {fabric.max_latency_us:g} -> none"),)))
    if fabric.max_gpus_cut_per_switch is not None:
        out.append(Family("max_gpus_cut_per_switch", (loosen(
            {"max_gpus_cut_per_switch": None},
            f"max_gpus_cut_per_switch {fabric.max_gpus_cut_per_switch} -> none"),)))
    if fabric.budget_usd is not None:
        out.append(Family("budget_usd", (loosen(
            {"budget_usd": None}, f"budget_usd ${fabric.budget_usd:,.0f} -> none"),)))
    if fabric.layout != "any":
        update = {"layout": "any"}
        out.append(Family("layout", (loosen(update, f"layout {fabric.layout} -> any"),)))
    if fabric.scalable_unit_nodes is not None:
        out.append(Family("scalable_unit_nodes", (loosen(
            {"scalable_unit_nodes": None},
            f"scalable_unit_nodes {fabric.scalable_unit_nodes} -> none"),)))
    for key in ("switch_models", "nic_models"):
        if getattr(fabric, key) is not None:
            out.append(Family(key, (loosen({key: None},
                                           f"{key} -> every model in the catalogs"),)))
    if fabric.protocol != "any":
        out.append(Family("protocol", (loosen({"protocol": "any"},
                                              f"protocol {fabric.protocol} -> any"),)))
    fixed = {key: None for key in RUN_KEYS if getattr(site, key) is not None}
    if fixed:
        names = ", ".join(f"site.{key}" for key in fixed)
        out.append(Family("site", (loosen({}, f"{names} -> measured on the floor", fixed),)))
    rows = [r for r in RACKS_PER_ROW if r != site.racks_per_row]
    if rows:
        out.append(Family("site.racks_per_row", tuple(
            loosen({}, f"site.racks_per_row {site.racks_per_row} -> {r}",
                   {"racks_per_row": r}) for r in rows), monotone=False))
    return out


def reach_family(reason: Infeasibility, fabric: Fabric, site: Site) -> Family | None:
    """When the reason is a run longer than every medium reaches: the same demand on a floor
    whose runs of that class are within the longest reach. A design then proves reach is the
    only limit (fix: a longer medium, or a denser floor)."""
    if not reason.limit.startswith("site.") or reason.shortfall is None:
        return None
    key = reason.limit.removeprefix("site.")
    reach = reason.fix[reason.limit]
    text = (f"{reason.limit} {reach + reason.shortfall:g} -> {reach:g} (runs within the "
            "longest reach)")
    return Family("reach", (Candidate(text, fabric, site.model_copy(update={key: reach})),))


def _first_feasible(family: Family, probe: Callable[[Fabric, Site], Outcome]
                    ) -> tuple[Candidate, Outcome] | None:
    """The tightest feasible loosening of ``family`` (bisection from the loosest)."""
    cands = family.candidates
    if not family.monotone:
        for candidate in cands:
            outcome = probe(candidate.fabric, candidate.site)
            if outcome.feasible:
                return candidate, outcome
        return None
    loosest = probe(cands[-1].fabric, cands[-1].site)
    if not loosest.feasible:
        return None
    best, lo, hi = (cands[-1], loosest), -1, len(cands) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        outcome = probe(cands[mid].fabric, cands[mid].site)
        if outcome.feasible:
            best, hi = (cands[mid], outcome), mid
        else:
            lo = mid
    return best


def _least_latency(fabric: Fabric, site: Site, unlimited: Outcome,
                   probe: Callable[[Fabric, Site], Outcome]) -> tuple[str, Outcome]:
    """Bisect the latency limit between the demand's and the unlimited design's latency."""
    lo, hi, best = 1000 * fabric.max_latency_us, unlimited.latency_ns, unlimited
    for _ in range(LATENCY_STEPS):
        if hi - lo < 10:  # 0.01 us: the precision the limit is stated in
            break
        mid = (lo + hi) / 2
        outcome = probe(fabric.model_copy(update={"max_latency_us": mid / 1000}), site)
        if outcome.feasible:
            hi, best = min(mid, outcome.latency_ns), outcome
        else:
            lo = mid
    limit_us = math.ceil(hi / 10) / 100
    below_us = math.floor(lo / 10) / 100  # no design is under this
    text = (f"max_latency_us {fabric.max_latency_us:g} -> {limit_us:g} (the least any design "
            f"reaches, found to within {limit_us - below_us:.2f} us)")
    return text, best


def _design_text(outcome: Outcome) -> str:
    proof = "" if outcome.optimal else ", not proven cheapest"
    return f"${outcome.cost_usd:,.0f} ({outcome.tiers} tier{'s' if outcome.tiers > 1 else ''}" \
           f"{proof})"


def explain_missing_parts(reason: Infeasibility, fabric: Fabric, site: Site, catalog: Catalog,
                          solver: str = "cbc", time_limit_s: float = PROBE_TIME_LIMIT_S
                          ) -> Infeasibility:
    """``reason`` (from :func:`~designer.diagnose.reasons.missing_parts`) and, when dropping the
    protocol or a model allow-list supplies the parts, what the design then costs (one solve
    each)."""
    probe = Prober(catalog, solver, time_limit_s, 2)
    loosenings = []
    if fabric.protocol != "any":
        loosenings.append(({"protocol": "any"}, f"protocol {fabric.protocol} -> any"))
    for key in ("switch_models", "nic_models"):
        if getattr(fabric, key) is not None:
            loosenings.append(({key: None}, f"{key} -> every model in the catalogs"))
    for update, text in loosenings:
        loose = fabric.model_copy(update=update)
        if missing_parts(loose, catalog):
            continue
        outcome = probe(loose, site)
        if outcome.feasible:
            return _remedied(reason, [(text, outcome)])
    return reason


def explain_infeasible(reason: Infeasibility, fabric: Fabric, site: Site, catalog: Catalog,
                       solver: str = "cbc", time_limit_s: float = PROBE_TIME_LIMIT_S,
                       max_probes: int = MAX_PROBES) -> Infeasibility:
    """``reason`` with the smallest loosenings of one limit that give a design.

    Parameters
    ----------
    reason
        The analytic reason (:func:`designer.diagnose.reasons.analytic_reason`).
    fabric, site, catalog
        What the infeasible model was built from (the catalog as priced for the objective).
    time_limit_s, max_probes
        Bounds on the extra solves.

    Returns
    -------
    Infeasibility
        ``reason`` with its ``remedies`` and a ``text`` of one line:
        ``<reason>; re-solved: max_switch_hops 3 -> 5 gives a design at $X (3 tiers)``, or what
        the probes could not establish.

    Examples
    --------
    A 4,096-endpoint fabric of 64-port switches at ``max_switch_hops: 3`` reads ``...; allow 5
    hops (3 tiers) or a larger switch; re-solved: max_switch_hops 3 -> 5 gives a design at
    $... (3 tiers)``.
    """
    probe = Prober(catalog, solver, time_limit_s, max_probes)
    fixes = _search(fabric, site, reason, probe)
    if fixes:
        return _remedied(reason, fixes)
    said = reason.text
    all_loose = _all_loosened(fabric, site)
    if all_loose is not None and probe.left > 0:
        outcome = probe(*all_loose)
        if outcome.feasible:
            remedy = Remedy("every limit loosened", outcome.cost_usd, outcome.tiers,
                            outcome.optimal)
            return replace(reason, remedies=(remedy,), text=(
                f"{said}; re-solved: no single limit is the cause, loosening all of them "
                f"together gives a design at {_design_text(outcome)}"))
        if outcome.status is SolveStatus.INFEASIBLE and not probe.undecided:
            return replace(reason, text=f"{said}; re-solved: no loosening of the demand's "
                           "limits gives a design, the catalog lacks the parts (add switches, "
                           "NICs or media)")
    if probe.undecided:
        return replace(reason, text=f"{said} (re-solving with looser limits could not decide "
                       f"within {max_probes} probes of {time_limit_s:g} s)")
    return replace(reason, text=f"{said}; re-solved: no single loosened limit gives a design")


def _remedied(reason: Infeasibility, fixes: list[tuple[str, Outcome]]) -> Infeasibility:
    """``reason`` with the re-solved ``fixes`` as its remedies and in its text."""
    remedies = tuple(Remedy(text, outcome.cost_usd, outcome.tiers, outcome.optimal)
                     for text, outcome in fixes)
    said = "; or ".join(f"{text} gives a design at {_design_text(outcome)}"
                        for text, outcome in fixes)
    return replace(reason, text=f"{reason.text}; re-solved: {said}", remedies=remedies)


def _search(fabric: Fabric, site: Site, reason: Infeasibility, probe: Prober
            ) -> list[tuple[str, Outcome]]:
    """Up to :data:`MAX_FIXES` single-limit loosenings that give a design, suspects first."""
    fams = families(fabric, site)
    reach = reach_family(reason, fabric, site)
    if reach is not None:
        fams.append(reach)
    rank = {key: i for i, key in enumerate(reason.suspects)}
    fams.sort(key=lambda f: rank.get(f.key, len(rank)))
    fixes = []
    for family in fams:
        if len(fixes) == MAX_FIXES:
            break
        if probe.left <= 0:
            probe.undecided = True  # limits left untried
            break
        found = _first_feasible(family, probe)
        if found is None:
            continue
        candidate, outcome = found
        if family.key == "max_latency_us":
            fixes.append(_least_latency(fabric, site, outcome, probe))
        else:
            fixes.append((candidate.text, outcome))
    return fixes


def _all_loosened(fabric: Fabric, site: Site) -> tuple[Fabric, Site] | None:
    fams = families(fabric, site)
    if len(fams) < 2:
        return None
    update, site_update = {}, {}
    for family in fams:
        loosest = family.candidates[-1]
        update.update({key: getattr(loosest.fabric, key) for key in type(fabric).model_fields
                       if getattr(loosest.fabric, key) != getattr(fabric, key)})
        site_update.update({key: getattr(loosest.site, key) for key in type(site).model_fields
                            if getattr(loosest.site, key) != getattr(site, key)})
    return fabric.model_copy(update=update), site.model_copy(update=site_update)
