"""The bill of materials: ``bom.csv`` (from a template) and ``bom.xlsx`` (openpyxl).

Both list one line per (fabric, part) from :attr:`DesignResult.bom`, then a total that equals
``total_cost_usd``. Catalog text is untrusted: every text cell that starts like a spreadsheet
formula (``= + - @``, tab, CR) is prefixed with a single quote, in the CSV and in the workbook.

The workbook is byte-identical across runs: fixed document dates and creator, and the zip
archive rewritten with fixed entry dates and permissions (openpyxl stamps the current time on
both). Its sheets:

- ``BOM``: the lines, extended price and power as formulas (quantity x unit), a ``SUM`` total
  row, bold frozen header, autofilter;
- ``Summary``: one row per fabric, cost and power summed from ``BOM`` by formula;
- ``Cabling``: ``cabling.csv`` copied row by row, or a note when it is too large.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.functions import tostring

from designer.outputs.templating import neutralize

if TYPE_CHECKING:
    from designer.results.result import BomLine, DesignResult, FabricResult

BOM_TEMPLATE = "bom.csv.j2"
BOM_COLUMNS = ("fabric", "kind", "model", "vendor", "roles", "quantity", "unit_price_usd",
               "extended_price_usd", "unit_power_w", "extended_power_w", "source", "as_of")
SUMMARY_COLUMNS = ("fabric", "kind", "tiers", "layout", "protocol", "planes", "nodes",
                   "server", "gpus", "cost_usd", "cost_per_gpu_usd", "server_cost_usd",
                   "network_share_of_server_cost", "power_w")
# openpyxl writes about 4,000 rows a second here: past this the sheet would dominate the run.
MAX_CABLING_ROWS = 20_000
FIXED_DATETIME = datetime.datetime(2000, 1, 1)
ZIP_DATE_TIME = (2000, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644 << 16
CREATOR = "designer"

USD_FORMAT = '"$"#,##0.00'
COUNT_FORMAT = "#,##0"
POWER_FORMAT = "#,##0.0"
SHARE_FORMAT = "0.0%"
BOLD = Font(bold=True)
NUMBER_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
MIN_WIDTH, MAX_WIDTH = 8, 60


# --------------------------------------------------------------------------------------------
# bom.csv


def write_bom_csv(result: DesignResult, path: Path, env: jinja2.Environment) -> None:
    """Render ``bom.csv.j2``: one row per BOM line, then a ``TOTAL`` row."""
    lines = result.bom
    template = env.get_template(BOM_TEMPLATE)
    with open(path, "w", encoding="utf-8", newline="") as out:
        template.stream(columns=BOM_COLUMNS, lines=lines,
                        total_cost_usd=result.total_cost_usd,
                        total_power_w=sum(b.extended_power_w for b in lines)).dump(out)


# --------------------------------------------------------------------------------------------
# bom.xlsx


def write_bom_xlsx(result: DesignResult, path: Path, cabling_csv_path: Path | None) -> None:
    """Write ``bom.xlsx`` with the BOM, Summary and Cabling sheets, deterministically.

    ``cabling_csv_path`` is copied into the Cabling sheet when it has at most
    ``MAX_CABLING_ROWS`` rows; ``None`` leaves a note instead.
    """
    wb = Workbook(write_only=True)
    wb.calculation.fullCalcOnLoad = True
    lines = result.bom
    bom_sheet(wb.create_sheet("BOM"), lines)
    summary_sheet(wb.create_sheet("Summary"), result, len(lines))
    cabling_sheet(wb.create_sheet("Cabling"), cabling_csv_path)
    fix_properties(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    fix_properties(wb)
    Path(path).write_bytes(deterministic_zip(buffer.getvalue(), core_xml(wb)))


def cell_text(value: object) -> str:
    """Catalog text made safe for a cell: no illegal XML characters, no formula."""
    return neutralize(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _styled(ws: WriteOnlyWorksheet, value: object, number_format: str | None = None,
            bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if number_format is not None:
        cell.number_format = number_format
    if bold:
        cell.font = BOLD
    return cell


def _header(ws: WriteOnlyWorksheet, columns: tuple[str, ...]) -> list[WriteOnlyCell]:
    return [_styled(ws, name, bold=True) for name in columns]


def _set_widths(ws: WriteOnlyWorksheet, rows: list[tuple[object, ...]]) -> None:
    """Column widths from the longest value shown, clamped to ``MIN_WIDTH..MAX_WIDTH``."""
    for index in range(max((len(r) for r in rows), default=0)):
        longest = max(len(str(r[index])) for r in rows if index < len(r))
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        ws.column_dimensions[get_column_letter(index + 1)].width = width


def _column(name: str, columns: tuple[str, ...] = BOM_COLUMNS) -> str:
    return get_column_letter(columns.index(name) + 1)


def bom_rows(lines: list[BomLine]) -> list[tuple[object, ...]]:
    """The BOM lines as cell values (text neutralized), in ``BOM_COLUMNS`` order."""
    qty, unit_usd, unit_w = (_column(c) for c in ("quantity", "unit_price_usd", "unit_power_w"))
    rows = []
    for row, b in enumerate(lines, start=2):
        rows.append((b.fabric, b.kind, cell_text(b.model), cell_text(b.vendor), b.roles,
                     b.quantity, b.unit_price_usd, f"={qty}{row}*{unit_usd}{row}",
                     b.unit_power_w, f"={qty}{row}*{unit_w}{row}", cell_text(b.source),
                     cell_text(b.as_of)))
    return rows


def bom_sheet(ws: WriteOnlyWorksheet, lines: list[BomLine]) -> None:
    """The BOM sheet: header, one row per line with formulas, and a ``SUM`` total row."""
    formats = {"quantity": COUNT_FORMAT, "unit_price_usd": USD_FORMAT,
               "extended_price_usd": USD_FORMAT, "unit_power_w": POWER_FORMAT,
               "extended_power_w": POWER_FORMAT}
    rows = bom_rows(lines)
    last = len(rows) + 1
    _set_widths(ws, [BOM_COLUMNS, *[_shown(r) for r in rows]])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(BOM_COLUMNS))}{last}"
    ws.append(_header(ws, BOM_COLUMNS))
    for row in rows:
        ws.append([_styled(ws, value, formats.get(name))
                   for name, value in zip(BOM_COLUMNS, row, strict=True)])
    ws.append(_total_row(ws, last))


def _shown(row: tuple[object, ...]) -> tuple[object, ...]:
    """What a row looks like on screen, for widths: formulas count as 14 characters."""
    return tuple("" if v is None else "x" * 14 if isinstance(v, str) and v.startswith("=")
                 else v for v in row)


def _total_row(ws: WriteOnlyWorksheet, last: int) -> list[WriteOnlyCell]:
    cells = []
    for name in BOM_COLUMNS:
        letter = _column(name)
        if name == "fabric":
            cells.append(_styled(ws, "TOTAL", bold=True))
        elif name == "extended_price_usd":
            cells.append(_styled(ws, f"=SUM({letter}2:{letter}{last})", USD_FORMAT, bold=True))
        elif name == "extended_power_w":
            cells.append(_styled(ws, f"=SUM({letter}2:{letter}{last})", POWER_FORMAT, bold=True))
        else:
            cells.append(_styled(ws, None))
    return cells


def summary_sheet(ws: WriteOnlyWorksheet, result: DesignResult, bom_count: int) -> None:
    """One row per fabric; cost and power are ``SUMIFS`` over the BOM sheet's lines."""
    rows = [summary_values(f, row, bom_count + 1)
            for row, f in enumerate(result.fabrics, start=2)]
    _set_widths(ws, [SUMMARY_COLUMNS, *[_shown(tuple(v for v, _ in r)) for r in rows]])
    ws.freeze_panes = "A2"
    ws.append(_header(ws, SUMMARY_COLUMNS))
    for values in rows:
        ws.append([_styled(ws, value, fmt) for value, fmt in values])
    ws.append(_summary_total(ws, len(rows) + 1))


