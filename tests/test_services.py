"""Licences and support plans: bought with the parts they cover, priced by the optimizer,
billed on lines of their own, and checked by the verifier from the written files."""

from __future__ import annotations

import csv
import pickle
import textwrap

import openpyxl
import pytest
from conftest import ROOT

import designer
from designer.inputs.demand import Demand
from designer.verify import VerificationError, verify

TRAINING = ROOT / "examples" / "training-1024.yaml"
QUOTE = ROOT / "examples" / "quotes" / "nvidia-q1234.yaml"


def quote(tmp_path, text: str):
    path = tmp_path / "quote.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def designed(*catalogs, demand=None):
    return designer.design(demand or designer.load_demand(TRAINING),
                           designer.load_catalog(list(catalogs)))


def parts_of(result) -> dict[tuple[str, str], int]:
    return {(b.kind, b.model): b.quantity for b in result.bom
            if b.kind not in ("licenses", "support")}


def test_each_charge_is_billed_once_per_unit_it_covers(tmp_path):
    path = quote(tmp_path, """\
        licenses:
          - {model: UFM-3Y, vendor: NVIDIA, price_usd: 450, yearly: true, years: 3,
             covers: {vendor: NVIDIA}}
          - {model: PORT-LIC, price_usd: 10, per: port, covers: {model: MQM9790-NS2F}}
        support:
          - {model: SUP-SW, percent_of_list: 8, covers: {kind: switches}}
          - {model: SUP-OPT, percent_of_list: 2, years: 3, covers: {kind: transceivers}}
        """)
    listed = designed("nvidia-infiniband")
    quoted = designed("nvidia-infiniband", path)
    catalog = designer.load_catalog(["nvidia-infiniband"])
    # the charges per unit, worked out here from the quote's terms (objective: 5 years)
    per_switch = {m: 450 * 3 + (10 * s.ports if m == "MQM9790-NS2F" else 0)
                  + s.price_usd * 0.08 * 5 for m, s in catalog.switches.items()}
    per_module = {m: round(t.price_usd * 0.02 * 3, 2) for m, t in catalog.transceivers.items()}
    parts = parts_of(quoted)
    expected = sum(q * per_switch[m] for (k, m), q in parts.items() if k == "switches")
    expected += sum(q * per_module[m] for (k, m), q in parts.items() if k == "transceivers")
    bought = sum(b.quantity * b.unit_price_usd for b in quoted.bom
                 if b.kind in ("licenses", "support"))
    assert bought == pytest.approx(expected, abs=0.005) and bought > 0
    assert parts == parts_of(listed)  # the charges fall on every option alike here
    assert quoted.total_cost_usd == pytest.approx(listed.total_cost_usd + expected, abs=0.005)
    ports = next(b for b in quoted.bom if b.model == "PORT-LIC")
    switches = parts[("switches", "MQM9790-NS2F")]
    assert (ports.covers, ports.quantity, ports.unit_price_usd) == (
        "MQM9790-NS2F", 64 * switches, 10.0)
    assert "per port, perpetual" in ports.source
    fabric = quoted.to_dict()["fabrics"][0]
    assert fabric["licenses_usd"] + fabric["support_usd"] == pytest.approx(expected, abs=0.01)


def test_support_is_a_share_of_the_list_price_before_a_discount(tmp_path):
    path = quote(tmp_path, """\
        discounts:
          - {kind: switches, percent_off: 25}
        support:
          - {model: SUP-1Y, percent_of_list: 10, years: 1, covers: {model: MQM9790-NS2F}}
        """)
    line = next(b for b in designed("nvidia-infiniband", path).bom if b.model == "SUP-1Y")
    assert line.unit_price_usd == 3600.0  # 10% of the $36,000 list, not of the $27,000 net


