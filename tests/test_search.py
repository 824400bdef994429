"""The HiGHS search (``designer/search.py``) against one branch-and-bound over the whole model.

The search prunes blocks by their LP bounds and leaf options by reduced costs; a wrong prune
would return a dearer design still marked optimal. So on the sweep's fabric at sizes that give
one, two and three tiers (and sizes between powers of two, where the last pod is partly
filled), the same built model is also handed whole to HiGHS through PuLP, and both costs must
agree. The reference enumeration (``test_reference.py``) covers the small generated instances.
"""

from __future__ import annotations

import math

import pulp
import pytest
from conftest import ROOT

import designer
from designer.floor import fabric_site
from designer.formulation import build_model
from designer.search import search
from designer.solve import _part

GPUS = (64, 296, 2952, 9319, 43147)  # 1, 2, 2, 3 and 3 tiers


@pytest.fixture(scope="module")
def sweep_demand():
    return designer.load_demand(ROOT / "examples" / "training-sweep.yaml")


def built(demand, catalog, gpus: int, **site):
    fabric = demand.fabrics[0].model_copy(update={"nodes": math.ceil(gpus / 8)})
    server = catalog.servers[fabric.server]
    spec_site = demand.spec.site.model_copy(update=site)
    return build_model(fabric, fabric_site(spec_site, server.power_w), catalog)


def searched(model, time_limit=None):
    return search(model.problem, [_part(model, b) for b in model.blocks], time_limit)


def whole(model) -> float | None:
    """The same model solved by one HiGHS branch-and-bound (PuLP's own interface)."""
    model.problem.solve(pulp.HiGHS(msg=False, threads=1, gapRel=0.0, gapAbs=1e-6,
                                   presolve="off", random_seed=0))
    if model.problem.status == pulp.LpStatusInfeasible:
        return None
    assert model.problem.sol_status == pulp.LpSolutionOptimal
    return pulp.value(model.objective)


@pytest.mark.parametrize("gpus", GPUS)
def test_search_finds_what_one_branch_and_bound_finds(sweep_demand, shipped_catalog, gpus):
    outcome = searched(built(sweep_demand, shipped_catalog, gpus))
    expected = whole(built(sweep_demand, shipped_catalog, gpus))
    assert outcome.optimal and not outcome.infeasible
    assert outcome.objective == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_search_proves_a_fabric_has_no_design(sweep_demand, shipped_catalog):
    # 524,288 GPUs do not fit the default site's rows (README, solve figures).
    model = built(sweep_demand, shipped_catalog, 524288)
    outcome = searched(model)
    assert outcome.infeasible and outcome.values is None
    assert whole(built(sweep_demand, shipped_catalog, 524288)) is None


def test_search_without_time_claims_nothing(sweep_demand, shipped_catalog):
    outcome = searched(built(sweep_demand, shipped_catalog, 9319), time_limit=1e-9)
    assert not outcome.optimal
    assert not outcome.infeasible  # out of time is not a proof that no design exists


def test_search_is_deterministic(sweep_demand, shipped_catalog):
    first = searched(built(sweep_demand, shipped_catalog, 20052))
    second = searched(built(sweep_demand, shipped_catalog, 20052))
    assert first.objective == second.objective
    assert (first.values == second.values).all()


def test_search_values_satisfy_every_row(sweep_demand, shipped_catalog):
    model = built(sweep_demand, shipped_catalog, 43147)
    outcome = searched(model)
    for var, value in zip(model.problem.variables(), outcome.values, strict=True):
        var.varValue = float(value)
        if var.cat == pulp.LpInteger:
            assert abs(value - round(value)) <= 1e-6, var.name
    violated = [row.name for row in model.problem.constraints()
                if not row.valid(eps=1e-5 * max(1.0, abs(row.constant)))]
    assert not violated
    assert pulp.value(model.objective) == pytest.approx(outcome.objective, rel=1e-9)


def test_bounds_prune_most_leaf_options(sweep_demand, shipped_catalog):
    # 43,147 GPUs: three tiers, last pod partly filled, the relaxation 1.8% under the optimum;
    # reduced costs still leave only a handful of the 1,117 leaf options to search.
    outcome = searched(built(sweep_demand, shipped_catalog, 43147))
    assert outcome.optimal
    assert outcome.choices > 1000
    assert outcome.branched <= 0.02 * outcome.choices
    assert outcome.milps <= outcome.branched
