"""Every run a 3-tier placement lays: leaf to pod spine, pod spine to core, counted by length.

The pod spines and cores stand where :class:`~designer.site.pods.PodRacks` puts them, the leaves
where their groups stand (:class:`LeafRows`). With ``i`` the leaf's index in its copy (groups in
order, a group's leaves together), leaf ``i`` is in pod ``i // Lp`` and sends uplink ``k`` to
its pod's spine ``k``, in the pod's rack ``k // block``; spine ``k`` of every pod meets the
``Cg`` cores of core group ``k``, ``l2`` links each. These are the runs ``cabling.csv`` lays,
counted rack pair by rack pair, so the optimizer and the bill of materials price each run at
the cord that reaches it without walking the links one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.inputs.schema import Site
from designer.site.grid import GroupPlacement, campus_runs_m, network_rows_at, spine_rows
from designer.site.pods import PodRacks

Runs = tuple[tuple[float, int], ...]
"""``((run_m, links), ...)`` by increasing run."""


def histogram(site: Site, a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> Runs:
    """The runs between racks ``a[j]`` and ``b[j]`` (``(row, col)`` on the floor grid, rows
    counted on across halls), ``weights[j]`` links each, by length
    (:func:`~designer.site.grid.campus_run_m`)."""
    if len(weights) == 0:
        return ()
    per_hall = site.rows_per_hall
    apart = [b[:, 0] // per_hall - a[:, 0] // per_hall, b[:, 0] % per_hall - a[:, 0] % per_hall,
             b[:, 1] - a[:, 1]]
    # (halls, rows, racks) apart packed in one non-negative key, links summed per key
    low = [int(x.min()) for x in apart]
    span = [int(x.max()) - lo + 1 for x, lo in zip(apart, low, strict=True)]
    keys = ((apart[0] - low[0]) * span[1] + apart[1] - low[1]) * span[2] + apart[2] - low[2]
    links = np.bincount(keys, weights=weights)
    used = np.flatnonzero(links)
    rest, racks = np.divmod(used, span[2])
    halls, rows = np.divmod(rest, span[1])
    lengths = campus_runs_m(site, halls + low[0], rows + low[1], racks + low[2])
    distinct, where = np.unique(lengths, return_inverse=True)
    counts = np.bincount(where.ravel(), weights=links[used])
    return tuple(zip(distinct.tolist(), np.rint(counts).astype(np.int64).tolist(),
                     strict=True))


@dataclass(frozen=True)
class LeafRows:
    """Where a fabric's leaf groups stand on its own floor (``hall`` None: node rows from
    ``mid`` on pushed past the network rows, ``designer.site.hall.PrimaryFloor``) or on a
    server set's hall (``hall``: a ``SharedFloor``, network rows after the hall's)."""

    site: Site
    nodes: int
    group_nodes: int
    rail: bool
    hall: object | None = None
    _racks: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def groups(self) -> int:
        return -(-self.nodes // min(self.group_nodes, self.nodes))

    def base(self) -> tuple[np.ndarray, int, int]:
        """Each group's leaf rack before the network rows, the node rows and ``mid``."""
        if "base" not in self._racks:
            if self.hall is not None:
                racks = [self.hall.leaf_rack(self.group_nodes, g) for g in range(self.groups)]
                rows, mid = 0, self.hall.first_row
            else:
                q = min(self.group_nodes, self.nodes)
                placement = GroupPlacement(self.site, q, self.rail)
                racks = [placement.leaf_rack(g) for g in range(self.groups)]
                rows, mid = network_rows_at(self.site, self.nodes, q, self.rail)
            self._racks["base"] = (np.array([(r.row, r.col) for r in racks], dtype=np.int64),
                                   rows, mid)
        return self._racks["base"]

    def first_row(self) -> int:
        """The first network row."""
        return self.base()[2]

    def leaf_racks(self, network_racks: int) -> np.ndarray:
        """``(groups, 2)``: each group's leaf rack with ``network_racks`` racks in the network
        rows."""
        base, rows, mid = self.base()
        if self.hall is not None:
            return base
        shift = spine_rows(self.site, rows, network_racks)
        out = base.copy()
        out[:, 0] += np.where(base[:, 0] >= mid, shift, 0)
        return out


