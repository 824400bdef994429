"""``build_model``: the recipe, one ``define_*`` per constraint family, in a fixed order."""

from __future__ import annotations

import pulp

from designer.inputs.catalog import Catalog
from designer.inputs.schema import Fabric, Site
from designer.inputs.servers import nics_in_server_price, node_cage
from designer.model.candidates import (
    allowed_layouts,
    allowed_tiers,
    shape,
    undominated_modes,
    usable_modes,
)
from designer.model.formulation.blocks import Block, FabricModel
from designer.model.formulation.builder import Builder, TierInputs
from designer.model.formulation.choices import (
    define_budget,
    define_latency_limit,
    define_nic_cages,
    define_nic_choice,
    define_one_block,
    define_power_limit,
    define_protocol_choice,
    define_protocol_consistency,
)
from designer.model.formulation.leaves import define_single_switch
from designer.model.formulation.pods import define_pods
from designer.model.formulation.spines import define_leaf_spine
from designer.model.nodelinks import CagePricer
from designer.site.hall import SharedFloor


def build_model(fabric: Fabric, site: Site, catalog: Catalog,
                hall: SharedFloor | None = None) -> FabricModel:
    """Build the MILP for ``fabric``. Pure: no solving, no I/O.

    ``hall``: where the servers already stand when another fabric of the same server set placed
    them (``designer.site.hall``); None when this fabric lays out its own hall.

    The objective is the NIC cost plus, per block, ``planes * subfabrics`` copies of its
    switches, node-leaf cabling and upper media (each priced by its ``define_*``).
    """
    b = Builder(fabric.name)
    protocols = define_protocol_choice(b, fabric)
    nics, nic_cost, nic_power_w = define_nic_choice(b, fabric, catalog, protocols)
    power_matters = fabric.max_power_kw is not None
    modes = undominated_modes(usable_modes(fabric, catalog), fabric.max_latency_us is not None,
                              power_matters)
    # The node-leaf links are cabled to the NIC's cages: one set of blocks per kind of cage,
    # each with the switches of the protocols its NICs speak.
    cage_of = {nic.model: node_cage(fabric, catalog, nic) for nic, _ in nics}
    node_cages = list(dict.fromkeys(cage_of.values())) or [(1, None)]
    blocks: list[Block] = []
    for variant, cage in enumerate(node_cages):
        spoken = {nic.protocol for nic, _ in nics if cage_of[nic.model] == cage}
        usable = tuple(m for m in modes if None in spoken or m.switch.protocol in spoken
                       or not nics)
        inputs = TierInputs(fabric, site, catalog, usable,
                            CagePricer(catalog, fabric.port_speed_gbps, cage), hall)
        for layout in allowed_layouts(fabric):
            sh = shape(layout, fabric.endpoints_per_node)
            for tiers in allowed_tiers(fabric):
                tag = [f"nic{variant}"] if variant else []
                block = Block(sh, tiers, b.binary("use", layout, f"t{tiers}", *tag),
                              node_cage=cage, variant=variant)
                if TIER_FAMILIES[tiers](b, block, inputs):
                    blocks.append(block)
                else:
                    b.add(block.on == 0, "unused", block.name)
    define_one_block(b, blocks)
    if len(node_cages) > 1:
        define_nic_cages(b, nics, blocks, cage_of)
    for block in blocks:
        define_protocol_consistency(b, block, protocols)
        if fabric.max_latency_us is not None:
            define_latency_limit(b, block, 1000 * fabric.max_latency_us)
    objective = nic_cost + pulp.lpSum(
        fabric.planes * block.shape.subfabrics * (
            block.switch_cost + block.node_link_cost
            + pulp.lpSum(m.cost for m in block.media.values()))
        for block in blocks)
    b.problem += objective
    power_w, power_limit = (define_power_limit(b, fabric, nic_power_w, blocks) if power_matters
                            else (None, None))
    budget_limit = (define_budget(b, objective, fabric.budget_usd)
                    if fabric.budget_usd is not None else None)
    return FabricModel(fabric, b.problem, protocols, nics, blocks, nic_cost, objective,
                       power_w=power_w, power_limit=power_limit, budget_limit=budget_limit,
                       nics_in_server_price=nics_in_server_price(fabric, catalog))


TIER_FAMILIES = {1: define_single_switch, 2: define_leaf_spine, 3: define_pods}
