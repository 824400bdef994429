"""Valid inequalities on the switches above the leaves, and the spine options worth building."""

from __future__ import annotations

import pulp

from designer.model.candidates import LeafOption, SpineOption
from designer.model.formulation.blocks import Block
from designer.model.formulation.builder import Builder, Expr


def define_upper_tier_floor(b: Builder, cost: Expr, leaf_uplinks: Expr, usd_per_link: float,
                            *name: object) -> None:
    """Valid inequality: a tier above the leaves costs at least its cheapest price per link.

    Spines (2 tiers) end ``L u`` links on ports of radix ``k``: ``S >= L u / k``; pod spines give
    each leaf link a port down and one up: ``PS >= 2 L u / k``; cores end ``SC >= L u`` links:
    ``C >= L u / k``. So ``cost >= min(price * ports per link / k) * L u``.
    """
    b.add(cost >= usd_per_link * leaf_uplinks, *name, "floor")


def define_switch_floor_per_leaf(b: Builder, block: Block, cost: Expr, choices: set[tuple],
                                 count, *name: object) -> None:
    """Valid inequality: a tier above the leaves costs at least the fewest whole switches the
    chosen leaf option needs, at the cheapest choice of its protocol.

    ``cost >= sum_y min_{(p_y, price, k) in choices} price * count(y, k) * y``, where
    ``count(y, k)`` is a lower bound on the tier's switch count with leaf option ``y``
    (``L_y`` leaves of ``u_y`` uplinks) and a choice of size ``k``:

    - 2-tier spines of radix ``k``: each leaf has ``l <= floor(k / L)`` links to each of
      ``S = u / l`` spines (a whole number, so ``l`` divides ``u``):
      ``S >= u / max{l : l | u, l <= floor(k / L)}`` (no spine of radix ``k < L`` fits);
    - pod spines of pods of ``Lp`` leaves: ``Pi >= ceil(L / Lp)`` pods of ``u`` spines;
    - cores of radix ``k``: ``Cg = Lp / l2 >= Lp Pi / k >= L / k`` cores per group (each core
      meets every pod ``l2`` times), ``u`` groups: ``C >= u ceil(L / k)``.

    Exactly one leaf option and one choice are on, so the row holds for every design; unlike
    :func:`define_upper_tier_floor` it counts whole switches and partly filled pods, which
    is where the relaxation of a fabric between powers of two falls short.
    """
    terms = []
    for o, y in block.leaves:
        protocol = o.mode.switch.protocol
        costs = [price * n for p, price, size in sorted(choices)
                 if p == protocol and (n := count(o, size)) is not None]
        if costs and min(costs) > 0:
            terms.append((y, min(costs)))
    if terms:
        b.add(cost >= Expr(terms), *name, "leaf_floor")


def stripable(options: list[SpineOption], leaves: list[tuple[LeafOption, pulp.LpVariable]]
              ) -> list[SpineOption]:
    """The spine options some leaf option can stripe onto: ``l`` divides its ``u`` (so
    ``S = u / l`` is whole), ``L l <= radix`` and both speak one protocol.

    Any other spine option is infeasible with every leaf option (``sum_z l_z S_z = u_y`` has
    no whole solution, or the spine lacks ports), so leaving it out changes no design. For each
    protocol and ``l``, the fewest leaves of a leaf option whose ``u`` is a multiple of ``l``
    decides it.
    """
    fewest: dict[tuple[str, int], int] = {}
    for o, _ in leaves:
        protocol = o.mode.switch.protocol
        for per_pair in range(1, o.uplinks + 1):
            if o.uplinks % per_pair == 0:
                key = (protocol, per_pair)
                fewest[key] = min(fewest.get(key, o.leaves), o.leaves)
    return [o for o in options
            if (n := fewest.get((o.mode.switch.protocol, o.links_per_leaf))) is not None
            and n * o.links_per_leaf <= o.mode.radix]


def fewest_spines(o: LeafOption, radix: int) -> int | None:
    """Fewest 2-tier spines of ``radix`` ports for leaf option ``o``: ``u / l`` for the largest
    ``l`` dividing ``u`` with ``L l <= radix``; None when no spine of that radix fits."""
    most = min(radix // o.leaves, o.uplinks)
    per_leaf = next((n for n in range(most, 0, -1) if o.uplinks % n == 0), None)
    return None if per_leaf is None else o.uplinks // per_leaf
