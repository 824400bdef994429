"""Derived facts: the candidate building blocks the MILP chooses from.

Everything here is plain Python computed from the catalog and one fabric before any model is
built: usable switch modes, layout shapes, leaf port splits, spine and pod structures, and
priced media options. Candidate sets come from switch radixes, never from the GPU count, so the
model keeps its size as the cluster grows.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import cached_property

from designer.inputs.catalog import Catalog, SwitchMode, switch_modes
from designer.inputs.schema import Fabric, Nic, Site
from designer.model.links import TIER_HOPS, LinkClass, ceil_div
from designer.model.nodelinks import (
    CagePricer,
    NodeLinkPlan,
    plan_node_links,
    plan_shared_node_links,
)
from designer.site.grid import leaf_spine_m, network_racks_bound, node_leaf_m, spine_core_m
from designer.site.hall import SharedFloor


@dataclass(frozen=True)
class Shape:
    """How a layout maps node ports onto leaves.

    ``subfabrics`` independent copies (one per rail for rail-only); each leaf takes
    ``ports_per_node`` ports of every node in its group; ``leaves_per_group`` leaves share one
    node group.
    """

    layout: str
    subfabrics: int
    ports_per_node: int
    leaves_per_group: int

    @property
    def rail(self) -> bool:
        return self.layout != "tor"


def shape(layout: str, endpoints_per_node: int) -> Shape:
    if layout == "tor":
        return Shape(layout, 1, endpoints_per_node, 1)
    if layout == "rail-optimized":
        return Shape(layout, 1, 1, endpoints_per_node)
    if layout == "rail-only":
        return Shape(layout, endpoints_per_node, 1, 1)
    raise ValueError(layout)


def allowed_layouts(fabric: Fabric) -> list[str]:
    if fabric.layout != "any":
        return [fabric.layout]
    layouts = ["tor", "rail-optimized"]
    return [*layouts, "rail-only"] if fabric.node_forwarding else layouts


def allowed_tiers(fabric: Fabric) -> list[int]:
    return [t for t, hops in TIER_HOPS.items() if hops <= fabric.max_switch_hops]


def allowed_protocols(fabric: Fabric) -> list[str]:
    return ["infiniband", "ethernet"] if fabric.protocol == "any" else [fabric.protocol]


def usable_modes(fabric: Fabric, catalog: Catalog) -> list[SwitchMode]:
    """Switch modes at the fabric's port speed, from allowed models and protocols, sorted."""
    protocols = allowed_protocols(fabric)
    modes = []
    for model, switch in catalog.switches.items():
        if fabric.switch_models is not None and model not in fabric.switch_models:
            continue
        if switch.protocol not in protocols:
            continue
        modes += [m for m in switch_modes(switch) if m.port_speed_gbps == fabric.port_speed_gbps]
    return sorted(modes, key=lambda m: m.key)


def undominated_modes(modes: list[SwitchMode], latency_matters: bool = False,
                      power_matters: bool = False) -> list[SwitchMode]:
    """Drop a mode when another has the same radix, cages and protocol at no more cost (and,
    when the fabric limits latency or power, no more latency or power draw).

    Such modes are interchangeable in every design, so the dropped one can never be part of a
    strictly cheaper design. Ties keep the first by key, so the choice is deterministic.
    """
    def slot(mode: SwitchMode) -> tuple:
        return (mode.radix, mode.cage_ports, mode.switch.protocol)

    def merits(mode: SwitchMode) -> tuple[float, ...]:
        switch = mode.switch
        return ((switch.price_usd,) + ((switch.latency_ns,) if latency_matters else ())
                + ((switch.power_w,) if power_matters else ()))

    def beats(a: SwitchMode, b: SwitchMode) -> bool:
        ma, mb = merits(a), merits(b)
        no_worse = all(x <= y for x, y in zip(ma, mb, strict=True))
        return no_worse and (ma != mb or a.key < b.key)

    kept = [m for m in modes if not any(slot(o) == slot(m) and beats(o, m) for o in modes)]
    return sorted(kept, key=lambda m: m.key)


def usable_nics(fabric: Fabric, catalog: Catalog) -> list[Nic]:
    protocols = allowed_protocols(fabric)
    return [nic for model, nic in catalog.nics.items()
            if nic.port_speed_gbps == fabric.port_speed_gbps
            and (nic.protocol is None or nic.protocol in protocols)
            and (fabric.nic_models is None or model in fabric.nic_models)]


def nics_per_node(fabric: Fabric, nic: Nic) -> int:
    return ceil_div(fabric.endpoints_per_node * fabric.planes, nic.ports)


