"""Two tiers: leaves and spines with uniform striping."""

from __future__ import annotations

import pulp

from designer.model.candidates import spine_options
from designer.model.fit import CageKey
from designer.model.formulation.blocks import Block
from designer.model.formulation.builder import (
    Builder,
    Expr,
    TierInputs,
    cage_sums,
    cage_tag,
    leaf_sum,
)
from designer.model.formulation.floors import (
    define_switch_floor_per_leaf,
    define_upper_tier_floor,
    fewest_spines,
    stripable,
)
from designer.model.formulation.leaves import define_leaves
from designer.model.formulation.media import define_media
from designer.model.links import LinkClass, ceil_div


def define_leaf_spine(b: Builder, block: Block, inputs: TierInputs) -> bool:
    """Two tiers: leaves and spines with uniform striping.

    Decisions: leaf option ``y``, spine option ``z = (b, l)``, spines ``S_z`` (integer).

    - striping: ``sum_z l_z * S_z = sum_y u_y * y`` (every leaf has ``l`` links to each of the
      ``S = u / l`` spines);
    - spine ports: ``l_z * Lambda_z <= radix_b * z`` with ``sum_z Lambda_z = sum_y L_y * y``
      (``Lambda_z`` is the leaf count, carried on the chosen spine option); valid bounds from the
      fewest leaves and uplinks of any leaf option: ``Lambda_z >= L_min z`` and
      ``S_z >= ceil(u_min / l_z) z`` (an on option carries all ``L >= L_min`` leaves and has
      ``S = u / l`` spines);
    - spine racks: the spines of ``z`` fit the racks ``y`` gives them (:func:`define_spine_racks`);
    - spine cages: ``c * m_c >= sum_{z: c_b = c} l_z * Lambda_z`` gives ``m = ceil(L l / c)`` per
      spine, and the spine end of leaf-spine links uses ``S * m`` cages (a product, linearised
      on the binary digits of ``S``).
    Switch cost: ``sum_y L_y price_a y + sum_z price_b S_z``.
    """
    modes = list(inputs.modes)
    if not define_leaves(b, block, inputs, max((m.radix for m in modes), default=0)):
        return False
    carried = define_spine_options(b, block, modes)
    if carried is None:
        return False
    spine_cages = cage_sums((o.mode.cage_key, z) for o, z, _ in block.spines)
    spine_units, links_max = define_spine_cages(b, block, spine_cages, carried)
    define_spine_switches(b, block)
    define_media(b, block, inputs, LinkClass.LEAF_SPINE,
                 lower_cages=cage_sums((o.mode.cage_key, v) for o, v in block.leaves),
                 upper_cages=spine_cages,
                 units1=leaf_sum(block, lambda o: o.uplink_units),
                 units1_max=max(o.uplink_units for o, _ in block.leaves),
                 units2=spine_units, units2_max=links_max,
                 links=leaf_sum(block, lambda o: o.uplink_total), links_max=links_max)
    return True


