"""The fabric-wide choices and limits: protocol, NIC, one block, protocol consistency, latency,
power and budget."""

from __future__ import annotations

import pulp

from designer.inputs.catalog import Catalog
from designer.inputs.schema import Fabric
from designer.inputs.servers import nics_in_server_price
from designer.model.candidates import (
    allowed_protocols,
    nics_per_node,
    undominated_nics,
    usable_nics,
)
from designer.model.formulation.blocks import Block
from designer.model.formulation.builder import Builder, Expr
from designer.model.formulation.media import pod_runs_m, pod_sizes
from designer.model.latency import PATH_ROLES, PROPAGATION_NS_PER_M
from designer.model.links import LINK_CLASSES


def define_protocol_choice(b: Builder, fabric: Fabric) -> dict[str, pulp.LpVariable]:
    """One protocol per fabric: ``sum_p rho_p = 1`` over the allowed protocols."""
    rho = {p: b.binary("protocol", p) for p in allowed_protocols(fabric)}
    b.add(pulp.lpSum(rho.values()) == 1, "one_protocol")
    return rho


def define_nic_choice(b: Builder, fabric: Fabric, catalog: Catalog,
                      rho: dict[str, pulp.LpVariable]) -> tuple[list, Expr, Expr]:
    """One NIC model: ``sum_n nu_n = 1``, ``nu_n <= rho_p(n)``, over the usable cards no
    other beats (``candidates.undominated_nics``).

    NIC cost = ``sum_n nu_n * N * ceil(E * P / ports_n) * price_n`` and NIC power likewise with
    ``power_n``; both are 0 when the server's price includes its NICs
    (``inputs.servers.nics_in_server_price``): the choice then only says which card the ports
    are. Returns the choices, the cost and the power (watts).
    """
    usable = undominated_nics(usable_nics(fabric, catalog), fabric, catalog,
                              fabric.max_power_kw is not None)
    nics = [(nic, b.binary("nic", i)) for i, nic in enumerate(usable)]
    b.add(pulp.lpSum(v for _, v in nics) == 1, "one_nic")
    for nic, var in nics:
        if nic.protocol is not None:
            b.add(var <= rho[nic.protocol], "nic_protocol", nic.model)
    billed = 0.0 if nics_in_server_price(fabric, catalog) else 1.0
    cost = pulp.lpSum(var * billed * fabric.nodes * nics_per_node(fabric, nic) * nic.price_usd
                      for nic, var in nics)
    power = pulp.lpSum(var * billed * fabric.nodes * nics_per_node(fabric, nic) * nic.power_w
                       for nic, var in nics)
    return nics, cost, power


def define_nic_cages(b: Builder, nics: list, blocks: list[Block], cage_of: dict) -> None:
    """The NIC's cages (``cage_of[model]``) are the ones its block's node-leaf links were
    cabled to: ``nu_n <= sum_{blocks with n's cage} on``."""
    for i, (nic, var) in enumerate(nics):
        b.add(var <= pulp.lpSum(block.on for block in blocks
                                if block.node_cage == cage_of[nic.model]), "nic_cage", i)


def define_power_limit(b: Builder, fabric: Fabric, nic_power_w: Expr,
                       blocks: list[Block]) -> tuple[Expr, pulp.LpConstraint]:
    """The network's power within ``max_power_kw``; returns the power (watts) and the row.

    Power is linear in the same counts as cost, part by part::

        sum_n nu_n N nics_n p_n + sum_blocks P R (switch_w + node_links_w + sum_cls pi_cls)
          <= 1000 * max_power_kw

    where each class's power ``pi_cls`` is bounded below exactly as its cost is (see
    ``define_media``), and the NIC term is 0 for NICs in the server's price. Lower bounds
    suffice: every power term only tightens this one row, so a solution may always take them
    at their true values.
    """
    power = nic_power_w + pulp.lpSum(fabric.planes * block.shape.subfabrics * block.power_w
                                     for block in blocks)
    limit = power <= 1000 * fabric.max_power_kw
    b.add(limit, "power_limit")
    return power, limit


