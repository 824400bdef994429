"""The bill of materials: ``bom.csv`` (from a template) and ``bom.xlsx`` (XlsxWriter).

Both list one line per (fabric, part) from :attr:`DesignResult.bom`, then a total that equals
``total_cost_usd``. Catalog text is untrusted: every text cell that starts like a spreadsheet
formula (``= + - @``, tab, CR) is prefixed with a single quote, in the CSV and in the workbook.

Every formula in the workbook carries its computed value, so a program that reads cells
without recalculating (openpyxl with ``data_only=True``, pandas) reads the numbers a
spreadsheet shows. The workbook is byte-identical across runs (fixed document dates and
creator; XlsxWriter stamps no time on the archive). Every sheet has a bold frozen header
repeated on each printed page, and prints landscape, one page wide. Its sheets:

- ``BOM``: the lines, extended price and power as formulas (quantity x unit), a ``SUM`` total
  row, autofilter;
- ``Summary``: one row per fabric, cost and power summed from ``BOM`` by formula;
- ``Cabling``: ``cabling.csv`` copied row by row, one sheet per floor row (``Cabling hall1
  row03``) when the plan has more than ``CABLING_SPLIT_ROWS`` cables, or a note when it has more
  than ``MAX_CABLING_ROWS``.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from designer.outputs.templating import neutralize
from designer.results.spares import SPARES

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from designer.results.result import BomLine, DesignResult, FabricResult

BOM_TEMPLATE = "bom.csv.j2"
BOM_COLUMNS = ("fabric", "kind", "model", "vendor", "roles", "quantity", "unit_price_usd",
               "extended_price_usd", "unit_power_w", "extended_power_w", "source", "as_of",
               "list_price_usd", "discount_pct", "covers", "currency", "unit_price",
               "extended_price")
SUMMARY_COLUMNS = ("fabric", "kind", "tiers", "layout", "protocol", "planes", "nodes",
                   "server", "gpus", "cost_usd", "cost_per_gpu_usd", "server_cost_usd",
                   "network_share_of_server_cost", "power_w", "currency", "cost")
# Past this the Cabling sheet would dominate the write time (and no one prints it).
MAX_CABLING_ROWS = 20_000
CABLING_SPLIT_ROWS = 5_000  # more cables than this: one Cabling sheet per floor row
FIXED_DATETIME = datetime.datetime(2000, 1, 1)
CREATOR = "designer"

USD_FORMAT = '"$"#,##0.00'
COUNT_FORMAT = "#,##0"
POWER_FORMAT = "#,##0.0"
SHARE_FORMAT = "0.0%"
# control characters XML 1.0 forbids (tab, newline and carriage return are allowed)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
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
                        total_cost_usd=result.total_cost_usd, currency=result.money.code,
                        total_cost=result.total_cost,
                        total_power_w=sum(b.extended_power_w for b in lines)).dump(out)


# --------------------------------------------------------------------------------------------
# bom.xlsx


class _Formats:
    """The workbook's cell formats by number format name, plain and bold."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self._wb, self._made = wb, {}

    def __call__(self, number_format: str | None = None, bold: bool = False) -> Format | None:
        if number_format is None and not bold:
            return None
        key = (number_format, bold)
        if key not in self._made:
            spec = {"bold": True} if bold else {}
            if number_format is not None:
                spec["num_format"] = number_format
            self._made[key] = self._wb.add_format(spec)
        return self._made[key]


def write_bom_xlsx(result: DesignResult, path: Path, cabling_csv_path: Path | None,
                   cabling_rows: int | None = None) -> None:
    """Write ``bom.xlsx`` with the BOM, Summary and Cabling sheets, deterministically.

    ``cabling_csv_path`` is copied into the Cabling sheet(s) when it has at most
    ``MAX_CABLING_ROWS`` rows (``cabling_rows``, when the caller knows it, else counted);
    ``None`` leaves a note instead.
    """
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"author": CREATOR, "created": FIXED_DATETIME})
    formats = _Formats(wb)
    lines = result.bom
    money_format = result.money.number_format
    bom_sheet(wb.add_worksheet("BOM"), formats, lines, money_format)
    summary_sheet(wb.add_worksheet("Summary"), formats, result, lines, money_format)
    cabling_sheets(wb, formats, cabling_csv_path, cabling_rows)
    wb.close()


