"""Textbook fat trees: with k-port switches, non-blocking, the optimizer builds the known shapes.

2 tiers reach k^2/2 endpoints with k leaves and k/2 spines; 3 tiers reach k^3/4 endpoints with
5k^2/4 switches (k^2/2 leaves, k^2/2 pod spines, k^2/4 cores; Al-Fares et al., SIGCOMM 2008).
"""

from __future__ import annotations

import pytest

import designer
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile


def k_port_catalog(k: int) -> Catalog:
    return Catalog.merge([("textbook", CatalogFile.model_validate({
        "switches": [{"model": f"K{k}", "ports": k, "port_speed_gbps": 400, "price_usd": 10000}],
        "nics": [{"model": "NIC", "ports": 1, "port_speed_gbps": 400, "price_usd": 1000}],
        "transceivers": [{"model": "SR4", "port_speed_gbps": 400, "reach_m": 500,
                          "price_usd": 500, "fiber": "smf"}],
        "cables": [{"model": "FIBER", "kind": "fiber", "fiber": "smf", "port_speed_gbps": 400,
                    "reach_m": 500, "price_usd": 50}],
    }))])


def demand_for(endpoints: int, hops: int) -> Demand:
    return Demand.from_dict({"fabrics": [{
        "name": "fat-tree", "nodes": endpoints, "endpoints_per_node": 1, "port_speed_gbps": 400,
        "max_oversubscription": 1, "max_switch_hops": hops}]}, path="textbook.yaml")


@pytest.mark.parametrize("k", [4, 8, 16])
def test_two_tiers_reach_half_k_squared(k):
    result = designer.design(demand_for(k * k // 2, hops=3), k_port_catalog(k))
    fabric = result.fabrics[0]
    assert fabric.structure.tiers == 2
    assert fabric.switches == {"leaf": {f"K{k}": k}, "spine": {f"K{k}": k // 2}}
    assert fabric.links == {"node-leaf": k * k // 2, "leaf-spine": k * k // 2}


@pytest.mark.parametrize("k", [4, 8, 16])
def test_one_more_endpoint_than_two_tiers_allow_is_infeasible_at_three_hops(k):
    with pytest.raises(designer.InfeasibleError):
        designer.design(demand_for(k * k // 2 + 1, hops=3), k_port_catalog(k))


@pytest.mark.parametrize("k", [4, 8, 16])
def test_three_tiers_reach_k_cubed_over_four(k):
    result = designer.design(demand_for(k ** 3 // 4, hops=5), k_port_catalog(k))
    fabric = result.fabrics[0]
    assert fabric.structure.tiers == 3
    assert fabric.switches == {"leaf": {f"K{k}": k * k // 2}, "spine": {f"K{k}": k * k // 2},
                               "core": {f"K{k}": k * k // 4}}
    assert sum(sum(v.values()) for v in fabric.switches.values()) == 5 * k * k // 4
    assert fabric.links["spine-core"] == k ** 3 // 4


def test_one_switch_when_it_fits():
    result = designer.design(demand_for(8, hops=5), k_port_catalog(8))
    assert result.fabrics[0].structure.tiers == 1
    assert result.fabrics[0].switches == {"leaf": {"K8": 1}}
