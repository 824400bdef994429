"""Three tiers: pods of leaves and pod spines, joined by cores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from designer.inputs.schema import Switch
from designer.model.candidates import PodOption, pod_options
from designer.model.formulation.blocks import Block
from designer.model.formulation.builder import (
    Builder,
    Expr,
    TierInputs,
    by_model,
    cage_sums,
    cage_tag,
    leaf_sum,
)
from designer.model.formulation.floors import define_switch_floor_per_leaf, define_upper_tier_floor
from designer.model.formulation.leaves import define_leaves
from designer.model.formulation.media import define_media
from designer.model.links import LinkClass, ceil_div


def define_pods(b: Builder, block: Block, inputs: TierInputs) -> bool:
    """Three tiers: pods of leaves and pod spines, joined by cores.

    Decisions: leaf option ``y``, pod option ``z = (b, Lp, l2)``, core mode ``x``, pods
    ``Pi_z`` (integer).

    - pods hold every leaf: ``Lp_z * Pi_z >= Lambda_z`` with ``sum_z Lambda_z = sum_y L_y y``;
      with ``L_min = min_y L_y`` and ``Pi_max_z = min(floor(k_max / l2_z), ceil(L_max / Lp_z))``
      the chosen option carries at least the fewest leaves any option has:
      ``L_min z <= Lambda_z <= min(L_max, Lp_z Pi_max_z) z`` and ``Pi_z >= ceil(L_min / Lp_z) z``
      (valid: an off option carries nothing, an on one carries ``L >= L_min`` leaves in whole
      pods), so the relaxation cannot park its weight on an option that holds no leaves; an
      option with ``ceil(L_min / Lp_z) > Pi_max_z`` can hold no leaf option's leaves and is not
      built;
    - core ports: ``sum_z l2_z Pi_z <= sum_x radix_x x`` (each core meets every pod ``l2`` times);
    - pod spines ``PS_m = u * sum_{z of model m} Pi_z`` per switch model (one per leaf uplink in
      every pod), cores ``C = u * Cg`` (``u`` groups of ``Cg = Lp / l2``), spine-core links
      ``SC = PS * Lp = u * sum_z Lp_z Pi_z`` (the pods' leaf slots, so a partly filled last pod
      pays for its empty slots): products with the chosen leaf's ``u``
      (:meth:`Builder.choice_product`), each bounded per leaf option ``y`` by the most any pod
      option that can hold ``y``'s leaves (``ceil(L_y / Lp_z) <= Pi_max_z``) allows;
    - per core mode ``C_x >= C - C_max (1 - x)``, ``C_x <= C_max x``, ``sum_x C_x >= C``;
    - cages: pod-spine down ``u * ceil(L / c_b)`` (pods hold whole cages of leaves), pod-spine up
      ``SC / c_b``, core ``C * ceil(Pi * l2 / c_x)``.
    Switch cost: ``sum_y L_y price_a y + sum_m price_m PS_m + sum_x price_x C_x``.
    """
    if not define_leaves(b, block, inputs, None) or not inputs.modes:
        return False
    bounds = _PodBounds.of(block, inputs.modes)
    if not define_pod_options(b, block, inputs.modes, bounds):
        return False
    counts = define_pod_counts(b, block, bounds)
    cages = define_pod_cages(b, block, bounds, counts)
    define_pod_switches(b, block, counts)
    leaf_links_max = max(o.uplink_total for o, _ in block.leaves)
    define_media(b, block, inputs, LinkClass.LEAF_SPINE,
                 lower_cages=cage_sums((o.mode.cage_key, v) for o, v in block.leaves),
                 upper_cages=cages.pod,
                 units1=leaf_sum(block, lambda o: o.uplink_units),
                 units1_max=max(o.uplink_units for o, _ in block.leaves),
                 units2=cages.down_units, units2_max=leaf_links_max,
                 links=leaf_sum(block, lambda o: o.uplink_total), links_max=leaf_links_max)
    define_media(b, block, inputs, LinkClass.SPINE_CORE,
                 lower_cages=cages.pod, upper_cages=cages.core,
                 units1=cages.up_units, units1_max=counts.sc_max, units2=cages.core_units,
                 units2_max=counts.sc_max, links=counts.spine_core, links_max=counts.sc_max)
    return True


@dataclass(frozen=True)
class _PodBounds:
    """Bounds from the block's leaf options and switch modes: the fewest and most leaves, the
    most uplinks, the largest core radix."""

    min_leaves: int
    max_leaves: int
    max_u: int
    core_top: int

    @classmethod
    def of(cls, block: Block, modes) -> _PodBounds:
        leaves = [o.leaves for o, _ in block.leaves]
        return cls(min(leaves), max(leaves), max(o.uplinks for o, _ in block.leaves),
                   max(m.radix for m in modes))

    def pods_top(self, o: PodOption) -> int:
        """``Pi_max_z = min(floor(k_max / l2_z), ceil(L_max / Lp_z))``."""
        return min(self.core_top // o.links_per_core, ceil_div(self.max_leaves, o.leaves_per_pod))

    def pods_least(self, o: PodOption) -> int:
        return ceil_div(self.min_leaves, o.leaves_per_pod)


def define_pod_options(b: Builder, block: Block, modes, bounds: _PodBounds) -> bool:
    """One pod option and one core mode; pods hold every leaf; cores have a port per pod link
    (``Lp_z Pi_z >= Lambda_z``, ``sum_z Lambda_z = sum_y L_y y``, ``sum_z l2_z Pi_z <= sum_x
    radix_x x``, with the valid bounds on ``Lambda_z`` and ``Pi_z`` of :func:`define_pods`)."""
    name = block.name
    pods = [o for o in pod_options(list(modes), block.shape, bounds.max_leaves)
            if bounds.pods_least(o) <= bounds.pods_top(o)]
    if not pods:
        return False
    carried = []
    for i, o in enumerate(pods):
        z = b.binary(name, "pod", i)
        top = bounds.pods_top(o)
        count = b.integer(name, "pods", i, upper=top)
        most = min(bounds.max_leaves, o.leaves_per_pod * top)
        leaves_here = b.continuous(name, "leaves_in", i, upper=most)
        b.add(count <= top * z, name, "pods_off", i)
        b.add(count >= bounds.pods_least(o) * z, name, "pods_least", i)
        b.add(leaves_here <= most * z, name, "leaves_off", i)
        b.add(leaves_here >= bounds.min_leaves * z, name, "leaves_least", i)
        b.add(o.leaves_per_pod * count >= leaves_here, name, "pods_hold_leaves", i)
        block.pods.append((o, z, count))
        carried.append(leaves_here)
    b.add(pulp.lpSum(z for _, z, _ in block.pods) == block.on, name, "one_pod")
    b.add(pulp.lpSum(carried) == leaf_sum(block, lambda o: o.leaves), name, "leaf_count")
    block.cores = [(m, b.binary(name, "core", m.key)) for m in modes]
    b.add(pulp.lpSum(v for _, v in block.cores) == block.on, name, "one_core")
    b.add(Expr([(p, o.links_per_core) for o, _, p in block.pods])
          <= Expr([(v, m.radix) for m, v in block.cores]), name, "core_ports")
    return True


@dataclass(frozen=True)
class _PodCounts:
    """The products with the chosen leaf's uplinks ``u``: pod spines per switch model, cores
    and spine-core links, with their largest values."""

    spines_by_model: dict[str, tuple[Switch, Expr]]
    cores: Expr
    cores_max: int
    spine_core: Expr
    sc_max: int
    core_top: int


def define_pod_counts(b: Builder, block: Block, bounds: _PodBounds) -> _PodCounts:
    """``PS_m = u Pi_m``, ``C = u Cg`` and ``SC = u sum_z Lp_z Pi_z``, each a
    :meth:`Builder.choice_product` bounded per leaf option ``y`` by what the pod options that
    can hold ``y``'s leaves allow."""
    name = block.name
    uplinks = [(o.uplinks, v) for o, v in block.leaves]
    max_cg = max(o.cores_per_group for o, _, _ in block.pods)
    max_lp = max(o.leaves_per_pod for o, _, _ in block.pods)
    pods_max = max(bounds.pods_top(o) for o, _, _ in block.pods)

    # Per (leaf option y, pod option z): z ``fits`` y when its most pods hold y's leaves; with
    # y on, only such a z can be on, so its most pods bound the pods (``held``).
    leaves = np.array([o.leaves for o, _ in block.leaves])[:, None]
    per_pod = np.array([o.leaves_per_pod for o, _, _ in block.pods])[None, :]
    tops = np.array([bounds.pods_top(o) for o, _, _ in block.pods])[None, :]
    need = -(-leaves // per_pod)
    fits = need <= tops
    held = np.where(fits, tops, 0)

    # pod spines per switch model, PS_m = u * Pi_m (Pi_m the pods of model m's options);
    spines_by_model = {}
    for model, (switch, _) in by_model((o.mode, z) for o, z, _ in block.pods).items():
        mine = [k for k, (o, _, _) in enumerate(block.pods) if o.mode.model == model]
        spines_by_model[model] = (switch, b.choice_product(
            uplinks, pulp.lpSum(block.pods[k][2] for k in mine),
            held[:, mine].max(axis=1).tolist(), name, "pod_spines", model))
    ps_max = pods_max * bounds.max_u
    # cores C = u * Cg;
    cores_per_group = np.array([o.cores_per_group for o, _, _ in block.pods])[None, :]
    most_cg = np.where(fits, cores_per_group, 0).max(axis=1).tolist()
    cores = b.choice_product(uplinks, Expr([(z, o.cores_per_group) for o, z, _ in block.pods]),
                             most_cg, name, "cores")
    # spine-core links SC = PS * Lp = u * (Lp * Pi), the leaf slots of the pods times the
    # uplinks, so a partly filled last pod pays for its empty slots' links in the relaxation too.
    slots = Expr([(p, o.leaves_per_pod) for o, _, p in block.pods])
    most_slots = (per_pod * held).max(axis=1).tolist()
    spine_core = b.choice_product(uplinks, slots, most_slots, name, "spine_core")
    # Pods hold fewer than L + Lp leaf slots, so SC = Pi u Lp < (L + Lp) u.
    sc_max = min(ps_max * max_lp, max((o.leaves + max_lp) * o.uplinks for o, _ in block.leaves))
    return _PodCounts(spines_by_model, cores, bounds.max_u * max_cg, spine_core, sc_max,
                      bounds.core_top)


@dataclass(frozen=True)
class _PodCages:
    """Cages used at each end of the classes above the leaf, per cage size."""

    pod: dict[tuple, Expr]
    core: dict[tuple, Expr]
    down_units: Expr
    up_units: Expr
    core_units: Expr


def define_pod_cages(b: Builder, block: Block, bounds: _PodBounds, counts: _PodCounts
                     ) -> _PodCages:
    """Pod-spine down ``u ceil(L / c_b)`` (pods hold whole cages of leaves), pod-spine up
    ``SC / c_b``, core ``C ceil(Pi l2 / c_x)`` (a product on the digits of cages per core)."""
    name = block.name
    pod_cages = cage_sums((o.mode.cage_key, z) for o, z, _ in block.pods)
    core_cages = cage_sums((m.cage_key, v) for m, v in block.cores)
    down_units, up_units = Expr(), Expr()
    for key, on in pod_cages.items():
        cage, tag = key[0], cage_tag(key)
        per_leaf = leaf_sum(block, lambda o, c=cage: o.uplinks * ceil_div(o.leaves, c))
        top = max(o.uplinks * ceil_div(o.leaves, cage) for o, _ in block.leaves)
        down = b.continuous(name, "pod_down_units", tag)
        b.add(down >= per_leaf - top * (1 - on), name, "pod_down_units", tag)
        up = b.continuous(name, "pod_up_units", tag)
        b.add(up >= (1 / cage) * counts.spine_core - (counts.sc_max / cage) * (1 - on),
              name, "pod_up", tag)
        down_units += down
        up_units += up
    per_core = Expr()
    per_core_top = 0
    pod_links = Expr([(p, o.links_per_core) for o, _, p in block.pods])
    for key, on in core_cages.items():
        cage, tag = key[0], cage_tag(key)
        top = ceil_div(bounds.core_top, cage)
        m = b.integer(name, "cages_per_core", tag, upper=top)
        b.add(m <= top * on, name, "core_cages_off", tag)
        b.add(cage * m >= pod_links - bounds.core_top * (1 - on), name, "core_cages_ceil", tag)
        per_core += m
        per_core_top = max(per_core_top, top)
    core_units = b.product(b.digits_of(per_core, per_core_top, name, "per_core"),
                           counts.cores, counts.cores_max, name, "core_units")
    return _PodCages(pod_cages, core_cages, down_units, up_units, core_units)


def define_pod_switches(b: Builder, block: Block, counts: _PodCounts) -> None:
    """Switch cost and power ``sum_y L_y price_a y + sum_m price_m PS_m + sum_x price_x C_x``
    (``C_x >= C - C_max (1 - x)``, ``C_x <= C_max x``, ``sum_x C_x >= C``), with the valid
    floors of ``floors.py`` and ``SC >= L u``."""
    name = block.name
    cores, cores_max = counts.cores, counts.cores_max
    spine_cost, core_cost = Expr(), Expr()
    block.switch_power = leaf_sum(block, lambda o: o.leaves * o.mode.switch.power_w)
    for switch, count in counts.spines_by_model.values():
        spine_cost += switch.price_usd * count
        block.switch_power += switch.power_w * count
    cores_of = []
    for mode, v in block.cores:
        count = b.continuous(name, "cores_of", mode.key)
        b.add(count >= cores - cores_max * (1 - v), name, "cores_of", mode.key)
        b.add(count <= cores_max * v, name, "cores_of_off", mode.key)
        core_cost += mode.switch.price_usd * count
        block.switch_power += mode.switch.power_w * count
        cores_of.append(count)
    # Valid: only the chosen mode has cores, and they are all the cores; without these rows a
    # core mode split in the relaxation pays for cores_max (1 - v) fewer.
    b.add(pulp.lpSum(cores_of) >= cores, name, "cores_covered")
    block.switch_cost = (leaf_sum(block, lambda o: o.leaves * o.mode.switch.price_usd)
                         + spine_cost + core_cost)
    leaf_links = leaf_sum(block, lambda o: o.uplink_total)
    define_upper_tier_floor(b, spine_cost, leaf_links, min(
        2 * o.mode.switch.price_usd / o.mode.radix for o, _, _ in block.pods), name, "spines")
    define_upper_tier_floor(b, core_cost, leaf_links, min(
        m.switch.price_usd / m.radix for m, _ in block.cores), name, "cores")
    define_switch_floor_per_leaf(b, block, spine_cost, {
        (o.mode.switch.protocol, o.mode.switch.price_usd, o.leaves_per_pod)
        for o, _, _ in block.pods}, lambda o, lp: o.uplinks * ceil_div(o.leaves, lp),
        name, "pod_spines")
    define_switch_floor_per_leaf(b, block, core_cost, {
        (m.switch.protocol, m.switch.price_usd, m.radix) for m, _ in block.cores},
        lambda o, radix: o.uplinks * ceil_div(o.leaves, radix), name, "cores")
    b.add(counts.spine_core >= leaf_links, name, "sc_links_floor")
