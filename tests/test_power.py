"""A limit on the network's power (``max_power_kw``), checked against exhaustive enumeration.

Every part of a generated instance draws a deterministic power. The enumeration's cheapest
design without a limit draws ``P0``; at limits of ``P0`` and below it the MILP's optimum must
equal the enumeration's cheapest design within the limit (or both find none), and the design it
returns must draw no more than the limit.
"""

from __future__ import annotations

import functools

import pytest
from instances import small_instances, with_power
from reference import cheapest_design

from designer.diagnose import why_no_design
from designer.errors import InfeasibleError
from designer.model.formulation import build_model
from designer.solvers.solve import solve

FRACTIONS = (1.0, 0.9, 0.75, 0.6)
CASE_COUNT = 48


def _with_power(catalog, seed: int):
    return with_power(catalog, seed, (0, 3, 12, 40, 300))


@functools.cache
def _cases() -> tuple:
    """The cases, built on first use (the enumeration runs in the tests, not at import)."""
    cases = []
    for instance in small_instances(60, seed=5):
        catalog = _with_power(instance.catalog, seed=len(instance.name))
        free = cheapest_design(instance.fabric, instance.site, catalog)
        if free is None or free.power_w <= 0:
            continue
        for fraction in FRACTIONS:
            limit_kw = free.power_w * fraction / 1000
            cases.append((instance, catalog, limit_kw))
        if len(cases) >= CASE_COUNT:
            break
    assert len(cases) == CASE_COUNT
    return tuple(cases)


@pytest.mark.parametrize("case", range(CASE_COUNT))
def test_power_limited_optimum_equals_enumeration(case):
    instance, catalog, limit_kw = _cases()[case]
    fabric = instance.fabric.model_copy(update={"max_power_kw": limit_kw})
    oracle = cheapest_design(fabric, instance.site, catalog)
    model = build_model(fabric, instance.site, catalog)
    if oracle is None:
        with pytest.raises(InfeasibleError):
            solve(model)
        reason = why_no_design(model, instance.site, catalog, "highs", None, probe=False)
        assert reason.limit == "max_power_kw" and reason.shortfall > 0
        assert reason.fix["max_power_kw"] > limit_kw
        return
    structure, report = solve(model)
    assert report.objective_usd == pytest.approx(oracle.cost_usd, rel=0, abs=0.01)
    assert structure.power_w <= 1000 * limit_kw + 1e-6
    assert structure.cost_usd == pytest.approx(report.objective_usd, rel=0, abs=0.01)


def test_the_limit_binds_somewhere():
    """The cases above include designs the limit made dearer, and limits nothing meets."""
    dearer = infeasible = 0
    for instance, catalog, limit_kw in _cases():
        fabric = instance.fabric.model_copy(update={"max_power_kw": limit_kw})
        free = cheapest_design(instance.fabric, instance.site, catalog)
        limited = cheapest_design(fabric, instance.site, catalog)
        if limited is None:
            infeasible += 1
        elif limited.cost_usd > free.cost_usd + 0.01:
            dearer += 1
    assert dearer >= 3 and infeasible >= 1, (dearer, infeasible)


def test_infeasible_limit_names_the_least_power():
    instance, catalog, _ = _cases()[0]
    fabric = instance.fabric.model_copy(update={"max_power_kw": 1e-6})
    model = build_model(fabric, instance.site, catalog)
    with pytest.raises(InfeasibleError):
        solve(model)
    reason = why_no_design(model, instance.site, catalog, "highs", None)
    assert reason.limit == "max_power_kw"
    assert reason.text.startswith("max_power_kw: 1e-06 kW allows no design; the least any "
                                  "design draws is ")
    least_kw = reason.fix["max_power_kw"]
    assert reason.shortfall == pytest.approx(least_kw - 1e-6)
    # The least power is a real design's: at that limit there is one.
    structure, _ = solve(build_model(fabric.model_copy(update={"max_power_kw": least_kw * 1.0001}),
                                     instance.site, catalog))
    assert structure.power_w <= least_kw * 1000.1


def test_each_module_is_counted_once():
    """A switch's power_w is its datasheet maximum with modules fitted: the modules in its
    cages count nothing of their own, a module at a NIC end and an active cable count theirs.
    dgx-superpod-4su: 48 switches at 1,610 W, 512 twin-port modules in the DGX cages at 15 W
    (and 1,536 twin-port modules in switch cages at 0)."""
    from conftest import ROOT

    import designer

    result = designer.design(designer.load_demand(ROOT / "examples" / "dgx-superpod-4su.yaml"))
    fabric = result.fabrics[0]
    assert fabric.power_w == 48 * 1610 + 512 * 15
    in_cages = [line for line in result.bom if line.roles.endswith("(leaf end)")
                or "(spine end)" in line.roles]
    assert in_cages and all(line.unit_power_w == 0 for line in in_cages)
    assert sum(line.extended_power_w for line in result.bom) == fabric.power_w
