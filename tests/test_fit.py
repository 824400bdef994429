"""Parts mate: a cord is laid only on modules whose connector it has, and a module carrying
several links on one connector brings the harness that fans it out (billed, cabled, verified).

The optimum with these rules equals the exhaustive enumeration (``tests/reference.py``
applies them independently).
"""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from types import MappingProxyType

import pytest
from reference import cheapest_design
from test_textbook import k_port_catalog

import designer
from designer.inputs.demand import Demand
from designer.verify import verify

HARNESS = "MPO-12/APC to 4 x LC/UPC OS2 harness 1 m"
XDR4 = "QDD-400G-XDR4"


def _inference(nodes: int, hops: int = 1) -> Demand:
    """``nodes`` servers with 2 x 100G (on one switch: runs long enough for optics)."""
    return Demand.from_dict({"fabrics": [{
        "name": "inf", "nodes": nodes, "endpoints_per_node": 2, "port_speed_gbps": 100,
        "max_switch_hops": hops}]}, path="inference.yaml")


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rewrite(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def frontend():
    return designer.load_catalog(["frontend-ethernet"])


@pytest.mark.parametrize("nodes", [48, 64])
def test_a_module_fanned_out_to_four_links_brings_its_harness(frontend, nodes, tmp_path):
    demand = _inference(nodes)
    result = designer.design(demand, frontend)
    fabric = result.fabrics[0]
    expected = cheapest_design(demand.fabrics[0], demand.site, frontend)
    assert math.isclose(fabric.cost_usd, expected.cost_usd, abs_tol=1e-6)
    count = {p.model: p.quantity for p in fabric.parts}
    assert count[XDR4] > 0 and count[HARNESS] == count[XDR4]  # one MPO-12 per module
    out = result.write(tmp_path / "out")
    legs = [r for r in _rows(out / "cabling.csv") if r["harness"]]
    assert len(legs) == 4 * count[XDR4] and {r["part"][:5] for r in legs} == {"LC-LC"}
    order = {r["part"]: int(r["quantity"]) for r in _rows(out / "cable-order.csv")}
    assert order[HARNESS] == count[XDR4]


@pytest.mark.slow
def test_without_a_harness_the_module_is_not_offered(frontend):
    """Take the harness out of the catalog: the four-link module can no longer be cabled, and
    the optimum (the enumeration's too) does without it, at a higher price (in two tiers: no
    one switch can reach 96 ports without it)."""
    cables = {m: c for m, c in frontend.cables.items() if c.kind != "harness"}
    bare = replace(frontend, cables=MappingProxyType(cables))
    demand = _inference(48, hops=3)
    with pytest.raises(designer.InfeasibleError,
                       match=f"{XDR4} carries 4 links on each MPO-12/APC connector and no "
                             "catalog harness fans it out"):
        designer.design(_inference(48), bare)
    fabric = designer.design(demand, bare).fabrics[0]
    assert XDR4 not in {p.model for p in fabric.parts}
    expected = cheapest_design(demand.fabrics[0], demand.site, bare)
    assert math.isclose(fabric.cost_usd, expected.cost_usd, abs_tol=1e-6)
    assert fabric.cost_usd > designer.design(demand, frontend).fabrics[0].cost_usd


def _connector_catalog():
    """The textbook catalog with APC optics, a cheap UPC cord and a dear APC one."""
    catalog = k_port_catalog(8)
    optic = catalog.transceivers["SR4"].model_copy(update={"connector": "MPO-12/APC"})
    fiber = catalog.cables["FIBER"]
    upc = fiber.model_copy(update={"model": "UPC", "connector": "MPO-12/UPC", "price_usd": 10})
    apc = fiber.model_copy(update={"model": "APC", "connector": "MPO-12/APC", "price_usd": 90})
    return replace(catalog, transceivers=MappingProxyType({"SR4": optic}),
                   cables=MappingProxyType({"UPC": upc, "APC": apc}))


def test_a_cord_that_does_not_mate_is_never_laid(tmp_path):
    catalog = _connector_catalog()
    demand = Demand.from_dict({"fabrics": [{
        "name": "fat-tree", "nodes": 32, "endpoints_per_node": 1, "port_speed_gbps": 400,
        "max_switch_hops": 3}]}, path="textbook.yaml")
    result = designer.design(demand, catalog)
    fabric = result.fabrics[0]
    cords = {p.model for p in fabric.parts if p.kind == "cables"}
    assert cords == {"APC"}
    expected = cheapest_design(demand.fabrics[0], demand.site, catalog)
    assert math.isclose(fabric.cost_usd, expected.cost_usd, abs_tol=1e-6)
    out = result.write(tmp_path / "out")
    assert verify(out).passed


def test_the_verifier_catches_a_missing_harness_and_a_cord_that_does_not_mate(frontend,
                                                                             tmp_path):
    out = designer.design(_inference(48), frontend).write(tmp_path / "out")
    rows = _rows(out / "cabling.csv")
    next(r for r in rows if r["harness"])["harness"] = ""
    _rewrite(out / "cabling.csv", rows)
    failed = {c.name for c in verify(out, raise_on_failure=False).failures}
    assert "connectors" in failed
    rows = _rows(out / "cabling.csv")
    for r in rows:
        if r["harness"]:
            r["part"] = "MPO-12/APC OS2 12-fiber 10 m"  # MPO on the harness's LC legs
            break
    _rewrite(out / "cabling.csv", rows)
    failed = {c.name for c in verify(out, raise_on_failure=False).failures}
    assert "connectors" in failed


def test_a_module_no_cord_mates_is_named_when_nothing_fits():
    """Optics on LC and only MPO cords: nothing can be cabled, and the reason says which
    module lacks a cord with its connector."""
    catalog = _connector_catalog()
    optic = catalog.transceivers["SR4"].model_copy(update={"connector": "LC/UPC"})
    catalog = replace(catalog, transceivers=MappingProxyType({"SR4": optic}))
    demand = Demand.from_dict({"fabrics": [{
        "name": "fat-tree", "nodes": 32, "endpoints_per_node": 1, "port_speed_gbps": 400,
        "max_switch_hops": 3}]}, path="textbook.yaml")
    assert cheapest_design(demand.fabrics[0], demand.site, catalog) is None
    with pytest.raises(designer.InfeasibleError,
                       match="no smf fiber cord in the catalogs has SR4's LC/UPC connector"):
        designer.design(demand, catalog)


def test_no_card_its_slots_can_feed_is_said_card_by_card():
    """Two planes of 400G per GPU on a Gen5 server with 8 NIC slots: the dual-port 800G
    card's link feeds 400 Gb/s, the single-port cards need 16 slots; the error names each."""
    catalog = designer.load_catalog(["ai-ethernet"])
    server = catalog.servers["SYS-A22GA-NBRT"].model_copy(update={"pcie_gen": 5,
                                                                   "nic_slots": 8})
    catalog = replace(catalog, servers=MappingProxyType({server.model: server}))
    demand = Demand.from_dict({"fabrics": [{
        "name": "backend", "nodes": 4, "endpoints_per_node": 8, "planes": 2,
        "port_speed_gbps": 400, "protocol": "ethernet", "server": server.model}]},
        path="planes.yaml")
    with pytest.raises(designer.InfeasibleError) as error:
        designer.design(demand, catalog)
    text = str(error.value)
    assert "no NIC card fits SYS-A22GA-NBRT (PCIe Gen5, 8 slots)" in text
    assert "900-9X81Q-00CN-ST0 would carry 800 Gb/s on a link that feeds 400 Gb/s" in text
    assert "MCX715105AS-WEAT needs 16 cards per server, SYS-A22GA-NBRT has 8 slots" in text
    one_plane = demand.fabrics[0].model_copy(update={"planes": 1})
    fabric = designer.design(Demand.from_dict({"fabrics": [one_plane.model_dump(
        exclude_none=True)]}, path="one.yaml"), catalog).fabrics[0]
    assert fabric.to_dict()["nic"]["per_node"] <= 8


def _shared_slots(slots: int) -> tuple:
    catalog = designer.load_catalog(["ai-ethernet", "frontend-ethernet"])
    server = catalog.servers["SYS-A22GA-NBRT"].model_copy(update={"nic_slots": slots})
    catalog = replace(catalog, servers=MappingProxyType({server.model: server}))
    demand = Demand.from_dict({
        "site": {"nodes_per_rack": 2},
        "server_groups": [{"name": "hgx", "nodes": 4, "server": server.model}],
        "fabrics": [{"name": "backend", "servers": "hgx", "endpoints_per_node": 8,
                     "port_speed_gbps": 400, "protocol": "ethernet",
                     "nic_models": ["MCX715105AS-WEAT"]},
                    {"name": "frontend", "kind": "frontend", "servers": "hgx",
                     "endpoints_per_node": 1, "port_speed_gbps": 100}]}, path="shared.yaml")
    return demand, catalog


def test_the_fabrics_on_one_server_fit_its_slots_together():
    """Eight backend cards fit eight slots, and so does the frontend's one card, alone; on the
    same servers they need nine, which is refused with both counts."""
    demand, catalog = _shared_slots(9)
    result = designer.design(demand, catalog)
    assert [f.to_dict()["nic"]["per_node"] for f in result.fabrics] == [8, 1]
    demand, catalog = _shared_slots(8)
    with pytest.raises(designer.InfeasibleError,
                       match="SYS-A22GA-NBRT has 8 NIC slots, its fabrics buy 9 cards per "
                             "server \\('backend' 8, 'frontend' 1\\)"):
        designer.design(demand, catalog)
