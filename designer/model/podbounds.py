"""Bounds on what the cords above a 3-tier leaf cost, for pruning leaf-group sizes.

A larger group ``q'`` with fewer leaves may replace a smaller one ``q`` only if no design with
``q`` is cheaper (``candidates.kept_groups``). Every cost above the leaf but the cords is no
more with fewer leaves, and the leaves themselves cost ``(L_q - L_q') price`` less; the cords
are priced run by run, and their runs depend on the pod size, so they are bounded, per cord
set ``s`` (the cords a medium may lay) and pod size ``k``:

- leaf-spine, one copy's ``L u`` links: each leaf's ``u`` runs lie between its run to the
  nearest network row (``near``: the rows between, no rack along; the network rows push the
  later node rows over by whole rows, so it does not depend on the pod size) and its run to
  the farthest rack of the ``n_k`` network rows (``far``: ``near + n_k - 1`` rows, the row's
  far end), so they cost between ``u sum_leaves P_s(near)`` and ``u sum_leaves P_s(far)``
  with ``P_s(r)`` the cheapest cord of ``s`` reaching ``r``;
- spine-core, ``u Lp ceil(L / Lp)`` links, each between the shortest run two network racks can
  have and the longest run the placement can lay; with as many leaves (so as many pods) and
  the network rows in the same place the runs are the same, and cancel.

Where no one hall holds the rows (a campus), or a ``site.*_m`` length is set, the bounds are
the set's cheapest cord and the cord reaching the class's longest run (exact for a set length).
With a power limit the watts are bounded by the set's coolest and hungriest cords.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from designer.inputs.schema import Site
from designer.site.grid import grid_run_m, hall_pitch_m
from designer.site.podruns import LeafRows


def cord_prices(table: tuple[np.ndarray, np.ndarray], runs_m) -> np.ndarray:
    """``P(r)``: the price of the cheapest cord of a cord set reaching each run (inf: none),
    from the set's :func:`cord_table`."""
    reach, cheapest = table
    index = np.searchsorted(reach, np.asarray(runs_m, dtype=float) - 1e-9, side="left")
    return np.where(index < len(reach), cheapest[np.minimum(index, len(reach) - 1)], np.inf)


def cord_table(cords) -> tuple[np.ndarray, np.ndarray]:
    """Reaches, ascending, and the cheapest price of a cord reaching at least each."""
    ranked = sorted(cords, key=lambda c: c.reach_m)
    cheapest = np.minimum.accumulate(np.array([c.price_usd for c in ranked])[::-1])[::-1]
    return np.array([c.reach_m for c in ranked]), cheapest


def shortest_run_m(site: Site, set_m: float | None = None) -> float:
    """The shortest run a 3-tier class above the leaf can lay: ``set_m`` when the site sets
    the class's length (``site.*_m``), else a run between two racks one row or one rack apart
    (leaves stand in node racks, pod spines and cores in racks of their own)."""
    if set_m is not None:
        return set_m
    return min(grid_run_m(site, 0, 1), grid_run_m(site, 1, 0))


def _grid_m(site: Site, rows: np.ndarray, racks: np.ndarray, margin_m: float) -> np.ndarray:
    """Runs ``rows`` rows and ``racks`` racks apart in one hall (never within one rack), moved
    by ``margin_m`` to stay a bound whatever the rounding of the plan's lengths."""
    return (2 * site.tray_drop_m + rows * site.row_pitch_m + racks * site.rack_pitch_m
            + site.slack_m + margin_m)


