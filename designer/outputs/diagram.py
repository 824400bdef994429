"""An SVG diagram of one designed fabric: tiers bottom-up, switch groups and link bundles.

:func:`fabric_svg` draws the nodes at the bottom, then the leaves, the spines (or the pod spines,
one box per pod) and the cores. Switches are drawn as *groups*, never one shape per switch: each
tier is a band whose header gives the count, model and port split of the whole tier, holding at
most :data:`MAX_SLOTS` boxes (a column per node group, pod or rail, with ``...`` and the total
for the rest). Link classes are drawn as lines between the boxes they join and labelled once in
the left gutter with their count, speed and medium.

Rails: in a rail-optimized layout every leaf box carries one coloured chip per rail leaf and the
node links are coloured per rail; in a rail-only layout every rail is its own column, with no
spine between rails. Planes: one plane is drawn and labelled "x P planes, identical".

The output is self-contained (only ``svg`` elements, text in the generic ``sans-serif``),
deterministic (integer coordinates, no ids or timestamps) and every piece of catalog text is
cleaned of characters XML cannot hold, shortened to fit and escaped.

Plan (what to draw) and layout (where) are separate steps: :func:`diagram_plan` is pure data
about the fabric, :func:`fabric_svg` places and renders it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from designer.model.candidates import nics_per_node
from designer.model.links import ceil_div
from designer.model.nodelinks import NodeLinkPlan
from designer.outputs.report import medium_kind
from designer.outputs.templating import gbps, thousands
from designer.results.money import DOLLARS, Money
from designer.text import PROTOCOL_NAMES

if TYPE_CHECKING:
    from designer.model.media import Medium
    from designer.model.structure import FabricStructure
    from designer.results.result import FabricResult

MAX_SLOTS = 8
"""Most boxes drawn per tier; beyond it, the first ones, ``...`` and the last."""

RAIL_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F",
                "#555555")
"""Rail colours (Okabe-Ito based, readable for colour-blind viewers); they repeat after 8."""

FONT = "sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
LINK = "#7b8794"
SWITCH_FILL = "#e8f0fb"
SWITCH_STROKE = "#3e6fb0"
NODE_FILL = "#eef6ee"
NODE_STROKE = "#4b8b4b"
BAND_FILL = "#f7f8fa"
BAND_STROKE = "#d3d8de"
PLANE_STROKE = "#9a5b13"

WIDTH = 1280
MARGIN = 12
GUTTER = 256              # left column: tier names and link labels
AREA_X0 = MARGIN + GUTTER  # the bands start here
AREA_X1 = WIDTH - MARGIN
BAND_PAD = 10             # band edge to the boxes inside it
BAND_HEADER = 28          # band top to the boxes (room for the header line)
BOX_H = 62
BOX_MAX_W = 300
BOX_GAP = 12
BAND_H = BAND_HEADER + BOX_H + BAND_PAD
ROW_GAP = 92              # band bottom to the next band's top: the links run here
PLANE_HEADER = 26
CHIP_MAX = 12
CHIP_MIN = 8
CHIP_GAP = 3
CHAR_W = 0.6              # estimated glyph width of sans-serif, in font sizes
BOLD_W = 0.66             # the same for bold text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_OPTIC_TYPE = re.compile(r"\(([^),]+)")


# --------------------------------------------------------------------------------------------
# The plan: what to draw


@dataclass(frozen=True)
class Slot:
    """One box of a tier: a node group, a pod's leaves, a spine, a rail's switches, or ``...``.

    ``chips`` are rail numbers (0-based) drawn as coloured squares, ``None`` for a ``...`` chip;
    ``rail`` tints the whole box with that rail's colour (rail-only layouts); a ``wide`` box
    spans the whole band (the nodes under every rail of a rail-only layout).
    """

    lines: tuple[str, ...]
    chips: tuple[int | None, ...] = ()
    rail: int | None = None
    ellipsis: bool = False
    wide: bool = False


@dataclass(frozen=True)
class Row:
    """One tier: ``title`` in the gutter, ``header`` over the band, ``slots`` inside it."""

    title: str
    header: str
    slots: tuple[Slot, ...]
    switches: bool = True


@dataclass(frozen=True)
class Edge:
    """A bundle of links between slot ``lower`` of one row and slot ``upper`` of the next.

    ``chip`` attaches the upper end to that chip of the upper box; ``rail`` colours the line.
    """

    lower: int
    upper: int
    rail: int | None = None
    chip: int | None = None


@dataclass(frozen=True)
class Bundle:
    """One link class between two adjacent rows: its label lines and its edges."""

    link_class: str
    label: tuple[str, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class Plan:
    """Everything the diagram shows, bottom row first; ``bundles[i]`` joins rows i and i+1."""

    title: str
    subtitle: str
    rows: tuple[Row, ...]
    bundles: tuple[Bundle, ...]
    rails: int
    planes: int


def slot_indices(count: int, max_slots: int = MAX_SLOTS) -> list[int | None]:
    """Which of ``count`` items get a box: all of them, or the first ones, ``None``, the last.

    >>> slot_indices(3), slot_indices(20, 5)
    ([0, 1, 2], [0, 1, 2, None, 19])
    """
    if count <= max_slots:
        return list(range(count))
    return [*range(max_slots - 2), None, count - 1]


def diagram_plan(fabric_result: FabricResult, money: Money = DOLLARS) -> Plan:
    """The rows and bundles of one fabric's diagram (per plane and, for rail-only, per rail);
    its cost in ``money``."""
    s = fabric_result.structure
    f = s.fabric
    rows = [_node_row(fabric_result)]
    if s.tiers == 1:
        rows.append(_single_switch_row(s))
    else:
        rows.append(_leaf_row(s))
        rows += [_spine_row(s)] if s.tiers == 2 else [_pod_spine_row(s), _core_row(s)]
    bundles = tuple(_bundle(fabric_result, cls, rows[i], rows[i + 1])
                    for i, cls in enumerate(("node-leaf", *s.media)))
    rail_layout = (s.layout != "tor" and s.tiers > 1) or s.shape.subfabrics > 1
    return Plan(title=_title(s), subtitle=_subtitle(fabric_result, money), rows=tuple(rows),
                bundles=bundles, rails=f.endpoints_per_node if rail_layout else 0,
                planes=f.planes)


def _title(s: FabricStructure) -> str:
    protocol = PROTOCOL_NAMES.get(s.protocol, s.protocol)
    return f"{s.fabric.name}: {s.tiers}-tier {s.layout} {protocol} fabric"


def _subtitle(fabric_result: FabricResult, money: Money) -> str:
    s = fabric_result.structure
    f = s.fabric
    planes = f" in each of {f.planes} planes" if f.planes > 1 else ""
    ratio = "non-blocking" if s.oversubscription <= 1 else f"{thousands(s.oversubscription)}:1"
    hops = _count(s.max_switch_hops, "switch hop", "switch hops")
    cost = money.amount(fabric_result.cost_in(money))
    return (f"{thousands(f.nodes)} nodes x {f.endpoints_per_node} x {gbps(f.port_speed_gbps)}"
            f"{planes}; {ratio}; worst path {hops}; network {cost}")


def _copies_note(s: FabricStructure, count: int) -> str:
    """`` (64 per plane)`` after a total when the fabric has several identical copies."""
    if s.copies == 1:
        return ""
    per = {(True, False): "plane", (False, True): "rail", (True, True): "rail and plane"}
    unit = per[(s.fabric.planes > 1, s.shape.subfabrics > 1)]
    return f" ({thousands(count // s.copies)} per {unit})"


def _switch_text(s: FabricStructure, role: str) -> str:
    """``"32 x MQM9790-NS2F"``, with the breakout mode and the per-copy count when needed."""
    mode, count = s.counts.switches[role]
    total = count * s.copies
    text = f"{thousands(total)} x {mode.model}"
    if mode.port_speed_gbps != mode.switch.port_speed_gbps:
        text += f" as {mode.radix} x {gbps(mode.port_speed_gbps)}"
    return text + _copies_note(s, total)


def _spare(radix: int, used: int) -> str:
    return f", {radix - used} spare" if radix > used else ""


# --- rows ------------------------------------------------------------------------------------


def _group_nodes(s: FabricStructure, group: int) -> int:
    """Nodes in leaf group ``group`` (0-based): the group size, or the remainder for the last."""
    leaf = s.leaf
    return leaf.last_group_nodes if group == leaf.groups - 1 else leaf.group_nodes


def _pod_leaves(s: FabricStructure, pod: int) -> tuple[int, int]:
    """The leaf index range ``[first, end)`` of pod ``pod`` (0-based) in one copy."""
    lp = s.pod.leaves_per_pod
    return pod * lp, min((pod + 1) * lp, s.leaf.leaves)


def _pod_nodes_text(s: FabricStructure, pod: int) -> str:
    """``"256 nodes"`` under pod ``pod``, or its endpoints when pods split node groups."""
    first, end = _pod_leaves(s, pod)
    per_group = s.shape.leaves_per_group
    if first % per_group == 0 and (end % per_group == 0 or end == s.leaf.leaves):
        groups = range(first // per_group, ceil_div(end, per_group))
        return f"{thousands(sum(_group_nodes(s, g) for g in groups))} nodes"
    endpoints = sum(_group_nodes(s, i // per_group) for i in range(first, end))
    return f"{thousands(endpoints)} endpoints"


def _node_row(fabric_result: FabricResult) -> Row:
    s = fabric_result.structure
    f = s.fabric
    server = fabric_result.server.model if fabric_result.server is not None else None
    ports = f"{f.endpoints_per_node} x {gbps(f.port_speed_gbps)}"
    ports += f" in each of {f.planes} planes" if f.planes > 1 else " each"
    nic = f"{nics_per_node(f, s.nic)} x {s.nic.model} per node"
    nodes = f"{thousands(f.nodes)} x {server}" if server else f"{thousands(f.nodes)} nodes"
    header = f"{nodes}, {ports}; NICs {nic}"
    if s.shape.subfabrics > 1:
        slots = (Slot((f"all {thousands(f.nodes)} nodes",
                       f"NIC port r goes to rail r, 1..{f.endpoints_per_node}"), wide=True),)
    elif s.tiers == 1:
        slots = (Slot((f"all {thousands(f.nodes)} nodes",)),)
    elif s.tiers == 3:
        slots = tuple(_ellipsis(s.pods) if p is None
                      else Slot((f"pod {p + 1}", _pod_nodes_text(s, p)))
                      for p in slot_indices(s.pods))
    else:
        name = "SU" if s.layout == "rail-optimized" else "group"
        slots = tuple(_ellipsis(s.leaf.groups) if g is None
                      else Slot((f"{name} {g + 1}", f"{thousands(_group_nodes(s, g))} nodes"))
                      for g in slot_indices(s.leaf.groups))
    return Row("Nodes", header, slots, switches=False)


def _ellipsis(total: int, max_slots: int = MAX_SLOTS) -> Slot:
    """The ``...`` box standing for the items between the first ones and the last."""
    return Slot(("...", f"{thousands(total - (max_slots - 1))} more"), ellipsis=True)


def _rail_slots(s: FabricStructure, lines_of_rail: Callable[[int], tuple[str, ...]]
                ) -> tuple[Slot, ...]:
    """One box per rail (rail-only), tinted with the rail's colour."""
    rails = s.shape.subfabrics
    return tuple(_ellipsis(rails) if r is None
                 else Slot((f"rail {r + 1}", *lines_of_rail(r)), rail=r)
                 for r in slot_indices(rails))


