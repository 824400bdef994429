"""Node-leaf links cabled cage by cage: cheapest medium and stocked length per leg.

Hand-worked prices: a 2 m passive DAC $10 (in-rack runs only), a 1-port SR optic $50, a 2-port
SR optic $80, multimode fiber $3 at 3 m and $8 at 30 m, a 2-leg DAC breakout $30 (3 m).
"""

from __future__ import annotations

import csv

import pytest
from reference import cheapest_design

import designer
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import Cable, CatalogFile, Nic, Site, Switch, Transceiver
from designer.model.formulation import build_model
from designer.model.nodelinks import CagePricer, cage_runs, plan_node_links
from designer.solvers.solve import solve

PROVENANCE = {"vendor": "Acme", "source": "test price", "as_of": "2026-01"}
DAC_2M = Cable(model="DAC-2M", kind="dac", port_speed_gbps=100.0, reach_m=2.0, price_usd=10.0,
               **PROVENANCE)
BREAKOUT_3M = Cable(model="DACBO-3M", kind="dac", links=2, port_speed_gbps=100.0, reach_m=3.0,
                    price_usd=30.0, **PROVENANCE)
SR1 = Transceiver(model="SR1", ports=1, fiber="mmf", port_speed_gbps=100.0, reach_m=50.0,
                  price_usd=50.0, **PROVENANCE)
SR2 = Transceiver(model="SR2", ports=2, fiber="mmf", port_speed_gbps=100.0, reach_m=50.0,
                  price_usd=80.0, **PROVENANCE)
MMF_3M = Cable(model="MMF-3M", fiber="mmf", port_speed_gbps=400.0, reach_m=3.0, price_usd=3.0,
               **PROVENANCE)
MMF_30M = Cable(model="MMF-30M", fiber="mmf", port_speed_gbps=400.0, reach_m=30.0,
                price_usd=8.0, **PROVENANCE)


def catalog(cables=(DAC_2M, MMF_3M, MMF_30M), cage: int = 1) -> Catalog:
    switch = Switch(model="SW", ports=32, port_speed_gbps=100.0, price_usd=1000.0,
                    ports_per_cage=cage, protocol="ethernet", **PROVENANCE)
    nic = Nic(model="NIC", ports=1, port_speed_gbps=100.0, price_usd=100.0, **PROVENANCE)
    return Catalog.merge([("test", CatalogFile(
        switches=(switch,), nics=(nic,), transceivers=(SR1, SR2), cables=tuple(cables)))])


def test_short_leg_takes_copper_long_leg_takes_optics():
    pricer = CagePricer(catalog(), 100.0)
    assert pricer.cheapest((2.0,), (1, None), "ethernet").cables == (DAC_2M,)
    long = pricer.cheapest((6.4,), (1, None), "ethernet")
    assert long.leaf_end == SR1 and long.node_end == SR1
    assert long.cost_usd == 50 + 50 + 8  # 6.4 m needs the 30 m fiber


def test_each_leg_gets_its_own_stocked_length():
    pricer = CagePricer(catalog(), 100.0)
    # a 2-port cage: one SR2 at the leaf
    cabling = pricer.cheapest((2.5, 12.0), (2, None), "ethernet")
    assert cabling.leaf_end == SR2
    assert [cabling.leg_cable(i).model for i in range(2)] == ["MMF-3M", "MMF-30M"]
    assert cabling.cost_usd == 80 + 2 * 50 + 3 + 8


def test_breakout_must_cover_its_longest_leg():
    pricer = CagePricer(catalog((DAC_2M, MMF_3M, MMF_30M, BREAKOUT_3M), cage=2), 100.0)
    assert pricer.cheapest((2.0, 3.0), (2, None), "ethernet").cables == (BREAKOUT_3M,)
    # One leg beyond the splitter's reach: the whole cage goes optical.
    assert pricer.cheapest((2.0, 4.0), (2, None), "ethernet").leaf_end == SR2


def test_nothing_reaches_gives_none():
    pricer = CagePricer(catalog((DAC_2M,)), 100.0)
    assert pricer.cheapest((5.0,), (1, None), "ethernet") is None


def test_cage_runs_fill_cages_in_port_order():
    assert cage_runs([1.0, 2.0, 3.0, 4.0, 5.0], 2) == [(1.0, 2.0), (3.0, 4.0), (5.0,)]


def test_plan_prices_every_cage_of_every_leaf():
    # ToR groups of 8 nodes in 4-node racks: the leaf's rack is in-rack (at most 41 units of
    # 44.45 mm plus 0.1 m: 1.92 m, DAC), the other rack is one over (2*1.5 + 0.6 + 1 = 4.6 m:
    # optics with the 30 m fiber).
    site = Site(nodes_per_rack=4, in_rack_m=0.1)
    plan = plan_node_links(CagePricer(catalog(), 100.0), site, rail=False, group_nodes=8,
                           nodes=16, ports_per_node=1, leaves_per_group=1, cage=(1, None),
                           protocol="ethernet")
    counts = {cabling.kind: n for cabling, n in plan.cages}
    assert counts == {"dac": 8, "optics": 8}
    assert plan.worst_run_m == 4.6
    assert plan.cost_usd == 8 * 10 + 8 * (50 + 50 + 8)


def _design(tmp_path, site: dict):
    demand = Demand.from_dict({
        "name": "mix", "site": site,
        "fabrics": [{"name": "tor", "nodes": 16, "endpoints_per_node": 1,
                     "port_speed_gbps": 100, "layout": "tor", "max_switch_hops": 3,
                     "max_oversubscription": 1}]}, path="mem.yaml")
    return designer.design(demand, catalog())


def test_mixed_cabling_matches_the_oracle_and_verifies(tmp_path):
    site = {"nodes_per_rack": 4, "in_rack_m": 0.1}  # in-rack runs within the 2 m DAC
    result = _design(tmp_path, site)
    fabric = result.fabrics[0]
    oracle = cheapest_design(fabric.structure.fabric, fabric.site, result.catalog)
    assert fabric.cost_usd == pytest.approx(oracle.cost_usd)
    assert {way.kind for way in fabric.structure.node_links.ways()} == {"dac", "optics"}

    out = tmp_path / "out"
    result.write(out)  # verified independently before the folder is moved into place
    with open(out / "cabling.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["a_role"] == "node"]
    for row in rows:  # every leg: copper in the rack, optics beyond it
        in_rack = row["a_rack"] == row["z_rack"]
        assert row["cable_kind"] == ("dac" if in_rack else "fiber"), row
        assert (row["z_transceiver"] == "") == in_rack


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_milp_charges_exactly_the_planned_cages(solver):
    site = Site(nodes_per_rack=4)
    fab = _design(None, {"nodes_per_rack": 4}).fabrics[0].structure.fabric
    structure, report = solve(build_model(fab, site, catalog()), solver=solver)
    assert structure.cost_usd == pytest.approx(report.objective_usd)
    oracle = cheapest_design(fab, site, catalog())
    assert report.objective_usd == pytest.approx(oracle.cost_usd)
