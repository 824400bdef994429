"""The floor model: how long the worst link of each class is, from where racks stand.

Racks stand in rows of ``racks_per_row``; ``nodes_per_rack`` servers share a rack. Distances are
Manhattan over the floor grid plus a vertical drop at each end and a service loop::

    length = 2 * tray_drop_m + |d_row| * row_pitch_m + |d_rack| * rack_pitch_m + slack_m

and ``in_rack_m`` for a link that stays inside one rack. Every class length is the worst case over
the links of that class, so one medium chosen by reach serves them all. Any class length can be
set outright in the demand's ``site:`` section (``node_leaf_m``, ``leaf_spine_m``,
``spine_core_m``), which then wins.
"""

from __future__ import annotations

import math

from designer.schema import Site

LINK_CLASSES = ("node-leaf", "leaf-spine", "spine-core")


def _run_m(site: Site, rows_apart: int, racks_apart: int) -> float:
    if rows_apart == 0 and racks_apart == 0:
        return site.in_rack_m
    return round(2 * site.tray_drop_m + rows_apart * site.row_pitch_m
                 + racks_apart * site.rack_pitch_m + site.slack_m, 3)


def _group_extent(site: Site, racks: int) -> tuple[int, int]:
    """Worst (rows, racks) distance from the middle of a block of ``racks`` racks."""
    per_row = min(racks, site.racks_per_row)
    rows = math.ceil(racks / site.racks_per_row)
    return rows // 2, per_row // 2


def node_leaf_m(site: Site, rail_layout: bool, group_nodes: int) -> float:
    """Worst node-to-leaf run for a leaf group of ``group_nodes`` nodes.

    Top-of-rack: the leaf sits in the middle rack of its group (in the node's own rack when the
    group fits one rack). Rail layouts: the group's leaves sit in a network rack placed in the
    middle of the group's racks, so even a one-rack group reaches one rack over.
    """
    if site.node_leaf_m is not None:
        return site.node_leaf_m
    racks = math.ceil(group_nodes / site.nodes_per_rack)
    if rail_layout:
        rows, across = _group_extent(site, racks + 1)
        return _run_m(site, rows, max(across, 1))
    if racks == 1:
        return site.in_rack_m
    rows, across = _group_extent(site, racks)
    return _run_m(site, rows, across)


def hall_rows(site: Site, nodes: int) -> int:
    """Rows of node racks for ``nodes`` servers."""
    return max(1, math.ceil(math.ceil(nodes / site.nodes_per_rack) / site.racks_per_row))


def leaf_spine_m(site: Site, nodes: int) -> float:
    """Worst leaf-to-spine run: spines in a network row in the middle of the hall."""
    if site.leaf_spine_m is not None:
        return site.leaf_spine_m
    rows = hall_rows(site, nodes)
    return _run_m(site, math.ceil(rows / 2), site.racks_per_row - 1)


def spine_core_m(site: Site, nodes: int) -> float:
    """Worst spine-to-core run: pod spines at their pods, cores one row past the hall's middle."""
    if site.spine_core_m is not None:
        return site.spine_core_m
    rows = hall_rows(site, nodes)
    return _run_m(site, math.ceil(rows / 2) + 1, site.racks_per_row - 1)
