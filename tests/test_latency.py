"""Zero-load worst-case latency: the estimate, the report line and the demand's limit.

Hand-worked: 64 endpoints on 32-port switches need two tiers (3 switch crossings); SLOW costs
$1,000 at 900 ns, FAST $3,000 at 100 ns. Every run is pinned at 2 m, so cable adds
``5 ns/m x 2 x (2 + 2) = 40 ns``. SLOW: 2,740 ns; FAST: 340 ns.
"""

from __future__ import annotations

import pytest

import designer
from designer.errors import InfeasibleError
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import Cable, CatalogFile, Nic, Switch
from designer.model.latency import estimate
from designer.outputs.report import latency_text

PROVENANCE = {"vendor": "Acme", "source": "test price", "as_of": "2026-01"}


def _catalog() -> Catalog:
    switches = tuple(Switch(model=model, ports=32, port_speed_gbps=100.0, price_usd=price,
                            latency_ns=latency, protocol="ethernet", **PROVENANCE)
                     for model, price, latency in (("SLOW", 1000.0, 900.0),
                                                   ("FAST", 3000.0, 100.0)))
    nic = Nic(model="NIC", ports=1, port_speed_gbps=100.0, price_usd=100.0, **PROVENANCE)
    dac = Cable(model="DAC", kind="dac", port_speed_gbps=100.0, reach_m=3.0, price_usd=10.0,
                **PROVENANCE)
    return Catalog.merge([("test", CatalogFile(switches=switches, nics=(nic,), cables=(dac,)))])


def _design(**limits):
    demand = Demand.from_dict({
        "name": "latency", "site": {"node_leaf_m": 2.0, "leaf_spine_m": 2.0},
        "fabrics": [{"name": "f", "nodes": 64, "endpoints_per_node": 1, "port_speed_gbps": 100,
                     "max_switch_hops": 3, "layout": "tor", **limits}]}, path="mem.yaml")
    return designer.design(demand, _catalog())


def test_estimate_adds_switch_crossings_and_cable():
    fabric = _design().fabrics[0]
    assert fabric.structure.tiers == 2
    assert fabric.switches == {"leaf": {"SLOW": 4}, "spine": {"SLOW": 2}}
    latency = estimate(fabric.structure, fabric.lengths_m)
    assert latency.switch_ns == 3 * 900
    assert latency.propagation_ns == 5 * 2 * (2 + 2)
    assert latency.path == ("node", "leaf", "spine", "leaf", "node")
    assert fabric.to_dict()["latency"]["worst_ns"] == 2740.0
    assert "2.74 us through leaf, spine, leaf" in latency_text(fabric)


def test_a_latency_limit_buys_faster_switches():
    fabric = _design(max_latency_us=1.0).fabrics[0]
    assert fabric.switches == {"leaf": {"FAST": 4}, "spine": {"FAST": 2}}
    assert fabric.latency.total_ns == 340.0
    assert fabric.solve.optimal
    # Exactly at the slow design's latency the slow design is allowed again.
    assert _design(max_latency_us=2.74).fabrics[0].switches["leaf"] == {"SLOW": 4}


def test_a_limit_nothing_meets_explains_itself():
    with pytest.raises(InfeasibleError, match=r"max_latency_us: 0\.2 us is below the fastest"):
        _design(max_latency_us=0.2)
