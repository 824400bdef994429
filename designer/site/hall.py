"""The hall of a server set: where its servers stand once its first fabric has placed them.

The primary fabric of a server set (``designer.inputs.servers``) lays out the hall as any fabric
does (``designer.site.grid.GroupPlacement``): node racks group by group, rail network racks
among them, and for two tiers its spine rows standing before node row ``mid``
(:class:`PrimaryFloor`).

Every later fabric of the set (a *secondary*) finds each server where the primary put it
(:class:`SharedFloor`):

- its leaf group ``g`` of ``q`` nodes (nodes ``g q .. g q + q - 1``) has its leaves in the rack
  of the group's middle node, stacked from the top below whatever earlier fabrics put there;
- node-leaf runs are measured from each node's rack to that rack, group by group (groups of a
  secondary need not line up with the primary's, so no group stands for the others);
- its spines (or pod spines and cores, ``designer.site.pods``) stand in network rows of its own
  after the hall's last row: ``first_row`` is past the node rows, the primary's network rows
  and every earlier secondary's rows.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from designer.errors import InfeasibleError
from designer.inputs.schema import Site
from designer.site.grid import (
    DEFAULT_NODE_UNITS,
    GroupPlacement,
    Rack,
    campus_run_m,
    hall_rows,
    lowest_unit,
    network_rows_at,
    node_run_m,
    spine_rows,
)
from designer.site.pods import PodRacks


@dataclass(frozen=True)
class PrimaryFloor:
    """Where the primary fabric's servers, leaves and spines stand (node rows shifted past the
    network rows that stand before row ``mid``)."""

    site: Site
    placement: GroupPlacement
    node_units: int
    mid: int = 0
    net_rows: int = 0
    spines: SpineRacks | PodRacks | None = None

    @classmethod
    def of(cls, structure, site: Site, node_units: int) -> PrimaryFloor:
        """The floor a solved primary structure gives."""
        s = structure
        placement = GroupPlacement(site, s.group_nodes, s.shape.rail)
        if s.tiers == 1:
            return cls(site, placement, node_units)
        network = SpineRacks.of(structure, site) if s.tiers == 2 else PodRacks.of(structure, site)
        return cls.with_spines(placement, node_units, s.fabric.nodes, network)

    @classmethod
    def with_spines(cls, placement: GroupPlacement, node_units: int, nodes: int,
                    spines: SpineRacks | PodRacks) -> PrimaryFloor:
        """A floor with network racks (2-tier spines, or 3-tier pod spines and cores) in
        network rows before node row ``mid``."""
        site = placement.site
        rows, mid = network_rows_at(site, nodes, placement.group_nodes, placement.rail)
        return cls(site, placement, node_units, mid, spine_rows(site, rows, spines.racks),
                   spines)

    def at(self, rack: Rack) -> Rack:
        """A node row's rack moved past the network rows that stand before it."""
        return Rack(rack.row + self.net_rows, rack.col) if rack.row >= self.mid else rack

    def node_rack(self, node: int) -> Rack:
        return self.at(self.placement.node_rack(node))

    def node_ru(self, node: int) -> int:
        return self.placement.node_ru(node, self.node_units)

    def leaf_rack(self, group: int) -> Rack:
        return self.at(self.placement.leaf_rack(group))

    def rows(self, nodes: int) -> int:
        """Rows the hall fills: node rows plus the primary's network rows."""
        return hall_rows(self.site, nodes, self.placement.group_nodes,
                         self.placement.rail) + self.net_rows


