"""The leaf tier: one switch for a one-tier fabric, or the leaf port split below spines."""

from __future__ import annotations

import pulp

from designer.model.candidates import UpperCords, leaf_options, single_switch_option
from designer.model.fit import cage_order
from designer.model.formulation.blocks import Block
from designer.model.formulation.builder import Builder, Expr, TierInputs


def define_single_switch(b: Builder, block: Block, inputs: TierInputs) -> bool:
    """One tier: every endpoint of a sub-fabric on one switch.

    ``sum_a x_a = on`` over modes with ``radix_a >= n_sub`` whose cages can all be cabled;
    cost ``sum_a (price_a + node_links_a) x_a`` with the node-leaf cabling priced cage by cage.
    Each switch is a leaf option with no uplinks (``candidates.single_switch_option``).
    """
    options = [o for mode in inputs.modes
               if (o := single_switch_option(inputs.pricer, inputs.fabric, inputs.site,
                                             block.shape, mode, inputs.hall)) is not None]
    if not options:
        return False
    block.leaves = [(o, b.binary(block.name, "switch", o.mode.key)) for o in options]
    b.add(pulp.lpSum(v for _, v in block.leaves) == block.on, block.name, "one_switch")
    block.switch_cost = Expr([(v, o.mode.switch.price_usd) for o, v in block.leaves])
    block.switch_power = Expr([(v, o.mode.switch.power_w) for o, v in block.leaves])
    return True


def define_leaves(b: Builder, block: Block, inputs: TierInputs, max_leaves: int | None) -> bool:
    """The leaf port split: ``sum_y y = on`` over leaf options (mode, uplinks u, group q).

    Each option already satisfies ``d + u <= radix``, ``d <= o * u`` (bisection: the leaf sends up
    at least ``1/o`` of what it takes in) and whole cages; leaves ``L_y = e_cols * ceil(N / q_y)``.
    Its node-leaf cabling is priced cage by cage (``designer.model.nodelinks``): the block pays
    ``sum_y node_links_y * y``. Options whose leaf count no spine could reach are left out.
    """
    fabric, catalog = inputs.fabric, inputs.catalog
    cages = {m.cage_ports for m in inputs.modes}
    reaches = sorted({m.reach_m for m in b.media(catalog, fabric.port_speed_gbps, cages)})
    cords = None
    if block.tiers >= 2:
        power_matters = fabric.max_power_kw is not None
        keys = tuple(sorted({m.cage_key for m in inputs.modes}, key=cage_order))
        laid = {tuple(c.model for c in m.cords): m.cords
                for m in b.media(catalog, fabric.port_speed_gbps, cages, pareto=True,
                                 power_matters=power_matters, per_run=True, ends=(keys, keys))
                if not m.breakout}
        cords = UpperCords(tuple(laid[k] for k in sorted(laid)), power_matters)
    options = leaf_options(fabric, inputs.site, block.shape, list(inputs.modes), reaches,
                           inputs.pricer, catalog, inputs.hall, cords, block.tiers)
    if max_leaves is not None:
        options = [o for o in options if o.leaves <= max_leaves]
    if not options:
        return False
    block.leaves = [(o, b.binary(block.name, "leaf", i)) for i, o in enumerate(options)]
    b.add(pulp.lpSum(v for _, v in block.leaves) == block.on, block.name, "one_leaf")
    return True