def summary_values(fabric_result: FabricResult, row: int, bom_last: int
                   ) -> list[tuple[object, str | None]]:
    """``(value, number format)`` per Summary column; cost and power are BOM formulas."""
    s = fabric_result.structure
    f = s.fabric
    server = fabric_result.server
    here = {name: f"{_column(name, SUMMARY_COLUMNS)}{row}" for name in SUMMARY_COLUMNS}
    fabrics = f"BOM!${_column('fabric')}$2:${_column('fabric')}${bom_last}"

    def bom_sum(bom_column: str) -> str:
        letter = _column(bom_column)
        return f"=SUMIFS(BOM!${letter}$2:${letter}${bom_last},{fabrics},{here['fabric']})"

    cells = {
        "fabric": (f.name, None), "kind": (f.kind, None), "tiers": (s.tiers, None),
        "layout": (s.layout, None), "protocol": (s.protocol, None), "planes": (f.planes, None),
        "nodes": (f.nodes, COUNT_FORMAT),
        "server": (cell_text(server.model) if server else None, None),
        "gpus": (fabric_result.gpus, COUNT_FORMAT),
        "cost_usd": (bom_sum("extended_price_usd"), USD_FORMAT),
        "cost_per_gpu_usd": (f"={here['cost_usd']}/{here['gpus']}" if server else None,
                             USD_FORMAT),
        "server_cost_usd": (fabric_result.server_cost_usd, USD_FORMAT),
        "network_share_of_server_cost": (
            f"={here['cost_usd']}/{here['server_cost_usd']}" if server else None, SHARE_FORMAT),
        "power_w": (bom_sum("extended_power_w"), POWER_FORMAT),
    }
    return [cells[name] for name in SUMMARY_COLUMNS]


