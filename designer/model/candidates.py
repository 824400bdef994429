"""Derived facts: the candidate building blocks the MILP chooses from.

Everything here is plain Python computed from the catalog and one fabric before any model is
built: usable switch modes, layout shapes, leaf port splits, spine and pod structures, and
priced media options. Candidate sets come from switch radixes, never from the GPU count, so the
model keeps its size as the cluster grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from designer.inputs.catalog import Catalog, SwitchMode, switch_modes
from designer.inputs.schema import Fabric, Nic, Site
from designer.inputs.servers import (
    gpus_per_node,
    nics_in_server_price,
    node_cage,
    on_board_nics,
)
from designer.model.blast import within_blast_radius
from designer.model.fit import slot_feeds, takes_all_of
from designer.model.links import TIER_HOPS, LinkClass, ceil_div
from designer.model.media import cheapest_cord
from designer.model.nodelinks import (
    CagePricer,
    NodeLinkPlan,
    plan_node_links,
    plan_shared_node_links,
)
from designer.model.podbounds import PodCordBounds, pod_cord_bounds
from designer.site.grid import (
    DEFAULT_NODE_UNITS,
    GroupPlacement,
    network_rows_at,
    per_rack,
    spine_blocks,
)
from designer.site.hall import PrimaryFloor, SharedFloor, SpineRacks
from designer.site.podruns import LeafRows
from designer.site.pods import NetworkRows, core_racks, pod_network_racks


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
    """Drop a mode when another has the same radix, cage ports and protocol, cages that take
    every part its cages take (``fit.takes_all_of``), at no more cost (and,
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
        if not takes_all_of(a.switch.cage, b.switch.cage):
            return False
        ma, mb = merits(a), merits(b)
        no_worse = all(x <= y for x, y in zip(ma, mb, strict=True))
        same_cage = takes_all_of(b.switch.cage, a.switch.cage)
        return no_worse and (ma != mb or not same_cage or a.key < b.key)

    kept = [m for m in modes if not any(slot(o) == slot(m) and beats(o, m) for o in modes)]
    return sorted(kept, key=lambda m: m.key)


def usable_nics(fabric: Fabric, catalog: Catalog) -> list[Nic]:
    """The NIC cards the fabric may have: those its server has on board behind its ports (at
    the card's port speed or below), else every catalog NIC at the fabric's port speed; of the
    fabric's protocol and ``nic_models``."""
    protocols = allowed_protocols(fabric)
    on_board = on_board_nics(fabric, catalog)
    return [nic for model, nic in catalog.nics.items()
            if (nic.port_speed_gbps == fabric.port_speed_gbps if on_board is None
                else model in on_board and nic.port_speed_gbps >= fabric.port_speed_gbps)
            and (nic.protocol is None or nic.protocol in protocols)
            and (fabric.nic_models is None or model in fabric.nic_models)
            and (nics_in_server_price(fabric, catalog) or bought_card_fits(fabric, catalog, nic))]


def undominated_nics(nics: list[Nic], fabric: Fabric, catalog: Catalog,
                     power_matters: bool = False) -> list[Nic]:
    """Drop a card when another costs no more per node (nothing when the server's price has
    them), speaks its protocol (or either), needs no more cards per node, takes every part its
    cage takes (``fit.takes_all_of``) and, when power is limited, draws no more: any design
    with the first has the second in its place at no more cost. Ties keep the first by model.
    """
    billed = not nics_in_server_price(fabric, catalog)

    def merits(nic: Nic) -> tuple[float, ...]:
        per_node = nics_per_node(fabric, nic)
        return ((per_node * nic.price_usd if billed else 0.0, per_node)
                + ((per_node * nic.power_w if billed else 0.0,) if power_matters else ()))

    def takes(a: Nic, b: Nic) -> bool:
        (ports_a, cage_a), (ports_b, cage_b) = (node_cage(fabric, catalog, n) for n in (a, b))
        return ports_a == ports_b and takes_all_of(cage_a, cage_b)

    def beats(a: Nic, b: Nic) -> bool:
        if a.protocol not in (None, b.protocol) or not takes(a, b):
            return False
        ma, mb = merits(a), merits(b)
        if not all(x <= y for x, y in zip(ma, mb, strict=True)):
            return False
        alike = ma == mb and a.protocol == b.protocol and takes(b, a)
        return not alike or a.model < b.model

    return [n for n in nics if not any(beats(o, n) for o in nics if o is not n)]


def bought_card_fits(fabric: Fabric, catalog: Catalog, nic: Nic) -> bool:
    """A card the fabric buys fits its server: its PCIe slot feeds the ports the fabric uses on
    it (``model.fit.slot_feeds``), and the server has a slot for every card
    (``nics_per_node <= nic_slots``). Cards in the server's price are the server maker's to fit,
    as the verifier and the server-wide slot count take them."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if not slot_feeds(nic, server, fabric.endpoints_per_node * fabric.planes,
                      fabric.port_speed_gbps):
        return False
    return (server is None or server.nic_slots is None
            or nics_per_node(fabric, nic) <= server.nic_slots)


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
    spine_racks: int = 0  # two tiers: racks of each copy's spines (site.grid.spine_blocks)
    spine_block: int = 0  # two tiers: a leaf's uplinks to each of them
    leaf_spine_runs: tuple[tuple[float, int], ...] = field(compare=False, repr=False,
                                                            default=())  # two tiers, all copies
    rack_holds: int = 0  # switches a network rack holds (site.grid.per_rack)
    network: NetworkRows | None = field(compare=False, repr=False,
                                        default=None)  # three tiers: where the pods stand
    leaf_rows: LeafRows | None = field(compare=False, repr=False,
                                       default=None)  # three tiers: where the leaves stand

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

    def runs(self, cls: LinkClass) -> tuple[tuple[float, int], ...] | None:
        """Every run of ``cls`` over all copies, ``((run_m, links), ...)``, where the floor
        knows them from this option alone (2-tier leaf-spine); None: priced at the worst run."""
        if cls == LinkClass.LEAF_SPINE and self.spine_block and self.network is None:
            return self.leaf_spine_runs
        return None

    def compatible(self, links_per_leaf: int) -> bool:
        """A 2-tier spine with ``l`` links to each leaf stands in one of this option's spine
        racks: ``l`` divides the leaf's uplinks per rack (``site.grid.spine_blocks``); with one
        spine rack (a one-spine tier) the spine takes every uplink, ``l = u``."""
        if not self.spine_block:
            return True
        if self.spine_racks == 1:
            return links_per_leaf == self.uplinks
        return self.spine_block % links_per_leaf == 0

    @property
    def key(self) -> str:
        one_spine = ":s1" if self.spine_racks == 1 and self.uplinks > 1 else ""
        return f"{self.shape.layout}:{self.mode.key}:u{self.uplinks}:q{self.group_nodes}{one_spine}"


def valid_groups(fabric: Fabric, sh: Shape, mode: SwitchMode, uplinks: int) -> list[int]:
    """Every node-group size a leaf with ``uplinks`` uplinks can take, ascending."""
    c, e = mode.cage_ports, sh.ports_per_node
    down_max = min(mode.radix - uplinks, math.floor(fabric.max_oversubscription * uplinks + 1e-9))
    if sh.layout == "rail-optimized" and fabric.scalable_unit_nodes is not None:
        q = fabric.scalable_unit_nodes
        return [q] if q * e <= down_max and (q * e) % c == 0 else []
    return [q for q in range(1, down_max // e + 1) if (q * e) % c == 0]


def tallest_switch_units(fabric: Fabric, catalog: Catalog) -> int:
    """Height of the tallest switch the fabric may use (allowed, at its speed and protocol)."""
    return max((m.switch.rack_units for m in usable_modes(fabric, catalog)), default=1)


def hungriest_switch_w(fabric: Fabric, catalog: Catalog) -> float:
    """Power of the most power-hungry switch the fabric may use."""
    return max((m.switch.power_w for m in usable_modes(fabric, catalog)), default=0.0)


def kept_groups(groups: list[int], lengths: dict[int, tuple[float, ...]],
                reaches_m: list[float], node_link_usd: dict[int, float], *,
                latency_matters: bool = False,
                node_link_w: dict[int, float] | None = None,
                upper_usd: dict[int, tuple[float, ...]] | None = None,
                pod_cords: dict[int, PodCordBounds] | None = None) -> list[int]:
    """The group sizes worth offering.

    A group size's runs above the leaf (leaf-spine, spine-core; three tiers: for every pod
    size) fall under media reaches: its *pattern* is, run by run, the shortest reach that
    covers it. A larger group whose pattern is nowhere longer allows every upper medium the
    smaller one does, and every cost above the leaf grows with the leaf count, which shrinks as
    the group grows (three tiers: so does the pod count of every pod size). So a smaller group
    ``q`` is dropped when a larger kept one with a pattern no longer has node-leaf cabling
    (``node_link_usd``, cage by cage) no dearer and, when the fabric limits latency, no run
    longer, and when it limits power (``node_link_w`` given), no more power drawn by its
    cabling: switch, NIC and upper media power grow with the leaf count just as their cost
    does. Where the upper runs are priced run by run (``upper_usd``: the cords of every
    leaf-spine run, per cord set and, with a power limit, their watts), the larger group must
    also lay them for no more on every cord set. In three tiers the runs above the leaf depend
    on the pod size, so the larger group's cords are bounded (``pod_cords``,
    ``designer.model.podbounds``): at most what it saves on leaves more than the smaller
    group's least. (A budget fabric keeps every group: a smaller group has fewer downlinks, so
    less oversubscription.)
    """
    reaches = np.array(sorted(reaches_m), dtype=float)
    kept: list[tuple[int, np.ndarray]] = []
    for q in sorted(groups, reverse=True):
        # Which reaches cover each run above the leaf: the first reach at least as long.
        pattern = np.searchsorted(reaches, np.array(lengths[q][1:], dtype=float), side="left")

        def dominates(big: int, big_pattern: np.ndarray, q: int = q,
                      pattern: np.ndarray = pattern) -> bool:
            # the cheap tests first; each failing one settles it
            if node_link_usd[big] > node_link_usd[q] + 1e-9:
                return False
            if node_link_w is not None and node_link_w[big] > node_link_w[q] + 1e-9:
                return False
            if not (big_pattern <= pattern).all():
                return False
            if latency_matters and not all(
                    a <= b for a, b in zip(lengths[big], lengths[q], strict=True)):
                return False
            if upper_usd is not None and not all(
                    a <= b + 1e-9 for a, b in zip(upper_usd[big], upper_usd[q], strict=True)):
                return False
            return pod_cords is None or pod_cords[big].replaces(pod_cords[q])

        if not any(dominates(big, big_pattern) for big, big_pattern in kept):
            kept.append((q, pattern))
    return sorted(q for q, _ in kept)


@dataclass(frozen=True)
class UpperCords:
    """The cord sets the upper media may lay run by run (``Medium.cords``), to price a leaf
    option's leaf-spine runs before the model is built."""

    cord_sets: tuple[tuple, ...]
    power_matters: bool = False
    _cords: dict = field(default_factory=dict, compare=False, repr=False)

    def cord(self, index: int, run: float):
        """The cheapest cord of set ``index`` reaching ``run`` (None: none does)."""
        key = (index, run)
        if key not in self._cords:
            self._cords[key] = cheapest_cord(self.cord_sets[index], run)
        return self._cords[key]

    def laid(self, runs: tuple[tuple[float, int], ...]) -> tuple[float, ...]:
        """What each cord set costs to lay ``runs`` (``inf`` where a run is beyond it), and
        with a power limit the watts too."""
        out = []
        for index in range(len(self.cord_sets)):
            usd = w = 0.0
            for run, links in runs:
                cord = self.cord(index, run)
                if cord is None:
                    usd = w = math.inf
                    break
                usd += links * cord.price_usd
                w += links * cord.power_w
            out += [usd, w] if self.power_matters else [usd]
        return tuple(out)


