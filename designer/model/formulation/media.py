"""The medium of each link class above the leaf, and the valid floors on its cost."""

from __future__ import annotations

import numpy as np
import pulp

from designer.model.candidates import LeafOption
from designer.model.fit import CageKey
from designer.model.formulation.blocks import Block, ClassMedia
from designer.model.formulation.builder import Builder, Expr, TierInputs, cage_tag, row_name
from designer.model.links import LinkClass
from designer.model.media import Medium
from designer.model.podbounds import (
    leaf_spine_floor,
    nearest_runs_m,
    shortest_run_m,
    spine_core_floor,
)
from designer.site.podruns import Runs
from designer.site.pods import core_racks, pod_network_racks


def define_media(b: Builder, block: Block, inputs: TierInputs, cls: LinkClass, *,
                 lower_cages: dict[CageKey, Expr], upper_cages: dict[CageKey, Expr],
                 units1: Expr, units1_max: float, units2: Expr, units2_max: float,
                 links: Expr, links_max: float) -> None:
    """The medium of one link class, chosen by reach and cage fit.

    ``sum_mu w_mu = on``; a medium fits the cages of both ends (their ports, and each end's
    part plugs in: ``designer.model.fit``):
    ``sum_{mu: mu does not fit c} w_mu <= on - [lower end has cages c]`` (and likewise upper); it
    reaches the class's worst run, which depends on the leaf group's size (it sets where racks
    stand): for every distinct reach ``t`` of the class's media,

        sum_{mu: reach_mu <= t} w_mu + sum_{y: len_y > t} y <= on

    (a clique: a medium of reach ``t`` or less and a leaf option with a longer run exclude each
    other; with ``t = reach_mu`` it is ``w_mu <= sum_{y: len_y <= reach_mu} y``, and it is
    tighter in the LP and has one row per distinct reach instead of one per medium). Media no
    leaf option's run fits are left out. The class cost is

        kappa >= a_mu units1 + b_mu units2 + links_mu - M_mu (1 - w_mu)

    with ``M_mu`` the most the right-hand side can be. Where every run of the class is known
    from the leaf option (2-tier leaf-spine, ``LeafOption.runs``), a medium is a pair of
    transceivers (or direct cabling) and each run takes the cheapest cord of the medium that
    reaches it: ``links_mu = sum_y G_mu,y y`` with ``G_mu,y = sum_runs of y cord_mu(run).price /
    copies``, linear in the leaf option as node-leaf pricing is. In three tiers the runs depend
    on the pod size as well, so the row holds a lower bound, ``links_mu = g_mu links`` with
    ``g_mu`` the medium's cheapest cord, and the leaf option the solver picks is then priced
    run by run for every pod size (:func:`designer.model.formulation.laid.price_runs`). Without
    a floor (no catalog) every run is priced at the class's worst run and each cord is a medium
    of its own: ``links_mu = g_mu links``.
    The valid floors of :func:`define_media_floor` and :func:`define_media_floor_per_leaf`
    follow. With a power limit the class power ``pi`` has the same rows with each part's power
    in place of its price (and ``pareto_media`` keeps media that draw less power).
    """
    name = row_name(block.name, cls)
    cages = {ports for ports, _ in (*lower_cages, *upper_cages)}
    fabric = inputs.fabric
    power_matters = fabric.max_power_kw is not None
    pods_laid = bool(block.pods) and block.leaves[0][0].leaf_rows is not None
    per_run = pods_laid or all(o.runs(cls) is not None for o, _ in block.leaves)
    copies = fabric.planes * block.shape.subfabrics
    # Dominance only compares media with more reach, so filtering the Pareto set of the media
    # fitting this class's cages by reach is the Pareto set of this class's media.
    shortest_m = min(o.run_m(cls) for o, _ in block.leaves)
    shortest = pod_shortest_m(block, cls) if pods_laid else 0.0
    shortest_m = max(shortest_m, shortest)
    options = [m for m in b.media(inputs.catalog, fabric.port_speed_gbps, cages, pareto=True,
                                  power_matters=power_matters, per_run=per_run,
                                  ends=(tuple(lower_cages), tuple(upper_cages)))
               if m.reach_m >= shortest_m]
    cost = b.continuous(name, "cost")
    power = b.continuous(name, "power") if power_matters else None
    chosen = [(m, b.binary(name, "medium", i)) for i, m in enumerate(options)]
    define_media_fit(b, block, cls, chosen, lower_cages, upper_cages)
    if block.pods:
        define_pod_reach(b, block, cls, chosen)
    units1 = b.alias(units1, name, "units1")
    units2 = b.alias(units2, name, "units2")
    links = b.alias(links, name, "links")
    block.media[cls] = ClassMedia(chosen, cost, power, (units1, units1_max, units2, units2_max))
    laid = _laid(block, cls, options, copies) if per_run and not pods_laid else None
    sc_extra = None
    if pods_laid and cls == LinkClass.LEAF_SPINE:
        laid = pod_floor(block, options, shortest)
    elif pods_laid:
        sc_extra = spine_core_floor_extra(block, options, shortest)
        laid = spine_core_laid(block, options, shortest, sc_extra)
    for i, (m, w) in enumerate(chosen):
        for watts, total in ((False, cost), (True, power)):
            if total is None:
                continue
            unit1, unit2 = ((m.per_unit1_w, m.per_unit2_w) if watts
                            else (m.per_unit1_usd, m.per_unit2_usd))
            if laid is None or sc_extra is not None:
                # one cord per link (a breakout's is priced per cage); three tiers: a lower
                # bound, every run on the cheapest cord reaching the class's shortest run
                if m.breakout:
                    per_link = 0.0
                elif pods_laid:
                    per_link = (min(c.power_w for c in m.cords) if watts
                                else m.least_cord_usd(shortest))
                else:
                    per_link = m.cable.power_w if watts else m.cable.price_usd
                link_terms, link_max = per_link * links, per_link * links_max
                if sc_extra is not None and not watts:  # the near runs' dearer cords
                    extra = sc_extra[:, i]
                    link_terms = link_terms + Expr([(y, float(c)) for (_, y), c
                                                    in zip(block.leaves, extra, strict=True)
                                                    if c > 0])
                    link_max += float(extra.max(initial=0.0))
            else:
                coefficients = laid[1 if watts else 0][:, i]
                link_terms = Expr([(y, float(c)) for (_, y), c
                                   in zip(block.leaves, coefficients, strict=True) if c])
                link_max = float(coefficients.max(initial=0.0))
            big_m = unit1 * units1_max + unit2 * units2_max + link_max
            b.add(total >= unit1 * units1 + unit2 * units2 + link_terms - big_m * (1 - w),
                  name, "power" if watts else "cost", i)
    define_media_floor(b, cost, links, options, name, shortest)
    define_media_floor_per_leaf(b, block, cost, options, cls,
                                leaf_end=cls == LinkClass.LEAF_SPINE, name=name, laid=laid)