def _rail_chips(s: FabricStructure) -> tuple[int | None, ...]:
    """The rail chips of a rail-optimized leaf box (none for other layouts)."""
    if s.layout != "rail-optimized":
        return ()
    return tuple(slot_indices(s.shape.leaves_per_group))


def _single_switch_row(s: FabricStructure) -> Row:
    mode = s.leaf.mode
    used = s.endpoints_per_subfabric
    header = f"{_switch_text(s, 'leaf')}, {used} down{_spare(mode.radix, used)}"
    if s.shape.subfabrics > 1:
        slots = _rail_slots(s, lambda r: ("1 switch",))
    else:
        slots = (Slot(("1 switch", f"{used} ports used")),)
    return Row("Switch", header, slots)


def _leaf_row(s: FabricStructure) -> Row:
    leaf = s.leaf
    header = (f"{_switch_text(s, 'leaf')}, {leaf.downlinks} down / {leaf.uplinks} up"
              f"{_spare(leaf.mode.radix, leaf.downlinks + leaf.uplinks)}")
    per_group = s.shape.leaves_per_group
    if s.shape.subfabrics > 1:
        slots = _rail_slots(s, lambda r: (_count(leaf.leaves, "leaf", "leaves"),))
    elif s.tiers == 3:
        slots = tuple(_ellipsis(s.pods) if p is None
                      else Slot((f"pod {p + 1}", _count(_pod_leaf_count(s, p), "leaf", "leaves")),
                                chips=_rail_chips(s))
                      for p in slot_indices(s.pods))
    elif per_group > 1:
        slots = tuple(_ellipsis(leaf.groups) if g is None
                      else Slot((f"SU {g + 1}", f"{per_group} rail leaves"), chips=_rail_chips(s))
                      for g in slot_indices(leaf.groups))
    else:
        slots = tuple(_ellipsis(leaf.leaves) if i is None
                      else Slot((f"leaf {i + 1}",)) for i in slot_indices(leaf.leaves))
    return Row("Leaves", header, slots)


