"""Fabrics over the same servers: server groups, ports spent once, cost once, one hall.

The shipped example ``shared-site-1024.yaml`` puts an InfiniBand backend, a frontend and a
storage network on the same 128 DGX H100. Its cabling must show every server in one rack
position in all three fabrics, the later fabrics' leaves in the servers' racks and their spines
in network rows after the hall, and their node-leaf runs measured from those racks.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import solved_example

import designer
from designer.errors import InfeasibleError, InputError
from designer.inputs.servers import pool_of
from designer.verify import VerificationError, verify

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shared-site-1024.yaml"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    result = solved_example(EXAMPLE)
    outdir = tmp_path_factory.mktemp("shared") / "design"
    result.write(outdir)
    with open(outdir / "cabling.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return result, outdir, rows


def _demand(text: str, folder: Path):
    path = folder / "demand.yaml"
    path.write_text(text, encoding="utf-8")
    return designer.load_demand(path)


GROUP = """
server_groups:
  - {name: gpu, nodes: 16, server: DGX H100}
fabrics:
"""


def test_fabrics_take_nodes_and_server_from_their_group(tmp_path):
    demand = _demand(GROUP + """
  - {name: a, servers: gpu, endpoints_per_node: 8, port_speed_gbps: 400}
  - {name: b, kind: frontend, servers: gpu, endpoints_per_node: 1, port_speed_gbps: 100}
""", tmp_path)
    assert [(f.nodes, f.server, f.servers) for f in demand.fabrics] == [
        (16, "DGX H100", "gpu"), (16, "DGX H100", "gpu")]


@pytest.mark.parametrize(("fabric", "message"), [
    ("{name: a, servers: gpx, endpoints_per_node: 8, port_speed_gbps: 400}",
     "fabrics[0].servers: unknown server group 'gpx' (did you mean 'gpu'?)"),
    ("{name: a, servers: gpu, nodes: 8, endpoints_per_node: 8, port_speed_gbps: 400}",
     "fabrics[0].nodes: 8 differs from server group 'gpu' (16 nodes)"),
    ("{name: a, endpoints_per_node: 8, port_speed_gbps: 400}",
     "fabrics[0].nodes: required (or name a server group in `servers`)"),
])
def test_bad_server_references_are_input_errors(fabric, message, tmp_path):
    with pytest.raises(InputError, match=r"demand\.yaml: " + re.escape(message)):
        _demand(GROUP + f"  - {fabric}\n", tmp_path)


def test_a_server_pool_spent_twice_is_refused(tmp_path):
    demand = _demand(GROUP + """
  - {name: fe, kind: frontend, servers: gpu, endpoints_per_node: 2, port_speed_gbps: 100}
  - {name: st, kind: storage, servers: gpu, endpoints_per_node: 1, port_speed_gbps: 200}
""", tmp_path)
    with pytest.raises(InputError, match=r"servers 'gpu': DGX H100 has 2 frontend port\(s\) "
                                         r"per server, the fabrics on it need 3 \('fe' 2, "
                                         r"'st' 1\)"):
        designer.design(demand)


def test_pools_fall_back_to_frontend_ports(shipped_catalog, tmp_path):
    l40s = shipped_catalog.servers["SYS-521GE-TNRT"]  # no backend, no storage ports
    dgx = shipped_catalog.servers["DGX H100"]
    demand = _demand(GROUP + """
  - {name: t, kind: training, servers: gpu, endpoints_per_node: 8, port_speed_gbps: 400}
  - {name: i, kind: inference, servers: gpu, endpoints_per_node: 2, port_speed_gbps: 100}
  - {name: s, kind: storage, servers: gpu, endpoints_per_node: 1, port_speed_gbps: 100}
