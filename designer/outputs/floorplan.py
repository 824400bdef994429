"""The floor plan in ``report.html``: each hall's racks drawn to scale, coloured by what stands
in them, from ``racks.csv``.

Every rack (``rowRR-rackKK``) stands at its row and column: ``rack_pitch_m`` apart in a row,
``row_pitch_m`` between rows. Every rack's title (the
tooltip) gives its name, devices, rack units used and power, and up to :data:`MAX_LABELS`
racks show their kW beneath them; a hall of more racks than
:data:`MAX_RACKS` is drawn row by row instead, each row coloured by its most common role.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from designer.inputs.schema import Site

ROLE_COLOURS = {"node": "#9fb3c8", "node+leaf": "#5b8def", "leaf": "#2f9e6e",
                "spine": "#e8833a", "core": "#8e5bd6"}
OTHER_COLOUR = "#c3cbd4"
PX_PER_M = 40.0
MAX_RACKS = 3000
MAX_LABELS = 600  # up to this many racks, each shows its kW beneath it
GRID = re.compile(r"row(\d+)-rack(\d+)$")


def _colour(roles: str) -> str:
    if roles in ROLE_COLOURS:
        return ROLE_COLOURS[roles]
    for role in ("core", "spine", "leaf"):
        if role in roles.split("+"):
            return ROLE_COLOURS[role]
    return OTHER_COLOUR


def read_racks(path: Path) -> dict[str, list[dict[str, str]]]:
    """``racks.csv`` rows by hall, in file order."""
    halls: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            halls[row["hall"]].append(row)
    return dict(halls)


def hall_svg(hall: str, racks: list[dict[str, str]], site: Site) -> str:
    """One hall, to scale: a rack is ``rack_pitch_m`` wide and 1 m deep."""
    placed = [(rack, GRID.search(rack["rack"])) for rack in racks]
    rows = max((int(m[1]) for _, m in placed), default=0)
    cols = max([int(m[2]) for _, m in placed] + [site.racks_per_row])
    scale = PX_PER_M if len(racks) <= MAX_RACKS else PX_PER_M / 4
    pitch, row_pitch, depth = site.rack_pitch_m * scale, site.row_pitch_m * scale, scale
    width = max(int(cols * pitch + 2 * scale), 560)  # room for the caption
    height = int(rows * row_pitch + 2 * scale + 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(hall)}>',
             f'<text x="{scale:.0f}" y="14" font-size="12" font-family="sans-serif">'
             f'{escape(hall)}: {len(racks):,} racks, {rows} rows of up to {cols}; one rack is '
             f'{site.rack_pitch_m:g} m wide, rows {site.row_pitch_m:g} m apart</text>']
    if len(racks) > MAX_RACKS:
        by_row: dict[int, Counter] = defaultdict(Counter)
        for rack, match in placed:
            by_row[int(match[1])][rack["roles"]] += 1
        for row, roles in sorted(by_row.items()):
            y = 20 + scale + (row - 1) * row_pitch
            parts.append(_rect(scale, y, sum(roles.values()) * pitch, depth,
                               _colour(roles.most_common(1)[0][0]),
                               f"row{row:02d}: {sum(roles.values())} racks"))
    else:
        for rack, match in placed:
            x = scale + (int(match[2]) - 1) * pitch
            y = 20 + scale + (int(match[1]) - 1) * row_pitch
            parts.append(_rect(x, y, pitch * 0.9, depth, _colour(rack["roles"]), _title(rack)))
            if len(racks) <= MAX_LABELS:
                parts.append(_kw(x + pitch * 0.45, y + depth + 10, rack))
    parts.append("</svg>")
    return "\n".join(parts)


def _title(rack: dict[str, str]) -> str:
    budget = f" of {rack['power_budget_kw']} kW" if rack["power_budget_kw"] else ""
    return (f"{rack['rack']}: {rack['roles']}, {rack['devices']} devices, "
            f"{rack['units_used']}U of {rack['rack_units']}U, {rack['power_kw']} kW{budget}")


def _kw(x: float, y: float, rack: dict[str, str]) -> str:
    """The rack's power in kW, whole, beneath it."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="8" font-family="sans-serif" '
            f'text-anchor="middle">{float(rack["power_kw"]):.0f}</text>')


def _rect(x: float, y: float, w: float, h: float, colour: str, title: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}" '
            f'stroke="#52606d" stroke-width="0.5"><title>{escape(title)}</title></rect>')


def floor_plans(path: Path, site: Site) -> list[dict]:
    """Per hall: its name, its SVG, and the figures the report states beside it."""
    plans = []
    for hall, racks in read_racks(path).items():
        power = [float(r["power_kw"]) for r in racks]
        fullest = max(racks, key=lambda r: (float(r["power_kw"]), r["rack"]))
        plans.append({"hall": hall, "svg": hall_svg(hall, racks, site), "racks": len(racks),
                      "most_kw": max(power), "fullest": fullest["rack"],
                      "budget_kw": site.rack_power_kw,
                      "legend": [(role, colour) for role, colour in ROLE_COLOURS.items()]})
    return plans
