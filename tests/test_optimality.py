"""The MILP's cost equals an exhaustive enumeration of the same design space.

``tests/reference.py`` enumerates every protocol, NIC, layout, tier count, port split, striping,
pod structure and medium by brute force, written independently of the formulation. On small
generated instances both must agree on the cheapest cost (and on infeasibility), and the MILP's
design must cost what its own bill of materials says.
"""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType

import pytest
from instances import small_instances, with_server
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


ON_SERVERS = [with_server(i, nics_included=True) for i in INSTANCES[:12]]


@pytest.mark.parametrize("instance", ON_SERVERS, ids=[i.name for i in ON_SERVERS])
def test_nics_in_the_server_price_are_not_billed(instance, tmp_path):
    """A server whose price includes its NICs: the optimum (the oracle's too) bills no NIC,
    and the written bill of materials has no NIC line, yet says which card the ports are."""
    expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
    if expected is None:
        with pytest.raises(designer.InfeasibleError):
            designer.design(as_demand(instance), instance.catalog, solver="highs")
        return
    assert expected.nic_cost_usd == 0
    result = designer.design(as_demand(instance), instance.catalog, solver="highs")
    fabric = result.fabrics[0]
    assert math.isclose(fabric.cost_usd, expected.cost_usd, rel_tol=1e-9, abs_tol=1e-6)
    assert not [p for p in fabric.parts if p.kind == "nics"]
    assert fabric.to_dict()["nic"]["in_server_price"] is True
    result.write(tmp_path / "out")  # the verifier counts no NIC and finds the total


def _on_board(instance):
    """The instance on a server with its catalog's dearest NIC on board, bought with it."""
    dearest = max(instance.catalog.nics.values(), key=lambda n: (n.price_usd, n.model))
    return with_server(instance, nics_included=False, on_board=dearest.model)


ON_BOARD = [_on_board(i) for i in INSTANCES[:12]]


@pytest.mark.parametrize("instance", ON_BOARD, ids=[i.name for i in ON_BOARD])
def test_a_nic_on_board_is_the_nic_the_design_has(instance):
    """A server that names its on-board card: the optimum (the oracle's too) has that card,
    however dear, and bills it when the server's price leaves it out."""
    expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
    if expected is None:
        with pytest.raises((designer.InfeasibleError, designer.InputError)):
            designer.design(as_demand(instance), instance.catalog, solver="highs")
        return
    (named,) = instance.catalog.servers["gen-server"].frontend_nic
    assert expected.nic == named
    result = designer.design(as_demand(instance), instance.catalog, solver="highs")
    fabric = result.fabrics[0]
    assert fabric.structure.nic.model == named
    assert math.isclose(fabric.cost_usd, expected.cost_usd, rel_tol=1e-9, abs_tol=1e-6)
    assert [p.model for p in fabric.parts if p.kind == "nics"] == [named]


def _in_slots(instance, index):
    """The instance on a server with PCIe Gen4 or Gen5 slots and 1 to 4 NIC slots, its
    catalog's cards of mixed generations."""
    nics = {m: n.model_copy(update={"pcie_gen": (4, 5, 6, None)[i % 4]})
            for i, (m, n) in enumerate(sorted(instance.catalog.nics.items()))}
    instance = instance._replace(catalog=replace(instance.catalog, nics=MappingProxyType(nics)))
    return with_server(instance, nics_included=False, pcie_gen=(4, 5)[index % 2],
                       nic_slots=1 + index % 4)


IN_SLOTS = [_in_slots(i, k) for k, i in enumerate(INSTANCES[:16])]


@pytest.mark.parametrize("instance", IN_SLOTS, ids=[i.name for i in IN_SLOTS])
def test_a_card_its_slot_cannot_feed_is_never_bought(instance):
    """Cards run at the older of their and the slot's PCIe generation and may use no more
    port bandwidth than that feeds; a server has so many slots. The optimum equals the
    enumeration under both rules, and the card it buys obeys them."""
    expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
    if expected is None:
        with pytest.raises(designer.InfeasibleError):
            designer.design(as_demand(instance), instance.catalog, solver="highs")
        return
    result = designer.design(as_demand(instance), instance.catalog, solver="highs")
    fabric = result.fabrics[0]
    assert math.isclose(fabric.cost_usd, expected.cost_usd, rel_tol=1e-9, abs_tol=1e-6)
    nic, server = fabric.structure.nic, instance.catalog.servers["gen-server"]
    f = instance.fabric
    gen = min(g for g in (nic.pcie_gen, server.pcie_gen) if g is not None)
    used = min(nic.ports, f.endpoints_per_node * f.planes)
    assert used * f.port_speed_gbps <= nic.pcie_lanes * {4: 12.5, 5: 25, 6: 50}[gen]
    assert fabric.to_dict()["nic"]["per_node"] <= server.nic_slots


IN_PRICE_SLOTS = [with_server(i, nics_included=True, pcie_gen=3, nic_slots=1)
                  for i in INSTANCES[:8]]


@pytest.mark.parametrize("instance", IN_PRICE_SLOTS, ids=[i.name for i in IN_PRICE_SLOTS])
def test_cards_in_the_server_price_are_not_held_to_its_slots(instance):
    """Cards the server's price includes are the server maker's to fit: Gen3 slots and one of
    them leave the optimum (and the enumeration's) as it is without slot facts."""
    free = with_server(instance, nics_included=True)
    expected = cheapest_design(free.fabric, free.site, free.catalog)
    if expected is None:
        assert cheapest_design(instance.fabric, instance.site, instance.catalog) is None
        return
    fabric = designer.design(as_demand(instance), instance.catalog, solver="highs").fabrics[0]
    assert math.isclose(fabric.cost_usd, expected.cost_usd, rel_tol=1e-9, abs_tol=1e-6)