def pod_runs(rows: LeafRows, racks: PodRacks, *, leaves_per_group: int, uplinks: int,
             leaves_per_pod: int, links_per_core: int) -> tuple[Runs, Runs]:
    """``(leaf-spine, spine-core)``: every run of a 3-tier fabric over all its copies.

    ``leaves_per_group`` leaves of one copy share a group's rack (the rail leaves of a
    rail-optimized group; one for top-of-rack and for each rail of rail-only). ``site.*_m``
    lengths, when set, are every run's length."""
    site = rows.site
    first = rows.first_row()
    leaf_at = rows.leaf_racks(racks.racks)
    core_offset = racks.cores.racks
    half = racks.pods // 2

    def pod_rack(pod: np.ndarray, index: np.ndarray) -> np.ndarray:
        return pod * racks.per_pod + index + np.where(pod >= half, core_offset, 0)

    # leaf-spine: leaves counted by (group, pod), each to every rack of its pod, ``block`` links
    leaves = np.arange(rows.groups * leaves_per_group, dtype=np.int64)
    pods = -(-len(leaves) // leaves_per_pod)
    by_pair = np.bincount((leaves // leaves_per_group) * pods + leaves // leaves_per_pod)
    used = np.flatnonzero(by_pair)
    pairs, count = np.stack([used // pods, used % pods], axis=1), by_pair[used]
    j = np.arange(racks.per_pod, dtype=np.int64)
    group = np.repeat(pairs[:, 0], racks.per_pod)
    pod = np.repeat(pairs[:, 1], racks.per_pod)
    index = pod_rack(pod, np.tile(j, len(pairs)))
    weights = np.tile(np.repeat(count, racks.per_pod) * racks.block, racks.copies)
    a = np.tile(leaf_at[group], (racks.copies, 1))
    leaf_spine = (((site.leaf_spine_m, int(weights.sum())),) if site.leaf_spine_m is not None
                  else histogram(site, a, _every_copy(racks, first, index), weights))

    return leaf_spine, spine_core_runs(racks, first, uplinks, leaves_per_pod, links_per_core)


def spine_core_runs(racks: PodRacks, first_row: int, uplinks: int, leaves_per_pod: int,
                    links_per_core: int) -> Runs:
    """Every spine-core run over all copies: spine ``k`` of every pod to each core of group
    ``k``, ``l2`` links each (they depend on the network racks alone)."""
    site = racks.site
    half = racks.pods // 2
    cores, cg = racks.cores, leaves_per_pod // links_per_core
    per_rack = -(-cores.cores_per_group // cores.racks_per_group)
    # links counted by rack pair: the spines of a pod by (their pod rack, the racks of their
    # core group), the cores of a group by their rack
    spines = np.arange(uplinks, dtype=np.int64)
    spine_racks, spine_count = np.unique(
        np.stack([spines // racks.block, spines // cores.groups_per_rack], axis=1), axis=0,
        return_counts=True)
    core_rack, core_count = np.unique(np.arange(cg, dtype=np.int64) // per_rack,
                                      return_counts=True)
    pod, pair, rack = (axis.ravel() for axis in np.meshgrid(
        np.arange(racks.pods, dtype=np.int64), np.arange(len(spine_racks), dtype=np.int64),
        np.arange(len(core_rack), dtype=np.int64), indexing="ij"))
    core_index = (half * racks.per_pod + spine_racks[pair, 1] * cores.racks_per_group
                  + core_rack[rack])
    spine_index = (pod * racks.per_pod + spine_racks[pair, 0]
                   + np.where(pod >= half, cores.racks, 0))
    weights = np.tile(links_per_core * spine_count[pair] * core_count[rack], racks.copies)
    if site.spine_core_m is not None:
        return ((site.spine_core_m, int(weights.sum())),)
    return histogram(site, _every_copy(racks, first_row, spine_index),
                     _every_copy(racks, first_row, core_index), weights)


def _every_copy(racks: PodRacks, first_row: int, index: np.ndarray) -> np.ndarray:
    """``(n, 2)``: network rack positions ``copy * per_copy + index`` of every copy, as
    ``(row, col)`` from ``first_row``, copy by copy."""
    position = (np.arange(racks.copies, dtype=np.int64)[:, None] * racks.per_copy
                + index[None, :]).ravel()
    rpr = racks.site.racks_per_row
    return np.stack([first_row + position // rpr, position % rpr], axis=1)


__all__ = ["LeafRows", "Runs", "histogram", "pod_runs", "spine_core_runs"]
