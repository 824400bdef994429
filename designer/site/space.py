"""Rack space: the servers of a rack fit it, and the chosen switches fit where they stand.

Rack units are counted as the floor stacks them (``designer.site.grid``): servers from U1 up,
switches from the top down, ``RESERVED_UNITS`` kept for patching in a network rack. A design
whose switches would not fit is refused (an :class:`InfeasibleError` naming the units short and
the settings that make room) rather than placed where the plan could not measure its runs.
"""

from __future__ import annotations

from designer.errors import InfeasibleError, InputError
from designer.inputs.schema import Fabric, Server, Site
from designer.site.grid import DEFAULT_NODE_UNITS, RESERVED_UNITS


def check_rack_space(label: str, fabric: Fabric, site: Site, server: Server | None) -> None:
    """The servers of a rack must fit in it (``nodes_per_rack x rack_units <= site rack_units``)."""
    units = server.rack_units if server else DEFAULT_NODE_UNITS
    if site.nodes_per_rack * units > site.rack_units:
        raise InputError(f"{label}: site.nodes_per_rack: {site.nodes_per_rack} servers of "
                         f"{units}U ({fabric.server or 'default size'}) do not fit a "
                         f"{site.rack_units}U rack")


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
    for mode in modes:
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
