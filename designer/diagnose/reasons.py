"""Why no design exists, by counting: the limit that most likely binds, as a value.

Every reason is an :class:`Infeasibility` read by field (``limit``, ``shortfall``, ``fix``,
``suspects``); ``text`` is for people. Checks, in order (:func:`analytic_reason`): switch
capacity within the hop limit (:mod:`designer.model.capacity`), a latency limit below the
fastest possible path, a blast radius no leaf meets or that leaves more leaves than the tiers
connect, a scalable unit no leaf can take, node-leaf links no part plugs into at both ends,
and media reach for the node-leaf and leaf-spine runs; a general sentence when
none of these explains it. :func:`missing_parts` says when the catalogs lack a NIC or a switch
at the fabric's speed and protocol at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designer.inputs.catalog import Catalog, switch_modes
from designer.inputs.schema import DIRECT_KINDS, Fabric, Site
from designer.inputs.servers import gpus_per_node, node_cage
from designer.model.blast import gpus_cut_by_leaf, within_blast_radius
from designer.model.candidates import (
    allowed_layouts,
    allowed_tiers,
    nics_per_node,
    shape,
    undominated_modes,
    usable_modes,
    usable_nics,
)
from designer.model.capacity import max_leaf_downlinks, one_tier_endpoints, two_tier_max_endpoints
from designer.model.fit import (
    cable_plugs,
    cage_text,
    card_load_gbps,
    fans_out,
    harnesses_for,
    host_gbps,
    mates,
    module_plug,
    plugs,
)
from designer.model.latency import PROPAGATION_NS_PER_M
from designer.model.links import TIER_HOPS, LinkClass
from designer.model.media import media_options
from designer.model.nodelinks import CagePricer
from designer.site.grid import leaf_spine_m, node_leaf_m
from designer.text import speed_text


@dataclass(frozen=True)
class Remedy:
    """A loosening that was re-solved and gives a design: how it reads, and the design."""

    change: str  # "max_switch_hops 3 -> 5"
    cost_usd: float
    tiers: int
    optimal: bool


@dataclass(frozen=True)
class Infeasibility:
    """Why a fabric has no design.

    ``limit`` is the demand key that binds (``max_switch_hops``, ``budget_usd``,
    ``max_power_kw``, ``site.leaf_spine_m``, ``parts`` ...; ``unknown`` when counting cannot
    tell); ``shortfall`` how far it falls short, in the limit's own unit (endpoints, USD, kW,
    metres, microseconds), when known; ``fix`` settings that would give a design, as
    ``{key: value}``; ``suspects`` the limits worth loosening first; ``remedies`` the
    loosenings a re-solve proved (:mod:`designer.diagnose.probes`); ``text`` the sentence.
    """

    limit: str
    text: str
    shortfall: float | None = None
    fix: dict[str, object] = field(default_factory=dict, hash=False)
    suspects: tuple[str, ...] = ()
    remedies: tuple[Remedy, ...] = ()


def analytic_reason(fabric: Fabric, site: Site, catalog: Catalog) -> Infeasibility:
    """The most likely reason no design meets ``fabric``, with a way out (see the module)."""
    modes = undominated_modes(usable_modes(fabric, catalog))
    # Every check reads (fabric, site, catalog, modes), whichever of them it needs.
    for check in (_capacity, _latency, _blast_radius, _blast_capacity, _scalable_unit,
                  _unplugged, _reach):
        reason = check(fabric, site, catalog, modes)
        if reason is not None:
            return reason
    latency = ", max_latency_us" if fabric.max_latency_us is not None else ""
    return Infeasibility(
        "unknown", "no combination of the allowed switches, media and limits fits (check "
        f"switch_models, protocol, max_oversubscription{latency} and the site's distances)"
        + _unfanned(fabric, catalog),
        suspects=("max_oversubscription",) + (("max_latency_us",) if latency else ()))


def _unfanned(fabric: Fabric, catalog: Catalog) -> str:
    """``"; X carries 4 links on each MPO-12/APC connector and no catalog harness fans it
    out ..."`` and ``"; no fiber cord in the catalogs has Y's LC/UPC connector ..."`` for the
    fabric's modules that cannot be cabled for want of a harness or a mating cord."""
    speed = fabric.port_speed_gbps
    modules = sorted((t for t in catalog.transceivers.values() if t.port_speed_gbps == speed),
                     key=lambda t: t.model)
    cords = [c for c in catalog.cables.values()
             if c.kind == "fiber" and c.port_speed_gbps >= speed]
    out = []
    for t in modules:
        if fans_out(t):
            if not harnesses_for(t, catalog.cables.values()):
                out.append(f"; {t.model} carries {t.ports // t.connectors} links on each "
                           f"{t.connector} connector and no catalog harness fans it out (add a "
                           f"cable of kind harness: {t.connector} to {t.ports // t.connectors} "
                           f"legs, {t.fiber})")
        elif not any(c.fiber == t.fiber and mates(c.connector, t.connector) for c in cords):
            out.append(f"; no {t.fiber} fiber cord in the catalogs has {t.model}'s "
                       f"{t.connector} connector (add one to lay it)")
    return "".join(out)


