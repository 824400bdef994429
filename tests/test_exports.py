"""Exports parsed back and checked against the design they came from.

Designs: three examples (a 1-tier lab, a rail-optimized InfiniBand SuperPOD, a 2-plane Ethernet
fabric), two textbook 3-tier fat trees (k = 4 fits a lab whole, k = 8 needs a replica) and a
two-fabric demand. Each is written to a temporary folder and exported from the folder alone.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
import yaml
from conftest import ROOT, solved_example

import designer
from designer.errors import InputError
from designer.exports import CONTAINERLAB_FILE, EXPORTS_DIR, NVIDIA_FILE, write_exports
from designer.exports.containerlab import write_containerlab
from designer.exports.netbox import CABLES_FILE, DEVICES_FILE, INTERFACES_FILE, write_netbox
from designer.exports.nvidia import cvt_port, write_nvidia_az
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`

EXAMPLES = ("lab-16", "dgx-superpod-4su", "ethernet-2plane-4096")
COMPLETE = ("lab-16", "fat-tree-k4")           # at most 64 devices: the lab is the design
REPLICA = ("dgx-superpod-4su", "ethernet-2plane-4096", "fat-tree-k8", "two-fabrics")
ALL = (*EXAMPLES, "fat-tree-k4", "fat-tree-k8", "two-fabrics")
ENDPOINT = re.compile(r"^(?P<node>[A-Za-z0-9_.-]+):(?P<iface>eth[1-9][0-9]*)$")


def _catalog(k: int) -> Catalog:
    return Catalog.merge([("test", CatalogFile.model_validate({
        "switches": [{"model": f"K{k}", "ports": k, "port_speed_gbps": 400, "price_usd": 10000,
                      "vendor": "Acme"}],
        "nics": [{"model": "NIC", "ports": 1, "port_speed_gbps": 400, "price_usd": 1000}],
        "transceivers": [{"model": "DR4", "port_speed_gbps": 400, "reach_m": 500,
                          "price_usd": 500, "fiber": "smf"}],
        "cables": [{"model": "FIBER", "kind": "fiber", "fiber": "smf", "port_speed_gbps": 400,
                    "reach_m": 500, "price_usd": 50}],
    }))])


def _demand(name: str, fabrics: list[dict]) -> Demand:
    return Demand.from_dict({"fabrics": fabrics}, path=f"{name}.yaml")


def _fat_tree(name: str, endpoints: int) -> dict:
    return {"name": name, "nodes": endpoints, "endpoints_per_node": 1, "port_speed_gbps": 400,
            "max_oversubscription": 1, "max_switch_hops": 5}


def _result(name: str):
    if name in EXAMPLES:
        return solved_example(ROOT / "examples" / f"{name}.yaml")
    if name == "two-fabrics":
        demand = _demand(name, [_fat_tree("compute", 32), _fat_tree("storage", 24)])
        return designer.design(demand, _catalog(8))
    k = int(name.removeprefix("fat-tree-k"))
    return designer.design(_demand(name, [_fat_tree("fat-tree", k ** 3 // 4)]), _catalog(k))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Each design written with ``DesignResult.write`` and exported from its folder.

    ``bom.xlsx`` is skipped: exports never read it, and it takes most of the write time of the
    16,384-cable Ethernet example.
    """
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("designer.outputs.bom.write_bom_xlsx", lambda *args, **kwargs: None,
                      raising=False)
        for name in ALL:
            folder = tmp_path_factory.mktemp(name)
            _result(name).write(folder)
            write_exports(folder)
            out[name] = folder
    return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _design(folder: Path) -> dict:
    return json.loads((folder / "design.json").read_text("utf-8"))


def _expected_roles(design: dict) -> Counter:
    roles: Counter = Counter()
    for fabric in design["fabrics"]:
        roles["server"] += fabric["nodes"]
        for role, models in fabric["switches"].items():
            roles[role] += sum(models.values())
    return roles


def _prefix(design: dict, fabric: str) -> str:
    return f"{fabric}-" if len(design["fabrics"]) > 1 else ""


# --------------------------------------------------------------------------------------------
# NetBox


@pytest.mark.parametrize("name", ALL)
def test_netbox_devices_match_the_design(folders, name):
    folder = folders[name]
    design = _design(folder)
    devices = _read_csv(folder / EXPORTS_DIR / DEVICES_FILE)
    assert len({d["name"] for d in devices}) == len(devices)
    assert Counter(d["role"] for d in devices) == _expected_roles(design)
    models = {f["name"]: f for f in design["fabrics"]}
    for device in devices:
        assert device["status"] == "planned" and device["site"] == name and device["rack"]
        fabric = next(f for f in models.values() if device["name"].startswith(
            _prefix(design, f["name"])))
        if device["role"] == "server":
            assert device["device_type"] == (fabric.get("server") or {}).get("model",
                                                                            "gpu-server")
        else:
            assert device["device_type"] in fabric["switches"][device["role"]]
            assert device["manufacturer"] != "unknown"


