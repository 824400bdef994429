"""Solve a built model: the strategy the caller names, a budget's two phases, and the report.

Only this package and ``designer.model.formulation`` import PuLP. The result of a solve is a
frozen :class:`~designer.model.structure.FabricStructure`: the choices alone, from which every
count and cost is recomputed in plain Python, so nothing downstream trusts the solver's
arithmetic. Why a model has no design is not this package's question: an
:class:`~designer.errors.InfeasibleError` from here carries no reason, and
:mod:`designer.diagnose` finds one.
"""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version

import pulp

from designer.errors import InfeasibleError, SolverError
from designer.model.formulation import FabricModel, price_chosen_runs, read_structure
from designer.model.structure import FabricStructure
from designer.solvers.status import SolveReport, SolveStatus
from designer.solvers.strategies import SOLVERS, STRATEGIES, relaxation_bound


def solver_versions() -> dict[str, str]:
    """Versions of the modelling layer and solvers, recorded so a design can be reproduced."""
    out = {}
    for package in ("pulp", "highspy"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def run(model: FabricModel, solver: str, time_limit: float | None) -> SolveStatus:
    """Solve the problem as it stands with strategy ``solver`` (``STRATEGIES``); the best
    design's values are left in the model's variables.

    A 3-tier design's leaf option is priced run by run once the solver picks it
    (``designer.model.formulation.laid``). The ``highs`` search does so as it finds designs
    (``highs_search.Pricer``); after any strategy, while the design found has a leaf option
    the model priced from below, its runs are priced and the model solved again (with what is
    left of the time limit, at least a second). Each round prices another leaf option, so the
    rounds end; the last design's objective is the price of its plan."""
    strategy = STRATEGIES.get(solver)
    if strategy is None:
        raise SolverError(f"unknown solver '{solver}' (choose one of: {', '.join(SOLVERS)})")
    started = time.perf_counter()
    status = strategy(model, time_limit)
    while status.has_design and price_chosen_runs(model):
        left = (None if time_limit is None
                else max(time_limit - (time.perf_counter() - started), 1.0))
        status = strategy(model, left)
    return status


def solve(model: FabricModel, solver: str = "highs", time_limit: float | None = None
          ) -> tuple[FabricStructure, SolveReport]:
    """Solve ``model`` and return the chosen structure and the solver's report.

    With a ``budget_usd`` on the fabric, it gets the most bandwidth the budget buys, in two
    solves: first the least oversubscription ``o* = min sum_y o_y y`` subject to
    ``cost <= budget``, then the least cost subject to ``sum_y o_y y <= o*`` (so among equally
    good designs the cheapest wins; the design is called optimal only when both were proved).

    Raises
    ------
    InfeasibleError
        No design in the design space meets the fabric's demand (or its budget).
    SolverError
        The solver failed, or stopped at its time limit without a feasible design.
    """
    started = time.perf_counter()
    first = SolveStatus.OPTIMAL
    if model.budget_limit is not None:
        first = _least_oversubscription(model, solver, time_limit)
    status = _expect_design(model, solver, time_limit, run(model, solver, time_limit))
    elapsed = time.perf_counter() - started
    if first is not SolveStatus.OPTIMAL:
        status = SolveStatus.FEASIBLE
    objective = float(pulp.value(model.objective))
    structure = read_structure(model)
    gap = (0.0 if status is SolveStatus.OPTIMAL
           else relaxation_gap(model, solver, objective, time_limit))
    size = model.size
    report = SolveReport(solver, status, objective, elapsed, size["variables"],
                         size["integer_variables"], size["constraints"], gap)
    return structure, report


def relaxation_gap(model: FabricModel, solver: str, objective_usd: float,
                   time_limit: float | None = None) -> float:
    """How far an unproven design may be from optimal: ``(z - LB) / z``.

    ``LB`` is the LP relaxation's optimum, a valid lower bound on every design (the solver's
    own bound is tighter but PuLP does not report it). When the bound cannot be had, the gap
    is 1 (nothing is claimed).
    """
    bound = relaxation_bound(model, solver, time_limit)
    if bound is None or objective_usd <= 0:
        return 1.0
    return max(0.0, (objective_usd - bound) / objective_usd)


def _expect_design(model: FabricModel, solver: str, time_limit: float | None,
                   status: SolveStatus) -> SolveStatus:
    """``status`` when it has a design; else the error that says why not."""
    name = model.fabric.name
    if status is SolveStatus.INFEASIBLE:
        raise InfeasibleError(f"fabric '{name}': no design meets the demand")
    if not status.has_design:
        limit = ", time limit reached" if time_limit else ""
        raise SolverError(f"fabric '{name}': solver {solver} found no feasible design "
                          f"({status.text}{limit})")
    return status


def _least_oversubscription(model: FabricModel, solver: str, time_limit: float | None
                            ) -> SolveStatus:
    """Phase one of a budget solve; leaves ``sum o_y y <= o*`` in the problem for phase two."""
    problem, cost = model.problem, model.objective
    oversubscription = model.oversubscription
    problem.setObjective(oversubscription)
    try:
        status = _expect_design(model, solver, time_limit, run(model, solver, time_limit))
    finally:
        problem.setObjective(cost)
    best = pulp.value(oversubscription)
    problem += oversubscription <= best + 1e-7, "least_oversubscription"
    return status
