"""Blast radius (issue 16): ``max_gpus_cut_per_switch``, the most GPUs one failed switch may
leave with no way into the fabric, is honoured by the optimizer, equals the exhaustive
enumeration on small instances, is what the verifier measures on the written plan, and where
nothing meets it the demand is infeasible (exit 3) with the reason named."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from instances import small_instances, with_server
from reference import cheapest_design, stranded_gpus

import designer
from designer import verify as v
from designer.inputs.demand import Demand
from designer.inputs.servers import gpus_per_node
from designer.model.blast import gpus_cut_by_leaf

FABRICS = {  # designs of every layout, one and two planes, node forwarding, a server's GPUs
    "top-of-rack": {"nodes": 24, "endpoints_per_node": 8, "layout": "tor",
                    "max_switch_hops": 3},
    "rail-optimized": {"nodes": 40, "endpoints_per_node": 8, "layout": "rail-optimized",
                       "max_switch_hops": 3},
    "rail forwarding": {"nodes": 40, "endpoints_per_node": 8, "layout": "rail-optimized",
                        "max_switch_hops": 3, "node_forwarding": True},
    "rail-only": {"nodes": 40, "endpoints_per_node": 8, "layout": "rail-only",
                  "node_forwarding": True},
    "tor forwarding": {"nodes": 24, "endpoints_per_node": 2, "layout": "tor",
                       "max_switch_hops": 3, "node_forwarding": True},
    "two planes": {"nodes": 24, "endpoints_per_node": 8, "planes": 2, "max_switch_hops": 3},
    "one tier": {"nodes": 4, "endpoints_per_node": 8},
    "three tiers": {"nodes": 288, "endpoints_per_node": 8, "layout": "tor",
                    "max_switch_hops": 5},
    "DGX on 2 ports": {"nodes": 16, "endpoints_per_node": 2, "server": "DGX H100",
                       "max_switch_hops": 3},
}


def _design(spec: dict, catalogs=("nvidia-infiniband",)):
    demand = Demand.from_dict({"fabrics": [{"name": "f", "port_speed_gbps": 400, **spec}]},
                              path="d.yaml")
    return designer.design(demand, designer.load_catalog(list(catalogs)))


@pytest.mark.parametrize("name", FABRICS)
def test_the_model_counts_what_the_verifier_measures(tmp_path, name):
    """``model.blast`` says what a leaf of the chosen group cuts off; the verifier measures it
    by failing the switches of the written plan (``verify.failure_impact``)."""
    result = _design(FABRICS[name])
    s = result.fabrics[0].structure
    state = v.fabric_states(result.write(tmp_path / "out"))["f"]
    measured = max(r["gpus_cut"] for r in v.failure_impact(state)
                   if r["element"] in ("leaf", "spine", "core"))
    gpus = gpus_per_node(s.fabric, result.catalog)
    assert gpus_cut_by_leaf(s.fabric, s.shape.ports_per_node, s.group_nodes, gpus) == measured


def test_a_limit_moves_the_design_off_top_of_rack(tmp_path):
    """64 nodes x 8 x 400G: top-of-rack leaves of four nodes are cheapest and a leaf failure
    cuts off 32 GPUs. Allowing 4 takes rail leaves of four-node groups (four GPUs behind a
    leaf), at a higher price; the written plan keeps to it and says so."""
    spec = {"nodes": 64, "endpoints_per_node": 8, "max_switch_hops": 3}
    free = _design(spec, catalogs=("ai-ethernet",))
    held = _design({**spec, "max_gpus_cut_per_switch": 4}, catalogs=("ai-ethernet",))
    assert free.fabrics[0].structure.layout == "tor"
    assert held.fabrics[0].structure.layout == "rail-optimized"
    assert held.total_cost_usd > free.total_cost_usd
    out = held.write(tmp_path / "out")
    state = v.fabric_states(out)["f"]
    assert max(r["gpus_cut"] for r in v.failure_impact(state)) <= 4
    checks = {c["check"]: c for c in v.verify(out).to_dict()["checks"]}
    assert checks["blast radius"]["passed"]
    assert "cuts off at most 4 GPUs (limit 4)" in checks["blast radius"]["detail"]
    report = (out / "report.md").read_text("utf-8")
    assert ("The demand allows one failed switch to cut off at most 4 GPUs "
            "(`max_gpus_cut_per_switch`); the most any switch here cuts off is 4.\n\n| Fails"
            in report)
    assert ("lets one failed switch cut off at most 4 GPUs: rail-optimized leaves of up to 4 "
            "nodes meet it; the design's leaves take 4 nodes, so one failed leaf cuts off 4 "
            "GPUs.") in report


def test_two_planes_meet_any_limit():
    """With two planes every GPU keeps a port in the other plane: no switch cuts one off, so a
    limit of 0 costs nothing."""
    spec = {"nodes": 24, "endpoints_per_node": 8, "planes": 2, "max_switch_hops": 3}
    free = _design(spec)
    held = _design({**spec, "max_gpus_cut_per_switch": 0})
    assert held.total_cost_usd == free.total_cost_usd


def test_nothing_meets_a_limit_below_one_node(tmp_path):
    """One plane, no forwarding: a leaf of a single node still cuts off a GPU (rail leaves), so
    a limit of 0 has no design: exit 3, and the reason names the limit and the way out."""
    path = tmp_path / "d.yaml"
    path.write_text("fabrics:\n  - name: f\n    nodes: 16\n    endpoints_per_node: 8\n"
                    "    port_speed_gbps: 400\n    max_switch_hops: 3\n"
                    "    max_gpus_cut_per_switch: 0\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "designer.cli", str(path), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 3
    err = done.stderr
    assert "max_gpus_cut_per_switch: 0 allows no leaf" in err
    assert "raise the limit to 1" in err and "2 planes" in err
    assert not (tmp_path / "out").exists()


def test_a_limit_that_needs_more_leaves_than_two_tiers_connect():
    """128 DGX H100 at 3 hops with at most 8 GPUs behind a leaf: leaves of one server
    (top-of-rack) or rail leaves of 8 servers make 128 leaves a copy, more than a 64-port
    spine reaches; the reason says so and the probes prove both ways out."""
    spec = {"nodes": 128, "endpoints_per_node": 8, "max_switch_hops": 3, "server": "DGX H100",
            "max_gpus_cut_per_switch": 8}
    with pytest.raises(designer.InfeasibleError) as raised:
        _design(spec)
    reason = raised.value.reason
    assert reason.limit == "max_gpus_cut_per_switch"
    assert ("allows leaves of at most 8 nodes (rail-optimized): 128 leaves a copy, more than "
            "2 tiers of 64-port switches connect (64); allow 5 hops (3 tiers)") in reason.text
    assert {r.change for r in reason.remedies} == {"max_gpus_cut_per_switch 8 -> none",
                                                   "max_switch_hops 3 -> 5"}


def test_a_negative_limit_is_an_input_error():
    with pytest.raises(designer.InputError, match="max_gpus_cut_per_switch"):
        Demand.from_dict({"fabrics": [{"name": "f", "nodes": 4, "endpoints_per_node": 8,
                                       "port_speed_gbps": 400,
                                       "max_gpus_cut_per_switch": -1}]}, path="d.yaml")


INSTANCES = [with_server(i, nics_included=True) for i in small_instances(40)[:20]]


def _limited(instance, index: int):
    """The instance with a blast radius that binds where it can: one GPU below what the
    unlimited optimum's leaf cuts off (a quarter of it on every third instance), or 0 where
    that cuts none."""
    free = cheapest_design(instance.fabric, instance.site, instance.catalog)
    if free is None:
        return instance, None
    f = instance.fabric
    # a node's ports on one leaf: every one on a top-of-rack leaf and on the one switch of
    # a one-tier copy (a rail's alone when rail-only), one on a rail leaf
    whole = free.layout == "tor" or (free.tiers == 1 and free.layout != "rail-only")
    per_node = f.endpoints_per_node if whole else 1
    nodes = f.nodes if free.tiers == 1 else min(free.q, f.nodes)
    cut = stranded_gpus(f, instance.catalog, nodes, per_node)
    limit = max(cut // 4 if index % 3 == 0 else cut - 1, 0)
    fabric = f.model_copy(update={"max_gpus_cut_per_switch": limit})
    return instance._replace(fabric=fabric), free


@pytest.mark.slow
def test_the_limited_optimum_equals_exhaustive_enumeration(tmp_path):
    """On 20 small instances (8 GPUs a server), each with a limit below what its unlimited
    optimum cuts off: the MILP's cost equals the enumeration's (or both find none), the limit
    changes the optimum somewhere and leaves some instance with no design, and every written
    plan passes the verifier's blast radius check."""
    changed = infeasible = 0
    for index, instance in enumerate(INSTANCES):
        limited, free = _limited(instance, index)
        if free is None:
            continue
        expected = cheapest_design(limited.fabric, limited.site, limited.catalog)
        demand = Demand.from_dict({"fabrics": [limited.fabric.model_dump(exclude_none=True)],
                                   "site": limited.site.model_dump(exclude_none=True)},
                                  path=f"{instance.name}.yaml")
        if expected is None:
            with pytest.raises(designer.InfeasibleError):
                designer.design(demand, limited.catalog, solver="highs")
            infeasible += 1
            continue
        result = designer.design(demand, limited.catalog, solver="highs")
        assert math.isclose(result.total_cost_usd, expected.cost_usd, rel_tol=1e-9,
                            abs_tol=1e-6), instance.name
        changed += expected.cost_usd > free.cost_usd + 1e-6
        result.write(tmp_path / instance.name)  # the verifier checks the blast radius
    assert changed >= 3 and infeasible >= 1
