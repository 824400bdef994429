"""A solver time limit: a design found but not proved is written marked ``optimal: false`` with
its gap; no design at all exits 4 and writes nothing.

Which of the two a real time limit gives depends on the machine's speed, so each outcome is
forced: the ``highs`` strategy is replaced (``designer.solvers.strategies.STRATEGIES``) by one
that runs the real search and then reports what a clock running out would have left. The
command line, the API and the writers are the real ones. One real run checks that a time
limit long enough changes nothing.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from designer.cli import main
from designer.solvers.status import SolveStatus
from designer.solvers.strategies import STRATEGIES, highs_search
from designer.verify import verify

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`


def demand_file(tmp_path: Path, nodes: int) -> Path:
    demand = tmp_path / "demand.yaml"
    demand.write_text(textwrap.dedent(f"""\
        fabrics:
          - {{name: f, nodes: {nodes}, endpoints_per_node: 8, port_speed_gbps: 400,
             max_switch_hops: 5}}
        """))
    return demand


def run_cli(tmp_path: Path, nodes: int, seconds: str):
    out = tmp_path / "out"
    done = CliRunner().invoke(main, [str(demand_file(tmp_path, nodes)), "-o", str(out),
                                     "--time-limit", seconds])
    return done, out


def test_a_design_found_but_not_proved_is_written_unproven(tmp_path, monkeypatch):
    def out_of_time_before_the_proof(model, time_limit_s):
        assert time_limit_s == 30.0  # the limit reaches the strategy
        assert highs_search(model, None) is SolveStatus.OPTIMAL
        return SolveStatus.FEASIBLE  # the design found, its proof cut short

    monkeypatch.setitem(STRATEGIES, "highs", out_of_time_before_the_proof)
    done, out = run_cli(tmp_path, 512, "30")
    assert done.exit_code == 0, done.output
    design = json.loads((out / "design.json").read_text())
    assert design["optimal"] is False
    solve = design["fabrics"][0]["solve"]
    assert solve["status"] == "Feasible" and solve["optimal"] is False
    assert 0.0 <= solve["gap"] < 1.0  # the LP relaxation bounds it
    assert "NOT proven optimal, within" in done.output
    assert "at most" in (out / "report.md").read_text()
    assert verify(out).passed


def test_no_design_in_time_exits_4_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setitem(STRATEGIES, "highs", lambda model, time_limit_s: SolveStatus.UNDECIDED)
    done, out = run_cli(tmp_path, 512, "0.5")
    assert done.exit_code == 4
    errors = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.output
    assert "demand.yaml: fabric 'f': solver highs found no feasible design" in errors[0]
    assert "time limit reached" in errors[0]
    assert not out.exists() and not list(out.parent.glob(".out.*"))


def test_a_time_limit_that_is_not_reached_changes_nothing(tmp_path):
    done, out = run_cli(tmp_path, 128, "120")
    assert done.exit_code == 0, done.output
    design = json.loads((out / "design.json").read_text())
    assert design["optimal"] is True and design["fabrics"][0]["solve"]["gap"] == 0.0


@pytest.mark.parametrize("seconds", ["0", "-1", "nan"])
def test_a_time_limit_must_be_a_positive_number(tmp_path, seconds):
    done, out = run_cli(tmp_path, 16, seconds)
    assert done.exit_code == 2 and not out.exists()
