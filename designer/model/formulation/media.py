"""The medium of each link class above the leaf, and the valid floors on its cost."""

from __future__ import annotations

import numpy as np
import pulp

from designer.model.candidates import LeafOption
from designer.model.formulation.blocks import Block, ClassMedia
from designer.model.formulation.builder import Builder, Expr, TierInputs, row_name
from designer.model.links import LinkClass
from designer.model.media import Medium


def define_media(b: Builder, block: Block, inputs: TierInputs, cls: LinkClass, *,
                 lower_cages: dict[int, Expr], upper_cages: dict[int, Expr],
                 units1: Expr, units1_max: float, units2: Expr, units2_max: float,
                 links: Expr, links_max: float) -> None:
    """The medium of one link class, chosen by reach and cage fit.

    ``sum_mu w_mu = on``; a medium fits the cages of both ends:
    ``sum_{mu: cage1(mu) = c} w_mu <= [lower end has cages of c]`` (and likewise upper); it
    reaches the class's worst run, which depends on the leaf group's size (it sets where racks
    stand): for every distinct reach ``t`` of the class's media,

        sum_{mu: reach_mu <= t} w_mu + sum_{y: len_y > t} y <= on

    (a clique: a medium of reach ``t`` or less and a leaf option with a longer run exclude each
    other; with ``t = reach_mu`` it is ``w_mu <= sum_{y: len_y <= reach_mu} y``, and it is
    tighter in the LP and has one row per distinct reach instead of one per medium). Media no
    leaf option's run fits are left out. The class cost is
    ``kappa >= a_mu units1 + b_mu units2 + g_mu links - M_mu (1 - w_mu)``,
    ``M_mu = a_mu units1_max + b_mu units2_max + g_mu links_max``, with the valid floors of
    :func:`define_media_floor` and :func:`define_media_floor_per_leaf`. With a power limit the
    class power ``pi`` has the same rows with each part's power in place of its price (and
    ``pareto_media`` keeps media that draw less power).
    """
    name = row_name(block.name, cls)
    cages = set(lower_cages) | set(upper_cages)
    fabric = inputs.fabric
    power_matters = fabric.max_power_kw is not None
    # Dominance only compares media with the same cages, so filtering the Pareto set of every
    # cage by this class's cages is the Pareto set of this class's media.
    shortest_m = min(o.run_m(cls) for o, _ in block.leaves)
    options = [m for m in b.media(inputs.catalog, fabric.port_speed_gbps, cages, pareto=True,
                                  power_matters=power_matters)
               if m.cage1 in lower_cages and m.cage2 in upper_cages and m.reach_m >= shortest_m]
    cost = b.continuous(name, "cost")
    power = b.continuous(name, "power") if power_matters else None
    chosen = [(m, b.binary(name, "medium", i)) for i, m in enumerate(options)]
    block.media[cls] = ClassMedia(chosen, cost, power)
    define_media_fit(b, block, cls, chosen, lower_cages, upper_cages)
    units1 = b.alias(units1, name, "units1")
    units2 = b.alias(units2, name, "units2")
    links = b.alias(links, name, "links")
    for i, (m, w) in enumerate(chosen):
        big_m = (m.per_unit1_usd * units1_max + m.per_unit2_usd * units2_max
                 + m.per_link_usd * links_max)
        b.add(cost >= m.per_unit1_usd * units1 + m.per_unit2_usd * units2
              + m.per_link_usd * links - big_m * (1 - w), name, "cost", i)
        if power is not None:
            big_w = (m.per_unit1_w * units1_max + m.per_unit2_w * units2_max
                     + m.per_link_w * links_max)
            b.add(power >= m.per_unit1_w * units1 + m.per_unit2_w * units2
                  + m.per_link_w * links - big_w * (1 - w), name, "power", i)
    define_media_floor(b, cost, links, options, name)
    define_media_floor_per_leaf(b, block, cost, options, cls,
                                leaf_end=cls == LinkClass.LEAF_SPINE, name=name)


def define_media_fit(b: Builder, block: Block, cls: LinkClass,
                     chosen: list[tuple[Medium, pulp.LpVariable]],
                     lower_cages: dict[int, Expr], upper_cages: dict[int, Expr]) -> None:
    """One medium when the block is on; it fits both ends' cages; and the reach cliques of
    :func:`define_media` (one row per distinct reach ``t``)."""
    name = row_name(block.name, cls)
    b.add(pulp.lpSum(w for _, w in chosen) == block.on, name, "one_medium")
    for cage, on in lower_cages.items():
        b.add(pulp.lpSum(w for m, w in chosen if m.cage1 == cage) <= on, name, "lower_cage", cage)
    for cage, on in upper_cages.items():
        b.add(pulp.lpSum(w for m, w in chosen if m.cage2 == cage) <= on, name, "upper_cage", cage)
    for i, t in enumerate(sorted({m.reach_m for m, _ in chosen})):
        beyond = [v for o, v in block.leaves if o.run_m(cls) > t]
        if beyond:
            b.add(pulp.lpSum(w for m, w in chosen if m.reach_m <= t) + pulp.lpSum(beyond)
                  <= block.on, name, "reach", i)