def define_spine_options(b: Builder, block: Block, modes) -> list | None:
    """One spine option, its spine count and the leaves it carries: striping, spine ports and
    the valid bounds of :func:`define_leaf_spine`. Returns the carried-leaves variables (None
    when no spine option can stripe onto any leaf option)."""
    max_u = max(o.uplinks for o, _ in block.leaves)
    min_u = min(o.uplinks for o, _ in block.leaves)
    min_leaves = min(o.leaves for o, _ in block.leaves)
    options = stripable(spine_options(modes, max_u, min_leaves), block.leaves)
    if not options:
        return None
    name = block.name
    carried = []
    for i, o in enumerate(options):
        z = b.binary(name, "spine", i)
        count = b.integer(name, "spines", i, upper=max_u // o.links_per_leaf)
        leaves_here = b.continuous(name, "leaves_on", i, upper=o.max_leaves)
        b.add(count <= (max_u // o.links_per_leaf) * z, name, "spines_off", i)
        b.add(count >= ceil_div(min_u, o.links_per_leaf) * z, name, "spines_least", i)
        b.add(leaves_here <= o.max_leaves * z, name, "spine_ports", i)
        b.add(leaves_here >= min_leaves * z, name, "spine_leaves_least", i)
        block.spines.append((o, z, count))
        carried.append(leaves_here)
    b.add(pulp.lpSum(z for _, z, _ in block.spines) == block.on, name, "one_spine")
    define_spine_racks(b, block)
    b.add(Expr([(s, o.links_per_leaf) for o, _, s in block.spines])
          == leaf_sum(block, lambda o: o.uplinks), name, "striping")
    b.add(pulp.lpSum(carried) == leaf_sum(block, lambda o: o.leaves), name, "leaf_count")
    return carried


def define_spine_racks(b: Builder, block: Block) -> None:
    """Every spine stands in one of the racks its leaf option gives the copy's spines
    (``site.grid.spine_blocks``): with ``l`` links to each leaf, ``l`` divides the leaf's
    uplinks per rack. One row per distinct ``l``:
    ``sum_{z: l_z = l} z <= sum_{y: l | block_y} y``."""
    for per_pair in sorted({o.links_per_leaf for o, _, _ in block.spines}):
        if all(o.compatible(per_pair) for o, _ in block.leaves):
            continue
        b.add(pulp.lpSum(z for o, z, _ in block.spines if o.links_per_leaf == per_pair)
              <= pulp.lpSum(y for o, y in block.leaves if o.compatible(per_pair)),
              block.name, "spine_racks", per_pair)


def define_spine_cages(b: Builder, block: Block, spine_cages: dict[CageKey, Expr],
                       carried: list) -> tuple[Expr, int]:
    """Cages at the spine end: ``c m_c >= sum_z l_z Lambda_z`` per cage size, times the spine
    count (a product on its binary digits). Returns the cages and the most leaf-spine links."""
    name = block.name
    max_u = max(o.uplinks for o, _ in block.leaves)
    cages_per_spine = Expr()
    max_cages = 0
    for key, on in spine_cages.items():
        cage, tag = key[0], cage_tag(key)
        top = max(ceil_div(o.mode.radix, cage) for o, _, _ in block.spines
                  if o.mode.cage_key == key)
        m = b.integer(name, "cages_per_spine", tag, upper=top)
        b.add(m <= top * on, name, "cages_off", tag)
        b.add(cage * m >= pulp.lpSum(o.links_per_leaf * c for (o, _, _), c
                                     in zip(block.spines, carried, strict=True)
                                     if o.mode.cage_key == key), name, "cages_ceil", tag)
        cages_per_spine += m
        max_cages = max(max_cages, top)
    spine_count = pulp.lpSum(s for _, _, s in block.spines)
    spine_units = b.product(b.digits_of(spine_count, max_u, name, "spine_count"),
                            cages_per_spine, max_cages, name, "spine_units")
    return spine_units, max(o.uplink_total for o, _ in block.leaves)


def define_spine_switches(b: Builder, block: Block) -> None:
    """Switch cost and power ``sum_y L_y price_a y + sum_z price_b S_z``, with the valid
    floors of ``floors.py``."""
    name = block.name
    spine_cost = Expr([(s, o.mode.switch.price_usd) for o, _, s in block.spines])
    block.switch_cost = (leaf_sum(block, lambda o: o.leaves * o.mode.switch.price_usd)
                         + spine_cost)
    block.switch_power = (leaf_sum(block, lambda o: o.leaves * o.mode.switch.power_w)
                          + Expr([(s, o.mode.switch.power_w) for o, _, s in block.spines]))
    define_upper_tier_floor(b, spine_cost, leaf_sum(block, lambda o: o.uplink_total), min(
        o.mode.switch.price_usd / o.mode.radix for o, _, _ in block.spines), name, "spines")
    define_switch_floor_per_leaf(b, block, spine_cost, {
        (o.mode.switch.protocol, o.mode.switch.price_usd, o.mode.radix)
        for o, _, _ in block.spines}, fewest_spines, name, "spines")
