"""Quotes: a later catalog re-prices models an earlier one defined (``overrides:``) and takes
percent off list by vendor, part kind or model (``discounts:``); the optimizer prices with
the net figures, and the bill of materials says where each came from."""

from __future__ import annotations

import textwrap

import pytest
from conftest import ROOT

import designer
from designer.errors import InputError
from designer.inputs.demand import Demand

TRAINING = ROOT / "examples" / "training-1024.yaml"
REPRICED = {"MQM9790-NS2F": 30000.0, "MMA4Z00-NS": 1000.0, "MFP7E10-N010": 60.0}


def quote(tmp_path, text: str):
    path = tmp_path / "quote.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def designed(*catalogs):
    return designer.design(designer.load_demand(TRAINING), designer.load_catalog(list(catalogs)))


def test_three_repriced_parts_and_a_vendor_discount_change_the_total_as_expected(tmp_path):
    path = quote(tmp_path, """\
        overrides:
          - {model: MQM9790-NS2F, price_usd: 30000, source: quote Q-1, as_of: 2026-11}
          - {model: MMA4Z00-NS, price_usd: 1000, source: quote Q-1, as_of: 2026-11}
          - {model: MFP7E10-N010, price_usd: 60, source: quote Q-1, as_of: 2026-11}
        discounts:
          - {vendor: NVIDIA, percent_off: 10}
        """)
    listed = designed("nvidia-infiniband")
    quoted = designed("nvidia-infiniband", path)
    before = {line.model: line for line in listed.bom}
    after = {line.model: line for line in quoted.bom}
    assert {m: b.quantity for m, b in before.items()} == {m: a.quantity for m, a in after.items()}
    expected = sum(b.quantity * round(REPRICED.get(m, b.unit_price_usd) * 0.9, 2)
                   for m, b in before.items())
    assert quoted.total_cost_usd == pytest.approx(expected, abs=0.005)
    assert quoted.total_cost_usd < listed.total_cost_usd
    switch = after["MQM9790-NS2F"]
    assert switch.unit_price_usd == 27000.0 and switch.as_of == "2026-11"
    assert switch.source.startswith("quote Q-1; 10% off list $30,000.00")
    assert (switch.unit_list_price_usd, switch.discount_pct) == (30000.0, 10.0)
    listed_line = before["MQM9790-NS2F"]
    assert (listed_line.unit_list_price_usd, listed_line.discount_pct) == (
        listed_line.unit_price_usd, 0.0)


def test_the_most_specific_discount_wins(tmp_path):
    path = quote(tmp_path, """\
        discounts:
          - {model: MQM9790-NS2F, percent_off: 30}
          - {vendor: NVIDIA, percent_off: 10}
          - {kind: cables, percent_off: 50}
        """)
    catalog = designer.load_catalog(["nvidia-infiniband", path])
    listed = designer.load_catalog(["nvidia-infiniband"])
    assert catalog.switches["MQM9790-NS2F"].price_usd == pytest.approx(
        listed.switches["MQM9790-NS2F"].price_usd * 0.7)
    cable = next(c for c in listed.cables.values() if c.vendor == "NVIDIA")
    assert catalog.cables[cable.model].price_usd == pytest.approx(cable.price_usd * 0.9)


@pytest.mark.parametrize(("text", "says"), [
    ("overrides:\n  - {model: NO-SUCH, price_usd: 1}\n",
     "overrides[0].model: no catalog defines 'NO-SUCH'"),
    ("discounts:\n  - {percent_off: 10}\n", "names exactly one of vendor, kind or model"),
    ("discounts:\n  - {vendor: NVIDIA, kind: cables, percent_off: 10}\n",
     "names exactly one of vendor, kind or model, got vendor, kind"),
    ("discounts:\n  - {vendor: NVIDIA, percent_off: 100}\n", "percent_off: must be < 100"),
    ("overrides:\n  - {model: MQM9790-NS2F, price_usd: 0}\n", "price_usd: must be > 0"),
])
def test_bad_quotes_are_clear_errors(tmp_path, text, says):
    with pytest.raises(InputError) as error:
        designer.load_catalog(["nvidia-infiniband", quote(tmp_path, text)])
    assert says in str(error.value)


def test_a_quote_listed_in_the_demand_applies(tmp_path):
    path = quote(tmp_path, "discounts:\n  - {kind: switches, percent_off: 20}\n")
    raw = {"catalogs": ["nvidia-infiniband", str(path)],
           "fabrics": [{"name": "a", "nodes": 16, "endpoints_per_node": 8,
                        "port_speed_gbps": 400}]}
    demand = Demand.from_dict(raw, path=str(tmp_path / "d.yaml"))
    from designer.inputs.loading import demand_catalogs
    result = designer.design(demand, designer.load_catalog(demand_catalogs(demand)))
    switch = next(line for line in result.bom if line.kind == "switches")
    assert "20% off list" in switch.source


def test_a_quoted_and_energy_priced_catalog_crosses_to_a_worker_whole(tmp_path):
    # Sweeps send catalogs to worker processes by pickle: list prices, and the energy a watt
    # is priced at, must survive the trip.
    import pickle

    from designer.inputs.schema import Objective
    from designer.model.pricing import energy_priced

    path = quote(tmp_path, "discounts:\n  - {kind: switches, percent_off: 20}\n")
    catalog = designer.load_catalog(["nvidia-infiniband", path])
    priced = energy_priced(catalog, Objective(kind="tco", years=5, usd_per_kwh=0.1))
    again = pickle.loads(pickle.dumps(priced))
    assert again.list_prices == priced.list_prices and again.list_prices
    assert again.usd_per_w == priced.usd_per_w > 0
    assert dict(again.switches) == dict(priced.switches)


def test_validate_checks_a_quote_over_the_shipped_catalogs(tmp_path):
    from click.testing import CliRunner

    from designer.cli import main

    runner = CliRunner()
    good = runner.invoke(main, ["validate", str(ROOT / "examples" / "quotes" /
                                                "nvidia-q1234.yaml")])
    assert good.exit_code == 0, good.output
    assert "valid quote over the shipped catalogs (1 discounts, 1 licenses, 3 overrides, " \
           "1 support)" in good.output
    bad = runner.invoke(main, ["validate", str(quote(tmp_path, """\
        overrides:
          - {model: MQM9790-NS2X, price_usd: 1}
        """))])
    assert bad.exit_code == 1
    assert "overrides[0].model: no catalog defines 'MQM9790-NS2X'" in bad.output