@dataclass(frozen=True)
class PodCordBounds:
    """The bounds of the module docstring for one group size, ``[cord set, pod size]``
    (``*_w``: watts, with a power limit), and what its leaves cost and draw."""

    leaves: int
    network: tuple
    leaf_usd: float
    leaf_w: float
    low: np.ndarray
    high: np.ndarray
    spine_core_low: np.ndarray
    spine_core_high: np.ndarray
    low_w: np.ndarray | None = None
    high_w: np.ndarray | None = None
    node_usd: float = 0.0  # the node-leaf cabling (per copy), which the saving counts too
    node_w: float = 0.0
    pods: np.ndarray | None = None  # pods of every pod size
    placement: bytes = b""  # where the leaf groups stand: alike, their runs are the same
    pod_usd: float = 0.0  # the least a pod's spines cost (u x the cheapest spine), and draw
    pod_w: float = 0.0

    def of_mode(self, switch, node_usd: float, node_w: float) -> PodCordBounds:
        """These bounds with leaves of ``switch`` and node-leaf cabling of ``node_usd`` (and
        ``node_w``) per copy."""
        return replace(self, leaf_usd=self.leaves * switch.price_usd,
                       leaf_w=self.leaves * switch.power_w, node_usd=node_usd, node_w=node_w)

    def replaces(self, smaller: PodCordBounds) -> bool:
        """No design with ``smaller``'s group costs less than with this one (or draws less).

        Per pod size ``k``: the cords may cost ``high - low`` more (leaf-spine; spine-core too
        unless the pods and the network rows are the same, when its runs are), and this group
        saves its leaves, node-leaf cabling and, with fewer pods, their spines."""
        fewer = smaller.pods - self.pods
        alike = (fewer == 0) & (self.network == smaller.network)
        if (self.leaves == smaller.leaves and self.network == smaller.network
                and self.placement == smaller.placement):  # the same runs, the same cords
            return (self.node_usd <= smaller.node_usd + 1e-9
                    and self.node_w <= smaller.node_w + 1e-9)
        for low, high, sc_low, sc_high, saved in (
                (smaller.low, self.high, smaller.spine_core_low, self.spine_core_high,
                 smaller.leaf_usd - self.leaf_usd + smaller.node_usd - self.node_usd
                 + fewer * self.pod_usd),
                (smaller.low_w, self.high_w, None, None,
                 smaller.leaf_w - self.leaf_w + smaller.node_w - self.node_w
                 + fewer * self.pod_w)):
            if low is None:
                continue
            with np.errstate(invalid="ignore"):
                more = high - low
                if sc_low is not None:
                    more = more + np.where(alike[None, :], 0.0, sc_high - sc_low)
            # a pod size and cord set ``smaller`` cannot use asks nothing
            more = np.where(np.isinf(low) | np.isinf(smaller.spine_core_low), -np.inf, more)
            if (more > saved[None, :] + 1e-9).any():
                return False
        return True


_TABLES: dict[int, tuple] = {}  # cord set id: (the set, its cord_table), kept while it lives