""", tmp_path)
    training, inference, storage = demand.fabrics
    assert pool_of(inference, l40s) == "frontend"
    assert pool_of(inference, dgx) == "backend"
    assert pool_of(storage, dgx) == "frontend"
    assert pool_of(training, l40s) == "frontend"
    assert pool_of(training, dgx) == "backend"


def test_every_server_stands_in_one_place_in_every_fabric(shared):
    _, outdir, rows = shared
    places = defaultdict(set)
    fabrics_of = defaultdict(set)
    for row in rows:
        if row["a_role"] == "node":
            places[row["a_device"]].add((row["a_rack"], row["a_ru"]))
            fabrics_of[row["a_device"]].add(row["fabric"])
    assert len(places) == 128
    assert all(len(p) == 1 for p in places.values())
    assert all(f == {"backend", "frontend", "storage"} for f in fabrics_of.values())
    assert verify(outdir).passed


def test_later_fabrics_put_leaves_in_server_racks_and_spines_after_the_hall(shared):
    _, _, rows = shared
    node_racks = {r["a_rack"] for r in rows if r["a_role"] == "node"}
    backend_rows = {int(r[f"{e}_row"][3:]) for r in rows if r["fabric"] == "backend"
                    for e in "az"}
    for fabric in ("frontend", "storage"):
        mine = [r for r in rows if r["fabric"] == fabric]
        leaves = {(r["z_device"], r["z_rack"]) for r in mine if r["z_role"] == "leaf"}
        assert leaves and all(d.startswith(f"{fabric}-") and rack in node_racks
                              for d, rack in leaves)
        assert all(r["a_port"].startswith(f"{fabric}-nic") for r in mine
                   if r["a_role"] == "node")
        spine_rows = {int(r["z_row"][3:]) for r in mine if r["z_role"] == "spine"}
        assert all(row > max(backend_rows) for row in spine_rows)


def test_secondary_node_leaf_runs_are_the_planned_ones(shared):
    """The plan priced each secondary group's legs from the racks the backend chose: the
    longest run written equals the plan's worst, and every run is within its parts' reach
    (the verifier's reach check passed above)."""
    result, _, rows = shared
    for fabric in result.fabrics[1:]:
        written = max(float(r["length_m"]) for r in rows
                      if r["fabric"] == fabric.name and r["a_role"] == "node")
        assert written == pytest.approx(fabric.structure.node_links.worst_run_m)
        assert fabric.hall is not None


def test_servers_are_counted_once(shared):
    result, outdir, _ = shared
    design = json.loads((outdir / "design.json").read_text())
    (group,) = design["servers"]
    assert group["fabrics"] == ["backend", "frontend", "storage"]
    assert group["cost_usd"] == 128 * 350_000
    assert result.server_cost_usd == 128 * 350_000
    assert group["ports"]["frontend"] == {"per_server": 2, "used": 2,
                                          "by_fabric": {"frontend": 1, "storage": 1}}
    assert "Server group dgx: 128 servers (DGX H100, 1,024 GPUs, $44,800,000, counted once)" \
        in (outdir / "report.md").read_text()


def test_the_same_server_is_one_netbox_device(shared):
    _, outdir, _ = shared
    devices = (outdir / "exports" / "netbox-devices.csv").read_text().splitlines()
    assert sum(1 for line in devices if line.startswith("dgx-n0001,")) == 1
    interfaces = (outdir / "exports" / "netbox-interfaces.csv").read_text()
    assert "dgx-n0001,frontend-nic1," in interfaces and "dgx-n0001,nic8," in interfaces


def test_verifier_catches_a_server_in_two_places(shared, tmp_path):
    _, outdir, rows = shared
    broken = tmp_path / "broken"
    shutil.copytree(outdir, broken)
    moved = False
    with open(broken / "cabling.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if not moved and row["fabric"] == "storage" and row["a_device"] == "n0001":
                row = {**row, "a_rack": "row09-rack09"}
                moved = True
            writer.writerow(row)
    with pytest.raises(VerificationError, match="n0001 stands in 2 places"):
        verify(broken)


def test_leaves_that_do_not_fit_the_server_racks_are_refused(tmp_path):
    demand = _demand("""
site: {rack_units: 33, nodes_per_rack: 4}
server_groups:
  - {name: gpu, nodes: 32, server: DGX H100}
fabrics:
  - {name: a, servers: gpu, endpoints_per_node: 8, port_speed_gbps: 400, layout: tor,
     max_switch_hops: 3, switch_models: [MQM9700-NS2F]}
  - {name: b, kind: frontend, servers: gpu, endpoints_per_node: 1, port_speed_gbps: 100,
     max_switch_hops: 3}
""", tmp_path)
    with pytest.raises(InfeasibleError, match=r"fabric 'b': site: it puts \dU of leaves in "
                                              r"rack row\d\d-rack\d\d, which has 0U left"):
        designer.design(demand)
