"""Test oracle: the cheapest fabric found by exhaustive enumeration of the design space.

This module is the independent reference the MILP is checked against. It is written from
``/work/notes/design_space.md`` alone and shares no code with the engine (formulation, candidate
generation, solve); it only uses the input layer (schema, catalog modes, floor lengths).

Every choice is enumerated by brute force in a fixed loop order: protocol, NIC, layout, tiers,
leaf (mode a, uplinks u, nodes per group q), then spine (mode b, links per pair l) for two tiers or
pod spine (mode b, leaves per pod Lp, links per spine-core pair l2) and core (mode x) for three.
There is no dominance pruning; the only work that is shared is invariant work hoisted out of
inner loops (a leaf's node-leaf media cost does not depend on the spine), and a combination whose
lower level is already infeasible is skipped (all its extensions are infeasible too). Only the
cost is compared; the first design found at the minimum cost wins.

Every part end plugs into its cage (``fits_cage``: form factor, top, lane rate and lanes, vendor
coding, where both sides say), a link's two modules share their optical lane rate, and the
node-leaf cabling plugs into the chosen NIC's cage.

With a blast radius (``max_gpus_cut_per_switch``) no leaf may strand more GPUs than the limit
when it fails (``stranded_gpus``).

With a power limit (``max_power_kw``) a design must also draw no more than the limit; every
medium of every upper link class is then tried, not only the cheapest. Node-leaf cages are
cabled the cheapest way whatever the limit (the engine's documented convention).

It is meant for small instances (switch radix <= 16, nodes <= ~64).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

from designer.inputs.catalog import Catalog, SwitchMode, switch_modes
from designer.inputs.schema import Cable, Cage, Fabric, Nic, Site, Transceiver
from designer.model.candidates import hungriest_switch_w, tallest_switch_units
from designer.site.grid import (
    DEFAULT_NODE_UNITS,
    GroupPlacement,
    network_rows_at,
    per_rack,
    run_m,
)
from designer.site.hall import PrimaryFloor, SpineRacks
from designer.site.pods import CoreLayout, NetworkRows, PodRacks

PROTOCOLS_IN_ORDER: tuple[str, ...] = ("infiniband", "ethernet")
LAYOUTS_IN_ORDER: tuple[str, ...] = ("tor", "rail-optimized", "rail-only")
DIRECT_KINDS: tuple[str, ...] = ("dac", "acc", "aoc")
OVERSUBSCRIPTION_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ReferenceDesign:
    """The cheapest design. Counts and costs marked "per copy" are per sub-fabric per plane."""

    cost_usd: float
    protocol: str
    nic: str
    nics_per_node: int
    nic_cost_usd: float
    layout: str
    sub_fabrics: int  # R
    planes: int  # P
    tiers: int
    leaf_mode: str
    spine_mode: str | None  # T=2 spine or T=3 pod spine
    core_mode: str | None
    u: int | None  # uplinks per leaf
    q: int | None  # nodes per leaf group
    l_pair: int | None  # T=2: links per leaf-spine pair (the spec's l)
    lp: int | None  # T=3: leaves per pod (the spec's Lp)
    l2: int | None  # T=3: links per spine-core pair
    leaves: int  # per copy
    spines: int  # per copy (T=3: pod spines)
    cores: int  # per copy
    switch_cost_usd: float  # per copy
    media_cost_usd: float  # per copy
    media: tuple[str, ...]  # cheapest medium of each link class, bottom up
    power_w: float = 0.0  # the whole network


@dataclass(frozen=True)
class Layout:
    """A layout: R sub-fabrics, e_l endpoints of a node per leaf, e_cols leaves per group."""

    name: str
    sub_fabrics: int
    endpoints_per_leaf: int
    leaf_columns: int


@dataclass(frozen=True)
class FabricCopy:
    """One sub-fabric of one plane: its structure and its cost (switches plus media)."""

    tiers: int
    leaf_mode: SwitchMode
    spine_mode: SwitchMode | None
    core_mode: SwitchMode | None
    u: int | None
    q: int | None
    l_pair: int | None
    lp: int | None
    l2: int | None
    leaves: int
    spines: int
    cores: int
    switch_cost_usd: float
    media_cost_usd: float
    media: tuple[str, ...]
    power_w: float = 0.0

    @property
    def cost_usd(self) -> float:
        return self.switch_cost_usd + self.media_cost_usd


@dataclass(frozen=True)
class MediumOption:
    """One feasible medium for a link class, priced per unit at each end and per link."""

    name: str
    low_unit_usd: float
    high_unit_usd: float
    link_usd: float
    low_unit_w: float = 0.0
    high_unit_w: float = 0.0
    link_w: float = 0.0

    def cost_usd(self, low_units: int, high_units: int, links: int) -> float:
        return (low_units * self.low_unit_usd + high_units * self.high_unit_usd
                + links * self.link_usd)

    def power_w(self, low_units: int, high_units: int, links: int) -> float:
        return low_units * self.low_unit_w + high_units * self.high_unit_w + links * self.link_w


@dataclass(frozen=True)
class ClassMedia:
    """The cheapest medium of one link class, what it costs and what it draws."""

    name: str
    cost_usd: float
    power_w: float = 0.0


# --------------------------------------------------------------------------------------------
# Allowed choices


def protocols_allowed(fabric: Fabric) -> tuple[str, ...]:
    return PROTOCOLS_IN_ORDER if fabric.protocol == "any" else (fabric.protocol,)


def protocol_ok(part_protocol: str | None, protocol: str) -> bool:
    return part_protocol is None or part_protocol == protocol


def modes_allowed(fabric: Fabric, catalog: Catalog, protocol: str) -> list[SwitchMode]:
    """Every usable switch mode: right protocol, allowed model, port speed equal to the fabric's."""
    modes = []
    for switch in catalog.switches.values():
        if switch.protocol != protocol:
            continue
        if fabric.switch_models is not None and switch.model not in fabric.switch_models:
            continue
        modes += [m for m in switch_modes(switch) if m.port_speed_gbps == fabric.port_speed_gbps]
    return modes