def pod_cord_bounds(site: Site, rows: LeafRows, *, leaves: int, leaves_per_group: int,
                    uplinks: int, pod_sizes: tuple, network_rows: np.ndarray,
                    longest_m: tuple[float, ...], cord_sets: tuple, power: bool,
                    network_key: tuple, pod_spine: tuple[float, float] = (0.0, 0.0)
                    ) -> PodCordBounds:
    """:class:`PodCordBounds` of one group size: ``network_rows[k]`` rows of network racks
    with pod size ``k``, ``longest_m`` the longest leaf-spine then spine-core run of every
    size; what its leaves and node-leaf cabling cost is the leaf mode's
    (:meth:`PodCordBounds.of_mode`)."""
    sizes = len(pod_sizes)
    leaf_spine_m = np.array(longest_m[:sizes])
    spine_core_m = np.array(longest_m[sizes:])
    links_sc = np.array([uplinks * lp * -(-leaves // lp) for lp, _ in pod_sizes], dtype=float)
    links_ls = leaves * uplinks
    near, along = _near_rows(site, rows, int(network_rows.max()))
    shortest_sc = shortest_run_m(site)  # a set length is handled on its own below
    if near is not None:
        runs_near = _grid_m(site, near, np.zeros_like(near), -1e-3)
        counts, where = np.unique(network_rows, return_inverse=True)
        far = _grid_m(site, near[None, :] + counts[:, None] - 1, along[None, :], 1e-3)
    # every run each cord set is priced on, in one array: the longest leaf-spine and
    # spine-core runs per size, the shortest (or set) spine-core and set leaf-spine run, and
    # each group's nearest and farthest runs
    sc_run = site.spine_core_m if site.spine_core_m is not None else shortest_sc
    ls_run = site.leaf_spine_m if site.leaf_spine_m is not None else 0.0
    parts = [leaf_spine_m, spine_core_m, np.array([sc_run, ls_run])]
    if near is not None:
        parts += [runs_near, far.ravel()]
    queries = np.concatenate(parts)
    low, high, sc_low, sc_high, low_w, high_w = ([] for _ in range(6))
    for cords in cord_sets:
        table = _TABLES.get(id(cords))
        if table is None or table[0] is not cords:
            _TABLES[id(cords)] = (cords, cord_table(cords))
        table = _TABLES[id(cords)][1]
        prices = cord_prices(table, queries)
        at_ls, at_sc = prices[:sizes], prices[sizes:2 * sizes]
        at_sc_run, at_ls_run = prices[2 * sizes], prices[2 * sizes + 1]
        reach = float(table[0][-1])
        beyond = np.maximum(leaf_spine_m, spine_core_m) > reach + 1e-9
        if near is None:  # a campus, or a set length: the loose bounds
            cheapest = min(c.price_usd for c in cords)
            ls_low = np.full(sizes, links_ls * (cheapest if site.leaf_spine_m is None
                                                else at_ls_run))
            ls_high = links_ls * at_ls
        else:
            groups = len(runs_near)
            rest = prices[2 * sizes + 2:]
            ls_low = np.full(sizes, uplinks * leaves_per_group * rest[:groups].sum())
            ls_high = (uplinks * leaves_per_group
                       * rest[groups:].reshape(far.shape).sum(axis=1))[where.ravel()]
        sc_low.append(links_sc * at_sc_run)
        sc_high.append(links_sc * (at_sc_run if site.spine_core_m is not None else at_sc))
        low.append(np.where(beyond, np.inf, ls_low))
        high.append(ls_high)
        if power:
            coolest = min(c.power_w for c in cords)
            hungriest = max(c.power_w for c in cords)
            low_w.append(np.where(beyond, np.inf, (links_ls + links_sc) * coolest))
            high_w.append((links_ls + links_sc) * hungriest)
    # a size no core holds has an infinite longest run: nothing is laid with it
    shape = (len(cord_sets), sizes)
    spine_core_low = np.array(sc_low, dtype=float).reshape(shape)
    spine_core_low[:, np.isinf(spine_core_m)] = np.inf

    def table_of(values: list) -> np.ndarray:
        return np.array(values, dtype=float).reshape(shape)

    return PodCordBounds(leaves, network_key, 0.0, 0.0, table_of(low), table_of(high),
                         spine_core_low, table_of(sc_high),
                         table_of(low_w) if power else None, table_of(high_w) if power else None,
                         pods=np.array([-(-leaves // lp) for lp, _ in pod_sizes], dtype=float),
                         placement=(rows.base()[0].tobytes()
                                    + bytes(str(rows.base()[1:]), "ascii")),
                         pod_usd=uplinks * pod_spine[0], pod_w=uplinks * pod_spine[1])


def _near_rows(site: Site, rows: LeafRows, network_rows: int
               ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each group's rows to the nearest network row and the most racks along to any rack of
    a row; None where the rows may not all stand in one hall, or ``site.leaf_spine_m`` is
    set."""
    if site.leaf_spine_m is not None:
        return None, None
    base, node_rows, mid = rows.base()
    last_row = (mid if rows.hall is not None else node_rows) + network_rows
    if last_row > site.rows_per_hall:
        return None, None
    row, col = base[:, 0], base[:, 1]
    near = np.where(row < mid, mid - row, row - mid + 1)
    along = np.maximum(col, site.racks_per_row - 1 - col)
    return near, along


def nearest_runs_m(site: Site, rows: LeafRows, network_rows: int) -> np.ndarray | None:
    """Each group's run to the nearest rack the network rows may hold, whatever the pod size
    (a lower bound on every run from its leaves), or None with ``site.leaf_spine_m`` set.

    The network rows stand from row ``mid`` (node rows from ``mid`` on pushed past them):
    a rack in the leaf's hall is at least the rows between away (``mid - r``, or ``r - mid +
    1`` past them); one ``h`` halls away at least ``h`` hall pitches less the racks between
    the leaf and its row's end facing that hall. On a campus the network rows fill halls of
    their own between the node halls, so only the halls between count."""
    if site.leaf_spine_m is not None:
        return None
    base, node_rows, mid = rows.base()
    per_hall, rpr = site.rows_per_hall, site.racks_per_row
    row, col = base[:, 0], base[:, 1]
    before = row < mid if rows.hall is None else np.ones(len(row), dtype=bool)
    hall, first = row // per_hall, mid // per_hall
    drops = 2 * site.tray_drop_m + site.slack_m
    toward = np.where(before, col, rpr - 1 - col) * site.rack_pitch_m  # racks to the row's end
    if rows.hall is None and node_rows > per_hall and mid % per_hall == 0:  # a campus
        halls = np.where(before, first - hall, hall - first + 1)
        return drops + halls * hall_pitch_m(site) - toward
    near = np.where(before, mid - row, row - mid + 1)
    within = drops + near * site.row_pitch_m
    halls = np.where(before, np.maximum(first - hall, 1), 1)
    across = drops + halls * hall_pitch_m(site) - toward
    same = before & (hall == first)
    return np.where(same | ~before, np.minimum(within, across), across)


def leaf_spine_floor(runs: np.ndarray | None, leaves_per_group: int, uplinks: int, cords
                     ) -> float | None:
    """The least one copy's leaf-spine cords of ``cords`` cost, ``runs`` each group's run to
    the nearest network rack (:func:`nearest_runs_m`): each leaf's ``u`` runs on the cord
    reaching it (module docstring); None where that bound does not hold (``runs`` None: a set
    length) or a run is beyond every cord."""
    if runs is None:
        return None
    prices = cord_prices(cord_table(cords), runs - 1e-3)
    total = float(prices.sum()) * uplinks * leaves_per_group
    return None if np.isinf(total) else total


def spine_core_floor(site: Site, links: int, per_rack: int, first_row: int, network_rows: int,
                     cords) -> float | None:
    """The least one copy's ``links`` spine-core links (``u L`` at least) cost on ``cords``
    whatever the pod size, where each pod rack carries at most ``per_rack`` of them.

    A copy's cores stand in consecutive rack positions with its pod racks on both sides, so at
    most two pod racks are ``d`` positions from the nearest core rack. Two positions ``d`` apart
    are ``floor(d / R)`` or ``ceil(d / R)`` rows apart (``R`` racks a row) and the rest along,
    so their run is at least the shorter of the two (in one hall), and a pod rack's links to
    any core at least the least of that over every ``d' >= d``. The cheapest arrangement puts
    ``2 per_rack`` links at each ``d = 1, 2, ...``. None where the network rows may leave one
    hall or a run is beyond every cord."""
    per_hall = site.rows_per_hall
    if (site.spine_core_m is not None or links <= 0
            or first_row // per_hall != (first_row + network_rows - 1) // per_hall):
        return None
    rpr = site.racks_per_row
    most = network_rows * rpr
    d = np.arange(1, most + 1, dtype=np.int64)
    rows = d // rpr
    run = np.minimum(_grid_m(site, rows, d - rows * rpr, -1e-3),
                     _grid_m(site, rows + 1, (rows + 1) * rpr - d, -1e-3))
    run = np.minimum.accumulate(run[::-1])[::-1]  # the least at d or farther
    steps = -(-links // (2 * per_rack))
    if steps > most:
        return None
    counts = np.full(steps, 2 * per_rack, dtype=float)
    counts[-1] = links - 2 * per_rack * (steps - 1)
    total = float((cord_prices(cord_table(cords), run[:steps]) * counts).sum())
    return None if np.isinf(total) else total


__all__ = ["PodCordBounds", "cord_prices", "leaf_spine_floor", "nearest_runs_m", "pod_cord_bounds",
           "shortest_run_m", "spine_core_floor"]
