"""The floor model: rack placement, run lengths, and servers per rack from the power budget."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import ROOT, solved_example

import designer
from designer.inputs.schema import Site
from designer.site.grid import GroupPlacement, Rack, fabric_site, node_leaf_m, run_m


def test_runs_between_racks():
    site = Site()
    assert run_m(site, Rack(0, 3), Rack(0, 3)) == site.in_rack_m
    # 2 x 1.5 m drops + 2 rows x 2.4 m + 3 racks x 0.6 m + 1 m slack
    assert run_m(site, Rack(0, 0), Rack(2, 3)) == pytest.approx(3 + 4.8 + 1.8 + 1)


def test_top_of_rack_group_that_fits_one_rack_stays_in_the_rack():
    assert node_leaf_m(Site(nodes_per_rack=4), rail_layout=False, group_nodes=4) == 2.0


def test_rail_leaves_sit_in_a_network_rack_in_the_middle_of_the_group():
    site = Site(nodes_per_rack=4, racks_per_row=16)
    placement = GroupPlacement(site, 32, rail=True)       # 8 node racks + 1 network rack
    assert placement.slots == 9 and placement.per_row == 1
    assert placement.leaf_rack(0) == Rack(0, 4)
    assert {placement.node_rack(n).col for n in range(32)} == {0, 1, 2, 3, 5, 6, 7, 8}
    assert node_leaf_m(site, True, 32) == run_m(site, Rack(0, 4), Rack(0, 0))


@pytest.mark.parametrize(("group_nodes", "rail"), [(3, False), (6, True), (20, False),
                                                     (90, True)])
def test_groups_never_straddle_rows_unless_wider_than_a_row(group_nodes, rail):
    site = Site(nodes_per_rack=4, racks_per_row=8)
    placement = GroupPlacement(site, group_nodes, rail)
    for group in range(10):
        rows = {placement.slot(group, k).row for k in range(placement.slots)}
        assert len(rows) == placement.rows_per_group
    worst = placement.worst_node_leaf_m()
    for node in range(group_nodes * 3):
        run = run_m(site, placement.node_rack(node), placement.leaf_rack(node // group_nodes))
        assert run <= worst


def test_servers_per_rack_follow_the_power_budget():
    assert fabric_site(Site(rack_power_kw=40), server_power_w=10_200).nodes_per_rack == 3
    assert fabric_site(Site(rack_power_kw=40), server_power_w=None).nodes_per_rack == 4
    assert fabric_site(Site(nodes_per_rack=2, rack_power_kw=40), 10_200).nodes_per_rack == 2
    assert fabric_site(Site(rack_power_kw=5), server_power_w=10_200).nodes_per_rack == 1


def design_of(tmp_path, text: str):
    """Design a demand given as YAML text."""
    path = tmp_path / "d.yaml"
    path.write_text(text)
    return designer.design(designer.load_demand(path))


RAIL_64 = ("catalogs: [ai-ethernet]\n{site}fabrics:\n"
           "  - {{name: f, nodes: 64, endpoints_per_node: 8, planes: {planes}, "
           "port_speed_gbps: 400, layout: rail-optimized, max_switch_hops: 3}}\n")


def test_servers_that_do_not_fit_a_rack_are_an_input_error(tmp_path):
    with pytest.raises(designer.InputError, match=r"16 servers of 4U .* do not fit a 42U rack"):
        design_of(tmp_path, "site: {nodes_per_rack: 16}\nfabrics:\n  - {name: f, nodes: 32, "
                            "endpoints_per_node: 2, port_speed_gbps: 100}\n")


def test_leaves_that_do_not_fit_their_rack_are_refused_with_a_way_out(tmp_path):
    with pytest.raises(designer.InfeasibleError,
                       match=r"the 32 leaves of a group .* do not fit .*; fix: site.rack_units"):
        design_of(tmp_path, RAIL_64.format(site="site: {nodes_per_rack: 8}\n", planes=4))


def test_leaves_stack_inside_their_rack(tmp_path):
    out = design_of(tmp_path, RAIL_64.format(site="", planes=2)).write(tmp_path / "out")
    with open(out / "cabling.csv", newline="") as handle:
        where = {r["z_device"]: (r["z_rack"], int(r["z_ru"])) for r in csv.DictReader(handle)
                 if r["z_role"] == "leaf"}
    assert all(1 <= ru <= 42 for _, ru in where.values())
    assert len(set(where.values())) == len(where), "two leaves in one rack position"


# --------------------------------------------------------------------------------------------
# Racks: no rack holds a whole tier, and none draws more than its budget


def _racks(out) -> list[dict[str, str]]:
    with open(out / "racks.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_no_rack_holds_a_whole_tier(tmp_path):
    out = solved_example("training-1024").write(tmp_path / "out")
    spine_racks = [r for r in _racks(out) if r["roles"] == "spine"]
    assert len(spine_racks) == 2 and sum(int(r["devices"]) for r in spine_racks) == 16


@pytest.mark.parametrize("budget_kw", [25, 40])
def test_every_rack_within_the_power_budget(tmp_path, budget_kw):
    demand = designer.load_demand(ROOT / "examples" / "dgx-superpod-4su.yaml")
    demand = demand.with_site(rack_power_kw=budget_kw, nodes_per_rack=None)
    out = designer.design(demand).write(tmp_path / "out")
    racks = _racks(out)
    assert max(float(r["power_kw"]) for r in racks) <= budget_kw
    assert all(r["power_budget_kw"] == f"{budget_kw:g}" for r in racks)
    report = json.loads((out / "verification.json").read_text())
    assert next(c for c in report["checks"] if c["check"] == "rack power")["passed"]


def test_a_budget_below_one_switch_is_refused(tmp_path):
    demand = designer.load_demand(ROOT / "examples" / "training-1024.yaml")
    with pytest.raises(designer.InfeasibleError, match=r"site\.rack_power_kw: .* draws"):
        designer.design(demand.with_site(rack_power_kw=1).with_fabric("compute", server=None))


def test_servers_over_the_budget_are_an_input_error():
    demand = designer.load_demand(ROOT / "examples" / "dgx-superpod-4su.yaml")
    with pytest.raises(designer.InputError, match=r"draw more than site\.rack_power_kw: 20"):
        designer.design(demand.with_site(rack_power_kw=20))