def on_board(fabric: Fabric, catalog: Catalog) -> tuple[str, ...] | None:
    """The cards the fabric's server names behind the ports of the fabric's kind (storage
    ports for storage, frontend for frontend, backend otherwise; frontend when the server has
    none of that kind)."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if server is None:
        return None
    pool = fabric.kind if fabric.kind in ("storage", "frontend") else "backend"
    if getattr(server, f"{pool}_ports") == 0:
        pool = "frontend"
    return getattr(server, f"{pool}_nic")


def node_end_of(fabric: Fabric, catalog: Catalog, nic: Nic) -> tuple[int, Cage | None]:
    """The cage the node-leaf links plug into at the node: the server's own backend cages
    (ports per cage, facts) when it has them and the fabric is on its backend ports, else one
    port of the card's cage."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if server is not None:
        pool = fabric.kind if fabric.kind in ("storage", "frontend") else "backend"
        if pool == "backend" and server.backend_ports > 0 and (
                server.backend_cage is not None or server.backend_ports_per_cage > 1):
            return server.backend_ports_per_cage, server.backend_cage
    return 1, nic.cage


LANE_GBPS = {3: 6.25, 4: 12.5, 5: 25.0, 6: 50.0}  # what one PCIe lane feeds, by generation


def slot_ok(fabric: Fabric, catalog: Catalog, nic: Nic) -> bool:
    """A bought card: its link (the older of its and the server's generation) feeds the ports
    the fabric uses on it, and the server has a slot for each card."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    gens = [g for g in (nic.pcie_gen, server.pcie_gen if server else None) if g is not None]
    used = min(nic.ports, fabric.endpoints_per_node * fabric.planes)
    if gens and used * fabric.port_speed_gbps > nic.pcie_lanes * LANE_GBPS[min(gens)] + 1e-9:
        return False
    return not (server and server.nic_slots and nics_per_node(fabric, nic) > server.nic_slots)


def nics_allowed(fabric: Fabric, catalog: Catalog, protocol: str) -> list[Nic]:
    named = on_board(fabric, catalog)
    return [nic for nic in catalog.nics.values()
            if (not nics_billed(fabric, catalog) or slot_ok(fabric, catalog, nic))
            and (nic.port_speed_gbps == fabric.port_speed_gbps if named is None
                 else nic.model in named and nic.port_speed_gbps >= fabric.port_speed_gbps)
            and protocol_ok(nic.protocol, protocol)
            and (fabric.nic_models is None or nic.model in fabric.nic_models)]


def nics_per_node(fabric: Fabric, nic: Nic) -> int:
    return math.ceil(fabric.endpoints_per_node * fabric.planes / nic.ports)


def nics_billed(fabric: Fabric, catalog: Catalog) -> int:
    """1 when the fabric buys its NICs, 0 when its server's price includes them."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    return 0 if server is not None and server.nics_included else 1


def nic_cost_usd(fabric: Fabric, nic: Nic, catalog: Catalog) -> float:
    return nics_billed(fabric, catalog) * fabric.nodes * nics_per_node(fabric, nic) * nic.price_usd


def layouts_allowed(fabric: Fabric) -> list[Layout]:
    if fabric.layout != "any":
        names: tuple[str, ...] = (fabric.layout,)
    elif fabric.node_forwarding:
        names = LAYOUTS_IN_ORDER
    else:
        names = ("tor", "rail-optimized")
    return [layout_shape(name, fabric.endpoints_per_node) for name in names]


def layout_shape(name: str, endpoints_per_node: int) -> Layout:
    e = endpoints_per_node
    if name == "tor":
        return Layout(name, sub_fabrics=1, endpoints_per_leaf=e, leaf_columns=1)
    if name == "rail-optimized":
        return Layout(name, sub_fabrics=1, endpoints_per_leaf=1, leaf_columns=e)
    if name == "rail-only":
        return Layout(name, sub_fabrics=e, endpoints_per_leaf=1, leaf_columns=1)
    raise ValueError(f"unknown layout {name!r}")


def tiers_allowed(fabric: Fabric) -> list[int]:
    return [t for t in (1, 2, 3) if 2 * t - 1 <= fabric.max_switch_hops]


# --------------------------------------------------------------------------------------------
# Media


CAGE_TAKES = {"OSFP": {"OSFP"}, "QSFP-DD": {"QSFP-DD", "QSFP112", "QSFP56", "QSFP28"},
              "QSFP112": {"QSFP112", "QSFP56", "QSFP28"}, "QSFP56": {"QSFP56", "QSFP28"},
              "QSFP28": {"QSFP28"}}


def fits_cage(form: str | None, top: str | None, lane: float | None, lanes: float | None,
              coding: str | None, cage: Cage | None) -> bool:
    """A part end plugs into a cage: every fact both sides give agrees (None: unchecked)."""
    if cage is None:
        return True
    return ((form is None or form in CAGE_TAKES[cage.form_factor])
            and (top is None or cage.top is None or top == cage.top)
            and (lane is None or cage.lane_gbps is None or lane <= cage.lane_gbps)
            and (lanes is None or cage.lanes is None or lanes <= cage.lanes)
            and (coding is None or cage.coding is None or coding in cage.coding))


def end(mode: SwitchMode) -> tuple[int, Cage | None]:
    """A switch mode's cage: its ports and what it takes."""
    return mode.cage_ports, mode.switch.cage


def module_in(t: Transceiver, cage_end: tuple[int, Cage | None]) -> bool:
    ports, cage = cage_end
    lanes = None if t.lane_gbps is None else t.ports * t.port_speed_gbps / t.lane_gbps
    return t.ports == ports and fits_cage(t.form_factor, t.top, t.lane_gbps, lanes, t.coding,
                                          cage)


def cable_end_in(c: Cable, cage_end: tuple[int, Cage | None], far: bool) -> bool:
    """The cable's first end (a splitter's wide one, all its links) or far end (one link)
    plugs into the cage."""
    ports, cage = cage_end
    links = 1 if far else c.links
    form = (c.far_form_factor or c.form_factor) if far else c.form_factor
    top = (c.far_top or c.top) if far else c.top
    lane = (c.far_lane_gbps or c.lane_gbps) if far else c.lane_gbps
    lanes = None if lane is None else links * c.port_speed_gbps / lane
    return links == ports and fits_cage(form, top, lane, lanes, c.coding, cage)


def straight_fits(c: Cable, a: tuple, b: tuple) -> bool:
    """A single-link cable between cages ``a`` and ``b``, either way round."""
    return ((cable_end_in(c, a, False) and cable_end_in(c, b, True))
            or (cable_end_in(c, a, True) and cable_end_in(c, b, False)))


