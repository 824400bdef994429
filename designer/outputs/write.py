"""Writing a design to disk: every file at once, atomically (:mod:`designer.staging`)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from designer.exports import write_exports
from designer.outputs.bom import write_bom_csv, write_bom_xlsx
from designer.outputs.cabling import write_cabling_csv
from designer.outputs.html import write_report_html
from designer.outputs.racks import write_racks_csv
from designer.outputs.report import plan_runs, write_report_md
from designer.outputs.runlists import write_cable_order, write_runlists
from designer.outputs.templating import environment
from designer.staging import staged_folder
from designer.verify import verify

if TYPE_CHECKING:
    from designer.results.result import DesignResult

OUTPUT_FILES = ("design.json", "bom.csv", "bom.xlsx", "cabling.csv", "racks.csv", "report.md",
                "report.html", "verification.json", "cable-order.csv", "runlists", "exports")


def write_all(result: DesignResult, outdir: Path, templates: str | Path | None = None,
              force: bool = False, progress: Callable[[str], None] | None = None,
              timed: Callable[[str, float], None] | None = None) -> Path:
    """Write ``design.json``, ``bom.csv``, ``bom.xlsx``, ``cabling.csv``, ``cable-order.csv``,
    ``runlists/``, ``report.md``, ``report.html``, ``exports/`` (NetBox, containerlab, NVIDIA
    cable validation) and ``verification.json``.

    An existing ``outdir`` is replaced only after every file has been written, and only when it
    holds nothing but a previous design's files or ``force`` is true. ``progress`` is called
    with a short line before each long stage; ``timed`` with each stage's name and wall
    seconds after it (``benchmarks/output_scale.py``).
    """

    env = environment(templates, result.money)
    say = progress or (lambda message: None)
    clock = _Clock(timed)
    with staged_folder(outdir, force, OUTPUT_FILES) as staging:
        cabling_csv = staging / "cabling.csv"
        with clock("design.json"):
            write_design_json(result, staging / "design.json")
        with clock("bom.csv"):
            write_bom_csv(result, staging / "bom.csv", env)
        say("writing the cabling plan")
        with clock("cabling.csv"):
            cables = write_cabling_csv(result, cabling_csv)
        say(f"writing racks, run lists and the cable order ({cables:,} cable legs)")
        with clock("racks.csv"):
            write_racks_csv(result, cabling_csv, staging / "racks.csv")
        with clock("runlists"):
            write_runlists(cabling_csv, staging / "runlists")
        with clock("cable-order.csv"):
            write_cable_order(cabling_csv, staging / "cable-order.csv", result.parts_table(),
                              {f.name: f.structure.node_cage[0] for f in result.fabrics})
        say("writing bom.xlsx and the reports")
        with clock("bom.xlsx"):
            write_bom_xlsx(result, staging / "bom.xlsx", cabling_csv)
        with clock("report runs"):
            runs = plan_runs(result, cabling_csv)  # read once, for both reports
        with clock("report.md"):
            write_report_md(result, staging / "report.md", env, runs)
        with clock("report.html"):
            write_report_html(result, staging / "report.html", env, staging / "racks.csv",
                              runs)
        say("writing exports (NetBox, containerlab, NVIDIA cable validation)")
        with clock("exports"):
            write_exports(staging)
        say("verifying the written design independently")
        with clock("verify"):
            report = verify(staging)
        (staging / "verification.json").write_text(
            json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
    return Path(outdir).resolve()


class _Clock:
    """``with clock(name):`` reports the block's wall seconds to ``timed`` (if any)."""

    def __init__(self, timed: Callable[[str, float], None] | None):
        self.timed = timed

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        if self.timed is not None:
            self.timed(name, time.perf_counter() - started)


def write_design_json(result: DesignResult, path: Path) -> None:
    path.write_text(json.dumps(result.to_dict(), indent=2, sort_keys=False) + "\n", "utf-8")
