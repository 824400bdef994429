"""Output writers: template filters, bom.csv, bom.xlsx, report.md and the explanations.

Designs come from a small in-memory catalog (two switches, one NIC, optics, fibers, a DAC and a
server) whose NIC carries hostile text, so CSV and spreadsheet injection is tested on real
output. Each design solves in about a second and is shared by the module.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import jinja2
import openpyxl
import pytest
from xlsxwriter.utility import xl_col_to_name

import designer
from designer.errors import InputError
from designer.inputs.catalog import Catalog, switch_modes
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile, DemandFile, Fabric, Switch
from designer.model.capacity import (
    max_leaf_downlinks,
    one_tier_endpoints,
    two_tier_max_endpoints,
)
from designer.outputs import bom as bom_module
from designer.outputs.bom import BOM_COLUMNS, write_bom_csv, write_bom_xlsx
from designer.outputs.report import report_context, write_report_md
from designer.outputs.templating import (
    bandwidth,
    csv_field,
    environment,
    fixed,
    gbps,
    markdown_text,
    neutralize,
    pct,
    thousands,
    usd,
)
from designer.results.explain import binding_limits, describe_structure
from designer.solvers.status import SolveStatus

HOSTILE_VENDOR = '=HYPERLINK("http://evil.example","click")'
HOSTILE_SOURCE = '@SUM(1+1), "quoted" | pipe\nsecond line'
HOSTILE_AS_OF = "+2025-06"


# --------------------------------------------------------------------------------------------
# Fixtures


def _catalog() -> Catalog:
    provenance = {"vendor": "Acme", "source": "list price", "as_of": "2025-06"}
    content = CatalogFile.model_validate({
        "switches": [
            {"model": "SW16", "ports": 16, "port_speed_gbps": 400, "price_usd": 12000,
             "power_w": 300, **provenance},
            {"model": "SW32", "ports": 32, "port_speed_gbps": 400, "price_usd": 30000,
             "power_w": 600, **provenance},
        ],
        "nics": [
            {"model": "NIC400", "ports": 1, "port_speed_gbps": 400, "price_usd": 1000.5,
             "power_w": 20, "vendor": HOSTILE_VENDOR, "source": HOSTILE_SOURCE,
             "as_of": HOSTILE_AS_OF},
        ],
        "transceivers": [
            {"model": "SR-400", "port_speed_gbps": 400, "reach_m": 50, "price_usd": 500,
             "fiber": "mmf", "power_w": 8, **provenance},
            {"model": "DR-400", "port_speed_gbps": 400, "reach_m": 500, "price_usd": 900,
             "fiber": "smf", "power_w": 9, **provenance},
        ],
        "cables": [
            {"model": "FIB-MMF", "port_speed_gbps": 800, "reach_m": 100, "price_usd": 30,
             "kind": "fiber", "fiber": "mmf", **provenance},
            {"model": "FIB-SMF", "port_speed_gbps": 800, "reach_m": 2000, "price_usd": 40,
             "kind": "fiber", "fiber": "smf", **provenance},
            {"model": "DAC-400-3M", "port_speed_gbps": 400, "reach_m": 3, "price_usd": 100,
             "kind": "dac", **provenance},
        ],
        "servers": [
            {"model": "GPU8", "gpus": 8, "price_usd": 200000, **provenance},
        ],
    })
    return Catalog.merge([("mem-catalog.yaml", content)], digest="c" * 64)


def _design(fabrics: list[dict], site: dict | None = None):
    demand = Demand.from_dict({"name": "test", "fabrics": fabrics, "site": site or {}},
                              path="mem.yaml")
    return designer.design(demand, _catalog())


@pytest.fixture(scope="module")
def one_tier():
    """8 endpoints: one 16-port switch, DAC to every node."""
    return _design([{"name": "small", "nodes": 4, "endpoints_per_node": 2,
                     "port_speed_gbps": 400, "server": "GPU8"}])


@pytest.fixture(scope="module")
def two_tier():
    """128 endpoints on 32-port switches, 3 hops allowed, 10 m node runs: optics."""
    return _design([{"name": "pod", "nodes": 32, "endpoints_per_node": 4,
                     "port_speed_gbps": 400, "max_switch_hops": 3, "layout": "tor",
                     "server": "GPU8"},
                    {"name": "side", "nodes": 4, "endpoints_per_node": 1,
                     "port_speed_gbps": 400}],
                   site={"node_leaf_m": 10.0})


@pytest.fixture(scope="module")
def cabling_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cabling") / "cabling.csv"
    path.write_text("cable_id,a_device,a_port,speed_gbps,part,length_m\n"
                    "1,n0001,nic1,400,DAC-400-3M,2.5\n"
                    "2,=cmd,0007,400,\"a,b\",10\n", "utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Filters and the environment


@pytest.mark.parametrize(("value", "text"), [
    (1234567, "$1,234,567"), (1234567.0, "$1,234,567"), (1234.5, "$1,234.50"),
    (0.004, "$0"), (1234.999, "$1,235"), (-12.25, "-$12.25"), (None, "n/a"),
])
def test_usd(value, text):
    assert usd(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (1234, "1,234"), (1234.0, "1,234"), (1234.5, "1,234.5"), (0, "0"), (1.3333333, "1.333"),
])
def test_thousands(value, text):
    assert thousands(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (400, "400G"), (400.0, "400G"), (25, "25G"), (1600, "1.6T"), (1000, "1T"),
    (204800, "204.8T"), (3276800, "3.277P"), (0.5, "0.5G"),
])
def test_gbps(value, text):
    assert gbps(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (400, "400 Gb/s"), (204800, "204.8 Tb/s"), (3276800, "3.277 Pb/s"), (None, "n/a"),
])
def test_bandwidth_has_its_unit(value, text):
    assert bandwidth(value) == text


def test_pct_and_fixed():
    assert pct(0.4867) == "48.7%"
    assert pct(0.4867, 0) == "49%"
    assert pct(None) == "n/a"
    assert fixed(1234567.5) == "1234567.50"
    assert fixed(3, 0) == "3"
    assert fixed(None) == ""


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_field_neutralizes_formula_triggers(trigger):
    field = csv_field(f"{trigger}1+1")
    assert field == f"\"'{trigger}1+1\""
    assert next(csv.reader([field])) == [f"'{trigger}1+1"]


def test_csv_field_quotes_per_rfc4180():
    text = 'a "b", c\nd'
    assert csv_field(text) == '"a ""b"", c\nd"'
    assert next(csv.reader([csv_field(text)])) == [text]
    assert csv_field(None) == ""
    assert neutralize("NVIDIA") == "NVIDIA"


def test_markdown_text_escapes_table_and_html():
    assert markdown_text("a|b <i>x</i> [l](u) *e* `c`\nnext") == (
        r"a\|b \<i\>x\</i\> \[l\](u) \*e\* \`c\` next")


def test_environment_strict_and_autoescape_only_for_html(tmp_path):
    (tmp_path / "page.html.j2").write_text("{{ v }}", "utf-8")
    (tmp_path / "page.md.j2").write_text("{{ v }}", "utf-8")
    env = environment(tmp_path)
    assert env.get_template("page.html.j2").render(v="<b>") == "&lt;b&gt;"
    assert env.get_template("page.md.j2").render(v="<b>") == "<b>"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("page.md.j2").render()


def test_environment_user_folder_overrides_then_falls_back(tmp_path):
    (tmp_path / "bom.csv.j2").write_text("custom {{ total_cost_usd | usd }}\n", "utf-8")
    env = environment(tmp_path)
    assert env.get_template("bom.csv.j2").render(total_cost_usd=5) == "custom $5\n"
    assert env.loader.get_source(env, "report.md.j2")[0].startswith("{#")
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("../pyproject.toml")


def test_environment_rejects_a_missing_folder(tmp_path):
    with pytest.raises(InputError) as error:
        environment(tmp_path / "nope")
    assert "\n" not in str(error.value)
    assert "--templates" in str(error.value)
    file = tmp_path / "file.txt"
    file.write_text("x", "utf-8")
    with pytest.raises(InputError, match="not a folder"):
        environment(file)


# --------------------------------------------------------------------------------------------
# bom.csv


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_bom_csv_lines_total_and_injection(two_tier, tmp_path):
    path = tmp_path / "bom.csv"
    write_bom_csv(two_tier, path, environment())
    rows = _read_csv(path)
    assert tuple(rows[0]) == BOM_COLUMNS
    lines, total = rows[1:-1], rows[-1]
    assert len(lines) == len(two_tier.bom)
    assert all(len(row) == len(BOM_COLUMNS) for row in rows)
    col = {name: i for i, name in enumerate(BOM_COLUMNS)}
    assert total[col["fabric"]] == "TOTAL"
    assert float(total[col["extended_price_usd"]]) == pytest.approx(two_tier.total_cost_usd,
                                                                    abs=0.005)
    assert sum(float(r[col["extended_price_usd"]]) for r in lines) == pytest.approx(
        two_tier.total_cost_usd, abs=0.01)
    for row in lines:
        assert re.fullmatch(r"\d+\.\d\d", row[col["unit_price_usd"]])
        assert float(row[col["extended_price_usd"]]) == pytest.approx(
            int(row[col["quantity"]]) * float(row[col["unit_price_usd"]]), abs=0.005)
    nic = next(r for r in lines if r[col["model"]] == "NIC400")
    assert nic[col["vendor"]] == "'" + HOSTILE_VENDOR
    assert nic[col["source"]] == "'" + HOSTILE_SOURCE
    assert nic[col["as_of"]] == "'" + HOSTILE_AS_OF
    assert nic[col["unit_price_usd"]] == "1000.50"


# --------------------------------------------------------------------------------------------
# bom.xlsx


def _evaluate(ws, ref: str) -> float:
    """Evaluate the few formula shapes the BOM sheet uses: ``=A1*B1`` and ``=SUM(A1:A9)``."""
    value = ws[ref].value
    if not isinstance(value, str) or not value.startswith("="):
        return float(value or 0)
    product = re.fullmatch(r"=([A-Z]+\d+)\*([A-Z]+\d+)", value)
    if product:
        return _evaluate(ws, product[1]) * _evaluate(ws, product[2])
    total = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", value)
    assert total, value
    return sum(_evaluate(ws, f"{total[1]}{row}") for row in range(int(total[2]),
                                                                  int(total[4]) + 1))


def test_bom_xlsx_formulas_and_totals(two_tier, cabling_csv, tmp_path):
    path = tmp_path / "bom.xlsx"
    write_bom_xlsx(two_tier, path, cabling_csv)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["BOM", "Summary", "Cabling"]
    ws = wb["BOM"]
    assert tuple(c.value for c in ws[1]) == BOM_COLUMNS
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith(f"A1:{xl_col_to_name(len(BOM_COLUMNS) - 1)}")
    n = len(two_tier.bom)
    for row in range(2, n + 2):
        assert ws[f"H{row}"].value == f"=F{row}*G{row}"
        assert ws[f"J{row}"].value == f"=F{row}*I{row}"
        assert "$" in ws[f"G{row}"].number_format and "$" in ws[f"H{row}"].number_format
    assert ws[f"A{n + 2}"].value == "TOTAL"
    assert ws[f"H{n + 2}"].value == f"=SUM(H2:H{n + 1})"
    assert ws[f"J{n + 2}"].value == f"=SUM(J2:J{n + 1})"
    assert _evaluate(ws, f"H{n + 2}") == pytest.approx(two_tier.total_cost_usd, abs=0.01)
    nic_row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "NIC400")
    assert nic_row[3].value == "'" + HOSTILE_VENDOR
    assert nic_row[3].data_type == "s"

    summary = wb["Summary"]
    assert [summary.cell(row=r, column=1).value for r in range(2, 5)] == ["pod", "side", "TOTAL"]
    assert summary["J2"].value.startswith("=SUMIFS(BOM!$H$2:$H$")
    assert summary["K2"].value == "=J2/I2"
    assert summary["K3"].value is None

    cabling = wb["Cabling"]
    assert cabling.freeze_panes == "A2"
    assert cabling["A1"].font.bold
    rows = [[c.value for c in row] for row in cabling.iter_rows()]
    assert rows[1] == [1, "n0001", "nic1", 400, "DAC-400-3M", 2.5]
    assert rows[2] == [2, "'=cmd", "0007", 400, "a,b", 10]


def test_bom_xlsx_is_byte_identical_and_timeless(one_tier, cabling_csv, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_bom_xlsx(one_tier, first, cabling_csv)
    write_bom_xlsx(one_tier, second, cabling_csv)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        stamps = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode()
    assert len(stamps) == 1 and stamps.pop()[0] < 2001  # one fixed stamp, not the time run
    assert "2000-01-01T00:00:00Z" in core and "designer" in core
    assert not re.search(r"20[1-9]\d-\d\d-\d\dT", core)


def test_bom_xlsx_every_formula_carries_its_value(two_tier, cabling_csv, tmp_path):
    # What a reader that does not recalculate sees (openpyxl data_only, pandas): the numbers.
    path = tmp_path / "bom.xlsx"
    write_bom_xlsx(two_tier, path, cabling_csv)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for name in ("BOM", "Summary"):
        for f_row, v_row in zip(formulas[name].iter_rows(), values[name].iter_rows(),
                                strict=True):
            for f_cell, v_cell in zip(f_row, v_row, strict=True):
                if isinstance(f_cell.value, str) and f_cell.value.startswith("="):
                    assert isinstance(v_cell.value, int | float), (name, f_cell.coordinate)
    ws, n = values["BOM"], len(two_tier.bom)
    for row in range(2, n + 2):
        assert ws[f"H{row}"].value == pytest.approx(ws[f"F{row}"].value * ws[f"G{row}"].value)
    assert ws[f"H{n + 2}"].value == pytest.approx(two_tier.total_cost_usd, abs=0.01)
    summary = values["Summary"]
    for row, fabric in enumerate(two_tier.fabrics, start=2):
        assert summary[f"J{row}"].value == pytest.approx(fabric.cost_usd, abs=0.01)
    assert summary["J4"].value == pytest.approx(two_tier.total_cost_usd, abs=0.01)
    assert summary["K2"].value == pytest.approx(two_tier.fabrics[0].cost_usd
                                                / two_tier.fabrics[0].gpus)


def test_bom_xlsx_prints_landscape_one_page_wide_with_its_header(two_tier, cabling_csv,
                                                                  tmp_path):
    path = tmp_path / "bom.xlsx"
    write_bom_xlsx(two_tier, path, cabling_csv)
    for ws in openpyxl.load_workbook(path).worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        # fitToWidth 1 is the file format's default, so the file may leave it out
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.freeze_panes == "A2", ws.title


def test_bom_xlsx_large_cabling_plan_splits_by_floor_row(one_tier, tmp_path, monkeypatch):
    plan = tmp_path / "cabling.csv"
    plan.write_text("cable_id,a_hall,a_row,length_m\n1,hall1,row01,2.5\n2,hall1,row02,3\n"
                    "3,hall1,row01,4\n", "utf-8")
    monkeypatch.setattr(bom_module, "CABLING_SPLIT_ROWS", 2)
    path = tmp_path / "bom.xlsx"
    write_bom_xlsx(one_tier, path, plan)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["BOM", "Summary", "Cabling hall1 row01", "Cabling hall1 row02"]
    rows = [[c.value for c in r] for r in wb["Cabling hall1 row01"].iter_rows()]
    assert rows == [["cable_id", "a_hall", "a_row", "length_m"], [1, "hall1", "row01", 2.5],
                    [3, "hall1", "row01", 4]]


def test_bom_xlsx_large_cabling_plan_is_a_note(one_tier, cabling_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(bom_module, "MAX_CABLING_ROWS", 1)
    path = tmp_path / "bom.xlsx"
    write_bom_xlsx(one_tier, path, cabling_csv)
    sheet = openpyxl.load_workbook(path)["Cabling"]
    assert sheet.max_row == 1
    assert "cabling.csv" in sheet["A1"].value


# --------------------------------------------------------------------------------------------
# report.md


def test_report_context_figures(two_tier):
    context = report_context(two_tier)
    assert context["title"] == "test"
    assert context["total_cost_usd"] == two_tier.total_cost_usd
    pod, side = context["fabrics"]
    result = two_tier.fabrics[0]
    assert pod["name"] == "pod" and pod["tiers"] == 2
    assert pod["gpus"] == 32 * 8
    assert pod["network_share"] == pytest.approx(result.cost_usd / (32 * 200000))
    assert pod["cost_per_gpu_usd"] == pytest.approx(result.cost_usd / 256)
    assert side["server"] is None and side["network_share"] is None
    assert sum(c["cost_usd"] for c in pod["cost_breakdown"]) == pytest.approx(pod["cost_usd"])
    assert sum(c["share"] for c in pod["cost_breakdown"]) == pytest.approx(1.0)
    assert [c["kind"] for c in pod["cost_breakdown"]] == ["switches", "nics", "transceivers",
                                                          "cables"]
    assert {b.fabric for b in pod["bom"]} == {"pod"}
    assert [s["role"] for s in pod["switches"]] == ["leaf", "spine"]
    assert sum(s["count"] for s in pod["switches"]) == sum(
        sum(m.values()) for m in result.switches.values())
    assert {m["link_class"] for m in pod["media"]} == {"node-leaf", "leaf-spine"}
    assert pod["why"] and pod["design"]
    footer = context["footer"]
    summary = two_tier.to_dict()
    assert footer["demand_sha256"] == summary["demand"]["sha256"]
    assert footer["catalog_sha256"] == "c" * 64
    assert footer["optimal"] is True


def test_report_md_renders_escaped(two_tier, tmp_path):
    path = tmp_path / "report.md"
    write_report_md(two_tier, path, environment())
    text = path.read_text("utf-8")
    for heading in ("# Network design: test", "## Summary", "## Fabric pod", "### Chosen design",
                    "### Why this design", "### Cost breakdown", "### Bill of materials"):
        assert heading in text
    assert "the network is" in text and "of GPU server cost" in text
    assert "sha256 `" + "c" * 64 + "`" in text
    assert r'@SUM(1+1), "quoted" \| pipe second line' in text
    assert "\n\n\n" not in text
    table_rows = [line for line in text.splitlines() if line.startswith("|")]
    widths = {line.count("|") - line.count(r"\|") for line in table_rows if "NIC400" in line}
    assert widths == {10}


# --------------------------------------------------------------------------------------------
# Explanations


def test_capacity_helpers():
    fabric = Fabric(name="x", nodes=16, endpoints_per_node=8, port_speed_gbps=400)
    assert one_tier_endpoints(fabric, "tor") == 128
    assert one_tier_endpoints(fabric, "rail-optimized") == 128
    assert one_tier_endpoints(fabric, "rail-only") == 16
    assert max_leaf_downlinks(64, 1.0) == 32
    assert max_leaf_downlinks(64, 2.0) == 42
    assert max_leaf_downlinks(1, 1.0) == 0
    switch = Switch(model="s", ports=64, port_speed_gbps=400, price_usd=1)
    assert two_tier_max_endpoints(switch_modes(switch), 1.0) == (2048, 64, 32)
    assert two_tier_max_endpoints([], 1.0) == (0, 0, 0)


def test_binding_limits_one_tier(one_tier):
    fabric = one_tier.fabrics[0]
    assert fabric.structure.tiers == 1
    sentences = binding_limits(fabric, one_tier.catalog)
    assert any(s.startswith("One switch takes all 8 endpoints") for s in sentences)
    assert any("node-leaf links use DAC cables (DAC-400-3M)" in s for s in sentences)
    assert not any("oversubscription" in s for s in sentences)
    assert describe_structure(fabric)[0].startswith("Single switch: 1 x SW16")


def test_binding_limits_two_tier(two_tier):
    fabric = two_tier.fabrics[0]
    assert fabric.structure.tiers == 2
    sentences = binding_limits(fabric, two_tier.catalog)
    text = "\n".join(sentences)
    assert ("Radix forces more than one tier: 1 tier needs one switch with at least 128 ports "
            "at 400G, and the largest of the allowed switches has 32 (SW32).") in sentences
    assert "caps the design at 2 tiers: 3 tiers take 5 switch hops" in text
    assert "Non-blocking is required" in text
    assert ("node-leaf links are optical because the worst run of 10 m exceeds the reach of "
            "every direct cable at 400G (longest: DAC-400-3M, 3 m).") in sentences
    assert "The demand fixes the layout to tor." in sentences
    without_catalog = binding_limits(fabric)
    assert any("largest of the switches in this design" in s for s in without_catalog)
    lines = describe_structure(fabric)
    assert lines[0].startswith("Leaves: ") and lines[1].startswith("Spines: ")


def test_rail_only_report_says_bisection_is_within_each_rail():
    result = _design([{"name": "rails", "nodes": 8, "endpoints_per_node": 2,
                       "port_speed_gbps": 400, "layout": "rail-only", "node_forwarding": True}])
    sentences = binding_limits(result.fabrics[0], result.catalog)
    assert any("bisection is reported and verified within each rail" in s for s in sentences)


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_relaxation_gap_bounds_the_optimum_and_keeps_the_design(solver):
    from designer.model.formulation import build_model, read_structure
    from designer.site.grid import fabric_site
    from designer.solvers.solve import relaxation_gap, solve

    spec = DemandFile.model_validate({"name": "gap", "fabrics": [
        {"name": "pod", "nodes": 32, "endpoints_per_node": 4, "port_speed_gbps": 400,
         "max_switch_hops": 3, "layout": "tor"}], "site": {"node_leaf_m": 10.0}})
    model = build_model(spec.fabrics[0], fabric_site(spec.site, None), _catalog())
    structure, report = solve(model, solver=solver)
    assert report.optimal and report.gap == 0.0
    gap = relaxation_gap(model, solver, report.objective_usd)
    assert 0.0 <= gap < 1.0  # the LP bound is below the proved optimum
    assert read_structure(model) == structure  # the incumbent's values are restored


def test_unproven_design_reports_its_gap(one_tier, tmp_path):
    import dataclasses

    fabric = one_tier.fabrics[0]
    unproven = dataclasses.replace(fabric, solve=dataclasses.replace(
        fabric.solve, gap=0.0123, status=SolveStatus.FEASIBLE))
    result = dataclasses.replace(one_tier, fabrics=(unproven, *one_tier.fabrics[1:]))
    out = result.write(tmp_path / "out")
    assert "at most 1.23% cheaper, by the LP relaxation bound" in (out / "report.md").read_text()
    design = json.loads((out / "design.json").read_text())
    assert design["optimal"] is False and design["fabrics"][0]["solve"]["gap"] == 0.0123
