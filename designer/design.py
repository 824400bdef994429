"""The main job: design every fabric of a demand from a catalog.

Checks the demand against the catalog (references, parts at the right speed), builds and solves
one MILP per fabric, and checks that the solver's objective equals the recomputed bill of
materials before anything is returned.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter

from designer.catalog import Catalog
from designer.diagnose import explain_infeasible, explain_missing_parts, missing_parts, worst_runs_m
from designer.errors import InfeasibleError, InputError, SolverError
from designer.floor import DEFAULT_NODE_UNITS, Rack, fabric_site
from designer.formulation import build_model
from designer.hall import PrimaryFloor, SharedFloor, network_rows, primary_reserved_units
from designer.loading import Demand, demand_catalogs, load_catalog
from designer.objective import energy_priced, rebase, usd_per_watt
from designer.result import DesignResult, FabricResult
from designer.schema import Fabric
from designer.servers import check_server_ports, server_sets
from designer.solve import SOLVERS, solve


def design(demand: Demand, catalog: Catalog | None = None, solver: str = "highs",
           time_limit: float | None = None, explain: bool = True) -> DesignResult:
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
    explain
        When a fabric has no design, re-solve it with each of its limits loosened (a few
        short solves, :mod:`designer.diagnose`) and name the smallest loosening that gives one
        in the :class:`InfeasibleError`; ``False`` keeps only the analytic diagnosis.

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
    check_server_ports(str(demand.path), demand.fabrics, catalog)
    objective = demand.spec.objective
    priced = energy_priced(catalog, objective)  # the catalog itself for a capex objective
    set_of = {name: group for group in server_sets(demand.fabrics, catalog)
              for name in group.fabrics}
    halls: dict[str, _Hall] = {}  # by server group, once its primary is designed
    fabrics = []
    for fabric in demand.fabrics:
        server = catalog.servers.get(fabric.server) if fabric.server else None
        site = fabric_site(demand.site, server.power_w if server else None)
        try:
            check_parts_exist(demand, fabric, catalog)
        except InfeasibleError as error:
            if not explain:
                raise
            raise InfeasibleError(explain_missing_parts(str(error), fabric, site, priced,
                                                        solver)) from None
        check_rack_space(demand, fabric, site, server)
        group = set_of[fabric.name]
        hall = halls[group.name].shared_floor() if group.shared and group.name in halls else None
        model = build_model(fabric, site, priced, hall)
        try:
            structure, report = solve(model, solver=solver, time_limit=time_limit)
        except InfeasibleError as error:
            named = (("budget_usd" in str(error) and fabric.budget_usd is not None)
                     or ("max_power_kw" in str(error) and fabric.max_power_kw is not None))
            if not explain or named:
                raise  # a budget or power limit nothing meets already names the least figure
            raise InfeasibleError(explain_infeasible(str(error), fabric, site, priced,
                                                     solver)) from None
        if priced is not catalog:
            structure = rebase(structure, catalog)
        check_switch_space(demand, structure, site, server, shared=hall is not None)
        if hall is not None:
            halls[group.name].add(demand, structure, hall)
        elif group.shared:
            halls[group.name] = _Hall.of(structure, site, server)
        cost = structure.cost_usd + usd_per_watt(objective) * structure.power_w
        if not math.isclose(cost, report.objective_usd, rel_tol=1e-9, abs_tol=0.01):
            raise SolverError(f"fabric '{fabric.name}': solver objective "
                              f"{report.objective_usd:.2f} differs from the bill of materials "
                              f"{cost:.2f} (internal error; please report)")
        lengths = worst_runs_m(structure)
        fabrics.append(FabricResult(structure, report, lengths, server, site, objective,
                                    hall=hall, servers=group.name))
    return DesignResult(demand, catalog, tuple(fabrics), solver)


class _Hall:
    """A server set's hall while its fabrics are designed one after another: the primary's
    floor, the next free network row, and the rack units switches already take in node racks."""

    def __init__(self, primary: PrimaryFloor, nodes: int, next_row: int,
                 reserved: dict[Rack, int]):
        self.primary = primary
        self.nodes = nodes
        self.next_row = next_row
        self.reserved = reserved
        self._servers_in: Counter | None = None

    @classmethod
    def of(cls, structure, site, server) -> _Hall:
        floor = PrimaryFloor.of(structure, site, server.rack_units if server else
                                DEFAULT_NODE_UNITS)
        nodes = structure.fabric.nodes
        return cls(floor, nodes, floor.rows(nodes), primary_reserved_units(structure, floor))

    def shared_floor(self) -> SharedFloor:
        return SharedFloor(self.primary, self.nodes, self.next_row, dict(self.reserved))

    def add(self, demand: Demand, structure, hall: SharedFloor) -> None:
        """Take a designed secondary's leaves and network rows into the hall; its leaves must
        fit above the servers and earlier switches of their racks."""
        s = structure
        leaf_units = s.leaf_mode.switch.rack_units
        if self._servers_in is None:
            self._servers_in = Counter(self.primary.node_rack(n) for n in range(self.nodes))
        site = self.primary.site
        _, leaves_in = hall.leaf_stacking(s)
        for rack, leaves in sorted(leaves_in.items(), key=lambda item: (item[0].row,
                                                                         item[0].col)):
            units = leaves * leaf_units
            free = (site.rack_units - self._servers_in[rack] * self.primary.node_units
                    - self.reserved.get(rack, 0))
            if units > free:
                raise InfeasibleError(
                    f"fabric '{s.fabric.name}': site: it puts {units}U of leaves in rack "
                    f"{rack.name}, which has {max(free, 0)}U left above its servers and earlier "
                    f"fabrics' switches; fix: site.rack_units: "
                    f"{site.rack_units + units - max(free, 0)} or a lower site.nodes_per_rack")
            self.reserved[rack] = self.reserved.get(rack, 0) + units
        self.next_row += network_rows(s, site)


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


def check_switch_space(demand: Demand, structure, site, server, shared: bool = False) -> None:
    """The chosen leaves fit their group's rack, and no switch is taller than a rack.

    A top-of-rack leaf sits above the servers of its rack; rail leaves share a network rack per
    group (one per rail and plane). Leaves that would not fit are refused rather than placed
    where the plan could not measure their runs: an :class:`InfeasibleError` naming the rack
    units short and settings that make room. (A fabric on servers another fabric placed has
    its leaves checked rack by rack as the hall fills: ``_Hall.add``.)
    """
    name = structure.fabric.name
    modes = [structure.leaf if structure.tiers == 1 else structure.leaf.mode]
    modes += [m for m in (structure.spine and structure.spine.mode,
                          structure.pod and structure.pod.mode, structure.core) if m]
    for mode in modes:
        if mode.switch.rack_units > site.rack_units - 2:
            raise InfeasibleError(
                f"fabric '{name}': site.rack_units: {mode.model} is "
                f"{mode.switch.rack_units}U, taller than a {site.rack_units}U rack leaves room "
                f"for; fix: site.rack_units: {mode.switch.rack_units + 2} or leave "
                f"{mode.model} out with switch_models")
    if shared:
        return
    sh = structure.shape
    per_plane = sh.leaves_per_group * sh.subfabrics
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


def check_parts_exist(demand: Demand, fabric: Fabric, catalog: Catalog) -> None:
    """Say plainly when a fabric has no NIC or no switch at its speed and protocol."""
    problem = missing_parts(fabric, catalog)
    if problem:
        raise InfeasibleError(f"fabric '{fabric.name}': {problem}")
