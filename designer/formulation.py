"""The mixed-integer program for one fabric: built here, solved in ``solve.py``.

One PuLP problem holds every alternative the fabric allows: each (layout, tier count) pair is a
*block* switched on by one binary, and inside a block the switch model, port split, striping,
pod structure and medium of each link class are decisions. Counts are aggregate integers (leaves,
spines, pods, cores), never one variable per switch or port, so the model keeps its size from a
thousand GPUs to half a million. All quantities inside a block are per sub-fabric and per plane;
the objective multiplies them by ``planes * subfabrics``.

Each constraint family has its own ``define_*`` function whose docstring carries its math. Row
names use ``[a-z0-9_]`` only. This module builds; it never solves or prints.

Products of two decisions (spines x cages per spine, the leaf's uplinks x pods) are linearised
exactly: one factor is written in binary digits (``x = sum_j 2^j b_j``; the digits of a leaf
option's data are sums of the leaf binaries, so they cost nothing, see
``_Builder.choice_product``) and each ``b_j * y`` becomes a variable
``w_j >= y - Y_max * (1 - b_j)``, ``w_j >= 0``. Every such product only ever *costs* money, so
minimisation drives ``w_j`` down to ``b_j * y``: a lower bound is all the linearisation needs.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pulp

from designer.candidates import (
    LINK_CLASSES,
    LeafOption,
    Medium,
    PodOption,
    Shape,
    SpineOption,
    allowed_layouts,
    allowed_protocols,
    allowed_tiers,
    ceil_div,
    leaf_options,
    media_options,
    nics_per_node,
    pareto_media,
    pod_options,
    shape,
    single_switch_plan,
    spine_options,
    undominated_modes,
    usable_modes,
    usable_nics,
)
from designer.catalog import Catalog, SwitchMode
from designer.hall import SharedFloor
from designer.latency import PROPAGATION_NS_PER_M
from designer.nodelinks import CagePricer, NodeLinkPlan
from designer.schema import Fabric, Nic, Site, Switch

Expr = pulp.LpAffineExpression


def _name(*parts: object) -> str:
    """A row or column name of ``[a-z0-9_]`` only (PuLP rewrites anything else)."""
    return re.sub(r"[^a-z0-9_]+", "_", "_".join(str(p) for p in parts).lower()).strip("_")


@dataclass
class ClassMedia:
    """The media decision of one link class: option binaries, the class cost variable and,
    when the fabric limits power, the class power variable."""

    options: list[tuple[Medium, pulp.LpVariable]]
    cost: pulp.LpVariable
    power: pulp.LpVariable | None = None


@dataclass
class Block:
    """One (layout, tiers) alternative and its decision variables."""

    shape: Shape
    tiers: int
    on: pulp.LpVariable
    leaves: list[tuple[LeafOption | SwitchMode, pulp.LpVariable]] = field(default_factory=list)
    spines: list[tuple[SpineOption, pulp.LpVariable, pulp.LpVariable]] = field(
        default_factory=list)
    pods: list[tuple[PodOption, pulp.LpVariable, pulp.LpVariable]] = field(default_factory=list)
    cores: list[tuple[SwitchMode, pulp.LpVariable]] = field(default_factory=list)
    media: dict[str, ClassMedia] = field(default_factory=dict)
    switch_cost: Expr = field(default_factory=Expr)
    switch_power: Expr = field(default_factory=Expr)
    node_plans: list[NodeLinkPlan] = field(default_factory=list)  # parallel to ``leaves``

    @property
    def node_link_cost(self) -> Expr:
        """Node-leaf cabling, priced cage by cage per leaf option (``designer.nodelinks``)."""
        return Expr([(v, plan.cost_usd)
                     for plan, (_, v) in zip(self.node_plans, self.leaves, strict=True)])

    @property
    def power_w(self) -> Expr:
        """Switches, node-leaf cabling and upper media of one copy, in watts (power limit)."""
        return (self.switch_power
                + Expr([(v, plan.power_w)
                        for plan, (_, v) in zip(self.node_plans, self.leaves, strict=True)])
                + pulp.lpSum(m.power for m in self.media.values() if m.power is not None))

    @property
    def name(self) -> str:
        return _name(self.shape.layout, f"t{self.tiers}")

    @property
    def copies(self) -> int:
        return self.shape.subfabrics


@dataclass
class FabricModel:
    """The built problem and handles to read the solution back."""

    fabric: Fabric
    problem: pulp.LpProblem
    protocols: dict[str, pulp.LpVariable]
    nics: list[tuple[Nic, pulp.LpVariable]]
    blocks: list[Block]
    nic_cost: Expr
    objective: Expr
    power_w: Expr | None = None  # the network's power, built only when the fabric limits it
    power_limit: pulp.LpConstraint | None = None

    site: Site | None = None
    catalog: Catalog | None = None

    def why_infeasible(self) -> str:
        """One sentence on the limit that most likely leaves no design (see explain)."""
        from designer.explain import diagnose_infeasible

        return diagnose_infeasible(self.fabric, self.site, self.catalog)

    @property
    def size(self) -> dict[str, int]:
        variables = self.problem.variables()
        return {"variables": len(variables),
                "integer_variables": sum(1 for v in variables if v.cat != pulp.LpContinuous),
                "constraints": self.problem.numConstraints()}


class _Builder:
    """Holds the problem while ``define_*`` functions add to it."""

    def __init__(self, name: str):
        self.problem = pulp.LpProblem(_name("fabric", name), pulp.LpMinimize)

    def media(self, catalog: Catalog, speed_gbps: float, cages: set[int], *,
              pareto: bool = False, power_matters: bool = False) -> list[Medium]:
        """``media_options`` (and its Pareto set), computed once for every build that asks for
        the same optics and cables at the same speed (a sweep's points, every block and class
        of one build): the key holds the parts themselves, so a repriced catalog misses."""
        parts = (tuple(catalog.transceivers.values()), tuple(catalog.cables.values()))
        return _media_of(parts, speed_gbps, frozenset(cages), pareto, power_matters)

    def binary(self, *name: object) -> pulp.LpVariable:
        return self.problem.add_variable(_name(*name), 0, 1, cat=pulp.LpBinary)

    def integer(self, *name: object, upper: float) -> pulp.LpVariable:
        return self.problem.add_variable(_name(*name), 0, upper, cat=pulp.LpInteger)

    def continuous(self, *name: object, upper: float | None = None) -> pulp.LpVariable:
        return self.problem.add_variable(_name(*name), 0, upper)

    def add(self, constraint, *name: object) -> None:
        self.problem += constraint, _name(*name)

    def product(self, digits: list[tuple[int, Expr]], value: Expr, value_max: float,
                *name: object) -> Expr:
        """``x * value`` where ``x = sum_j weight_j * digit_j`` and each digit is 0/1.

        For each digit: ``w_j >= value - value_max * (1 - digit_j)``, ``w_j >= 0``; the result is
        ``sum_j weight_j * w_j``. Exact at the optimum when the result only adds cost.
        """
        total = Expr()
        for j, (weight, digit) in enumerate(digits):
            w = self.continuous(*name, "w", j)
            self.add(w >= value - value_max * (1 - digit), *name, "mc", j)
            total += weight * w
        return total

    def choice_product(self, choices: list[tuple[int, pulp.LpVariable]], value: Expr,
                       most: list[float], *name: object) -> Expr:
        """``c * value`` where ``c = sum_y c_y y`` over one-hot choices ``y`` and ``value`` is
        at most ``most_y`` whenever ``y`` is on (and 0 when no choice is).

        One variable per bit ``j`` of the ``c_y``::

            w_j >= value - sum_{y: bit j of c_y is 0} most_y y,   w_j >= 0

        and the result is ``sum_j 2^j w_j``. With ``y`` on, ``w_j >= value`` for the bits of
        ``c_y`` and ``w_j >= value - most_y <= 0`` for the others, so the result is at least
        ``c_y * value``, exact at the optimum when it only adds cost. Unlike :meth:`product`
        on the same digits, the relaxation discounts a choice only by what that choice could
        carry (``most_y``), not by the largest value of any choice.
        """
        top = max((c for c, _ in choices), default=0)
        value = self.alias(value, *name, "value")
        total = Expr()
        for j in range(max(1, top.bit_length())):
            w = self.continuous(*name, "w", j)
            off = Expr([(var, bound) for (c, var), bound in zip(choices, most, strict=True)
                        if not c >> j & 1 and bound])
            self.add(w >= value - off, *name, "mc", j)
            total += (1 << j) * w
        return total

    def alias(self, expr: Expr, *name: object) -> Expr:
        """A variable equal to ``expr`` when ``expr`` is long, so rows that repeat it stay short."""
        expr = Expr(expr)
        if len(expr) <= 2:
            return expr
        var = self.continuous(*name)
        self.add(var == expr, *name, "def")
        return var

    def digits_of(self, variable: Expr, upper: int, *name: object) -> list[tuple[int, Expr]]:
        """Binary digits of a bounded integer expression (new binaries, one equality row)."""
        bits = [self.binary(*name, "bit", j) for j in range(max(1, upper.bit_length()))]
        self.add(variable == pulp.lpSum((1 << j) * b for j, b in enumerate(bits)), *name, "bits")
        return [(1 << j, b) for j, b in enumerate(bits)]


@functools.lru_cache(maxsize=64)
def _media_of(parts: tuple, speed_gbps: float, cages: frozenset[int], pareto: bool,
              power_matters: bool) -> list[Medium]:
    transceivers, cables = parts
    view = _PartsView({t.model: t for t in transceivers}, {c.model: c for c in cables})
    options = media_options(view, speed_gbps, set(cages))
    return pareto_media(options, power_matters) if pareto else options


@dataclass(frozen=True)
class _PartsView:
    """The two part tables ``media_options`` reads, standing in for a catalog."""

    transceivers: dict
    cables: dict


def build_model(fabric: Fabric, site: Site, catalog: Catalog,
                hall: SharedFloor | None = None) -> FabricModel:
    """Build the MILP for ``fabric``. Pure: no solving, no I/O.

    ``hall``: where the servers already stand when another fabric of the same server set placed
    them (``designer.hall``); None when this fabric lays out its own hall."""
    b = _Builder(fabric.name)
    protocols = define_protocol_choice(b, fabric, catalog)
    nics, nic_cost = define_nic_choice(b, fabric, catalog, protocols)
    power_matters = fabric.max_power_kw is not None
    modes = undominated_modes(usable_modes(fabric, catalog), fabric.max_latency_us is not None,
                              power_matters)
    pricer = CagePricer(catalog, fabric.port_speed_gbps)
    blocks: list[Block] = []
    for layout in allowed_layouts(fabric):
        sh = shape(layout, fabric.endpoints_per_node)
        for tiers in allowed_tiers(fabric):
            block = Block(sh, tiers, b.binary("use", layout, f"t{tiers}"))
            built = {1: define_single_switch, 2: define_leaf_spine, 3: define_pods}[tiers](
                b, block, fabric, site, modes, catalog, pricer, hall)
            if built:
                blocks.append(block)
            else:
                b.add(block.on == 0, "unused", block.name)
    define_one_block(b, blocks)
    for block in blocks:
        define_protocol_consistency(b, block, protocols)
        if fabric.max_latency_us is not None:
            define_latency_limit(b, block, 1000 * fabric.max_latency_us)
    objective = nic_cost + pulp.lpSum(
        fabric.planes * block.copies * (block.switch_cost + block.node_link_cost
                                        + pulp.lpSum(m.cost for m in block.media.values()))
        for block in blocks)
    b.problem += objective
    power_w, power_limit = (define_power_limit(b, fabric, nics, blocks) if power_matters
                            else (None, None))
    return FabricModel(fabric, b.problem, protocols, nics, blocks, nic_cost, objective,
                       power_w=power_w, power_limit=power_limit, site=site, catalog=catalog)


def define_protocol_choice(b: _Builder, fabric: Fabric, catalog: Catalog
                           ) -> dict[str, pulp.LpVariable]:
    """One protocol per fabric: ``sum_p rho_p = 1`` over the allowed protocols."""
    rho = {p: b.binary("protocol", p) for p in allowed_protocols(fabric)}
    b.add(pulp.lpSum(rho.values()) == 1, "one_protocol")
    return rho


def define_nic_choice(b: _Builder, fabric: Fabric, catalog: Catalog,
                      rho: dict[str, pulp.LpVariable]) -> tuple[list, Expr]:
    """One NIC model: ``sum_n nu_n = 1``, ``nu_n <= rho_p(n)``.

    NIC cost = ``sum_n nu_n * N * ceil(E * P / ports_n) * price_n``.
    """
    nics = [(nic, b.binary("nic", i)) for i, nic in enumerate(usable_nics(fabric, catalog))]
    b.add(pulp.lpSum(v for _, v in nics) == 1, "one_nic")
    for nic, var in nics:
        if nic.protocol is not None:
            b.add(var <= rho[nic.protocol], "nic_protocol", nic.model)
    cost = pulp.lpSum(var * fabric.nodes * nics_per_node(fabric, nic) * nic.price_usd
                      for nic, var in nics)
    return nics, cost


def define_power_limit(b: _Builder, fabric: Fabric, nics: list[tuple[Nic, pulp.LpVariable]],
                       blocks: list[Block]) -> tuple[Expr, pulp.LpConstraint]:
    """The network's power within ``max_power_kw``; returns the power (watts) and the row.

    Power is linear in the same counts as cost, part by part::

        sum_n nu_n N nics_n p_n + sum_blocks P R (switch_w + node_links_w + sum_cls pi_cls)
          <= 1000 * max_power_kw

    where each class's power ``pi_cls`` is bounded below exactly as its cost is (see
    ``define_media``). Lower bounds suffice: every power term only tightens this one row, so a
    solution may always take them at their true values.
    """
    power = pulp.lpSum(var * fabric.nodes * nics_per_node(fabric, nic) * nic.power_w
                       for nic, var in nics)
    power += pulp.lpSum(fabric.planes * block.copies * block.power_w for block in blocks)
    limit = power <= 1000 * fabric.max_power_kw
    b.add(limit, "power_limit")
    return power, limit


def define_one_block(b: _Builder, blocks: list[Block]) -> None:
    """Exactly one (layout, tiers) block: ``sum_blocks on = 1``.

    The hop limit lives here: a block with ``2 * tiers - 1 > max_switch_hops`` is never built.
    """
    b.add(pulp.lpSum(block.on for block in blocks) == 1, "one_design")


def define_protocol_consistency(b: _Builder, block: Block, rho: dict[str, pulp.LpVariable]
                                ) -> None:
    """Every switch and medium of the fabric speaks the chosen protocol.

    For each group of mutually exclusive choices ``G`` and protocol ``p``:
    ``sum_{g in G, protocol(g) = p} choice_g <= rho_p``.
    """
    groups = {
        "leaf": [(_mode_of(o), v) for o, v in block.leaves],
        "spine": [(o.mode, v) for o, v, _ in block.spines],
        "pod": [(o.mode, v) for o, v, _ in block.pods],
        "core": list(block.cores),
    }
    for group, items in groups.items():
        for p, var in rho.items():
            mine = [v for mode, v in items if mode.switch.protocol == p]
            if mine and len(rho) > 1:
                b.add(pulp.lpSum(mine) <= var, block.name, group, "protocol", p)
            elif not mine and items:
                b.add(pulp.lpSum(v for _, v in items) <= 1 - var, block.name, group, "no", p)
    for cls, media in block.media.items():
        for p, var in rho.items():
            mine = [v for m, v in media.options if m.protocol not in (None, p)]
            if mine:
                b.add(pulp.lpSum(mine) <= 1 - var, block.name, cls, "not", p)


def define_latency_limit(b: _Builder, block: Block, limit_ns: float) -> None:
    """Zero-load worst-case latency within the demand's limit (``designer.latency``).

    Along the worst path the leaf is crossed twice, the (pod) spine twice and the core once
    (as tiers allow), and every class's worst run twice at ``v = 5 ns/m``::

        sum_y (k_leaf lat_y + 2 v (len_nl_y + len_ls_y + len_sc_y)) y
          + sum_z k_spine lat_z z + sum_x lat_x x <= limit

    Every choice group sums to ``on``, so a block that is off meets it trivially.
    """
    v = PROPAGATION_NS_PER_M
    if block.tiers == 1:
        terms = [(m.switch.latency_ns + 2 * v * plan.worst_run_m) * x
                 for plan, (m, x) in zip(block.node_plans, block.leaves, strict=True)]
    else:
        above = ("leaf_spine_m", "spine_core_m")[:block.tiers - 1]
        terms = [(2 * o.mode.switch.latency_ns
                  + 2 * v * (o.node_leaf_m + sum(getattr(o, a) for a in above))) * y
                 for o, y in block.leaves]
        terms += [o.mode.switch.latency_ns * z for o, z, _ in block.spines]
        terms += [2 * o.mode.switch.latency_ns * z for o, z, _ in block.pods]
        terms += [m.switch.latency_ns * x for m, x in block.cores]
    b.add(pulp.lpSum(terms) <= limit_ns, block.name, "latency")


def _mode_of(option: LeafOption | SwitchMode) -> SwitchMode:
    return option.mode if isinstance(option, LeafOption) else option


def define_single_switch(b: _Builder, block: Block, fabric: Fabric, site: Site,
                         modes: list[SwitchMode], catalog: Catalog, pricer: CagePricer,
                         hall: SharedFloor | None = None) -> bool:
    """One tier: every endpoint of a sub-fabric on one switch.

    ``sum_a x_a = on`` over modes with ``radix_a >= n_sub`` whose cages can all be cabled;
    cost ``sum_a (price_a + node_links_a) x_a`` with the node-leaf cabling priced cage by cage.
    """
    sh = block.shape
    n_sub = fabric.nodes * sh.ports_per_node * sh.leaves_per_group
    for mode in modes:
        plan = (single_switch_plan(pricer, fabric, site, sh, mode, hall)
                if mode.radix >= n_sub else None)
        if plan is not None:
            block.leaves.append((mode, b.binary(block.name, "switch", mode.key)))
            block.node_plans.append(plan)
    if not block.leaves:
        return False
    b.add(pulp.lpSum(v for _, v in block.leaves) == block.on, block.name, "one_switch")
    block.switch_cost = Expr([(v, m.switch.price_usd) for m, v in block.leaves])
    block.switch_power = Expr([(v, m.switch.power_w) for m, v in block.leaves])
    return True


def _cage_sums(items) -> dict[int, Expr]:
    sums: dict[int, list] = defaultdict(list)
    for cage, var in items:
        sums[cage].append(var)
    return {cage: pulp.lpSum(vs) for cage, vs in sorted(sums.items())}


def define_leaves(b: _Builder, block: Block, fabric: Fabric, site: Site, catalog: Catalog,
                  modes: list[SwitchMode], max_leaves: int | None, pricer: CagePricer,
                  hall: SharedFloor | None) -> bool:
    """The leaf port split: ``sum_y y = on`` over leaf options (mode, uplinks u, group q).

    Each option already satisfies ``d + u <= radix``, ``d <= o * u`` (bisection: the leaf sends up
    at least ``1/o`` of what it takes in) and whole cages; leaves ``L_y = e_cols * ceil(N / q_y)``.
    Its node-leaf cabling is priced cage by cage (``designer.nodelinks``): the block pays
    ``sum_y node_links_y * y``. Options whose leaf count no spine could reach are left out.
    """
    cages = {m.cage_ports for m in modes}
    reaches = sorted({m.reach_m for m in b.media(catalog, fabric.port_speed_gbps, cages)})
    options = leaf_options(fabric, site, block.shape, modes, reaches, pricer,
                           catalog if block.tiers == 2 else None, hall)
    if max_leaves is not None:
        options = [o for o in options if o.leaves <= max_leaves]
    if not options:
        return False
    block.leaves = [(o, b.binary(block.name, "leaf", i)) for i, o in enumerate(options)]
    block.node_plans = [o.node_links for o in options]
    b.add(pulp.lpSum(v for _, v in block.leaves) == block.on, block.name, "one_leaf")
    return True


def _leaf_sum(block: Block, value) -> Expr:
    """``sum_y value(y) y`` over the block's leaf options."""
    return Expr([(v, value(o)) for o, v in block.leaves])