def optical_lanes_agree(a: Transceiver, b: Transceiver) -> bool:
    ra = a.optical_lane_gbps or a.lane_gbps
    rb = b.optical_lane_gbps or b.lane_gbps
    return ra is None or rb is None or ra == rb


def same_or_unsaid(a: str | None, b: str | None) -> bool:
    """Connectors mate when they are the same; a part that does not say is not checked."""
    return a is None or b is None or a == b


def one_connector_many_links(t: Transceiver) -> bool:
    return t.connectors is not None and t.connectors < t.ports


def fanouts(t: Transceiver, catalog: Catalog) -> list:
    """``[None]`` for a module with a connector per link; else every harness of its fiber and
    connector with a leg per link of one connector (none: the module cannot be cabled)."""
    if not one_connector_many_links(t):
        return [None]
    return [c for c in catalog.cables.values()
            if c.kind == "harness" and c.fiber == t.fiber and c.connector == t.connector
            and c.links * t.connectors == t.ports]


class MediaPricer:
    """Prices a link class with its cheapest feasible medium (options cached per class shape)."""

    def __init__(self, catalog: Catalog, protocol: str, speed_gbps: float,
                 module_energy_usd_per_w: float = 0.0,
                 node_end: tuple[int, Cage | None] = (1, None),
                 node_module: Transceiver | None = None):
        self.catalog = catalog
        self.node_end = node_end  # the node's cage: (ports, facts)
        self.node_module = node_module  # the one node-end module, where a cage has several ports
        self._restricted: dict[str, MediaPricer] = {}
        self.protocol = protocol
        self.speed_gbps = speed_gbps
        self.module_energy_usd_per_w = module_energy_usd_per_w
        self._options: dict[tuple, list[MediumOption]] = {}
        self._cages: dict[tuple, float | None] = {}

    def options(self, low_cage: tuple, high_cage: tuple, length_m: float) -> list[MediumOption]:
        key = (low_cage, high_cage, length_m)
        if key not in self._options:
            self._options[key] = (self._optics(low_cage, high_cage, length_m)
                                  + self._direct(low_cage, high_cage, length_m))
        return self._options[key]

    def class_media(self, low_cage: tuple, high_cage: tuple, length_m: float,
                    low_units: int, high_units: int, links: int,
                    power_cap_w: float | None = None) -> ClassMedia | None:
        """Cheapest medium for ``links`` links drawing at most ``power_cap_w``; None when no
        medium is feasible."""
        best: ClassMedia | None = None
        for option in self.options(low_cage, high_cage, length_m):
            cost_usd = option.cost_usd(low_units, high_units, links)
            power_w = option.power_w(low_units, high_units, links)
            if power_cap_w is not None and power_w > power_cap_w + 1e-9:
                continue
            if best is None or cost_usd < best.cost_usd:
                best = ClassMedia(option.name, cost_usd, power_w)
        return best

    def class_choices(self, low_cage: tuple, high_cage: tuple, length_m: float,
                      low_units: int, high_units: int, links: int,
                      power_limited: bool) -> list[ClassMedia]:
        """The cheapest medium, or every medium when power is limited (cost and power each)."""
        if not power_limited:
            best = self.class_media(low_cage, high_cage, length_m, low_units, high_units, links)
            return [] if best is None else [best]
        return [ClassMedia(o.name, o.cost_usd(low_units, high_units, links),
                           o.power_w(low_units, high_units, links))
                for o in self.options(low_cage, high_cage, length_m)]

    def run_options(self, low_cage: tuple, high_cage: tuple, runs: tuple[tuple[float, int], ...],
                    copies: int, longest_m: float = 0.0
                    ) -> list[tuple[str, float, float, float, float, float, float]]:
        """Every medium of a class whose runs are all known (2-tier leaf-spine), each run on
        its cheapest cord: ``(name, low unit usd, high unit usd, cords usd per copy, low unit w,
        high unit w, cords w per copy)``. Optics: a module at each end of the same grade and,
        per run, the cheapest fiber of that grade reaching it; direct (1-port cages at both
        ends): per run the cheapest single-link direct cable reaching it; a breakout: one model
        covering the longest run, priced per cage at its wide end. Every medium reaches
        ``longest_m`` too (3 tiers: the longest run the placement can lay)."""
        longest = max(longest_m, *(run for run, _ in runs))
        out = []

        def laid(cords: list) -> tuple[float, float] | None:
            if not cords or max(c.reach_m for c in cords) < longest:
                return None
            usd = w = 0.0
            for run, links in runs:
                cord = min((c for c in cords if c.reach_m >= run),
                           key=lambda c: (c.price_usd, c.reach_m, c.model), default=None)
                if cord is None:
                    return None
                usd += links * cord.price_usd
                w += links * cord.power_w
            return usd / copies, w / copies

        transceivers = [t for t in self.catalog.transceivers.values()
                        if t.port_speed_gbps == self.speed_gbps and t.reach_m >= longest
                        and protocol_ok(t.protocol, self.protocol)]
        fibers = [f for f in self.catalog.cables.values()
                  if f.kind == "fiber" and f.port_speed_gbps >= self.speed_gbps
                  and protocol_ok(f.protocol, self.protocol)]
        for t1 in transceivers:
            for t2 in transceivers:
                if (not module_in(t1, low_cage) or not module_in(t2, high_cage)
                        or t1.fiber != t2.fiber or not optical_lanes_agree(t1, t2)
                        or one_connector_many_links(t1) or one_connector_many_links(t2)):
                    continue
                cords = laid([f for f in fibers if f.fiber == t1.fiber
                              and same_or_unsaid(f.connector, t1.connector)
                              and same_or_unsaid(f.connector, t2.connector)])
                if cords is not None:
                    # both modules sit in switch cages: their power is the switches'
                    out.append((f"{t1.model}+{t1.fiber}+{t2.model}", t1.price_usd,
                                t2.price_usd, cords[0], 0.0, 0.0, cords[1]))
        direct = [c for c in self.catalog.cables.values()
                  if c.kind in DIRECT_KINDS and c.port_speed_gbps == self.speed_gbps
                  and protocol_ok(c.protocol, self.protocol)]
        if low_cage[0] == high_cage[0] == 1:
            cords = laid([c for c in direct if c.links == 1
                          and straight_fits(c, low_cage, high_cage)])
            if cords is not None:
                out.append(("direct", 0.0, 0.0, cords[0], 0.0, 0.0, cords[1]))
        for c in direct:
            if c.links > 1 and c.reach_m >= longest:
                if cable_end_in(c, low_cage, False) and cable_end_in(c, high_cage, True):
                    out.append((c.model, c.price_usd, 0.0, 0.0, c.power_w, 0.0, 0.0))
                elif cable_end_in(c, low_cage, True) and cable_end_in(c, high_cage, False):
                    out.append((c.model, 0.0, c.price_usd, 0.0, 0.0, c.power_w, 0.0))
        return out

    def class_media_runs(self, low_cage: tuple, high_cage: tuple,
                         runs: tuple[tuple[float, int], ...], copies: int, low_units: int,
                         high_units: int, power_cap_w: float | None = None, *,
                         power_all: bool = False, longest_m: float = 0.0
                         ) -> list[ClassMedia]:
        """The cheapest medium laying ``runs`` (or, with a power cap or ``power_all``, every
        medium within it), reaching ``longest_m`` at least."""
        found = []
        for name, lo, hi, cords, lo_w, hi_w, cords_w in self.run_options(
                low_cage, high_cage, runs, copies, longest_m):
            cost_usd = low_units * lo + high_units * hi + cords
            power_w = low_units * lo_w + high_units * hi_w + cords_w
            if power_cap_w is not None and power_w > power_cap_w + 1e-9:
                continue
            found.append(ClassMedia(name, cost_usd, power_w))
        if power_cap_w is None and not power_all and found:
            return [min(found, key=lambda m: m.cost_usd)]
        return found

    def _optics(self, low_cage: tuple, high_cage: tuple, length_m: float) -> list[MediumOption]:
        """Option 1: a transceiver at each end (ports == that end's cage factor) and a fiber."""
        transceivers = [t for t in self.catalog.transceivers.values()
                        if t.port_speed_gbps == self.speed_gbps and t.reach_m >= length_m
                        and protocol_ok(t.protocol, self.protocol)]
        fibers = [f for f in self.catalog.cables.values()
                  if f.kind == "fiber" and f.port_speed_gbps >= self.speed_gbps
                  and f.reach_m >= length_m and protocol_ok(f.protocol, self.protocol)]
        out = []
        for t1 in transceivers:
            if not module_in(t1, low_cage) or one_connector_many_links(t1):
                continue
            for t2 in transceivers:
                if (not module_in(t2, high_cage) or t2.fiber != t1.fiber
                        or not optical_lanes_agree(t1, t2) or one_connector_many_links(t2)):
                    continue
                for f in fibers:
                    if (f.fiber == t1.fiber and same_or_unsaid(f.connector, t1.connector)
                            and same_or_unsaid(f.connector, t2.connector)):
                        out.append(MediumOption(f"{t1.model}+{f.model}+{t2.model}",
                                                t1.price_usd, t2.price_usd, f.price_usd,
                                                0.0, 0.0, f.power_w))  # in switch cages
        return out

    def _direct(self, low_cage: tuple, high_cage: tuple, length_m: float) -> list[MediumOption]:
        """Options 2 and 3: straight direct cables (1:1 cages), breakout ones (m:1 or 1:m)."""
        out = []
        for cable in self.catalog.cables.values():
            if (cable.kind not in DIRECT_KINDS or cable.port_speed_gbps != self.speed_gbps
                    or cable.reach_m < length_m or not protocol_ok(cable.protocol, self.protocol)):
                continue
            m = cable.links
            w = cable.power_w
            if m == 1 and straight_fits(cable, low_cage, high_cage):
                out.append(MediumOption(cable.model, 0.0, 0.0, cable.price_usd, 0.0, 0.0, w))
            elif (m > 1 and cable_end_in(cable, low_cage, False)
                  and cable_end_in(cable, high_cage, True)):
                out.append(MediumOption(cable.model, cable.price_usd, 0.0, 0.0, w, 0.0, 0.0))
            elif (m > 1 and cable_end_in(cable, low_cage, True)
                  and cable_end_in(cable, high_cage, False)):
                out.append(MediumOption(cable.model, 0.0, cable.price_usd, 0.0, 0.0, w, 0.0))
        return out


    def with_node_module(self, module: Transceiver) -> MediaPricer:
        """This pricer with one node-end module throughout (made once per module)."""
        if module.model not in self._restricted:
            self._restricted[module.model] = MediaPricer(
                self.catalog, self.protocol, self.speed_gbps, self.module_energy_usd_per_w,
                self.node_end, module)
        return self._restricted[module.model]

    def cage_cost(self, runs_m: tuple[float, ...], cage: tuple) -> ClassMedia | None:
        """Cheapest cabling of one leaf cage whose legs run ``runs_m`` (None: impossible).

        Tried by brute force: optics (a ``cage``-port module at the leaf, a 1-port module per
        leg, any fiber of the same grade per leg), a straight direct cable per leg (1-port
        cages), or one breakout cable with ``cage`` legs covering the longest leg.
        """
        key = (runs_m, cage)
        if key not in self._cages:
            self._cages[key] = self._cage_cost(runs_m, cage)
        return self._cages[key]

    def _cage_cost(self, runs_m: tuple[float, ...], cage: tuple) -> ClassMedia | None:
        found: list[ClassMedia] = []
        optics = [t for t in self.catalog.transceivers.values()
                  if t.port_speed_gbps == self.speed_gbps
                  and protocol_ok(t.protocol, self.protocol)]
        fibers = [f for f in self.catalog.cables.values()
                  if f.kind == "fiber" and f.port_speed_gbps >= self.speed_gbps
                  and protocol_ok(f.protocol, self.protocol)]
        for high, fan in ((h, f) for h in optics for f in fanouts(h, self.catalog)):
            for low in optics:
                if (not module_in(high, cage) or not module_in(low, self.node_end)
                        or low.fiber != high.fiber or not optical_lanes_agree(low, high)
                        or self.node_module not in (None, low)):
                    continue
                share = low.ports  # legs one node-end module serves
                total, watts, used = high.price_usd, 0.0, []  # high: in the leaf's cage
                at_high = high.connector
                if fan is not None:  # one harness per connector of the leaf-end module
                    total += high.connectors * fan.price_usd
                    at_high = fan.leg_connector
                for run in runs_m:
                    legs = [f for f in fibers if f.fiber == high.fiber and f.reach_m >= run
                            and same_or_unsaid(f.connector, at_high)
                            and same_or_unsaid(f.connector, low.connector)]
                    if run > high.reach_m or run > low.reach_m or not legs:
                        total = None
                        break
                    fiber = min(legs, key=lambda f: f.price_usd)
                    total += ((low.price_usd + self.module_energy_usd_per_w * low.power_w)
                              / share + fiber.price_usd)
                    watts += low.power_w / share + fiber.power_w
                    used.append(fiber.model)
                if total is not None:
                    name = "/".join(dict.fromkeys(used))
                    found.append(ClassMedia(f"{low.model}+{name}+{high.model}", total, watts))
        direct = [c for c in self.catalog.cables.values()
                  if c.kind in DIRECT_KINDS and c.port_speed_gbps == self.speed_gbps
                  and protocol_ok(c.protocol, self.protocol)]
        if cage[0] == 1:
            per_leg = [min((c for c in direct if c.links == 1 and c.reach_m >= run
                            and straight_fits(c, cage, self.node_end)),
                           key=lambda c: c.price_usd, default=None) for run in runs_m]
            if None not in per_leg:
                found.append(ClassMedia("/".join(dict.fromkeys(c.model for c in per_leg)),
                                        sum(c.price_usd for c in per_leg),
                                        sum(c.power_w for c in per_leg)))
        found += [ClassMedia(c.model, c.price_usd, c.power_w) for c in direct
                  if cage[0] > 1 and cable_end_in(c, cage, False)
                  and cable_end_in(c, self.node_end, True) and c.reach_m >= max(runs_m)]
        return min(found, key=lambda m: m.cost_usd, default=None)


