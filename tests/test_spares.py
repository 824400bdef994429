"""Spare parts: quantities follow the demand's policy exactly, over the site or row by row, the
bill and the cable order list them apart from the installed parts, and the totals add up."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import ROOT

import designer
from designer.cli import main
from designer.errors import InputError
from designer.inputs.demand import Demand
from designer.inputs.schema import SparePolicy
from designer.results.spares import installed_by_row
from designer.verify import VerificationError, verify

SPARES = ROOT / "examples" / "spares-1024.yaml"
SHARED = ROOT / "examples" / "shared-site-1024.yaml"


def with_spares(path, spares: dict) -> Demand:
    demand = designer.load_demand(path)
    return Demand.from_dict({**demand.spec.model_dump(exclude_none=True), "spares": spares},
                            path=demand.path)


def installed(result) -> Counter:
    """``{(kind, model): count}`` of the installed bill, every fabric together."""
    counted: Counter = Counter()
    for line in result.installed_bom:
        counted[(line.kind, line.model)] += line.quantity
    return counted


@pytest.mark.parametrize(("policy", "installed_units", "spares"), [
    ({"ratio": 0.05}, 48, 3),          # 2.4 rounds up
    ({"ratio": 0.05, "min": 4}, 48, 4),
    ({"ratio": 0.1}, 30, 3),           # 0.1 x 30 is 3.0000000000000004 in floating point
    ({"one_per": 50}, 1536, 31),
    ({"one_per": 50}, 1500, 30),
    ({"one_per": 50, "min": 2}, 1, 2),
    ({"ratio": 1}, 7, 7),
    ({"ratio": 0.5, "min": 3}, 0, 0),  # nothing installed: no spares, whatever the minimum
])
def test_a_policy_rounds_up_with_its_minimum(policy, installed_units, spares):
    assert SparePolicy(**policy).spares(installed_units) == spares


@pytest.mark.parametrize("policy", [{}, {"ratio": 0.1, "one_per": 10}, {"ratio": 0},
                                    {"ratio": 1.5}, {"one_per": 0}, {"ratio": 0.1, "per": "hall"},
                                    {"ratio": 0.1, "min": -1}])
def test_a_bad_policy_is_refused_plainly(policy):
    raw = designer.load_demand(SPARES).spec.model_dump(exclude_none=True)
    with pytest.raises(InputError, match="spares"):
        Demand.from_dict({**raw, "spares": {"switches": policy}}, path="bad.yaml")


def test_site_spares_follow_the_policy_on_every_model(tmp_path):
    policy = {"switches": {"ratio": 0.05, "min": 2}, "transceivers": {"one_per": 50},
              "cables": {"ratio": 0.02, "min": 1}, "nics": {"one_per": 64}}
    result = designer.design(with_spares(SHARED, policy), designer.load_catalog())
    counted = installed(result)
    expected = {model: SparePolicy(**policy[kind]).spares(count)
                for (kind, model), count in counted.items() if kind in policy}
    spares = {b.model: b.quantity for b in result.bom if b.fabric == "spares"}
    assert spares == {m: n for m, n in expected.items() if n}
    # pooled over the site: a model several fabrics use is counted once, all together
    assert {line.where for line in result.spares} == {"site"}
    assert len(result.fabrics) > 1
    spares_usd = sum(n * result.catalog.part(m).price_usd for m, n in spares.items())
    assert math.isclose(result.spares_usd, spares_usd)
    assert math.isclose(result.total_cost_usd,
                        sum(f.cost_usd for f in result.fabrics) + spares_usd, abs_tol=0.01)
    # each fabric's cost is still its solver objective: the spares are apart
    for fabric in result.fabrics:
        assert math.isclose(fabric.cost_usd, fabric.solve.objective_usd, abs_tol=0.01)


def test_row_spares_count_each_part_where_it_stands():
    result = designer.design(designer.load_demand(SPARES), designer.load_catalog())
    by_row = installed_by_row(result)
    # every installed part is counted in exactly one row
    totals: Counter = Counter()
    for (kind, model, _, _), count in by_row.items():
        totals[(kind, model)] += count
    assert totals == installed(result)
    policy = result.demand.spec.spares.cables
    rows = [line for line in result.spares if line.kind == "cables"]
    assert len({line.where for line in rows}) > 1
    for line in rows:
        hall, row = line.where.split()
        assert line.installed == by_row[("cables", line.model, hall, row)]
        assert line.quantity == policy.spares(line.installed)
    # row by row rounds up in each row: never fewer than over the site
    for model in {line.model for line in rows}:
        per_row = sum(line.quantity for line in rows if line.model == model)
        assert per_row >= policy.spares(installed(result)[("cables", model)])


def test_the_written_bill_order_and_spares_file_agree(tmp_path):
    result = designer.design(designer.load_demand(SPARES), designer.load_catalog())
    out = result.write(tmp_path / "out")
    with open(out / "bom.csv", newline="", encoding="utf-8") as handle:
        bom = list(csv.DictReader(handle))
    spare_rows = [r for r in bom if r["fabric"] == "spares"]
    assert spare_rows and all(float(r["extended_power_w"]) == 0 for r in spare_rows)
    assert all(r["roles"].startswith("spares: ") for r in spare_rows)
    lines = [r for r in bom if r["fabric"] != "TOTAL"]
    total = next(r for r in bom if r["fabric"] == "TOTAL")
    assert math.isclose(sum(float(r["extended_price_usd"]) for r in lines),
                        float(total["extended_price_usd"]), abs_tol=0.01)
    design = json.loads((out / "design.json").read_text("utf-8"))
    assert math.isclose(design["total_cost_usd"], float(total["extended_price_usd"]),
                        abs_tol=0.01)
    assert math.isclose(design["spares_usd"],
                        sum(float(r["extended_price_usd"]) for r in spare_rows), abs_tol=0.01)
    billed = {r["model"]: int(r["quantity"]) for r in spare_rows}
    with open(out / "spares.csv", newline="", encoding="utf-8") as handle:
        listed: Counter = Counter()
        for r in csv.DictReader(handle):
            listed[r["model"]] += int(r["spares"])
    assert dict(listed) == billed
    with open(out / "cable-order.csv", newline="", encoding="utf-8") as handle:
        order = list(csv.DictReader(handle))
    for r in order:
        assert int(r["spares"]) == billed.get(r["part"], 0)
        assert int(r["to_order"]) == int(r["quantity"]) + int(r["spares"])
    assert any(int(r["spares"]) for r in order)
    assert "## Spares" in (out / "report.md").read_text("utf-8")


def test_the_verifier_recounts_the_spares(tmp_path):
    result = designer.design(designer.load_demand(SPARES), designer.load_catalog())
    out = result.write(tmp_path / "out")
    verify(out)
    path = out / "bom.csv"
    rows = path.read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(rows) if line.startswith('"spares","cables"'))
    cells = next(csv.reader([rows[at]]))
    cells[5] = str(int(cells[5]) - 1)  # one cord fewer than the policy asks
    rows[at] = ",".join(f'"{c}"' for c in cells)
    path.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(VerificationError, match=r"spares of .*: 10 by the policy, 9 in bom\.csv"):
        verify(out)


def test_no_policy_no_spares(tmp_path):
    result = designer.design(designer.load_demand(ROOT / "examples" / "training-1024.yaml"),
                             designer.load_catalog())
    assert result.spares == [] and result.spares_usd == 0
    assert result.bom == result.installed_bom
    out = result.write(tmp_path / "out")
    assert (out / "spares.csv").read_text("utf-8") == (
        "kind,model,where,installed,spares,policy\n")


def test_cli_refuses_a_bad_policy_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPARES.read_text("utf-8").replace("{one_per: 50}",
                                                     "{one_per: 50, ratio: 0.1}"), "utf-8")
    outcome = CliRunner().invoke(main, [str(bad), "-o", str(tmp_path / "out")])
    assert outcome.exit_code == 1  # bad input
    assert "spares.transceivers" in outcome.output and "exactly one" in outcome.output
    assert "Traceback" not in outcome.output
    assert not (tmp_path / "out").exists()
