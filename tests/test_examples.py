"""Every shipped example designs, writes, and checks out against its own outputs.

For each ``examples/*.yaml``: the BOM total equals ``total_cost_usd``; the cabling plan has one
row per link; no switch port is used twice or beyond the switch's radix; the worst switch hop
count and every leaf's oversubscription respect the demand; ``design.json`` and ``bom.csv``
match the golden copies (``pytest --update-golden`` rewrites them).
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import openpyxl
import pandas
import pytest
from conftest import EXAMPLES, ROOT, solved_example

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`

GOLDEN = ROOT / "tests" / "golden"
NAMES = [p.stem for p in EXAMPLES]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for path in EXAMPLES:
        folder = tmp_path_factory.mktemp(path.stem)
        solved_example(path).write(folder / "out")
        out[path.stem] = folder / "out"
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_there_are_examples():
    assert {"training-1024", "inference-1024", "dgx-superpod-4su", "lab-16"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_output_file_is_written(written, name):
    files = sorted(p.name for p in written[name].iterdir())
    assert files == ["bom.csv", "bom.xlsx", "cable-order.csv", "cabling.csv", "design.json",
                     "exports", "failures.csv", "racks.csv", "report.html", "report.md",
                     "runlists", "spares.csv", "verification.json"]


@pytest.mark.parametrize("name", NAMES)
def test_spreadsheet_readers_see_the_design_totals(written, name):
    """``bom.xlsx`` read without recalculation, by openpyxl (``data_only``) and pandas, gives
    the totals of ``design.json``: every formula carries its value."""
    design = json.loads((written[name] / "design.json").read_text())
    costs = {f["name"]: f["cost_usd"] for f in design["fabrics"]}
    if design["spares_usd"]:  # the spare parts have a row of their own
        costs["spares"] = design["spares_usd"]
    sheet = openpyxl.load_workbook(written[name] / "bom.xlsx", data_only=True)["Summary"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert math.isclose(rows.pop("TOTAL")[9], design["total_cost_usd"], abs_tol=0.01)
    assert {fabric: row[9] for fabric, row in rows.items()} == pytest.approx(costs, abs=0.01)
    bom = pandas.read_excel(written[name] / "bom.xlsx", sheet_name="BOM")
    total = bom[bom["fabric"] == "TOTAL"]["extended_price_usd"].item()
    assert math.isclose(total, design["total_cost_usd"], abs_tol=0.01)
    lines = bom[bom["fabric"] != "TOTAL"]
    assert math.isclose(lines["extended_price_usd"].sum(), design["total_cost_usd"],
                        abs_tol=0.01)


@pytest.mark.parametrize("name", NAMES)
def test_bom_total_equals_design_total(written, name):
    design = json.loads((written[name] / "design.json").read_text())
    rows = read_csv(written[name] / "bom.csv")
    lines = [r for r in rows if r["fabric"] != "TOTAL"]
    assert math.isclose(float(rows[-1]["extended_price_usd"]), sum(
        float(r["extended_price_usd"]) for r in lines), abs_tol=0.01)
    total = sum(int(r["quantity"]) * float(r["unit_price_usd"]) for r in lines)
    assert math.isclose(total, design["total_cost_usd"], abs_tol=0.01)
    assert math.isclose(sum(f["cost_usd"] for f in design["fabrics"]) + design["spares_usd"],
                        design["total_cost_usd"], abs_tol=0.01)
    spares = sum(float(r["extended_price_usd"]) for r in lines if r["fabric"] == "spares")
    assert math.isclose(spares, design["spares_usd"], abs_tol=0.01)
    assert design["optimal"] is True
    for fabric in design["fabrics"]:
        assert math.isclose(fabric["solve"]["objective_usd"], fabric["cost_usd"], abs_tol=0.01)


@pytest.mark.parametrize("name", NAMES)
def test_cabling_rows_equal_links(written, name):
    design = json.loads((written[name] / "design.json").read_text())
    rows = read_csv(written[name] / "cabling.csv")
    per_fabric = Counter(r["fabric"] for r in rows)
    for fabric in design["fabrics"]:
        assert per_fabric[fabric["name"]] == sum(fabric["links"].values())
    assert len({(r["cable_id"], r["leg"]) for r in rows}) == len(rows)
    order = read_csv(written[name] / "cable-order.csv")  # one id per physical cable
    assert len({r["cable_id"] for r in rows}) == sum(int(r["quantity"]) for r in order
                                                     if r["kind"] == "cable"
                                                     and r["cable_kind"] != "harness")


def _radix_by_role(fabric: dict) -> dict[str, int]:
    structure = fabric["structure"]
    modes = {"leaf": structure["leaf_mode"], "spine": structure.get("spine_mode"),
             "core": structure.get("core_mode")}
    return {role: int(mode.rsplit("x", 1)[1]) for role, mode in modes.items() if mode}


def _port_index(name: str, cage_ports: int) -> int:
    if "/" not in name:
        return int(name[1:])
    cage, lane = name[1:].split("/")
    return (int(cage) - 1) * cage_ports + int(lane)


@pytest.mark.parametrize("name", NAMES)
def test_no_port_used_twice_or_beyond_radix(written, name):
    design = json.loads((written[name] / "design.json").read_text())
    radix = {f["name"]: _radix_by_role(f) for f in design["fabrics"]}
    used: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_csv(written[name] / "cabling.csv"):
        for end in ("a", "z"):
            device, port = row[f"{end}_device"], row[f"{end}_port"]
            key = (row["fabric"], device)
            assert port not in used[key], f"{device} {port} used twice"
            used[key].add(port)
            role = row[f"{end}_role"]
            if role != "node":
                limit = radix[row["fabric"]][role]
                assert _port_index(port, 2 if "/" in port else 1) <= limit


@pytest.mark.parametrize("name", NAMES)
def test_hops_and_oversubscription_respect_the_demand(written, name):
    import designer

    demand = designer.load_demand(ROOT / "examples" / f"{name}.yaml")
    limits = {f.name: f for f in demand.fabrics}
    rows = read_csv(written[name] / "cabling.csv")
    for fabric_name, fabric in limits.items():
        mine = [r for r in rows if r["fabric"] == fabric_name]
        switches = nx.Graph()
        down, up = Counter(), Counter()
        for r in mine:
            if r["a_role"] == "node":
                down[r["z_device"]] += 1
                switches.add_node(r["z_device"])
            else:
                switches.add_edge(r["a_device"], r["z_device"])
                if r["a_role"] == "leaf":
                    up[r["a_device"]] += 1
        leaves = sorted(down)
        worst = 0
        for leaf in leaves:
            lengths = nx.single_source_shortest_path_length(switches, leaf)
            worst = max([worst] + [lengths[other] + 1 for other in leaves if other in lengths])
        assert worst <= fabric.max_switch_hops
        for leaf in leaves:
            if up[leaf]:
                assert down[leaf] <= fabric.max_oversubscription * up[leaf] + 1e-9


@pytest.mark.parametrize("name", NAMES)
def test_golden_outputs(written, name, update_golden):
    for file in ("design.json", "bom.csv"):
        produced = (written[name] / file).read_text()
        golden = GOLDEN / name / file
        if update_golden:
            golden.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(written[name] / file, golden)
            continue
        assert golden.exists(), f"no golden {golden}; run pytest --update-golden"
        expected = golden.read_text()
        if file == "design.json":  # installed solver versions are not the design's to fix
            produced, expected = (_without_versions(t) for t in (produced, expected))
        assert produced == expected, f"{name}/{file} differs from {golden}"


def _without_versions(text: str) -> dict:
    data = json.loads(text)
    data.pop("solver_versions", None)
    return data


def test_procurement_script_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "examples" / "procurement.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "cheapest:" in done.stdout
    assert (tmp_path / "out" / "procurement" / "design.json").exists()


@pytest.mark.parametrize("name", NAMES)
def test_run_lists_and_order_add_up_to_the_plan_and_the_bom(written, name):
    plan = read_csv(written[name] / "cabling.csv")
    listed = [r for f in sorted((written[name] / "runlists").iterdir()) for r in read_csv(f)]
    assert sorted(r["cable_id"] for r in listed) == sorted(r["cable_id"] for r in plan)
    for f in (written[name] / "runlists").iterdir():
        assert {f"{r['a_hall']}-{r['a_row']}" for r in read_csv(f)} == {f.stem}
    bom, spares = Counter(), Counter()
    for r in read_csv(written[name] / "bom.csv"):
        if r["kind"] in ("cables", "transceivers"):
            (spares if r["fabric"] == "spares" else bom)[r["model"]] += int(r["quantity"])
    order, order_spares = Counter(), Counter()
    for r in read_csv(written[name] / "cable-order.csv"):
        order[r["part"]] += int(r["quantity"])
        order_spares[r["part"]] += int(r["spares"])
        assert int(r["to_order"]) == int(r["quantity"]) + int(r["spares"])
    assert order == bom
    assert +order_spares == spares


def test_readme_diagram_is_current(update_golden):
    from designer.outputs.diagram import fabric_svg

    svg = fabric_svg(solved_example(ROOT / "examples" / "dgx-superpod-4su.yaml").fabrics[0])
    shown = ROOT / "examples" / "dgx-superpod-4su.svg"
    if update_golden:
        shown.write_text(svg)
    assert shown.read_text() == svg, "README diagram is stale; run pytest --update-golden"


@pytest.mark.parametrize("name", NAMES)
def test_every_rack_is_listed_within_its_units_and_drawn(written, name):
    """racks.csv lists every rack the cabling uses, none over its rack units, and the report
    draws every hall's floor plan with a rack for each."""
    plan = read_csv(written[name] / "cabling.csv")
    racks = read_csv(written[name] / "racks.csv")
    used = {(r[f"{side}_hall"], r[f"{side}_rack"]) for r in plan for side in "az"}
    assert {(r["hall"], r["rack"]) for r in racks} == used
    assert all(int(r["units_used"]) <= int(r["rack_units"]) for r in racks)
    html = (written[name] / "report.html").read_text()
    halls = sorted({r["hall"] for r in racks})
    assert html.count("<h3>hall") == len(halls)
    assert html.count('stroke-width="0.5"><title>') == len(racks)


