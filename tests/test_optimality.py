"""The MILP's cost equals an exhaustive enumeration of the same design space.

``tests/reference.py`` enumerates every protocol, NIC, layout, tier count, port split, striping,
pod structure and medium by brute force, written independently of the formulation. On small
generated instances both must agree on the cheapest cost (and on infeasibility), and the MILP's
design must cost what its own bill of materials says.
"""

from __future__ import annotations

import math

import pytest
from instances import small_instances
from reference import cheapest_design

import designer
from designer.inputs.demand import Demand

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`

INSTANCES = small_instances(40)


def as_demand(instance) -> Demand:
    return Demand.from_dict({"fabrics": [instance.fabric], "site": instance.site},
                            path=f"{instance.name}.yaml")


@pytest.mark.parametrize("instance", INSTANCES, ids=[i.name for i in INSTANCES])
@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_milp_cost_equals_exhaustive_enumeration(instance, solver, tmp_path):
    expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
    if expected is None:
        with pytest.raises(designer.InfeasibleError):
            designer.design(as_demand(instance), instance.catalog, solver=solver)
        return
    result = designer.design(as_demand(instance), instance.catalog, solver=solver)
    fabric = result.fabrics[0]
    assert fabric.solve.optimal
    assert math.isclose(fabric.cost_usd, expected.cost_usd, rel_tol=1e-9, abs_tol=1e-6), (
        f"MILP {fabric.cost_usd} ({fabric.structure.tiers} tiers, {fabric.structure.layout}) "
        f"vs enumeration {expected.cost_usd} ({expected.tiers} tiers, {expected.layout})")
    assert math.isclose(fabric.cost_usd, fabric.solve.objective_usd, abs_tol=0.01)
    result.write(tmp_path / "out")  # writing runs the independent verifier on the topology
    assert (tmp_path / "out" / "verification.json").exists()