def _pod_leaf_count(s: FabricStructure, pod: int) -> int:
    first, end = _pod_leaves(s, pod)
    return end - first


def _count(n: int, one: str, many: str) -> str:
    return f"{thousands(n)} {one if n == 1 else many}"


def _spine_row(s: FabricStructure) -> Row:
    spine, count, leaf = s.spine, s.spines, s.leaf
    used = leaf.leaves * spine.links_per_leaf
    header = (f"{_switch_text(s, 'spine')}, {used} down ({spine.links_per_leaf} per leaf)"
              f"{_spare(spine.mode.radix, used)}")
    if s.shape.subfabrics > 1:
        header += "; no spine between rails"
        slots = _rail_slots(s, lambda r: (_count(count, "spine", "spines"),))
    else:
        slots = tuple(_ellipsis(count) if i is None else Slot((f"spine {i + 1}",))
                      for i in slot_indices(count))
    return Row("Spines", header, slots)


def _pod_spine_row(s: FabricStructure) -> Row:
    pod, leaf = s.pod, s.leaf
    lp = pod.leaves_per_pod
    header = (f"{_switch_text(s, 'spine')}, {lp} down / {lp} up"
              f"{_spare(pod.mode.radix, 2 * lp)}; {_count(s.pods, 'pod', 'pods')} x {leaf.uplinks}")
    if s.shape.subfabrics > 1:
        header += "; no spine between rails"
        slots = _rail_slots(s, lambda r: (_count(s.pods * leaf.uplinks, "spine", "spines"),))
    else:
        slots = tuple(_ellipsis(s.pods) if p is None
                      else Slot((f"pod {p + 1}", _count(leaf.uplinks, "spine", "spines")))
                      for p in slot_indices(s.pods))
    return Row("Pod spines", header, slots)