def define_one_block(b: Builder, blocks: list[Block]) -> None:
    """Exactly one (layout, tiers) block: ``sum_blocks on = 1``.

    The hop limit lives here: a block with ``2 * tiers - 1 > max_switch_hops`` is never built.
    """
    b.add(pulp.lpSum(block.on for block in blocks) == 1, "one_design")


def define_protocol_consistency(b: Builder, block: Block, rho: dict[str, pulp.LpVariable]
                                ) -> None:
    """Every switch and medium of the fabric speaks the chosen protocol.

    For each group of mutually exclusive choices ``G`` and protocol ``p``:
    ``sum_{g in G, protocol(g) = p} choice_g <= rho_p``.
    """
    groups = {
        "leaf": [(o.mode, v) for o, v in block.leaves],
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


def define_latency_limit(b: Builder, block: Block, limit_ns: float) -> None:
    """Zero-load worst-case latency within the demand's limit (``designer.model.latency``).

    Along the worst path (``latency.PATH_ROLES``) the leaf is crossed twice, the (pod) spine
    twice and the core once, as tiers allow (a single switch once), and every class's worst run
    twice at ``v = 5 ns/m``::

        sum_y (n_leaf lat_y + 2 v sum_cls len_cls_y) y
          + sum_z n_spine lat_z z + sum_x lat_x x <= limit

    Every choice group sums to ``on``, so a block that is off meets it trivially.
    """
    v = PROPAGATION_NS_PER_M
    path = PATH_ROLES[block.tiers]
    classes = LINK_CLASSES[block.tiers]
    terms = [(path.count("leaf") * o.mode.switch.latency_ns
              + 2 * v * sum(o.run_m(cls) for cls in classes)) * y for o, y in block.leaves]
    terms += [o.mode.switch.latency_ns * z for o, z, _ in block.spines]
    terms += [path.count("spine") * o.mode.switch.latency_ns * z for o, z, _ in block.pods]
    terms += [m.switch.latency_ns * x for m, x in block.cores]
    b.add(pulp.lpSum(terms) <= limit_ns, block.name, "latency")
    if block.pods and block.leaves[0][0].network is not None:
        define_pod_latency(b, block, terms, limit_ns)


def define_pod_latency(b: Builder, block: Block, terms: list, limit_ns: float) -> None:
    """Three tiers: the runs above the leaf are longest with the chosen pod size ``k``
    (``formulation.media.pod_sizes``); the row above counts each at its least over every size
    (``len_y``), so for every size

        (row above) + sum_y 2 v sum_cls (len_cls_y,k - len_cls_y) y <= limit + M_k (on - Z_k)

    with ``M_k`` the most the extra term can be: with ``Z_k = 0`` the row is the row above
    and the extra, both within their bounds."""
    v = PROPAGATION_NS_PER_M
    upper = LINK_CLASSES[3][1:]
    for k, (size, options) in enumerate(pod_sizes(block).items()):
        longest = [pod_runs_m(block, cls, size) for cls in upper]
        extra = [(y, 2 * v * sum(runs[i] - o.run_m(cls)
                                 for cls, runs in zip(upper, longest, strict=True)))
                 for i, (o, y) in enumerate(block.leaves)]
        most = max((e for _, e in extra), default=0.0)
        if most <= 0:
            continue
        b.add(pulp.lpSum(terms) + pulp.lpSum(e * y for y, e in extra if e > 0)
              <= limit_ns + most * (block.on - pulp.lpSum(options)), block.name,
              "pod_latency", k)


def define_budget(b: Builder, cost: Expr, budget_usd: float) -> pulp.LpConstraint:
    """The network's cost within ``budget_usd``: ``cost <= budget``.

    A budget fabric is solved for the least oversubscription first, then the least cost at
    it (``designer.solvers``); this row holds in both.
    """
    limit = cost <= budget_usd
    b.add(limit, "budget")
    return limit