def define_leaf_spine(b: _Builder, block: Block, fabric: Fabric, site: Site,
                      modes: list[SwitchMode], catalog: Catalog, pricer: CagePricer,
                      hall: SharedFloor | None = None) -> bool:
    """Two tiers: leaves and spines with uniform striping.

    Decisions: leaf option ``y``, spine option ``z = (b, l)``, spines ``S_z`` (integer).

    - striping: ``sum_z l_z * S_z = sum_y u_y * y`` (every leaf has ``l`` links to each of the
      ``S = u / l`` spines);
    - spine ports: ``l_z * Lambda_z <= radix_b * z`` with ``sum_z Lambda_z = sum_y L_y * y``
      (``Lambda_z`` is the leaf count, carried on the chosen spine option); valid bounds from the
      fewest leaves and uplinks of any leaf option: ``Lambda_z >= L_min z`` and
      ``S_z >= ceil(u_min / l_z) z`` (an on option carries all ``L >= L_min`` leaves and has
      ``S = u / l`` spines);
    - spine cages: ``c * m_c >= sum_{z: c_b = c} l_z * Lambda_z`` gives ``m = ceil(L l / c)`` per
      spine, and the spine end of leaf-spine links uses ``S * m`` cages (a product, linearised
      on the binary digits of ``S``).
    Switch cost: ``sum_y L_y price_a y + sum_z price_b S_z``.
    """
    max_spine_radix = max((m.radix for m in modes), default=0)
    if not define_leaves(b, block, fabric, site, catalog, modes, max_spine_radix, pricer, hall):
        return False
    max_u = max(o.uplinks for o, _ in block.leaves)
    min_u = min(o.uplinks for o, _ in block.leaves)
    min_leaves = min(o.leaves for o, _ in block.leaves)
    options = stripable(spine_options(modes, max_u, min_leaves), block.leaves)
    if not options:
        return False
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
    b.add(Expr([(s, o.links_per_leaf) for o, _, s in block.spines])
          == _leaf_sum(block, lambda o: o.uplinks), name, "striping")
    b.add(pulp.lpSum(carried) == _leaf_sum(block, lambda o: o.leaves), name, "leaf_count")

    spine_cages = _cage_sums((o.mode.cage_ports, z) for o, z, _ in block.spines)
    cages_per_spine = Expr()
    max_cages = 0
    for cage, on in spine_cages.items():
        top = max(ceil_div(o.mode.radix, cage) for o, _, _ in block.spines
                  if o.mode.cage_ports == cage)
        m = b.integer(name, "cages_per_spine", cage, upper=top)
        b.add(m <= top * on, name, "cages_off", cage)
        b.add(cage * m >= pulp.lpSum(o.links_per_leaf * c for (o, _, _), c
                                     in zip(block.spines, carried, strict=True)
                                     if o.mode.cage_ports == cage), name, "cages_ceil", cage)
        cages_per_spine += m
        max_cages = max(max_cages, top)
    spine_count = pulp.lpSum(s for _, _, s in block.spines)
    spine_units = b.product(b.digits_of(spine_count, max_u, name, "spine_count"),
                            cages_per_spine, max_cages, name, "spine_units")

    spine_cost = Expr([(s, o.mode.switch.price_usd) for o, _, s in block.spines])
    block.switch_cost = (_leaf_sum(block, lambda o: o.leaves * o.mode.switch.price_usd)
                         + spine_cost)
    block.switch_power = (_leaf_sum(block, lambda o: o.leaves * o.mode.switch.power_w)
                          + Expr([(s, o.mode.switch.power_w) for o, _, s in block.spines]))
    define_upper_tier_floor(b, spine_cost, _leaf_sum(block, lambda o: o.uplink_total), min(
        o.mode.switch.price_usd / o.mode.radix for o, _, _ in block.spines), name, "spines")
    define_switch_floor_per_leaf(b, block, spine_cost, {
        (o.mode.switch.protocol, o.mode.switch.price_usd, o.mode.radix)
        for o, _, _ in block.spines}, _fewest_spines, name, "spines")
    links_max = max(o.uplink_total for o, _ in block.leaves)
    define_media(b, block, catalog, fabric, "leaf-spine",
                 lower_cages=_cage_sums((o.mode.cage_ports, v) for o, v in block.leaves),
                 upper_cages=spine_cages,
                 units1=_leaf_sum(block, lambda o: o.uplink_units),
                 units1_max=max(o.uplink_units for o, _ in block.leaves),
                 units2=spine_units, units2_max=links_max,
                 links=_leaf_sum(block, lambda o: o.uplink_total), links_max=links_max)
    return True