def _summary_total(ws: WriteOnlyWorksheet, last: int) -> list[WriteOnlyCell]:
    cells = [_styled(ws, "TOTAL", bold=True)]
    for name in SUMMARY_COLUMNS[1:]:
        letter = _column(name, SUMMARY_COLUMNS)
        fmt = {"cost_usd": USD_FORMAT, "power_w": POWER_FORMAT}.get(name)
        value = f"=SUM({letter}2:{letter}{last})" if fmt else None
        cells.append(_styled(ws, value, fmt, bold=fmt is not None))
    return cells


def cabling_sheet(ws: WriteOnlyWorksheet, cabling_csv_path: Path | None) -> None:
    """Copy ``cabling.csv`` (header bold and frozen), or leave a note when it is too large."""
    if cabling_csv_path is None:
        ws.append(["No cabling plan was written."])
        return
    rows = count_csv_rows(cabling_csv_path)
    if rows > MAX_CABLING_ROWS:
        ws.append([f"The cabling plan has {rows:,} rows, more than {MAX_CABLING_ROWS:,}: "
                   f"see cabling.csv."])
        return
    with open(cabling_csv_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            ws.append(["cabling.csv is empty."])
            return
        names = tuple(cell_text(h) for h in header)
        _set_widths(ws, [tuple(name + "xx" for name in names)])
        ws.freeze_panes = "A2"
        ws.append(_header(ws, names))
        for values in _typed_rows(reader):
            ws.append(values)


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV file (records after the header), streamed."""
    with open(path, encoding="utf-8", newline="") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


def _typed_rows(reader: Iterator[list[str]]) -> Iterator[list[object]]:
    """Cells that are plain decimal numbers (no leading zeros) become numbers; the rest text."""
    for values in reader:
        yield [_number(v) if NUMBER_RE.fullmatch(v) else cell_text(v) for v in values]


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


# --------------------------------------------------------------------------------------------
# Determinism


def fix_properties(wb: Workbook) -> None:
    """Fixed creator and dates (openpyxl's save stamps ``modified`` with the current time)."""
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME


def core_xml(wb: Workbook) -> bytes:
    """``docProps/core.xml`` for the workbook's (fixed) properties."""
    return tostring(wb.properties.to_tree())


def deterministic_zip(data: bytes, core: bytes) -> bytes:
    """Rewrite an xlsx archive with fixed entry dates and modes and the given core properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = core if item.filename == "docProps/core.xml" else src.read(item.filename)
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ZIP_FILE_MODE
            info.create_system = 3
            dst.writestr(info, content)
    return out.getvalue()