@dataclass(frozen=True)
class LeafOption:
    """A leaf port split: ``uplinks`` up, groups of ``group_nodes`` nodes down.

    Downlinks per leaf ``d = group_nodes * ports_per_node``, with ``d % c == 0`` (whole cages),
    ``d + uplinks <= radix`` and ``d <= o * uplinks``. Only the group sizes
    :func:`kept_groups` offers are built (the enumeration tests check that nothing is lost).
    """

    shape: Shape
    mode: SwitchMode
    uplinks: int
    group_nodes: int
    nodes: int
    node_leaf_m: float
    leaf_spine_m: float
    spine_core_m: float
    node_links: NodeLinkPlan = field(compare=False, repr=False, default=None)

    @property
    def down_ports(self) -> int:
        """Ports set aside for node links on each leaf (whole cages): ``q * e``."""
        return self.group_nodes * self.shape.ports_per_node

    @property
    def downlinks(self) -> int:
        """Node links on the fullest leaf: ``min(q, N) * e`` (a group may exceed the nodes)."""
        return min(self.group_nodes, self.nodes) * self.shape.ports_per_node

    @cached_property
    def groups(self) -> int:
        return ceil_div(self.nodes, self.group_nodes)

    @cached_property
    def leaves(self) -> int:
        return self.groups * self.shape.leaves_per_group

    @property
    def last_group_nodes(self) -> int:
        return self.nodes - (self.groups - 1) * self.group_nodes

    @cached_property
    def node_end_units(self) -> int:
        """Cages (transceivers or wide cable ends) used by node links on all leaves."""
        c, e = self.mode.cage_ports, self.shape.ports_per_node
        full = (self.groups - 1) * ceil_div(self.group_nodes * e, c)
        return self.shape.leaves_per_group * (full + ceil_div(self.last_group_nodes * e, c))

    @cached_property
    def uplink_total(self) -> int:
        return self.leaves * self.uplinks

    @cached_property
    def uplink_units(self) -> int:
        return self.leaves * ceil_div(self.uplinks, self.mode.cage_ports)

    @property
    def oversubscription(self) -> float:
        """Downlinks over uplinks, at least 1 (1 for a single switch, which has no uplinks)."""
        return max(1.0, self.downlinks / self.uplinks) if self.uplinks else 1.0

    def run_m(self, cls: LinkClass) -> float:
        """The worst run of link class ``cls`` with this option's leaf groups."""
        return getattr(self, cls.site_key)

    @property
    def key(self) -> str:
        return f"{self.shape.layout}:{self.mode.key}:u{self.uplinks}:q{self.group_nodes}"


