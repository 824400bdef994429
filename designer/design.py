"""The main job: design every fabric of a demand from a catalog. Orchestration only.

For each fabric, in demand order: check the demand against the catalog
(:mod:`designer.inputs.checks`, :mod:`designer.inputs.servers`) and the racks
(:mod:`designer.site.space`), build the model (:mod:`designer.model.formulation`), solve it
(:mod:`designer.solvers`), ask :mod:`designer.diagnose` why when there is no design, and check
that the solver's objective equals the bill of materials recomputed from the chosen structure
before anything is returned. Fabrics on servers an earlier fabric placed are designed on that
floor (:class:`designer.site.hall.ServerHall`).
"""

from __future__ import annotations

import math

from designer.diagnose import explain_missing_parts, missing_parts, why_no_design
from designer.errors import InfeasibleError, InputError, SolverError
from designer.inputs.catalog import Catalog
from designer.inputs.checks import check_references
from designer.inputs.demand import Demand
from designer.inputs.loading import demand_catalogs, load_catalog
from designer.inputs.schema import Fabric, Objective, Site
from designer.inputs.servers import ServerSet, check_server_ports, check_server_slots, server_sets
from designer.model.candidates import nics_per_node
from designer.model.formulation import build_model
from designer.model.pricing import energy_priced, rebase, usd_per_watt
from designer.model.services import charges, service_lines, service_priced
from designer.results.result import DesignResult, FabricResult
from designer.site.grid import fabric_site
from designer.site.hall import ServerHall, SharedFloor
from designer.site.space import check_rack_space, check_switch_space
from designer.solvers.solve import solve
from designer.solvers.strategies import SOLVERS


def design(demand: Demand, catalog: Catalog | None = None, solver: str = "highs",
           time_limit: float | None = None, explain: bool = True) -> DesignResult:
    """Design the cheapest fabric for every fabric of ``demand``.

    Parameters
    ----------
    demand
        From :func:`designer.load_demand` or :meth:`designer.Demand.from_dict`.
    catalog
        From :func:`designer.load_catalog`; ``None`` loads the catalogs the demand names (all
        shipped catalogs when it names none).
    solver
        ``"highs"`` (default) or ``"cbc"`` (:data:`designer.solvers.strategies.STRATEGIES`).
    time_limit
        Seconds per fabric; ``None`` for no limit.
    explain
        When a fabric has no design, re-solve it with each of its limits loosened (a few
        short solves, :mod:`designer.diagnose.probes`) and name the smallest loosening that
        gives one in the :class:`InfeasibleError`; ``False`` keeps only the analytic reason.

    Raises
    ------
    InputError
        The demand names parts the catalog does not have.
    InfeasibleError
        No design of some fabric meets its demand; ``.reason`` says why
        (:class:`designer.diagnose.Infeasibility`).
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
    run = _Run(demand, catalog, solver, time_limit, explain)
    fabrics = tuple(run.fabric(fabric) for fabric in demand.fabrics)
    check_server_slots(str(demand.path), server_sets(demand.fabrics, catalog), {
        f.structure.fabric.name: nics_per_node(f.structure.fabric, f.structure.nic)
        for f in fabrics if not f.structure.nics_in_server_price})
    return DesignResult(demand, catalog, fabrics, solver)


class _Run:
    """One design run: the catalog as priced for the objective, the server sets, and the halls
    of shared server sets once their first fabric has placed them."""

    def __init__(self, demand: Demand, catalog: Catalog, solver: str,
                 time_limit: float | None, explain: bool):
        self.demand, self.catalog = demand, catalog
        self.solver, self.time_limit, self.explain = solver, time_limit, explain
        self.objective: Objective = demand.spec.objective
        # prices carrying their licences and support, then energy: the catalog itself when
        # nothing is covered and the objective is capex
        self.charges = charges(catalog, self.objective.years)
        self.priced = energy_priced(service_priced(catalog, self.charges), self.objective)
        self.set_of: dict[str, ServerSet] = {
            name: group for group in server_sets(demand.fabrics, catalog)
            for name in group.fabrics}
        self.halls: dict[str, ServerHall] = {}  # by server set, once its primary is designed

    def fabric(self, fabric: Fabric) -> FabricResult:
        """Design one fabric: checks, build, solve (or diagnose), and the objective check."""
        server = self.catalog.servers.get(fabric.server) if fabric.server else None
        site = fabric_site(self.demand.site, server.power_w if server else None,
                           server.rack_units if server else None)
        self._check_parts(fabric, site)
        check_rack_space(str(self.demand.path), fabric, site, server)
        group = self.set_of[fabric.name]
        hall = (self.halls[group.name].shared_floor()
                if group.shared and group.name in self.halls else None)
        structure, report = self._solve(fabric, site, hall)
        if self.priced is not self.catalog:
            structure = rebase(structure, self.catalog)
        check_switch_space(structure, site, server, shared=hall is not None)
        if hall is not None:
            self.halls[group.name].add(structure, hall)
        elif group.shared:
            self.halls[group.name] = ServerHall.of(structure, site, server)
        services = service_lines(structure.parts(), self.charges)
        cost = (structure.cost_usd + sum(line.extended_price_usd for line in services)
                + usd_per_watt(self.objective) * structure.power_w)
        if not math.isclose(cost, report.objective_usd, rel_tol=1e-9, abs_tol=0.01):
            raise SolverError(f"fabric '{fabric.name}': solver objective "
                              f"{report.objective_usd:.2f} differs from the bill of materials "
                              f"{cost:.2f} (internal error; please report)")
        return FabricResult(structure, report, structure.worst_runs_m, server, site,
                            self.objective, hall=hall, servers=group.name, services=services)

    def _check_parts(self, fabric: Fabric, site: Site) -> None:
        """Say plainly when a fabric has no NIC or no switch at its speed and protocol (and,
        explaining, what dropping the protocol or an allow-list would cost)."""
        reason = missing_parts(fabric, self.catalog)
        if reason is None:
            return
        if self.explain:
            reason = explain_missing_parts(reason, fabric, site, self.priced, self.solver)
        raise InfeasibleError(f"fabric '{fabric.name}': {reason.text}", reason=reason)

    def _solve(self, fabric: Fabric, site: Site, hall: SharedFloor | None):
        model = build_model(fabric, site, self.priced, hall)
        try:
            return solve(model, solver=self.solver, time_limit=self.time_limit)
        except InfeasibleError as error:
            reason = why_no_design(model, site, self.priced, self.solver, self.time_limit,
                                   probe=self.explain)
            raise InfeasibleError(f"{error}: {reason.text}", reason=reason) from None

