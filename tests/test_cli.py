"""The ``design`` command: the contract's form, exit codes, and no partial output on failure."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`

LAB = ROOT / "examples" / "lab-16.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designer.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_main_form_writes_every_output(tmp_path):
    out = tmp_path / "out"
    done = run(str(LAB), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "bom.csv", "bom.xlsx", "cable-order.csv", "cabling.csv", "design.json", "exports",
        "failures.csv", "racks.csv", "report.html", "report.md", "runlists",
        "spares.csv", "verification.json"]
    design = json.loads((out / "design.json").read_text())
    assert design["optimal"] is True and design["solver"] == "highs"  # the default
    assert "wrote" in done.stderr


def test_cbc_and_catalog_options(tmp_path):
    out = tmp_path / "out"
    done = run(str(LAB), "-o", str(out), "--solver", "cbc", "--time-limit", "60",
               "--catalog", "frontend-ethernet")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "design.json").read_text())["solver"] == "cbc"


def test_help_shows_an_example():
    done = run("--help")
    assert done.returncode == 0
    assert "design examples/training-1024.yaml -o out/" in done.stdout
    assert "Exit codes" in done.stdout


def test_invalid_demand_exits_1_with_a_headline_and_writes_nothing(tmp_path):
    demand = write(tmp_path, "bad.yaml", """\
        fabrics:
          - name: x
            nodes: 0
            endpoints_per_node: 8
            port_speed_gbps: 400
        """)
    out = tmp_path / "out"
    done = run(str(demand), "-o", str(out))
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {demand}: fabrics[0].nodes: must be > 0")
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_missing_file_exits_1(tmp_path):
    done = run(str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "cannot read" in done.stderr


def test_usage_error_exits_2(tmp_path):
    done = run(str(LAB))
    assert done.returncode == 2
    assert "-o" in done.stderr
    assert run(str(LAB), "-o", str(tmp_path / "o"), "--solver", "gurobi").returncode == 2


def test_infeasible_demand_exits_3_and_writes_nothing(tmp_path):
    demand = write(tmp_path, "big.yaml", """\
        catalogs: [frontend-ethernet]
        fabrics:
          - name: too-big
            nodes: 1000
            endpoints_per_node: 8
            port_speed_gbps: 100
            max_switch_hops: 1
        """)
    out = tmp_path / "out"
    done = run(str(demand), "-o", str(out))
    assert done.returncode == 3, done.stderr
    assert "too-big" in done.stderr and "no design" in done.stderr
    assert not out.exists()


def test_debug_prints_the_traceback(tmp_path):
    done = run(str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "out"), "--debug")
    assert done.returncode == 1
    assert "Traceback" in done.stderr


def test_rerun_replaces_a_previous_design_but_not_a_foreign_folder(tmp_path):
    out = tmp_path / "out"
    assert run(str(LAB), "-o", str(out)).returncode == 0
    first = (out / "design.json").read_bytes()
    assert run(str(LAB), "-o", str(out)).returncode == 0
    assert (out / "design.json").read_bytes() == first
    (out / "notes.txt").write_text("mine")
    refused = run(str(LAB), "-o", str(out))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert (out / "notes.txt").exists()
    assert run(str(LAB), "-o", str(out), "--force").returncode == 0
    assert not (out / "notes.txt").exists()


def test_same_input_gives_byte_identical_outputs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(str(LAB), "-o", str(one)).returncode == 0
    assert run(str(LAB), "-o", str(two)).returncode == 0
    files = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert "runlists/hall1-row01.csv" in files and "exports/topology.clab.yml" in files
    assert files == sorted(str(p.relative_to(two)) for p in two.rglob("*") if p.is_file())
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    design = json.loads((one / "design.json").read_text())
    assert len(design["demand"]["sha256"]) == 64 and design["catalogs"]["sha256"]
    assert design["designer_version"] and design["solver_versions"]["pulp"]


def test_verify_verb_passes_a_design_and_fails_a_broken_one(tmp_path):
    out = tmp_path / "out"
    assert run(str(LAB), "-o", str(out)).returncode == 0
    done = run("verify", str(out))
    assert done.returncode == 0, done.stderr
    assert "PASS" in done.stdout and "bill of materials" in done.stdout
    cabling = (out / "cabling.csv").read_text().splitlines()
    (out / "cabling.csv").write_text("\n".join(cabling[:-1]) + "\n")
    broken = run("verify", str(out))
    assert broken.returncode == 1
    assert "FAIL" in broken.stdout and "verification failed" in broken.stderr


def test_validate_and_schema_verbs(tmp_path):
    done = run("validate", str(LAB), str(ROOT / "catalogs" / "nvidia-infiniband.yaml"))
    assert done.returncode == 0, done.stderr
    assert "valid demand" in done.stdout and "valid catalog" in done.stdout
    schema = json.loads(run("schema", "demand").stdout)
    assert "fabrics" in schema["properties"]


def test_validate_checks_every_file_and_reports_each_bad_one(tmp_path):
    bad_catalog = write(tmp_path, "c.yaml", "switches:\n  - {model: X, ports: -1}\n")
    bad_demand = write(tmp_path, "d.yaml", "fabrics:\n  - {name: a, nodes: 4, "
                                           "endpoints_per_node: 8, port_speed_gbps: '400G'}\n")
    done = run("validate", str(bad_catalog), str(LAB), str(bad_demand))
    assert done.returncode == 1
    assert "lab-16.yaml: valid demand" in done.stdout
    headlines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(headlines) == 2, done.stderr
    assert "c.yaml: switches[0].ports: must be > 0" in headlines[0]
    assert "d.yaml: fabrics[0].port_speed_gbps" in headlines[1] and "write 400" in headlines[1]


@pytest.mark.parametrize("verb", ["validate"])
def test_validate_reports_bad_files_with_exit_1(tmp_path, verb):
    bad = write(tmp_path, "c.yaml", "switches:\n  - {model: X, ports: -1}\n")
    done = run(verb, str(bad))
    assert done.returncode == 1
    assert "switches[0].ports: must be > 0" in done.stderr
