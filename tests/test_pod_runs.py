"""Three tiers priced run by run (issue 13): the runs the placement lays, and the bounds the
model and the group pruning put on what their cords cost.

- ``site.podruns`` counts every leaf-spine and spine-core run where ``cabling.csv`` lays it;
- the model's floors on each leaf option's cords (``formulation.media.pod_floor`` and
  ``spine_core_laid``) are at most the cords of that leaf option's runs for every pod size, and
  no run is shorter than the class's shortest run (``pod_shortest_m``) those floors price from,
  so the cost rows stay a relaxation of the plan's prices;
- the bounds the group pruning compares (``model.podbounds``) hold every pod size's cords
  between them.
"""

from __future__ import annotations

import collections
import csv

import numpy as np
import pytest

import designer
from designer.inputs.demand import Demand
from designer.inputs.schema import DemandFile, Site
from designer.model.formulation import build_model
from designer.model.formulation.laid import size_runs
from designer.model.formulation.media import (
    pod_floor,
    pod_shortest_m,
    pod_sizes,
    spine_core_floor_extra,
    spine_core_laid,
)
from designer.model.links import LinkClass
from designer.model.podbounds import pod_cord_bounds
from designer.site.grid import campus_run_m, campus_runs_m, fabric_site

pytestmark = pytest.mark.slow

CLASSES = {("leaf", "spine"): LinkClass.LEAF_SPINE, ("spine", "core"): LinkClass.SPINE_CORE}

DEMANDS = [  # (nodes, layout, planes, site): three tiers on the InfiniBand catalog
    (512, "tor", 1, {}),
    (640, "rail-optimized", 2, {"rows_per_hall": 8}),
    (320, "any", 1, {"rack_power_kw": 60}),
    (512, "rail-optimized", 1, {"racks_per_row": 12}),
]


def _demand(nodes: int, layout: str, planes: int, site: dict) -> dict:
    return {"fabrics": [{"name": "pods", "nodes": nodes, "endpoints_per_node": 8,
                         "port_speed_gbps": 400, "max_switch_hops": 5, "layout": layout,
                         "planes": planes, "max_oversubscription": 1,
                         "node_forwarding": layout == "rail-only"}], "site": site}


