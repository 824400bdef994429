"""Priced as laid (issue 13): the price we prove is the price of the plan we write.

For every example and a hundred generated designs on the floor grid (one and two tiers, every
layout, planes, sites with other row lengths, power budgets, and campuses of several halls):

- the written design passes the independent verifier, whose bill of materials check counts
  every part from ``cabling.csv`` (a cable per leg, a module per cage) and prices it: it must
  equal ``bom.csv`` and the total, and the total equals the solver's objective;
- no run could take a cheaper cord of its kind (a fiber of the optics' grade, a direct cable)
  that reaches it: every run is priced at the length we lay;
- designing again with ``site.*_m`` fixed to the worst runs of the written plan is never
  cheaper: the optimizer never prices a run longer than the plan lays it.

Eight generated 3-tier designs pass the verifier with the objective as the plan's price, no
laid run exceeds the longest run their class's medium must reach, and each run takes its own
cheapest cord.
"""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, solved_example

import designer
from designer.inputs.demand import Demand

pytestmark = pytest.mark.slow

CLASS_OF = {("node", "leaf"): "node-leaf", ("leaf", "spine"): "leaf-spine",
            ("spine", "core"): "spine-core"}


def _rows(outdir: Path) -> list[dict[str, str]]:
    with open(outdir / "cabling.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _model(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def shorter_cords(rows: list[dict[str, str]], catalog, protocols: dict[str, str]) -> list[str]:
    """Runs that a cheaper cord of the same kind would reach: a fiber of the same grade (at
    least the link's speed), or a single-link direct cable at the link's speed. Breakout
    cables are priced per cage for the longest leg and are left out."""
    found = []
    for row in rows:
        cable = catalog.cables[_model(row["part"])]
        if cable.links > 1:
            continue
        run, speed = float(row["length_m"]), float(row["speed_gbps"])
        protocol = protocols[row["fabric"]]
        if cable.kind == "fiber":
            alike = [c for c in catalog.cables.values()
                     if c.kind == "fiber" and c.fiber == cable.fiber and c.port_speed_gbps >= speed]
        else:
            alike = [c for c in catalog.cables.values()
                     if c.kind != "fiber" and c.links == 1 and c.port_speed_gbps == speed]
        cheaper = [c.model for c in alike if c.protocol in (None, protocol)
                   and c.reach_m >= run and c.price_usd < cable.price_usd - 1e-9]
        if cheaper:
            found.append(f"{row['cable_id']} {row['label']}: {run:g} m on {cable.model} "
                         f"(${cable.price_usd:g}), {cheaper[0]} reaches it for less")
    return found


def worst_runs(rows: list[dict[str, str]]) -> dict[str, float]:
    """The longest run of each link class in the plan, over every fabric."""
    worst: dict[str, float] = {}
    for row in rows:
        cls = CLASS_OF[(row["a_role"], row["z_role"])]
        worst[cls] = max(worst.get(cls, 0.0), float(row["length_m"]))
    return worst


def _protocols(result) -> dict[str, str]:
    return {f.name: f.structure.protocol for f in result.fabrics}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, tuple]:
    out = {}
    for path in EXAMPLES:
        if path.stem == "training-sweep":
            continue
        result = solved_example(path)
        folder = tmp_path_factory.mktemp(path.stem)
        result.write(folder / "out")  # writing runs the verifier (bill of materials included)
        out[path.stem] = (result, folder / "out")
    return out


def test_examples_lay_every_run_on_its_cheapest_cord(written):
    for name, (result, outdir) in written.items():
        assert shorter_cords(_rows(outdir), result.catalog, _protocols(result)) == [], name


def test_examples_cabling_priced_part_by_part_is_the_objective(written):
    """The verifier's bill of materials check prices every part it counts in the cabling; the
    figure it states is the sum of the solver objectives."""
    for name, (result, outdir) in written.items():
        with open(outdir / "verification.json", encoding="utf-8") as handle:
            checks = json.load(handle)["checks"]
        bom = next(c for c in checks if c["check"] == "bill of materials")
        counted_usd = float(re.search(r"cost \$([\d,.]+)", bom["detail"])[1].replace(",", ""))
        objective_usd = sum(f.solve.objective_usd for f in result.fabrics)
        assert bom["passed"] and counted_usd == pytest.approx(objective_usd, abs=0.01), name


def test_fixing_the_measured_worst_runs_is_never_cheaper(written):
    for name, (result, outdir) in written.items():
        worst = worst_runs(_rows(outdir))
        site = result.demand.spec.site.model_dump(exclude_none=True) | {
            f"{cls.replace('-', '_')}_m": length for cls, length in worst.items()}
        raw = result.demand.spec.model_dump(mode="json", exclude_none=True)
        raw["site"] = site
        again = designer.design(Demand.from_dict(raw, path=f"{name}.yaml"), result.catalog)
        assert again.total_cost_usd >= result.total_cost_usd - 0.01, (
            f"{name}: {again.total_cost_usd:,.2f} with site lengths fixed to the plan's worst "
            f"runs {worst}, {result.total_cost_usd:,.2f} as laid")


