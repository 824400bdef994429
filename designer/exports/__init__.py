"""Exports of a written design into the tools around it, from the output folder alone.

``write_exports(outdir)`` reads ``outdir/design.json`` (and ``bom.csv`` for vendors when
present), streams ``outdir/cabling.csv`` once, each row to every exporter, and writes
``outdir/exports/``:

=============================  ==============================================================
file                           what it is (module)
=============================  ==============================================================
``netbox-devices.csv``         NetBox device bulk import (``netbox``)
``netbox-interfaces.csv``      NetBox interface bulk import: every cabled port (``netbox``)
``netbox-cables.csv``          NetBox cable bulk import, one per cable (``netbox``)
``topology.clab.yml``          containerlab lab: the design, or a scaled-down replica above
                               ``max_lab_nodes`` devices (``containerlab``)
``nvidia-cvt-p2p.csv``         A/Z sheet for NVIDIA's Cable Validation Tool (``nvidia``)
=============================  ==============================================================

Every exporter takes the parsed ``design.json`` and an iterable of cabling rows as dicts
(``csv.DictReader``), reads columns by name, and tolerates missing optional columns, so it can
run on a folder written earlier. The same folder gives byte-identical exports; text cells are
neutralized against spreadsheet formulas. ``exports/`` is written into a temporary folder and
moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from designer.errors import InputError
from designer.staging import new_staging, remove_stale_staging, replace_folder

EXPORTS_DIR = "exports"
CONTAINERLAB_FILE = "topology.clab.yml"
NVIDIA_FILE = "nvidia-cvt-p2p.csv"
DEFAULT_LAB_NODES = 64


def write_exports(outdir: str | Path, max_lab_nodes: int = DEFAULT_LAB_NODES) -> list[Path]:
    """Write every export of the design in ``outdir`` into ``outdir/exports/``.

    Parameters
    ----------
    outdir
        A folder written by ``design`` (``DesignResult.write``): ``design.json`` and
        ``cabling.csv`` are required, ``bom.csv`` supplies manufacturer names.
    max_lab_nodes
        Largest containerlab lab written in full (see ``containerlab``).

    Returns
    -------
    list of Path
        The files written, in the table's order.

    Raises
    ------
    InputError
        ``design.json`` or ``cabling.csv`` is missing or unreadable, a cabling row names a
        fabric ``design.json`` lacks, or the lab replica exceeds ``max_lab_nodes``.
    """
    outdir = Path(outdir)
    with exporting(outdir, max_lab_nodes) as exports, cabling_rows(exports.cabling) as rows:
        for row in rows:
            exports.add(row)
    return exports.written


class Exports:
    """Every exporter, fed the plan's rows one at a time (``add``); see :func:`exporting`."""

    def __init__(self, outdir: Path, staging: Path, max_lab_nodes: int):
        from designer.exports.containerlab import ContainerlabExport
        from designer.exports.netbox import NetboxExport
        from designer.exports.nvidia import NvidiaExport

        self.outdir, self.staging = outdir, staging
        self.cabling = outdir / "cabling.csv"
        design = read_design(outdir / "design.json")
        if not self.cabling.is_file():
            raise InputError(f"{self.cabling}: no cabling plan (is {outdir} a design folder?)")
        self._files = contextlib.ExitStack()
        self.lab = ContainerlabExport(design, staging / CONTAINERLAB_FILE, max_lab_nodes)
        self.netbox = self._files.enter_context(
            NetboxExport(design, staging, manufacturers=read_vendors(outdir / "bom.csv")))
        self.nvidia = self._files.enter_context(NvidiaExport(design, staging / NVIDIA_FILE))
        self.written: list[Path] = []

    def add(self, row: dict[str, str]) -> None:
        self.netbox.add(row)
        self.lab.add(row)
        self.nvidia.add(row)

    def close(self) -> None:
        """Close every file the exporters write."""
        self._files.close()

    def finish(self) -> None:
        """Close every file, write the lab, and move ``exports/`` into place."""
        self.close()
        written = [*self.netbox.paths, self.lab.finish(), self.nvidia.path]
        target = self.outdir / EXPORTS_DIR
        replace_folder(self.staging, target)
        self.written = [target / path.name for path in written]


@contextmanager
def exporting(outdir: Path, max_lab_nodes: int = DEFAULT_LAB_NODES) -> Iterator[Exports]:
    """The exports of the design in ``outdir``, written as the caller feeds them the rows of
    ``outdir/cabling.csv`` (one pass may feed other writers too); ``exports/`` appears only
    when the block ends without an error (then ``written`` lists its files)."""
    remove_stale_staging(outdir, EXPORTS_DIR)
    staging = new_staging(outdir, EXPORTS_DIR)
    exports = None
    try:
        exports = Exports(outdir, staging, max_lab_nodes)
        yield exports
        exports.finish()
    except BaseException as error:
        if exports is not None:
            exports.close()
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, ValueError):
            raise InputError(f"{outdir}: {error}") from error
        raise


def read_design(path: Path) -> dict:
    """``design.json`` parsed, or an ``InputError`` naming the file."""
    try:
        design = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no design.json (is {path.parent} a design folder?)") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: cannot read design.json: {error}") from None
    if not isinstance(design, dict) or not isinstance(design.get("fabrics"), list):
        raise InputError(f"{path}: not a design.json (no `fabrics` list)")
    return design


def read_vendors(path: Path) -> dict[str, str]:
    """``{model: vendor}`` from ``bom.csv``; empty when the file is absent."""
    if not Path(path).is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["model"]: row["vendor"] for row in csv.DictReader(handle)
                if row.get("model") and row.get("vendor")}


@contextmanager
def cabling_rows(path: Path) -> Iterator[Iterator[dict[str, str]]]:
    """``cabling.csv`` opened for one pass, as a ``csv.DictReader``."""
    with open(path, newline="", encoding="utf-8") as handle:
        yield csv.DictReader(handle)


__all__ = ["CONTAINERLAB_FILE", "EXPORTS_DIR", "NVIDIA_FILE", "Exports", "exporting",
           "write_exports"]