def define_pods(b: _Builder, block: Block, fabric: Fabric, site: Site,
                modes: list[SwitchMode], catalog: Catalog, pricer: CagePricer,
                hall: SharedFloor | None = None) -> bool:
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
      (:meth:`_Builder.choice_product`), each bounded per leaf option ``y`` by the most any pod
      option that can hold ``y``'s leaves (``ceil(L_y / Lp_z) <= Pi_max_z``) allows;
    - per core mode ``C_x >= C - C_max (1 - x)``, ``C_x <= C_max x``, ``sum_x C_x >= C``;
    - cages: pod-spine down ``u * ceil(L / c_b)`` (pods hold whole cages of leaves), pod-spine up
      ``SC / c_b``, core ``C * ceil(Pi * l2 / c_x)``.
    Switch cost: ``sum_y L_y price_a y + sum_m price_m PS_m + sum_x price_x C_x``.
    """
    if not define_leaves(b, block, fabric, site, catalog, modes, None, pricer, hall):
        return False
    max_leaves = max(o.leaves for o, _ in block.leaves)
    min_leaves = min(o.leaves for o, _ in block.leaves)
    if not modes:
        return False
    name = block.name
    core_top = max(m.radix for m in modes)
    max_u = max(o.uplinks for o, _ in block.leaves)
    leaf_count = _leaf_sum(block, lambda o: o.leaves)

    def pods_top(o: PodOption) -> int:
        return min(core_top // o.links_per_core, ceil_div(max_leaves, o.leaves_per_pod))

    def pods_least(o: PodOption) -> int:
        return ceil_div(min_leaves, o.leaves_per_pod)

    pods = [o for o in pod_options(modes, block.shape, max_leaves) if pods_least(o) <= pods_top(o)]
    if not pods:
        return False
    pods_max = max(pods_top(o) for o in pods)
    carried = []
    for i, o in enumerate(pods):
        z = b.binary(name, "pod", i)
        top = pods_top(o)
        count = b.integer(name, "pods", i, upper=top)
        most = min(max_leaves, o.leaves_per_pod * top)
        leaves_here = b.continuous(name, "leaves_in", i, upper=most)
        b.add(count <= top * z, name, "pods_off", i)
        b.add(count >= pods_least(o) * z, name, "pods_least", i)
        b.add(leaves_here <= most * z, name, "leaves_off", i)
        b.add(leaves_here >= min_leaves * z, name, "leaves_least", i)
        b.add(o.leaves_per_pod * count >= leaves_here, name, "pods_hold_leaves", i)
        block.pods.append((o, z, count))
        carried.append(leaves_here)
    b.add(pulp.lpSum(z for _, z, _ in block.pods) == block.on, name, "one_pod")
    b.add(pulp.lpSum(carried) == leaf_count, name, "leaf_count")
    block.cores = [(m, b.binary(name, "core", m.key)) for m in modes]
    b.add(pulp.lpSum(v for _, v in block.cores) == block.on, name, "one_core")
    b.add(Expr([(p, o.links_per_core) for o, _, p in block.pods])
          <= Expr([(v, m.radix) for m, v in block.cores]), name, "core_ports")

    uplinks = [(o.uplinks, v) for o, v in block.leaves]
    max_cg = max(o.cores_per_group for o, _, _ in block.pods)
    max_lp = max(o.leaves_per_pod for o, _, _ in block.pods)

    # Per (leaf option y, pod option z): z ``fits`` y when its most pods hold y's leaves; with
    # y on, only such a z can be on, so its most pods bound the pods (``held``).
    leaves = np.array([o.leaves for o, _ in block.leaves])[:, None]
    per_pod = np.array([o.leaves_per_pod for o, _, _ in block.pods])[None, :]
    tops = np.array([pods_top(o) for o, _, _ in block.pods])[None, :]
    need = -(-leaves // per_pod)
    fits = need <= tops
    held = np.where(fits, tops, 0)

    # Products with the uplinks u of the chosen leaf (Builder.choice_product), each bounded per
    # leaf option by what the pod options that fit it allow:
    # pod spines per switch model, PS_m = u * Pi_m (Pi_m the pods of model m's options);
    spines_by_model = {}
    for model, (switch, _) in _by_model((o.mode, z) for o, z, _ in block.pods).items():
        mine = [k for k, (o, _, _) in enumerate(block.pods) if o.mode.model == model]
        spines_by_model[model] = (switch, b.choice_product(
            uplinks, pulp.lpSum(block.pods[k][2] for k in mine),
            held[:, mine].max(axis=1).tolist(), name, "pod_spines", model))
    ps_max = pods_max * max_u
    # cores C = u * Cg;
    cores_per_group = np.array([o.cores_per_group for o, _, _ in block.pods])[None, :]
    most_cg = np.where(fits, cores_per_group, 0).max(axis=1).tolist()
    cores = b.choice_product(uplinks, Expr([(z, o.cores_per_group) for o, z, _ in block.pods]),
                             most_cg, name, "cores")
    cores_max = max_u * max_cg
    # spine-core links SC = PS * Lp = u * (Lp * Pi), the leaf slots of the pods times the
    # uplinks, so a partly filled last pod pays for its empty slots' links in the relaxation too.
    slots = Expr([(p, o.leaves_per_pod) for o, _, p in block.pods])
    most_slots = (per_pod * held).max(axis=1).tolist()
    spine_core = b.choice_product(uplinks, slots, most_slots, name, "spine_core")
    # Pods hold fewer than L + Lp leaf slots, so SC = Pi u Lp < (L + Lp) u.
    sc_max = min(ps_max * max_lp, max((o.leaves + max_lp) * o.uplinks for o, _ in block.leaves))

    pod_cages = _cage_sums((o.mode.cage_ports, z) for o, z, _ in block.pods)
    core_cages = _cage_sums((m.cage_ports, v) for m, v in block.cores)
    down_units, up_units = Expr(), Expr()
    for cage, on in pod_cages.items():
        per_leaf = _leaf_sum(block, lambda o, c=cage: o.uplinks * ceil_div(o.leaves, c))
        top = max(o.uplinks * ceil_div(o.leaves, cage) for o, _ in block.leaves)
        down = b.continuous(name, "pod_down_units", cage)
        b.add(down >= per_leaf - top * (1 - on), name, "pod_down_units", cage)
        up = b.continuous(name, "pod_up_units", cage)
        b.add(up >= (1 / cage) * spine_core - (sc_max / cage) * (1 - on), name, "pod_up", cage)
        down_units += down
        up_units += up
    per_core = Expr()
    per_core_top = 0
    pod_links = Expr([(p, o.links_per_core) for o, _, p in block.pods])
    for cage, on in core_cages.items():
        top = ceil_div(core_top, cage)
        m = b.integer(name, "cages_per_core", cage, upper=top)
        b.add(m <= top * on, name, "core_cages_off", cage)
        b.add(cage * m >= pod_links - core_top * (1 - on), name, "core_cages_ceil", cage)
        per_core += m
        per_core_top = max(per_core_top, top)
    core_units = b.product(b.digits_of(per_core, per_core_top, name, "per_core"),
                           cores, cores_max, name, "core_units")

    spine_cost, core_cost = Expr(), Expr()
    block.switch_power = _leaf_sum(block, lambda o: o.leaves * o.mode.switch.power_w)
    for switch, count in spines_by_model.values():
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
    block.switch_cost = (_leaf_sum(block, lambda o: o.leaves * o.mode.switch.price_usd)
                         + spine_cost + core_cost)
    leaf_links = _leaf_sum(block, lambda o: o.uplink_total)
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
    b.add(spine_core >= leaf_links, name, "sc_links_floor")

    leaf_links_max = max(o.uplink_total for o, _ in block.leaves)
    define_media(b, block, catalog, fabric, "leaf-spine",
                 lower_cages=_cage_sums((o.mode.cage_ports, v) for o, v in block.leaves),
                 upper_cages=pod_cages,
                 units1=_leaf_sum(block, lambda o: o.uplink_units),
                 units1_max=max(o.uplink_units for o, _ in block.leaves),
                 units2=down_units, units2_max=leaf_links_max,
                 links=_leaf_sum(block, lambda o: o.uplink_total), links_max=leaf_links_max)
    define_media(b, block, catalog, fabric, "spine-core",
                 lower_cages=pod_cages, upper_cages=core_cages,
                 units1=up_units, units1_max=sc_max, units2=core_units, units2_max=sc_max,
                 links=spine_core, links_max=sc_max)
    return True


def define_upper_tier_floor(b: _Builder, cost: Expr, leaf_uplinks: Expr, usd_per_link: float,
                            *name: object) -> None:
    """Valid inequality: a tier above the leaves costs at least its cheapest price per link.

    Spines (2 tiers) end ``L u`` links on ports of radix ``k``: ``S >= L u / k``; pod spines give
    each leaf link a port down and one up: ``PS >= 2 L u / k``; cores end ``SC >= L u`` links:
    ``C >= L u / k``. So ``cost >= min(price * ports per link / k) * L u``.
    """
    b.add(cost >= usd_per_link * leaf_uplinks, *name, "floor")


def define_switch_floor_per_leaf(b: _Builder, block: Block, cost: Expr, choices: set[tuple],
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
        protocol = _mode_of(o).switch.protocol
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


def _fewest_spines(o: LeafOption, radix: int) -> int | None:
    """Fewest 2-tier spines of ``radix`` ports for leaf option ``o``: ``u / l`` for the largest
    ``l`` dividing ``u`` with ``L l <= radix``; None when no spine of that radix fits."""
    most = min(radix // o.leaves, o.uplinks)
    per_leaf = next((n for n in range(most, 0, -1) if o.uplinks % n == 0), None)
    return None if per_leaf is None else o.uplinks // per_leaf


def _by_model(items) -> dict[str, tuple[Switch, Expr]]:
    """Group mode choices by switch model: ``{model: (switch, sum of its choices)}``."""
    grouped: dict[str, list] = defaultdict(list)
    for mode, var in items:
        grouped[mode.model].append((mode, var))
    return {model: (pairs[0][0].switch, pulp.lpSum(v for _, v in pairs))
            for model, pairs in sorted(grouped.items())}


def define_media(b: _Builder, block: Block, catalog: Catalog, fabric: Fabric, cls: str, *,
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
    name = _name(block.name, cls)
    cages = set(lower_cages) | set(upper_cages)
    power_matters = fabric.max_power_kw is not None
    # Dominance only compares media with the same cages, so filtering the Pareto set of every
    # cage by this class's cages is the Pareto set of this class's media.
    attribute = cls.replace("-", "_") + "_m"
    shortest_m = min(getattr(o, attribute) for o, _ in block.leaves)
    options = [m for m in b.media(catalog, fabric.port_speed_gbps, cages, pareto=True,
                                  power_matters=power_matters)
               if m.cage1 in lower_cages and m.cage2 in upper_cages and m.reach_m >= shortest_m]
    cost = b.continuous(name, "cost")
    power = b.continuous(name, "power") if power_matters else None
    chosen = [(m, b.binary(name, "medium", i)) for i, m in enumerate(options)]
    block.media[cls] = ClassMedia(chosen, cost, power)
    b.add(pulp.lpSum(w for _, w in chosen) == block.on, name, "one_medium")
    for cage, on in lower_cages.items():
        b.add(pulp.lpSum(w for m, w in chosen if m.cage1 == cage) <= on, name, "lower_cage", cage)
    for cage, on in upper_cages.items():
        b.add(pulp.lpSum(w for m, w in chosen if m.cage2 == cage) <= on, name, "upper_cage", cage)
    for i, t in enumerate(sorted({m.reach_m for m in options})):
        beyond = [v for o, v in block.leaves if getattr(o, attribute) > t]
        if beyond:
            b.add(pulp.lpSum(w for m, w in chosen if m.reach_m <= t) + pulp.lpSum(beyond)
                  <= block.on, name, "reach", i)
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
    define_media_floor_per_leaf(b, block, cost, options, attribute, leaf_end=cls == "leaf-spine",
                                name=name)


def define_media_floor(b: _Builder, cost: pulp.LpVariable, links: Expr, options: list[Medium],
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


def define_media_floor_per_leaf(b: _Builder, block: Block, cost: pulp.LpVariable,
                                options: list[Medium], attribute: str, *, leaf_end: bool,
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
        alike.setdefault(_media_view(o, attribute), len(alike))
    least = _least_media_usd(list(alike), options, leaf_end)
    least_of = least.min(axis=1, initial=np.inf)
    by_leaf, by_medium = [], []
    for o, y in block.leaves:
        usd = least_of[alike[_media_view(o, attribute)]]
        if 0 < usd < np.inf:
            by_leaf.append((y, float(usd)))
    for (_, w), usd in zip(block.media[_class_of(attribute)].options,
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


def _media_view(o: LeafOption, attribute: str) -> tuple:
    """What the media floors read of a leaf option: run, protocol, cage, cages and links."""
    return (getattr(o, attribute), o.mode.switch.protocol, o.mode.cage_ports, o.uplink_units,
            o.uplink_total)


def _class_of(attribute: str) -> str:
    """``leaf_spine_m`` -> ``leaf-spine``."""
    return attribute.removesuffix("_m").replace("_", "-")


__all__ = ["LINK_CLASSES", "Block", "FabricModel", "build_model"]
