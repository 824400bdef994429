"""Capital plus energy (TCO) and budget modes, checked against exhaustive enumeration.

TCO: every part of a generated instance is given a power draw; the MILP's TCO optimum must
equal the enumeration's optimum over a catalog whose prices carry their energy (built here, by
hand, not with the engine's helper). Budget: the enumeration's cheapest design at each
oversubscription level gives the least level a budget buys; the MILP must find that level and
that level's least cost.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from types import MappingProxyType

import pytest
from instances import small_instances, with_power
from reference import cheapest_design

from designer.diagnose import why_no_design
from designer.errors import InfeasibleError
from designer.inputs.schema import Objective
from designer.model.formulation import build_model
from designer.model.pricing import energy_priced, rebase, usd_per_watt
from designer.solvers.solve import solve

TCO = Objective(kind="tco", years=4, usd_per_kwh=0.15, pue=1.4)
HOURS = 8760


FEASIBLE_COUNT = 16
BUDGET_COUNT = 7


@functools.cache
def _feasible(count: int = FEASIBLE_COUNT) -> tuple:
    """The first feasible generated instances, found on first use (not at import)."""
    out = []
    for instance in small_instances(40, seed=3):
        if cheapest_design(instance.fabric, instance.site, instance.catalog) is not None:
            out.append(instance)
        if len(out) == count:
            break
    assert len(out) == count
    return tuple(out)


def _with_power(catalog, seed: int):
    return with_power(catalog, seed, (0, 2, 15, 150, 900))


def _energy_in_prices(catalog, per_watt_usd: float):
    """Switches, NICs and cables priced with their energy; modules at list price (the oracle
    adds a NIC-end module's energy; one in a switch cage draws within the switch's power)."""
    tables = {kind: MappingProxyType({
        model: part.model_copy(update={"price_usd": part.price_usd + per_watt_usd * part.power_w})
        for model, part in getattr(catalog, kind).items()})
        for kind in ("switches", "nics", "cables")}
    return replace(catalog, **tables)


def test_usd_per_watt_is_energy_over_the_years():
    assert usd_per_watt(TCO) == pytest.approx(HOURS * 4 * 0.15 * 1.4 / 1000)
    assert usd_per_watt(Objective()) == 0.0


@pytest.mark.parametrize("case", range(FEASIBLE_COUNT))
def test_tco_optimum_equals_enumeration(case):
    instance = _feasible()[case]
    catalog = _with_power(instance.catalog, seed=len(instance.name))
    per_watt = HOURS * 4 * 0.15 * 1.4 / 1000
    oracle = cheapest_design(instance.fabric, instance.site,
                             _energy_in_prices(catalog, per_watt), module_energy_usd_per_w=per_watt)
    model = build_model(instance.fabric, instance.site, energy_priced(catalog, TCO))
    structure, report = solve(model)
    # CBC reports continuous values to about 1e-3: cents are the precision that matters.
    assert report.objective_usd == pytest.approx(oracle.cost_usd, rel=0, abs=0.01)
    # Back at list prices, capital plus energy still equals the objective.
    listed = rebase(structure, catalog)
    assert listed.cost_usd + per_watt * listed.power_w == pytest.approx(report.objective_usd,
                                                                        rel=0, abs=0.01)
    assert listed.nic.price_usd == catalog.nics[listed.nic.model].price_usd


def _cheapest_at(instance, cap: float) -> float | None:
    fabric = instance.fabric.model_copy(update={"max_oversubscription": cap})
    design = cheapest_design(fabric, instance.site, instance.catalog)
    return None if design is None else design.cost_usd


@functools.cache
def _budget_cases() -> tuple:
    """Instances where a looser oversubscription is cheaper, with a budget between the two."""
    cases = []
    for instance in _feasible():
        top = instance.fabric.max_oversubscription
        if top <= 1:
            continue
        tight, loose = _cheapest_at(instance, 1.0), _cheapest_at(instance, top)
        if tight is not None and loose is not None and loose < tight:
            cases.append((instance, (tight + loose) / 2))
    return tuple(cases)


def test_budget_cases_exist():
    assert len(_budget_cases()) == BUDGET_COUNT


@pytest.mark.parametrize("case", range(BUDGET_COUNT))
def test_budget_buys_the_least_oversubscription(case):
    instance, budget = _budget_cases()[case]
    fabric = instance.fabric.model_copy(update={"budget_usd": budget})
    structure, report = solve(build_model(fabric, instance.site, instance.catalog))
    best = structure.oversubscription
    assert report.objective_usd <= budget + 1e-6
    # Nothing less oversubscribed fits the budget...
    tighter = _cheapest_at(instance, max(1.0, best - 1e-6)) if best > 1 else None
    assert best == 1 or tighter is None or tighter > budget
    # ...and at that oversubscription the design is the cheapest one.
    assert report.objective_usd == pytest.approx(_cheapest_at(instance, best))


def test_a_budget_nothing_fits_names_the_cheapest():
    instance = _feasible()[0]
    cheapest = cheapest_design(instance.fabric, instance.site, instance.catalog).cost_usd
    fabric = instance.fabric.model_copy(update={"budget_usd": cheapest * 0.5})
    model = build_model(fabric, instance.site, instance.catalog)
    with pytest.raises(InfeasibleError):
        solve(model)
    reason = why_no_design(model, instance.site, instance.catalog, "highs", None)
    assert reason.limit == "budget_usd"
    assert reason.fix["budget_usd"] == pytest.approx(cheapest, abs=0.01)
    assert reason.shortfall == pytest.approx(cheapest * 0.5, abs=0.01)
    assert "buys no design; the cheapest within" in reason.text