@pytest.mark.parametrize("name", ALL)
def test_netbox_cables_attach_to_imported_interfaces(folders, name):
    folder = folders[name]
    cabling = _read_csv(folder / "cabling.csv")
    exports = folder / EXPORTS_DIR
    devices = {d["name"] for d in _read_csv(exports / DEVICES_FILE)}
    interfaces = [(i["device"], i["name"]) for i in _read_csv(exports / INTERFACES_FILE)]
    cables = _read_csv(exports / CABLES_FILE)
    assert len(set(interfaces)) == len(interfaces) == 2 * len(cabling)
    assert {d for d, _ in interfaces} == devices
    assert len(cables) == len(cabling)
    interface_set = set(interfaces)
    for cable, row in zip(cables, cabling, strict=True):
        assert cable["label"] == row["cable_id"]
        assert cable["status"] == "planned" and cable["length_unit"] == "m"
        assert cable["type"] in {"dac-passive", "dac-active", "aoc", "mmf", "smf", "mmf-om4",
                                 "smf-os2"}
        assert float(cable["length"]) == pytest.approx(float(row["length_m"]), abs=0.005)
        for side in ("a", "b"):
            assert cable[f"side_{side}_type"] == "dcim.interface"
            assert (cable[f"side_{side}_device"], cable[f"side_{side}_name"]) in interface_set


def test_netbox_interface_types_follow_protocol_and_speed(folders):
    superpod = _read_csv(folders["dgx-superpod-4su"] / EXPORTS_DIR / INTERFACES_FILE)
    ethernet = _read_csv(folders["ethernet-2plane-4096"] / EXPORTS_DIR / INTERFACES_FILE)
    assert {i["type"] for i in superpod} == {"infiniband-ndr"}
    assert {i["type"] for i in ethernet} == {"400gbase-x-osfp"}
    assert {i["speed"] for i in ethernet} == {"400000000"}


def test_netbox_reads_optional_columns_by_name_and_neutralizes_text(tmp_path, folders):
    design = _design(folders["lab-16"])
    row = {"cable_id": "c1", "fabric": "lab", "a_role": "node", "a_device": "=cmd|' /C calc'",
           "a_port": "nic1", "z_role": "leaf", "z_device": "g001-leaf", "z_port": "p1",
           "z_ru": "20", "speed_gbps": "100"}
    write_netbox(design, [dict(reversed(list(row.items())))], tmp_path,
                 manufacturers={"SN2700": "NVIDIA"})
    devices = {d["name"]: d for d in _read_csv(tmp_path / DEVICES_FILE)}
    cable = _read_csv(tmp_path / CABLES_FILE)[0]
    assert set(devices) == {"'=cmd|' /C calc'", "g001-leaf"}
    assert devices["g001-leaf"]["position"] == "20" and devices["g001-leaf"]["face"] == "front"
    assert devices["g001-leaf"]["manufacturer"] == "NVIDIA"
    assert devices["g001-leaf"]["rack"] == ""
    assert cable["length"] == "2.82"            # the class's worst run without length_m
    assert cable["type"] == "dac-passive"


# --------------------------------------------------------------------------------------------
# containerlab


def _lab(folder: Path) -> tuple[str, dict]:
    text = (folder / EXPORTS_DIR / CONTAINERLAB_FILE).read_text("utf-8")
    return text, yaml.safe_load(text)


@pytest.mark.parametrize("name", ALL)
def test_containerlab_links_name_defined_nodes_and_free_interfaces(folders, name):
    _, lab = _lab(folders[name])
    topology = lab["topology"]
    assert lab["name"] == name
    assert topology["defaults"]["kind"] == "linux"
    assert topology["kinds"]["linux"]["image"] == "alpine:latest"
    nodes = topology["nodes"]
    used: set[tuple[str, str]] = set()
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for link in topology["links"]:
        ends = [ENDPOINT.match(e) for e in link["endpoints"]]
        assert len(ends) == 2 and all(ends), link
        for end in ends:
            assert end["node"] in nodes
            assert (end["node"], end["iface"]) not in used
            used.add((end["node"], end["iface"]))
        graph.add_edge(ends[0]["node"], ends[1]["node"])
    assert nx.is_connected(graph) or name == "two-fabrics"
    for node in nodes:                          # eth1..ethN without gaps
        numbers = sorted(int(i.removeprefix("eth")) for n, i in used if n == node)
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("name", COMPLETE)
def test_containerlab_small_design_is_complete(folders, name):
    text, lab = _lab(folders[name])
    design = _design(folders[name])
    groups = Counter(node["group"] for node in lab["topology"]["nodes"].values())
    assert "scaled-down" not in text
    assert groups == _expected_roles(design)
    assert len(lab["topology"]["links"]) == len(_read_csv(folders[name] / "cabling.csv"))


@pytest.mark.parametrize("name", REPLICA)
def test_containerlab_large_design_is_a_scaled_down_replica(folders, name):
    text, lab = _lab(folders[name])
    design = _design(folders[name])
    nodes = lab["topology"]["nodes"]
    groups = Counter(node["group"] for node in nodes.values())
    assert "# scaled-down replica:" in text
    assert f"of {sum(_expected_roles(design).values()):,} devices" in text
    assert len(nodes) <= 64
    assert set(groups) == set(_expected_roles(design))
    assert groups["server"] == 4 * len(design["fabrics"])