def define_media_floor(b: Builder, cost: pulp.LpVariable, links: Expr, options: list[Medium],
                       name: str) -> None:
    """Valid inequality: a class costs at least its links times the cheapest cost per link.

    Each end uses at least ``links / c`` cages, so any medium costs at least
    ``links * (a_mu / c1_mu + b_mu / c2_mu + g_mu)``; the least over ``mu`` bounds the class
    cost from below whichever medium is chosen. It changes no integer solution; it tells the
    LP relaxation what a tier of links costs, so expensive blocks are pruned early.
    """
    if not options:
        return
    per_link = min(m.per_unit1_usd / m.cage1 + m.per_unit2_usd / m.cage2 + m.per_link_usd
                   for m in options)
    b.add(cost >= per_link * links, name, "floor")


def define_media_floor_per_leaf(b: Builder, block: Block, cost: pulp.LpVariable,
                                options: list[Medium], cls: LinkClass, *, leaf_end: bool,
                                name: str) -> None:
    """Valid inequalities: a class costs at least what the cheapest medium open to the chosen
    leaf option would cost for that option's links, and at least what the chosen medium would
    cost for the cheapest leaf option it can serve.

    ``kappa >= sum_y f_y y`` with ``f_y = min_{mu in M_y} cost_mu(y)`` and
    ``kappa >= sum_mu h_mu w_mu`` with ``h_mu = min_{y: mu in M_y} cost_mu(y)``, where ``M_y``
    are the media that reach ``y``'s run of the class (``reach_mu >= len_y``), fit and speak its
    protocol, and ``cost_mu(y)`` is a lower bound on the class cost with ``mu`` and ``y``:

    - leaf-spine (``leaf_end``): the leaf is the lower end, so ``cage1_mu = c_y`` and
      ``cost_mu(y) = a_mu V_y + (b_mu / c2_mu + g_mu) U_y`` with ``U_y = L_y u_y`` links and
      ``V_y = L_y ceil(u_y / c_y)`` leaf cages;
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
    # Leaf options that look alike to every medium share one computation; the prices and the
    # fit of every (leaf look, medium) pair are one array each.
    alike: dict[tuple, int] = {}
    for o, _ in block.leaves:
        alike.setdefault(_media_view(o, cls), len(alike))
    least = _least_media_usd(list(alike), options, leaf_end)
    least_of = least.min(axis=1, initial=np.inf)
    by_leaf, by_medium = [], []
    for o, y in block.leaves:
        usd = least_of[alike[_media_view(o, cls)]]
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


def _least_media_usd(views: list[tuple], media: list[Medium], leaf_end: bool) -> np.ndarray:
    """``cost_mu(y)`` of :func:`define_media_floor_per_leaf` for every leaf look (rows) and
    medium (columns); ``inf`` where the medium does not fit the look."""
    run, protocol, cage, units, links = (np.array(column, dtype=object if i == 1 else float)
                                         for i, column in enumerate(zip(*views, strict=True)))
    reach = np.array([m.reach_m for m in media])
    unit1 = np.array([m.per_unit1_usd for m in media])
    rest = np.array([m.per_unit2_usd / m.cage2 + m.per_link_usd for m in media])
    if leaf_end:
        usd = unit1[None, :] * units[:, None] + rest[None, :] * links[:, None]
    else:
        per_link = np.array([m.per_unit1_usd / m.cage1 + m.per_unit2_usd / m.cage2
                             + m.per_link_usd for m in media])
        usd = per_link[None, :] * links[:, None]
    fits = reach[None, :] >= run[:, None]
    fits &= np.array([[m.protocol in (None, p) for m in media] for p in protocol], dtype=bool)
    if leaf_end:
        fits &= np.array([m.cage1 for m in media])[None, :] == cage[:, None]
    return np.where(fits, usd, np.inf)


def _media_view(o: LeafOption, cls: LinkClass) -> tuple:
    """What the media floors read of a leaf option: run, protocol, cage, cages and links."""
    return (o.run_m(cls), o.mode.switch.protocol, o.mode.cage_ports, o.uplink_units,
            o.uplink_total)