def node_leaf_cost(site: Site, rail: bool, nodes: int, q: int, ports_per_node: int,
                   leaves_per_group: int, cage: tuple, pricer: MediaPricer) -> ClassMedia | None:
    """Node-leaf cabling per copy (:func:`node_leaf_legs`); where the node's cages hold
    several ports, one node-end module model serves every leg: the cheapest over them."""
    if pricer.node_end[0] == 1 or pricer.node_module is not None:
        return node_leaf_legs(site, rail, nodes, q, ports_per_node, leaves_per_group, cage,
                              pricer)
    best = None
    for module in sorted(pricer.catalog.transceivers.values(), key=lambda t: t.model):
        if module.port_speed_gbps != pricer.speed_gbps or not module_in(module, pricer.node_end):
            continue
        only = pricer.with_node_module(module)
        found = node_leaf_legs(site, rail, nodes, q, ports_per_node, leaves_per_group, cage,
                               only)
        if found is not None and (best is None or found.cost_usd < best.cost_usd):
            best = found
    return best


def node_leaf_legs(site: Site, rail: bool, nodes: int, q: int, ports_per_node: int,
                   leaves_per_group: int, cage: tuple, pricer: MediaPricer) -> ClassMedia | None:
    """Node-leaf cabling per copy: every leaf's cages, leg by leg, from the floor grid.

    A leaf's port ``j * ports_per_node + r + 1`` takes port ``r`` of its group's node ``j``;
    consecutive ports share a cage. Each leg runs from the node's rack to the leaf's rack, or
    inside the leaf's rack from the node's rack unit. The name lists the cabling of every cage
    kind used.
    """
    placement = GroupPlacement(site, min(q, nodes), rail)
    total, watts, names = 0.0, 0.0, []
    for group in range(math.ceil(nodes / placement.group_nodes)):
        first = group * placement.group_nodes
        members = range(first, min(nodes, first + placement.group_nodes))
        leaf_rack = placement.leaf_rack(group)
        runs = []
        for node in members:
            rack = placement.node_rack(node)
            if site.node_leaf_m is not None:
                run = site.node_leaf_m
            elif rack == leaf_rack:  # up from the node's unit (4U servers from U1) to the top
                unit = 1 + (node - first) % placement.site.nodes_per_rack * DEFAULT_NODE_UNITS
                run = round((site.rack_units - unit) * 0.04445 + site.in_rack_m, 3)
            else:
                run = run_m(site, rack, leaf_rack)
            runs += [run] * ports_per_node
        for start in range(0, len(runs), cage[0]):
            media = pricer.cage_cost(tuple(runs[start:start + cage[0]]), cage)
            if media is None:
                return None
            total += leaves_per_group * media.cost_usd
            watts += leaves_per_group * media.power_w
            names.append(media.name)
    return ClassMedia(" | ".join(sorted(set(names))), total, watts)