def cell_text(value: object) -> str:
    """Catalog text made safe for a cell: no illegal XML characters, no formula."""
    return neutralize(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


Cell = tuple[object, str | None]  # a value (a formula is ``(text, computed value)``), format


def _write_row(ws: Worksheet, formats: _Formats, row: int, cells: list[Cell],
               bold: bool = False) -> None:
    """One row: numbers as numbers, text as text (never read as a formula), a formula with
    its computed value."""
    for col, (value, number_format) in enumerate(cells):
        fmt = formats(number_format, bold)
        if value is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, tuple):
            formula, computed = value
            ws.write_formula(row, col, formula, fmt, computed)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            ws.write_string(row, col, str(value), fmt)
        else:
            ws.write_number(row, col, value, fmt)


def _page(ws: Worksheet, formats: _Formats, columns: tuple[str, ...],
          rows: list[tuple[object, ...]]) -> None:
    """Header row (bold, frozen, repeated on every printed page), landscape, one page wide,
    column widths from the longest value shown in ``rows`` or the header
    (``MIN_WIDTH..MAX_WIDTH``)."""
    for index in range(len(columns)):
        longest = max(len(_shown(r[index])) for r in (columns, *rows) if index < len(r))
        ws.set_column(index, index, min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    _write_row(ws, formats, 0, [(name, None) for name in columns], bold=True)


def _shown(value: object) -> str:
    """What a cell looks like on screen, for widths: a formula counts as 14 characters."""
    return "x" * 14 if isinstance(value, tuple) else "" if value is None else str(value)


def _column(name: str, columns: tuple[str, ...] = BOM_COLUMNS) -> str:
    return xl_col_to_name(columns.index(name))


def bom_rows(lines: list[BomLine]) -> list[tuple[object, ...]]:
    """The BOM lines as cell values in ``BOM_COLUMNS`` order (text neutralized; extended price
    and power as ``(formula, value)``)."""
    qty, unit_usd, unit_w, unit = (_column(c) for c in ("quantity", "unit_price_usd",
                                                         "unit_power_w", "unit_price"))
    rows = []
    for row, b in enumerate(lines, start=2):
        rows.append((b.fabric, b.kind, cell_text(b.model), cell_text(b.vendor), b.roles,
                     b.quantity, b.unit_price_usd,
                     (f"={qty}{row}*{unit_usd}{row}", b.extended_price_usd),
                     b.unit_power_w, (f"={qty}{row}*{unit_w}{row}", b.extended_power_w),
                     cell_text(b.source), cell_text(b.as_of), b.unit_list_price_usd,
                     b.discount_pct, cell_text(b.covers), b.money.code, b.unit_price,
                     (f"={qty}{row}*{unit}{row}", b.extended_price)))
    return rows


BOM_FORMATS = {"quantity": COUNT_FORMAT, "unit_price_usd": USD_FORMAT,
               "extended_price_usd": USD_FORMAT, "unit_power_w": POWER_FORMAT,
               "extended_power_w": POWER_FORMAT, "list_price_usd": USD_FORMAT,
               "discount_pct": "0.0##"}
IN_CURRENCY = ("unit_price", "extended_price")  # formatted in the demand's currency


def bom_sheet(ws: Worksheet, formats: _Formats, lines: list[BomLine],
              money_format: str = USD_FORMAT) -> None:
    """The BOM sheet: header, one row per line with formulas, and a ``SUM`` total row."""
    rows = bom_rows(lines)
    last = len(rows) + 1
    number_formats = {**BOM_FORMATS, **dict.fromkeys(IN_CURRENCY, money_format)}
    _page(ws, formats, BOM_COLUMNS, rows)
    ws.autofilter(0, 0, last - 1, len(BOM_COLUMNS) - 1)
    for index, row in enumerate(rows, start=1):
        _write_row(ws, formats, index, [(value, number_formats.get(name))
                                        for name, value in zip(BOM_COLUMNS, row, strict=True)])
    totals = {"extended_price_usd": sum(b.extended_price_usd for b in lines),
              "extended_power_w": sum(b.extended_power_w for b in lines),
              "extended_price": sum(b.extended_price for b in lines)}
    cells: list[Cell] = []
    for name in BOM_COLUMNS:
        letter = _column(name)
        if name == "fabric":
            cells.append(("TOTAL", None))
        elif name in totals:
            cells.append(((f"=SUM({letter}2:{letter}{last})", totals[name]),
                          number_formats[name]))
        else:
            cells.append((None, None))
    _write_row(ws, formats, last, cells, bold=True)


def summary_sheet(ws: Worksheet, formats: _Formats, result: DesignResult,
                  lines: list[BomLine], money_format: str = USD_FORMAT) -> None:
    """One row per fabric; cost and power are ``SUMIFS`` over the BOM sheet's lines."""
    rows = [summary_values(f, row, len(lines) + 1, lines, money_format)
            for row, f in enumerate(result.fabrics, start=2)]
    if any(b.fabric == SPARES for b in lines):
        rows.append(spares_values(len(rows) + 2, len(lines) + 1, lines, money_format))
    _page(ws, formats, SUMMARY_COLUMNS, [tuple(v for v, _ in r) for r in rows])
    for index, values in enumerate(rows, start=1):
        _write_row(ws, formats, index, values)
    last = len(rows) + 1
    cells: list[Cell] = [("TOTAL", None)]
    for position, name in enumerate(SUMMARY_COLUMNS[1:], start=1):
        letter = _column(name, SUMMARY_COLUMNS)
        fmt = {"cost_usd": USD_FORMAT, "power_w": POWER_FORMAT, "cost": money_format}.get(name)
        if fmt is None:
            cells.append((None, None))
            continue
        total = sum(r[position][0][1] for r in rows)  # each a (formula, value)
        cells.append(((f"=SUM({letter}2:{letter}{last})", total), fmt))
    _write_row(ws, formats, last, cells, bold=True)


def summary_values(fabric_result: FabricResult, row: int, bom_last: int,
                   lines: list[BomLine], money_format: str = USD_FORMAT) -> list[Cell]:
    """``(value, number format)`` per Summary column; cost and power are BOM formulas, each
    with the value it computes."""
    s = fabric_result.structure
    f = s.fabric
    server = fabric_result.server
    here = {name: f"{_column(name, SUMMARY_COLUMNS)}{row}" for name in SUMMARY_COLUMNS}
    fabrics = f"BOM!${_column('fabric')}$2:${_column('fabric')}${bom_last}"
    mine = [b for b in lines if b.fabric == f.name]

    def bom_sum(bom_column: str, value: float) -> tuple[str, float]:
        letter = _column(bom_column)
        return (f"=SUMIFS(BOM!${letter}$2:${letter}${bom_last},{fabrics},{here['fabric']})",
                value)

    cost = sum(b.extended_price_usd for b in mine)
    cells = {
        "fabric": (f.name, None), "kind": (f.kind, None), "tiers": (s.tiers, None),
        "layout": (s.layout, None), "protocol": (s.protocol, None), "planes": (f.planes, None),
        "nodes": (f.nodes, COUNT_FORMAT),
        "server": (cell_text(server.model) if server else None, None),
        "gpus": (fabric_result.gpus, COUNT_FORMAT),
        "cost_usd": (bom_sum("extended_price_usd", cost), USD_FORMAT),
        "cost_per_gpu_usd": ((f"={here['cost_usd']}/{here['gpus']}",
                              cost / fabric_result.gpus) if server else None, USD_FORMAT),
        "server_cost_usd": (fabric_result.server_cost_usd, USD_FORMAT),
        "network_share_of_server_cost": (
            (f"={here['cost_usd']}/{here['server_cost_usd']}",
             cost / fabric_result.server_cost_usd) if server else None, SHARE_FORMAT),
        "power_w": (bom_sum("extended_power_w", sum(b.extended_power_w for b in mine)),
                    POWER_FORMAT),
        "currency": (mine[0].money.code if mine else None, None),
        "cost": (bom_sum("extended_price", sum(b.extended_price for b in mine)), money_format),
    }
    return [cells[name] for name in SUMMARY_COLUMNS]


def spares_values(row: int, bom_last: int, lines: list[BomLine],
                  money_format: str = USD_FORMAT) -> list[Cell]:
    """The Summary row of the spare parts: their cost summed from the BOM's ``spares``
    lines (they draw no power)."""
    fabrics = f"BOM!${_column('fabric')}$2:${_column('fabric')}${bom_last}"
    mine = [b for b in lines if b.fabric == SPARES]

    def bom_sum(bom_column: str, value: float) -> tuple[str, float]:
        letter = _column(bom_column)
        return (f"=SUMIFS(BOM!${letter}$2:${letter}${bom_last},{fabrics},"
                f"{_column('fabric', SUMMARY_COLUMNS)}{row})", value)

    cells = dict.fromkeys(SUMMARY_COLUMNS, (None, None))
    cells.update({
        "fabric": (SPARES, None), "kind": ("spare parts", None),
        "cost_usd": (bom_sum("extended_price_usd", sum(b.extended_price_usd for b in mine)),
                     USD_FORMAT),
        "power_w": (bom_sum("extended_power_w", 0.0), POWER_FORMAT),
        "currency": (mine[0].money.code, None),
        "cost": (bom_sum("extended_price", sum(b.extended_price for b in mine)),
                 money_format)})
    return [cells[name] for name in SUMMARY_COLUMNS]


def cabling_sheets(wb: xlsxwriter.Workbook, formats: _Formats,
                   cabling_csv_path: Path | None, rows: int | None = None) -> None:
    """Copy ``cabling.csv`` (one sheet, or one per floor row past ``CABLING_SPLIT_ROWS``), or
    leave a note on a ``Cabling`` sheet when there is none or it is too large."""
    if cabling_csv_path is None:
        wb.add_worksheet("Cabling").write_string(0, 0, "No cabling plan was written.")
        return
    if rows is None:
        rows = count_csv_rows(cabling_csv_path)
    if rows > MAX_CABLING_ROWS:
        wb.add_worksheet("Cabling").write_string(
            0, 0, f"The cabling plan has {rows:,} rows, more than {MAX_CABLING_ROWS:,}: "
                  f"see cabling.csv.")
        return
    with open(cabling_csv_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            wb.add_worksheet("Cabling").write_string(0, 0, "cabling.csv is empty.")
            return
        names = tuple(cell_text(h) for h in header)
        body = list(_typed_rows(reader))
    sheets: dict[str, list[list[object]]] = {"Cabling": body}
    if rows > CABLING_SPLIT_ROWS and {"a_hall", "a_row"} <= set(header):
        hall, row = header.index("a_hall"), header.index("a_row")
        sheets = {}
        for values in body:
            sheets.setdefault(f"Cabling {values[hall]} {values[row]}"[:31], []).append(values)
    for title, values in sheets.items():
        ws = wb.add_worksheet(title)
        _page(ws, formats, names, [tuple(name + "xx" for name in names)])
        for index, cells in enumerate(values, start=1):
            _write_row(ws, formats, index, [(v, None) for v in cells])


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