@dataclass(frozen=True)
class SharedFloor:
    """A secondary fabric's view of its server set's hall.

    ``reserved_units`` maps a node rack to the rack units earlier fabrics' switches take from
    its top; ``first_row`` is where this fabric's own network rows start.
    """

    primary: PrimaryFloor
    nodes: int
    first_row: int
    reserved_units: dict[Rack, int] = field(default_factory=dict)

    @property
    def site(self) -> Site:
        return self.primary.site

    def group_range(self, q: int, group: int) -> range:
        q = min(q, self.nodes)
        return range(group * q, min(self.nodes, (group + 1) * q))

    def leaf_rack(self, q: int, group: int) -> Rack:
        """The rack of the group's middle node."""
        members = self.group_range(q, group)
        return self.primary.node_rack(members[(len(members) - 1) // 2])

    def leg_runs_m(self, q: int, group: int, ports_per_node: int) -> list[float]:
        """Run of every leg of one leaf of group ``group``, in the leaf's port order."""
        site = self.site
        if site.node_leaf_m is not None:
            return [site.node_leaf_m] * (len(self.group_range(q, group)) * ports_per_node)
        leaf = self.leaf_rack(q, group)
        runs: list[float] = []
        for node in self.group_range(q, group):
            runs += [node_run_m(site, self.primary.node_rack(node), self.primary.node_ru(node),
                                leaf)] * ports_per_node
        return runs

    def leaf_stacking(self, structure) -> tuple[list[int], dict[Rack, int]]:
        """Where a fabric's leaves stack in the node racks: for each group, how many of its
        leaves earlier groups put in the group's rack; and the leaves each rack takes."""
        s = structure
        in_rack: dict[Rack, int] = {}
        slots = []
        for group in range(s.groups):
            rack = self.leaf_rack(s.group_nodes, group)
            slots.append(in_rack.get(rack, 0))
            in_rack[rack] = slots[-1] + s.group_leaves
        return slots, in_rack


def primary_reserved_units(structure, floor: PrimaryFloor) -> dict[Rack, int]:
    """Rack units a primary's top-of-rack switches take from the top of its node racks."""
    s = structure
    if s.shape.rail:
        return {}
    units = s.group_leaves * s.leaf.mode.switch.rack_units
    return {floor.leaf_rack(g): units for g in range(s.groups)}


def network_rows(structure, site: Site) -> int:
    """Network rows a secondary's upper tiers take: its 2-tier spine racks, or its 3-tier pod
    spine and core racks (``designer.site.pods``), by rows."""
    s = structure
    if s.tiers == 1:
        return 0
    network = SpineRacks.of(s, site) if s.tiers == 2 else PodRacks.of(s, site)
    return math.ceil(network.racks / site.racks_per_row)


@dataclass(frozen=True)
class SpineRacks:
    """Where a 2-tier fabric's spines stand: each copy (plane and rail) has ``per_copy`` racks
    of its own in the network rows from ``first_row``, and uplink ``k`` of every leaf goes to
    the copy's rack ``k // block`` (``site.grid.spine_blocks``: fixed by the leaf option, so
    the optimizer knows every leaf-spine run before it picks the spines). Spine ``s`` (``l``
    links to each leaf) stands in the rack of its uplinks, stacked from the top."""

    site: Site
    per_copy: int
    block: int
    copies: int
    links_per_leaf: int = 1
    units: int = 1

    @classmethod
    def of(cls, structure, site: Site) -> SpineRacks:
        leaf, spine = structure.leaf, structure.spine
        return cls(site, leaf.spine_racks, leaf.spine_block, structure.copies,
                   spine.links_per_leaf, spine.mode.switch.rack_units)

    @property
    def racks(self) -> int:
        return self.copies * self.per_copy

    def rack(self, copy: int, index: int, first_row: int) -> Rack:
        """Rack ``index`` of copy ``copy``: the copies' racks fill rows left to right."""
        position = copy * self.per_copy + index
        rpr = self.site.racks_per_row
        return Rack(first_row + position // rpr, position % rpr)

    def place(self, copy: int, spine: int, first_row: int) -> tuple[Rack, int]:
        """Rack and lowest rack unit of spine ``spine`` of copy ``copy``."""
        first = spine * self.links_per_leaf
        index = first // self.block
        slot = (first - index * self.block) // self.links_per_leaf
        return self.rack(copy, index, first_row), lowest_unit(self.site, slot, self.units)

    def runs_per_rack(self, leaf_racks: list[Rack], first_row: int
                      ) -> tuple[tuple[float, int], ...]:
        """``((run_m, pairs), ...)``: the run from every leaf rack to every spine rack of
        every copy, counted once per pair."""
        site = self.site
        pairs = len(leaf_racks) * self.copies * self.per_copy
        if site.leaf_spine_m is not None:
            return ((site.leaf_spine_m, pairs),)
        spines = [self.rack(copy, i, first_row) for copy in range(self.copies)
                  for i in range(self.per_copy)]
        # pairs by (halls, rows within the hall, racks) apart, every leaf rack against every
        # spine rack at once, each difference offset to be non-negative and packed in one key
        per_hall = site.rows_per_hall
        leaf_at = np.array([(r.row // per_hall, r.row % per_hall, r.col) for r in leaf_racks],
                           dtype=np.int64)
        spine_at = np.array([(r.row // per_hall, r.row % per_hall, r.col) for r in spines],
                            dtype=np.int64)
        apart = (spine_at[None, :, :] - leaf_at[:, None, :]).reshape(-1, 3)
        low = apart.min(axis=0)
        span = apart.max(axis=0) - low + 1
        keys = ((apart[:, 0] - low[0]) * span[1] + apart[:, 1] - low[1]) * span[2] + (
            apart[:, 2] - low[2])
        counts = np.bincount(keys)
        runs: Counter = Counter()
        for key in np.flatnonzero(counts).tolist():
            rest, racks = divmod(key, int(span[2]))
            halls, rows = divmod(rest, int(span[1]))
            run = campus_run_m(site, halls + int(low[0]), rows + int(low[1]),
                               racks + int(low[2]))
            runs[run] += int(counts[key])
        return tuple(sorted(runs.items()))


class ServerHall:
    """A server set's hall while its fabrics are designed one after another: the primary's
    floor, the next free network row, and the rack units switches already take in node racks."""

    def __init__(self, primary: PrimaryFloor, nodes: int, next_row: int,
                 reserved: dict[Rack, int], server_w: float = 0.0,
                 reserved_w: dict[Rack, float] | None = None):
        self.primary = primary
        self.nodes = nodes
        self.next_row = next_row
        self.reserved = reserved
        self.server_w = server_w
        self.reserved_w = reserved_w or {}
        self._servers_in: Counter | None = None

    @classmethod
    def of(cls, structure, site, server) -> ServerHall:
        floor = PrimaryFloor.of(structure, site, server.rack_units if server else
                                DEFAULT_NODE_UNITS)
        nodes = structure.fabric.nodes
        reserved = primary_reserved_units(structure, floor)
        leaf_w = structure.group_leaves * structure.leaf.mode.switch.power_w
        return cls(floor, nodes, floor.rows(nodes), reserved,
                   server.power_w if server else 0.0, dict.fromkeys(reserved, leaf_w))

    def shared_floor(self) -> SharedFloor:
        return SharedFloor(self.primary, self.nodes, self.next_row, dict(self.reserved))

    def add(self, structure, hall: SharedFloor) -> None:
        """Take a designed secondary's leaves and network rows into the hall; its leaves must
        fit above the servers and earlier switches of their racks."""
        s = structure
        leaf_units = s.leaf.mode.switch.rack_units
        if self._servers_in is None:
            self._servers_in = Counter(self.primary.node_rack(n) for n in range(self.nodes))
        site = self.primary.site
        _, leaves_in = hall.leaf_stacking(s)
        for rack, leaves in sorted(leaves_in.items(), key=lambda item: (item[0].row,
                                                                         item[0].col)):
            units = leaves * leaf_units
            free = (site.rack_units - self._servers_in[rack] * self.primary.node_units
                    - self.reserved.get(rack, 0))
            if units > free:
                raise InfeasibleError(
                    f"fabric '{s.fabric.name}': site: it puts {units}U of leaves in rack "
                    f"{rack.name}, which has {max(free, 0)}U left above its servers and earlier "
                    f"fabrics' switches; fix: site.rack_units: "
                    f"{site.rack_units + units - max(free, 0)} or a lower site.nodes_per_rack")
            self.reserved[rack] = self.reserved.get(rack, 0) + units
            drawn_w = (self._servers_in[rack] * self.server_w + self.reserved_w.get(rack, 0.0)
                       + leaves * s.leaf.mode.switch.power_w)
            if site.rack_power_kw is not None and drawn_w > 1000 * site.rack_power_kw + 1e-6:
                raise InfeasibleError(
                    f"fabric '{s.fabric.name}': site.rack_power_kw: its leaves bring rack "
                    f"{rack.name} to {drawn_w / 1000:,.2f} kW with its servers and earlier "
                    f"fabrics' switches, over the {site.rack_power_kw:g} kW budget; fix: "
                    f"site.rack_power_kw: {math.ceil(drawn_w / 100) / 10:g} or a lower "
                    "site.nodes_per_rack")
            self.reserved_w[rack] = (self.reserved_w.get(rack, 0.0)
                                     + leaves * s.leaf.mode.switch.power_w)
        self.next_row += network_rows(s, site)


__all__ = ["PrimaryFloor", "ServerHall", "SharedFloor", "network_rows", "primary_reserved_units"]