def valid_groups(fabric: Fabric, sh: Shape, mode: SwitchMode, uplinks: int) -> list[int]:
    """Every node-group size a leaf with ``uplinks`` uplinks can take, ascending."""
    c, e = mode.cage_ports, sh.ports_per_node
    down_max = min(mode.radix - uplinks, math.floor(fabric.max_oversubscription * uplinks + 1e-9))
    if sh.layout == "rail-optimized" and fabric.scalable_unit_nodes is not None:
        q = fabric.scalable_unit_nodes
        return [q] if q * e <= down_max and (q * e) % c == 0 else []
    return [q for q in range(1, down_max // e + 1) if (q * e) % c == 0]


def group_lengths_m(fabric: Fabric, site: Site, sh: Shape, q: int, spine_racks: int,
                    hall: SharedFloor | None = None) -> tuple[float, ...]:
    """Worst node-leaf, leaf-spine and spine-core runs when leaf groups hold ``q`` nodes (on a
    shared floor the node-leaf figure is not used: its plan measures every group)."""
    group = min(q, fabric.nodes)
    if hall is not None:
        upper = hall.upper_run_m(spine_racks)
        return (0.0, upper, upper)
    return (node_leaf_m(site, sh.rail, group),
            leaf_spine_m(site, fabric.nodes, group, sh.rail, spine_racks),
            spine_core_m(site, fabric.nodes, group, sh.rail))


def tallest_switch_units(fabric: Fabric, catalog: Catalog) -> int:
    """Height of the tallest switch the fabric may use (allowed, at its speed and protocol)."""
    return max((m.switch.rack_units for m in usable_modes(fabric, catalog)), default=1)


def hungriest_switch_w(fabric: Fabric, catalog: Catalog) -> float:
    """Power of the most power-hungry switch the fabric may use."""
    return max((m.switch.power_w for m in usable_modes(fabric, catalog)), default=0.0)


def kept_groups(groups: list[int], lengths: dict[int, tuple[float, ...]],
                reaches_m: list[float], node_link_usd: dict[int, float], *,
                latency_matters: bool = False,
                node_link_w: dict[int, float] | None = None) -> list[int]:
    """The group sizes worth offering.

    Two group sizes whose runs above the leaf (leaf-spine, spine-core) fall under the same media
    reaches allow the same upper media; between them every cost above the leaf grows with the
    leaf count, which shrinks as the group grows. So a smaller group ``q`` is dropped when a
    larger kept one with the same pattern has node-leaf cabling (``node_link_usd``, cage by
    cage) no dearer and, when the fabric limits latency, no run longer, and when it limits
    power (``node_link_w`` given), no more power drawn by its cabling: switch, NIC and upper
    media power grow with the leaf count just as their cost does. (A budget fabric keeps every
    group: a smaller group has fewer downlinks, so less oversubscription.)
    """
    reaches = sorted(reaches_m)
    kept_by_pattern: dict[tuple[int, ...], list[int]] = {}
    for q in sorted(groups, reverse=True):
        # Which reaches cover each run above the leaf: the first reach at least as long.
        pattern = tuple(bisect.bisect_left(reaches, length) for length in lengths[q][1:])

        def dominates(big: int, q: int = q) -> bool:
            shorter = not latency_matters or all(
                a <= b for a, b in zip(lengths[big], lengths[q], strict=True))
            cooler = node_link_w is None or node_link_w[big] <= node_link_w[q] + 1e-9
            return shorter and cooler and node_link_usd[big] <= node_link_usd[q] + 1e-9

        alike = kept_by_pattern.setdefault(pattern, [])
        if not any(dominates(big) for big in alike):
            alike.append(q)
    kept = [q for alike in kept_by_pattern.values() for q in alike]
    return sorted(kept)


def leaf_options(fabric: Fabric, site: Site, sh: Shape, modes: list[SwitchMode],
                 reaches_m: list[float], pricer: CagePricer,
                 catalog: Catalog | None = None, hall: SharedFloor | None = None
                 ) -> list[LeafOption]:
    """Leaf options whose node-leaf cages can all be cabled; with ``catalog`` (two tiers) the
    leaf-spine run allows for the network racks the spines of ``u`` uplinks can fill at most:
    ``planes * subfabrics`` copies of at most ``u`` spines (``S = u / l <= u``), each as tall
    and as power-hungry as the worst switch the fabric may use
    (``site.grid.network_racks_bound``). A 3-tier fabric on a shared floor keeps one network
    row (``designer.site.hall``)."""
    options = []
    if catalog is not None:
        tallest_units = tallest_switch_units(fabric, catalog)
        hungriest_w = hungriest_switch_w(fabric, catalog)
    cache: dict[tuple[int, int], tuple[float, ...]] = {}
    plans: dict[tuple[int, int, str], NodeLinkPlan | None] = {}
    for mode in modes:
        for uplinks in range(mode.cage_ports, mode.radix, mode.cage_ports):
            groups = valid_groups(fabric, sh, mode, uplinks)
            racks = (network_racks_bound(site, fabric.planes * sh.subfabrics, uplinks,
                                         tallest_units, hungriest_w)
                     if catalog is not None else site.racks_per_row if hall else 1)
            lengths, usd, watts = {}, {}, {}
            for q in groups:
                if (q, racks) not in cache:
                    cache[(q, racks)] = group_lengths_m(fabric, site, sh, q, racks, hall)
                key = (q, mode.cage_ports, mode.switch.protocol)
                if key not in plans:
                    plans[key] = node_link_plan(pricer, fabric, site, sh, q, mode, hall)
                if plans[key] is not None:
                    lengths[q] = (plans[key].worst_run_m, *cache[(q, racks)][1:])
                    usd[q] = plans[key].cost_usd
                    watts[q] = plans[key].power_w
            offered = (sorted(lengths) if fabric.budget_usd is not None else kept_groups(
                list(lengths), lengths, reaches_m, usd,
                latency_matters=fabric.max_latency_us is not None,
                node_link_w=watts if fabric.max_power_kw is not None else None))
            for q in offered:
                plan = plans[(q, mode.cage_ports, mode.switch.protocol)]
                options.append(LeafOption(sh, mode, uplinks, q, fabric.nodes,
                                          plan.worst_run_m, *lengths[q][1:], node_links=plan))
    return options


def node_link_plan(pricer: CagePricer, fabric: Fabric, site: Site, sh: Shape, group_nodes: int,
                   mode: SwitchMode, hall: SharedFloor | None = None) -> NodeLinkPlan | None:
    """Node-leaf cabling of leaves of ``mode`` over groups of ``group_nodes`` nodes."""
    if hall is not None:
        return plan_shared_node_links(
            pricer, hall, group_nodes=group_nodes, ports_per_node=sh.ports_per_node,
            leaves_per_group=sh.leaves_per_group, cage_ports=mode.cage_ports,
            protocol=mode.switch.protocol)
    return plan_node_links(pricer, site, rail=sh.rail, group_nodes=group_nodes,
                           nodes=fabric.nodes, ports_per_node=sh.ports_per_node,
                           leaves_per_group=sh.leaves_per_group, cage_ports=mode.cage_ports,
                           protocol=mode.switch.protocol)


def single_switch_option(pricer: CagePricer, fabric: Fabric, site: Site, sh: Shape,
                         mode: SwitchMode, hall: SharedFloor | None = None
                         ) -> LeafOption | None:
    """A one-tier fabric's switch as a leaf option with no uplinks: one switch per sub-fabric
    takes every port of every node (``e`` ports per node, or one per rail switch when
    rail-only), so its group is every node and its shape has one leaf per group taking
    ``ports_per_node * leaves_per_group`` ports of each node. None when the switch has too few
    ports or its cages cannot all be cabled."""
    per_node = sh.ports_per_node * sh.leaves_per_group
    if mode.radix < fabric.nodes * per_node:
        return None
    if hall is not None:
        plan = plan_shared_node_links(
            pricer, hall, group_nodes=fabric.nodes, ports_per_node=per_node,
            leaves_per_group=1, cage_ports=mode.cage_ports, protocol=mode.switch.protocol)
    else:
        plan = plan_node_links(pricer, site, rail=sh.rail, group_nodes=fabric.nodes,
                               nodes=fabric.nodes, ports_per_node=per_node, leaves_per_group=1,
                               cage_ports=mode.cage_ports, protocol=mode.switch.protocol)
    if plan is None:
        return None
    single = Shape(sh.layout, sh.subfabrics, per_node, 1)
    return LeafOption(single, mode, 0, fabric.nodes, fabric.nodes, plan.worst_run_m, 0.0, 0.0,
                      node_links=plan)


@dataclass(frozen=True)
class SpineOption:
    """Tier 2 of a 2-tier fabric: ``mode``, with ``links_per_leaf`` links to every leaf."""

    mode: SwitchMode
    links_per_leaf: int

    @property
    def max_leaves(self) -> int:
        return self.mode.radix // self.links_per_leaf

    @property
    def key(self) -> str:
        return f"{self.mode.key}:l{self.links_per_leaf}"


def spine_options(modes: list[SwitchMode], max_uplinks: int, min_leaves: int) -> list[SpineOption]:
    """Spine structures that can reach at least ``min_leaves`` leaves (``L * l <= radix``)."""
    return [SpineOption(mode, per_pair) for mode in modes
            for per_pair in range(1, min(max_uplinks, mode.radix) + 1)
            if mode.radix // per_pair >= min_leaves]


@dataclass(frozen=True)
class PodOption:
    """Tier 2 of a 3-tier fabric: pods of ``leaves_per_pod`` leaves under spines of ``mode``.

    Each pod spine has one link from every leaf of its pod and as many links up (non-blocking
    above the leaf), ``links_per_core`` to each of ``leaves_per_pod / links_per_core`` cores.
    """

    mode: SwitchMode
    leaves_per_pod: int
    links_per_core: int

    @property
    def cores_per_group(self) -> int:
        return self.leaves_per_pod // self.links_per_core

    @property
    def key(self) -> str:
        return f"{self.mode.key}:p{self.leaves_per_pod}:l{self.links_per_core}"


def pod_options(modes: list[SwitchMode], sh: Shape, max_leaves: int) -> list[PodOption]:
    """Pod structures with pod sizes up to the first one that holds ``max_leaves`` leaves.

    A pod larger than that holds every leaf in one pod like the smaller one does, with more
    spine uplinks and more cores: never cheaper, so it is not offered.
    """
    options = []
    for mode in modes:
        step = math.lcm(mode.cage_ports, sh.leaves_per_group)
        for lp in range(step, mode.radix // 2 + 1, step):
            options += [PodOption(mode, lp, l2) for l2 in range(1, lp + 1) if lp % l2 == 0]
            if lp >= max_leaves:
                break
    return options
