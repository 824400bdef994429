"""What-if sweeps: one fabric designed at many values of one input, in parallel.

Three axes:

- ``gpus``: the cluster size; ``nodes = ceil(gpus / gpus_per_node)`` with the server's GPU
  count (the fabric's endpoints per node when it names no server);
- ``oversubscription``: the fabric's ``max_oversubscription``;
- ``price``: a multiplier on the price of every part of one kind (``switches``, ``nics``,
  ``transceivers``, ``cables``): ``0.7`` is "optics 30% cheaper";
- ``blast-radius``: the fabric's ``max_gpus_cut_per_switch``, the most GPUs one failed switch
  may cut off (``designer.model.blast``): what each blast radius costs.

Each point is an independent design (its own MILP, proved optimal), so points run in parallel
through any :class:`concurrent.futures.Executor`: a process pool by default, or whatever a
caller passes (a Dask ``Client.get_executor()``, a Ray pool). Only picklable values cross the
executor (the demand file, the catalog, numbers); results come back in the order of the values,
whatever order the workers finish in, so a sweep's files are byte-identical run to run.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from designer.design import design
from designer.diagnose.reasons import missing_parts
from designer.errors import DesignerError, InfeasibleError, InputError
from designer.inputs.catalog import PRICED_KINDS, Catalog
from designer.inputs.checks import check_references
from designer.inputs.demand import Demand
from designer.inputs.loading import demand_catalogs, load_catalog
from designer.inputs.schema import Objective
from designer.inputs.servers import gpus_per_node

AXES = ("gpus", "oversubscription", "price", "blast-radius")
DEFAULT_VALUES = {
    "gpus": tuple(2 ** k for k in range(6, 18)),  # 64 .. 131,072
    "oversubscription": (1.0, 1.5, 2.0, 3.0, 4.0),
    "price": tuple(round(0.5 + 0.1 * k, 1) for k in range(11)),  # 0.5 .. 1.5
    "blast-radius": (0, 1, 2, 4, 8, 16, 32, 64),
}
@dataclass(frozen=True)
class SweepPoint:
    """One design of the sweep: the value swept and what came out."""

    value: float
    status: str  # "optimal", "feasible" (time limit, not proven), "infeasible", "error"
    gpus: int
    nodes: int
    tiers: int | None = None
    layout: str = ""
    protocol: str = ""
    switches: str = ""  # "leaf 32 x MQM9790-NS2F; spine 16 x MQM9790-NS2F"
    oversubscription: float | None = None
    max_switch_hops: int | None = None
    bisection_gbps: float | None = None
    cost_usd: float | None = None
    cost_per_gpu_usd: float | None = None
    power_w: float | None = None
    energy_usd: float | None = None  # over the objective's years; only for a tco objective
    tco_per_gpu_usd: float | None = None  # parts plus energy; only for a tco objective
    optimal: bool = False
    message: str = ""

    @property
    def objective_per_gpu_usd(self) -> float | None:
        """What the optimizer minimized, per GPU: TCO when it minimized TCO, else parts."""
        return self.cost_per_gpu_usd if self.tco_per_gpu_usd is None else self.tco_per_gpu_usd

    @property
    def designed(self) -> bool:
        return self.cost_usd is not None

    @property
    def models(self) -> tuple[tuple[str, str], ...]:
        """``(role, switch model)`` per role: ``(("leaf", "QM9790"), ("spine", "QM9790"))``."""
        pairs = (part.split(" ", 1) for part in self.switches.split("; ") if part)
        return tuple((role, rest.split(" x ", 1)[-1]) for role, rest in pairs)

    @property
    def shape(self) -> tuple:
        """What a change in the optimal design means: tiers, layout and switch models."""
        return (self.tiers, self.layout, self.models)


@dataclass(frozen=True)
class SweepResult:
    """Every point of a sweep, in the order of the values."""

    demand: str
    fabric: str
    axis: str
    part_kind: str | None
    points: tuple[SweepPoint, ...]
    objective: Objective = field(default_factory=Objective)

    @property
    def objective_label(self) -> str:
        """The y axis: network cost per GPU, or TCO per GPU for a tco objective."""
        o = self.objective
        if o.kind != "tco":
            return "network cost per GPU"
        return (f"network TCO per GPU (parts + {o.years:g} years of energy at "
                f"${o.usd_per_kwh:g}/kWh, PUE {o.pue:g})")

    @property
    def axis_label(self) -> str:
        if self.axis == "gpus":
            return "GPUs"
        if self.axis == "oversubscription":
            return "allowed oversubscription (x:1)"
        if self.axis == "blast-radius":
            return "GPUs one failed switch may cut off"
        return f"{self.part_kind} price (x list price)"

    def changes(self) -> list[str]:
        """Where the optimal design switches tier count, layout or switch model."""
        out = []
        designed = [p for p in self.points if p.designed]
        for before, after in itertools.pairwise(designed):
            if before.shape == after.shape:
                continue
            what = []
            if before.tiers != after.tiers:
                what.append(f"{before.tiers} -> {after.tiers} tiers")
            if before.layout != after.layout:
                what.append(f"{before.layout} -> {after.layout}")
            was = dict(before.models)
            what += [f"{role} {was[role]} -> {model}" for role, model in after.models
                     if role in was and was[role] != model]
            out.append(f"at {_value_text(self.axis, after.value)}: " + ", ".join(what))
        return out

    def write(self, outdir: str | Path, force: bool = False) -> Path:
        """Write ``sweep.csv``, ``sweep.png`` and ``sweep.svg`` (cost per GPU) into
        ``outdir``, atomically (:mod:`designer.outputs.sweep_files`)."""
        from designer.outputs.sweep_files import write_sweep

        return write_sweep(self, outdir, force)


def _value_text(axis: str, value: float) -> str:
    if axis == "gpus":
        return f"{int(value):,} GPUs"
    if axis == "oversubscription":
        return f"{value:g}:1"
    if axis == "blast-radius":
        return f"{int(value):,} GPUs a switch"
    return f"x{value:g}"


def sweep(demand: Demand, axis: str, values: Sequence[float] | None = None, *,
          fabric: str | None = None, part_kind: str | None = None,
          catalog: Catalog | None = None, solver: str = "highs",
          time_limit: float | None = None, executor: Executor | None = None,
          progress: Callable[[SweepPoint], None] | None = None) -> SweepResult:
    """Design one fabric of ``demand`` at each of ``values`` along ``axis``.

    Parameters
    ----------
    axis
        ``"gpus"``, ``"oversubscription"``, ``"price"`` (with ``part_kind``) or
        ``"blast-radius"``.
    values
        The values to design at, sorted and de-duplicated (default: 64 to 131,072 GPUs by
        doubling; oversubscription 1, 1.5, 2, 3, 4; price multipliers 0.5 to 1.5 by 0.1;
        blast radii of 0, 1, 2, 4 ... 64 GPUs).
    fabric
        Which fabric of the demand (default: the first).
    executor
        Any ``concurrent.futures.Executor``; default a process pool of ``os.cpu_count()``
        workers, shut down afterwards. A caller's executor is left running.
    progress
        Called with each point as its result is collected (in value order).

    Infeasible points are kept (status ``infeasible`` with the reason), not raised.
    """
    if axis not in AXES:
        raise InputError(f"axis: unknown sweep axis '{axis}' (choose one of: {', '.join(AXES)})")
    if axis == "price" and part_kind not in PRICED_KINDS:
        raise InputError(f"part_kind: a price sweep needs one of: {', '.join(PRICED_KINDS)}")
    values = tuple(DEFAULT_VALUES[axis] if values is None else values)
    if not values:
        raise InputError("values: a sweep needs at least one value")
    _check_values(axis, values)
    values = tuple(sorted(set(values)))
    names = [f.name for f in demand.fabrics]
    name = fabric or names[0]
    if name not in names:
        raise InputError(f"fabric: no fabric named '{name}' in {demand.path} "
                         f"(fabrics: {', '.join(names)})")
    if catalog is None:
        catalog = load_catalog(demand_catalogs(demand))
    check_references(demand, catalog)  # a bad demand fails once, before any point runs
    missing = missing_parts(demand.fabric(name), catalog)
    if missing is not None:
        raise InfeasibleError(f"fabric '{name}': {missing.text}", reason=missing)
    jobs = [(demand, catalog, name, axis, value, part_kind, solver, time_limit)
            for value in values]
    points = _run_points(jobs, catalog, executor, progress)
    return SweepResult(str(demand.path), name, axis, part_kind, tuple(points),
                       demand.spec.objective)


def _run_points(jobs: list[tuple], catalog: Catalog, executor: Executor | None,
                progress: Callable[[SweepPoint], None] | None) -> list[SweepPoint]:
    """Each job's point, in job order. Values that give the same fabric (GPU counts that round
    to the same servers) are designed once; each keeps its own value."""
    demand, _, name, axis = jobs[0][:4]
    firsts: dict[float, tuple] = {}
    first_of = {job[4]: firsts.setdefault(_fabric_key(demand, catalog, name, axis, job[4]), job)
                for job in jobs}
    owned = executor is None
    if owned:
        workers = max(1, min(len(firsts), os.cpu_count() or 1))
        executor = ProcessPoolExecutor(max_workers=workers)
    try:
        futures = {job[4]: executor.submit(design_point, *job) for job in firsts.values()}
        points = []
        for job in jobs:
            value = job[4]
            point = replace(futures[first_of[value][4]].result(), value=float(value))
            if progress is not None:
                progress(point)
            points.append(point)
    finally:
        if owned:
            executor.shutdown(wait=True, cancel_futures=True)
    return points


def _check_values(axis: str, values: Sequence[float]) -> None:
    for value in values:
        if axis == "blast-radius":
            if (not isinstance(value, int | float) or not math.isfinite(value) or value < 0
                    or value != int(value) or value > 10_000_000):
                raise InputError(f"values: a blast radius is a whole number of GPUs from 0 to "
                                 f"10,000,000, got {value!r}")
            continue
        if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise InputError(f"values: every sweep value must be a positive number, got {value!r}")
        if axis == "gpus" and not 1 <= value <= 10_000_000:
            raise InputError(f"values: GPU counts must be between 1 and 10,000,000, "
                             f"got {value:g}")
        if axis == "price" and not 1e-3 <= value <= 1e3:
            raise InputError(f"values: price multipliers must be between 0.001 and 1000, "
                             f"got {value:g}")
        if axis == "oversubscription" and not 1 <= value <= 64:
            raise InputError(f"values: oversubscription must be between 1 and 64, got {value:g}")


def _fabric_key(demand: Demand, catalog: Catalog, fabric_name: str, axis: str,
                value: float) -> float:
    """What a value changes in the design: the server count for a GPU sweep, else itself."""
    if axis != "gpus":
        return value
    fabric = next(f for f in demand.fabrics if f.name == fabric_name)
    return max(1, math.ceil(value / gpus_per_node(fabric, catalog)))


def design_point(demand: Demand, catalog: Catalog, fabric_name: str, axis: str, value: float,
                 part_kind: str | None, solver: str = "highs",
                 time_limit: float | None = None) -> SweepPoint:
    """Design one point (runs in a worker; everything it takes and returns pickles)."""
    fabric = next(f for f in demand.fabrics if f.name == fabric_name)
    per_node = gpus_per_node(fabric, catalog)
    if axis == "gpus":
        fabric = fabric.model_copy(update={"nodes": max(1, math.ceil(value / per_node))})
    elif axis == "oversubscription":
        fabric = fabric.model_copy(update={"max_oversubscription": float(value)})
    elif axis == "blast-radius":
        fabric = fabric.model_copy(update={"max_gpus_cut_per_switch": int(value)})
    else:
        catalog = scaled_catalog(catalog, part_kind, value)
    spec = demand.spec.model_copy(update={"fabrics": (fabric,)})
    point_demand = Demand(spec=spec, path=demand.path, digest=demand.digest)
    base = {"value": float(value), "nodes": fabric.nodes, "gpus": fabric.nodes * per_node}
    try:
        # explain=False: the analytic reason only, so sweep.csv does not depend on how fast
        # time-limited re-solves ran (and infeasible points stay quick).
        result = design(point_demand, catalog, solver=solver, time_limit=time_limit,
                        explain=False)
    except DesignerError as error:
        if error.exit_code == 1:
            raise  # bad input is the caller's to fix, not a point of the sweep
        status = "infeasible" if error.exit_code == 3 else "error"
        return SweepPoint(status=status, message=error.headline, **base)
    f = result.fabrics[0]
    s = f.structure
    tco = f.objective.kind == "tco"
    switches = "; ".join(f"{role} {count * s.copies:,} x {mode.model}"
                         for role, (mode, count) in s.counts.switches.items())
    return SweepPoint(
        status="optimal" if f.solve.optimal else "feasible", tiers=s.tiers, layout=s.layout,
        protocol=s.protocol, switches=switches, oversubscription=round(s.oversubscription, 6),
        max_switch_hops=s.max_switch_hops, bisection_gbps=round(s.bisection_gbps, 3),
        cost_usd=round(f.cost_usd, 2), cost_per_gpu_usd=round(f.cost_usd / base["gpus"], 2),
        power_w=round(f.power_w, 1), energy_usd=round(f.energy_usd, 2) if tco else None,
        tco_per_gpu_usd=(round((f.cost_usd + f.energy_usd) / base["gpus"], 2) if tco
                         else None),
        optimal=f.solve.optimal, **base)


def scaled_catalog(catalog: Catalog, part_kind: str, factor: float) -> Catalog:
    """The catalog with every ``part_kind`` price multiplied by ``factor``."""
    table = getattr(catalog, part_kind)
    scaled = {model: part.model_copy(update={"price_usd": part.price_usd * factor})
              for model, part in table.items()}
    from types import MappingProxyType

    return replace(catalog, **{part_kind: MappingProxyType(scaled)})


__all__ = ["AXES", "DEFAULT_VALUES", "SweepPoint", "SweepResult", "design_point", "sweep"]