def pod_shortest_m(block: Block, cls: LinkClass) -> float:
    """The shortest run of a 3-tier class above the leaf (``podbounds.shortest_run_m``)."""
    site = block.leaves[0][0].leaf_rows.site
    return shortest_run_m(site, site.leaf_spine_m if cls == LinkClass.LEAF_SPINE
                          else site.spine_core_m)


def _laid(block: Block, cls: LinkClass, options: list[Medium], copies: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """``G[y, mu]``: what medium ``mu``'s cords for leaf option ``y``'s runs cost per copy (0
    where a run is beyond ``mu``: the reach cliques forbid the pair), and their watts."""
    usd, watts = cords_laid(options, [o.runs(cls) for o, _ in block.leaves])
    return np.nan_to_num(usd.T) / copies, np.nan_to_num(watts.T) / copies


def cords_laid(media: list[Medium], runs_of: list[Runs]) -> tuple[np.ndarray, np.ndarray]:
    """``[medium, k]``: what each medium's cords cost and draw on each of ``runs_of`` (a leaf
    option's runs, or a pod size's), each run on the cheapest cord that reaches it; nan where
    a run is beyond the medium (reach rows forbid the pair); 0 for a breakout, whose cords are
    priced per cage."""
    lengths = sorted({run for runs in runs_of for run, _ in runs})
    column = {run: j for j, run in enumerate(lengths)}
    links = np.zeros((len(runs_of), len(lengths)))
    for k, runs in enumerate(runs_of):
        for run, count in runs:
            links[k, column[run]] = count
    usd_at = np.zeros((len(media), len(lengths)))
    w_at = np.zeros_like(usd_at)
    for i, m in enumerate(media):
        if m.breakout:
            continue
        for j, run in enumerate(lengths):
            cord = m.cord_for(run)
            usd_at[i, j], w_at[i, j] = ((np.nan, np.nan) if cord is None
                                        else (cord.price_usd, cord.power_w))
    beyond = (np.isnan(usd_at).astype(float) @ (links > 0).T) > 0
    usd = np.where(beyond, np.nan, np.nan_to_num(usd_at) @ links.T)
    watts = np.where(beyond, np.nan, np.nan_to_num(w_at) @ links.T)
    return usd, watts


def pod_floor(block: Block, options: list[Medium], shortest_m: float
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """Three tiers, leaf-spine: ``G[y, mu]``, the least ``mu``'s cords cost on leaf option
    ``y``'s runs whatever the pod size, per copy (each leaf's runs on the cord reaching its run
    to the nearest network row, ``designer.model.podbounds``; where that bound does not hold,
    the cheapest cord reaching ``shortest_m``, the shortest run of the class), and the least
    watts (the coolest cord). A lower bound, so the cost rows stay a relaxation;
    :mod:`designer.model.formulation.laid` prices the chosen one exactly."""
    sizes = pod_sizes(block)
    lps = np.array([lp for lp, _ in sizes], dtype=np.int64)
    usd = np.zeros((len(block.leaves), len(options)))
    watts = np.zeros_like(usd)
    floors: dict = {}
    nearest: dict = {}  # each group's run to the nearest network rack, by group and rows
    for row, (o, _) in enumerate(block.leaves):
        racks = pod_network_racks(o.network.copies, o.leaves, o.spine_racks, lps,
                                  np.array([core_racks(o.uplinks, cg, o.rack_holds)
                                            for _, cg in sizes], dtype=np.int64))
        rows = -(-int(racks.max()) // o.leaf_rows.site.racks_per_row)
        if (o.group_nodes, rows) not in nearest:
            nearest[o.group_nodes, rows] = nearest_runs_m(o.leaf_rows.site, o.leaf_rows, rows)
        for i, m in enumerate(options):
            if m.breakout:
                continue
            key = (o.group_nodes, o.uplinks, rows, m.preference)
            if key not in floors:
                floors[key] = leaf_spine_floor(nearest[o.group_nodes, rows],
                                               block.shape.leaves_per_group, o.uplinks, m.cords)
            floor = floors[key]
            usd[row, i] = (floor if floor is not None
                           else o.uplink_total * m.least_cord_usd(shortest_m))
            watts[row, i] = o.uplink_total * min(c.power_w for c in m.cords)
    return usd, watts


def spine_core_floor_extra(block: Block, options: list[Medium], shortest_m: float) -> np.ndarray:
    """Three tiers, spine-core: ``E[y, mu]``, what ``mu``'s cords cost on leaf option ``y``'s
    ``u L`` spine-core links beyond the cheapest cord reaching ``shortest_m`` (the shortest
    run of the class), at least, whatever the pod size
    (``designer.model.podbounds.spine_core_floor``: pod racks carry ``block Lp`` links, ``Lp``
    the largest pod size, at most two of them as near the cores), per copy; the class's rows
    add it to that cord on every link, ``SC >= u L``."""
    sizes = pod_sizes(block)
    lps = np.array([lp for lp, _ in sizes], dtype=np.int64)
    extra = np.zeros((len(block.leaves), len(options)))
    floors: dict = {}
    for row, (o, _) in enumerate(block.leaves):
        racks = pod_network_racks(o.network.copies, o.leaves, o.spine_racks, lps,
                                  np.array([core_racks(o.uplinks, cg, o.rack_holds)
                                            for _, cg in sizes], dtype=np.int64))
        site = o.leaf_rows.site
        rows = -(-int(racks.max()) // site.racks_per_row)
        links = o.uplinks * o.leaves
        per_rack = o.spine_block * int(lps.max())
        for i, m in enumerate(options):
            if m.breakout:
                continue
            key = (links, per_rack, o.network.first_row, rows, m.preference)
            if key not in floors:
                floor = spine_core_floor(site, links, per_rack, o.network.first_row, rows,
                                         m.cords)
                cheapest = m.least_cord_usd(shortest_m)
                floors[key] = 0.0 if floor is None else max(0.0, floor - cheapest * links)
            extra[row, i] = floors[key]
    return extra


def spine_core_laid(block: Block, options: list[Medium], shortest_m: float,
                     extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three tiers, spine-core: the least ``mu``'s cords cost on leaf option ``y``'s ``u L``
    links, per copy (the cord reaching ``shortest_m`` on each, and ``extra``, from
    :func:`spine_core_floor_extra`), and the least watts, for the floors of
    :func:`define_media_floor_per_leaf`."""
    links = np.array([o.uplink_total for o, _ in block.leaves], dtype=float)[:, None]
    usd = links * np.array([m.least_cord_usd(shortest_m) for m in options])[None, :] + extra
    watts = links * np.array([0.0 if m.breakout else min(c.power_w for c in m.cords)
                              for m in options])[None, :]
    return np.where(np.isinf(usd), 0.0, usd), watts


def define_media_fit(b: Builder, block: Block, cls: LinkClass,
                     chosen: list[tuple[Medium, pulp.LpVariable]],
                     lower_cages: dict[CageKey, Expr], upper_cages: dict[CageKey, Expr]) -> None:
    """One medium when the block is on; it fits both ends' cages (one switch, hence one cage,
    is on at each end: ``sum_{mu not fitting c} w_mu + [c on] <= on``); and the reach cliques
    of :func:`define_media` (one row per distinct reach ``t``)."""
    name = row_name(block.name, cls)
    b.add(pulp.lpSum(w for _, w in chosen) == block.on, name, "one_medium")
    for end, cages in (("lower", lower_cages), ("upper", upper_cages)):
        for key, on in cages.items():
            misfits = [w for m, w in chosen if not (m.fits1 if end == "lower" else m.fits2)(key)]
            if misfits:
                b.add(pulp.lpSum(misfits) + on <= block.on, name, f"{end}_cage", cage_tag(key))
    for i, t in enumerate(sorted({m.reach_m for m, _ in chosen})):
        beyond = [v for o, v in block.leaves if o.run_m(cls) > t]
        if beyond:
            b.add(pulp.lpSum(w for m, w in chosen if m.reach_m <= t) + pulp.lpSum(beyond)
                  <= block.on, name, "reach", i)


def pod_sizes(block: Block) -> dict[tuple[int, int], list[pulp.LpVariable]]:
    """The pod options of a 3-tier block by what sets where their racks stand: ``(Lp, Cg)``,
    leaves per pod and cores per group (``designer.site.pods``)."""
    sizes: dict[tuple[int, int], list] = {}
    for o, z, _ in block.pods:
        sizes.setdefault((o.leaves_per_pod, o.cores_per_group), []).append(z)
    return dict(sorted(sizes.items()))


def pod_runs_m(block: Block, cls: LinkClass, size: tuple[int, int]) -> list[float]:
    """The longest run of ``cls`` for every leaf option of a 3-tier block, in order, with pods
    of ``size = (Lp, Cg)`` (worked out once per block and size)."""
    if size not in block.pod_runs:
        lp, cg = size
        options = [o for o, _ in block.leaves]
        racks = pod_network_racks(
            options[0].network.copies, np.array([o.leaves for o in options]),
            np.array([o.spine_racks for o in options]), lp,
            np.array([core_racks(o.uplinks, cg, o.rack_holds) for o in options]))
        block.pod_runs[size] = [o.network.worst_m(r)
                                for o, r in zip(options, racks.tolist(), strict=True)]
    index = 0 if cls == LinkClass.LEAF_SPINE else 1
    return [worst[index] for worst in block.pod_runs[size]]


def define_pod_reach(b: Builder, block: Block, cls: LinkClass,
                     chosen: list[tuple[Medium, pulp.LpVariable]]) -> None:
    """Three tiers: the medium reaches the class's longest run, which depends on the leaf
    option and the pod size (``Z_k``, the pod options of size ``k = (Lp, Cg)``): for every
    size and every distinct reach ``t`` of the media,

        sum_{mu: reach_mu <= t} w_mu + sum_{y: len_y,k > t} y + Z_k <= 2 on

    (no medium of reach ``t`` or less with a leaf option and a pod size that lay a longer run;
    leaf options whose least run over every size, ``len_y``, is already beyond ``t`` are left to
    the reach cliques of :func:`define_media_fit`). Sizes that exclude the same leaf options
    at ``t`` share one row, their ``Z_k`` summed: one size at most is on."""
    if block.leaves[0][0].network is None:
        return
    name = row_name(block.name, cls)
    reaches = sorted({m.reach_m for m, _ in chosen})
    sizes = pod_sizes(block)
    least = np.array([o.run_m(cls) for o, _ in block.leaves])
    longest = np.array([pod_runs_m(block, cls, size) for size in sizes])  # [size, leaf option]
    k = 0
    for t in reaches:
        # sizes whose runs exclude the same leaf options share one row (one size is on)
        beyond = (longest > t) & (least <= t)[None, :]
        by_beyond: dict[bytes, list] = {}
        for size, mask in zip(sizes, beyond, strict=True):
            if mask.any():
                by_beyond.setdefault(mask.tobytes(), [mask, []])[1].append(size)
        for mask, group in by_beyond.values():
            b.add(pulp.lpSum(w for m, w in chosen if m.reach_m <= t)
                  + pulp.lpSum(block.leaves[row][1] for row in np.flatnonzero(mask).tolist())
                  + pulp.lpSum(z for size in group for z in sizes[size])
                  <= 2 * block.on, name, "pod_reach", k)
            k += 1


def define_media_floor(b: Builder, cost: pulp.LpVariable, links: Expr, options: list[Medium],
                       name: str, shortest_m: float = 0.0) -> None:
    """Valid inequality: a class costs at least its links times the cheapest cost per link.

    Each end uses at least ``links / c`` cages, so any medium costs at least
    ``links * (a_mu / c1_mu + b_mu / c2_mu + g_mu)``, ``g_mu`` its cheapest cord reaching the
    class's shortest run ``shortest_m``; the least over ``mu`` bounds the class cost from below
    whichever medium is chosen. It changes no integer solution; it tells the LP relaxation
    what a tier of links costs, so expensive blocks are pruned early.
    """
    if not options:
        return
    per_link = min(m.per_unit1_usd / m.cage1 + m.per_unit2_usd / m.cage2
                   + m.least_cord_usd(shortest_m) for m in options)
    if per_link == np.inf:
        return
    b.add(cost >= per_link * links, name, "floor")


def define_media_floor_per_leaf(b: Builder, block: Block, cost: pulp.LpVariable,
                                options: list[Medium], cls: LinkClass, *, leaf_end: bool,
                                name: str, laid: tuple | None = None) -> None:
    """Valid inequalities: a class costs at least what the cheapest medium open to the chosen
    leaf option would cost for that option's links, and at least what the chosen medium would
    cost for the cheapest leaf option it can serve.

    ``kappa >= sum_y f_y y`` with ``f_y = min_{mu in M_y} cost_mu(y)`` and
    ``kappa >= sum_mu h_mu w_mu`` with ``h_mu = min_{y: mu in M_y} cost_mu(y)``, where ``M_y``
    are the media that reach ``y``'s run of the class (``reach_mu >= len_y``), fit and speak its
    protocol, and ``cost_mu(y)`` is a lower bound on the class cost with ``mu`` and ``y``:

    - leaf-spine (``leaf_end``): the leaf is the lower end, so ``cage1_mu = c_y`` and
      ``cost_mu(y) = a_mu V_y + (b_mu / c2_mu) U_y + G_mu,y`` with ``U_y = L_y u_y`` links,
      ``V_y = L_y ceil(u_y / c_y)`` leaf cages and ``G_mu,y`` the cords of ``y``'s runs
      (``g_mu U_y`` where every run takes the same cord);
    - spine-core: ``cost_mu(y) = (a_mu / c1_mu + b_mu / c2_mu + g_mu) U_y``.

    Valid because exactly one ``y`` is on with its medium in ``M_y``; the class has ``U_y`` links
    (spine-core ``SC >= L u``), and an end of cage ``c`` uses at least ``links / c`` cages
    (spines and cores are counted switch by switch, each at least its links over ``c``); a pair
    with ``mu`` not in ``M_y`` is infeasible. They cut off no integer solution; the first gives
    the LP relaxation the real media price of each leaf option (optics where its runs are long),
    which the single cheapest price per link of :func:`define_media_floor` does not; the second
    makes the relaxation prefer the medium that is cheapest, not any medium, since the big-M
    cost rows are slack at fractional ``w``.
    """
    # Leaf options that look alike to every medium share one computation (every option is its
    # own look when its runs are priced one by one); the prices and the fit of every (leaf
    # look, medium) pair are one array each.
    keys = [row if laid is not None else media_view(o, cls)
            for row, (o, _) in enumerate(block.leaves)]
    first_row: dict = {}  # each look, by the first leaf option that has it
    for row, key in enumerate(keys):
        first_row.setdefault(key, row)
    look_of = {key: look for look, key in enumerate(first_row)}
    rows = list(first_row.values())
    views = [media_view(block.leaves[row][0], cls) for row in rows]
    links_usd = (laid[0][rows] if laid is not None else
                 np.array([v[4] for v in views], dtype=float)[:, None]
                 * np.array([m.least_link_usd for m in options])[None, :])
    least = least_media_usd(views, options, leaf_end, links_usd)
    least_of = least.min(axis=1, initial=np.inf)
    by_leaf, by_medium = [], []
    for key, (_, y) in zip(keys, block.leaves, strict=True):
        usd = least_of[look_of[key]]
        if 0 < usd < np.inf:
            by_leaf.append((y, float(usd)))
    for (_, w), usd in zip(block.media[cls].options,
                           least.min(axis=0, initial=np.inf), strict=True):
        if 0 < usd < np.inf:
            by_medium.append((w, float(usd)))
    if by_leaf:
        b.add(cost >= Expr(by_leaf), name, "leaf_floor")
    if by_medium:
        b.add(cost >= Expr(by_medium), name, "medium_floor")


def least_media_usd(views: list[tuple], media: list[Medium], leaf_end: bool,
                     links_usd: np.ndarray) -> np.ndarray:
    """``cost_mu(y)`` of :func:`define_media_floor_per_leaf` for every leaf look (rows) and
    medium (columns), the cords ``links_usd`` included; ``inf`` where the medium does not fit
    the look."""
    run, protocol, cage, units, links = (
        list(column) if i == 2 else np.array(column, dtype=object if i == 1 else float)
        for i, column in enumerate(zip(*views, strict=True)))
    reach = np.array([m.reach_m for m in media])
    unit1 = np.array([m.per_unit1_usd for m in media])
    unit2 = np.array([m.per_unit2_usd / m.cage2 for m in media])
    if leaf_end:
        usd = unit1[None, :] * units[:, None] + unit2[None, :] * links[:, None]
    else:
        per_link = np.array([m.per_unit1_usd / m.cage1 for m in media]) + unit2
        usd = per_link[None, :] * links[:, None]
    usd = usd + links_usd
    fits = reach[None, :] >= run[:, None]
    fits &= np.array([[m.protocol in (None, p) for m in media] for p in protocol], dtype=bool)
    if leaf_end:
        fits &= np.array([[m.fits1(key) for m in media] for key in cage], dtype=bool)
    return np.where(fits, usd, np.inf)


def media_view(o: LeafOption, cls: LinkClass) -> tuple:
    """What the media floors read of a leaf option: run, protocol, cage, cages and links."""
    return (o.run_m(cls), o.mode.switch.protocol, o.mode.cage_key, o.uplink_units,
            o.uplink_total)