def leaf_options(fabric: Fabric, site: Site, sh: Shape, modes: list[SwitchMode],
                 reaches_m: list[float], pricer: CagePricer,
                 catalog: Catalog | None = None, hall: SharedFloor | None = None,
                 cords: UpperCords | None = None, tiers: int = 2) -> list[LeafOption]:
    """Leaf options whose node-leaf cages can all be cabled.

    With ``catalog`` each option knows where the tiers above it stand. Two tiers: each copy's
    spines take ``site.grid.spine_blocks`` racks for ``u`` uplinks, as many as the tallest and
    most power-hungry switch the fabric may use needs (``per_rack``), in network rows in the
    middle of the hall (or past it on a shared floor), and the option knows every leaf-spine
    run; and, where one spine has a port for every uplink of every leaf, the option of a
    one-spine tier in one rack. Options whose leaves no spine could reach are left out. Three
    tiers: each pod's spines take ``spine_blocks`` racks the same way, and the option knows the
    longest run of each class above it for every pod size (``site.pods``)."""
    holds = None
    if catalog is not None:
        holds = per_rack(site, tallest_switch_units(fabric, catalog),
                         hungriest_switch_w(fabric, catalog))
    pod_sizes = ()
    if tiers == 3 and holds is not None:
        pod_sizes = tuple(sorted({(o.leaves_per_pod, o.cores_per_group)
                                  for o in pod_options(modes, sh, 10**9)}))
    enumerate_ = _LeafEnumeration(fabric, site, sh, reaches_m, pricer, hall, cords,
                                  max((m.radix for m in modes), default=0), holds or 0,
                                  pod_sizes, (min((m.switch.price_usd for m in modes), default=0.0),
                                              min((m.switch.power_w for m in modes), default=0.0)),
                                  gpus_per_node(fabric, pricer.catalog))
    options = []
    for mode in modes:
        for uplinks in range(mode.cage_ports, mode.radix, mode.cage_ports):
            if holds is None:
                variants = [(0, 0)]
            elif tiers == 3:
                variants = [spine_blocks(uplinks, holds)]
            else:
                variants = [spine_blocks(uplinks, holds)] + ([(1, uplinks)] if uplinks > 1
                                                              else [])
            for blocks in variants:
                options += enumerate_.variant(mode, uplinks, blocks)
    return options


