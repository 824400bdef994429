"""The main job: design every fabric of a demand from a catalog.

Checks the demand against the catalog (references, parts at the right speed), builds and solves
one MILP per fabric, and checks that the solver's objective equals the recomputed bill of
materials before anything is returned.
"""

from __future__ import annotations

import difflib
import math

from designer.candidates import usable_modes, usable_nics
from designer.catalog import Catalog
from designer.errors import InfeasibleError, InputError, SolverError
from designer.floor import DEFAULT_NODE_UNITS, fabric_site
from designer.formulation import build_model
from designer.loading import Demand, demand_catalogs, load_catalog
from designer.objective import energy_priced, rebase, usd_per_watt
from designer.result import DesignResult, FabricResult
from designer.schema import Fabric
from designer.solve import SOLVERS, solve


def design(demand: Demand, catalog: Catalog | None = None, solver: str = "highs",
           time_limit: float | None = None) -> DesignResult:
    """Design the cheapest fabric for every fabric of ``demand``.

    Parameters
    ----------
    demand
        From :func:`designer.load_demand`.
    catalog
        From :func:`designer.load_catalog`; ``None`` loads the catalogs the demand names (all
        shipped catalogs when it names none).
    solver
        ``"highs"`` (default) or ``"cbc"``.
    time_limit
        Seconds per fabric; ``None`` for no limit.

    Raises
    ------
    InputError
        The demand names parts the catalog does not have.
    InfeasibleError
        No design of some fabric meets its demand.
    SolverError
        The solver failed or ran out of time without a feasible design.

    Examples
    --------
    >>> import designer
    >>> demand = designer.load_demand("examples/lab-16.yaml")
    >>> result = designer.design(demand)
    >>> result.optimal
    True
    """
    if solver not in SOLVERS:
        raise InputError(f"solver: unknown solver '{solver}' (choose one of: {', '.join(SOLVERS)})")
    if time_limit is not None and not (time_limit > 0 and math.isfinite(time_limit)):
        raise InputError(f"time_limit: must be a positive number of seconds, got {time_limit}")
    if catalog is None:
        catalog = load_catalog(demand_catalogs(demand))
    check_references(demand, catalog)
    objective = demand.spec.objective
    priced = energy_priced(catalog, objective)  # the catalog itself for a capex objective
    fabrics = []
    for fabric in demand.fabrics:
        check_parts_exist(demand, fabric, catalog)
        server = catalog.servers.get(fabric.server) if fabric.server else None
        site = fabric_site(demand.site, server.power_w if server else None)
        check_rack_space(demand, fabric, site, server)
        model = build_model(fabric, site, priced)
        structure, report = solve(model, solver=solver, time_limit=time_limit)
        if priced is not catalog:
            structure = rebase(structure, catalog)
        check_switch_space(demand, structure, site, server)
        cost = structure.cost_usd + usd_per_watt(objective) * structure.power_w
        if not math.isclose(cost, report.objective_usd, rel_tol=1e-9, abs_tol=0.01):
            raise SolverError(f"fabric '{fabric.name}': solver objective "
                              f"{report.objective_usd:.2f} differs from the bill of materials "
                              f"{cost:.2f} (internal error; please report)")
        lengths = {"node-leaf": structure.node_links.worst_run_m}
        if structure.tiers > 1:
            lengths.update({cls: getattr(structure.leaf, cls.replace("-", "_") + "_m")
                            for cls in structure.media})
        fabrics.append(FabricResult(structure, report, lengths, server, site, objective))
    return DesignResult(demand, catalog, tuple(fabrics), solver)


def _unknown(label: str, name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{label}: unknown model '{name}'{hint}"


def check_references(demand: Demand, catalog: Catalog) -> None:
    """Every model a demand names exists in the catalog, in the right list."""
    problems = []
    for i, fabric in enumerate(demand.fabrics):
        where = f"{demand.path}: fabrics[{i}]"
        for j, model in enumerate(fabric.switch_models or ()):
            if model not in catalog.switches:
                problems.append(_unknown(f"{where}.switch_models[{j}]", model, catalog.switches))
        for j, model in enumerate(fabric.nic_models or ()):
            if model not in catalog.nics:
                problems.append(_unknown(f"{where}.nic_models[{j}]", model, catalog.nics))
        if fabric.server is not None and fabric.server not in catalog.servers:
            problems.append(_unknown(f"{where}.server", fabric.server, catalog.servers))
    if problems:
        raise InputError(problems)


def check_rack_space(demand: Demand, fabric: Fabric, site, server) -> None:
    """The servers of a rack must fit in it (``nodes_per_rack x rack_units <= site rack_units``)."""
    units = server.rack_units if server else DEFAULT_NODE_UNITS
    if site.nodes_per_rack * units > site.rack_units:
        raise InputError(f"{demand.path}: site.nodes_per_rack: {site.nodes_per_rack} servers of "
                         f"{units}U ({fabric.server or 'default size'}) do not fit a "
                         f"{site.rack_units}U rack")


def check_switch_space(demand: Demand, structure, site, server) -> None:
    """The chosen leaves fit their group's rack, and no switch is taller than a rack.

    A top-of-rack leaf sits above the servers of its rack; rail leaves share a network rack per
    group (one per rail and plane). Leaves that would not fit are refused rather than placed
    where the plan could not measure their runs.
    """
    modes = [structure.leaf if structure.tiers == 1 else structure.leaf.mode]
    modes += [m for m in (structure.spine and structure.spine.mode,
                          structure.pod and structure.pod.mode, structure.core) if m]
    for mode in modes:
        if mode.switch.rack_units > site.rack_units - 2:
            raise InputError(f"{demand.path}: site.rack_units: {mode.model} is "
                             f"{mode.switch.rack_units}U, taller than a {site.rack_units}U rack "
                             "leaves room for")
    sh = structure.shape
    leaves = structure.fabric.planes * sh.leaves_per_group * sh.subfabrics
    leaf_units = modes[0].switch.rack_units
    below = 0 if sh.rail else site.nodes_per_rack * (
        server.rack_units if server else DEFAULT_NODE_UNITS)
    if leaves * leaf_units > site.rack_units - below:
        where = "network rack" if sh.rail else "top-of-rack space"
        raise InputError(
            f"{demand.path}: site: the {leaves} leaves of a group ({leaf_units}U each, "
            f"{structure.fabric.planes} plane(s)) do not fit the {site.rack_units - below}U of "
            f"its {where}; raise site.rack_units, lower nodes_per_rack, or use fewer planes "
            f"(fabric '{structure.fabric.name}')")


def check_parts_exist(demand: Demand, fabric: Fabric, catalog: Catalog) -> None:
    """Say plainly when a fabric has no NIC or no switch at its speed and protocol."""
    speed = f"{fabric.port_speed_gbps:g}G"
    protocol = "" if fabric.protocol == "any" else f" {fabric.protocol}"
    if not usable_nics(fabric, catalog):
        raise InfeasibleError(f"fabric '{fabric.name}': no{protocol} NIC at {speed} in the "
                              f"catalogs ({', '.join(catalog.files)})")
    if not usable_modes(fabric, catalog):
        raise InfeasibleError(f"fabric '{fabric.name}': no allowed{protocol} switch has "
                              f"{speed} ports (natively or by breakout)")
