"""The seed's three hybrid strategies, side by side."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import designer
from designer.cli import main
from designer.errors import InputError
from designer.studies.compare import compare, strategy_fabrics

# Training: 12 servers x 2 x 100G non-blocking; inference: 20 servers x 1 x 100G at 4:1.
DEMAND = """\
name: hybrid-small
catalogs: [frontend-ethernet]
fabrics:
  - name: train
    kind: training
    nodes: 12
    endpoints_per_node: 2
    port_speed_gbps: 100
    max_switch_hops: 3
    switch_models: [SN2700]
    server: SYS-521GE-TNRT
  - name: serve
    kind: inference
    nodes: 20
    endpoints_per_node: 1
    port_speed_gbps: 100
    max_oversubscription: 4
    max_switch_hops: 3
    switch_models: [SN2700]
    server: SYS-521GE-TNRT
"""


@pytest.fixture(scope="module")
def demand_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("compare") / "hybrid.yaml"
    path.write_text(DEMAND)
    return path


@pytest.fixture(scope="module")
def comparison(demand_file):
    return compare(designer.load_demand(demand_file))


def test_each_strategy_designs_the_fabrics_it_needs(comparison):
    nodes = {s.name: [f.structure.fabric.nodes for f in s.fabrics]
             for s in comparison.strategies}
    assert nodes == {"separate": [12, 20], "shared": [20], "tiered": [12, 32]}
    servers = {s.name: s.servers for s in comparison.strategies}
    assert servers == {"separate": 32, "shared": 20, "tiered": 32}


def test_totals_add_up_from_independent_designs(comparison, demand_file):
    demand = designer.load_demand(demand_file)
    catalog = designer.load_catalog(["frontend-ethernet"])
    server = catalog.servers["SYS-521GE-TNRT"]
    separate = designer.design(demand, catalog)
    by_name = {s.name: s for s in comparison.strategies}
    assert by_name["separate"].network_usd == pytest.approx(separate.total_cost_usd)
    assert by_name["separate"].server_usd == 32 * server.price_usd
    assert by_name["shared"].server_usd == 20 * server.price_usd
    assert by_name["shared"].gpus == 20 * server.gpus
    # Tiered: the same training fabric plus an inference network over every server.
    assert by_name["tiered"].fabrics[0].cost_usd == pytest.approx(
        by_name["separate"].fabrics[0].cost_usd)
    assert by_name["tiered"].fabrics[1].cost_usd > by_name["separate"].fabrics[1].cost_usd
    # Per-fabric rows count each server once: they add up to the strategy's totals.
    for strategy in comparison.strategies:
        rows = [r for r in comparison.rows() if r["strategy"] == strategy.name]
        assert sum(r["server_usd"] for r in rows) == pytest.approx(strategy.server_usd)
    tiered_rows = [r for r in comparison.rows() if r["strategy"] == "tiered"]
    assert [r["gpus"] for r in tiered_rows] == [12 * server.gpus, 32 * server.gpus]


def test_strategy_fabrics_keep_the_specs(demand_file):
    training, inference = designer.load_demand(demand_file).fabrics
    shared = strategy_fabrics(training, inference)["shared"][0]
    assert shared.nodes == 20 and shared.max_oversubscription == training.max_oversubscription


def test_the_tiered_network_over_every_server_is_ethernet(demand_file):
    training, inference = designer.load_demand(demand_file).fabrics
    for protocol, expected in (("any", "ethernet"), ("infiniband", "infiniband")):
        mine = inference.model_copy(update={"protocol": protocol})
        tiered = strategy_fabrics(training, mine)["tiered"][1]
        assert tiered.protocol == expected and tiered.nodes == training.nodes + mine.nodes


def test_written_comparison_is_deterministic(comparison, tmp_path):
    first, second = comparison.write(tmp_path / "a"), comparison.write(tmp_path / "b")
    for name in ("compare.csv", "compare.json", "compare.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    summary = json.loads((first / "compare.json").read_text())
    assert [s["name"] for s in summary["strategies"]] == ["separate", "shared", "tiered"]
    assert "Against the seed" not in (first / "compare.md").read_text()  # not the seed's case


def test_a_demand_without_both_kinds_is_an_input_error(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(DEMAND.split("  - name: serve")[0])
    with pytest.raises(InputError, match="exactly one fabric of kind 'inference', found 0"):
        compare(designer.load_demand(path))
    result = CliRunner().invoke(main, ["compare", str(path)])
    assert result.exit_code == 1 and "kind 'inference'" in result.output


def test_cli_prints_the_strategies_side_by_side(demand_file, tmp_path):
    result = CliRunner().invoke(main, ["compare", str(demand_file), "-o", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert header == ["separate", "shared", "tiered"]
    assert "network share of server cost" in result.output
