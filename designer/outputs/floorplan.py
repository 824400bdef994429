"""The floor plan in ``report.html``: each hall's racks drawn to scale, coloured by what stands
in them, from ``racks.csv``.

Every rack (``rowRR-rackKK``) stands at its row and column: ``rack_pitch_m`` apart in a row,
``row_pitch_m`` between rows. Every rack's title (the
tooltip) gives its name, devices, rack units used and power, and up to :data:`MAX_LABELS`
racks show their kW beneath them; a hall of more racks than
:data:`MAX_RACKS` is drawn row by row instead, each row coloured by its most common role. A
server set on several halls (a campus) is also drawn at a glance, its halls side by side
(:func:`campus_svg`).
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


CAMPUS_WIDTH_PX = 960.0
CAMPUS_HALL = re.compile(r"^(.*)-(\d+)$")


def campus_svg(name: str, halls: dict[str, list[dict[str, str]]], site: Site) -> str:
    """A campus at a glance: its halls side by side along the rows, ``hall_gap_m`` apart, each
    row a bar as long as its racks, coloured by the role most of its racks hold, to one scale
    (fitted to :data:`CAMPUS_WIDTH_PX`)."""
    rpr, per_hall = site.racks_per_row, site.fed_rows_per_hall
    hall_m = rpr * site.rack_pitch_m
    count = len(halls)
    width_m = count * hall_m + (count - 1) * site.hall_gap_m
    scale = CAMPUS_WIDTH_PX / width_m
    depth_m = per_hall * site.row_pitch_m
    top = 34
    width, height = int(CAMPUS_WIDTH_PX + 20), int(depth_m * scale + top + 26)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(name)}>',
             f'<text x="10" y="14" font-size="12" font-family="sans-serif">{escape(name)}: '
             f'{count} halls of up to {per_hall} rows of {rpr} racks, {site.hall_gap_m:g} m '
             f'apart; {width_m:,.0f} m end to end</text>']
    for index, (hall, racks) in enumerate(halls.items()):
        x0 = 10 + index * (hall_m + site.hall_gap_m) * scale
        parts.append(f'<rect x="{x0:.1f}" y="{top}" width="{hall_m * scale:.1f}" '
                     f'height="{depth_m * scale:.1f}" fill="none" stroke="#52606d" '
                     f'stroke-width="0.5"/>')
        by_row: dict[int, Counter] = defaultdict(Counter)
        for rack in racks:
            match = GRID.search(rack["rack"])
            by_row[int(match[1])][rack["roles"]] += 1
        for row, roles in sorted(by_row.items()):
            y = top + (row - 1) * site.row_pitch_m * scale
            length = sum(roles.values()) * site.rack_pitch_m * scale
            parts.append(_rect(x0, y, length, max(site.row_pitch_m * scale * 0.6, 1.0),
                               _colour(roles.most_common(1)[0][0]),
                               f"{hall} row{row:02d}: {sum(roles.values())} racks"))
        kw = sum(float(rack["power_kw"]) for rack in racks)
        label_x, label_y = x0 + hall_m * scale / 2, top + depth_m * scale + 14
        parts.append(f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="9"'
                     f' font-family="sans-serif" text-anchor="middle">'
                     f'<title>{escape(hall)}: {len(racks):,} racks, {kw:,.0f} kW</title>'
                     f'{escape(CAMPUS_HALL.match(hall)[2])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def campus_plans(path: Path, site: Site) -> list[dict]:
    """Per campus (a server set on more than one hall, ``hall1-01``, ``hall1-02``, ...): its
    name, its overview SVG and its figures."""
    campuses: dict[str, dict[str, list]] = defaultdict(dict)
    for hall, racks in read_racks(path).items():
        match = CAMPUS_HALL.match(hall)
        if match:
            campuses[match[1]][hall] = racks
    plans = []
    for name, halls in campuses.items():
        if len(halls) < 2:
            continue
        racks = [rack for hall in halls.values() for rack in hall]
        plans.append({"campus": name, "svg": campus_svg(name, halls, site),
                      "halls": len(halls), "racks": len(racks),
                      "kw": sum(float(rack["power_kw"]) for rack in racks)})
    return plans