# --------------------------------------------------------------------------------------------
# Leaf groups (shared by T=2 and T=3)


@dataclass(frozen=True)
class LeafChoice:
    """A leaf mode a with u uplinks and q nodes per group, and its node-leaf media."""

    mode: SwitchMode
    u: int
    q: int
    groups: int  # G
    leaves: int  # L
    node_leaf: ClassMedia


def leaf_choices(fabric: Fabric, site: Site, layout: Layout, modes: list[SwitchMode],
                 pricer: MediaPricer) -> Iterator[LeafChoice]:
    """Every allowed (a, u, q) whose node-leaf class has a medium, in loop order a, u, q."""
    n = fabric.nodes
    e_l = layout.endpoints_per_leaf
    for a in modes:
        k_a, c_a = a.radix, a.cage_ports
        for u in range(1, k_a + 1):
            if u % c_a:
                continue
            for q in range(1, k_a + 1):
                d = q * e_l
                if not leaf_shape_ok(fabric, layout, d, u, q, k_a, c_a):
                    continue
                if not blast_ok(fabric, pricer.catalog, min(q, n), e_l):
                    continue
                groups = math.ceil(n / q)
                media = node_leaf_cost(site, layout.name != "tor", n, q, e_l,
                                       layout.leaf_columns, end(a), pricer)
                if media is None:
                    continue
                yield LeafChoice(a, u, q, groups, layout.leaf_columns * groups, media)