@pytest.mark.parametrize("nodes,layout,planes,site", DEMANDS)
def test_counted_runs_are_the_runs_laid(tmp_path, nodes, layout, planes, site):
    catalog = designer.load_catalog(["nvidia-infiniband"])
    result = designer.design(Demand.from_dict(_demand(nodes, layout, planes, site),
                                              path="pods.yaml"), catalog)
    structure = result.fabrics[0].structure
    assert structure.tiers == 3
    result.write(tmp_path / "out")
    laid = {cls: collections.Counter() for cls in CLASSES.values()}
    with open(tmp_path / "out" / "cabling.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cls = CLASSES.get((row["a_role"], row["z_role"]))
            if cls is not None:
                laid[cls][float(row["length_m"])] += 1
    for cls, runs in laid.items():
        assert dict(structure.class_runs(cls)) == dict(runs), cls


def _block(nodes: int, layout: str, site: dict):
    spec = DemandFile.model_validate(_demand(nodes, layout, 1, site))
    model = build_model(spec.fabrics[0], fabric_site(spec.site, None), designer.load_catalog())
    return next(b for b in model.blocks if b.tiers == 3)


def _cords_usd(medium, runs, copies: int) -> float | None:
    total = 0.0
    for run, links in runs:
        cord = medium.cord_for(run)
        if cord is None:
            return None
        total += links * cord.price_usd
    return total / copies


@pytest.mark.parametrize("nodes,layout,site", [(1024, "tor", {}), (512, "rail-optimized", {}),
                                               (4096, "tor", {}),
                                               (600, "tor", {"rows_per_hall": 6})])
def test_model_floors_are_at_most_every_pod_sizes_cords(nodes, layout, site):
    block = _block(nodes, layout, site)
    rng = np.random.default_rng(7)
    rows = sorted(rng.choice(len(block.leaves), size=min(6, len(block.leaves)),
                             replace=False).tolist())
    for index, cls in enumerate((LinkClass.LEAF_SPINE, LinkClass.SPINE_CORE)):
        media = [m for m, _ in block.media[cls].options]
        shortest = pod_shortest_m(block, cls)
        if cls == LinkClass.LEAF_SPINE:
            floors = pod_floor(block, media, shortest)[0]
        else:
            floors = spine_core_laid(block, media, shortest,
                                     spine_core_floor_extra(block, media, shortest))[0]
        for row in rows:
            o = block.leaves[row][0]
            runs = size_runs(block, row)
            assert min(run for both in runs.values() for run, _ in both[index]) >= shortest
            for i, m in enumerate(media):
                if m.breakout:
                    continue
                exact = [c for size in runs if (c := _cords_usd(
                    m, runs[size][index], o.network.copies)) is not None]
                if exact:
                    assert floors[row, i] <= min(exact) + 1e-6, (o.key, m.key, cls)


@pytest.mark.parametrize("nodes,layout,site", [(1024, "tor", {}), (512, "rail-optimized", {}),
                                               (600, "tor", {"rows_per_hall": 6})])
def test_pruning_bounds_hold_every_pod_sizes_cords(nodes, layout, site):
    block = _block(nodes, layout, site)
    media = {cls: [m for m, _ in block.media[cls].options if not m.breakout]
             for cls in (LinkClass.LEAF_SPINE, LinkClass.SPINE_CORE)}
    sizes = tuple(pod_sizes(block))
    for row in range(0, len(block.leaves), max(1, len(block.leaves) // 5)):
        o = block.leaves[row][0]
        runs = size_runs(block, row)
        longest = tuple(max(r for r, _ in runs[s][0]) if s in runs else np.inf for s in sizes)
        longest += tuple(max(r for r, _ in runs[s][1]) if s in runs else np.inf for s in sizes)
        cord_sets = tuple({m.cords for ms in media.values() for m in ms})
        bounds = pod_cord_bounds(
            o.leaf_rows.site, o.leaf_rows, leaves=o.leaves,
            leaves_per_group=block.shape.leaves_per_group, uplinks=o.uplinks,
            pod_sizes=sizes,
            network_rows=np.array([-(-_racks(o, s) // o.leaf_rows.site.racks_per_row)
                                   for s in sizes]),
            longest_m=longest, cord_sets=cord_sets, power=False, network_key=())
        for j, cords in enumerate(cord_sets):
            medium = next(m for ms in media.values() for m in ms if m.cords == cords)
            for k, size in enumerate(sizes):
                if size not in runs:
                    continue
                ls = _cords_usd(medium, runs[size][0], o.network.copies)
                sc = _cords_usd(medium, runs[size][1], o.network.copies)
                if ls is not None and np.isfinite(bounds.low[j, k]):
                    assert bounds.low[j, k] <= ls + 1e-6 <= bounds.high[j, k] + 2e-6, (o.key, k)
                if sc is not None and np.isfinite(bounds.spine_core_low[j, k]):
                    assert (bounds.spine_core_low[j, k] <= sc + 1e-6
                            <= bounds.spine_core_high[j, k] + 2e-6), (o.key, k)


def _racks(o, size) -> int:
    from designer.site.pods import core_racks, pod_network_racks
    lp, cg = size
    return int(pod_network_racks(o.network.copies, o.leaves, o.spine_racks, lp,
                                 core_racks(o.uplinks, cg, o.rack_holds)))


@pytest.mark.parametrize("site", [Site(), Site(rack_pitch_m=0.6, row_pitch_m=2.4, hall_gap_m=7.3,
                                                tray_drop_m=1.1, slack_m=1.7, in_rack_m=2.5)])
def test_run_lengths_counted_in_arrays_are_the_plans_lengths(site):
    """``campus_runs_m`` (the counting's lengths) equals ``campus_run_m`` (the plan's) to the
    bit on every offset, within a rack, a hall and across halls."""
    rng = np.random.default_rng(3)
    halls, rows, racks = (rng.integers(-limit, limit + 1, 5000) for limit in (3, 20, 40))
    halls[:50] = rows[:50] = racks[:50] = 0
    expected = [campus_run_m(site, h, r, k)
                for h, r, k in zip(halls.tolist(), rows.tolist(), racks.tolist(), strict=True)]
    assert campus_runs_m(site, halls, rows, racks).tolist() == expected
