"""Writing a design to disk: every file at once, atomically (:mod:`designer.staging`)."""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from designer.exports import exporting
from designer.outputs.bom import write_bom_csv, write_bom_xlsx
from designer.outputs.cabling import write_cabling_csv
from designer.outputs.failures import failures_by_fabric, write_failures_csv
from designer.outputs.html import write_report_html
from designer.outputs.racks import RackTally
from designer.outputs.report import PartRuns, Runs, write_report_md
from designer.outputs.runlists import CableOrder, RunLists
from designer.outputs.spares import write_spares_csv
from designer.outputs.templating import environment
from designer.results.spares import SPARES
from designer.staging import staged_folder
from designer.verify import VerificationError, VerificationReport, verify

if TYPE_CHECKING:
    from designer.results.result import DesignResult

PARALLEL_VERIFY_CABLES = 20_000  # a plan this large is verified while the rest is written
OUTPUT_FILES = ("design.json", "bom.csv", "bom.xlsx", "cabling.csv", "racks.csv", "report.md",
                "report.html", "verification.json", "cable-order.csv", "runlists", "exports",
                "failures.csv", "spares.csv")


def write_all(result: DesignResult, outdir: Path, templates: str | Path | None = None,
              force: bool = False, progress: Callable[[str], None] | None = None,
              timed: Callable[[str, float], None] | None = None) -> Path:
    """Write ``design.json``, ``bom.csv``, ``bom.xlsx``, ``cabling.csv``, ``cable-order.csv``,
    ``runlists/``, ``report.md``, ``report.html``, ``exports/`` (NetBox, containerlab, NVIDIA
    cable validation), ``verification.json`` and ``failures.csv``.

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
            write_spares_csv(result, staging / "spares.csv")
        say("writing the cabling plan and the racks")
        racks = RackTally(result)
        with clock("cabling.csv"):
            cables = write_cabling_csv(result, cabling_csv, also=racks.add)
        with clock("racks.csv"):
            racks.write(staging / "racks.csv")
        # every file the verifier reads is written: a large plan is verified on another core
        # while the rest is written
        with Verification(staging, parallel=cables >= PARALLEL_VERIFY_CABLES) as checking:
            runs = _write_the_plans_readers(result, staging, cables, say, clock)
            say("writing bom.xlsx")
            with clock("bom.xlsx"):
                write_bom_xlsx(result, staging / "bom.xlsx", cabling_csv, cables)
            say("verifying the written design independently")
            with clock("verify (waited for)" if checking.parallel else "verify"):
                report = checking.report()
        (staging / "verification.json").write_text(
            json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
        # what one failure costs is the verifier's figure: the reports follow it
        say("writing the failure table and the reports")
        failures = failures_by_fabric(report.figures)
        write_failures_csv(failures, staging / "failures.csv")
        with clock("report.md"):
            write_report_md(result, staging / "report.md", env, runs, failures)
        with clock("report.html"):
            write_report_html(result, staging / "report.html", env, staging / "racks.csv",
                              runs, failures)
    return Path(outdir).resolve()


def _write_the_plans_readers(result: DesignResult, staging: Path, cables: int,
                             say: Callable[[str], None], clock: _Clock) -> Runs:
    """From one pass over the written plan: the run lists, the cable order and the exports;
    returns the runs each part serves (for the reports)."""
    say(f"writing run lists, the cable order and the exports (NetBox, containerlab, NVIDIA "
        f"cable validation) from {cables:,} cable legs")
    order = CableOrder(result.parts_table(),
                       {f.name: f.structure.node_cage[0] for f in result.fabrics})
    runs = PartRuns()
    with (clock("runlists, cable order, exports"),
          open(staging / "cabling.csv", newline="", encoding="utf-8") as handle,
          exporting(staging) as exports):
        rows = csv.DictReader(handle)
        with RunLists(staging / "runlists", rows.fieldnames or []) as runlists:
            for row in rows:
                runlists.add(row)
                order.add(row)
                runs.add(row)
                exports.add(row)
        order.write(staging / "cable-order.csv",
                    {b.model: b.quantity for b in result.bom if b.fabric == SPARES})
    return runs.runs


class Verification:
    """The independent verification of a written folder, run in a forked worker process
    (``parallel``, where the platform forks) while the caller goes on writing, else when the
    report is asked for.

    The worker ships back a report; should it fail in any way (an error, or killed), the
    folder is verified again here, so what the caller sees is what ``verify`` itself says. A
    context manager: leaving it ends a worker still running.
    """

    def __init__(self, folder: Path, parallel: bool):
        self.folder = folder
        self.parallel = parallel and "fork" in multiprocessing.get_all_start_methods()
        self._process = None
        if self.parallel:
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(target=_verify_into, args=(folder, send),
                                            daemon=True)
            self._process.start()
            send.close()

    def __enter__(self) -> Verification:
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._receive.close()

    def report(self) -> VerificationReport:
        """The report (raising ``VerificationError`` when a check failed)."""
        shipped = None
        if self._process is not None:
            try:
                shipped = self._receive.recv()
            except EOFError:  # the worker died without a word: verify here instead
                shipped = None
        if shipped is None:
            return verify(self.folder)
        if not shipped.passed:
            raise VerificationError(shipped)
        return shipped


def _verify_into(folder: Path, send) -> None:
    """The worker: the report, or None when ``verify`` itself raised."""
    try:
        report = verify(folder, raise_on_failure=False)
    except BaseException:
        report = None
    send.send(report)
    send.close()


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