def stranded_gpus(fabric: Fabric, catalog: Catalog, nodes_on_leaf: int, ports_each: int) -> int:
    """GPUs a failed leaf strands (its blast radius): it holds ``ports_each`` ports of each of
    ``nodes_on_leaf`` nodes, in one plane. A node's GPUs share its ``e`` endpoints evenly. A GPU
    is stranded when every port of its rail is on the leaf (one per plane, so only with one
    plane); with node forwarding, only when every port of its node is."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    gpus = server.gpus if server is not None else fabric.endpoints_per_node
    e, planes = fabric.endpoints_per_node, fabric.planes
    if fabric.node_forwarding:
        each = gpus if ports_each == e * planes else 0
    else:
        each = gpus * ports_each / e if planes == 1 else 0
    return round(nodes_on_leaf * each)


def blast_ok(fabric: Fabric, catalog: Catalog, nodes_on_leaf: int, ports_each: int) -> bool:
    limit = fabric.max_gpus_cut_per_switch
    return limit is None or stranded_gpus(fabric, catalog, nodes_on_leaf, ports_each) <= limit


def leaf_shape_ok(fabric: Fabric, layout: Layout, d: int, u: int, q: int, k_a: int,
                  c_a: int) -> bool:
    if d % c_a or d + u > k_a:
        return False
    if d > fabric.max_oversubscription * u + OVERSUBSCRIPTION_TOLERANCE:
        return False
    return not (layout.name == "rail-optimized" and fabric.scalable_unit_nodes is not None
                and q != fabric.scalable_unit_nodes)


# --------------------------------------------------------------------------------------------
# Tier enumerators: each returns the cheapest copy (first found on ties), or None


def _cheaper(cost_usd: float, best: FabricCopy | None) -> bool:
    """Strictly cheaper than the best so far (ties keep the first found)."""
    return best is None or cost_usd < best.cost_usd


def _within(power_w: float, cap_w: float | None) -> bool:
    return cap_w is None or power_w <= cap_w + 1e-9


def best_one_tier(fabric: Fabric, site: Site, layout: Layout, modes: list[SwitchMode],
                  pricer: MediaPricer, cap_w: float | None = None) -> FabricCopy | None:
    per_node = layout.endpoints_per_leaf * layout.leaf_columns
    n_sub = fabric.nodes * per_node
    if not blast_ok(fabric, pricer.catalog, fabric.nodes, per_node):
        return None
    best = None
    for a in modes:
        if n_sub > a.radix:
            continue
        media = node_leaf_cost(site, layout.name != "tor", fabric.nodes, fabric.nodes,
                               per_node, 1, end(a), pricer)
        if media is None or not _within(a.switch.power_w + media.power_w, cap_w):
            continue
        if not _cheaper(a.switch.price_usd + media.cost_usd, best):
            continue
        best = FabricCopy(
            tiers=1, leaf_mode=a, spine_mode=None, core_mode=None, u=None, q=None, l_pair=None,
            lp=None, l2=None, leaves=1, spines=0, cores=0, switch_cost_usd=a.switch.price_usd,
            media_cost_usd=media.cost_usd, media=(media.name,),
            power_w=a.switch.power_w + media.power_w)
    return best


def spine_placements(u: int, holds: int) -> list[tuple[int, int]]:
    """Where a copy's spines may stand for leaves of ``u`` uplinks: ``(racks, block)``, uplink
    ``k`` of every leaf to rack ``k // block`` where ``block`` is the largest divisor of ``u``
    no more than a rack holds and no more than half of ``u``; or one rack holding the one
    spine of the tier."""
    block = max(d for d in range(1, u + 1)
                if u % d == 0 and ((d <= holds and 2 * d <= u) or d == 1))
    out = [(u // block, block)]
    return [*out, (1, u)] if u > 1 else out


def spine_fits(placement: tuple[int, int], u: int, l_pair: int) -> bool:
    """A spine with ``l`` links to each leaf stands in one rack of the placement."""
    racks, block = placement
    return l_pair == u if racks == 1 else block % l_pair == 0


def leaf_spine_runs(site: Site, floor: PrimaryFloor, spines_at: SpineRacks, groups: int,
                    leaves_per_group: int, block: int) -> tuple[tuple[float, int], ...]:
    """Every leaf-spine run, leaf by leaf and rack by rack: each leaf sends ``block`` uplinks to
    each of its copy's spine racks."""
    runs: dict[float, int] = {}
    for group in range(groups):
        for copy in range(spines_at.copies):
            for index in range(spines_at.per_copy):
                run = (site.leaf_spine_m if site.leaf_spine_m is not None else
                       run_m(site, floor.leaf_rack(group), spines_at.rack(copy, index, floor.mid)))
                runs[run] = runs.get(run, 0) + block * leaves_per_group
    return tuple(sorted(runs.items()))


def best_two_tier(fabric: Fabric, site: Site, layout: Layout, modes: list[SwitchMode],
                  pricer: MediaPricer, cap_w: float | None = None) -> FabricCopy | None:
    best = None
    copies = fabric.planes * layout.sub_fabrics
    # Spines stand in racks of network rows: as many as the tallest and most power-hungry
    # usable switch needs (the floor model), every leaf-spine run measured on the grid.
    holds = per_rack(site, tallest_switch_units(fabric, pricer.catalog),
                     hungriest_switch_w(fabric, pricer.catalog))
    for leaf in leaf_choices(fabric, site, layout, modes, pricer):
        a, u, big_l = leaf.mode, leaf.u, leaf.leaves
        group = min(leaf.q, fabric.nodes)
        for placement in spine_placements(u, holds):
            spines_at = SpineRacks(site, *placement, copies)
            floor = PrimaryFloor.with_spines(GroupPlacement(site, group, layout.name != "tor"),
                                             0, fabric.nodes, spines_at)
            runs = leaf_spine_runs(site, floor, spines_at, math.ceil(fabric.nodes / group),
                                   layout.leaf_columns, placement[1])
            for b in modes:
                for l_pair in range(1, u + 1):
                    if (u % l_pair or big_l * l_pair > b.radix
                            or not spine_fits(placement, u, l_pair)):
                        continue
                    spines = u // l_pair
                    fixed_w = (big_l * a.switch.power_w + spines * b.switch.power_w
                               + leaf.node_leaf.power_w)
                    for media in pricer.class_media_runs(
                            end(a), end(b), runs, copies,
                            big_l * math.ceil(u / a.cage_ports),
                            spines * math.ceil(big_l * l_pair / b.cage_ports),
                            None if cap_w is None else cap_w - fixed_w):
                        switch_usd = big_l * a.switch.price_usd + spines * b.switch.price_usd
                        media_usd = leaf.node_leaf.cost_usd + media.cost_usd
                        if not _cheaper(switch_usd + media_usd, best):
                            continue
                        best = FabricCopy(
                            tiers=2, leaf_mode=a, spine_mode=b, core_mode=None, u=u, q=leaf.q,
                            l_pair=l_pair, lp=None, l2=None, leaves=big_l, spines=spines,
                            cores=0, switch_cost_usd=switch_usd, media_cost_usd=media_usd,
                            media=(leaf.node_leaf.name, media.name),
                            power_w=fixed_w + media.power_w)
    return best