def _capacities(fabric: Fabric, modes) -> tuple[int, dict[int, int], int, int]:
    n_sub = min(one_tier_endpoints(fabric, layout) for layout in allowed_layouts(fabric))
    radix = max(m.radix for m in modes)
    bound2, spine_radix, downlinks = two_tier_max_endpoints(modes, fabric.max_oversubscription)
    return n_sub, {1: radix, 2: bound2, 3: downlinks * (spine_radix // 2) * spine_radix}, \
        radix, downlinks


def _capacity(fabric: Fabric, site: Site, catalog: Catalog, modes) -> Infeasibility | None:
    """Switch capacity: more endpoints than the allowed tiers can connect."""
    top = max(allowed_tiers(fabric))
    n_sub, capacity, radix, _ = _capacities(fabric, modes)
    if capacity[top] >= n_sub:
        return None
    speed = speed_text(fabric.port_speed_gbps)
    more = {1: "allow 3 hops (2 tiers)", 2: "allow 5 hops (3 tiers)",
            3: "allow more oversubscription"}[top]
    text = (f"{n_sub:,} endpoints at {speed} need more than {top} tier"
            f"{'s' if top > 1 else ''} with the allowed switches ({top}-tier limit is "
            f"{capacity[top]:,} with a {radix}-port radix at {speed}); {more} or a larger switch")
    if top < max(TIER_HOPS):
        return Infeasibility("max_switch_hops", text, n_sub - capacity[top],
                             {"max_switch_hops": TIER_HOPS[top + 1]},
                             ("max_switch_hops", "max_oversubscription"))
    return Infeasibility("max_oversubscription", text, n_sub - capacity[top],
                         suspects=("max_oversubscription",))


def _latency(fabric: Fabric, site: Site, catalog: Catalog, modes) -> Infeasibility | None:
    """A latency limit below the fastest path: the fewest tiers that hold the endpoints, at
    the fastest switch, plus the shortest node-leaf run up and down."""
    if fabric.max_latency_us is None:
        return None
    n_sub, capacity, _, _ = _capacities(fabric, modes)
    need = next(t for t in allowed_tiers(fabric) if capacity[t] >= n_sub)
    crossings = TIER_HOPS[need]
    fastest_ns = min(m.switch.latency_ns for m in usable_modes(fabric, catalog)) * crossings
    cable_ns = 2 * PROPAGATION_NS_PER_M * node_leaf_m(
        site, fabric.layout not in ("any", "tor"), 1)
    if fastest_ns + cable_ns <= 1000 * fabric.max_latency_us:
        return None
    least_us = (fastest_ns + cable_ns) / 1000
    text = (f"max_latency_us: {fabric.max_latency_us:g} us is below the fastest "
            f"possible {least_us:.2f} us ({need} tier(s): "
            f"{crossings} switch crossings at {fastest_ns / crossings:g} ns or "
            "more, plus the shortest cables); raise the limit or allow faster switches")
    return Infeasibility("max_latency_us", text, least_us - fabric.max_latency_us,
                         {"max_latency_us": least_us},
                         ("max_oversubscription", "max_latency_us"))


def _blast_radius(fabric: Fabric, site: Site, catalog: Catalog, modes
                  ) -> Infeasibility | None:
    """A blast radius no leaf meets: even a leaf of one node cuts off more GPUs than
    ``max_gpus_cut_per_switch`` allows, in every allowed layout (``designer.model.blast``)."""
    limit = fabric.max_gpus_cut_per_switch
    if limit is None:
        return None
    gpus = gpus_per_node(fabric, catalog)
    # the fewest GPUs a leaf of each layout cuts off: a group of one node
    least = {layout: gpus_cut_by_leaf(fabric, shape(layout, fabric.endpoints_per_node)
                                      .ports_per_node, 1, gpus)
             for layout in allowed_layouts(fabric)}
    layout = min(least, key=lambda name: (least[name], name))
    if least[layout] <= limit:
        return None
    ways = ("2 planes (each GPU keeps a port in the other)" if fabric.planes == 1 else "")
    if not fabric.node_forwarding and fabric.endpoints_per_node > 1:
        ways += (" or " if ways else "") + ("node_forwarding with a rail layout (a node sends "
                                            "through its other NICs)")
    text = (f"max_gpus_cut_per_switch: {limit} allows no leaf: one failed leaf of a single "
            f"node cuts off {least[layout]} GPU{'s' if least[layout] != 1 else ''} at the least "
            f"({layout}, {fabric.planes} plane{'s' if fabric.planes > 1 else ''}); raise the "
            f"limit to {least[layout]}" + (f", or use {ways}" if ways else ""))
    return Infeasibility("max_gpus_cut_per_switch", text, least[layout] - limit,
                         {"max_gpus_cut_per_switch": least[layout]},
                         ("max_gpus_cut_per_switch", "layout"))


def _blast_capacity(fabric: Fabric, site: Site, catalog: Catalog, modes
                    ) -> Infeasibility | None:
    """A blast radius that leaves more leaves than the allowed tiers connect: leaves of at most
    ``q`` nodes (``designer.model.blast``) make ``ceil(N / q)`` groups, more than a spine's
    radix reaches in two tiers (every leaf meets every spine) or ``radix x radix / 2`` in three
    (pods of at most half a pod spine's ports, as many pods as a core has ports); one tier
    puts every node on one switch."""
    limit = fabric.max_gpus_cut_per_switch
    if limit is None or not modes:
        return None
    top = max(allowed_tiers(fabric))
    gpus = gpus_per_node(fabric, catalog)
    shapes = {layout: shape(layout, fabric.endpoints_per_node)
              for layout in allowed_layouts(fabric)}
    if top == 1:  # one switch a copy takes every node's ports of its copy
        cuts = {layout: gpus_cut_by_leaf(fabric, sh.ports_per_node * sh.leaves_per_group,
                                         fabric.nodes, gpus) for layout, sh in shapes.items()}
        layout = min(cuts, key=lambda name: (cuts[name], name))
        if cuts[layout] <= limit:
            return None
        text = (f"max_gpus_cut_per_switch: {limit} is fewer GPUs than one switch holding every "
                f"node cuts off ({cuts[layout]:,} at the least, {layout}); allow 3 hops "
                "(2 tiers) or raise the limit")
        return Infeasibility("max_gpus_cut_per_switch", text, None, {},
                             ("max_gpus_cut_per_switch", "max_switch_hops"))
    radix = max(m.radix for m in modes)
    downlinks = max_leaf_downlinks(radix, fabric.max_oversubscription)
    reach = {2: radix, 3: radix * (radix // 2)}[top]
    short = []
    for layout, sh in shapes.items():
        group = max((q for q in range(1, min(fabric.nodes, downlinks // sh.ports_per_node) + 1)
                     if within_blast_radius(fabric, sh.ports_per_node, q, gpus)), default=0)
        if not group:
            continue  # not even one node in this layout
        leaves = -(-fabric.nodes // group) * sh.leaves_per_group
        if leaves <= reach:
            return None
        short.append((leaves, layout, group))
    if not short:
        return None
    leaves, layout, group = min(short)
    more = "allow 5 hops (3 tiers) or raise the limit" if top == 2 else "raise the limit"
    text = (f"max_gpus_cut_per_switch: {limit} allows leaves of at most {group} node"
            f"{'s' if group != 1 else ''} ({layout}): {leaves:,} leaves a copy, more than "
            f"{top} tiers of {radix}-port switches connect ({reach:,}); {more}")
    return Infeasibility("max_gpus_cut_per_switch", text, None, {},
                         ("max_gpus_cut_per_switch", "max_switch_hops"))


def _scalable_unit(fabric: Fabric, site: Site, catalog: Catalog, modes
                   ) -> Infeasibility | None:
    """A scalable unit no allowed leaf can take in whole cages."""
    su = fabric.scalable_unit_nodes
    if su is None or fabric.layout != "rail-optimized":
        return None
    if any(su <= max_leaf_downlinks(m.radix, fabric.max_oversubscription)
           and su % m.cage_ports == 0 for m in modes):
        return None
    _, _, _, downlinks = _capacities(fabric, modes)
    text = (f"no allowed switch can take a rail of a {su}-node scalable unit at "
            f"{speed_text(fabric.port_speed_gbps)}: each needs {su} downlinks in whole cages "
            f"(at most {downlinks} per leaf); change scalable_unit_nodes")
    return Infeasibility("scalable_unit_nodes", text, su - downlinks,
                         {"scalable_unit_nodes": None}, ("scalable_unit_nodes", "layout"))


def _unplugged(fabric: Fabric, site: Site, catalog: Catalog, modes) -> Infeasibility | None:
    """No leaf cage of any allowed switch can be cabled to any usable NIC, even over the
    shortest run: no module pair or cable plugs into both ends. Names what each end takes and
    the catalog parts that fit it."""
    nics = usable_nics(fabric, catalog)
    if not nics or not modes:
        return None
    speed = fabric.port_speed_gbps
    unchecked = CagePricer(catalog, speed)
    if not any(unchecked.cheapest((0.5,) * m.cage_ports, (m.cage_ports, None),
                                  m.switch.protocol) for m in modes):
        return None  # nothing cables even without the cage facts: not a fit problem
    if any(CagePricer(catalog, speed, node_cage(fabric, catalog, nic)).cheapest(
            (0.5,) * mode.cage_ports, mode.cage_key, mode.switch.protocol) is not None
           for nic in nics for mode in modes):
        return _unplugged_above(fabric, catalog, modes)
    mode, nic = modes[0], nics[0]
    node = node_cage(fabric, catalog, nic)
    at_switch = _fitting(catalog, speed, lambda plug, n: plugs(plug, mode.cage_key, n),
                         mode.cage_ports)
    at_nic = _fitting(catalog, speed, lambda plug, n: plugs(plug, node, n), node[0])
    where = f"{nic.model} ports" if node[0] == 1 else f"{fabric.server} cages ({node[0]} ports)"
    text = (f"no cabling at {speed_text(speed)} plugs into both ends of a node-leaf link: "
            f"{mode.model} cages take {cage_text(mode.switch.cage)} "
            f"(catalog parts that fit: {at_switch}), {where} take "
            f"{cage_text(node[1])} (parts that fit: {at_nic}); two modules must also share "
            "their fiber, connector and optical lane rate. Fix: add a module or cable that "
            "fits both ends, or allow other switch_models or nic_models")
    return Infeasibility("parts", text, suspects=("switch_models", "nic_models"))


def _unplugged_above(fabric: Fabric, catalog: Catalog, modes) -> Infeasibility | None:
    """The fabric needs more than one switch, and no medium joins the cages of any two
    allowed switches (a module pair, or a direct cable, that plugs into both)."""
    n_sub, _, radix, _ = _capacities(fabric, modes)
    if n_sub <= radix:
        return None
    speed = fabric.port_speed_gbps
    keys = list(dict.fromkeys(m.cage_key for m in modes))
    media = media_options(catalog, speed, {ports for ports, _ in keys})
    if any(m.fits1(a) and m.fits2(b) for m in media for a in keys for b in keys):
        return None
    mode = modes[0]
    at_switch = _fitting(catalog, speed, lambda plug, n: plugs(plug, mode.cage_key, n),
                         mode.cage_ports)
    text = (f"no medium at {speed_text(speed)} joins two switches: {n_sub:,} endpoints need "
            f"more than one, and no module pair or direct cable plugs into the cages of two "
            f"allowed switches ({mode.model} cages take {cage_text(mode.switch.cage)}; "
            f"catalog parts that fit them: {at_switch}). Fix: add modules, fibers or cables "
            "that fit those cages, or allow other switch_models")
    return Infeasibility("parts", text, suspects=("switch_models",))


def _fitting(catalog: Catalog, speed_gbps: float, fits, ports: int) -> str:
    """The models of modules and direct-cable ends at ``speed_gbps`` that ``fits(plug,
    links)`` accepts, a few by name."""
    found = [t.model for t in catalog.transceivers.values()
             if t.port_speed_gbps == speed_gbps and t.ports == ports
             and fits(module_plug(t), t.ports)]
    for c in catalog.cables.values():
        if c.port_speed_gbps == speed_gbps and c.kind in DIRECT_KINDS:
            near, far = cable_plugs(c)
            if fits(near, c.links) or (c.links == 1 and fits(far, 1)):
                found.append(c.model)
    found = sorted(found)
    return (", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
            if found else "none")


def _reach(fabric: Fabric, site: Site, catalog: Catalog, modes) -> Infeasibility | None:
    """A run longer than every medium reaches: the shortest node-leaf run, or (when one
    switch cannot take the fabric) the shortest leaf-spine run any group size gives."""
    speed = speed_text(fabric.port_speed_gbps)
    options = media_options(catalog, fabric.port_speed_gbps, {m.cage_ports for m in modes})
    longest = max((m.reach_m for m in options), default=0.0)
    rail = fabric.layout not in ("any", "tor")
    run = node_leaf_m(site, rail, 1)
    cls, advice = LinkClass.NODE_LEAF, "add longer cables or optics"
    n_sub, _, radix, _ = _capacities(fabric, modes)
    if longest >= run and max(allowed_tiers(fabric)) > 1 and n_sub > radix:
        run = min(leaf_spine_m(site, fabric.nodes, q, rail) for q in (radix, 1))
        cls, advice = LinkClass.LEAF_SPINE, "add longer fibers or optics"
    if longest >= run:
        return None
    key = f"site.{cls.site_key}"
    text = (f"no medium at {speed} reaches the {run:g} m {cls} run (longest reach "
            f"{longest:g} m); {advice}, or set {key}" + _unfanned(fabric, catalog))
    return Infeasibility(key, text, run - longest, {key: longest},
                         ("site", "site.racks_per_row", "reach"))


def _speeds(speeds) -> str:
    return ", ".join(f"{v:g}G" for v in sorted(set(speeds))) or "none"


def _parts_speeds(fabric: Fabric, catalog: Catalog, kind: str) -> list[float]:
    """Speeds at which the fabric's protocol and allow-lists have NICs or switch ports."""
    if kind == "NIC":
        return [v for v in {n.port_speed_gbps for n in catalog.nics.values()}
                if usable_nics(fabric.model_copy(update={"port_speed_gbps": v}), catalog)]
    speeds = {m.port_speed_gbps for sw in catalog.switches.values() for m in switch_modes(sw)}
    return [v for v in speeds
            if usable_modes(fabric.model_copy(update={"port_speed_gbps": v}), catalog)]


def _unslotted_nics(fabric: Fabric, catalog: Catalog) -> Infeasibility | None:
    """NICs at the fabric's speed exist, but none fits its server: the slot's PCIe link cannot
    feed the ports the fabric uses on a card, or the cards outnumber the slots."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    unslotted = fabric.model_copy(update={"server": None})
    cards = usable_nics(unslotted, catalog)
    if server is None or not cards:
        return None
    used = fabric.endpoints_per_node * fabric.planes
    why = []
    for nic in cards:
        feeds = host_gbps(nic, server)
        need = card_load_gbps(nic, used, fabric.port_speed_gbps)
        if feeds is not None and need > feeds:
            why.append(f"{nic.model} would carry {need:g} Gb/s on a link that feeds "
                       f"{feeds:g} Gb/s")
        else:
            why.append(f"{nic.model} needs {nics_per_node(fabric, nic)} cards per server, "
                       f"{server.model} has {server.nic_slots} slots")
    text = (f"no NIC card fits {server.model} (PCIe Gen{server.pcie_gen or '-'}, "
            f"{server.nic_slots or 'any number of'} slots): {'; '.join(why)}; fix: a card "
            "with a faster host link or more ports per card, fewer endpoints_per_node or "
            "planes, or a server with faster or more slots")
    return Infeasibility("parts", text, suspects=("endpoints_per_node", "planes"))


def missing_parts(fabric: Fabric, catalog: Catalog) -> Infeasibility | None:
    """What the catalog lacks for ``fabric`` (no NIC or no switch at its speed and protocol),
    with the speeds it does have and the loosening that would supply the parts; ``None``
    when both exist."""
    speed = f"{fabric.port_speed_gbps:g}G"
    protocol = "" if fabric.protocol == "any" else f" {fabric.protocol}"
    for kind, have in (("NIC", usable_nics), ("switch", usable_modes)):
        if have(fabric, catalog):
            continue
        if kind == "NIC":
            unslotted = _unslotted_nics(fabric, catalog)
            if unslotted is not None:
                return unslotted
        what = "NIC" if kind == "NIC" else "switch with ports (natively or by breakout)"
        allowed = "" if kind == "NIC" else " allowed"
        speeds = _parts_speeds(fabric, catalog, kind)
        have_text = (f"they have{protocol} {kind}s at {_speeds(speeds)}" if speeds
                     else f"they have no{allowed}{protocol} {kind} at any speed")
        text = (f"no{allowed}{protocol} {what} at {speed} in the catalogs "
                f"({', '.join(catalog.files)}); {have_text}")
        fixes, fix = [], {}
        if fabric.protocol != "any" and not missing_parts(
                fabric.model_copy(update={"protocol": "any"}), catalog):
            fixes.append("protocol: any (the other protocol has the parts)")
            fix["protocol"] = "any"
        models = "switch_models" if kind == "switch" else "nic_models"
        if getattr(fabric, models) is not None and not missing_parts(
                fabric.model_copy(update={models: None}), catalog):
            fixes.append(f"drop {models} (other models have the parts)")
            fix[models] = None
        if speeds:
            fixes.append("choose one of those speeds")
        fixes.append(f"add a {speed}{protocol} {kind} to a catalog")
        return Infeasibility("parts", f"{text}; fix: {' or '.join(fixes)}", fix=fix,
                             suspects=tuple(fix))
    return None
