"""Tests of the test oracle itself (tests/reference.py) on cases worked out by hand.

Every expected cost below is computed in the comments from /work/notes/design_space.md, not from
the oracle. Unless a test says otherwise: switches cost $1000, NICs $100, a straight DAC $10 a
link, and the site pins every link class at 2 m (DAC reach 3 m) so that lengths never decide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from instances import small_instances
from reference import ReferenceDesign, cheapest_design

from designer.inputs.catalog import Catalog
from designer.inputs.schema import (
    Breakout,
    Cable,
    CatalogFile,
    Fabric,
    Nic,
    Site,
    Switch,
    Transceiver,
)

SHORT_SITE = Site(node_leaf_m=2.0, leaf_spine_m=2.0, spine_core_m=2.0)

DAC = Cable(model="DAC", kind="dac", port_speed_gbps=100.0, reach_m=3.0, price_usd=10.0)
DAC_BREAKOUT = Cable(model="DAC-BO", kind="dac", links=2, port_speed_gbps=100.0, reach_m=3.0,
                     price_usd=30.0)
SR1 = Transceiver(model="SR1", ports=1, fiber="mmf", port_speed_gbps=100.0, reach_m=30.0,
                  price_usd=50.0)
SR2 = Transceiver(model="SR2", ports=2, fiber="mmf", port_speed_gbps=100.0, reach_m=30.0,
                  price_usd=80.0)
MMF = Cable(model="MMF", kind="fiber", fiber="mmf", port_speed_gbps=400.0, reach_m=100.0,
            price_usd=5.0)
NIC_1P = Nic(model="NIC-1P", ports=1, port_speed_gbps=100.0, price_usd=100.0)
NIC_2P = Nic(model="NIC-2P", ports=2, port_speed_gbps=100.0, price_usd=100.0)


def switch(model: str, ports: int, *, cage: int = 1, protocol: str = "ethernet",
           price_usd: float = 1000.0) -> Switch:
    return Switch(model=model, ports=ports, port_speed_gbps=100.0, price_usd=price_usd,
                  ports_per_cage=cage, protocol=protocol)


def catalog(switches: Sequence[Switch], nics: Sequence[Nic],
            transceivers: Sequence[Transceiver] = (), cables: Sequence[Cable] = (DAC,)) -> Catalog:
    return Catalog.merge([("test", CatalogFile(
        switches=tuple(switches), nics=tuple(nics), transceivers=tuple(transceivers),
        cables=tuple(cables)))])


def fabric(nodes: int, endpoints: int, **extra) -> Fabric:
    return Fabric(name="t", nodes=nodes, endpoints_per_node=endpoints, port_speed_gbps=100.0,
                  **extra)


def solve(fab: Fabric, cat: Catalog, site: Site = SHORT_SITE) -> ReferenceDesign:
    design = cheapest_design(fab, site, cat)
    assert design is not None
    return design


# --------------------------------------------------------------------------------------------
# (a) one tier


def test_one_switch_with_dac_is_one_tier():
    # 4 nodes x 2 endpoints = 8 links on one 8-port switch. Default site: a 4-node ToR group sits
    # in one rack (2.0 m, DAC reaches 3 m). Rail layouts need 4.6 m (no medium) and 2 tiers need
    # 15.4 m leaf-spine runs (no medium), so only T=1 tor is feasible.
    # NICs: 4 nodes x ceil(2/2) x $100 = $400; switch $1000; 8 DAC x $10 = $80. Total $1480.
    design = solve(fabric(4, 2), catalog([switch("S8", 8)], [NIC_2P]), site=Site())
    assert design.tiers == 1
    assert design.layout == "tor"
    assert design.leaves == 1
    assert design.media == ("DAC",)
    assert design.cost_usd == 1480.0


def test_protocol_follows_the_nic():
    # As above with an 8-port InfiniBand switch at $800 next to the $1000 Ethernet one.
    # A protocol-agnostic NIC may use the cheaper IB switch: 400 + 800 + 80 = $1280.
    # An Ethernet-only NIC forces the Ethernet switch: 400 + 1000 + 80 = $1480.
    switches = [switch("ETH8", 8), switch("IB8", 8, protocol="infiniband", price_usd=800.0)]
    any_nic = solve(fabric(4, 2), catalog(switches, [NIC_2P]), site=Site())
    assert (any_nic.protocol, any_nic.cost_usd) == ("infiniband", 1280.0)
    eth_nic = Nic(model="NIC-ETH", ports=2, port_speed_gbps=100.0, price_usd=100.0,
                  protocol="ethernet")
    eth = solve(fabric(4, 2), catalog(switches, [eth_nic]), site=Site())
    assert (eth.protocol, eth.cost_usd) == ("ethernet", 1480.0)


# --------------------------------------------------------------------------------------------
# (b), (c) textbook fat trees of k = 4 port switches


def test_two_tier_non_blocking_k4_reaches_k2_over_2_endpoints():
    # k = 4, o = 1, 8 nodes x 1 endpoint = k^2/2. T=1: 8 > 4. Leaf (u, q) with q <= u,
    # q + u <= 4: (1,1), (2,1), (3,1) give 8 leaves (a spine would need 8 ports); (2,2) gives
    # 4 leaves, and l = 1 gives 2 spines with 4 downlinks each (l = 2 would need 8).
    # So k = 4 leaves and k/2 = 2 spines. Any 3-tier design has >= 10 switches.
    # NICs 8 x $100 = $800; switches 6 x $1000 = $6000; DACs (8 node-leaf + L*u = 8 leaf-spine)
    # x $10 = $160. Total $6960.
    design = solve(fabric(8, 1, max_oversubscription=1.0), catalog([switch("S4", 4)], [NIC_1P]))
    assert design.tiers == 2
    assert (design.leaves, design.spines) == (4, 2)
    assert (design.u, design.q, design.l_pair) == (2, 2, 1)
    assert design.cost_usd == 6960.0


def test_three_tier_k4_fat_tree_has_16_endpoints_and_20_switches():
    # k = 4, o = 1, 16 endpoints = k^3/4. Two tiers top out at 8 (above). Three tiers: leaves
    # need q <= u, q + u <= 4; 2*Lp <= 4 so Lp <= 2; a core has Pi*l2 <= 4 links.
    #   (u,q) = (2,2): L = 8. Lp = 2: Pi = 4, l2 = 1 -> Cg = 2, C = u*Cg = 4, Pi*l2 = 4 ok;
    #     l2 = 2 -> Pi*l2 = 8 too many. Lp = 1: Pi = 8, too many.
    #   q = 1: L = 16, Pi >= 8, too many.
    # Unique design: 8 leaves + PS = Pi*u = 8 pod spines + 4 cores = 20 = 5k^2/4 switches.
    # Links: 16 node-leaf + L*u = 16 leaf-spine + Pi*u*Lp = 16 spine-core = 48 DACs = $480.
    # NICs 16 x $100 = $1600; switches $20000. Total $22080.
    design = solve(fabric(16, 1, max_oversubscription=1.0), catalog([switch("S4", 4)], [NIC_1P]))
    assert design.tiers == 3
    assert (design.leaves, design.spines, design.cores) == (8, 8, 4)
    assert (design.u, design.q, design.lp, design.l2) == (2, 2, 2, 1)
    assert design.cost_usd == 22080.0


# --------------------------------------------------------------------------------------------
# (d) infeasible


def test_three_tier_case_is_infeasible_within_three_hops():
    # The 16-endpoint k = 4 case needs 3 tiers = 5 hops; with 3 hops there is no design.
    fab = fabric(16, 1, max_oversubscription=1.0, max_switch_hops=3)
    assert cheapest_design(fab, SHORT_SITE, catalog([switch("S4", 4)], [NIC_1P])) is None


def test_no_nic_at_the_fabric_speed_is_infeasible():
    nic_200g = Nic(model="NIC-200", ports=1, port_speed_gbps=200.0, price_usd=100.0)
    assert cheapest_design(fabric(2, 1), SHORT_SITE, catalog([switch("S8", 8)], [nic_200g])) is None


def test_twin_port_cages_without_a_two_port_medium_are_infeasible():
    # Node-leaf joins cage factors (1, 2): no straight DAC (needs 1:1), no 2-port optic.
    cat = catalog([switch("TW8", 8, cage=2)], [NIC_1P], [SR1], [DAC, MMF])
    assert cheapest_design(fabric(3, 1, layout="tor"), SHORT_SITE, cat) is None


# --------------------------------------------------------------------------------------------
# (e) cage units count ceil(links / cage factor) per device


def test_twin_port_leaf_with_odd_links_counts_ceil_with_optics():
    # T=1: 3 nodes x 1 endpoint on an 8-port switch with 2 ports per cage. Links n_sub = 3:
    # NIC end 3 x SR1 ($50) = $150; switch end ceil(3/2) = 2 x SR2 ($80) = $160; 3 fibers x $5
    # = $15. Media $325; NICs 3 x $100 = $300; switch $1000. Total $1625.
    cat = catalog([switch("TW8", 8, cage=2)], [NIC_1P], [SR1, SR2], [DAC, MMF])
    design = solve(fabric(3, 1, layout="tor", max_switch_hops=1), cat)
    assert design.media == ("SR1+MMF+SR2",)
    assert design.cost_usd == 1625.0


def test_twin_port_leaf_with_odd_links_counts_ceil_with_breakout_cables():
    # As above plus a 2-way breakout DAC at $30: priced per unit at the 2-port end,
    # ceil(3/2) = 2 cables = $60 < $325. Total 300 + 1000 + 60 = $1360.
    cat = catalog([switch("TW8", 8, cage=2)], [NIC_1P], [SR1, SR2], [DAC, DAC_BREAKOUT, MMF])
    design = solve(fabric(3, 1, layout="tor", max_switch_hops=1), cat)
    assert design.media == ("DAC-BO",)
    assert design.cost_usd == 1360.0


def test_twin_port_two_tier_counts_ceil_per_device():
    # 5 nodes x 1 endpoint, 4-port switches with 2 ports per cage, 3 hops. T=1: 5 > 4.
    # Leaf: u and d = q even, d + u <= 4, d <= u: u = 2, q = 2 -> G = 3 groups (2, 2, 1 nodes),
    # L = 3. Spine: l = 1 -> S = 2 spines with L*l = 3 <= 4 links (l = 2 would need 6).
    # Node-leaf (1, 2): 5 links; NIC end 5 x SR1 = $250; leaf end, one term per leaf,
    # ceil(2/2) + ceil(2/2) + ceil(1/2) = 3 x SR2 = $240; 5 fibers = $25.
    # Leaf-spine (2, 2): 6 links; leaf end L*ceil(u/2) = 3 x SR2 = $240; spine end
    # S*ceil(L*l/2) = 2*ceil(3/2) = 4 x SR2 = $320; 6 fibers = $30.
    # Media 515 + 590 = $1105; switches 5 x $1000; NICs 5 x $100. Total $6605.
    cat = catalog([switch("TW4", 4, cage=2)], [NIC_1P], [SR1, SR2], [MMF])
    design = solve(fabric(5, 1, layout="tor", max_switch_hops=3, max_oversubscription=1.0), cat)
    assert design.tiers == 2
    assert (design.leaves, design.spines, design.u, design.q, design.l_pair) == (3, 2, 2, 2, 1)
    assert design.media_cost_usd == 1105.0
    assert design.cost_usd == 6605.0


# --------------------------------------------------------------------------------------------
# Other rules of the design space


def test_fractional_oversubscription_allows_equality():
    # 6 nodes x 1 endpoint on 5-port switches, 3 hops (T=1: 6 > 5).
    # o = 1.5: leaf u = 2, q = 3 (3 <= 1.5*2, 3 + 2 <= 5) -> L = 2; l = 2 -> S = 1 spine with
    # L*l = 4 <= 5 ports. 3 switches, 6 + L*u = 4 DACs: 600 + 3000 + 100 = $3700.
    # o = 1: q <= u and q + u <= 5 so q <= 2, L = 3; one spine would need 3*u >= 6 ports
    # (l = u), so (u, q) = (2, 2), l = 1, S = 2: 5 switches, 6 + 6 DACs: 600 + 5000 + 120 = $5720.
    cat = catalog([switch("S5", 5)], [NIC_1P])
    loose = solve(fabric(6, 1, layout="tor", max_switch_hops=3, max_oversubscription=1.5), cat)
    assert (loose.leaves, loose.spines, loose.q, loose.l_pair) == (2, 1, 3, 2)
    assert loose.cost_usd == 3700.0
    tight = solve(fabric(6, 1, layout="tor", max_switch_hops=3, max_oversubscription=1.0), cat)
    assert (tight.leaves, tight.spines) == (3, 2)
    assert tight.cost_usd == 5720.0


def test_planes_and_rail_only_sub_fabrics_multiply_the_copy():
    # Rail-only, 4 nodes x 2 endpoints, 2 planes: R = E = 2 sub-fabrics, each a single 8-port
    # switch with 4 links. NICs: ceil(E*P/2) = 2 per node -> 4 x 2 x $100 = $800.
    # Copy: $1000 + 4 DACs $40 = $1040, times P*R = 4 -> $4160. Total $4960.
    fab = fabric(4, 2, planes=2, layout="rail-only", node_forwarding=True)
    design = solve(fab, catalog([switch("S8", 8)], [NIC_2P]))
    assert (design.tiers, design.sub_fabrics, design.nics_per_node) == (1, 2, 2)
    assert design.cost_usd == 4960.0


def test_breakout_mode_gives_a_radix_at_the_fabric_speed():
    # A 4 x 200G switch broken out to 8 x 100G (2 per cage) serves 6 endpoints on one switch;
    # its native 200G mode is unusable at 100G. Media: breakout DAC, ceil(6/2) = 3 x $30 = $90.
    # NICs 6 x $100 = $600; switch $1000. Total $1690.
    bo = Switch(model="BO4", ports=4, port_speed_gbps=200.0, price_usd=1000.0,
                breakout=(Breakout(port_speed_gbps=100.0, ports=8),))
    design = solve(fabric(6, 1, layout="tor", max_switch_hops=1),
                   catalog([bo], [NIC_1P], cables=[DAC_BREAKOUT]))
    assert design.leaf_mode == "BO4@100x8"
    assert design.cost_usd == 1690.0


def test_leaf_group_may_exceed_the_node_count():
    # Literal reading of the spec: q is bounded only by the radix, so q > N is allowed (one
    # partly filled group). Rail-optimized, 3 nodes x 4 endpoints, o = 2, 3 hops, 8-port twin
    # cage switches. T=1: 12 > 8. Leaf needs u, q even: q = 2 -> G = 2, L = 8 leaves, spines
    # need 8*l ports so l = 1, S = u >= 2: 10 switches. q = 4 (> N = 3), u = 2: G = 1, L = 4
    # leaves of 3 links each; l = 2 -> S = 1 spine with L*l = 8 ports: 5 switches.
    # Node-leaf: 12 links; NIC end 12 x SR1 = $600; leaf end 4 x ceil(3/2) = 8 x SR2 = $640;
    # 12 fibers $60 -> $1300. Leaf-spine: 8 links; leaf end 4 x ceil(2/2) = 4 x SR2 = $320;
    # spine end 1 x ceil(8/2) = 4 x SR2 = $320; 8 fibers $40 -> $680.
    # NICs 3 nodes x ceil(4/1) x $100 = $1200; switches $5000. Total $8180.
    cat = catalog([switch("TW8", 8, cage=2)], [NIC_1P], [SR1, SR2], [MMF])
    fab = fabric(3, 4, layout="rail-optimized", max_switch_hops=3, max_oversubscription=2.0)
    design = solve(fab, cat)
    assert (design.leaves, design.spines, design.u, design.q, design.l_pair) == (4, 1, 2, 4, 2)
    assert design.cost_usd == 8180.0


def test_scalable_unit_pins_the_rail_group_size():
    # Rail-optimized, 8 nodes x 2 endpoints on 8-port switches, o = 1, 3 hops, SU = 2 nodes.
    # q = 2: d = 2, u >= 2; G = 4, L = 8 leaves; a spine takes 8*l ports so l = 1 and S = u = 2.
    # 10 switches; links 16 node-leaf + L*u = 16 leaf-spine = 32 DACs = $320.
    # NICs 8 x ceil(2/1) x $100 = $1600. Total 1600 + 10000 + 320 = $11920.
    # Without the SU: q = 4, u = 4 -> G = 2, L = 4; l = 2 -> S = 2 with L*l = 8 ports.
    # (q = 3 gives L = 6, so l = 1 and S = u >= 3.) 6 switches, 16 + 16 DACs:
    # 1600 + 6000 + 320 = $7920.
    fab = fabric(8, 2, layout="rail-optimized", max_switch_hops=3, max_oversubscription=1.0,
                 scalable_unit_nodes=2)
    design = solve(fab, catalog([switch("S8", 8)], [NIC_1P]))
    assert (design.q, design.leaves, design.spines) == (2, 8, 2)
    assert design.cost_usd == 11920.0
    free = solve(fab.model_copy(update={"scalable_unit_nodes": None}),
                 catalog([switch("S8", 8)], [NIC_1P]))
    assert (free.q, free.leaves, free.spines) == (4, 4, 2)
    assert free.cost_usd == 7920.0


# --------------------------------------------------------------------------------------------
# The generated instances


def test_instances_are_deterministic():
    first, second = small_instances(), small_instances()
    assert [i.name for i in first] == [i.name for i in second]
    assert [(i.fabric, i.site) for i in first] == [(i.fabric, i.site) for i in second]
    assert [dict(i.catalog.switches) for i in first] == [dict(i.catalog.switches) for i in second]


def test_default_instances_mix_tiers_and_infeasible_cases():
    mix = Counter()
    for instance in small_instances():
        design = cheapest_design(instance.fabric, instance.site, instance.catalog)
        mix[design.tiers if design else None] += 1
    assert all(mix[tiers] >= 5 for tiers in (1, 2, 3)), mix
    assert 2 <= mix[None] <= 5, mix


def test_fewer_instances_are_a_prefix_of_more():
    """Asking for fewer instances gives the first ones of a longer run, so a test over 16
    instances sees the same cases as one over 40."""
    few, many = small_instances(7, seed=3), small_instances(40, seed=3)
    assert [(i.name, i.fabric, i.site) for i in few] == [(i.name, i.fabric, i.site)
                                                         for i in many[:7]]
