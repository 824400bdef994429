"""Rack space: the servers of a rack fit it, and the chosen switches fit where they stand.

Rack units are counted as the floor stacks them (``designer.site.grid``): servers from U1 up,
switches from the top down, ``RESERVED_UNITS`` kept for patching in a network rack. A design
whose switches would not fit is refused (an :class:`InfeasibleError` naming the units short and
the settings that make room) rather than placed where the plan could not measure its runs.
"""

from __future__ import annotations

import math

from designer.errors import InfeasibleError, InputError
from designer.inputs.schema import Fabric, Server, Site
from designer.site.grid import DEFAULT_NODE_UNITS, RESERVED_UNITS


def check_rack_space(label: str, fabric: Fabric, site: Site, server: Server | None) -> None:
    """The servers of a rack must fit in it (``nodes_per_rack x rack_units <= site rack_units``)
    and its power budget (``nodes_per_rack x power_w <= 1000 x rack_power_kw``)."""
    units = server.rack_units if server else DEFAULT_NODE_UNITS
    if site.nodes_per_rack * units > site.rack_units:
        raise InputError(f"{label}: site.nodes_per_rack: {site.nodes_per_rack} servers of "
                         f"{units}U ({fabric.server or 'default size'}) do not fit a "
                         f"{site.rack_units}U rack")
    server_w = server.power_w if server else 0.0
    if site.rack_power_kw is not None and site.nodes_per_rack * server_w > \
            1000 * site.rack_power_kw + 1e-6:
        raise InputError(f"{label}: site.nodes_per_rack: {site.nodes_per_rack} servers of "
                         f"{server_w / 1000:g} kW ({fabric.server}) draw more than "
                         f"site.rack_power_kw: {site.rack_power_kw:g}; leave nodes_per_rack out "
                         "(the budget then sets it) or lower it")


def check_switch_space(structure, site: Site, server: Server | None, shared: bool = False
                       ) -> None:
    """The chosen leaves fit their group's rack, and no switch is taller than a rack.

    A top-of-rack leaf sits above the servers of its rack; rail leaves share a network rack per
    group (one per rail and plane). Leaves that would not fit are refused rather than placed
    where the plan could not measure their runs: an :class:`InfeasibleError` naming the rack
    units short and settings that make room. (A fabric on servers another fabric placed has
    its leaves checked rack by rack as the hall fills: ``hall.ServerHall.add``.)
    """
    name = structure.fabric.name
    modes = [structure.leaf.mode]
    modes += [m for m in (structure.spine and structure.spine.mode,
                          structure.pod and structure.pod.mode, structure.core) if m]
    budget_w = None if site.rack_power_kw is None else 1000 * site.rack_power_kw
    for mode in modes:
        if budget_w is not None and mode.switch.power_w > budget_w:
            raise InfeasibleError(
                f"fabric '{name}': site.rack_power_kw: {mode.model} draws "
                f"{mode.switch.power_w / 1000:g} kW, more than a {site.rack_power_kw:g} kW rack "
                f"feeds; fix: site.rack_power_kw: {mode.switch.power_w / 1000:g} or leave "
                f"{mode.model} out with switch_models")
        if mode.switch.rack_units > site.rack_units - RESERVED_UNITS:
            raise InfeasibleError(
                f"fabric '{name}': site.rack_units: {mode.model} is "
                f"{mode.switch.rack_units}U, taller than a {site.rack_units}U rack leaves room "
                f"for; fix: site.rack_units: {mode.switch.rack_units + RESERVED_UNITS} or leave "
                f"{mode.model} out with switch_models")
    if shared:
        return
    sh = structure.shape
    per_plane = structure.leaf.shape.leaves_per_group * sh.subfabrics
    leaves = structure.fabric.planes * per_plane
    leaf_units = modes[0].switch.rack_units
    node_units = server.rack_units if server else DEFAULT_NODE_UNITS
    below = 0 if sh.rail else site.nodes_per_rack * node_units
    room = site.rack_units - below
    need = leaves * leaf_units
    check_group_power(structure, site, server, leaves)
    if need > room:
        where = "network rack" if sh.rail else "top-of-rack space"
        fixes = [f"site.rack_units: {need + below}"]
        if room // (per_plane * leaf_units) >= 1:
            fixes.append(f"planes: {room // (per_plane * leaf_units)}")
        if not sh.rail and site.rack_units - need >= node_units:
            fixes.append(f"site.nodes_per_rack: {(site.rack_units - need) // node_units}")
        raise InfeasibleError(
            f"fabric '{name}': site: the {leaves} leaves of a group "
            f"({leaf_units}U each, {structure.fabric.planes} plane(s)) need {need}U and do not "
            f"fit the {room}U of its {where} ({need - room}U short); fix: {' or '.join(fixes)}")


def check_group_power(structure, site: Site, server: Server | None, leaves: int) -> None:
    """A group's rack stays within ``rack_power_kw``: a top-of-rack leaf's rack holds
    ``nodes_per_rack`` servers and the group's leaves, a rail group's network rack its leaves.
    (Racks of the tiers above hold no more than their budget feeds: ``site.grid.per_rack``.)"""
    if site.rack_power_kw is None:
        return
    budget_w = 1000 * site.rack_power_kw
    rail = structure.shape.rail
    server_w = 0.0 if rail or server is None else server.power_w  # no servers in a rail rack
    leaf_w = structure.leaf.mode.switch.power_w
    drawn_w = (0 if rail else site.nodes_per_rack) * server_w + leaves * leaf_w
    if drawn_w <= budget_w + 1e-6:
        return
    name = structure.fabric.name
    where = "network rack" if rail else "rack of servers and top-of-rack leaves"
    fixes = [f"site.rack_power_kw: {math.ceil(drawn_w / 100) / 10:g}"]
    if not rail and server_w and budget_w - leaves * leaf_w >= server_w:
        fixes.append(f"site.nodes_per_rack: {int((budget_w - leaves * leaf_w) // server_w)}")
    raise InfeasibleError(
        f"fabric '{name}': site.rack_power_kw: a group's {where} draws "
        f"{drawn_w / 1000:,.2f} kW ({leaves} leaves of {leaf_w:g} W"
        + (f", {site.nodes_per_rack} servers of {server_w:g} W" if not rail else "")
        + f"), over the {site.rack_power_kw:g} kW budget; fix: {' or '.join(fixes)}")
