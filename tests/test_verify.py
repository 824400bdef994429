"""The independent verifier catches every planted fault, and passes what the tool writes."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from test_textbook import demand_for, k_port_catalog

import designer
from designer.inputs.demand import Demand
from designer.verify import VerificationError, port_index, verify


@pytest.fixture
def outdir(tmp_path) -> Path:
    """A written 2-tier fat tree of 8-port switches: 8 leaves, 4 spines, 32 endpoints."""
    result = designer.design(demand_for(32, hops=3), k_port_catalog(8))
    return result.write(tmp_path / "out")


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def rewrite(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def failed_checks(outdir: Path) -> set[str]:
    return {c.name for c in verify(outdir, raise_on_failure=False).failures}


def uplinks(rows):
    return [r for r in rows if r["a_role"] == "leaf"]


def test_a_written_design_passes(outdir):
    report = verify(outdir)
    assert report.passed
    assert report.figures["fat-tree"]["worst_switch_hops"] == 3
    assert report.figures["fat-tree"]["bisection_by_nodes_gbps"] == 16 * 400


def test_overfull_switch(outdir):
    rows = rows_of(outdir / "cabling.csv")
    uplinks(rows)[0]["z_port"] = "p9"
    rewrite(outdir / "cabling.csv", rows)
    assert "ports" in failed_checks(outdir)
    with pytest.raises(VerificationError, match="beyond its radix 8"):
        verify(outdir)


def test_port_used_twice(outdir):
    rows = rows_of(outdir / "cabling.csv")
    first, second = uplinks(rows)[:2]
    second["a_port"] = first["a_port"]
    rewrite(outdir / "cabling.csv", rows)
    assert "ports" in failed_checks(outdir)


def test_missing_uplink(outdir):
    rows = rows_of(outdir / "cabling.csv")
    rows.remove(uplinks(rows)[0])
    rewrite(outdir / "cabling.csv", rows)
    assert {"striping", "links", "oversubscription", "bill of materials"} <= failed_checks(outdir)


def test_leaf_without_uplinks_breaks_hops_and_bisection(outdir):
    rows = rows_of(outdir / "cabling.csv")
    cut_off = uplinks(rows)[0]["a_device"]
    rows = [r for r in rows if not (r["a_role"] == "leaf" and r["a_device"] == cut_off)]
    rewrite(outdir / "cabling.csv", rows)
    failed = failed_checks(outdir)
    assert {"hops", "bisection"} <= failed


def test_splitter_with_its_wide_end_at_either_switch_counts_per_cage(outdir):
    from designer.verify import _count_parts, _FabricState

    state = _FabricState({"roles": {"leaf": {"cage_ports": 2}, "spine": {"cage_ports": 1}}})
    parts = {"SPL": {"cable_kind": "dac", "links": 2}}
    for lane, spine in ((1, "s1"), (2, "s2")):
        row = {"part": "SPL", "a_port": f"p3/{lane}", "z_port": "p7", "a_role": "leaf",
               "z_role": "spine", "cable_id": "c", "a_transceiver": "", "z_transceiver": ""}
        _count_parts(state, row, parts, ("leaf1", 3), (spine, 7))
    assert state.wide_cages == {("leaf1", 3, "SPL")}


def test_cable_too_long(outdir):
    rows = rows_of(outdir / "cabling.csv")
    rows[5]["length_m"] = "750"
    rewrite(outdir / "cabling.csv", rows)
    assert failed_checks(outdir) == {"reach"}


def test_uneven_striping(outdir):
    """Leaf A's link to spine 2 and leaf B's link to spine 1 trade spine ends: every port is
    still used once, but A now has two links to spine 1 and B two to spine 2."""
    rows = rows_of(outdir / "cabling.csv")
    links = uplinks(rows)
    leaf_a, spine_1 = links[0]["a_device"], links[0]["z_device"]
    a_to_2 = next(r for r in links if r["a_device"] == leaf_a and r["z_device"] != spine_1)
    b_to_1 = next(r for r in links if r["a_device"] != leaf_a and r["z_device"] == spine_1)
    for key in ("z_device", "z_port"):
        a_to_2[key], b_to_1[key] = b_to_1[key], a_to_2[key]
    rewrite(outdir / "cabling.csv", rows)
    failed = failed_checks(outdir)
    assert "striping" in failed
    assert "ports" not in failed


def test_unconnected_endpoint(outdir):
    rows = rows_of(outdir / "cabling.csv")
    rows = [r for r in rows if not (r["a_device"] == "n0007" and r["a_port"] == "nic1")]
    rewrite(outdir / "cabling.csv", rows)
    assert "endpoints" in failed_checks(outdir)


def test_bom_that_does_not_match_the_topology(outdir):
    rows = rows_of(outdir / "bom.csv")
    rows[0]["quantity"] = str(int(rows[0]["quantity"]) + 1)
    rewrite(outdir / "bom.csv", rows)
    assert failed_checks(outdir) == {"bill of materials"}


def test_a_failing_design_is_never_written(tmp_path, monkeypatch):
    import designer.outputs.cabling as cabling

    original = cabling.port_name
    monkeypatch.setattr(cabling, "port_name", lambda index, cage: original(1, cage))
    result = designer.design(demand_for(32, hops=3), k_port_catalog(8))
    with pytest.raises(VerificationError):
        result.write(tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("port", "cage_ports", "expected"),
                         [("p17", 1, (17, 17)), ("p9/2", 2, (18, 9)), ("p1/1", 4, (1, 1))])
def test_port_names(port, cage_ports, expected):
    assert port_index(port, cage_ports) == expected


# --------------------------------------------------------------------------------------------
# Where devices stand: positions, rack units, rack power, racks.csv


def test_racks_are_checked_and_pass(outdir):
    checks = {c.name: c for c in verify(outdir).checks if c.fabric == "all"}
    assert {"positions", "rack space", "rack power", "racks.csv"} <= set(checks)
    assert all(c.passed for c in checks.values())


def test_a_device_without_a_position(outdir):
    rows = rows_of(outdir / "cabling.csv")
    rows[0]["a_hall"] = ""
    rewrite(outdir / "cabling.csv", rows)
    assert "positions" in failed_checks(outdir)


def test_a_device_in_two_places(outdir):
    rows = rows_of(outdir / "cabling.csv")
    device = rows[0]["z_device"]
    moved = next(r for r in rows[1:] if r["z_device"] == device)
    moved["z_rack"] = "row09-rack09"
    rewrite(outdir / "cabling.csv", rows)
    assert "positions" in failed_checks(outdir)


def test_two_devices_on_one_rack_unit(outdir):
    rows = rows_of(outdir / "cabling.csv")
    node = rows[0]  # a node (bottom unit) and its leaf (top unit), in one rack or two
    leaf_rows = [r for r in rows if r["z_device"] == node["z_device"]]
    for row in leaf_rows:  # put the leaf on the node's units
        row["z_hall"], row["z_row"], row["z_rack"] = node["a_hall"], node["a_row"], node["a_rack"]
        row["z_ru"] = node["a_ru"]
    for row in rows:
        if row["a_device"] == node["z_device"]:
            row["a_hall"], row["a_row"], row["a_rack"], row["a_ru"] = (
                node["a_hall"], node["a_row"], node["a_rack"], node["a_ru"])
    rewrite(outdir / "cabling.csv", rows)
    assert "rack space" in failed_checks(outdir)


def test_a_switch_above_the_rack(outdir):
    rows = rows_of(outdir / "cabling.csv")
    spine = next(r for r in rows if r["z_role"] == "spine")["z_device"]
    for row in rows:
        if row["z_device"] == spine:
            row["z_ru"] = "43"
    rewrite(outdir / "cabling.csv", rows)
    assert "rack space" in failed_checks(outdir)


def test_a_rack_over_its_power_budget(outdir):
    design = json.loads((outdir / "design.json").read_text())
    design["site"]["rack_power_kw"] = 0.001
    for part in design["parts"].values():
        part["power_w"] = part.get("power_w") or 10.0
    (outdir / "design.json").write_text(json.dumps(design))
    assert "rack power" in failed_checks(outdir)


def test_a_leaf_that_cuts_off_more_gpus_than_the_blast_radius_allows(outdir):
    """The plan's top-of-rack leaves each take every port of their servers: a demand that
    allowed fewer GPUs behind one switch than a leaf holds is caught from the files."""
    assert "blast radius" not in {c.name for c in verify(outdir).checks}  # no limit: no check
    design = json.loads((outdir / "design.json").read_text())
    design["fabrics"][0]["limits"]["max_gpus_cut_per_switch"] = 1
    (outdir / "design.json").write_text(json.dumps(design))
    report = verify(outdir, raise_on_failure=False)
    (check,) = [c for c in report.failures if c.name == "blast radius"]
    assert "over the limit of 1" in check.detail


def test_racks_csv_that_disagrees_with_the_cabling(outdir):
    rows = rows_of(outdir / "racks.csv")
    rows[0]["devices"] = str(int(rows[0]["devices"]) + 1)
    rewrite(outdir / "racks.csv", rows)
    assert failed_checks(outdir) == {"racks.csv"}


def test_a_tall_switch_is_counted_up_from_its_rack_unit(outdir):
    """The plan's rack unit is a device's lowest: a 2U spine written at U42 sticks out of a
    42U rack (read as a top unit, it would seem to fit)."""
    design = json.loads((outdir / "design.json").read_text())
    spine = design["fabrics"][0]["roles"]["spine"]["model"]
    design["parts"][spine]["rack_units"] = 2
    (outdir / "design.json").write_text(json.dumps(design))
    rows = rows_of(outdir / "cabling.csv")
    first = next(r for r in rows if r["z_role"] == "spine")
    for row in rows:  # that spine stands alone in a rack, at U42
        if row["z_device"] == first["z_device"]:
            row["z_rack"], row["z_ru"] = "row99-rack01", "42"
    rewrite(outdir / "cabling.csv", rows)
    problems = [c.detail for c in verify(outdir, raise_on_failure=False).failures
                if c.name == "rack space"]
    assert problems and "U42-U43, outside the 42U rack" in problems[0]


def test_nics_left_off_the_bill_for_a_server_that_does_not_include_them(outdir):
    """A design that claims its NICs come with the servers while the server it names bills
    them (or no server is named) is caught, and so is the bill that no longer adds up."""
    design = json.loads((outdir / "design.json").read_text())
    design["fabrics"][0]["nic"]["in_server_price"] = True
    (outdir / "design.json").write_text(json.dumps(design))
    assert failed_checks(outdir) == {"endpoints", "bill of materials"}
    design["fabrics"][0]["server"] = {"model": "X", "nics_included": True}
    (outdir / "design.json").write_text(json.dumps(design))
    assert failed_checks(outdir) == {"bill of materials"}  # the NIC line is still on bom.csv


def test_a_bill_whose_power_is_not_the_parts_power(outdir):
    """bom.csv's total power must be the parts' power recounted from the cabling, each module
    once: a bill that adds 15 W (a module counted again) is caught. (The examples, verified on
    every run, exercise the module-in-a-switch-cage rule with real part power.)"""
    rows = rows_of(outdir / "bom.csv")
    total = next(r for r in rows if r["fabric"] == "TOTAL")
    total["extended_power_w"] = f"{float(total['extended_power_w'] or 0) + 15:.2f}"
    rewrite(outdir / "bom.csv", rows)
    assert failed_checks(outdir) == {"bill of materials"}


def test_splitter_legs_share_one_cable_id(tmp_path):
    """A breakout cable is one cable_id with legs: 16 servers of 8 x 400G on one 51.2T switch
    are 128 cabling rows and 112 cables (16 splitters of two legs into the nearest servers'
    ConnectX-7 ports, 96 fibers), as the cable order counts them."""
    catalog = designer.load_catalog(["ai-ethernet"])
    demand = Demand.from_dict({"fabrics": [{
        "name": "b", "nodes": 16, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "protocol": "ethernet", "nic_models": ["MCX715105AS-WEAT"]}]}, path="splitters.yaml")
    out = designer.design(demand, catalog).write(tmp_path / "out")
    rows = rows_of(out / "cabling.csv")
    ids = {r["cable_id"] for r in rows}
    assert (len(rows), len(ids)) == (128, 112)
    splitters = [r for r in rows if r["part"].startswith("MCP7Y10")]
    assert len(splitters) == 32 and sorted({r["leg"] for r in splitters}) == ["1", "2"]
    order = rows_of(out / "cable-order.csv")
    assert sum(int(r["quantity"]) for r in order if r["kind"] == "cable") == 112
    assert verify(out).passed


def test_a_cable_id_given_twice_or_a_leg_given_an_id_of_its_own(outdir):
    rows = rows_of(outdir / "cabling.csv")
    rows[1]["cable_id"] = rows[0]["cable_id"]  # two plain cables under one id
    rewrite(outdir / "cabling.csv", rows)
    assert "cable ids" in failed_checks(outdir)


def _two_planes_on_dual_port_cards(tmp_path) -> Path:
    """8 servers x 2 GPUs x 2 planes of 400G on dual-port cards, 8-port switches."""
    catalog = k_port_catalog(8)
    nic = catalog.nics["NIC"].model_copy(update={"model": "NIC2", "ports": 2})
    catalog = replace(catalog, nics=MappingProxyType({"NIC2": nic}))
    demand = Demand.from_dict({"fabrics": [{
        "name": "planes", "nodes": 8, "endpoints_per_node": 2, "planes": 2,
        "port_speed_gbps": 400, "max_switch_hops": 3}]}, path="planes.yaml")
    return designer.design(demand, catalog).write(tmp_path / "out")


def test_each_gpu_has_one_card_with_a_port_per_plane(tmp_path):
    out = _two_planes_on_dual_port_cards(tmp_path)
    rows = [r for r in rows_of(out / "cabling.csv") if r["a_role"] == "node"]
    by_gpu = {}
    for r in rows:
        by_gpu.setdefault((r["a_device"], r["rail"]), set()).add((r["card"], r["card_port"],
                                                                  r["plane"]))
    assert len(by_gpu) == 16
    for (_, rail), ports in by_gpu.items():
        assert ports == {(f"card{rail}", "1", "1"), (f"card{rail}", "2", "2")}
    assert verify(out).passed
    every = rows_of(out / "cabling.csv")  # a GPU's planes put on two cards
    next(r for r in every if r["a_role"] == "node" and r["plane"] == "2")["card"] = "card9"
    rewrite(out / "cabling.csv", every)
    assert failed_checks(out) == {"cards"}


def test_a_card_port_cabled_twice_or_beyond_the_card(outdir):
    rows = rows_of(outdir / "cabling.csv")
    nodes = [r for r in rows if r["a_role"] == "node"]
    nodes[1]["a_device"], nodes[1]["card"] = nodes[0]["a_device"], nodes[0]["card"]
    rewrite(outdir / "cabling.csv", rows)
    assert "cards" in failed_checks(outdir)
    rows = rows_of(outdir / "cabling.csv")
    next(r for r in rows if r["a_role"] == "node")["card_port"] = "2"  # a 1-port card
    rewrite(outdir / "cabling.csv", rows)
    assert "cards" in failed_checks(outdir)


def test_a_card_its_slot_cannot_feed_or_more_cards_than_slots(tmp_path):
    """Two single-port 400G Gen5 cards per server fit 2 slots; the verifier fails the same
    plan when design.json's server has Gen4 slots (the link feeds 200 Gb/s) or one slot."""
    from conftest import ROOT

    catalog = designer.load_catalog(["ai-ethernet"])
    server = catalog.servers["SYS-A22GA-NBRT"].model_copy(update={"pcie_gen": 5,
                                                                   "nic_slots": 2})
    catalog = replace(catalog, servers=MappingProxyType({server.model: server}))
    demand = Demand.from_dict({"fabrics": [{
        "name": "backend", "nodes": 4, "endpoints_per_node": 2, "port_speed_gbps": 400,
        "protocol": "ethernet", "server": server.model, "nic_models": ["MCX715105AS-WEAT"]}]},
        path=str(ROOT / "slots.yaml"))
    out = designer.design(demand, catalog).write(tmp_path / "out")
    assert verify(out).passed
    design = json.loads((out / "design.json").read_text())
    design["fabrics"][0]["server"]["pcie_gen"] = 4
    (out / "design.json").write_text(json.dumps(design))
    assert failed_checks(out) == {"nic slots"}
    design["fabrics"][0]["server"].update(pcie_gen=5, nic_slots=1)
    (out / "design.json").write_text(json.dumps(design))
    assert failed_checks(out) == {"nic slots"}