def _core_row(s: FabricStructure) -> Row:
    pod, leaf, core = s.pod, s.leaf, s.core
    used = s.pods * pod.links_per_core
    groups, per_group = leaf.uplinks, pod.cores_per_group
    header = (f"{_switch_text(s, 'core')}, {used} down ({pod.links_per_core} per pod)"
              f"{_spare(core.radix, used)}; {groups} groups of {per_group}")
    if s.shape.subfabrics > 1:
        slots = _rail_slots(s, lambda r: (_count(groups * per_group, "core", "cores"),))
    else:
        header += ", group g joins spine g of every pod"
        slots = tuple(_ellipsis(groups) if g is None
                      else Slot((f"group {g + 1}", _count(per_group, "core", "cores")))
                      for g in slot_indices(groups))
    return Row("Cores", header, slots)


# --- bundles ---------------------------------------------------------------------------------


def optic_type(transceiver) -> str:
    """A short name for an optic: the type in its description (``2xSR4``), else its model.

    >>> from designer.inputs.schema import Transceiver
    >>> optic_type(Transceiver(model="T", port_speed_gbps=400, reach_m=50, price_usd=1,
    ...                        form_factor="OSFP twin-port finned (2xSR4)"))
    '2xSR4'
    """
    found = _OPTIC_TYPE.search(transceiver.description or "")
    words = found.group(1).split() if found else []
    return words[0] if words else transceiver.model


def medium_text(medium: Medium, cords: list | None = None) -> str:
    """``"optics SR4 / 2xSR4"`` (lower end / upper end when they differ), ``"DAC splitter"``."""
    if medium.transceiver1 is None:
        return medium_kind(medium, cords)
    lower, upper = optic_type(medium.transceiver1), optic_type(medium.transceiver2)
    return f"optics {lower}" if lower == upper else f"optics {lower} / {upper}"