@pytest.mark.parametrize("name", NAMES)
def test_media_table_lists_each_part_with_its_count_and_runs(written, name):
    """The report's media table: every cable and transceiver of the BOM, with the quantity the
    BOM buys and the shortest to longest run it serves in the written plan, within its reach."""
    from designer.outputs.report import plan_runs, report_context

    result = solved_example(ROOT / "examples" / f"{name}.yaml")
    context = report_context(result, plan_runs(result, written[name] / "cabling.csv"))
    plan = read_csv(written[name] / "cabling.csv")
    for fabric, entry in zip(result.fabrics, context["fabrics"], strict=True):
        bought = Counter()
        for line in fabric.parts:
            if line.kind in ("cables", "transceivers"):
                bought[line.model] += line.quantity
        listed = Counter()
        for row in entry["media"]:
            listed[row["part"]] += row["quantity"]
            legs = [float(r["length_m"]) for r in plan if r["fabric"] == fabric.name
                    and f"{r['a_role']}-{r['z_role']}" == row["link_class"]
                    and row["part"] in (r["part"], r["a_transceiver"], r["z_transceiver"],
                                        r["harness"])]
            low, high = min(legs), max(legs)
            assert row["runs"] == (f"{low:g} m" if low == high else f"{low:g}-{high:g} m")
            if row["kind"] == "harness":  # it fans the module out where the module stands
                assert row["reach"] == "at the module"
                continue
            assert high <= float(row["reach"].removesuffix(" m"))
        assert listed == bought


def test_readme_floor_plan_is_current(written, update_golden):
    from designer.outputs.floorplan import floor_plans

    result = solved_example(ROOT / "examples" / "dgx-superpod-4su.yaml")
    (plan,) = floor_plans(written["dgx-superpod-4su"] / "racks.csv", result.demand.site)
    shown = ROOT / "examples" / "dgx-superpod-4su-floor.svg"
    if update_golden:
        shown.write_text(plan["svg"] + "\n")
    assert shown.read_text() == plan["svg"] + "\n", "README floor plan is stale; --update-golden"
