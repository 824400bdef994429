"""The cabling plan: one row per cable leg, port by port, streamed, with both ends located.

Devices are named and placed by :class:`designer.site.devices.FabricFloor`; NIC ports are
``nic1`` .. ``nicE*P`` (plane ``p``, rail ``r``: ``(p-1)*E + r``, prefixed with the fabric's name
on servers another fabric placed), switch ports ``p17`` when a cage holds one port, ``p9/2``
for port 2 of cage 9 otherwise.

Node-leaf runs are measured rack to rack, and each leg takes the part its cage was priced with
(``designer.model.nodelinks``: the cheapest stocked length, copper or optics, cage by cage);
2-tier leaf-spine runs are measured rack to rack too, each taking the cheapest cord of the
class's medium that reaches it (as the optimizer priced it); 3-tier runs above the leaf are
measured rack to rack as well, each on the one cord the optimizer bought for the class's longest
run (``designer.site.pods``).

Ports are assigned in a fixed order: leaf downlinks first (node order, then rail), then uplinks
spine by spine; so every cage is filled before the next is opened, matching the cage counts in
the bill of materials.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from designer.inputs.schema import DIRECT_KINDS
from designer.model.links import LinkClass
from designer.model.media import Medium
from designer.model.nodelinks import CageCabling, NodeLinkPlan
from designer.model.structure import FabricStructure
from designer.outputs.cards import card_map
from designer.outputs.templating import neutralize, unneutralize
from designer.site.devices import FabricFloor, Placed
from designer.site.grid import DEFAULT_NODE_UNITS, Rack, fabric_site, node_run_m, run_m

if TYPE_CHECKING:
    from designer.results.result import DesignResult, FabricResult

COLUMNS = ("cable_id", "leg", "label", "fabric", "plane", "rail",
           "a_role", "a_device", "a_port", "a_hall", "a_row", "a_rack", "a_ru",
           "z_role", "z_device", "z_port", "z_hall", "z_row", "z_rack", "z_ru",
           "speed_gbps", "part", "cable_kind", "fiber", "a_transceiver", "z_transceiver",
           "harness", "length_m", "card", "card_port")


class End(NamedTuple):
    """One end of a cable: who, which port, and where."""

    role: str
    device: str
    port: str
    hall: str
    row: str
    rack: str
    ru: int | str


def port_name(index: int, cage_ports: int) -> str:
    """1-based logical port ``index`` on a switch with ``cage_ports`` ports per cage."""
    if cage_ports == 1:
        return f"p{index}"
    cage, lane = divmod(index - 1, cage_ports)
    return f"p{cage + 1}/{lane + 1}"


class _Medium(NamedTuple):
    part: str
    kind: str
    fiber: str
    a_transceiver: str
    z_transceiver: str
    harness: str = ""  # the harness fanning the leaf-end module out to this leg, if any


def _medium(medium: Medium, cable=None) -> _Medium:
    """Catalog text for the columns (the medium's one cable, or ``cable``), neutralized for
    spreadsheets."""
    cable = cable or medium.cable
    fiber = cable.fiber or ("copper" if cable.kind in ("dac", "acc") else "")
    if medium.transceiver1 is not None:
        return _Medium(neutralize(cable.model), cable.kind, fiber,
                       neutralize(medium.transceiver1.model),
                       neutralize(medium.transceiver2.model))
    return _Medium(neutralize(cable.model), cable.kind, fiber, "", "")


class _LegColumns:
    """The medium columns of each node-leaf leg by group and leaf port, from the cage-by-cage
    plan (groups cabled alike share one list)."""

    def __init__(self, plan: NodeLinkPlan, cage_ports: int, groups: int):
        self.plan, self.cage_ports, self.groups = plan, cage_ports, groups
        self.by_group: dict[int, list[_Medium]] = {}
        self.by_cabling: dict[int, list[_Medium]] = {}

    @staticmethod
    def _columns(cablings: tuple[CageCabling, ...], cage_ports: int) -> list[_Medium]:
        out = []
        for cabling in cablings:
            optics = cabling.leaf_end is not None
            for leg in range(cabling.legs):
                cable = cabling.leg_cable(leg)
                fiber = cable.fiber or ("copper" if cable.kind in ("dac", "acc") else "")
                out.append(_Medium(
                    neutralize(cable.model), cable.kind, fiber,
                    neutralize(cabling.node_end.model) if optics else "",
                    neutralize(cabling.leaf_end.model) if optics else "",
                    neutralize(cabling.harness.model) if cabling.harness is not None else ""))
            out += [None] * (cage_ports - cabling.legs)  # an unused lane of a part-filled cage
        return out

    def __call__(self, group: int, port: int) -> _Medium:
        columns = self.by_group.get(group)
        if columns is None:
            cablings = self.plan.group_cabling(group, self.groups)
            columns = self.by_cabling.get(id(cablings))
            if columns is None:
                columns = self.by_cabling[id(cablings)] = self._columns(cablings,
                                                                         self.cage_ports)
            self.by_group[group] = columns
        return columns[port - 1]


def _laid_m(site, length_m: float | None, a: Rack, b: Rack) -> float:
    """A run between two racks as laid, or the length the demand's ``site:`` sets for its
    class (``length_m``)."""
    return length_m if length_m is not None else run_m(site, a, b)


def _end(role: str, placed: Placed, port: str) -> End:
    return End(role, placed.device, port, placed.hall, placed.row, placed.rack, placed.ru)


def fabric_rows(result: FabricResult, site, hall: str = "hall1") -> Iterator[tuple]:
    """Rows (without ``cable_id`` and ``label``) for one fabric, in a fixed order."""
    s: FabricStructure = result.structure
    fabric = s.fabric
    server = result.server
    floor = FabricFloor(s, site, server.rack_units if server else DEFAULT_NODE_UNITS,
                        result.hall, hall)
    speed = f"{fabric.port_speed_gbps:g}"
    e = fabric.endpoints_per_node
    sh = s.shape
    cage = s.leaf.mode.cage_ports
    group_nodes, groups = s.group_nodes, s.groups
    leg_columns = _LegColumns(s.node_links, cage, groups)
    # A leaf that takes several ports of each node (top-of-rack, or one switch for every rail)
    # numbers them node by node; a rail leaf takes one port of each node of its group.
    several = s.leaf.shape.ports_per_node > 1
    for plane in range(1, fabric.planes + 1):
        for node in range(fabric.nodes):
            group, j = divmod(node, group_nodes)
            for rail in range(e):
                if several:
                    leaf_rail, port = 0, j * e + rail + 1
                else:
                    leaf_rail, port = rail, j + 1
                placed = floor.node(node)
                a = _end("node", placed, f"{floor.name_prefix}nic{(plane - 1) * e + rail + 1}")
                z = _end("leaf", floor.leaf(plane, leaf_rail, group), port_name(port, cage))
                length = (site.node_leaf_m if site.node_leaf_m is not None else node_run_m(
                    site, floor.node_rack(node), placed.ru, floor.leaf_rack(group)))
                medium = leg_columns(group, port)
                yield (fabric.name, plane, rail + 1, *a, *z, speed, *medium, length)
        if s.tiers == 1:
            continue
        if sh.layout == "rail-only":
            by_subfabric = [[(r, g) for g in range(groups)] for r in range(e)]
        else:
            by_subfabric = [[(r, g) for g in range(groups) for r in range(sh.leaves_per_group)]]
        for sub, sub_leaves in enumerate(by_subfabric):
            if s.tiers == 2:
                yield from _spine_rows(s, floor, plane, sub, sub_leaves, speed)
            else:
                yield from _pod_rows(s, floor, plane, sub, sub_leaves, speed)


def _spine_rows(s: FabricStructure, floor: FabricFloor, plane: int, sub: int,
                sub_leaves: list[tuple[int, int]], speed: str) -> Iterator[tuple]:
    """Leaf-spine legs of a 2-tier sub-fabric: leaf by leaf, spine by spine, ``l`` links each;
    every run measured from the leaf's rack to the spine's."""
    fabric, site = s.fabric, floor.site
    down, c_leaf = s.leaf.down_ports, s.leaf.mode.cage_ports
    per_pair, c_spine = s.spine.links_per_leaf, s.spine.mode.cage_ports
    medium = s.media[LinkClass.LEAF_SPINE]
    columns: dict[float, _Medium] = {}  # each run takes its cheapest cord of the medium
    rail_col = sub + 1 if s.layout == "rail-only" else ""
    for i, (leaf_rail, group) in enumerate(sub_leaves):
        rail = leaf_rail if s.layout != "rail-only" else sub
        leaf = floor.leaf(plane, rail, group)
        leaf_rack = floor.leaf_rack(group)
        for spine in range(s.spines):
            placed, rack = floor.spine(plane, sub, spine)
            run = _laid_m(site, site.leaf_spine_m, leaf_rack, rack)
            if run not in columns:
                columns[run] = _medium(medium, medium.cord_for(run))
            for t in range(per_pair):
                a = _end("leaf", leaf, port_name(down + spine * per_pair + t + 1, c_leaf))
                z = _end("spine", placed, port_name(i * per_pair + t + 1, c_spine))
                yield (fabric.name, plane, rail_col, *a, *z, speed, *columns[run], run)


def _pod_rows(s: FabricStructure, floor: FabricFloor, plane: int, sub: int,
              sub_leaves: list[tuple[int, int]], speed: str) -> Iterator[tuple]:
    """Leaf-spine legs of a 3-tier sub-fabric (each leaf one link to each of its pod's ``u``
    spines), then spine-core legs (each pod spine ``l2`` links to each core of its group);
    every run measured rack to rack, each on its cheapest cord of the class's medium."""
    fabric, site, leaf, pod = s.fabric, floor.site, s.leaf, s.pod
    u, down, c_leaf = leaf.uplinks, leaf.down_ports, leaf.mode.cage_ports
    lp, l2, cg = pod.leaves_per_pod, pod.links_per_core, pod.cores_per_group
    c_spine, c_core = pod.mode.cage_ports, s.core.cage_ports
    rail_col = sub + 1 if s.layout == "rail-only" else ""
    medium = s.media[LinkClass.LEAF_SPINE]
    columns: dict[float, _Medium] = {}  # each run takes its cheapest cord of the medium
    for i, (leaf_rail, group) in enumerate(sub_leaves):
        p, li = divmod(i, lp)
        rail = leaf_rail if s.layout != "rail-only" else sub
        placed = floor.leaf(plane, rail, group)
        leaf_rack = floor.leaf_rack(group)
        for spine in range(u):
            at, rack = floor.pod_spine(plane, sub, p, spine)
            run = _laid_m(site, site.leaf_spine_m, leaf_rack, rack)
            if run not in columns:
                columns[run] = _medium(medium, medium.cord_for(run))
            a = _end("leaf", placed, port_name(down + spine + 1, c_leaf))
            z = _end("spine", at, port_name(li + 1, c_spine))
            yield (fabric.name, plane, rail_col, *a, *z, speed, *columns[run], run)
    medium = s.media[LinkClass.SPINE_CORE]
    columns = {}
    for p in range(s.pods):
        for spine in range(u):
            placed, rack = floor.pod_spine(plane, sub, p, spine)
            for k in range(cg):
                core, core_rack = floor.core(plane, sub, spine, k)
                run = _laid_m(site, site.spine_core_m, rack, core_rack)
                if run not in columns:
                    columns[run] = _medium(medium, medium.cord_for(run))
                for t in range(l2):
                    a = _end("spine", placed, port_name(lp + k * l2 + t + 1, c_spine))
                    z = _end("core", core, port_name(p * l2 + t + 1, c_core))
                    yield (fabric.name, plane, rail_col, *a, *z, speed, *columns[run], run)


def iter_cabling(result: DesignResult) -> Iterator[tuple]:
    """Every row of the cabling plan, with ``cable_id``, ``leg`` and ``label``, fabric after
    fabric.

    Ids number the physical cables in the order they first appear: a plain cable is leg 1 of
    an id of its own, and the legs of one breakout cable (its wide end in one switch cage,
    ``pC/L``) share the id of its first leg, ``leg`` 1, 2, ... The label names both ends with
    rack and rack unit. A node port's row ends with the NIC card and card port it is
    (``designer.outputs.cards``).
    """
    number = 0
    for fabric_result in result.fabrics:
        site = fabric_result.site or fabric_site(result.demand.site, None)
        legs = _BreakoutLegs(result)
        cards = card_map(result, fabric_result)
        for row in fabric_rows(fabric_result, site, result.hall_of(fabric_result)):
            # row: fabric, plane, rail, a (7 fields: End), z (7 fields), speed, part, ...
            cable, leg = legs.of(row, number + 1)
            number = max(number, cable)
            label = (f"{row[8]} U{row[9]} {row[4]}:{row[5]} > "
                     f"{row[15]} U{row[16]} {row[11]}:{row[12]}")
            card = cards.of(row[1], row[2]) if row[3] == "node" else ("", "")
            yield (f"c{cable:07d}", leg, label, *row, *card)


class _BreakoutLegs:
    """Which cable a row is: breakout cables still short of legs, by their wide-end cage."""

    def __init__(self, result: DesignResult):
        self.catalog = result.catalog
        self.links: dict[str, int] = {}  # part text -> legs of one cable
        self.open: dict[tuple[str, str], list[int]] = {}  # wide cage -> [id, legs so far]

    def of(self, row: tuple, next_id: int) -> tuple[int, int]:
        """``(cable id, leg)`` of ``row``; a new cable takes ``next_id``."""
        links = self._links(row[18], row[19])
        if links == 1:
            return next_id, 1
        wide = 11 if "/" in row[12] else 4  # the device whose port is a cage lane
        key = (row[wide], row[wide + 1].split("/")[0])
        cable = self.open.setdefault(key, [next_id, 0])
        cable[1] += 1
        if cable[1] == links:
            del self.open[key]
        return cable[0], cable[1]

    def _links(self, part: str, kind: str) -> int:
        if kind not in DIRECT_KINDS:
            return 1
        if part not in self.links:
            self.links[part] = self.catalog.cables[unneutralize(part)].links
        return self.links[part]


def write_cabling_csv(result: DesignResult, path: Path,
                      also: Callable[[tuple], None] | None = None) -> int:
    """Stream the cabling plan to ``path``, each row also to ``also`` when given; returns the
    number of rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in iter_cabling(result):
            writer.writerow(row)
            if also is not None:
                also(row)
            count += 1
    return count