def test_containerlab_replica_keeps_planes_pods_and_cores(folders):
    ethernet = _lab(folders["ethernet-2plane-4096"])[1]["topology"]["nodes"]
    assert {n.split("-")[0] for n in ethernet if n.startswith("pl")} == {"pl1", "pl2"}
    assert sum(1 for n in ethernet if n.endswith("spine01")) == 2
    fat_tree = _lab(folders["fat-tree-k8"])[1]["topology"]["nodes"]
    spines = [n for n, v in fat_tree.items() if v["group"] == "spine"]
    assert sorted({s.split("-")[0] for s in spines}) == ["pod01", "pod02"]
    assert sum(1 for v in fat_tree.values() if v["group"] == "core") == 2


def test_containerlab_replica_too_big_for_max_nodes_is_refused(tmp_path, folders):
    folder = folders["ethernet-2plane-4096"]
    with open(folder / "cabling.csv", newline="", encoding="utf-8") as handle, \
            pytest.raises(ValueError, match="max_nodes=8"):
        write_containerlab(_design(folder), csv.DictReader(handle), tmp_path / "x.clab.yml",
                           max_nodes=8)


# --------------------------------------------------------------------------------------------
# NVIDIA cable validation sheet


@pytest.mark.parametrize("name", ALL)
def test_nvidia_sheet_has_one_row_per_cable_with_the_same_endpoints(folders, name):
    folder = folders[name]
    design = _design(folder)
    protocols = {f["name"]: f["protocol"] for f in design["fabrics"]}
    cabling = _read_csv(folder / "cabling.csv")
    sheet = _read_csv(folder / EXPORTS_DIR / NVIDIA_FILE)
    assert len(sheet) == len(cabling)
    for line, row in zip(sheet, cabling, strict=True):
        prefix = _prefix(design, row["fabric"])
        assert line["Cable-ID"] == row["cable_id"]
        for end, side in (("A", "a"), ("Z", "z")):
            assert line[f"{end}-Node Name"] == prefix + row[f"{side}_device"]
            assert line[f"{end}-Type"] == ("Host" if row[f"{side}_role"] == "node" else "Switch")
            assert line[f"{end}-Port"] == cvt_port(row[f"{side}_port"], row[f"{side}_role"],
                                                   protocols[row["fabric"]])
            assert line[f"{end}-Rack"] == prefix + row[f"{side}_rack"]


def test_nvidia_sheet_can_keep_the_plan_port_names(tmp_path, folders):
    folder = folders["dgx-superpod-4su"]
    with open(folder / "cabling.csv", newline="", encoding="utf-8") as handle:
        write_nvidia_az(_design(folder), csv.DictReader(handle), tmp_path / "az.csv",
                        cvt_ports=False)
    sheet = _read_csv(tmp_path / "az.csv")
    cabling = _read_csv(folder / "cabling.csv")
    assert [(s["A-Port"], s["Z-Port"]) for s in sheet] == [
        (r["a_port"], r["z_port"]) for r in cabling]
    assert {s["Protocol"] for s in sheet} == {"ib"}


def test_cvt_port_notation():
    assert cvt_port("p9/2", "spine", "infiniband") == "9/2"
    assert cvt_port("p9/2", "spine", "ethernet") == "swp9s1"
    assert cvt_port("nic8", "node", "infiniband") == "8"
    assert cvt_port("nic8", "node", "ethernet") == "rail8"
    assert cvt_port("Ethernet1/1", "leaf", "ethernet") == "Ethernet1/1"


# --------------------------------------------------------------------------------------------
# The folder-level entry point


def test_exports_are_deterministic(folders):
    exports = folders["dgx-superpod-4su"] / EXPORTS_DIR
    before = {p.name: p.read_bytes() for p in exports.iterdir()}
    written = write_exports(folders["dgx-superpod-4su"])
    assert sorted(p.name for p in written) == sorted(before)
    assert {p.name: p.read_bytes() for p in exports.iterdir()} == before


def test_two_fabrics_get_prefixed_unique_names(folders):
    devices = _read_csv(folders["two-fabrics"] / EXPORTS_DIR / DEVICES_FILE)
    assert {d["name"].split("-")[0] for d in devices} == {"compute", "storage"}
    assert {"compute-n0001", "storage-n0001"} <= {d["name"] for d in devices}


def test_exports_need_a_design_folder(tmp_path):
    with pytest.raises(InputError, match=r"design\.json"):
        write_exports(tmp_path)
    (tmp_path / "design.json").write_text('{"fabrics": []}', "utf-8")
    with pytest.raises(InputError, match="cabling"):
        write_exports(tmp_path)
    assert not (tmp_path / EXPORTS_DIR).exists()


def test_exports_refuse_a_lab_limit_below_the_replica(folders):
    with pytest.raises(InputError, match="max_nodes=4"):
        write_exports(folders["fat-tree-k8"], max_lab_nodes=4)
    assert not [p for p in folders["fat-tree-k8"].iterdir() if p.name.startswith(".exports")]
