"""The files of ``design sweep``: ``sweep.csv`` and the pictures (``sweep_plot``), written
atomically (:mod:`designer.staging`); :mod:`designer.studies.sweep` computes the points."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from designer.outputs import sweep_plot
from designer.outputs.templating import neutralize
from designer.staging import staged_folder

if TYPE_CHECKING:
    from designer.studies.sweep import SweepResult

SWEEP_FILES = ("sweep.csv", "sweep.png", "sweep.svg")
CSV_COLUMNS = ("value", "status", "gpus", "nodes", "tiers", "layout", "protocol", "switches",
               "oversubscription", "max_switch_hops", "bisection_gbps", "cost_usd",
               "cost_per_gpu_usd", "power_w", "energy_usd", "tco_per_gpu_usd", "optimal",
               "message")


def write_sweep(result: SweepResult, outdir: str | Path, force: bool = False) -> Path:
    """Write ``sweep.csv``, ``sweep.png`` and ``sweep.svg`` (cost per GPU) into ``outdir``,
    atomically: the folder appears complete or not at all."""
    with staged_folder(outdir, force, SWEEP_FILES) as staging:
        write_sweep_csv(result, staging / "sweep.csv")
        sweep_plot.write_plots(result, staging / "sweep")
    return Path(outdir).resolve()


def write_sweep_csv(result: SweepResult, path: Path) -> None:
    """One row per point, in value order."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for point in result.points:
            row = asdict(point)
            writer.writerow(["" if row[c] is None else _cell(row[c]) for c in CSV_COLUMNS])


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.12g}"
    return neutralize(str(value))
