"""Where every device of one fabric stands, and what it is called on the floor.

Names are deterministic and readable on the floor:

- nodes ``n0001``; a fabric on servers another fabric placed (a shared server group) names its
  switches after itself: ``frontend-g001-leaf``, in the same node racks;
- leaves ``g003-leaf`` (top-of-rack group 3, or the one switch of a one-tier fabric),
  ``su02-r5-leaf`` (rail 5 of scalable unit 2), ``r5-g002-leaf`` (rail-only, rail 5); spines
  ``spine07``, pod spines ``pod03-spine12``, cores ``core-g04-07``; with several planes every
  switch name starts ``pl2-``.

Where they stand (:class:`~designer.site.hall.PrimaryFloor`, or a
:class:`~designer.site.hall.SharedFloor` when another fabric placed the servers): node racks
``rowRR-rackKK`` group by group, servers stacked from U1; a top-of-rack leaf in the middle
rack of its group; rail leaves in a network rack in the middle of their group, leaves stacked
from the top; spines (``designer.site.hall.SpineRacks``), pod spines and cores
(``designer.site.pods.PodRacks``) in racks of the network rows, stacked from the top with
``RESERVED_UNITS`` kept for patching. Every tier above the leaf spreads over at least two
racks, each within its rack units and ``rack_power_kw``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from designer.inputs.schema import Site
from designer.site.grid import Rack, hall_position
from designer.site.hall import PrimaryFloor, SharedFloor, SpineRacks
from designer.site.pods import PodRacks

if TYPE_CHECKING:
    from designer.model.structure import FabricStructure


class Placed(NamedTuple):
    """A device and where it stands: hall, row and rack names, and its lowest rack unit."""

    device: str
    hall: str
    row: str
    rack: str
    ru: int


class FabricFloor:
    """Names and places the devices of one fabric: on its own floor, or on servers another
    fabric placed (``hall``; switch names then start with the fabric's name)."""

    def __init__(self, s: FabricStructure, site: Site, node_units: int,
                 hall: SharedFloor | None = None, hall_name: str = "hall1"):
        self.s = s
        self.hall_name = hall_name
        self.site = site
        self.planes = s.fabric.planes
        self.hall = hall
        self.servers = hall.primary if hall else PrimaryFloor.of(s, site, node_units)
        self.leaf_units = s.leaf.mode.switch.rack_units
        self.name_prefix = f"{s.fabric.name}-" if hall else ""
        self.spine_racks = SpineRacks.of(s, site) if s.tiers == 2 else None
        self.pod_racks = PodRacks.of(s, site) if s.tiers == 3 else None
        self.slots = hall.leaf_stacking(s)[0] if hall is not None else []
        self.rows = rows = self.servers.rows(hall.nodes if hall is not None else s.fabric.nodes)
        self.campus = rows > site.rows_per_hall  # the floor spans halls
        # where the network rows start: before node row ``mid`` on the fabric's own floor,
        # after the hall's rows on servers another fabric placed
        self.first_row = hall.first_row if hall is not None else self.servers.mid
        # every device is placed once and then looked up: a switch ends many cabling rows
        self._seen: dict[tuple, Placed | tuple[Placed, Rack]] = {}

    def prefix(self, plane: int) -> str:
        return self.name_prefix + (f"pl{plane}-" if self.planes > 1 else "")

    def rail_tag(self, sub: int) -> str:
        """``r3-`` in the names of rail 3's switches above the leaf (rail-only)."""
        return f"r{sub + 1}-" if self.s.layout == "rail-only" else ""

    def leaf_name(self, plane: int, rail: int, group: int) -> str:
        if self.s.layout == "rail-optimized" and self.s.tiers > 1:
            return f"{self.prefix(plane)}su{group + 1:02d}-r{rail + 1}-leaf"
        if self.s.layout == "rail-only":
            return f"{self.prefix(plane)}r{rail + 1}-g{group + 1:03d}-leaf"
        return f"{self.prefix(plane)}g{group + 1:03d}-leaf"

    def node_rack(self, node: int) -> Rack:
        return self.servers.node_rack(node)

    def leaf_rack(self, group: int) -> Rack:
        if self.hall is not None:
            return self.hall.leaf_rack(self.s.group_nodes, group)
        return self.servers.leaf_rack(group)

    def hall_named(self, index: int) -> str:
        """The name of hall ``index`` of the fabric's floor: the server set's hall, or on a
        campus (more rows than ``site.rows_per_hall``) that name with the hall's number."""
        return (f"{self.hall_name}-{index + 1:02d}" if self.campus or index
                else self.hall_name)

    def placed(self, device: str, rack: Rack, ru: int) -> Placed:
        """A device in a rack of the grid, its row and rack counted within its hall."""
        index, row, name = hall_position(self.site, rack)
        return Placed(device, self.hall_named(index), row, name, ru)

    def node(self, node: int) -> Placed:
        found = self._seen.get(("node", node))
        if found is None:
            found = self._seen["node", node] = self.placed(
                f"n{node + 1:04d}", self.node_rack(node), self.servers.node_ru(node))
        return found

    def leaf(self, plane: int, rail: int, group: int) -> Placed:
        """A leaf stacks from the top of its group's rack: plane-major, then rail (the design
        checks beforehand that they fit: ``space.check_switch_space``), below the switches
        earlier fabrics put there on a shared floor."""
        found = self._seen.get(("leaf", plane, rail, group))
        if found is None:
            found = self._seen["leaf", plane, rail, group] = self._leaf(plane, rail, group)
        return found

    def _leaf(self, plane: int, rail: int, group: int) -> Placed:
        rack = self.leaf_rack(group)
        shape = self.s.leaf.shape
        slot = (plane - 1) * shape.leaves_per_group * self.s.shape.subfabrics + rail
        top = self.site.rack_units + 1
        if self.hall is not None:
            slot += self.slots[group]
            top -= self.hall.reserved_units.get(rack, 0)
        ru = top - (slot + 1) * self.leaf_units
        return self.placed(self.leaf_name(plane, rail, group), rack, ru)

    def spine(self, plane: int, sub: int, spine: int) -> tuple[Placed, Rack]:
        """2-tier spine ``spine`` of sub-fabric ``sub`` of ``plane``, and its rack. Identical
        planes and rail fabrics get their own racks."""
        rack, ru = self.spine_racks.place(self.copy(plane, sub), spine, self.first_row)
        name = f"{self.prefix(plane)}{self.rail_tag(sub)}spine{spine + 1:02d}"
        return self.placed(name, rack, ru), rack

    def copy(self, plane: int, sub: int) -> int:
        """The copy (plane and rail sub-fabric) of the tiers above the leaf."""
        return (plane - 1) * self.s.shape.subfabrics + sub

    def pod_spine(self, plane: int, sub: int, pod: int, spine: int) -> tuple[Placed, Rack]:
        """Spine ``spine`` of pod ``pod`` (``designer.site.pods``), and its rack."""
        found = self._seen.get(("pod spine", plane, sub, pod, spine))
        if found is None:
            found = self._seen["pod spine", plane, sub, pod, spine] = self._pod_spine(
                plane, sub, pod, spine)
        return found

    def _pod_spine(self, plane: int, sub: int, pod: int, spine: int) -> tuple[Placed, Rack]:
        rack, ru = self.pod_racks.place_pod_spine(self.copy(plane, sub), pod, spine,
                                                  self.first_row)
        tag = f"{self.prefix(plane)}{self.rail_tag(sub)}pod{pod + 1:02d}"
        return self.placed(f"{tag}-spine{spine + 1:02d}", rack, ru), rack

    def core(self, plane: int, sub: int, group: int, k: int) -> tuple[Placed, Rack]:
        """Core ``k`` of core group ``group`` (one group per pod-spine position), and its
        rack."""
        rack, ru = self.pod_racks.place_core(self.copy(plane, sub), group, k, self.first_row)
        name = f"{self.prefix(plane)}{self.rail_tag(sub)}core-g{group + 1:02d}-{k + 1:02d}"
        return self.placed(name, rack, ru), rack
