"""The cabling plan: one row per cable leg, port by port, streamed.

Naming is deterministic and readable on the floor:

- nodes ``n0001`` with NIC ports ``nic1`` .. ``nicE*P`` (plane ``p``, rail ``r``: ``(p-1)*E + r``);
- leaves ``g003-leaf`` (top-of-rack group 3), ``su02-r5-leaf`` (rail 5 of scalable unit 2),
  ``r5-g002-leaf`` (rail-only, rail 5); spines ``spine07``, pod spines ``pod03-spine12``, cores
  ``core-g04-07``; with several planes every switch name starts ``pl2-``;
- switch ports ``p17`` when a cage holds one port, ``p9/2`` for port 2 of cage 9 otherwise.

Ports are assigned in a fixed order: leaf downlinks first (node order, then rail), then uplinks
spine by spine; so every cage is filled before the next is opened, matching the cage counts in
the bill of materials.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from designer.candidates import Medium
from designer.outputs.templating import neutralize
from designer.structure import FabricStructure

if TYPE_CHECKING:
    from designer.result import DesignResult, FabricResult

COLUMNS = ("cable_id", "fabric", "plane", "rail", "a_role", "a_device", "a_port", "a_rack",
           "z_role", "z_device", "z_port", "z_rack", "speed_gbps", "part", "a_transceiver",
           "z_transceiver", "length_m")


def port_name(index: int, cage_ports: int) -> str:
    """1-based logical port ``index`` on a switch with ``cage_ports`` ports per cage."""
    if cage_ports == 1:
        return f"p{index}"
    cage, lane = divmod(index - 1, cage_ports)
    return f"p{cage + 1}/{lane + 1}"


class _Namer:
    """Device and rack names for one fabric."""

    def __init__(self, result: FabricResult):
        self.s = result.structure
        self.planes = self.s.fabric.planes

    def prefix(self, plane: int) -> str:
        return f"pl{plane}-" if self.planes > 1 else ""

    def leaf(self, plane: int, rail: int, group: int) -> str:
        layout = self.s.layout
        if layout == "rail-optimized" and self.s.tiers > 1:
            return f"{self.prefix(plane)}su{group + 1:02d}-r{rail + 1}-leaf"
        if layout == "rail-only":
            return f"{self.prefix(plane)}r{rail + 1}-g{group + 1:03d}-leaf"
        return f"{self.prefix(plane)}g{group + 1:03d}-leaf"


def node_rack(node: int, nodes_per_rack: int, racks_per_row: int) -> str:
    rack = node // nodes_per_rack
    return f"row{rack // racks_per_row + 1:02d}-rack{rack % racks_per_row + 1:02d}"


def _medium_columns(medium: Medium) -> tuple[str, str, str]:
    """Cable part and the transceiver at each end; catalog text, so neutralized for CSV."""
    if medium.transceiver1 is not None:
        return (neutralize(medium.cable.model), neutralize(medium.transceiver1.model),
                neutralize(medium.transceiver2.model))
    return neutralize(medium.cable.model), "", ""


def fabric_rows(result: FabricResult, site) -> Iterator[tuple]:
    """Rows (without ``cable_id``) for one fabric, in a fixed order."""
    s: FabricStructure = result.structure
    fabric = s.fabric
    namer = _Namer(result)
    speed = f"{fabric.port_speed_gbps:g}"
    e = fabric.endpoints_per_node
    sh = s.shape
    npr, rpr = site.nodes_per_rack, site.racks_per_row
    lengths = result.lengths_m

    nl_part, nl_a, nl_z = _medium_columns(s.media["node-leaf"])
    leaf_mode = s.leaf if s.tiers == 1 else s.leaf.mode
    group_nodes = fabric.nodes if s.tiers == 1 else s.leaf.group_nodes
    down = group_nodes * sh.ports_per_node
    groups = 1 if s.tiers == 1 else s.leaf.groups
    for plane in range(1, fabric.planes + 1):
        # node-leaf
        for node in range(fabric.nodes):
            group, j = divmod(node, group_nodes)
            for rail in range(e):
                if sh.layout == "tor" or (s.tiers == 1 and sh.layout != "rail-only"):
                    leaf_rail, port = 0, j * e + rail + 1
                else:
                    leaf_rail, port = rail, j + 1
                leaf = namer.leaf(plane, leaf_rail, group)
                leaf_rack = _leaf_rack(s, group, group_nodes, npr, rpr)
                yield (fabric.name, plane, rail + 1, "node", f"n{node + 1:04d}",
                       f"nic{(plane - 1) * e + rail + 1}", node_rack(node, npr, rpr),
                       "leaf", leaf, port_name(port, leaf_mode.cage_ports), leaf_rack, speed,
                       nl_part, nl_a, nl_z, lengths["node-leaf"])
        if s.tiers == 1:
            continue
        leaves = [(leaf_rail, group) for group in range(groups)
                  for leaf_rail in range(sh.leaves_per_group)]
        if sh.layout == "rail-only":
            leaves_by_subfabric = [[(r, g) for g in range(groups)] for r in range(e)]
        else:
            leaves_by_subfabric = [leaves]
        for sub, sub_leaves in enumerate(leaves_by_subfabric):
            yield from _upper_rows(s, result, namer, plane, sub, sub_leaves, down, speed)


def _leaf_rack(s: FabricStructure, group: int, group_nodes: int, npr: int, rpr: int) -> str:
    if s.shape.layout == "tor" or s.tiers == 1:
        middle = group * group_nodes + min(group_nodes, s.fabric.nodes - group * group_nodes) // 2
        return node_rack(min(middle, s.fabric.nodes - 1), npr, rpr)
    return f"net-g{group + 1:03d}"


def _upper_rows(s: FabricStructure, result: FabricResult, namer: _Namer, plane: int, sub: int,
                sub_leaves: list[tuple[int, int]], down: int, speed: str) -> Iterator[tuple]:
    fabric = s.fabric
    leaf = s.leaf
    u = leaf.uplinks
    c_leaf = leaf.mode.cage_ports
    ls_part, ls_a, ls_z = _medium_columns(s.media["leaf-spine"])
    pre = namer.prefix(plane)
    rail_tag = f"r{sub + 1}-" if s.layout == "rail-only" else ""
    rail_col = sub + 1 if s.layout == "rail-only" else ""
    length = result.lengths_m["leaf-spine"]
    if s.tiers == 2:
        per_pair = s.spine.links_per_leaf
        c_spine = s.spine.mode.cage_ports
        for i, (leaf_rail, group) in enumerate(sub_leaves):
            leaf_name = namer.leaf(plane, leaf_rail if s.layout != "rail-only" else sub, group)
            for spine in range(s.spines):
                spine_name = f"{pre}{rail_tag}spine{spine + 1:02d}"
                for t in range(per_pair):
                    yield (fabric.name, plane, rail_col, "leaf", leaf_name,
                           port_name(down + spine * per_pair + t + 1, c_leaf), _net_rack(group),
                           "spine", spine_name, port_name(i * per_pair + t + 1, c_spine),
                           f"spine-{(spine // 16) + 1:02d}", speed, ls_part, ls_a, ls_z, length)
        return
    pod = s.pod
    lp, l2, cg = pod.leaves_per_pod, pod.links_per_core, pod.cores_per_group
    c_spine, c_core = pod.mode.cage_ports, s.core.cage_ports
    for i, (leaf_rail, group) in enumerate(sub_leaves):
        p, li = divmod(i, lp)
        leaf_name = namer.leaf(plane, leaf_rail if s.layout != "rail-only" else sub, group)
        for spine in range(u):
            yield (fabric.name, plane, rail_col, "leaf", leaf_name,
                   port_name(down + spine + 1, c_leaf), _net_rack(group),
                   "spine", f"{pre}{rail_tag}pod{p + 1:02d}-spine{spine + 1:02d}",
                   port_name(li + 1, c_spine), f"pod{p + 1:02d}-net", speed,
                   ls_part, ls_a, ls_z, length)
    sc_part, sc_a, sc_z = _medium_columns(s.media["spine-core"])
    sc_length = result.lengths_m["spine-core"]
    for p in range(s.pods):
        for spine in range(u):
            for k in range(cg):
                for t in range(l2):
                    yield (fabric.name, plane, rail_col, "spine",
                           f"{pre}{rail_tag}pod{p + 1:02d}-spine{spine + 1:02d}",
                           port_name(lp + k * l2 + t + 1, c_spine), f"pod{p + 1:02d}-net",
                           "core", f"{pre}{rail_tag}core-g{spine + 1:02d}-{k + 1:02d}",
                           port_name(p * l2 + t + 1, c_core), f"core-{spine + 1:02d}",
                           speed, sc_part, sc_a, sc_z, sc_length)


def _net_rack(group: int) -> str:
    return f"net-g{group + 1:03d}"


def iter_cabling(result: DesignResult) -> Iterator[tuple]:
    """Every row of the cabling plan, with ``cable_id``, fabric after fabric."""
    number = 0
    for fabric_result in result.fabrics:
        for row in fabric_rows(fabric_result, result.demand.site):
            number += 1
            yield (f"c{number:07d}", *row)


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
