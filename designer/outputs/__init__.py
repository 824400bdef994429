"""Writing a design to disk: every file at once, atomically.

Files are first written into a temporary folder beside ``outdir``; only when all of them are
complete is the folder moved into place, so a failure never leaves a half-written ``outdir``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from designer.errors import DesignerError, InputError

if TYPE_CHECKING:
    from designer.result import DesignResult

OUTPUT_FILES = ("design.json", "bom.csv", "bom.xlsx", "cabling.csv", "report.md",
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
    from designer.exports import write_exports
    from designer.outputs.bom import write_bom_csv, write_bom_xlsx
    from designer.outputs.cabling import write_cabling_csv
    from designer.outputs.html import write_report_html
    from designer.outputs.report import write_report_md
    from designer.outputs.runlists import write_cable_order, write_runlists
    from designer.outputs.templating import environment
    from designer.verify import verify

    env = environment(templates)
    say = progress or (lambda message: None)
    with staged_folder(outdir, force) as staging:
        write_design_json(result, staging / "design.json")
        write_bom_csv(result, staging / "bom.csv", env)
        say("writing the cabling plan")
        cables = write_cabling_csv(result, staging / "cabling.csv")
        say(f"writing run lists and the cable order ({cables:,} cable legs)")
        write_runlists(staging / "cabling.csv", staging / "runlists")
        write_cable_order(staging / "cabling.csv", staging / "cable-order.csv",
                          result.parts_table())
        say("writing bom.xlsx and the reports")
        write_bom_xlsx(result, staging / "bom.xlsx", staging / "cabling.csv")
        write_report_md(result, staging / "report.md", env)
        write_report_html(result, staging / "report.html", env)
        say("writing exports (NetBox, containerlab, NVIDIA cable validation)")
        write_exports(staging)
        say("verifying the written design independently")
        report = verify(staging)
        (staging / "verification.json").write_text(
            json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
    return Path(outdir).resolve()


@contextlib.contextmanager
def staged_folder(outdir: str | Path, force: bool = False,
                  ours: tuple[str, ...] = OUTPUT_FILES) -> Iterator[Path]:
    """Yield a temporary folder beside ``outdir``; on success it replaces ``outdir`` whole,
    on any failure it is removed, so ``outdir`` is never half-written."""
    outdir = Path(outdir)
    check_outdir(outdir, force, ours)
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        yield staging
        replace_folder(staging, outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_outdir(outdir: Path, force: bool, ours: tuple[str, ...] = OUTPUT_FILES) -> None:
    """Refuse an OUTDIR that cannot be replaced safely.

    Not a file; not the current folder or one of its parents; and, unless ``force``, holding
    nothing but files a previous run wrote (``ours``).
    """
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: exists and is not a folder")
    resolved = outdir.resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise InputError(f"{outdir}: the output folder cannot be the current folder or one "
                         "of its parents (it is replaced as a whole)")
    if outdir.exists() and not force:
        foreign = sorted(p.name for p in outdir.iterdir() if p.name not in ours)
        if foreign:
            raise InputError(f"{outdir}: folder holds other files ({', '.join(foreign[:3])}); "
                             "use --force to replace it")


def replace_folder(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` folder to ``target``, replacing an older one.

    The old folder is renamed aside before the new one moves in, so ``target`` is always either
    the old complete folder or the new complete one.
    """
    os.chmod(staging, 0o755)
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def write_design_json(result: DesignResult, path: Path) -> None:
    path.write_text(json.dumps(result.to_dict(), indent=2, sort_keys=False) + "\n", "utf-8")


__all__ = ["OUTPUT_FILES", "DesignerError", "replace_folder", "staged_folder", "write_all",
           "write_design_json"]