def node_links_text(plan: NodeLinkPlan) -> tuple[str, str]:
    """``("DAC splitter + optics SR4", "MCP7Y00-N002, MMA4Z00-NS")``: the ways node-leaf cages
    are cabled, most links first, and their optics (or cable) models."""
    texts, models = [], []
    for way in plan.ways():
        if way.leaf_end is None:
            texts.append(_way_text(way.kind))
            models.append(way.cables[0][0])
        else:
            lower, upper = optic_type(way.node_end), optic_type(way.leaf_end)
            texts.append(f"optics {lower}" if lower == upper else f"optics {lower} / {upper}")
            models.append(way.leaf_end.model)
    unique = list(dict.fromkeys(texts))
    return " + ".join(unique), ", ".join(dict.fromkeys(models))


def _way_text(kind: str) -> str:
    head, _, tail = kind.partition(" ")
    return f"{head.upper()} {tail}".strip()


def medium_models(medium: Medium, cords: list | None = None) -> str:
    """The part models of a medium: the two transceivers, or the cables laid."""
    if medium.transceiver1 is None:
        return ", ".join(c.model for c, _ in cords) if cords else medium.cable.model
    t1, t2 = medium.transceiver1.model, medium.transceiver2.model
    return t1 if t1 == t2 else f"{t1} + {t2}"


def _bundle(fabric_result: FabricResult, cls: str, lower: Row, upper: Row) -> Bundle:
    s = fabric_result.structure
    links = fabric_result.links[cls]
    count = f"{thousands(links)} x {gbps(s.fabric.port_speed_gbps)}"
    if cls == "node-leaf":
        text, models = node_links_text(s.node_links)
    else:
        cords = s.cords(cls)
        text, models = medium_text(s.media[cls], cords), medium_models(s.media[cls], cords)
    label = [f"{cls} links", f"{count}, {text}", models]
    note = _copies_note(s, links).strip()
    if note:
        label.append(note)
    return Bundle(cls, tuple(label), _edges(s, cls, lower, upper))


def _edges(s: FabricStructure, cls: str, lower: Row, upper: Row) -> tuple[Edge, ...]:
    """Which boxes a link class joins; ``...`` boxes get no lines."""
    low = [i for i, slot in enumerate(lower.slots) if not slot.ellipsis]
    up = [j for j, slot in enumerate(upper.slots) if not slot.ellipsis]
    if s.shape.subfabrics > 1:
        if cls == "node-leaf":
            return tuple(Edge(0, j, rail=upper.slots[j].rail) for j in up)
        return tuple(Edge(i, i, rail=lower.slots[i].rail) for i in low)
    if cls == "node-leaf":
        if upper.slots[0].chips:
            return tuple(Edge(i, i, rail=chip, chip=k) for i in low
                         for k, chip in enumerate(upper.slots[i].chips) if chip is not None)
        return tuple(Edge(i, i if len(up) > 1 else 0) for i in low)
    if s.tiers == 3 and cls == "leaf-spine":
        return tuple(Edge(i, i) for i in low)
    return tuple(Edge(i, j) for i in low for j in up)


# --------------------------------------------------------------------------------------------
# Layout and rendering


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2


def clean_text(text: object) -> str:
    """Catalog text made safe to place in XML: one line, no characters XML 1.0 forbids."""
    return _NOT_XML.sub("", " ".join(str(text).split()))


def fit(text: str, width_px: int, size: int, bold: bool = False) -> str:
    """``text``, shortened with ``...`` when it would be wider than ``width_px`` at ``size``.

    >>> fit("MQM9790-NS2F", 200, 12), fit("a very long model name indeed", 100, 12)
    ('MQM9790-NS2F', 'a very lon...')
    """
    limit = max(4, int(width_px / (size * (BOLD_W if bold else CHAR_W))))
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _text(x: int, y: int, content: str, size: int = 12, *, width: int | None = None,
          anchor: str = "start", weight: str = "normal", fill: str = INK) -> str:
    """One ``<text>`` element; ``content`` is cleaned, fitted to ``width`` and escaped."""
    content = clean_text(content)
    if width is not None:
        content = fit(content, width, size, bold=weight == "bold")
    attrs = f'x="{x}" y="{y}" font-size="{size}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight != "normal":
        attrs += f' font-weight="{weight}"'
    if fill != INK:
        attrs += f' fill="{fill}"'
    return f"<text {attrs}>{escape(content)}</text>"


