"""What one failure costs: the per-class figures of ``verify.failure_impact`` equal a brute-force
pass that fails every switch (and every cable and node port) of a plane one at a time."""

from __future__ import annotations

from collections import Counter

import pytest

import designer
from designer import verify as v

FABRICS = {
    "one tier": {"nodes": 4, "endpoints_per_node": 8, "port_speed_gbps": 400},
    "top-of-rack": {"nodes": 24, "endpoints_per_node": 8, "port_speed_gbps": 400,
                    "layout": "tor", "max_switch_hops": 3},
    "rail-optimized": {"nodes": 40, "endpoints_per_node": 8, "port_speed_gbps": 400,
                       "layout": "rail-optimized", "max_switch_hops": 3},
    "rail-only": {"nodes": 40, "endpoints_per_node": 8, "port_speed_gbps": 400,
                  "layout": "rail-only", "node_forwarding": True},
    "oversubscribed": {"nodes": 40, "endpoints_per_node": 8, "port_speed_gbps": 400,
                       "max_oversubscription": 3, "max_switch_hops": 3},
    "two planes": {"nodes": 24, "endpoints_per_node": 8, "port_speed_gbps": 400,
                   "planes": 2, "protocol": "ethernet", "max_switch_hops": 3},
    "three tiers": {"nodes": 288, "endpoints_per_node": 8, "port_speed_gbps": 400,
                    "layout": "tor", "max_switch_hops": 5},
}


def written(tmp_path, name: str) -> dict:
    spec = {"name": "f", **FABRICS[name]}
    catalogs = ["ai-ethernet"] if spec.get("protocol") == "ethernet" else ["nvidia-infiniband"]
    demand = designer.Demand.from_dict({"fabrics": [spec]}, path=str(tmp_path / "d.yaml"))
    result = designer.design(demand, designer.load_catalog(catalogs))
    out = result.write(tmp_path / "out")
    return v.fabric_states(out)["f"], result


def brute_force(state) -> Counter:
    """``{(element, endpoints cut, GPUs cut, bisection left): units}`` failing every switch,
    cable and node port of plane 1 in turn, each times the planes (copies of plane 1)."""
    spec = state.spec
    speed, planes = spec["port_speed_gbps"], spec["planes"]
    whole = v._switch_graph(state)
    sides = v._plane_sides(state, 0)
    plane = v._component(whole, sides)
    graph = {device: whole.get(device, {}) for device in plane}
    total = sum(v._max_flow(whole, v._plane_sides(state, p), speed) for p in range(planes))
    network = v.FlowNetwork(graph, sides)
    ends = v._NodeEnds(state)
    flow = network.flow() * speed
    seen: Counter = Counter()

    def count(element, member, units):
        ports, left = v._without(network, ends, member)
        seen[(element, len(ports), ends.gpus_cut(ports),
              round(total - flow + left * speed, 3))] += units * planes

    for device in plane:
        count(state.role[device], ("switch", device), 1)
        for other, links in graph.get(device, {}).items():
            if v._TIER[state.role[device]] < v._TIER[state.role[other]]:
                count(f"{state.role[device]}-{state.role[other]}", ("link", device, other),
                      links)
    for leaf, (a, b) in sides.items():
        for side, units in ((0, a), (1, b)):
            if units:
                count("node-leaf", ("port", side, leaf), units)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FABRICS))
def test_each_class_fails_as_every_member_does(tmp_path, name):
    state, result = written(tmp_path, name)
    tiers = result.fabrics[0].structure.tiers
    if name == "three tiers":
        assert tiers == 3
    rows = v.failure_impact(state)
    table = Counter({(r["element"], r["endpoints_cut"], r["gpus_cut"],
                      r["bisection_left_gbps"]): r["count"] for r in rows})
    assert table == brute_force(state)
    assert {r["element"] for r in rows} >= {"leaf", "node-leaf"}


def test_a_leaf_failure_in_a_non_blocking_fabric(tmp_path):
    state, result = written(tmp_path, "top-of-rack")
    rows = {r["element"]: r for r in v.failure_impact(state)}
    leaf = rows["leaf"]
    s = result.fabrics[0].structure
    per_leaf = 24 * 8 // result.fabrics[0].switches["leaf"][s.leaf.mode.model]
    assert leaf["endpoints_cut"] == leaf["gpus_cut"] == per_leaf
    # the cut by nodes loses the failed leaf's side: min(96 - per_leaf, 96) endpoints' worth
    assert leaf["bisection_left_share"] == pytest.approx((96 - per_leaf) / 96)
    assert rows["node-leaf"]["endpoints_cut"] == 1


def test_with_two_planes_no_gpu_is_cut_off(tmp_path):
    state, _ = written(tmp_path, "two planes")
    rows = v.failure_impact(state)
    assert all(r["gpus_cut"] == 0 for r in rows)
    assert max(r["endpoints_cut"] for r in rows) > 0


def test_the_failure_table_is_written_and_reported(tmp_path):
    import csv
    import json

    from conftest import solved_example

    out = solved_example("training-1024").write(tmp_path / "out")
    figures = json.loads((out / "verification.json").read_text("utf-8"))["figures"]
    expected = figures["compute"]["failures"]
    with open(out / "failures.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["element"] for r in rows] == [r["element"] for r in expected]
    assert [int(r["endpoints_cut"]) for r in rows] == [r["endpoints_cut"] for r in expected]
    leaf = next(r for r in expected if r["element"] == "leaf")
    assert (leaf["count"], leaf["endpoints_cut"], leaf["bisection_left_share"]) == (
        32, 32, 0.9375)  # 32 leaves of 32 GPUs each; 15/16 of the cut by nodes is left
    report = (out / "report.md").read_text("utf-8")
    assert ("The worst single failure is a leaf switch (g001-leaf): 32 GPUs cut off, 32 node "
            "ports without a path, 93.75% of the bisection left.") in report
    assert "| a spine switch | 16 | spine01 | 0 | 0 | 192 Tb/s (93.75%) |" in report
    assert "What one failure costs" in (out / "report.html").read_text("utf-8")


@pytest.mark.parametrize(("spec", "gpus"), [
    # a DGX H100's 8 GPUs on 2 endpoints: a port stands for 4 GPUs
    ({"nodes": 16, "endpoints_per_node": 2, "port_speed_gbps": 400, "server": "DGX H100"},
     16 * 8),
    # rail leaves, and a node that forwards a GPU's traffic to its other NICs: no GPU is lost
    ({"nodes": 40, "endpoints_per_node": 8, "port_speed_gbps": 400,
      "layout": "rail-optimized", "max_switch_hops": 3, "node_forwarding": True}, 0),
])
def test_gpus_cut_off_count_the_gpus_behind_the_ports(tmp_path, spec, gpus):
    demand = designer.Demand.from_dict({"fabrics": [{"name": "f", **spec}]},
                                       path=str(tmp_path / "d.yaml"))
    result = designer.design(demand, designer.load_catalog(["nvidia-infiniband"]))
    state = v.fabric_states(result.write(tmp_path / "out"))["f"]
    leaf = next(r for r in v.failure_impact(state) if r["element"] == "leaf")
    assert leaf["gpus_cut"] == gpus and leaf["endpoints_cut"] > 0
