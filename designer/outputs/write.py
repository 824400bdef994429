"""Writing a design to disk: every file at once, atomically (:mod:`designer.staging`)."""

from __future__ import annotations

import json
from collections.abc import Callable
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
              force: bool = False, progress: Callable[[str], None] | None = None) -> Path:
    """Write ``design.json``, ``bom.csv``, ``bom.xlsx``, ``cabling.csv``, ``cable-order.csv``,
    ``runlists/``, ``report.md``, ``report.html``, ``exports/`` (NetBox, containerlab, NVIDIA
    cable validation) and ``verification.json``.

    An existing ``outdir`` is replaced only after every file has been written, and only when it
    holds nothing but a previous design's files or ``force`` is true. ``progress`` is called
    with a short line before each long stage.
    """

    env = environment(templates, result.money)
    say = progress or (lambda message: None)
    with staged_folder(outdir, force, OUTPUT_FILES) as staging:
        write_design_json(result, staging / "design.json")
        write_bom_csv(result, staging / "bom.csv", env)
        say("writing the cabling plan")
        cables = write_cabling_csv(result, staging / "cabling.csv")
        say(f"writing racks, run lists and the cable order ({cables:,} cable legs)")
        write_racks_csv(result, staging / "cabling.csv", staging / "racks.csv")
        write_runlists(staging / "cabling.csv", staging / "runlists")
        write_cable_order(staging / "cabling.csv", staging / "cable-order.csv",
                          result.parts_table(),
                          {f.name: f.structure.node_cage[0] for f in result.fabrics})
        say("writing bom.xlsx and the reports")
        write_bom_xlsx(result, staging / "bom.xlsx", staging / "cabling.csv")
        runs = plan_runs(result, staging / "cabling.csv")  # read once, for both reports
        write_report_md(result, staging / "report.md", env, runs)
        write_report_html(result, staging / "report.html", env, staging / "racks.csv", runs)
        say("writing exports (NetBox, containerlab, NVIDIA cable validation)")
        write_exports(staging)
        say("verifying the written design independently")
        report = verify(staging)
        (staging / "verification.json").write_text(
            json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
    return Path(outdir).resolve()


def write_design_json(result: DesignResult, path: Path) -> None:
    path.write_text(json.dumps(result.to_dict(), indent=2, sort_keys=False) + "\n", "utf-8")