def test_a_yearly_licence_without_a_term_runs_for_the_objectives_years(tmp_path):
    path = quote(tmp_path, """\
        licenses:
          - {model: OS-SUB, price_usd: 100, yearly: true, covers: {kind: switches}}
        """)
    raw = {"catalogs": ["nvidia-infiniband", str(path)],
           "objective": {"kind": "capex", "years": 3},
           "fabrics": [{"name": "a", "nodes": 16, "endpoints_per_node": 8,
                        "port_speed_gbps": 400}]}
    demand = Demand.from_dict(raw, path=str(tmp_path / "d.yaml"))
    result = designed("nvidia-infiniband", path, demand=demand)
    line = next(b for b in result.bom if b.model == "OS-SUB")
    assert line.unit_price_usd == 300.0 and "3 years at $100.00 a year" in line.source


def test_a_licence_on_one_model_moves_the_design_to_another(tmp_path):
    # $36,000 + $20,000 of licence makes the MQM9790 dearer than the $42,000 MQM9700
    path = quote(tmp_path, """\
        licenses:
          - {model: NOS-9790, price_usd: 20000, covers: {model: MQM9790-NS2F}}
        """)
    listed = designed("nvidia-infiniband")
    quoted = designed("nvidia-infiniband", path)
    assert {m for k, m in parts_of(listed) if k == "switches"} == {"MQM9790-NS2F"}
    assert {m for k, m in parts_of(quoted) if k == "switches"} == {"MQM9700-NS2F"}
    assert not [b for b in quoted.bom if b.kind == "licenses"]
    switches = sum(q for (k, _), q in parts_of(listed).items() if k == "switches")
    assert quoted.optimal
    assert listed.total_cost_usd < quoted.total_cost_usd < (
        listed.total_cost_usd + 20000 * switches)


def test_written_charges_verify_and_a_wrong_line_is_caught(tmp_path):
    result = designed("nvidia-infiniband", QUOTE)
    out = result.write(tmp_path / "out")
    report = verify(out)
    assert report.passed
    book = openpyxl.load_workbook(out / "bom.xlsx", data_only=True)
    sheet = book["BOM"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    assert rows[-1]["extended_price_usd"] == pytest.approx(result.total_cost_usd, abs=0.005)
    assert {r["covers"] for r in rows if r["kind"] == "support"} == {"MQM9790-NS2F"}
    with open(out / "bom.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    quantity = lines[0].index("quantity")
    support = next(i for i, line in enumerate(lines) if line[1] == "support")
    lines[support][quantity] = str(int(lines[support][quantity]) - 1)
    with open(out / "bom.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    with pytest.raises(VerificationError) as error:
        verify(out)
    assert "NV-SUP-SW for MQM9790-NS2F: 48 from the cabling, 47 in bom.csv" in str(error.value)


def test_a_catalog_with_charges_crosses_to_a_worker_whole():
    catalog = designer.load_catalog(["nvidia-infiniband", QUOTE])
    again = pickle.loads(pickle.dumps(catalog))
    assert again.licenses == catalog.licenses and again.support == catalog.support
    assert again.licenses and again.support


def test_a_tco_counts_support_for_its_years_and_says_so(tmp_path):
    raw = {"catalogs": ["nvidia-infiniband", str(QUOTE)],
           "objective": {"kind": "tco", "years": 4},
           "fabrics": [{"name": "a", "nodes": 32, "endpoints_per_node": 8,
                        "port_speed_gbps": 400, "max_switch_hops": 3}]}
    demand = Demand.from_dict(raw, path=str(tmp_path / "d.yaml"))
    result = designed("nvidia-infiniband", QUOTE, demand=demand)
    support = next(b for b in result.bom if b.kind == "support")
    assert support.unit_price_usd == 30000 * 0.08 * 4  # the plan's term: the objective's years
    fabric = result.fabrics[0]
    objective = fabric.objective_dict()
    assert objective["tco_usd"] == pytest.approx(fabric.cost_usd + fabric.energy_usd, abs=0.01)
    assert fabric.solve.objective_usd == pytest.approx(objective["tco_usd"], abs=0.01)
    out = result.write(tmp_path / "out")
    assert "of parts with their licences and support + $" in (out / "report.md").read_text()
