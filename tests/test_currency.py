"""A demand's currency: the design and every ``_usd`` figure stay in dollars; the bill and the
reports price in the currency, each unit price converted and rounded to the cent, then
extended, and every output says which currency it is in."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT

import designer
from designer.cli import main
from designer.errors import InputError
from designer.verify import VerificationError, verify

TRAINING = ROOT / "examples" / "training-1024.yaml"
QUOTE = ROOT / "examples" / "quotes" / "nvidia-q1234.yaml"
RATE = 0.9234


@pytest.fixture(scope="module")
def in_euros():
    demand = designer.load_demand(TRAINING).with_currency(
        "EUR", RATE, source="ECB reference rate", as_of="2026-12-01")
    return designer.design(demand, designer.load_catalog(["nvidia-infiniband", QUOTE]))


@pytest.fixture(scope="module")
def written(in_euros, tmp_path_factory):
    return in_euros.write(tmp_path_factory.mktemp("eur") / "out")


def test_the_design_is_the_same_and_each_line_is_converted_then_extended(in_euros):
    in_dollars = designer.design(designer.load_demand(TRAINING),
                                 designer.load_catalog(["nvidia-infiniband", QUOTE]))
    assert in_euros.total_cost_usd == in_dollars.total_cost_usd
    total = 0.0
    for line in in_euros.bom:
        assert line.unit_price == round(line.unit_price_usd * RATE, 2)
        assert line.extended_price == line.quantity * line.unit_price
        total += line.extended_price
    assert in_euros.total_cost == pytest.approx(total, abs=0.005)
    # rounding each unit price moves the total off the converted dollar total, a little
    assert in_euros.total_cost == pytest.approx(in_euros.total_cost_usd * RATE, rel=1e-5)
    assert in_dollars.total_cost == in_dollars.total_cost_usd


def test_every_output_states_its_currency(in_euros, written):
    design = json.loads((written / "design.json").read_text("utf-8"))
    assert design["currency"] == {"code": "EUR", "per_usd": RATE,
                                  "source": "ECB reference rate", "as_of": "2026-12-01"}
    assert design["total_cost"] == in_euros.total_cost
    assert design["total_cost_usd"] == in_euros.total_cost_usd
    with open(written / "bom.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["currency"] for r in rows} == {"EUR"}
    assert float(rows[-1]["extended_price"]) == in_euros.total_cost
    book = openpyxl.load_workbook(written / "bom.xlsx", data_only=True)
    sheet = book["BOM"]
    header = [c.value for c in sheet[1]]
    total_row = sheet[sheet.max_row]
    column = header.index("extended_price")
    assert total_row[column].value == pytest.approx(in_euros.total_cost, abs=0.005)
    assert "\u20ac" in total_row[column].number_format
    summary = book["Summary"]
    names = [c.value for c in summary[1]]
    assert summary.cell(2, names.index("currency") + 1).value == "EUR"
    assert summary.cell(2, names.index("cost") + 1).value == pytest.approx(
        in_euros.total_cost, abs=0.005)
    report = (written / "report.md").read_text("utf-8")
    assert "Prices in euros (EUR) at 0.9234 to the US dollar (ECB reference rate, " \
           "2026-12-01)" in report
    assert f"**\u20ac{in_euros.total_cost:,.2f}** for the network" in report
    assert f"| **Total** | **\u20ac{round(in_euros.total_cost):,}** |" in report
    html = (written / "report.html").read_text("utf-8")
    assert "Prices in euros (EUR)" in html and f"network \u20ac{round(in_euros.total_cost):,}" \
        in html


def test_a_price_off_its_rate_fails_verification(written, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(written, out)
    assert verify(out).passed
    with open(out / "bom.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    unit = lines[0].index("unit_price")
    lines[1][unit] = f"{float(lines[1][unit]) + 1:.2f}"
    with open(out / "bom.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    with pytest.raises(VerificationError) as error:
        verify(out)
    assert "EUR" in str(error.value) and "expected" in str(error.value)


def test_the_command_line_takes_a_rate(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, [str(TRAINING), "-o", str(tmp_path / "out"),
                                  "--currency", "GBP=0.79"])
    assert result.exit_code == 0, result.output
    design = json.loads((tmp_path / "out" / "design.json").read_text("utf-8"))
    assert design["currency"]["code"] == "GBP"
    assert f"; GBP {design['total_cost']:,.2f})" in result.output
    bad = runner.invoke(main, [str(TRAINING), "-o", str(tmp_path / "bad"), "--currency", "GBP"])
    assert bad.exit_code == 2 and "is not CODE=RATE, such as EUR=0.92" in bad.output
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(("code", "rate", "says"), [
    ("USD", 0.9, "a US dollar buys one US dollar"),
    ("euro", 0.9, "three-letter ISO 4217 code"),
    ("EUR", 0, "must be > 0"),
])
def test_a_wrong_currency_is_a_clear_error(code, rate, says):
    with pytest.raises(InputError) as error:
        designer.load_demand(TRAINING).with_currency(code, rate)
    assert says in str(error.value)


@pytest.mark.parametrize(("code", "rate", "price"), [("EUR", 0.92, 27600.0),
                                                     ("JPY", 151.37, 4_512_345.0)])
def test_a_quote_priced_in_its_own_currency_bills_its_figure(tmp_path, code, rate, price):
    quote = tmp_path / "quote.yaml"
    quote.write_text(f"currency: {{code: {code}, per_usd: {rate}}}\n"
                     "overrides:\n"
                     f"  - {{model: MQM9790-NS2F, price: {price}, source: quote D-77}}\n",
                     "utf-8")
    demand = designer.load_demand(TRAINING).with_currency(code, rate)
    result = designer.design(demand, designer.load_catalog(["nvidia-infiniband", quote]))
    switch = next(line for line in result.bom if line.model == "MQM9790-NS2F")
    assert switch.unit_price_usd == round(price / rate, 6)
    assert switch.unit_price == price  # converted back at the quote's rate: its own figure
    assert switch.source == f"quote D-77; {code} {price:,.2f} at {rate:g} to the dollar"


def test_a_price_needs_its_files_currency(tmp_path):
    quote = tmp_path / "quote.yaml"
    quote.write_text("overrides:\n  - {model: MQM9790-NS2F, price: 27600}\n", "utf-8")
    with pytest.raises(InputError) as error:
        designer.load_catalog(["nvidia-infiniband", quote])
    assert "needs the file's `currency: {code, per_usd}`" in str(error.value)
