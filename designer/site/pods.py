"""Where a 3-tier fabric's pod spines and cores stand, and the longest run to them.

Each copy (plane and rail) has network racks of its own in the fabric's network rows (before
node row ``mid`` on its own floor, after the hall's rows on a shared one, as 2-tier spines):

- pod ``p`` has ``per_pod = u / block`` racks (``site.grid.spine_blocks``, fixed by the leaf
  option): pod spine ``k`` (the one every leaf of the pod sends uplink ``k`` to) stands in the
  pod's rack ``k // block``, slot ``k mod block`` from the top;
- core groups (group ``j`` is the cores every pod's spine ``j`` meets) fill racks whole, as
  many to a rack as it holds, or a group too big for a rack takes ``ceil(Cg / holds)`` racks
  (:class:`CoreLayout`);
- a copy's racks follow one another along the rows: the first half of its pods, its core racks,
  the other half, so the cores stand central to the pods they serve.

No rack holds more than ``holds`` switches (its rack units and ``rack_power_kw``, for the
tallest and hungriest switch the fabric may use), and every tier of two switches or more
spreads over at least two racks.

The optimizer prices each link class above a 3-tier leaf at the longest run the placement can
lay (:func:`farthest_m` between the racks' rows), which it knows from the leaf option and the
pod option's size (``Lp`` leaves per pod, ``Cg`` cores per group): the cord it buys reaches
every run the plan lays.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from designer.inputs.schema import Site
from designer.site.grid import Rack, campus_run_m, lowest_unit, spine_rows


@dataclass(frozen=True)
class CoreLayout:
    """How a copy's ``groups`` core groups of ``cores_per_group`` cores fill racks: as many
    whole groups to a rack as it holds (``groups_per_rack``), or a group too big for one rack
    over ``racks_per_group`` racks; never the whole tier in one rack (two racks at least when
    the tier has two cores or more)."""

    groups: int
    cores_per_group: int
    groups_per_rack: int
    racks_per_group: int

    @classmethod
    def of(cls, groups: int, cores_per_group: int, holds: int) -> CoreLayout:
        """The layout for ``groups`` groups of ``cores_per_group``, ``holds`` cores a rack.

        >>> CoreLayout.of(20, 2, 40).racks, CoreLayout.of(64, 64, 19).racks
        (2, 256)
        """
        if cores_per_group > holds or (groups == 1 and cores_per_group > 1):
            return cls(groups, cores_per_group, 1,
                       max(2 if groups == 1 else 1, math.ceil(cores_per_group / holds)))
        return cls(groups, cores_per_group,
                   max(1, min(holds // cores_per_group, math.ceil(groups / 2))), 1)

    @property
    def racks(self) -> int:
        return math.ceil(self.groups / self.groups_per_rack) * self.racks_per_group

    def place(self, group: int, k: int) -> tuple[int, int]:
        """Rack (of the copy's core racks) and slot from the top of core ``k`` of ``group``."""
        per_rack = math.ceil(self.cores_per_group / self.racks_per_group)
        first, within = divmod(group, self.groups_per_rack)
        index, slot = divmod(k, per_rack)
        return first * self.racks_per_group + index, within * self.cores_per_group + slot


@dataclass(frozen=True)
class PodRacks:
    """The network racks of a 3-tier fabric, all copies (see the module docstring)."""

    site: Site
    pods: int
    per_pod: int
    block: int
    cores: CoreLayout
    copies: int
    spine_units: int = 1
    core_units: int = 1

    @classmethod
    def of(cls, structure, site: Site) -> PodRacks:
        s = structure
        cores = CoreLayout.of(s.leaf.uplinks, s.pod.cores_per_group, s.leaf.rack_holds)
        return cls(site, s.pods, s.leaf.spine_racks, s.leaf.spine_block, cores, s.copies,
                   s.pod.mode.switch.rack_units, s.core.switch.rack_units)

    @property
    def per_copy(self) -> int:
        return self.pods * self.per_pod + self.cores.racks

    @property
    def racks(self) -> int:
        return self.copies * self.per_copy

    def _rack(self, copy: int, index: int, first_row: int) -> Rack:
        position = copy * self.per_copy + index
        rpr = self.site.racks_per_row
        return Rack(first_row + position // rpr, position % rpr)

    def pod_rack(self, copy: int, pod: int, index: int, first_row: int) -> Rack:
        """Rack ``index`` of pod ``pod``: the second half of the pods stands after the cores."""
        before = pod * self.per_pod + index
        if pod >= self.pods // 2:
            before += self.cores.racks
        return self._rack(copy, before, first_row)

    def place_pod_spine(self, copy: int, pod: int, spine: int, first_row: int
                        ) -> tuple[Rack, int]:
        """Rack and lowest rack unit of spine ``spine`` of pod ``pod``."""
        index, slot = divmod(spine, self.block)
        return (self.pod_rack(copy, pod, index, first_row),
                lowest_unit(self.site, slot, self.spine_units))

    def place_core(self, copy: int, group: int, k: int, first_row: int) -> tuple[Rack, int]:
        """Rack and lowest rack unit of core ``k`` of core group ``group``."""
        index, slot = self.cores.place(group, k)
        rack = self._rack(copy, (self.pods // 2) * self.per_pod + index, first_row)
        return rack, lowest_unit(self.site, slot, self.core_units)


@functools.lru_cache(maxsize=65536)
def core_racks(groups: int, cores_per_group: int, holds: int) -> int:
    """:attr:`CoreLayout.racks`, remembered: every leaf option asks for every pod size."""
    return CoreLayout.of(groups, cores_per_group, holds).racks


def pod_network_racks(copies, leaves, per_pod, leaves_per_pod, core_racks):
    """Network racks of every copy, ``copies x (ceil(leaves / Lp) x per_pod + core racks)``:
    ``leaves`` leaves in pods of ``leaves_per_pod``, ``per_pod`` racks each. Integers, or numpy
    arrays element by element."""
    return copies * (-(-leaves // leaves_per_pod) * per_pod + core_racks)


def farthest_m(site: Site, rows_a: tuple[int, int], rows_b: tuple[int, int]) -> float:
    """The longest run between a rack in rows ``rows_a`` (first and last, counted on across
    halls) and one in rows ``rows_b``, in any positions of their rows: an upper bound on every
    run between them, reached or nearly so.

    For every hall of one range and every hall of the other, the rows of each range in its hall
    are farthest apart at the ends (``across`` rows), the racks at the two ends of the rows; a
    run then goes ``|h x hall_pitch + d x rack_pitch|`` along the rows (``h`` halls apart,
    ``|d| <= racks_per_row - 1``) and ``across x row_pitch`` across them
    (:func:`site.grid.campus_run_m`).

    >>> farthest_m(Site(), (0, 9), (10, 10)), farthest_m(Site(rows_per_hall=8), (0, 9), (10, 10))
    (37.0, 54.6)
    """
    rpr, per_hall = site.racks_per_row, site.rows_per_hall
    if rows_a[0] // per_hall == rows_a[1] // per_hall == rows_b[0] // per_hall == (
            rows_b[1] // per_hall):  # one hall
        across = max(abs(rows_b[1] - rows_a[0]), abs(rows_a[1] - rows_b[0]))
        return campus_run_m(site, 0, across, rpr - 1)
    most = 0.0
    for hall_a, a_first, a_last in _end_halls(site, rows_a):
        for hall_b, b_first, b_last in _end_halls(site, rows_b):
            across = max(abs(b_last - a_first), abs(a_last - b_first))
            halls = hall_b - hall_a  # the racks farthest apart along the rows: at the ends
            most = max(most, campus_run_m(site, halls, across,
                                          rpr - 1 if halls >= 0 else 1 - rpr))
    return most


def _end_halls(site: Site, rows: tuple[int, int]) -> list[tuple[int, int, int]]:
    """``(hall, first, last)``: the rows of ``rows`` in each of its two first and two last
    halls, counted within the hall. The halls between are full, like the second and the
    second last, and nearer the other range, so no run to them is longer."""
    per_hall = site.rows_per_hall
    first, last = rows
    low, high = first // per_hall, last // per_hall
    halls = sorted({hall for hall in (low, low + 1, high - 1, high) if low <= hall <= high})
    return [(hall, max(first - hall * per_hall, 0), min(last - hall * per_hall, per_hall - 1))
            for hall in halls]


@dataclass(frozen=True)
class NetworkRows:
    """Where a fabric's network rows start and where its leaves may stand, to bound the runs of
    a 3-tier fabric's classes above the leaf before its pod spines and cores are counted.

    On its own floor (``shared`` false) the network rows stand before node row ``first_row``
    (``site.grid.network_rows_at``'s ``mid``) and push the later node rows over by
    ``spine_rows``; on a shared floor they stand after every row the hall has (leaves stand
    before ``first_row``)."""

    site: Site
    node_rows: int
    first_row: int
    copies: int
    shared: bool = False
    _worst: dict = field(default_factory=dict, compare=False, repr=False)

    def worst_m(self, racks: int) -> tuple[float, float]:
        """``(leaf-spine, spine-core)``: the longest run from a leaf to ``racks`` network racks,
        and between two of them (``site.leaf_spine_m`` and ``site.spine_core_m`` win). It
        depends on the rows the racks fill alone, so it is worked out once per row count."""
        rows = -(-racks // self.site.racks_per_row)
        if rows not in self._worst:
            self._worst[rows] = self._measure(rows)
        return self._worst[rows]

    def _measure(self, rows: int) -> tuple[float, float]:
        site = self.site
        network = (self.first_row, self.first_row + rows - 1)
        if self.shared:
            leaves = (0, max(self.first_row - 1, 0))
        else:
            pushed = spine_rows(site, self.node_rows, rows * site.racks_per_row)
            leaves = (0, self.node_rows + pushed - 1)
        leaf_spine = (site.leaf_spine_m if site.leaf_spine_m is not None
                      else farthest_m(site, leaves, network))
        spine_core = (site.spine_core_m if site.spine_core_m is not None
                      else farthest_m(site, network, network))
        return leaf_spine, spine_core


__all__ = ["CoreLayout", "NetworkRows", "PodRacks", "core_racks", "farthest_m",
           "pod_network_racks"]