def _rect(r: Rect, fill: str, stroke: str, *, radius: int = 6, dashed: bool = False,
          stroke_width: int = 1) -> str:
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return (f'<rect x="{r.x}" y="{r.y}" width="{r.w}" height="{r.h}" rx="{radius}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>')


def _line(x1: int, y1: int, x2: int, y2: int, colour: str, width: str = "1.5") -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
            f'stroke-width="{width}"/>')


def rail_colour(rail: int) -> str:
    return RAIL_COLOURS[rail % len(RAIL_COLOURS)]


def tint(colour: str, parts_white: int = 5) -> str:
    """``colour`` mixed with white (1 part colour to ``parts_white``), in integer arithmetic."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [(c + 255 * parts_white) // (parts_white + 1) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


@dataclass(frozen=True)
class Geometry:
    """Integer positions: each row's band and box rectangles, top of the drawing first."""

    bands: tuple[Rect, ...]
    boxes: tuple[tuple[Rect, ...], ...]
    height: int


def _boxes(row: Row, band: Rect) -> tuple[Rect, ...]:
    """The row's boxes spread evenly across ``band``, each at most ``BOX_MAX_W`` wide unless
    it is a ``wide`` box."""
    slots = len(row.slots)
    inner_x = band.x + BAND_PAD
    inner_w = band.w - 2 * BAND_PAD
    cell = inner_w // slots
    width = cell - BOX_GAP if row.slots[0].wide else min(BOX_MAX_W, cell - BOX_GAP)
    y = band.y + BAND_HEADER
    return tuple(Rect(inner_x + k * cell + (cell - width) // 2, y, width, BOX_H)
                 for k in range(slots))


def _geometry(plan: Plan) -> Geometry:
    top = 58 + (24 if plan.rails else 0)
    if plan.planes > 1:
        top += PLANE_HEADER
    n = len(plan.rows)
    bands, boxes = [], []
    for i, row in enumerate(plan.rows):
        y = top + (n - 1 - i) * (BAND_H + ROW_GAP)
        if not row.switches and plan.planes > 1:
            y += PLANE_HEADER  # below the plane frame, with room for the link label
        band = Rect(AREA_X0, y, AREA_X1 - AREA_X0, BAND_H)
        bands.append(band)
        boxes.append(_boxes(row, band))
    height = bands[0].y + BAND_H + MARGIN + 4
    return Geometry(tuple(bands), tuple(boxes), height)


def fabric_svg(fabric_result: FabricResult, money: Money = DOLLARS) -> str:
    """A self-contained SVG diagram of one fabric (one plane; see the module docstring), its
    cost in ``money`` (US dollars unless given)."""
    plan = diagram_plan(fabric_result, money)
    geo = _geometry(plan)
    body = [*_render_header(plan), *_render_frames(plan, geo)]
    for band in geo.bands:
        body += _render_band(band)
    for i, bundle in enumerate(plan.bundles):
        body += _render_bundle(bundle, geo.boxes[i], geo.boxes[i + 1], plan.rows[i + 1])
        body += _render_bundle_label(bundle, geo.bands[i], geo.bands[i + 1])
    for i, row in enumerate(plan.rows):
        body += _render_row_title(row, geo.bands[i])
        body += _render_band_header(row, geo.bands[i])
        for slot, box in zip(row.slots, geo.boxes[i], strict=True):
            body += _render_slot(slot, box, row.switches)
    label = escape(clean_text(plan.title))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{geo.height}" '
            f'viewBox="0 0 {WIDTH} {geo.height}" font-family="{FONT}" fill="{INK}" '
            f'role="img" aria-label={quoteattr(clean_text(plan.title))}>\n'
            f"<title>{label}</title>\n"
            f'<rect x="0" y="0" width="{WIDTH}" height="{geo.height}" fill="#ffffff"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def _render_header(plan: Plan) -> list[str]:
    out = [_text(MARGIN + 4, 26, plan.title, 17, width=WIDTH - 2 * MARGIN, weight="bold"),
           _text(MARGIN + 4, 46, plan.subtitle, 13, width=WIDTH - 2 * MARGIN, fill=MUTED)]
    if plan.rails:
        out += _render_legend(plan.rails, 70)
    return out


def _render_legend(rails: int, y: int) -> list[str]:
    """``rails: [] rail 1 [] rail 2 ...`` (the first ones, ``...`` and the last when many)."""
    title = "Rails (NIC port r of every node):"
    out = [_text(MARGIN + 4, y, title, 12, weight="bold")]
    x = MARGIN + 4 + int(len(title) * 12 * CHAR_W) + 16
    for rail in slot_indices(rails):
        if rail is None:
            out.append(_text(x, y, "...", 12))
            x += 28
            continue
        out.append(_rect(Rect(x, y - 10, 12, 12), rail_colour(rail), INK, radius=2))
        out.append(_text(x + 17, y, f"rail {rail + 1}", 12))
        x += 74
    if rails > len(RAIL_COLOURS):
        out.append(_text(x + 6, y, f"(colours repeat every {len(RAIL_COLOURS)} rails)", 12,
                         fill=MUTED))
    return out


def _render_frames(plan: Plan, geo: Geometry) -> list[str]:
    """The dashed frame of the one plane drawn, around the switch tiers."""
    switch_bands = [b for row, b in zip(plan.rows, geo.bands, strict=True) if row.switches]
    top = min(b.y for b in switch_bands) - PLANE_HEADER
    bottom = max(b.y + b.h for b in switch_bands) + 8
    out = []
    if plan.planes > 1:
        frame = Rect(MARGIN - 6, top, WIDTH - 2 * MARGIN + 12, bottom - top)
        out.append(_rect(frame, "none", PLANE_STROKE, radius=8, dashed=True, stroke_width=2))
        out.append(_text(frame.x + 10, top + 18, f"Plane 1 of {plan.planes} drawn: x "
                         f"{plan.planes} planes, identical (every node has a port in each)",
                         13, weight="bold", fill=PLANE_STROKE))
    return out


def _render_band(band: Rect) -> list[str]:
    return [_rect(band, BAND_FILL, BAND_STROKE, radius=8)]


def _render_band_header(row: Row, band: Rect) -> list[str]:
    """The tier's header on a strip of the band's colour, so that links pass behind it."""
    width = band.w - 2 * BAND_PAD
    header = fit(clean_text(row.header), width, 13, bold=True)
    strip_w = min(width + 8, int(len(header) * 13 * BOLD_W) + 8)
    strip = Rect(band.x + BAND_PAD - 4, band.y + 5, strip_w, 20)
    return [_rect(strip, BAND_FILL, "none", radius=3),
            _text(band.x + BAND_PAD, band.y + 19, header, 13, width=width, weight="bold")]


def _render_row_title(row: Row, band: Rect) -> list[str]:
    return [_text(MARGIN + 4, band.y + band.h // 2 + 6, row.title, 15, weight="bold")]


def _render_slot(slot: Slot, box: Rect, switch: bool) -> list[str]:
    if slot.ellipsis:
        out = [_rect(box, "#ffffff", BAND_STROKE, dashed=True)]
    elif slot.rail is not None:
        colour = rail_colour(slot.rail)
        out = [_rect(box, tint(colour), colour, stroke_width=2)]
    else:
        out = [_rect(box, SWITCH_FILL if switch else NODE_FILL,
                     SWITCH_STROKE if switch else NODE_STROKE)]
    lines = slot.lines
    # text at the top when chips fill the bottom, else centred
    baseline = box.y + 19 if slot.chips else box.y + (box.h - 16 * len(lines)) // 2 + 13
    for k, line in enumerate(lines):
        out.append(_text(box.cx, baseline + 16 * k, line, 13 if k == 0 else 12, width=box.w - 8,
                         anchor="middle", weight="bold" if k == 0 else "normal",
                         fill=INK if k == 0 else MUTED))
    if slot.chips:
        out += _render_chips(slot.chips, box)
    return out


def _chip_rects(chips: tuple[int | None, ...], box: Rect) -> list[Rect]:
    """Where each chip of a box goes: a centred row along the box's bottom edge.

    Chips are ``CHIP_MAX`` pixels wide when they fit, smaller (down to ``CHIP_MIN``) when not.
    """
    n = len(chips)
    size = max(CHIP_MIN, min(CHIP_MAX, (box.w - 12) // n - CHIP_GAP))
    width = n * size + (n - 1) * CHIP_GAP
    x0 = box.cx - width // 2
    y = box.y + box.h - size - 6
    return [Rect(x0 + k * (size + CHIP_GAP), y, size, size) for k in range(n)]


def _render_chips(chips: tuple[int | None, ...], box: Rect) -> list[str]:
    out = []
    for chip, r in zip(chips, _chip_rects(chips, box), strict=True):
        if chip is None:
            out.append(_text(r.cx, r.y + r.h, "..", 10, anchor="middle"))
        else:
            out.append(_rect(r, rail_colour(chip), INK, radius=2))
    return out


def _spread(box: Rect, count: int, k: int) -> int:
    """The x of attachment point ``k`` of ``count`` spread along ``box``'s width."""
    return box.x + (k + 1) * box.w // (count + 1)


def _grey(bundle: Bundle) -> bool:
    """Whether no line of the bundle is coloured by rail (then many lines are drawn thinner)."""
    return all(edge.rail is None for edge in bundle.edges)


def _render_bundle(bundle: Bundle, lower: tuple[Rect, ...], upper: tuple[Rect, ...],
                   upper_row: Row) -> list[str]:
    """One line per edge; ends spread along each box so that the lines do not cross needlessly."""
    by_lower: dict[int, list[Edge]] = {}
    by_upper: dict[int, list[Edge]] = {}
    for edge in bundle.edges:
        by_lower.setdefault(edge.lower, []).append(edge)
        by_upper.setdefault(edge.upper, []).append(edge)

    def order(edge: Edge, other: Rect) -> tuple[int, int]:
        return other.cx, -1 if edge.chip is None else edge.chip

    x_low: dict[Edge, int] = {}
    for i, edges in by_lower.items():
        ranked = sorted(edges, key=lambda e: order(e, upper[e.upper]))
        x_low.update({e: _spread(lower[i], len(ranked), k) for k, e in enumerate(ranked)})
    x_up: dict[Edge, int] = {}
    for j, edges in by_upper.items():
        ranked = sorted(edges, key=lambda e: order(e, lower[e.lower]))
        x_up.update({e: _spread(upper[j], len(ranked), k) for k, e in enumerate(ranked)})
    width = "1" if len(bundle.edges) > 16 and _grey(bundle) else "1.5"
    out = []
    for edge in bundle.edges:
        x1, y_up, x2 = x_low[edge], upper[edge.upper].y + upper[edge.upper].h, x_up[edge]
        if edge.chip is not None:
            chip = _chip_rects(upper_row.slots[edge.upper].chips, upper[edge.upper])[edge.chip]
            x2, y_up = chip.cx, chip.y + chip.h
            if lower[edge.lower].x < x2 < lower[edge.lower].x + lower[edge.lower].w:
                x1 = x2  # straight down from the rail's chip
        elif lower[edge.lower].w > BOX_MAX_W:
            x1 = x2  # straight down into a wide box
        colour = LINK if edge.rail is None else rail_colour(edge.rail)
        out.append(_line(x1, lower[edge.lower].y, x2, y_up, colour, width))
    return out


def _label_lines(label: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    """``(text, size, weight, colour)`` per gutter line; ``count, medium`` splits when too long.

    The label is the class name, ``count, medium``, the part models and an optional per-copy
    note; only the first two are essential, so they are wrapped rather than shortened.
    """
    name, main, *rest = label
    lines = [(name, 13, "bold", INK)]
    if len(main) * 13 * CHAR_W <= GUTTER - 8:
        lines.append((main, 13, "normal", INK))
    else:
        count, medium = main.split(", ", 1)
        lines += [(count + ",", 13, "normal", INK), (medium, 13, "normal", INK)]
    return lines + [(line, 12, "normal", MUTED) for line in rest]


def _render_bundle_label(bundle: Bundle, lower: Rect, upper: Rect) -> list[str]:
    """The link class's label in the gutter, centred on the gap between the two bands."""
    lines = _label_lines(bundle.label)
    gap_mid = (upper.y + upper.h + lower.y) // 2
    first = gap_mid - 8 * (len(lines) - 1) + 4
    return [_text(MARGIN + 4, first + 16 * k, text, size, width=GUTTER - 8, weight=weight,
                  fill=colour) for k, (text, size, weight, colour) in enumerate(lines)]
