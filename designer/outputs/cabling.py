"""The cabling plan: one row per cable leg, port by port, streamed, with both ends located.

Naming is deterministic and readable on the floor:

- nodes ``n0001`` with NIC ports ``nic1`` .. ``nicE*P`` (plane ``p``, rail ``r``: ``(p-1)*E + r``);
  a fabric on servers another fabric placed (a shared server group) names its ports and its
  switches after itself: ``frontend-nic1``, ``frontend-g001-leaf``, in the same node racks;
- leaves ``g003-leaf`` (top-of-rack group 3), ``su02-r5-leaf`` (rail 5 of scalable unit 2),
  ``r5-g002-leaf`` (rail-only, rail 5); spines ``spine07``, pod spines ``pod03-spine12``, cores
  ``core-g04-07``; with several planes every switch name starts ``pl2-``;
- switch ports ``p17`` when a cage holds one port, ``p9/2`` for port 2 of cage 9 otherwise.

Where things stand (``designer.floor.GroupPlacement``): node racks ``rowRR-rackKK`` group by
group; a top-of-rack leaf in the middle rack of its group; rail leaves in a network rack in the
middle of their group; spines in racks of a spine row (``spine-rackNN``), pod spines in a rack
per pod (``pod03-net``), cores in a core row (``core-rackNN``). Rack units count from the
bottom: servers stacked from U1, switches from the top down.

Node-leaf runs are measured rack to rack, and each leg takes the part its cage was priced with
(``designer.nodelinks``: the cheapest stocked length, copper or optics, cage by cage); runs
above the leaf are given the class's worst run from the floor model (the length the optimizer
chose the medium for).

Ports are assigned in a fixed order: leaf downlinks first (node order, then rail), then uplinks
spine by spine; so every cage is filled before the next is opened, matching the cage counts in
the bill of materials.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from designer.candidates import Medium
from designer.floor import DEFAULT_NODE_UNITS, Rack, fabric_site, run_m
from designer.hall import PrimaryFloor, SharedFloor
from designer.nodelinks import CageCabling, NodeLinkPlan
from designer.outputs.templating import neutralize
from designer.structure import FabricStructure

if TYPE_CHECKING:
    from designer.result import DesignResult, FabricResult

COLUMNS = ("cable_id", "label", "fabric", "plane", "rail",
           "a_role", "a_device", "a_port", "a_row", "a_rack", "a_ru",
           "z_role", "z_device", "z_port", "z_row", "z_rack", "z_ru",
           "speed_gbps", "part", "cable_kind", "fiber", "a_transceiver", "z_transceiver",
           "length_m")


class End(NamedTuple):
    """One end of a cable: who, which port, and where."""

    role: str
    device: str
    port: str
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


def _medium(medium: Medium) -> _Medium:
    """Catalog text for the columns, neutralized for spreadsheets."""
    cable = medium.cable
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
                    neutralize(cabling.leaf_end.model) if optics else ""))
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


class _Floor:
    """Names and places the devices of one fabric: on its own floor
    (``designer.hall.PrimaryFloor``), or on servers another fabric placed (``SharedFloor``:
    switch names then start with the fabric's name)."""

    def __init__(self, s: FabricStructure, site, node_units: int,
                 hall: SharedFloor | None = None):
        self.s = s
        self.site = site
        self.planes = s.fabric.planes
        self.hall = hall
        self.servers = hall.primary if hall else PrimaryFloor.of(s, site, node_units)
        self.leaf_units = s.leaf_mode.switch.rack_units
        self.name_prefix = f"{s.fabric.name}-" if hall else ""
        self.spine_units = s.spine.mode.switch.rack_units if s.tiers == 2 else 1
        self.slots = hall.leaf_stacking(s)[0] if hall is not None else []

    def spine_rack(self, index: int) -> tuple[Rack, int]:
        """Rack and top rack unit of spine ``index`` (all planes and rails in one sequence)."""
        if self.hall is not None:
            return self.hall.network_rack(index, self.spine_units)
        return self.servers.spine_rack(index)

    def prefix(self, plane: int) -> str:
        return self.name_prefix + (f"pl{plane}-" if self.planes > 1 else "")

    def leaf_name(self, plane: int, rail: int, group: int) -> str:
        layout = self.s.layout
        if layout == "rail-optimized" and self.s.tiers > 1:
            return f"{self.prefix(plane)}su{group + 1:02d}-r{rail + 1}-leaf"
        if layout == "rail-only":
            return f"{self.prefix(plane)}r{rail + 1}-g{group + 1:03d}-leaf"
        return f"{self.prefix(plane)}g{group + 1:03d}-leaf"

    def node_rack(self, node: int) -> Rack:
        return self.servers.node_rack(node)

    def leaf_rack(self, group: int) -> Rack:
        if self.hall is not None:
            return self.hall.leaf_rack(self.s.group_nodes, group)
        return self.servers.leaf_rack(group)

    def node_end(self, node: int, port: str) -> End:
        rack = self.node_rack(node)
        return End("node", f"n{node + 1:04d}", port, f"row{rack.row + 1:02d}", rack.name,
                   self.servers.node_ru(node))

    def leaf_end(self, plane: int, rail: int, group: int, port: str) -> End:
        """A leaf stacks from the top of its group's rack: plane-major, then rail (the design
        checks beforehand that they fit: ``design.check_switch_space``), below the switches
        earlier fabrics put there on a shared floor."""
        rack = self.leaf_rack(group)
        slot = (plane - 1) * self.s.shape.leaves_per_group * self.s.shape.subfabrics + rail
        top = self.site.rack_units + 1
        if self.hall is not None:
            slot += self.slots[group]
            top -= self.hall.reserved_units.get(rack, 0)
        ru = top - (slot + 1) * self.leaf_units
        return End("leaf", self.leaf_name(plane, rail, group), port, f"row{rack.row + 1:02d}",
                   rack.name, ru)


def _switch_end(role: str, device: str, port: str, row: str, rack_prefix: str, index: int,
                units: int, rack_units: int) -> End:
    per_rack = max(1, (rack_units - 2) // units)
    rack, slot = divmod(index, per_rack)
    return End(role, device, port, row, f"{rack_prefix}-rack{rack + 1:02d}",
               rack_units + 1 - (slot + 1) * units)


def fabric_rows(result: FabricResult, site) -> Iterator[tuple]:
    """Rows (without ``cable_id`` and ``label``) for one fabric, in a fixed order."""
    s: FabricStructure = result.structure
    fabric = s.fabric
    server = result.server
    floor = _Floor(s, site, server.rack_units if server else DEFAULT_NODE_UNITS, result.hall)
    speed = f"{fabric.port_speed_gbps:g}"
    e = fabric.endpoints_per_node
    sh = s.shape
    cage = s.leaf_mode.cage_ports
    group_nodes, groups = s.group_nodes, s.groups
    leg_columns = _LegColumns(s.node_links, cage, groups)
    single_switch = sh.layout == "tor" or (s.tiers == 1 and sh.layout != "rail-only")
    for plane in range(1, fabric.planes + 1):
        for node in range(fabric.nodes):
            group, j = divmod(node, group_nodes)
            for rail in range(e):
                if single_switch:
                    leaf_rail, port = 0, j * e + rail + 1
                else:
                    leaf_rail, port = rail, j + 1
                a = floor.node_end(node, f"{floor.name_prefix}nic{(plane - 1) * e + rail + 1}")
                z = floor.leaf_end(plane, leaf_rail, group, port_name(port, cage))
                length = (site.node_leaf_m if site.node_leaf_m is not None else
                          run_m(site, floor.node_rack(node), floor.leaf_rack(group)))
                medium = leg_columns(group, port)
                yield (fabric.name, plane, rail + 1, *a, *z, speed, *medium, length)
        if s.tiers == 1:
            continue
        if sh.layout == "rail-only":
            by_subfabric = [[(r, g) for g in range(groups)] for r in range(e)]
        else:
            by_subfabric = [[(r, g) for g in range(groups) for r in range(sh.leaves_per_group)]]
        down = s.leaf.down_ports
        for sub, sub_leaves in enumerate(by_subfabric):
            yield from _upper_rows(s, result, floor, plane, sub, sub_leaves, down, speed)


def _upper_rows(s: FabricStructure, result: FabricResult, floor: _Floor, plane: int, sub: int,
                sub_leaves: list[tuple[int, int]], down: int, speed: str) -> Iterator[tuple]:
    fabric = s.fabric
    leaf = s.leaf
    u = leaf.uplinks
    c_leaf = leaf.mode.cage_ports
    medium = _medium(s.media["leaf-spine"])
    pre = floor.prefix(plane)
    rail_tag = f"r{sub + 1}-" if s.layout == "rail-only" else ""
    rail_col = sub + 1 if s.layout == "rail-only" else ""
    length = result.lengths_m["leaf-spine"]
    # Identical planes and rail fabrics get their own racks: offset the switch index.
    copy = (plane - 1) * s.shape.subfabrics + sub
    if s.tiers == 2:
        per_pair = s.spine.links_per_leaf
        mode = s.spine.mode
        site = floor.site
        for i, (leaf_rail, group) in enumerate(sub_leaves):
            rail = leaf_rail if s.layout != "rail-only" else sub
            leaf_rack = floor.leaf_rack(group)
            for spine in range(s.spines):
                rack, ru = floor.spine_rack(copy * s.spines + spine)
                run = site.leaf_spine_m if site.leaf_spine_m is not None else run_m(
                    site, leaf_rack, rack)
                for t in range(per_pair):
                    a = floor.leaf_end(plane, rail, group,
                                       port_name(down + spine * per_pair + t + 1, c_leaf))
                    z = End("spine", f"{pre}{rail_tag}spine{spine + 1:02d}",
                            port_name(i * per_pair + t + 1, mode.cage_ports),
                            f"row{rack.row + 1:02d}", rack.name, ru)
                    yield (fabric.name, plane, rail_col, *a, *z, speed, *medium, run)
        return
    pod = s.pod
    lp, l2, cg = pod.leaves_per_pod, pod.links_per_core, pod.cores_per_group
    c_spine, c_core = pod.mode.cage_ports, s.core.cage_ports
    spine_units, core_units = pod.mode.switch.rack_units, s.core.switch.rack_units

    def pod_spine(p: int, spine: int, port: str) -> End:
        return _switch_end("spine", f"{pre}{rail_tag}pod{p + 1:02d}-spine{spine + 1:02d}",
                           port, "spine", f"{pre}{rail_tag}pod{p + 1:02d}-net", spine,
                           spine_units, floor.site.rack_units)

    for i, (leaf_rail, group) in enumerate(sub_leaves):
        p, li = divmod(i, lp)
        rail = leaf_rail if s.layout != "rail-only" else sub
        for spine in range(u):
            a = floor.leaf_end(plane, rail, group, port_name(down + spine + 1, c_leaf))
            z = pod_spine(p, spine, port_name(li + 1, c_spine))
            yield (fabric.name, plane, rail_col, *a, *z, speed, *medium, length)
    medium = _medium(s.media["spine-core"])
    length = result.lengths_m["spine-core"]
    cores = u * cg
    for p in range(s.pods):
        for spine in range(u):
            for k in range(cg):
                for t in range(l2):
                    a = pod_spine(p, spine, port_name(lp + k * l2 + t + 1, c_spine))
                    z = _switch_end("core", f"{pre}{rail_tag}core-g{spine + 1:02d}-{k + 1:02d}",
                                    port_name(p * l2 + t + 1, c_core), "core",
                                    f"{floor.name_prefix}core",
                                    copy * cores + spine * cg + k, core_units,
                                    floor.site.rack_units)
                    yield (fabric.name, plane, rail_col, *a, *z, speed, *medium, length)


def iter_cabling(result: DesignResult) -> Iterator[tuple]:
    """Every row of the cabling plan, with ``cable_id`` and ``label``, fabric after fabric."""
    number = 0
    for fabric_result in result.fabrics:
        site = fabric_result.site or fabric_site(result.demand.site, None)
        for row in fabric_rows(fabric_result, site):
            number += 1
            # row: fabric, plane, rail, a (6 fields), z (6 fields), ...
            label = f"{row[4]}:{row[5]} > {row[10]}:{row[11]}"
            yield (f"c{number:07d}", label, *row)


def write_cabling_csv(result: DesignResult, path: Path) -> int:
    """Stream the cabling plan to ``path``; returns the number of rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in iter_cabling(result):
            writer.writerow(row)
            count += 1
    return count