def core_racks(groups: int, per_group: int, holds: int) -> int:
    """Racks a copy's cores take: whole groups, as many to a rack as it holds and never every
    group in one rack; a group bigger than a rack (or the only group, of two cores or more)
    over as many racks as it needs, two at least."""
    if per_group > holds or (groups == 1 and per_group > 1):
        return groups * max(2 if groups == 1 else 1, math.ceil(per_group / holds))
    to_a_rack = max(1, min(holds // per_group, math.ceil(groups / 2)))
    return math.ceil(groups / to_a_rack)


def pod_longest_runs_m(site: Site, fabric: Fabric, layout: Layout, q: int, u: int,
                       holds: int, big_l: int, lp: int, l2: int) -> tuple[float, float]:
    """The longest leaf-spine and spine-core runs a 3-tier copy can lay: every pod's spines in
    ``spine_placements`` racks, the cores in ``core_racks``, all in
    network rows in the middle of the hall (the floor model's bound)."""
    copies = fabric.planes * layout.sub_fabrics
    pod_racks = spine_placements(u, holds)[0][0]
    racks = copies * (math.ceil(big_l / lp) * pod_racks + core_racks(u, lp // l2, holds))
    rows, mid = network_rows_at(site, fabric.nodes, min(q, fabric.nodes), layout.name != "tor")
    return NetworkRows(site, rows, mid, copies).worst_m(racks)


def pod_runs_walked(site: Site, fabric: Fabric, layout: Layout, q: int, u: int, holds: int,
                    big_l: int, lp: int, l2: int) -> tuple[tuple, tuple]:
    """Every leaf-spine and spine-core run of a 3-tier fabric, link by link: leaf ``i`` of a
    copy (groups in order) in pod ``i // lp``, uplink ``k`` to its pod's spine ``k``; spine ``k``
    of every pod ``l2`` links to each core of group ``k``; pod spines and cores where
    ``PodRacks`` stands them, leaves where the floor puts their group."""
    copies = fabric.planes * layout.sub_fabrics
    racks, block = spine_placements(u, holds)[0]
    pods = math.ceil(big_l / lp)
    pod_racks = PodRacks(site, pods, racks, block, CoreLayout.of(u, lp // l2, holds), copies)
    group = min(q, fabric.nodes)
    floor = PrimaryFloor.with_spines(GroupPlacement(site, group, layout.name != "tor"), 0,
                                     fabric.nodes, pod_racks)
    leaf_spine: dict[float, int] = {}
    spine_core: dict[float, int] = {}
    for copy in range(copies):
        # pod spine k stands in its pod's rack k // block: ``block`` spines a rack
        pod_rack = {(pod, j): pod_racks.pod_rack(copy, pod, j, floor.mid)
                    for pod in range(pods) for j in range(racks)}
        core_rack = {(k, c): pod_racks.place_core(copy, k, c, floor.mid)[0]
                     for k in range(u) for c in range(lp // l2)}
        for i in range(big_l):
            leaf_rack = floor.leaf_rack(i // layout.leaf_columns)
            for j in range(racks):
                run = (site.leaf_spine_m if site.leaf_spine_m is not None
                       else run_m(site, leaf_rack, pod_rack[i // lp, j]))
                leaf_spine[run] = leaf_spine.get(run, 0) + block
        for pod in range(pods):
            for k in range(u):
                for c in range(lp // l2):
                    run = (site.spine_core_m if site.spine_core_m is not None
                           else run_m(site, pod_rack[pod, k // block], core_rack[k, c]))
                    spine_core[run] = spine_core.get(run, 0) + l2
    return tuple(sorted(leaf_spine.items())), tuple(sorted(spine_core.items()))


def best_three_tier(fabric: Fabric, site: Site, layout: Layout, modes: list[SwitchMode],
                    pricer: MediaPricer, cap_w: float | None = None) -> FabricCopy | None:
    best = None
    copies = fabric.planes * layout.sub_fabrics
    holds = per_rack(site, tallest_switch_units(fabric, pricer.catalog),
                     hungriest_switch_w(fabric, pricer.catalog))
    walked: dict[tuple, tuple] = {}  # the runs of a leaf shape and pod size, walked once
    for leaf in leaf_choices(fabric, site, layout, modes, pricer):
        a, u, big_l = leaf.mode, leaf.u, leaf.leaves
        for b in modes:
            for lp in range(1, b.radix // 2 + 1):
                if lp % layout.leaf_columns or lp % b.cage_ports:
                    continue
                pods = math.ceil(big_l / lp)
                last_pod_leaves = big_l - (pods - 1) * lp
                pod_spines = pods * u
                for l2 in range(1, lp + 1):
                    if lp % l2:
                        continue
                    if pods * l2 > max(x.radix for x in modes):
                        continue
                    # branch and bound: the switches and node-leaf cabling alone, with the
                    # cheapest core that has the ports, already cost no less than the best
                    least_usd = (big_l * a.switch.price_usd + pod_spines * b.switch.price_usd
                                 + u * (lp // l2) * min(x.switch.price_usd for x in modes
                                                        if pods * l2 <= x.radix)
                                 + leaf.node_leaf.cost_usd)
                    if best is not None and least_usd > best.cost_usd + 1e-6:
                        continue
                    leaf_spine_length_m, spine_core_length_m = pod_longest_runs_m(
                        site, fabric, layout, leaf.q, u, holds, big_l, lp, l2)
                    # no medium reaches the longest run (or fits the cages): nothing to price
                    if not pricer.options(end(a), end(b), leaf_spine_length_m) or not any(
                            pricer.options(end(b), end(x), spine_core_length_m)
                            for x in modes if pods * l2 <= x.radix):
                        continue
                    key = (leaf.q, u, big_l, lp, l2)
                    if key not in walked:
                        walked[key] = pod_runs_walked(site, fabric, layout, leaf.q, u, holds,
                                                      big_l, lp, l2)
                    ls_runs, sc_runs = walked[key]
                    # each run on its cheapest cord; the medium reaches the longest run the
                    # placement can lay (the floor model's bound), as the model's reach rows
                    leaf_spines = pricer.class_media_runs(
                        end(a), end(b), ls_runs, copies,
                        big_l * math.ceil(u / a.cage_ports),
                        u * ((pods - 1) * math.ceil(lp / b.cage_ports)
                             + math.ceil(last_pod_leaves / b.cage_ports)),
                        power_all=cap_w is not None, longest_m=leaf_spine_length_m)
                    cores = u * (lp // l2)
                    for x, leaf_spine in itertools.product(modes, leaf_spines):
                        if pods * l2 > x.radix:
                            continue
                        fixed_w = (big_l * a.switch.power_w + pod_spines * b.switch.power_w
                                   + cores * x.switch.power_w + leaf.node_leaf.power_w
                                   + leaf_spine.power_w)
                        spine_core = pricer.class_media_runs(
                            end(b), end(x), sc_runs, copies,
                            pod_spines * math.ceil(lp / b.cage_ports),
                            cores * math.ceil(pods * l2 / x.cage_ports),
                            None if cap_w is None else cap_w - fixed_w,
                            longest_m=spine_core_length_m)
                        if not spine_core:
                            continue
                        spine_core = spine_core[0] if cap_w is None else min(
                            spine_core, key=lambda m: m.cost_usd)
                        switch_usd = (big_l * a.switch.price_usd
                                      + pod_spines * b.switch.price_usd
                                      + cores * x.switch.price_usd)
                        media_usd = (leaf.node_leaf.cost_usd + leaf_spine.cost_usd
                                     + spine_core.cost_usd)
                        if not _cheaper(switch_usd + media_usd, best):
                            continue
                        best = FabricCopy(
                            tiers=3, leaf_mode=a, spine_mode=b, core_mode=x, u=u, q=leaf.q,
                            l_pair=None, lp=lp, l2=l2, leaves=big_l, spines=pod_spines,
                            cores=cores, switch_cost_usd=switch_usd, media_cost_usd=media_usd,
                            media=(leaf.node_leaf.name, leaf_spine.name, spine_core.name),
                            power_w=fixed_w + spine_core.power_w)
    return best


TIER_ENUMERATORS = {1: best_one_tier, 2: best_two_tier, 3: best_three_tier}


# --------------------------------------------------------------------------------------------
# The whole design space


def best_copy(fabric: Fabric, site: Site, catalog: Catalog, protocol: str,
              layout: Layout, cap_w: float | None = None,
              module_energy_usd_per_w: float = 0.0,
              node_end: tuple[int, Cage | None] = (1, None)) -> FabricCopy | None:
    """Cheapest sub-fabric (per plane) for one protocol and layout, over T then structure,
    drawing at most ``cap_w`` when given, cabled to the nodes' cages ``node_end``."""
    modes = modes_allowed(fabric, catalog, protocol)
    pricer = MediaPricer(catalog, protocol, fabric.port_speed_gbps, module_energy_usd_per_w,
                         node_end)
    best = None
    for tiers in tiers_allowed(fabric):
        candidate = TIER_ENUMERATORS[tiers](fabric, site, layout, modes, pricer, cap_w)
        if candidate is not None and _cheaper(candidate.cost_usd, best):
            best = candidate
    return best


def cheapest_design(fabric: Fabric, site: Site, catalog: Catalog,
                    module_energy_usd_per_w: float = 0.0) -> ReferenceDesign | None:
    """The cheapest design in the space of design_space.md; None when nothing is feasible.

    Power is counted once per part: a module in a switch cage draws within the switch's
    ``power_w`` and counts nothing; a module at a NIC end counts its power and, with
    ``module_energy_usd_per_w`` (a TCO oracle, whose catalog prices carry the energy of every
    other part), costs that much more per watt.

    Loop order (ties go to the first found): protocol, NIC, layout, tiers, structure. The copy
    cost of a (protocol, layout) pair depends on the NIC only through its cage, so it is
    computed once per cage.
    """
    best: ReferenceDesign | None = None
    planes = fabric.planes
    limit_w = None if fabric.max_power_kw is None else 1000 * fabric.max_power_kw
    for protocol in protocols_allowed(fabric):
        copies: dict[tuple, FabricCopy | None] = {}
        for nic in nics_allowed(fabric, catalog, protocol):
            nic_usd = nic_cost_usd(fabric, nic, catalog)
            nic_w = (nics_billed(fabric, catalog) * fabric.nodes * nics_per_node(fabric, nic)
                     * nic.power_w)
            for layout in layouts_allowed(fabric):
                copies_n = planes * layout.sub_fabrics
                cap_w = None if limit_w is None else (limit_w - nic_w) / copies_n
                if cap_w is not None and cap_w < -1e-9:
                    continue
                node_end = node_end_of(fabric, catalog, nic)
                key = (layout.name, cap_w, node_end)
                if key not in copies:
                    copies[key] = best_copy(fabric, site, catalog, protocol, layout, cap_w,
                                            module_energy_usd_per_w, node_end)
                copy = copies[key]
                if copy is None:
                    continue
                cost_usd = nic_usd + copies_n * copy.cost_usd
                if best is None or cost_usd < best.cost_usd:
                    best = _design(cost_usd, protocol, fabric, nic, nic_usd, layout, copy,
                                   nic_w + copies_n * copy.power_w)
    return best


def _design(cost_usd: float, protocol: str, fabric: Fabric, nic: Nic, nic_usd: float,
            layout: Layout, copy: FabricCopy, power_w: float) -> ReferenceDesign:
    return ReferenceDesign(
        cost_usd=cost_usd, protocol=protocol, nic=nic.model,
        nics_per_node=nics_per_node(fabric, nic), nic_cost_usd=nic_usd, layout=layout.name,
        sub_fabrics=layout.sub_fabrics, planes=fabric.planes, tiers=copy.tiers,
        leaf_mode=copy.leaf_mode.key,
        spine_mode=copy.spine_mode.key if copy.spine_mode else None,
        core_mode=copy.core_mode.key if copy.core_mode else None,
        u=copy.u, q=copy.q, l_pair=copy.l_pair, lp=copy.lp, l2=copy.l2, leaves=copy.leaves,
        spines=copy.spines, cores=copy.cores, switch_cost_usd=copy.switch_cost_usd,
        media_cost_usd=copy.media_cost_usd, media=copy.media, power_w=power_w)
