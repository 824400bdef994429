"""The floor model: where racks stand, and how long a run between two of them is.

Racks stand in rows of ``racks_per_row``; ``nodes_per_rack`` servers share a rack. Distances are
Manhattan over the floor grid plus a vertical drop at each end and a service loop::

    length = 2 * tray_drop_m + |d_row| * row_pitch_m + |d_rack| * rack_pitch_m + slack_m

and, for a link that stays inside one rack, the climb from the device's rack unit to the
switches at the top plus ``in_rack_m`` (``in_rack_run_m``). Node-leaf and 2-tier leaf-spine
runs are measured one by one on this grid; the classes of three tiers are priced at the
longest run their pods and cores can lay (``designer.site.pods``). Any class length can be set
outright in the demand's ``site:`` section (``node_leaf_m``, ``leaf_spine_m``,
``spine_core_m``), which then wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designer.inputs.schema import Site

DEFAULT_NODES_PER_RACK = 4
DEFAULT_NODE_UNITS = 4  # a server's height when the demand names no server model
RESERVED_UNITS = 2  # rack units a network rack keeps free for patching


def fabric_site(site: Site, server_power_w: float | None,
                server_units: int | None = None) -> Site:
    """The site as one fabric sees it, with ``nodes_per_rack`` always set and
    ``rows_per_hall`` no more than ``hall_power_kw`` feeds (``Site.fed_rows_per_hall``).

    An explicit ``nodes_per_rack`` wins; else a rack holds as many servers as its
    ``rack_power_kw`` budget feeds (``floor(1000 * rack_power_kw / server power_w)``, at least
    one), and no more than its rack units hold (``server_units`` U each); else 4 (8-GPU servers
    of about 10 kW in a 40 kW rack).

    >>> fabric_site(Site(rack_power_kw=200), 10_200, server_units=8).nodes_per_rack
    5
    """
    if site.fed_rows_per_hall != site.rows_per_hall:  # as many rows as the hall's power feeds
        site = site.model_copy(update={"rows_per_hall": site.fed_rows_per_hall})
    if site.nodes_per_rack is not None:
        return site
    per_rack = DEFAULT_NODES_PER_RACK
    if site.rack_power_kw is not None and server_power_w:
        per_rack = max(1, math.floor(1000 * site.rack_power_kw / server_power_w))
        if server_units:
            per_rack = min(per_rack, max(1, site.rack_units // server_units))
    return site.model_copy(update={"nodes_per_rack": per_rack})


def grid_run_m(site: Site, rows_apart: int, racks_apart: int) -> float:
    if rows_apart == 0 and racks_apart == 0:
        return site.in_rack_m
    return round(2 * site.tray_drop_m + rows_apart * site.row_pitch_m
                 + racks_apart * site.rack_pitch_m + site.slack_m, 3)


@dataclass(frozen=True)
class Rack:
    """A rack position on the floor grid (0-based row and column)."""

    row: int
    col: int

    @property
    def name(self) -> str:
        return f"row{self.row + 1:02d}-rack{self.col + 1:02d}"


def hall_pitch_m(site: Site) -> float:
    """From a rack to the rack in the same position of the next hall: a row's length plus the
    gap between halls."""
    return site.racks_per_row * site.rack_pitch_m + site.hall_gap_m


def campus_run_m(site: Site, halls_apart: int, rows_apart: int, racks_apart: int) -> float:
    """A run between racks ``halls_apart`` halls, ``rows_apart`` rows (within their halls) and
    ``racks_apart`` positions apart (signed: the second rack's hall and position less the
    first's). Halls stand side by side along the rows, each row ``racks_per_row`` racks and the
    halls ``hall_gap_m`` apart, so the run crosses ``|halls_apart x hall_pitch + racks_apart x
    rack_pitch|`` along the rows and ``|rows_apart| x row_pitch`` across them, plus the drops
    and the slack. Within one hall it is :func:`grid_run_m`.

    >>> campus_run_m(Site(), 1, 0, -15)  # last rack of hall 1 to the first of hall 2
    24.6
    """
    if halls_apart == 0:
        return grid_run_m(site, abs(rows_apart), abs(racks_apart))
    along = abs(halls_apart * hall_pitch_m(site) + racks_apart * site.rack_pitch_m)
    return round(2 * site.tray_drop_m + along + abs(rows_apart) * site.row_pitch_m
                 + site.slack_m, 3)


def campus_runs_m(site: Site, halls_apart: np.ndarray, rows_apart: np.ndarray,
                  racks_apart: np.ndarray) -> np.ndarray:
    """:func:`campus_run_m` of every ``(halls, rows, racks)`` apart in three integer arrays:
    the same floating-point arithmetic in the same order, each distinct sum then rounded by
    Python's ``round`` as there, so every length is the one the plan writes."""
    rows, racks = np.abs(rows_apart), np.abs(racks_apart)
    within = 2 * site.tray_drop_m + rows * site.row_pitch_m + racks * site.rack_pitch_m
    within = within + site.slack_m
    along = np.abs(halls_apart * hall_pitch_m(site) + racks_apart * site.rack_pitch_m)
    across = 2 * site.tray_drop_m + along + rows * site.row_pitch_m + site.slack_m
    raw = np.where(halls_apart == 0, within, across)
    distinct, where = np.unique(raw, return_inverse=True)
    rounded = np.array([round(x, 3) for x in distinct.tolist()])[where.ravel()]
    same_rack = (halls_apart == 0) & (rows == 0) & (racks == 0)
    return np.where(same_rack, site.in_rack_m, rounded)


def run_m(site: Site, a: Rack, b: Rack) -> float:
    """Length of a run between two racks (``in_rack_m`` within one rack), on one hall's grid or
    across halls (:func:`campus_run_m`): rack rows count on from hall to hall."""
    per_hall = site.rows_per_hall
    return campus_run_m(site, b.row // per_hall - a.row // per_hall,
                        b.row % per_hall - a.row % per_hall, b.col - a.col)


def hall_position(site: Site, rack: Rack) -> tuple[int, str, str]:
    """Where a rack stands for an installer: its hall (0-based), and its row and rack names
    counted within that hall (``row03``, ``row03-rack07``)."""
    hall, row = divmod(rack.row, site.rows_per_hall)
    return hall, f"row{row + 1:02d}", f"row{row + 1:02d}-rack{rack.col + 1:02d}"


RACK_UNIT_M = 0.04445  # 1U = 1.75 in (EIA-310)


def in_rack_run_m(site: Site, ru: int) -> float:
    """A run inside one rack from a device whose lowest unit is ``ru`` up to the switches at
    the top of the rack: ``(rack_units - ru) x 44.45 mm + in_rack_m`` (the allowance covers the
    way to and from the rack's vertical cable manager, the switch zone and a service loop).

    >>> in_rack_run_m(Site(), 1), in_rack_run_m(Site(), 29)
    (2.822, 1.578)
    """
    return round((site.rack_units - ru) * RACK_UNIT_M + site.in_rack_m, 3)


def node_run_m(site: Site, node: Rack, node_ru: int, leaf: Rack) -> float:
    """A node-leaf run: rack to rack, or inside the rack from the node's rack unit."""
    return in_rack_run_m(site, node_ru) if node == leaf else run_m(site, node, leaf)


class GroupPlacement:
    """Where the racks of leaf groups stand.

    A group of ``q`` nodes fills ``m = ceil(q / nodes_per_rack)`` node racks; a rail layout adds
    one network rack for the group's leaves in the middle of them (slot ``m // 2``), a top-of-rack
    leaf sits in the middle node rack (``(m - 1) // 2``). A group takes ``s`` slots.

    When whole groups fill rows exactly (``s`` divides ``racks_per_row``, or a wide group's
    ``s`` is a multiple of it), every group starts where a row does. Otherwise no position is
    left empty by the rule: groups follow one another rack by rack and a group may straddle
    two rows, which run in a serpentine (even rows left to right, odd rows right to left), so
    the two halves of a straddling group stand back to back across the aisle. Groups are then
    not all alike: group ``g`` stands as group ``g mod period`` does. On a ``campus`` (the
    groups fill more rows than ``rows_per_hall``) a group that spans rows may also straddle two
    halls, so its pattern also counts where in its hall it starts.
    """

    def __init__(self, site: Site, group_nodes: int, rail: bool, campus: bool = False):
        site = fabric_site(site, None)
        self.site = site
        self.group_nodes = group_nodes
        self.rail = rail
        self.node_racks = math.ceil(group_nodes / site.nodes_per_rack)
        self.slots = self.node_racks + (1 if rail else 0)
        rpr = site.racks_per_row
        self.per_row = rpr // self.slots if self.slots <= rpr else 0
        self.rows_per_group = math.ceil(self.slots / rpr)
        self.packed = (rpr % self.slots if self.slots <= rpr else self.slots % rpr) != 0
        # Groups repeat their shape every ``period`` groups: the start position of group g,
        # ``g s`` modulo two rows (the serpentine's two directions), comes round again; on a
        # campus, modulo a hall's rows too (a group within one row is never split by a hall).
        self.base_period = 2 * rpr // math.gcd(self.slots, 2 * rpr) if self.packed else 1
        self.period = self.base_period
        if campus and self.packed:
            cycle = math.lcm(2 * rpr, site.rows_per_hall * rpr)
            self.period = cycle // math.gcd(self.slots, cycle)
        elif campus and not self.per_row:
            per_hall = site.rows_per_hall
            self.period = per_hall // math.gcd(self.rows_per_group, per_hall)

    def slot(self, group: int, k: int) -> Rack:
        rpr = self.site.racks_per_row
        if self.packed:
            row, position = divmod(group * self.slots + k, rpr)
            return Rack(row, position if row % 2 == 0 else rpr - 1 - position)
        if self.per_row:
            return Rack(group // self.per_row, (group % self.per_row) * self.slots + k)
        return Rack(group * self.rows_per_group + k // rpr, k % rpr)

    def split_by_hall(self, group: int) -> bool:
        """Whether a hall boundary runs through the group (only then do its runs differ from
        those of its serpentine pattern in one hall)."""
        per_hall = self.site.rows_per_hall
        rows = {self.slot(group, k).row // per_hall for k in (0, self.slots - 1)}
        return len(rows) > 1

    def node_slot(self, index_in_group: int) -> int:
        k = index_in_group // self.site.nodes_per_rack
        return k + 1 if self.rail and k >= self.node_racks // 2 else k

    def node_rack(self, node: int) -> Rack:
        group, j = divmod(node, self.group_nodes)
        return self.slot(group, self.node_slot(j))

    def node_ru(self, node: int, node_units: int) -> int:
        """Rack unit of a node: stacked from the bottom, ``node_units`` each."""
        return 1 + (node % self.group_nodes % self.site.nodes_per_rack) * node_units

    def leaf_slot(self) -> int:
        return self.node_racks // 2 if self.rail else (self.node_racks - 1) // 2

    def leaf_rack(self, group: int) -> Rack:
        return self.slot(group, self.leaf_slot())

    def worst_node_leaf_m(self) -> float:
        """The longest node-leaf run of a full group, over every group pattern (in the leaf's
        rack, from a node at the bottom)."""
        return max(node_run_m(self.site, self.slot(g, self.node_slot(j)), 1, self.leaf_rack(g))
                   for g in range(self.period)
                   for j in range(0, self.group_nodes, self.site.nodes_per_rack))


def node_leaf_m(site: Site, rail_layout: bool, group_nodes: int) -> float:
    """Worst node-to-leaf run for a leaf group of ``group_nodes`` nodes (see GroupPlacement).

    Top-of-rack: the leaf sits in the middle rack of its group (in the node's own rack when the
    group fits one rack). Rail layouts: the group's leaves sit in a network rack placed in the
    middle of the group's racks, so even a one-rack group reaches one rack over.
    """
    if site.node_leaf_m is not None:
        return site.node_leaf_m
    return GroupPlacement(site, group_nodes, rail_layout).worst_node_leaf_m()


def hall_rows(site: Site, nodes: int, group_nodes: int, rail: bool) -> int:
    """Rows of node racks that ``nodes`` servers fill in groups of ``group_nodes``."""
    placement = GroupPlacement(site, min(group_nodes, nodes), rail)
    groups = math.ceil(nodes / placement.group_nodes)
    if placement.packed:
        return max(1, math.ceil(groups * placement.slots / site.racks_per_row))
    if placement.per_row:
        return max(1, math.ceil(groups / placement.per_row))
    return groups * placement.rows_per_group


def network_rows_at(site: Site, nodes: int, group_nodes: int, rail: bool) -> tuple[int, int]:
    """``(R, mid)``: rows of node racks, and the row before which the network rows stand.

    ``mid`` is the first row boundary at or past the middle of the hall that no group straddles
    (for packed rows, one every ``s / gcd(s, racks_per_row)`` rows; past the last row when there
    is none, so the network rows stand after the node rows). On a campus (more rows than
    ``rows_per_hall``) it is also a boundary between halls, and the network rows fill whole
    halls of their own (:func:`spine_rows`): moving the later halls over by whole halls keeps
    every run between node racks as it was.
    """
    placement = GroupPlacement(site, min(group_nodes, nodes), rail)
    rows = hall_rows(site, nodes, group_nodes, rail)
    if placement.packed:
        step = placement.slots // math.gcd(placement.slots, site.racks_per_row)
    else:
        step = 1 if placement.per_row else placement.rows_per_group
    if rows > site.rows_per_hall:
        step = math.lcm(step, site.rows_per_hall)
    return rows, min(step * math.ceil(rows / step / 2), rows)


def spine_rows(site: Site, node_rows: int, racks: int) -> int:
    """Rows that ``racks`` network racks take before node row ``mid``: whole rows, and on a
    campus whole halls.

    >>> spine_rows(Site(), 40, 20), spine_rows(Site(rows_per_hall=10), 40, 20)
    (2, 10)
    """
    rows = math.ceil(racks / site.racks_per_row)
    if node_rows > site.rows_per_hall:
        rows = site.rows_per_hall * math.ceil(rows / site.rows_per_hall)
    return rows


def per_rack(site: Site, units: int, power_w: float = 0.0) -> int:
    """Switches of ``units`` U drawing ``power_w`` W one network rack holds: its rack units
    less ``RESERVED_UNITS``, and within ``rack_power_kw`` when the demand sets it (at least one:
    a switch over the budget on its own is refused by ``space.check_switch_space``).

    >>> per_rack(Site(), 1), per_rack(Site(rack_power_kw=10), 1, 1720.0)
    (40, 5)
    """
    by_units = max(1, (site.rack_units - RESERVED_UNITS) // units)
    if site.rack_power_kw is None or power_w <= 0:
        return by_units
    return max(1, min(by_units, math.floor(1000 * site.rack_power_kw / power_w)))


def lowest_unit(site: Site, slot: int, units: int) -> int:
    """Lowest rack unit of the switch in ``slot`` of a stack of switches of ``units`` U each,
    filled from the top of the rack (slot 0 at the top). A device's rack unit in the plan is
    always its lowest one (NetBox's ``position``).

    >>> lowest_unit(Site(), 0, 1), lowest_unit(Site(), 1, 2)  # U42; U39-U40
    (42, 39)
    """
    return site.rack_units + 1 - (slot + 1) * units


def spine_blocks(uplinks: int, holds: int) -> tuple[int, int]:
    """``(racks, block)``: where a 2-tier copy's spines stand, from its leaves' uplinks alone.

    Uplink ``k`` of every leaf goes to the copy's spine rack ``k // block``, so every leaf
    spreads its ``u`` uplinks over the same ``racks = u / block`` racks whatever the spine
    option. ``block`` is the largest divisor of ``u`` that is at most what a rack holds
    (``holds`` spines) and at most ``u / 2`` (no rack holds the whole tier). A spine with ``l``
    links to each leaf takes uplinks ``s l .. s l + l - 1``, which stay in one rack when ``l``
    divides ``block`` (the model offers only those spine options; a divisor of ``u`` has many
    divisors in common with it); a rack then holds ``block / l <= holds`` spines.

    >>> spine_blocks(16, 40), spine_blocks(64, 20), spine_blocks(28, 6), spine_blocks(1, 40)
    ((2, 8), (4, 16), (7, 4), (1, 1))
    """
    cap = max(1, min(holds, uplinks // 2))
    block = max(d for d in range(1, cap + 1) if uplinks % d == 0)
    return uplinks // block, block


def leaf_spine_m(site: Site, nodes: int, group_nodes: int, rail: bool) -> float:
    """The least worst leaf-to-spine run any placement of the spines gives, for the diagnosis
    of a fabric no medium reaches (``designer.diagnose.reasons``): one network row before
    node row ``mid``, the farthest leaf ``max(mid, R - mid)`` rows and ``racks_per_row - 1``
    racks from it. On a campus it is one hall's worth, a lower bound (the network rows then
    fill halls of their own, farther from most leaves).
    """
    if site.leaf_spine_m is not None:
        return site.leaf_spine_m
    rows, mid = network_rows_at(site, nodes, group_nodes, rail)
    if rows > site.rows_per_hall:
        rows, mid = site.rows_per_hall, site.rows_per_hall // 2
    rows_apart = max(mid, rows - mid, 1)
    return grid_run_m(site, rows_apart, site.racks_per_row - 1)