def generated_demands(count: int, seed: int = 13) -> list[dict]:
    """Demands on the floor grid of the shipped catalogs: 1-3 tiers (hop limits), every layout,
    one or two planes, 400G and 800G, rows of 8-18 racks, power budgets, campuses of halls of
    two rows."""
    rng = random.Random(seed)
    demands = []
    for i in range(count):
        layout = rng.choice(("tor", "rail-optimized", "rail-only", "any"))
        endpoints = rng.choice((1, 2, 4, 8)) if layout == "tor" else rng.choice((4, 8))
        fabric = {
            "name": f"gen{i:03d}", "nodes": rng.choice((8, 24, 64, 100, 160, 256)),
            "endpoints_per_node": endpoints, "port_speed_gbps": rng.choice((400, 400, 800)),
            "layout": layout, "max_switch_hops": rng.choice((1, 3, 3, 5, 5)),
            "max_oversubscription": rng.choice((1, 1, 2, 4)),
            "planes": rng.choice((1, 1, 2)),
            "node_forwarding": layout == "rail-only" or (layout == "any"
                                                         and rng.random() < 0.7)}
        site = rng.choice(({}, {"racks_per_row": 10}, {"racks_per_row": 18},
                           {"rack_power_kw": 25}, {"nodes_per_rack": 2, "racks_per_row": 12},
                           {"rows_per_hall": 2, "racks_per_row": 8}))  # a campus
        demands.append({"fabrics": [fabric], "site": site})
    return demands


GENERATED = generated_demands(130)


def test_a_hundred_generated_designs_are_priced_as_laid(tmp_path, shipped_catalog):
    designed, problems = 0, []
    for raw in GENERATED:
        name = raw["fabrics"][0]["name"]
        try:
            result = designer.design(Demand.from_dict(raw, path=f"{name}.yaml"),
                                     shipped_catalog)
        except designer.InfeasibleError:
            continue
        fabric = result.fabrics[0]
        assert abs(fabric.cost_usd - fabric.solve.objective_usd) <= 0.01, name
        result.write(tmp_path / name)  # the verifier re-prices every part from the cabling
        problems += shorter_cords(_rows(tmp_path / name), shipped_catalog, _protocols(result))
        designed += 1
    assert designed >= 100
    assert problems == []


def three_tier_demands(count: int, seed: int = 31) -> list[dict]:
    """Demands that need three tiers on the shipped InfiniBand catalog (more endpoints than
    two tiers of its 64-port switches meet, 2,048 at 1:1), every layout that has a third tier,
    one or two planes, sites with other rows, power budgets and campuses."""
    rng = random.Random(seed)
    demands = []
    for i in range(count):
        fabric = {"name": f"pods{i:02d}", "nodes": rng.choice((320, 512, 640)),
                  "endpoints_per_node": 8, "port_speed_gbps": 400, "max_switch_hops": 5,
                  "layout": rng.choice(("tor", "rail-optimized", "any")),
                  "planes": rng.choice((1, 1, 2)), "max_oversubscription": 1}
        site = rng.choice(({}, {"racks_per_row": 12}, {"rack_power_kw": 60},
                           {"rows_per_hall": 8}, {"rows_per_hall": 20, "hall_gap_m": 40}))
        demands.append({"fabrics": [fabric], "site": site})
    return demands


THREE_TIER = three_tier_demands(8)


@pytest.fixture(scope="module")
def three_tier_written(tmp_path_factory) -> list[tuple]:
    catalog = designer.load_catalog(["nvidia-infiniband"])
    out = []
    for raw in THREE_TIER:
        name = raw["fabrics"][0]["name"]
        result = designer.design(Demand.from_dict(raw, path=f"{name}.yaml"), catalog)
        folder = tmp_path_factory.mktemp(name) / "out"
        result.write(folder)  # the verifier: reach run by run, positions, the bill of materials
        out.append((result, folder))
    return out


def test_three_tier_plans_are_priced_as_laid(three_tier_written):
    """Every 3-tier run is measured rack to rack on the placed pod spines and cores; the class
    is bought for the longest run its placement can lay, which no laid run exceeds, and the
    objective is the price of the written plan."""
    for result, folder in three_tier_written:
        fabric = result.fabrics[0]
        assert fabric.structure.tiers == 3, fabric.name
        assert abs(fabric.cost_usd - fabric.solve.objective_usd) <= 0.01, fabric.name
        worst = worst_runs(_rows(folder))
        for cls in ("leaf-spine", "spine-core"):
            assert worst[cls] <= fabric.lengths_m[cls], (fabric.name, cls)


def test_three_tier_runs_each_take_their_shortest_stocked_length(three_tier_written):
    problems = []
    for result, folder in three_tier_written:
        problems += shorter_cords(_rows(folder), result.catalog, _protocols(result))
    assert problems == []
