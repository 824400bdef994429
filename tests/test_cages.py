"""Every part plugs into the cage it sits in: form factor, top, lane rate and lanes, vendor
coding; a link's two modules share their optical lane rate (issue 14).

The optimum with these rules equals the exhaustive enumeration (``tests/reference.py`` applies
them independently), the verifier reads them back from the written files, and a fabric nothing
can cable says which ends do not fit and which catalog parts would.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from types import MappingProxyType

import pytest
from instances import small_instances, with_cages, with_server
from pydantic import ValidationError
from reference import cheapest_design

import designer
from designer.inputs.demand import Demand
from designer.inputs.schema import Cable, Cage, Transceiver
from designer.model.candidates import undominated_modes, usable_modes
from designer.model.fit import Plug, plug_problem, takes_all_of
from designer.verify import verify

QSFP112_NIC = Cage(form_factor="QSFP112", lanes=4, lane_gbps=100, coding=("NVIDIA",))
SN5400_CAGE = Cage(form_factor="QSFP-DD", lanes=8, lane_gbps=50, coding=("NVIDIA",))


@pytest.mark.parametrize("plug, cage, problem", [
    (Plug("QSFP112", None, 100, 4, "NVIDIA"), QSFP112_NIC, None),
    (Plug("QSFP28", None, 25, 4, None), QSFP112_NIC, None),  # the smaller QSFP fits
    (Plug("OSFP", "flat", 100, 4, "NVIDIA"), QSFP112_NIC, "a OSFP part in a QSFP112 cage"),
    (Plug("QSFP-DD", None, 50, 8, "NVIDIA"), QSFP112_NIC, "a QSFP-DD part in a QSFP112 cage"),
    (Plug("QSFP112", None, 100, 4, "NVIDIA"), SN5400_CAGE, "100G lanes in a cage of 50G"),
    (Plug("QSFP112", None, 100, 4, "Cisco"), QSFP112_NIC, "Cisco coding in a cage that takes"),
    (Plug("QSFP112", None, 100, 4, None), QSFP112_NIC, None),  # coded to order
    (Plug("OSFP", "finned", 100, 8, None),
     Cage(form_factor="OSFP", top="flat", lanes=8, lane_gbps=100), "a finned-top part"),
    (Plug("OSFP", None, 50, 16, None), Cage(form_factor="OSFP", lanes=8, lane_gbps=100),
     "16 lanes in a cage of 8"),
    (Plug("OSFP", "finned", 100, 8, "Arista"), None, None),  # a cage that says nothing
])
def test_a_part_plugs_into_a_cage_only_where_every_fact_agrees(plug, cage, problem):
    found = plug_problem(plug, cage)
    assert (found is None) if problem is None else problem in found


def test_a_cage_that_takes_more_dominates_only_where_it_takes_everything():
    open_cage = Cage(form_factor="QSFP-DD", lanes=8, lane_gbps=50)
    assert takes_all_of(open_cage, SN5400_CAGE) and not takes_all_of(SN5400_CAGE, open_cage)
    assert not takes_all_of(QSFP112_NIC, SN5400_CAGE)  # fewer lanes, though faster ones
    assert takes_all_of(None, QSFP112_NIC) and not takes_all_of(QSFP112_NIC, None)


def test_a_switch_whose_cages_take_other_parts_is_kept_beside_a_cheaper_one():
    """SN5400 (NVIDIA coding) is cheaper than the Arista 7060DX5, but their cages take other
    parts, so both stay; the white box (any coding) replaces the dearer SN5600."""
    catalog = designer.load_catalog(["ai-ethernet", "frontend-ethernet"])
    demand = Demand.from_dict({"fabrics": [{"name": "b", "nodes": 64, "endpoints_per_node": 8,
                                            "port_speed_gbps": 400, "protocol": "ethernet"}]},
                              path="b.yaml")
    kept = {m.key for m in undominated_modes(usable_modes(demand.fabrics[0], catalog))}
    assert {"SN5400@400x64", "DCS-7060DX5-64S@400x64", "N9600-64OD@400x128"} <= kept
    assert "SN5600@400x128" not in kept


def test_older_catalogs_keep_their_form_factor_text():
    """``form_factor: OSFP twin-port finned (2xSR4)`` reads as OSFP with that description;
    text that names no form factor is a clear error; fibers plug into nothing."""
    module = Transceiver(model="T", port_speed_gbps=400, reach_m=50, price_usd=1,
                         form_factor="OSFP twin-port finned (2xSR4)")
    assert (module.form_factor, module.description) == ("OSFP", "twin-port finned (2xSR4)")
    with pytest.raises(ValidationError, match="form_factor"):
        Transceiver(model="T", port_speed_gbps=400, reach_m=50, price_usd=1,
                    form_factor="QSFP (SR4)")
    with pytest.raises(ValidationError, match="a fiber cable plugs into no cage"):
        Cable(model="F", port_speed_gbps=400, reach_m=3, price_usd=1, fiber="mmf",
              form_factor="OSFP")


CAGED = [with_cages(instance, 1000 * seed + i) for seed in (8, 9)
         for i, instance in enumerate(small_instances(40, seed=seed))]


def _equals_enumeration_and_verifies(instance, tmp_path) -> None:
    """The MILP finds the enumeration's optimum (or both find nothing), and the written
    design passes the verifier, its ``fit`` check included."""
    expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
    demand = Demand.from_dict({"fabrics": [instance.fabric], "site": instance.site},
                              path=f"{instance.name}.yaml")
    if expected is None:
        with pytest.raises(designer.InfeasibleError):
            designer.design(demand, instance.catalog)
        return
    result = designer.design(demand, instance.catalog)
    assert math.isclose(result.fabrics[0].cost_usd, expected.cost_usd, rel_tol=1e-9,
                        abs_tol=1e-6)
    report = verify(result.write(tmp_path / "out"), raise_on_failure=False)
    assert report.passed, [c for c in report.checks if not c.passed]
    assert any(c.name == "fit" for c in report.checks)


@pytest.mark.slow
@pytest.mark.parametrize("instance", CAGED, ids=lambda i: i.name)
def test_milp_equals_enumeration_with_cage_facts(instance, tmp_path):
    """Random cage facts on every part (80 instances, 46 with a design)."""
    _equals_enumeration_and_verifies(instance, tmp_path)


@pytest.fixture(scope="module")
def ethernet():
    return designer.load_catalog(["ai-ethernet"])


def _backend(nodes: int, **fabric) -> Demand:
    return Demand.from_dict({"fabrics": [{
        "name": "backend", "nodes": nodes, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "protocol": "ethernet", **fabric}]}, path="backend.yaml")


def test_qsfp112_nic_ports_take_qsfp112_modules(ethernet):
    """ConnectX-8 C8240 ports are QSFP112: the flat-top OSFP module (cheaper) no longer goes
    into them."""
    fabric = designer.design(_backend(16, planes=2, nic_models=["900-9X81Q-00CN-ST0"]),
                             ethernet).fabrics[0]
    node_end = {p.model for p in fabric.parts if p.role == "node-leaf (node end)"}
    assert node_end and "MMA4Z00-NS400-T" not in node_end
    assert node_end <= {"MMA1Z00-NS400-T", "MMS1X00-NS400"}


@pytest.fixture(scope="module")
def sn5400_design(ethernet, tmp_path_factory):
    demand = _backend(8, switch_models=["SN5400"], nic_models=["MCX715105AS-WEAT"])
    result = designer.design(demand, ethernet)
    return demand, result, result.write(tmp_path_factory.mktemp("sn5400") / "out")


def test_a_50g_lane_switch_reaches_100g_lane_nics_through_optics(ethernet, sn5400_design):
    """SN5400 runs 400G on 8 x 50G lanes, ConnectX-7 on 4 x 100G: no DAC or AOC joins them; a
    QSFP-DD DR4 (8 x 50G to its host, 4 x 100G on the fiber) links a QSFP112 DR4."""
    demand, result, _ = sn5400_design
    parts = {p.model: p.kind for p in result.fabrics[0].parts}
    assert {"MMS1V00-WM", "MMS1X00-NS400"} <= set(parts)
    assert not {m for m, kind in parts.items() if kind == "cables"
                and ethernet.cables[m].kind in ("dac", "aoc")}
    expected = cheapest_design(demand.fabrics[0], demand.site, ethernet)
    assert math.isclose(result.fabrics[0].cost_usd, expected.cost_usd, abs_tol=1e-6)


@pytest.mark.parametrize("model, facts, problem", [
    ("MMS1X00-NS400", {"form_factor": "OSFP"}, "OSFP in a QSFP112 cage"),
    ("MMS1V00-WM", {"lane_gbps": 100}, "100G lanes in a cage of 50G lanes"),
    ("MMS1X00-NS400", {"coding": "Cisco"}, "Cisco coding in a cage taking NVIDIA"),
    ("MMS1V00-WM", {"optical_lane_gbps": 50}, "run different optical lane rates"),
], ids=["form-factor", "lane-rate", "coding", "optical-lanes"])
def test_the_verifier_catches_a_part_that_does_not_fit(sn5400_design, model, facts, problem):
    """Planted in ``design.json``: a module's facts changed so it no longer fits its cage (or
    its far end); the ``fit`` check names it."""
    out = sn5400_design[2]
    path = out / "design.json"
    design = json.loads(path.read_text("utf-8"))
    assert verify(out, raise_on_failure=False).passed
    design["parts"][model].update(facts)
    path.write_text(json.dumps(design), "utf-8")
    try:
        failed = {c.name: c for c in verify(out, raise_on_failure=False).failures}
        assert set(failed) == {"fit"}
        assert problem in failed["fit"].detail
    finally:
        design["parts"][model] = json.loads(
            json.dumps(sn5400_design[1].to_dict()["parts"][model]))
        path.write_text(json.dumps(design), "utf-8")


def test_a_fabric_no_part_plugs_into_names_both_ends_and_what_fits(ethernet):
    """With the only QSFP-DD module coded for Arista, nothing joins an SN5400 to a
    ConnectX-7: the error says what each end takes and which catalog parts fit it."""
    wm = ethernet.transceivers["MMS1V00-WM"].model_copy(update={"coding": "Arista"})
    catalog = replace(ethernet, transceivers=MappingProxyType(
        {**ethernet.transceivers, wm.model: wm}))
    demand = _backend(8, switch_models=["SN5400"], nic_models=["MCX715105AS-WEAT"])
    assert cheapest_design(demand.fabrics[0], demand.site, catalog) is None
    with pytest.raises(designer.InfeasibleError) as error:
        designer.design(demand, catalog)
    text = str(error.value)
    assert "no cabling at 400G plugs into both ends of a node-leaf link" in text
    assert "SN5400 cages take QSFP-DD, 8 x 50G lanes, NVIDIA-coded parts" in text
    assert "MCX715105AS-WEAT ports take QSFP112, 4 x 100G lanes, NVIDIA-coded parts" in text
    assert "(parts that fit: MMA1Z00-NS400-T, MMS1X00-NS400)" in text


def _twin_caged(index: int, instance):
    """The instance on a server whose backend ports sit in twin-port cages of its own (a DGX),
    with cage facts on every part: the node end takes one two-port module per cage."""
    fabric = instance.fabric
    used = fabric.endpoints_per_node * fabric.planes
    cage = (None, Cage(form_factor="OSFP", top="flat", lanes=8, lane_gbps=100),
            Cage(form_factor="OSFP"))[index % 3]
    twin = with_server(instance, nics_included=index % 2 == 0,
                       backend_ports=used + used % 2, backend_ports_per_cage=2,
                       backend_cage=cage)
    return twin._replace(name=f"{instance.name}-twin")


TWIN = [_twin_caged(i, with_cages(instance, 2000 + i) if i % 2 else instance)
        for i, instance in enumerate(small_instances(40)) if
        instance.fabric.endpoints_per_node * instance.fabric.planes % 2 == 0][:16]


@pytest.mark.slow
@pytest.mark.parametrize("instance", TWIN, ids=lambda i: i.name)
def test_milp_equals_enumeration_on_twin_port_server_cages(instance, tmp_path):
    """A server's own twin-port cages (16 instances, 11 with a design): one node-end module
    model for every leg, each module serving two legs."""
    _equals_enumeration_and_verifies(instance, tmp_path)


@pytest.fixture(scope="module")
def dgx_design(tmp_path_factory):
    catalog = designer.load_catalog(["nvidia-infiniband"])
    demand = Demand.from_dict({"fabrics": [{
        "name": "compute", "nodes": 16, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "protocol": "infiniband", "layout": "rail-optimized", "server": "DGX H100"}]},
        path="dgx.yaml")
    result = designer.design(demand, catalog)
    return catalog, demand, result, result.write(tmp_path_factory.mktemp("dgx") / "out")


def test_a_dgx_takes_one_twin_port_flat_module_per_cage(dgx_design):
    """A DGX H100's eight compute ports sit in four twin-port flat-top OSFP cages: each takes
    one twin-port flat-top module serving two rails, not a single-port card's module or a
    splitter made for ConnectX-7 cards; the enumeration agrees on the price."""
    catalog, demand, result, _ = dgx_design
    fabric = result.fabrics[0]
    node_end = {p.model: p.quantity for p in fabric.parts if p.role == "node-leaf (node end)"}
    assert node_end == {"MMA4Z00-NS-FLT": 16 * 8 // 2}
    assert not {p.model for p in fabric.parts if p.model.startswith(("MCP7Y00", "MCA7J60"))}
    assert fabric.to_dict()["nic"]["cage_ports"] == 2
    expected = cheapest_design(demand.fabrics[0], demand.site, catalog)
    assert math.isclose(fabric.cost_usd, expected.cost_usd, abs_tol=1e-6)


def test_the_verifier_holds_one_module_per_node_cage(dgx_design):
    """Two rows of one DGX cage naming different modules: the cage would hold two."""
    out = dgx_design[3]
    path = out / "cabling.csv"
    text = path.read_text("utf-8")
    rows = text.splitlines()
    first = next(i for i, r in enumerate(rows) if ",nic2," in r and "MMA4Z00-NS-FLT" in r)
    rows[first] = rows[first].replace("MMA4Z00-NS-FLT", "MMS4X00-NM-FLT", 1)
    path.write_text("\n".join(rows) + "\n", "utf-8")
    try:
        failed = {c.name: c for c in verify(out, raise_on_failure=False).failures}
        assert "one module per cage" in failed["ports"].detail
    finally:
        path.write_text(text, "utf-8")
    assert verify(out, raise_on_failure=False).passed


def test_a_fabric_that_splits_a_twin_cage_is_refused_with_a_fix():
    catalog = designer.load_catalog(["nvidia-infiniband"])
    demand = Demand.from_dict({"fabrics": [{
        "name": "compute", "nodes": 4, "endpoints_per_node": 3, "port_speed_gbps": 400,
        "server": "DGX H100"}]}, path="odd.yaml")
    with pytest.raises(designer.InputError,
                       match=r"3 backend port\(s\) per server .* do not fill whole cages of "
                             r"DGX H100 \(2 ports each, one module per cage\); fix: "
                             r"endpoints_per_node x planes a multiple of 2 \(such as 4\)"):
        designer.design(demand, catalog)


def test_switches_no_medium_joins_are_said_so(ethernet):
    """Every finned OSFP module and straight cable coded for Arista: nothing joins two
    SN5600s, so 256 endpoints (more than one switch takes) have no design, and the error
    says what the switch cages take."""
    modules = {m: t.model_copy(update={"coding": "Arista"}) if t.top == "finned" else t
               for m, t in ethernet.transceivers.items()}
    cables = {m: c.model_copy(update={"coding": "Arista"})
              if c.kind in ("dac", "acc", "aoc") and c.links == 1 else c
              for m, c in ethernet.cables.items()}
    catalog = replace(ethernet, transceivers=MappingProxyType(modules),
                      cables=MappingProxyType(cables))
    demand = _backend(32, switch_models=["SN5600"], nic_models=["MCX715105AS-WEAT"])
    assert cheapest_design(demand.fabrics[0], demand.site, catalog) is None
    with pytest.raises(designer.InfeasibleError,
                       match="no medium at 400G joins two switches: 256 endpoints need more "
                             "than one, and no module pair or direct cable plugs into the "
                             "cages of two allowed switches \\(SN5600 cages take OSFP "
                             "finned-top, 8 x 100G lanes, NVIDIA-coded parts"):
        designer.design(demand, catalog)


def test_two_backend_fabrics_on_one_dgx_set_order_a_module_per_cage(tmp_path):
    """Training and inference on the backend ports of the same DGX H100s: the second fabric's
    node ports are named after it (``second-nic1``), and the cable order still counts one
    module per twin-port cage: 16 servers x 8 ports / 2."""
    raw = {"catalogs": ["nvidia-infiniband"],
           "server_groups": [{"name": "dgx", "nodes": 16, "server": "DGX H100"}],
           "fabrics": [{"name": name, "kind": kind, "servers": "dgx", "endpoints_per_node": 4,
                        "port_speed_gbps": 400, "max_switch_hops": 3}
                       for name, kind in (("compute", "training"), ("second", "inference"))]}
    demand = Demand.from_dict(raw, path="two-backend.yaml")
    result = designer.design(demand, designer.load_catalog(["nvidia-infiniband"]))
    result.write(tmp_path / "out")  # the verifier checks one module per node cage
    with open(tmp_path / "out" / "cable-order.csv", encoding="utf-8") as handle:
        rows = [line.split(",") for line in handle
                if line.startswith("transceiver,MMA4Z00-NS-FLT,")]
    assert sum(int(row[5]) for row in rows) == 16 * 8 // 2
