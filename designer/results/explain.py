"""Plain-language explanations of a designed fabric: what was built and which limits shaped it.

Every sentence is computed from the solved structure, the demand and (when given) the catalog,
with small arithmetic helpers that are tested on their own. Nothing here re-solves anything: a
statement such as "radix forces more than one tier" is a proof by counting, and a statement that
rests on the optimizer ("found cheaper") says so. The capacity bounds are
:mod:`designer.model.capacity`'s; why *no* design exists is :mod:`designer.diagnose`'s question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from designer.inputs.catalog import Catalog, SwitchMode
from designer.inputs.schema import DIRECT_KINDS, Cable, Fabric
from designer.inputs.servers import server_gpus
from designer.model.blast import gpus_cut_by_leaf, within_blast_radius
from designer.model.candidates import allowed_layouts, allowed_tiers, usable_modes
from designer.model.capacity import one_tier_endpoints, two_tier_max_endpoints
from designer.model.fit import cage_text, direct_fits
from designer.model.links import TIER_HOPS
from designer.site.devices import FabricFloor
from designer.site.grid import DEFAULT_NODE_UNITS
from designer.text import PROTOCOL_NAMES, length_text, mode_text, plural, speed_text

if TYPE_CHECKING:
    from designer.model.structure import FabricStructure
    from designer.results.result import FabricResult


# --------------------------------------------------------------------------------------------
# What was built


def describe_structure(fabric_result: FabricResult) -> list[str]:
    """The chosen switch structure, one sentence per tier, then the copies and totals."""
    s = fabric_result.structure
    if s.tiers == 1:
        lines = [_single_switch_line(s)]
    else:
        lines = [_leaf_line(s)]
        lines += [_spine_line(s)] if s.tiers == 2 else _pod_lines(s)
    if s.copies > 1:
        lines.append(f"Counts above are per copy: the fabric has {s.copies} identical copies "
                     f"({plural(s.fabric.planes, 'plane')} x "
                     f"{plural(s.shape.subfabrics, 'sub-fabric')}).")
    return lines


def direct_cables(catalog: Catalog, port_speed_gbps: float, protocol: str) -> list[Cable]:
    """Cables that plug in without transceivers at ``port_speed_gbps``, longest reach first."""
    cables = [c for c in catalog.cables.values()
              if c.kind in DIRECT_KINDS and c.port_speed_gbps == port_speed_gbps
              and c.protocol in (None, protocol)]
    return sorted(cables, key=lambda c: (-c.reach_m, c.model))


def _single_switch_line(s: FabricStructure) -> str:
    mode = s.leaf.mode
    n_sub = s.endpoints_per_subfabric
    return (f"Single switch: 1 x {mode.model} in {mode_text(mode)} mode takes all {n_sub:,} "
            f"endpoints ({mode.radix - n_sub} ports spare).")


def _leaf_line(s: FabricStructure) -> str:
    leaf = s.leaf
    group = f"{plural(leaf.groups, 'group')} of {plural(leaf.group_nodes, 'node')}"
    if s.shape.leaves_per_group > 1:
        group += f", {s.shape.leaves_per_group} rail leaves per group"
    return (f"Leaves: {leaf.leaves:,} x {leaf.mode.model} in {mode_text(leaf.mode)} mode, each "
            f"with {leaf.downlinks} downlinks and {leaf.uplinks} uplinks ({group}).")


def _spine_line(s: FabricStructure) -> str:
    spine, leaf = s.spine, s.leaf
    copies = " per plane and rail" if s.copies > 1 else ""
    racks = (f" They stand in {plural(leaf.spine_racks, 'rack')}{copies}, each leaf sending "
             f"{leaf.spine_block} of its uplinks to each; every leaf-spine run is measured "
             f"and takes the cheapest cord that reaches it." if leaf.spine_racks > 1 else
             f" It stands in one rack{copies}; every leaf-spine run is measured and takes the "
             f"cheapest cord that reaches it.")
    return (f"Spines: {s.spines:,} x {spine.mode.model} in {mode_text(spine.mode)} mode, each "
            f"with {plural(spine.links_per_leaf, 'link')} to every leaf.{racks}")


def _pod_lines(s: FabricStructure) -> list[str]:
    pod, leaf = s.pod, s.leaf
    cores = leaf.uplinks * pod.cores_per_group
    return [
        f"Pods: {plural(s.pods, 'pod')} of up to {pod.leaves_per_pod} leaves; each pod has "
        f"{leaf.uplinks} spines ({pod.mode.model} in {mode_text(pod.mode)} mode), each with one "
        f"link from every leaf of its pod and {pod.leaves_per_pod} links up.",
        f"Cores: {cores:,} x {s.core.model} in {mode_text(s.core)} mode, in {leaf.uplinks} groups "
        f"of {pod.cores_per_group}; each core has {plural(pod.links_per_core, 'link')} to "
        f"every pod.",
    ]


# --------------------------------------------------------------------------------------------
# Why it was built that way


def binding_limits(fabric_result: FabricResult, catalog: Catalog | None = None) -> list[str]:
    """The limits that shaped this design, as sentences.

    Parameters
    ----------
    fabric_result
        One designed fabric.
    catalog
        The catalog it was designed from. With it, radix and reach arguments range over every
        allowed part; without it, only over the parts in the design (and say so).

    Examples
    --------
    A 1,024-endpoint fabric on 64-port switches gives sentences such as "Radix forces more
    than one tier: 1 tier needs one switch with at least 1,024 ports at 400G ...".
    """
    s = fabric_result.structure
    modes = _candidate_modes(s, catalog)
    return [
        *_choice_limits(s, catalog),
        *_tier_limits(fabric_result, modes, catalog is not None),
        *_hop_limits(s),
        *_oversubscription_limits(s),
        *_group_limits(s),
        *_blast_limits(fabric_result),
        *_floor_limits(fabric_result),
        *_media_limits(fabric_result, catalog),
        *_copy_limits(s),
    ]


def _candidate_modes(s: FabricStructure, catalog: Catalog | None) -> list[SwitchMode]:
    if catalog is not None:
        return usable_modes(s.fabric, catalog)
    modes = {mode.key: mode for mode, _ in s.counts.switches.values()}
    return [modes[key] for key in sorted(modes)]


def _verb(fabric_result: FabricResult) -> str:
    return "proved" if fabric_result.solve.optimal else "found"


def _choice_limits(s: FabricStructure, catalog: Catalog | None) -> list[str]:
    f, out = s.fabric, []
    layouts = allowed_layouts(f)
    if f.layout != "any":
        out.append(f"The demand fixes the layout to {s.layout}.")
    elif len(layouts) > 1:
        out.append(f"Layout {s.layout} was the cheapest of {', '.join(layouts)}.")
    name = PROTOCOL_NAMES.get(s.protocol, s.protocol)
    if f.protocol != "any":
        out.append(f"The demand fixes the protocol to {name}.")
    elif catalog is not None and len(_protocols_with_switches(f, catalog)) < 2:
        out.append(f"{name} is the only protocol with {speed_text(f.port_speed_gbps)} "
                   f"switches in the catalog.")
    else:
        out.append(f"{name} was the cheaper protocol (the demand allows either).")
    if f.switch_models is not None:
        out.append(f"switch_models limits the switches to {', '.join(f.switch_models)}.")
    return out


def _protocols_with_switches(f: Fabric, catalog: Catalog) -> set[str]:
    return {m.switch.protocol for m in usable_modes(f, catalog)}


def _tier_limits(fabric_result: FabricResult, modes: list[SwitchMode], complete: bool
                 ) -> list[str]:
    s = fabric_result.structure
    f = s.fabric
    speed = speed_text(f.port_speed_gbps)
    n_sub = min(one_tier_endpoints(f, layout) for layout in allowed_layouts(f))
    scope = "allowed switches" if complete else "switches in this design"
    if s.tiers == 1:
        return [f"One switch takes all {s.endpoints_per_subfabric:,} endpoints of each sub-fabric, "
                f"so every path crosses a single switch and nothing is oversubscribed."]
    out = []
    tiers = allowed_tiers(f)
    if 1 in tiers and modes:
        best = max(modes, key=lambda m: (m.radix, m.key))
        if best.radix < n_sub:
            out.append(f"Radix forces more than one tier: 1 tier needs one switch with at least "
                       f"{n_sub:,} ports at {speed}, and the largest of the {scope} has "
                       f"{best.radix} ({best.model}).")
        else:
            out.append(f"Radix alone allows 1 tier (the {best.radix}-port {best.model} could "
                       f"take all {n_sub:,} endpoints); the optimizer {_verb(fabric_result)} "
                       f"{s.tiers} tiers cheaper under the other limits.")
    if s.tiers == 3 and 2 in tiers:
        out.append(_two_tier_sentence(fabric_result, modes, n_sub, scope))
    return out


def _two_tier_sentence(fabric_result: FabricResult, modes: list[SwitchMode], n_sub: int,
                       scope: str) -> str:
    o = fabric_result.structure.fabric.max_oversubscription
    bound, k, d = two_tier_max_endpoints(modes, o)
    if bound < n_sub:
        return (f"Radix forces a third tier: 2 tiers reach at most {bound:,} endpoints per "
                f"sub-fabric ({k} leaves, the most a {k}-port spine can meet, with at most {d} "
                f"downlinks each at {o:g}:1 on the {scope}); this fabric needs "
                f"{n_sub:,}.")
    return (f"Radix alone allows 2 tiers (up to {bound:,} endpoints per sub-fabric); the optimizer "
            f"{_verb(fabric_result)} 3 tiers cheaper under the other limits.")


def _hop_limits(s: FabricStructure) -> list[str]:
    f = s.fabric
    cap = max(allowed_tiers(f))
    if cap >= max(TIER_HOPS) or s.tiers < cap:
        return []
    return [f"The hop limit (max_switch_hops: {f.max_switch_hops}) caps the design at "
            f"{plural(cap, 'tier')}: {cap + 1} tiers take {TIER_HOPS[cap + 1]} switch hops."]


def _oversubscription_limits(s: FabricStructure) -> list[str]:
    if s.tiers == 1:
        return []
    f, leaf = s.fabric, s.leaf
    d, u, used, allowed = leaf.downlinks, leaf.uplinks, s.oversubscription, f.max_oversubscription
    split = f"{d} down, {u} up"
    if allowed <= 1.0:
        return [f"Non-blocking is required (max_oversubscription: 1), so each leaf has at least "
                f"as many uplinks as downlinks ({split})."]
    if used >= allowed - 1e-9:
        return [f"Leaves use the full allowed oversubscription of {allowed:g}:1 ({split}), "
                f"which saves uplinks, spine ports and optics."]
    return [f"Leaves run at {used:.3g}:1 ({split}) although {allowed:g}:1 is allowed: the "
            f"optimizer found this split cheapest once whole cages, the leaf group size and the "
            f"spine count are counted."]


def _group_limits(s: FabricStructure) -> list[str]:
    f = s.fabric
    if s.tiers == 1 or s.layout != "rail-optimized" or f.scalable_unit_nodes is None:
        return []
    leaf = s.leaf
    return [f"Leaf groups are fixed by scalable_unit_nodes: {f.scalable_unit_nodes} nodes, so "
            f"each rail leaf has {leaf.downlinks} downlinks ({plural(leaf.groups, 'group')} of "
            f"{s.shape.leaves_per_group} rail leaves)."]


def _blast_limits(fabric_result: FabricResult) -> list[str]:
    """What ``max_gpus_cut_per_switch`` allows the chosen layout (``designer.model.blast``):
    the largest leaf group within it, and what one failed leaf of the design cuts off."""
    s = fabric_result.structure
    f = s.fabric
    if f.max_gpus_cut_per_switch is None:
        return []
    gpus = server_gpus(f, fabric_result.server)
    ports = s.shape.ports_per_node
    cut = gpus_cut_by_leaf(f, ports, s.group_nodes, gpus)
    limit = (f"max_gpus_cut_per_switch: {f.max_gpus_cut_per_switch} lets one failed switch "
             f"cut off at most {plural(f.max_gpus_cut_per_switch, 'GPU')}")
    if s.tiers == 1:
        return [f"{limit}; the one switch of each copy cuts off {plural(cut, 'GPU')} when it "
                "fails."]
    largest = max((q for q in range(1, f.nodes + 1)
                   if within_blast_radius(f, ports, q, gpus)), default=0)
    return [f"{limit}: {s.layout} leaves of up to {plural(largest, 'node')} meet it; the "
            f"design's leaves take {plural(s.group_nodes, 'node')}, so one failed leaf cuts off "
            f"{plural(cut, 'GPU')}."]


def _floor_limits(fabric_result: FabricResult) -> list[str]:
    """Where the floor, not the radix, shaped the design: servers per rack under a power
    budget, network racks that a rack's units or power limit, and a fabric too big for a
    hall."""
    s, site = fabric_result.structure, fabric_result.site
    if site is None:
        return []
    out = []
    server = fabric_result.server
    if site.rack_power_kw is not None and server is not None:
        racks = -(-s.group_nodes // site.nodes_per_rack)
        out.append(f"The floor sets the racks: {site.rack_power_kw:g} kW per rack "
                   f"(site.rack_power_kw) feeds {plural(site.nodes_per_rack, 'server')} of "
                   f"{server.power_w / 1000:.3g} kW, so each leaf group of "
                   f"{plural(s.group_nodes, 'node')} fills {plural(racks, 'rack')}.")
    if s.tiers > 1 and s.leaf.spine_block:
        above = "spines" if s.tiers == 2 else "spines of each pod"
        out.append(f"A network rack holds at most {s.leaf.rack_holds} of the tallest and "
                   f"hungriest switch the fabric may use (site.rack_units"
                   f"{', site.rack_power_kw' if site.rack_power_kw is not None else ''}), so "
                   f"the {above} of each plane and rail stand in "
                   f"{plural(s.leaf.spine_racks, 'rack')}, each leaf sending "
                   f"{s.leaf.spine_block} of its uplinks to each.")
    floor = FabricFloor(s, site, server.rack_units if server else DEFAULT_NODE_UNITS,
                        fabric_result.hall)
    if floor.campus:
        halls = -(-floor.rows // site.rows_per_hall)
        longest = max((fabric_result.lengths_m.get(cls, 0.0) for cls in s.media), default=0.0)
        out.append(f"The floor, not the radix, spreads the fabric over {halls} halls: its "
                   f"{floor.rows:,} rows of racks exceed a hall of {site.rows_per_hall} "
                   f"(site.rows_per_hall), and runs above the leaf reach "
                   f"{length_text(longest)} across them.")
    return out


def _media_limits(fabric_result: FabricResult, catalog: Catalog | None) -> list[str]:
    s = fabric_result.structure
    out = [_node_links_sentence(s, fabric_result.lengths_m.get("node-leaf"), catalog)]
    for cls, medium in s.media.items():
        length_m = fabric_result.lengths_m.get(cls)
        if medium.transceiver1 is None:
            laid = [cable for cable, _ in s.cords(cls)]
            kinds = "/".join(dict.fromkeys(c.kind.upper() for c in laid))
            models = ", ".join(c.model for c in laid)
            reach = length_text(max(c.reach_m for c in laid))
            out.append(f"{cls} links use {kinds} cables ({models}): the worst run of "
                       f"{length_text(length_m)} is within their {reach} reach, so no "
                       f"transceivers are needed.")
        else:
            out.append(_optics_sentence(s, cls, length_m, catalog))
    return out


def _node_links_sentence(s: FabricStructure, length_m: float | None,
                         catalog: Catalog | None) -> str:
    """How node-leaf cages are cabled: each the cheapest way its runs allow."""
    ways = s.node_links.ways()
    if len(ways) == 1 and ways[0].leaf_end is not None:
        return _optics_sentence(s, "node-leaf", length_m, catalog)
    if len(ways) == 1:
        way = ways[0]
        kind = way.kind.split()[0].upper()
        if len(way.cables) == 1:
            return (f"node-leaf links use {kind} cables ({way.cables[0][0]}): the worst run of "
                    f"{length_text(length_m)} is within their {length_text(way.reach_m)} reach, "
                    "so no transceivers are needed.")
        cables = ", ".join(model for model, _ in way.cables)
        return (f"node-leaf links use {kind} cables ({cables}), each run on the shortest that "
                f"reaches it (the worst run is {length_text(length_m)}), so no transceivers are "
                "needed.")
    parts = [f"{plural(w.links * s.copies, 'link')} by {w.kind} "
             f"({', '.join(model for model, _ in w.cables)}"
             f"{f', fanned out by {w.harness.model}' if w.harness is not None else ''}) "
             f"for runs up to {length_text(w.worst_run_m)}" for w in ways]
    return ("node-leaf links are cabled cage by cage, each the cheapest way its runs allow: "
            + "; ".join(parts) + ".")


def _optics_sentence(s: FabricStructure, cls: str, length_m: float | None,
                     catalog: Catalog | None) -> str:
    speed = speed_text(s.fabric.port_speed_gbps)
    if catalog is None:
        return f"{cls} links are optical (worst run {length_text(length_m)})."
    cables = direct_cables(catalog, s.fabric.port_speed_gbps, s.protocol)
    if not cables:
        return f"{cls} links are optical: the catalog has no direct cable at {speed}."
    longest = cables[0]
    if cls == "node-leaf" and not any(
            direct_fits(c, s.leaf.mode.cage_key, s.node_cage) for c in cables):
        ports, cage = s.node_cage
        where = (f"the {s.fabric.server or 'node'}'s {ports}-port cages ({cage_text(cage)})"
                 if ports > 1 else f"the {s.nic.model} ports ({cage_text(cage)})")
        return (f"node-leaf links are optical: no direct cable at {speed} plugs into both the "
                f"{s.leaf.mode.model} cages ({cage_text(s.leaf.mode.switch.cage)}) and "
                f"{where}.")
    if length_m is not None and length_m > longest.reach_m:
        return (f"{cls} links are optical because the worst run of {length_text(length_m)} "
                f"exceeds the reach of every direct cable at {speed} (longest: {longest.model}, "
                f"{length_text(longest.reach_m)}).")
    return (f"{cls} links are optical although {longest.model} reaches "
            f"{length_text(longest.reach_m)}: with these switch cages, optics came out cheaper.")


def _copy_limits(s: FabricStructure) -> list[str]:
    f, out = s.fabric, []
    if s.shape.subfabrics > 1:
        out.append(f"Rail-only: each of the {s.shape.subfabrics} rails is its own sub-fabric "
                   f"(cross-rail traffic crosses the node's internal fabric), which multiplies "
                   f"switch and link counts by {s.shape.subfabrics}; bisection is reported and "
                   f"verified within each rail, not between rails.")
    if f.planes > 1:
        out.append(f"planes: {f.planes} independent planes multiply every switch, link and "
                   f"optic count by {f.planes}.")
    return out