@dataclass
class _LeafEnumeration:
    """What :func:`leaf_options` shares between modes and uplink counts: the context, the
    node-leaf plans by group size and cage, and the runs above the leaf by group size."""

    fabric: Fabric
    site: Site
    sh: Shape
    reaches_m: list[float]
    pricer: CagePricer
    hall: SharedFloor | None
    cords: UpperCords | None
    most_radix: int
    holds: int = 0
    pod_sizes: tuple[tuple[int, int], ...] = ()  # three tiers: (Lp, Cg) of every pod option
    cheapest_spine: tuple[float, float] = (0.0, 0.0)  # the least price and power of a switch
    node_gpus: int = 0  # a node's GPUs, for the blast radius (``model.blast``)
    plans: dict = field(default_factory=dict)
    runs: dict = field(default_factory=dict)
    networks: dict = field(default_factory=dict)  # by group size
    leaf_rows: dict = field(default_factory=dict)  # by group size
    network_rows: dict = field(default_factory=dict)  # by (node rows, mid): shared by sizes
    pod_worst: dict = field(default_factory=dict)
    pod_bounds: dict = field(default_factory=dict)  # by (q, uplinks, per_pod): the cord bounds
    cores: dict = field(default_factory=dict)

    def plan(self, mode: SwitchMode, q: int) -> NodeLinkPlan | None:
        key = (q, mode.cage_key, mode.switch.protocol)
        if key not in self.plans:
            self.plans[key] = node_link_plan(self.pricer, self.fabric, self.site, self.sh, q,
                                             mode, self.hall)
        return self.plans[key]

    def leaf_spine_runs(self, q: int, blocks: tuple[int, int]) -> tuple:
        """Every leaf-spine run with groups of ``q`` and spines in ``blocks = (racks,
        block)``: each leaf sends ``block`` uplinks to each rack, so the runs of one uplink per
        rack (they depend on the group size and the rack count alone) scaled."""
        key = (q, blocks[0])
        if key not in self.runs:
            self.runs[key] = _runs_per_rack(self.fabric, self.site, self.sh, q, blocks[0],
                                            self.hall)
        weight = blocks[1] * self.sh.leaves_per_group
        return tuple((run, pairs * weight) for run, pairs in self.runs[key])

    def network(self, q: int) -> NetworkRows:
        """Where a 3-tier fabric's network rows stand with groups of ``q`` nodes."""
        if q not in self.networks:
            copies = self.fabric.planes * self.sh.subfabrics
            if self.hall is not None:
                self.networks[q] = NetworkRows(self.site, 0, self.hall.first_row, copies, True)
            else:
                rows, mid = network_rows_at(self.site, self.fabric.nodes,
                                            min(q, self.fabric.nodes), self.sh.rail)
                self.networks[q] = self.network_rows.setdefault(
                    (rows, mid), NetworkRows(self.site, rows, mid, copies))
        return self.networks[q]

    def pod_runs_m(self, q: int, uplinks: int, per_pod: int) -> tuple[float, ...]:
        """The longest leaf-spine runs for every pod size, then the longest spine-core runs
        (``inf`` for a size that would need more pods than a core has ports)."""
        key = (q, uplinks, per_pod)
        if key not in self.pod_worst:
            network = self.network(q)
            leaves = ceil_div(self.fabric.nodes, q) * self.sh.leaves_per_group
            per_pod_leaves = np.array([lp for lp, _ in self.pod_sizes], dtype=np.int64)
            racks = pod_network_racks(network.copies, leaves, per_pod, per_pod_leaves,
                                      self.core_racks(uplinks))
            # more pods than any core has ports: the size cannot hold these leaves
            worst = [network.worst_m(r) if -(-leaves // lp) <= self.most_radix
                     else (math.inf,) * 2
                     for r, lp in zip(racks.tolist(), per_pod_leaves.tolist(), strict=True)]
            self.pod_worst[key] = (tuple(w[0] for w in worst) + tuple(w[1] for w in worst))
        return self.pod_worst[key]

    def pod_cords(self, q: int, mode: SwitchMode, uplinks: int, per_pod: int,
                  longest_m: tuple[float, ...], plan: NodeLinkPlan) -> PodCordBounds:
        """Bounds on the cords above a 3-tier leaf of ``mode`` with groups of ``q``
        (``designer.model.podbounds``); the cords' part is worked out once per group size,
        uplinks and spine racks, what the leaves and node-leaf cabling cost per mode."""
        network = self.network(q)
        leaves = ceil_div(self.fabric.nodes, q) * self.sh.leaves_per_group
        key = (q, uplinks, per_pod)
        if key not in self.pod_bounds:
            lps = np.array([lp for lp, _ in self.pod_sizes], dtype=np.int64)
            racks = pod_network_racks(network.copies, leaves, per_pod, lps,
                                      self.core_racks(uplinks))
            rows = self.leaf_rows.setdefault(
                q, LeafRows(self.site, self.fabric.nodes, q, self.sh.rail, self.hall))
            self.pod_bounds[key] = pod_cord_bounds(
                self.site, rows, leaves=leaves, leaves_per_group=self.sh.leaves_per_group,
                uplinks=uplinks, pod_sizes=self.pod_sizes,
                network_rows=-(-racks // self.site.racks_per_row), longest_m=longest_m,
                cord_sets=self.cords.cord_sets, power=self.cords.power_matters,
                network_key=(network.first_row, network.node_rows, network.shared),
                pod_spine=self.cheapest_spine)
        return self.pod_bounds[key].of_mode(mode.switch, plan.cost_usd, plan.power_w)

    def core_racks(self, uplinks: int) -> np.ndarray:
        """Core racks of a copy for every pod size, with ``uplinks`` core groups."""
        if uplinks not in self.cores:
            self.cores[uplinks] = np.array(
                [core_racks(uplinks, cg, self.holds) for _, cg in self.pod_sizes],
                dtype=np.int64)
        return self.cores[uplinks]

    def variant(self, mode: SwitchMode, uplinks: int, blocks: tuple[int, int]
                ) -> list[LeafOption]:
        """The leaf options of one mode, uplink count and spine racks (``blocks``; ``(0, 0)``
        without a catalog), their group sizes pruned by :func:`kept_groups`. Three tiers: the
        runs above the leaf of every pod size take part in the pruning, so two group sizes
        alike to the media are alike whatever the pods."""
        fabric, sh = self.fabric, self.sh
        lengths, usd, watts, upper, pod_cords = {}, {}, {}, {}, {}
        three = bool(self.pod_sizes)
        most_leaves = self.most_radix // (uplinks if blocks[0] == 1 < uplinks else 1)
        for q in valid_groups(fabric, sh, mode, uplinks):
            if not within_blast_radius(fabric, sh.ports_per_node, q, self.node_gpus):
                break  # larger groups cut off more GPUs still
            plan = self.plan(mode, q)
            if plan is None:
                continue
            if three:
                upper_m = self.pod_runs_m(q, uplinks, blocks[0])
                if math.isinf(min(upper_m)):
                    continue  # no pod size holds its leaves
                if self.cords is not None:
                    pod_cords[q] = self.pod_cords(q, mode, uplinks, blocks[0], upper_m, plan)
            elif blocks[1]:
                if ceil_div(fabric.nodes, q) * sh.leaves_per_group > most_leaves:
                    continue  # no spine has a port for every leaf (one spine: every uplink)
                runs = self.leaf_spine_runs(q, blocks)
                upper_m = (max(run for run, _ in runs), 0.0)
                if self.cords is not None:
                    upper[q] = self.cords.laid(runs)
            else:
                upper_m = (0.0, 0.0)
            lengths[q] = (plan.worst_run_m, *upper_m)
            usd[q], watts[q] = plan.cost_usd, plan.power_w
        offered = (sorted(lengths) if fabric.budget_usd is not None else kept_groups(
            list(lengths), lengths, self.reaches_m, usd,
            latency_matters=fabric.max_latency_us is not None,
            node_link_w=watts if fabric.max_power_kw is not None else None,
            upper_usd=upper or None, pod_cords=pod_cords or None))
        options = []
        half = len(self.pod_sizes)
        for q in offered:
            extra = {}
            if blocks[1]:
                extra = {"spine_racks": blocks[0], "spine_block": blocks[1],
                         "rack_holds": self.holds}
            if three:
                upper_m = (min(lengths[q][1:1 + half]), min(lengths[q][1 + half:]))
                extra["network"] = self.network(q)
                extra["leaf_rows"] = self.leaf_rows.setdefault(
                    q, LeafRows(self.site, fabric.nodes, q, sh.rail, self.hall))
            else:
                upper_m = lengths[q][1:]
                if blocks[1]:
                    extra["leaf_spine_runs"] = self.leaf_spine_runs(q, blocks)
            plan = self.plan(mode, q)
            options.append(LeafOption(sh, mode, uplinks, q, fabric.nodes, plan.worst_run_m,
                                      *upper_m, node_links=plan, **extra))
        return options


def _runs_per_rack(fabric: Fabric, site: Site, sh: Shape, q: int, racks: int,
                   hall: SharedFloor | None) -> tuple[tuple[float, int], ...]:
    """The run from every leaf group's rack to each of ``racks`` spine racks of every copy
    (``SpineRacks.runs_per_rack``), where ``designer.site.hall`` places them."""
    spines = SpineRacks(site, racks, 1, fabric.planes * sh.subfabrics)
    if hall is not None:
        groups = -(-hall.nodes // min(q, hall.nodes))
        return spines.runs_per_rack([hall.leaf_rack(q, g) for g in range(groups)],
                                    hall.first_row)
    group = min(q, fabric.nodes)
    floor = PrimaryFloor.with_spines(GroupPlacement(site, group, sh.rail), 0, fabric.nodes,
                                     spines)
    return spines.runs_per_rack([floor.leaf_rack(g) for g in range(-(-fabric.nodes // group))],
                                floor.mid)


def server_units(fabric: Fabric, catalog: Catalog) -> int:
    """Height of the fabric's server (``DEFAULT_NODE_UNITS`` when it names none)."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    return server.rack_units if server is not None else DEFAULT_NODE_UNITS


def node_link_plan(pricer: CagePricer, fabric: Fabric, site: Site, sh: Shape, group_nodes: int,
                   mode: SwitchMode, hall: SharedFloor | None = None) -> NodeLinkPlan | None:
    """Node-leaf cabling of leaves of ``mode`` over groups of ``group_nodes`` nodes."""
    if hall is not None:
        return plan_shared_node_links(
            pricer, hall, group_nodes=group_nodes, ports_per_node=sh.ports_per_node,
            leaves_per_group=sh.leaves_per_group, cage=mode.cage_key,
            protocol=mode.switch.protocol)
    return plan_node_links(pricer, site, rail=sh.rail, group_nodes=group_nodes,
                           nodes=fabric.nodes, ports_per_node=sh.ports_per_node,
                           leaves_per_group=sh.leaves_per_group, cage=mode.cage_key,
                           protocol=mode.switch.protocol,
                           node_units=server_units(fabric, pricer.catalog))


def single_switch_option(pricer: CagePricer, fabric: Fabric, site: Site, sh: Shape,
                         mode: SwitchMode, hall: SharedFloor | None = None
                         ) -> LeafOption | None:
    """A one-tier fabric's switch as a leaf option with no uplinks: one switch per sub-fabric
    takes every port of every node (``e`` ports per node, or one per rail switch when
    rail-only), so its group is every node and its shape has one leaf per group taking
    ``ports_per_node * leaves_per_group`` ports of each node. None when the switch has too few
    ports, its cages cannot all be cabled, or its failure would cut off more GPUs than the
    blast radius allows (``model.blast``)."""
    per_node = sh.ports_per_node * sh.leaves_per_group
    if mode.radix < fabric.nodes * per_node:
        return None
    if not within_blast_radius(fabric, per_node, fabric.nodes,
                               gpus_per_node(fabric, pricer.catalog)):
        return None
    if hall is not None:
        plan = plan_shared_node_links(
            pricer, hall, group_nodes=fabric.nodes, ports_per_node=per_node,
            leaves_per_group=1, cage=mode.cage_key, protocol=mode.switch.protocol)
    else:
        plan = plan_node_links(pricer, site, rail=sh.rail, group_nodes=fabric.nodes,
                               nodes=fabric.nodes, ports_per_node=per_node, leaves_per_group=1,
                               cage=mode.cage_key, protocol=mode.switch.protocol,
                               node_units=server_units(fabric, pricer.catalog))
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
