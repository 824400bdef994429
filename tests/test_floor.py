"""The floor model: rack placement, run lengths, and servers per rack from the power budget."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
from conftest import ROOT, solved_example

import designer
from designer.inputs.demand import Demand
from designer.inputs.schema import Site
from designer.outputs.floorplan import campus_plans
from designer.results.explain import binding_limits
from designer.site.grid import (
    GroupPlacement,
    Rack,
    campus_run_m,
    fabric_site,
    hall_position,
    hall_rows,
    in_rack_run_m,
    network_rows_at,
    node_leaf_m,
    run_m,
)
from designer.verify import verify


def test_runs_between_racks():
    site = Site()
    assert run_m(site, Rack(0, 3), Rack(0, 3)) == site.in_rack_m
    # 2 x 1.5 m drops + 2 rows x 2.4 m + 3 racks x 0.6 m + 1 m slack
    assert run_m(site, Rack(0, 0), Rack(2, 3)) == pytest.approx(3 + 4.8 + 1.8 + 1)


def test_top_of_rack_group_that_fits_one_rack_stays_in_the_rack():
    # from the node at U1 up to U42: 41 x 44.45 mm + the 1 m allowance
    assert node_leaf_m(Site(nodes_per_rack=4), rail_layout=False, group_nodes=4) == 2.822


def test_in_rack_runs_climb_from_each_node_to_the_top(tmp_path):
    """Each in-rack leg is measured from its node's rack unit: the top server of a rack gets a
    shorter run (and possibly a shorter cable) than the bottom one."""
    site = Site(nodes_per_rack=4)
    assert [in_rack_run_m(site, ru) for ru in (1, 5, 9, 13)] == [2.822, 2.645, 2.467, 2.289]
    demand = Demand.from_dict({"fabrics": [{
        "name": "rack", "nodes": 4, "endpoints_per_node": 1, "port_speed_gbps": 400,
        "protocol": "infiniband", "max_switch_hops": 1}]}, path="rack.yaml")
    result = designer.design(demand)
    result.write(tmp_path / "out")
    with open(tmp_path / "out" / "cabling.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(row["a_ru"], float(row["length_m"])) for row in rows} == {
        ("1", 2.822), ("5", 2.645), ("9", 2.467), ("13", 2.289)}


def test_rail_leaves_sit_in_a_network_rack_in_the_middle_of_the_group():
    site = Site(nodes_per_rack=4, racks_per_row=18)
    placement = GroupPlacement(site, 32, rail=True)       # 8 node racks + 1 network rack
    assert placement.slots == 9 and placement.per_row == 2 and not placement.packed
    assert placement.leaf_rack(0) == Rack(0, 4)
    assert {placement.node_rack(n).col for n in range(32)} == {0, 1, 2, 3, 5, 6, 7, 8}
    assert node_leaf_m(site, True, 32) == run_m(site, Rack(0, 4), Rack(0, 0))


@pytest.mark.parametrize(("group_nodes", "rail"), [(3, False), (6, True), (20, False),
                                                     (32, True), (90, True)])
def test_no_rack_position_is_left_empty(group_nodes, rail):
    """Groups that do not fill rows exactly follow one another rack by rack (a group may
    straddle two rows of the serpentine); every position up to the last group's is taken, no
    two groups share one, and the worst run over the group patterns bounds every group's."""
    site = Site(nodes_per_rack=4, racks_per_row=8)
    placement = GroupPlacement(site, group_nodes, rail)
    groups = 10
    taken = [placement.slot(g, k) for g in range(groups) for k in range(placement.slots)]
    assert len(set(taken)) == len(taken) == groups * placement.slots
    rows = max(r.row for r in taken) + 1
    assert rows == hall_rows(site, groups * group_nodes, group_nodes, rail)
    full_rows = {r.row for r in taken if r.row < rows - 1}
    assert all(sum(1 for r in taken if r.row == row) == 8 for row in full_rows)
    worst = placement.worst_node_leaf_m()
    for node in range(group_nodes * groups):
        run = run_m(site, placement.node_rack(node), placement.leaf_rack(node // group_nodes))
        assert run <= worst


def test_a_straddling_group_stands_back_to_back_across_the_aisle():
    site = Site(nodes_per_rack=4, racks_per_row=16)
    placement = GroupPlacement(site, 32, rail=True)       # 9 slots in rows of 16: packed
    assert placement.packed
    second = [placement.slot(1, k) for k in range(9)]     # positions 9..17: straddles
    assert second[:7] == [Rack(0, c) for c in range(9, 16)]
    assert second[7:] == [Rack(1, 15), Rack(1, 14)]       # the serpentine turns back
    rows, mid = network_rows_at(site, 1000, 32, True)
    assert rows == 18 and mid == 9  # a boundary no group straddles: one every 9 rows


def test_packed_units_give_the_textbook_fabric():
    """1,000 DGX H100, rail-optimized, rows of 16 racks: 32-node units (9 racks each) pack the
    rows and give 256 leaves, 256 spines and 128 cores, as rows of 18 do."""
    demand = designer.Demand.from_dict({"catalogs": ["nvidia-infiniband"], "fabrics": [{
        "name": "compute", "nodes": 1000, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "layout": "rail-optimized", "max_switch_hops": 5, "server": "DGX H100",
        "protocol": "infiniband"}]})
    for racks_per_row in (16, 18):
        result = designer.design(demand.with_site(racks_per_row=racks_per_row))
        assert result.fabrics[0].switches == {"leaf": {"MQM9790-NS2F": 256},
                                              "spine": {"MQM9790-NS2F": 256},
                                              "core": {"MQM9790-NS2F": 128}}


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


def test_the_explanation_names_what_the_floor_decided():
    """The power budget sets servers per rack, and so the racks a leaf group fills; a rack's
    units and power set how many racks the spines take."""
    demand = designer.load_demand(ROOT / "examples" / "dgx-superpod-4su.yaml")
    fabric = designer.design(demand.with_site(rack_power_kw=25, nodes_per_rack=None)).fabrics[0]
    why = " ".join(binding_limits(fabric, designer.load_catalog()))
    per_rack, group = fabric.site.nodes_per_rack, fabric.structure.group_nodes
    assert per_rack == 2  # 25 kW feeds two DGX of 10.2 kW
    assert (f"25 kW per rack (site.rack_power_kw) feeds 2 servers of 10.2 kW, so each leaf "
            f"group of {group} nodes fills {-(-group // per_rack)} racks") in why
    leaf = fabric.structure.leaf
    assert (f"stand in {leaf.spine_racks} racks, each leaf sending {leaf.spine_block} of its "
            "uplinks to each") in why


def test_a_budget_below_one_switch_is_refused(tmp_path):
    demand = designer.load_demand(ROOT / "examples" / "training-1024.yaml")
    with pytest.raises(designer.InfeasibleError, match=r"site\.rack_power_kw: .* draws"):
        designer.design(demand.with_site(rack_power_kw=1).with_fabric("compute", server=None))


def test_servers_over_the_budget_are_an_input_error():
    demand = designer.load_demand(ROOT / "examples" / "dgx-superpod-4su.yaml")
    with pytest.raises(designer.InputError, match=r"draw more than site\.rack_power_kw: 20"):
        designer.design(demand.with_site(rack_power_kw=20))


def test_runs_across_halls_of_a_campus():
    """Halls stand side by side along the rows: rows count on from hall to hall, and a run
    that leaves its hall crosses the gap between them."""
    site = Site(rows_per_hall=10)
    assert run_m(site, Rack(3, 2), Rack(7, 5)) == run_m(Site(), Rack(3, 2), Rack(7, 5))
    # hall 1 row 9, rack 16 to hall 2 row 1, rack 1: 1 row apart within the halls, and along
    # the rows the rest of hall 1's row is passed over: 29.6 m - 15 x 0.6 m
    assert run_m(site, Rack(9, 15), Rack(10, 0)) == pytest.approx(3 + 20.6 + 9 * 2.4 + 1)
    assert hall_position(site, Rack(23, 4)) == (2, "row04", "row04-rack05")


def test_a_fabric_larger_than_a_hall_spans_halls(tmp_path):
    """More rows than ``rows_per_hall``: the nodes and leaves fill halls one after another;
    the pod spines and cores stand in network halls of their own in the middle of them, and
    every run above the leaf is measured on the campus, within the length it was priced for."""
    result = design_of(tmp_path, """\
catalogs: [nvidia-infiniband]
site: {rows_per_hall: 6}
fabrics:
  - {name: big, nodes: 4096, endpoints_per_node: 1, port_speed_gbps: 400,
     max_switch_hops: 5, layout: tor}
""")
    fabric = result.fabrics[0]
    assert fabric.structure.tiers == 3
    out = tmp_path / "out"
    result.write(out)  # verified: positions, rack space, reach
    with open(out / "racks.csv", newline="", encoding="utf-8") as handle:
        racks = list(csv.DictReader(handle))
    halls = {rack["hall"] for rack in racks}
    assert len(halls) > 2 and all(hall.startswith("hall1-") for hall in halls)
    for hall in halls:
        rows = {rack["row"] for rack in racks if rack["hall"] == hall}
        assert len(rows) <= 6, (hall, rows)
    with open(out / "cabling.csv", newline="", encoding="utf-8") as handle:
        upper = [row for row in csv.DictReader(handle) if row["a_role"] != "node"]
    network_halls = {row["z_hall"] for row in upper}
    node_halls = {rack["hall"] for rack in racks if "node" in rack["roles"]}
    first, last = min(node_halls), max(node_halls)
    assert all(first < hall < last for hall in network_halls)  # between the node halls
    for cls, ends in (("leaf-spine", ("leaf", "spine")), ("spine-core", ("spine", "core"))):
        runs = [float(row["length_m"]) for row in upper
                if (row["a_role"], row["z_role"]) == ends]
        assert max(runs) <= fabric.lengths_m[cls]
    halls_of_racks = len(halls)
    why = " ".join(binding_limits(fabric, result.catalog))
    assert f"spreads the fabric over {halls_of_racks} halls" in why
    assert not network_halls & node_halls  # network rows fill halls of their own


def test_a_hall_holds_the_rows_its_power_feeds(tmp_path):
    """``hall_power_kw`` caps the rows of a hall at what it feeds with every rack position at
    ``rack_power_kw``; the verifier checks every hall against it, and catches a hall over it."""
    result = design_of(tmp_path, """\
catalogs: [nvidia-infiniband]
site: {rack_power_kw: 40, hall_power_kw: 3200}
fabrics:
  - {name: big, nodes: 1024, endpoints_per_node: 1, port_speed_gbps: 400,
     max_switch_hops: 5, layout: tor}
""")
    assert result.fabrics[0].site.rows_per_hall == 5  # 3,200 kW / (16 racks x 40 kW)
    out = result.write(tmp_path / "out")
    racks = _racks(out)
    per_hall = Counter(rack["hall"] for rack in racks)
    assert len(per_hall) > 2 and max(per_hall.values()) == 5 * 16
    checks = json.loads((out / "verification.json").read_text())["checks"]
    assert next(c for c in checks if c["check"] == "hall power")["passed"]
    # the report draws the campus at a glance: every hall, every row of racks
    campus = campus_plans(out / "racks.csv", result.demand.site)
    assert [(p["campus"], p["halls"], p["racks"]) for p in campus] == [
        ("hall1", len(per_hall), len(racks))]
    rows = {(r["hall"], r["row"]) for r in racks}
    assert campus[0]["svg"].count("<rect") == len(per_hall) + len(rows)
    assert "<h3>Campus hall1</h3>" in (out / "report.html").read_text()
    design = json.loads((out / "design.json").read_text())
    design["site"]["hall_power_kw"] = 3000  # a planted lie: 80 racks at 40 kW need 3,200 kW
    (out / "design.json").write_text(json.dumps(design))
    failed = {c.name: c for c in verify(out, raise_on_failure=False).failures}
    assert "3,200 kW, over the 3000 kW it feeds" in failed["hall power"].detail


def test_two_tier_runs_across_halls_are_measured_one_by_one(tmp_path):
    """A 2-tier fabric on more rows than a hall holds: every leaf-spine run is measured across
    the halls it crosses, and the cord laid is the one the optimizer priced."""
    result = design_of(tmp_path, """\
catalogs: [nvidia-infiniband]
site: {rows_per_hall: 4}
fabrics:
  - {name: wide, nodes: 2048, endpoints_per_node: 1, port_speed_gbps: 400,
     max_switch_hops: 3, layout: tor}
""")
    out = tmp_path / "out"
    result.write(out)
    site = result.fabrics[0].site
    with open(out / "cabling.csv", newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["z_role"] == "spine"]
    crossing = [r for r in rows if r["a_hall"] != r["z_hall"]]
    assert crossing and len({r["a_hall"] for r in rows}) > 2
    for row in crossing[:200]:
        a_hall = int(row["a_hall"].rsplit("-", 1)[1]) - 1
        z_hall = int(row["z_hall"].rsplit("-", 1)[1]) - 1
        a_row, a_col = (int(x) for x in re.findall(r"\d+", row["a_rack"]))
        z_row, z_col = (int(x) for x in re.findall(r"\d+", row["z_rack"]))
        assert float(row["length_m"]) == campus_run_m(site, z_hall - a_hall, z_row - a_row,
                                                      z_col - a_col)


def test_half_a_million_gpus_design_on_the_default_site():
    """524,288 GPUs need 1,000+ rows: in one hall their runs would exceed every optic's reach;
    on the default site they span 16 halls with the pod spines and cores in a hall of their own
    between them: the farthest leaf is 8 halls and 63 rows from its pod's spines, the pod spine
    and core racks fill 48 rows, each class within its medium's reach. (Writing and verifying
    its 1.5 million cable legs takes minutes, see the README; here the design.)"""
    demand = designer.Demand.from_dict({"fabrics": [{
        "name": "backend", "nodes": 65536, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "max_oversubscription": 1, "max_switch_hops": 5}]})
    fabric = designer.design(demand).fabrics[0]
    assert fabric.structure.tiers == 3 and fabric.solve.optimal
    site = fabric.site
    rows = hall_rows(site, 65536, fabric.structure.group_nodes, fabric.structure.shape.rail)
    assert -(-rows // site.rows_per_hall) == 16
    assert fabric.lengths_m["leaf-spine"] == campus_run_m(site, 8, 63, 15) == 401.0
    assert fabric.lengths_m["spine-core"] == campus_run_m(site, 0, 47, 15) == 125.8
    reach = {cls: medium.reach_m for cls, medium in fabric.structure.media.items()}
    assert all(fabric.lengths_m[cls] <= reach[cls] for cls in reach)
