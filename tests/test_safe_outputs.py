"""Safe outputs: a failed or killed write leaves no partial folder, and no input text becomes a
spreadsheet formula in any file the design writes.

A write that raises (an error or Ctrl-C) halfway must leave OUTDIR absent, or holding the
previous complete design byte for byte, and no temporary folder beside it. A writer killed
outright (SIGKILL) cannot clean up: its hidden ``.OUTDIR.tmp-<pid>-*`` folder stays, OUTDIR is
untouched, and the next write beside it removes the leftover.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, solved_example

import designer
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile, Fabric
from designer.outputs.templating import FORMULA_TRIGGERS
from designer.outputs.write import OUTPUT_FILES
from designer.staging import remove_stale_staging, staged_folder
from designer.studies.compare import Comparison, StrategyResult
from designer.studies.sweep import SweepPoint, SweepResult
from designer.verify import verify

LAB = ROOT / "examples" / "lab-16.yaml"
LARGE = ROOT / "examples" / "ethernet-2plane-4096.yaml"  # 16,384 cable legs: a long write


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _siblings(outdir: Path) -> list[str]:
    """Anything beside OUTDIR that a write of it made (its temporary or old folders)."""
    return sorted(p.name for p in outdir.parent.iterdir() if p.name.startswith(f".{outdir.name}."))


@pytest.fixture(scope="module")
def lab():
    return solved_example(LAB)


# --------------------------------------------------------------------------------------------
# An exception halfway through a write


@pytest.mark.parametrize("exception", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_write_leaves_no_new_folder(lab, tmp_path, monkeypatch, exception):
    def broken(*args, **kwargs):
        raise exception

    # report.md is written after design.json, the BOM and the cabling plan.
    monkeypatch.setattr("designer.outputs.write.write_report_md", broken)
    out = tmp_path / "out"
    with pytest.raises(type(exception)):
        lab.write(out)
    assert not out.exists()
    assert _siblings(out) == []


@pytest.mark.parametrize("exception", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_write_keeps_the_previous_design(lab, tmp_path, monkeypatch, exception):
    out = tmp_path / "out"
    lab.write(out)
    before = _snapshot(out)

    def broken(*args, **kwargs):
        raise exception

    monkeypatch.setattr("designer.outputs.write.verify", broken)  # the very last stage
    with pytest.raises(type(exception)):
        lab.write(out)
    assert _snapshot(out) == before
    assert _siblings(out) == []


def _sweep_result() -> SweepResult:
    points = (SweepPoint(64, "optimal", 64, 8, tiers=1, layout="tor", protocol="ethernet",
                         switches="leaf 1 x SW", cost_usd=1000.0, cost_per_gpu_usd=15.6,
                         optimal=True),
              SweepPoint(128, "infeasible", 128, 16, message="no design"))
    return SweepResult("d.yaml", "f", "gpus", None, points)


def test_failed_sweep_write_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("designer.outputs.sweep_plot.write_plots", broken)  # after sweep.csv
    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        _sweep_result().write(out)
    assert not out.exists() and _siblings(out) == []


def test_failed_compare_write_leaves_nothing(tmp_path, monkeypatch):
    fabric = Fabric(name="t", nodes=1, endpoints_per_node=1, port_speed_gbps=400)
    strategy = StrategyResult("separate", "title", (), 0, 0, 0.0, error="no design")
    result = Comparison("d.yaml", fabric, fabric, (strategy,))

    def broken(self):
        raise RuntimeError("template error")

    # compare.md is written after compare.csv and compare.json
    monkeypatch.setattr("designer.outputs.compare_files.comparison_markdown", broken)
    out = tmp_path / "compare"
    with pytest.raises(RuntimeError):
        result.write(out)
    assert not out.exists() and _siblings(out) == []


# --------------------------------------------------------------------------------------------
# A writer killed outright


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_write_removes_what_a_killed_writer_left(tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / f".out.tmp-{_dead_pid()}-abc"
    alive = tmp_path / f".out.tmp-{os.getpid()}-xyz"  # a live writer's folder stays
    other = tmp_path / f".other.tmp-{_dead_pid()}-abc"  # another OUTDIR's is not ours
    for folder in (dead, alive, other):
        (folder / "exports").mkdir(parents=True)
    with staged_folder(out) as staging:
        (staging / "design.json").write_text("{}")
    assert not dead.exists() and alive.exists() and other.exists()
    assert (out / "design.json").exists()


def test_an_interrupted_swap_restores_the_old_folder(tmp_path):
    old = tmp_path / ".out.old"  # killed between moving OUTDIR aside and moving the new one in
    old.mkdir()
    (old / "design.json").write_text("old")
    assert remove_stale_staging(tmp_path, "out") == []
    assert (tmp_path / "out" / "design.json").read_text() == "old" and not old.exists()
    old.mkdir()
    assert remove_stale_staging(tmp_path, "out") == [old]  # OUTDIR exists: the copy goes
    assert not old.exists()


def _run_until(args: list[str], line: str, staged: str) -> subprocess.Popen:
    """Start the CLI, wait for its progress ``line`` and its temporary folder holding
    ``staged``, then SIGKILL it mid-write."""
    proc = subprocess.Popen([sys.executable, "-m", "designer.cli", *args], cwd=ROOT,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        for text in proc.stderr:
            if line in text:
                break
        out = Path(args[args.index("-o") + 1])
        staging = [p for p in out.parent.glob(f".{out.name}.tmp-{proc.pid}-*")]
        assert len(staging) == 1 and (staging[0] / staged).is_file(), text
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return proc


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_write_leaves_outdir_absent_or_old_and_next_run_cleans_up(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    assert subprocess.run([sys.executable, "-m", "designer.cli", str(LAB), "-o", str(old)],
                          cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    before = _snapshot(old)
    for out in (new, old):
        proc = _run_until([str(LARGE), "-o", str(out)], "writing run lists", "cabling.csv")
        leftover = f".{out.name}.tmp-{proc.pid}-"
        assert [name[:len(leftover)] for name in _siblings(out)] == [leftover]
    assert not new.exists()  # a new OUTDIR never appears half-written
    assert _snapshot(old) == before  # an old one is the previous complete design
    # The next write beside them removes the dead writers' folders.
    done = subprocess.run([sys.executable, "-m", "designer.cli", str(LAB), "-o", str(new)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _siblings(new) == [] and verify(new).passed
    assert verify(old).passed
    with staged_folder(old, ours=OUTPUT_FILES):
        pass
    assert _siblings(old) == []


# --------------------------------------------------------------------------------------------
# No input text becomes a formula


HOSTILE = {"switch": "=SW(1)", "nic": "+NIC", "optic": "@SR", "fiber": "-FIB", "dac": "=DAC",
           "vendor": "=HYPERLINK(\"http://x\")", "source": "@SUM(1)", "as_of": "+2025",
           "server": "-GPU8"}


def _hostile_design():
    prov = {"vendor": HOSTILE["vendor"], "source": HOSTILE["source"], "as_of": HOSTILE["as_of"]}
    content = CatalogFile.model_validate({
        "switches": [{"model": HOSTILE["switch"], "ports": 16, "port_speed_gbps": 400,
                      "price_usd": 12000, **prov}],
        "nics": [{"model": HOSTILE["nic"], "ports": 1, "port_speed_gbps": 400,
                  "price_usd": 1000, **prov}],
        "transceivers": [{"model": HOSTILE["optic"], "port_speed_gbps": 400, "reach_m": 50,
                          "price_usd": 500, "fiber": "mmf", **prov}],
        "cables": [{"model": HOSTILE["fiber"], "port_speed_gbps": 400, "reach_m": 100,
                    "price_usd": 30, "kind": "fiber", "fiber": "mmf", **prov},
                   {"model": HOSTILE["dac"], "port_speed_gbps": 400, "reach_m": 3,
                    "price_usd": 100, "kind": "dac", **prov}],
        "servers": [{"model": HOSTILE["server"], "gpus": 8, "price_usd": 200000, **prov}],
    })
    catalog = Catalog.merge([("=evil.yaml", content)], digest="c" * 64)
    demand = Demand.from_dict({
        "name": "=cmd|' /C calc'!A0",
        "fabrics": [{"name": "pod", "nodes": 32, "endpoints_per_node": 4,
                     "port_speed_gbps": 400, "max_switch_hops": 3, "server": HOSTILE["server"]},
                    {"name": "side", "nodes": 2, "endpoints_per_node": 1,
                     "port_speed_gbps": 400}]}, path="=demand.yaml")
    return designer.design(demand, catalog)


def test_no_input_text_becomes_a_formula_in_any_written_file(tmp_path):
    out = tmp_path / "out"
    _hostile_design().write(out)
    cells = 0
    for path in sorted(out.rglob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    cells += 1
                    if cell.startswith(FORMULA_TRIGGERS):  # a number such as -12.5 is fine
                        float(cell)
    book = openpyxl.load_workbook(out / "bom.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    # The workbook's own formulas: products and sums of its cells only.
                    assert cell.data_type == "f" and not any(
                        text.lstrip("=+-@") in cell.value for text in HOSTILE.values()), \
                        (sheet.title, cell.coordinate, cell.value)
    text = (out / "cable-order.csv").read_text("utf-8")
    assert "'=DAC" in text or "'-FIB" in text  # the model is there, neutralized
    assert cells > 1000
    html = (out / "report.html").read_text("utf-8")
    assert "<script" not in html.lower() or "HYPERLINK" not in html
    assert sorted(p.name for p in out.iterdir())[0] == "bom.csv"  # no file named from input


def test_a_killed_export_leaves_nothing_that_blocks_the_next_run(lab, tmp_path):
    from designer.exports import write_exports

    out = tmp_path / "out"
    lab.write(out)
    leftover = out / f".exports.tmp-{_dead_pid()}-abc"  # `design export` killed mid-write
    (leftover / "netbox-devices.csv").parent.mkdir()
    (leftover / "netbox-devices.csv").write_text("partial")
    lab.write(out)  # not "a folder holding other files": the leftover is ours
    leftover.mkdir()
    write_exports(out)
    assert not leftover.exists()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
