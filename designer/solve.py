"""Run the solver on a built model and read the chosen structure back.

Only this module and ``formulation.py`` import PuLP. The result of a solve is a frozen
:class:`~designer.structure.FabricStructure`: the choices alone, from which every count and
cost is recomputed in plain Python (``structure.py``), so nothing downstream trusts the solver's
arithmetic.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pulp

from designer.errors import InfeasibleError, SolverError
from designer.formulation import FabricModel
from designer.search import Part, search
from designer.structure import FabricStructure

SOLVERS = ("cbc", "highs")


def solver_versions() -> dict[str, str]:
    """Versions of the modelling layer and solvers, recorded so a design can be reproduced."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in ("pulp", "highspy"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


@dataclass(frozen=True)
class SolveReport:
    """What the solver said: status, proof of optimality, objective, timings, model size."""

    solver: str
    status: str
    optimal: bool
    objective_usd: float
    solve_s: float
    variables: int
    integer_variables: int
    constraints: int
    gap: float = 0.0  # (objective - proven lower bound) / objective; 0 when proved optimal


def _solver(name: str, time_limit: float | None) -> pulp.LpSolver:
    common = {"msg": False, "timeLimit": time_limit, "gapRel": 0.0, "gapAbs": 1e-6}
    if name == "cbc":
        # PuLP 3.x warns that its bundled CBC moves out in 4.0; the dependency is pinned < 4.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(threads=1, options=["integerTolerance 1e-9"], **common)
    if name == "highs":
        # HiGHS presolve spends its time probing thousands of one-hot binaries that the
        # formulation already keeps tight; without it these models solve much faster.
        return pulp.HiGHS(threads=1, random_seed=0, presolve="off", **common)
    raise SolverError(f"unknown solver '{name}' (choose one of: {', '.join(SOLVERS)})")


def solve(model: FabricModel, solver: str = "highs", time_limit: float | None = None
          ) -> tuple[FabricStructure, SolveReport]:
    """Solve ``model`` and return the chosen structure and the solver's report.

    With a ``budget_usd`` on the fabric, it gets the most bandwidth the budget buys, in two solves:
    first the least oversubscription ``o* = min sum_y o_y y`` subject to ``cost <= budget``,
    then the least cost subject to ``sum_y o_y y <= o*`` (so among equally good designs the
    cheapest wins, and the proof covers both).

    Raises
    ------
    InfeasibleError
        No design in the design space meets the fabric's demand (or its budget).
    SolverError
        The solver failed, or stopped at its time limit without a feasible design.
    """
    started = time.perf_counter()
    budget_usd = model.fabric.budget_usd
    first_proven = True
    if budget_usd is not None:
        first_proven = _least_oversubscription(model, solver, time_limit, budget_usd)
    _run(model, solver, time_limit,
         why=lambda: _over_power(model, solver, time_limit) or model.why_infeasible())
    elapsed = time.perf_counter() - started
    status = pulp.LpStatus[model.problem.status]
    # A budget design is optimal only when both solves were proved.
    optimal = model.problem.sol_status == pulp.LpSolutionOptimal and first_proven
    objective = float(pulp.value(model.objective))
    structure = extract(model)
    gap = 0.0 if optimal else relaxation_gap(model, solver, objective, time_limit)
    size = model.size
    report = SolveReport(solver, status, optimal, objective, elapsed, size["variables"],
                         size["integer_variables"], size["constraints"], gap)
    return structure, report


def relaxation_gap(model: FabricModel, solver: str, objective_usd: float,
                   time_limit: float | None = None) -> float:
    """How far an unproven design may be from optimal: ``(z - LB) / z``.

    ``LB`` is the LP relaxation's optimum, a valid lower bound on every design (the solver's
    own bound is tighter but PuLP does not report it). The incumbent's values and status are
    restored afterwards. When the bound cannot be had, the gap is 1 (nothing is claimed).
    """
    problem = model.problem
    saved = {v.name: v.varValue for v in problem.variables()}
    status, sol_status = problem.status, problem.sol_status
    try:
        with _quiet_stdout(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            relaxed = (pulp.PULP_CBC_CMD(msg=False, mip=False, timeLimit=time_limit)
                       if solver == "cbc" else
                       pulp.HiGHS(msg=False, mip=False, threads=1, timeLimit=time_limit))
            problem.solve(relaxed)
        bound = (pulp.value(problem.objective)
                 if problem.status == pulp.LpStatusOptimal else None)
    except pulp.PulpSolverError:
        bound = None
    finally:
        for v in problem.variables():
            v.varValue = saved[v.name]
        problem.status, problem.sol_status = status, sol_status
    if bound is None or objective_usd <= 0:
        return 1.0
    return max(0.0, (objective_usd - bound) / objective_usd)


def _run(model: FabricModel, solver: str, time_limit: float | None,
         why: Callable[[], str] | None = None) -> None:
    """Solve the problem as it stands; raise when it has no solution (``why`` explains it)."""
    try:
        with _quiet_stdout():
            if solver == "highs" and model.blocks:
                _search(model, time_limit)
            else:
                model.problem.solve(_solver(solver, time_limit))
    except pulp.PulpSolverError as exc:
        raise SolverError(f"fabric '{model.fabric.name}': solver {solver} failed: {exc}") from None
    status = pulp.LpStatus[model.problem.status]
    has_solution = model.problem.sol_status in (pulp.LpSolutionOptimal,
                                                pulp.LpSolutionIntegerFeasible)
    if model.problem.status == pulp.LpStatusInfeasible or (
            status == "Not Solved" and not has_solution and time_limit is None):
        raise InfeasibleError(f"fabric '{model.fabric.name}': no design meets the demand: "
                              f"{why() if why else model.why_infeasible()}")
    if not has_solution:
        raise SolverError(f"fabric '{model.fabric.name}': solver {solver} found no feasible "
                          f"design ({status}{', time limit reached' if time_limit else ''})")


def _search(model: FabricModel, time_limit: float | None) -> None:
    """HiGHS through :func:`designer.search.search`, its answer written back into the PuLP
    problem (values and status) exactly as PuLP's own HiGHS interface would."""
    problem = model.problem
    variables = problem.variables()
    outcome = search(problem, [_part(model, block) for block in model.blocks], time_limit,
                     variables)
    if outcome.values is not None:
        for var, value in zip(variables, outcome.values, strict=True):
            var.varValue = float(value)
    if outcome.infeasible:
        problem.assignStatus(pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible)
    elif outcome.values is None:
        problem.assignStatus(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
    elif outcome.optimal:
        problem.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionOptimal)
    else:
        problem.assignStatus(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)


def _part(model: FabricModel, block) -> Part:
    """A block as :func:`designer.search.search` sees it: branched on its leaf option; a dive
    then fixes its spine or pod option, core, media, NIC and protocol in that order."""
    return Part(on=block.on,
                leaves=tuple(v for _, v in block.leaves),
                groups=(tuple(z for _, z, _ in block.spines + block.pods),
                        tuple(v for _, v in block.cores),
                        *(tuple(v for _, v in media.options)
                          for _, media in sorted(block.media.items())),
                        tuple(v for _, v in model.nics),
                        tuple(v for _, v in sorted(model.protocols.items()))))


def oversubscription_expr(model: FabricModel) -> pulp.LpAffineExpression:
    """The chosen leaf's oversubscription ``sum_y max(1, d_y / u_y) y`` (1 for one tier)."""
    terms = []
    for block in model.blocks:
        for option, var in block.leaves:
            ratio = 1.0 if block.tiers == 1 else max(1.0, option.downlinks / option.uplinks)
            terms.append(ratio * var)
    return pulp.lpSum(terms)


def _least_oversubscription(model: FabricModel, solver: str, time_limit: float | None,
                            budget_usd: float) -> bool:
    """Phase one of a budget solve; leaves ``sum o_y y <= o*`` in the problem for phase two.
    Returns whether ``o*`` was proved least."""
    problem, cost = model.problem, model.objective
    oversubscription = oversubscription_expr(model)
    budget = cost <= budget_usd
    problem += budget, "budget"
    problem.setObjective(oversubscription)
    try:
        _run(model, solver, time_limit,
             why=lambda: (_over_power(model, solver, time_limit)
                          or _over_budget(model, budget, solver, time_limit, budget_usd)))
    finally:
        problem.setObjective(cost)
    proven = problem.sol_status == pulp.LpSolutionOptimal
    best = pulp.value(oversubscription)
    problem += oversubscription <= best + 1e-7, "least_oversubscription"
    return proven


def _over_budget(model: FabricModel, budget: pulp.LpConstraint, solver: str,
                 time_limit: float | None, budget_usd: float) -> str:
    """Why a budget has no design: what the cheapest design costs (one more solve)."""
    problem = model.problem
    budget.changeRHS(1e15)  # lift the budget
    problem.setObjective(model.objective)
    _run(model, solver, time_limit)
    cheapest = pulp.value(model.objective)
    return (f"budget_usd: ${budget_usd:,.0f} buys no design; the cheapest within "
            f"max_oversubscription {model.fabric.max_oversubscription:g}:1 costs "
            f"${cheapest:,.0f} (raise budget_usd or allow more oversubscription)")


def _over_power(model: FabricModel, solver: str, time_limit: float | None) -> str | None:
    """When lifting a fabric's power limit gives a design: the least power any design draws
    (one more solve, minimising power). None when the limit is not what binds."""
    if model.power_w is None:
        return None
    problem, limit = model.problem, model.power_limit
    saved = limit.constant
    limit.changeRHS(1e15)
    problem.setObjective(model.power_w)
    try:
        _run(model, solver, time_limit, why=lambda: "")
        least_kw = pulp.value(model.power_w) / 1000
    except (InfeasibleError, SolverError):
        return None
    finally:
        limit.constant = saved
        problem.setObjective(model.objective)
    return (f"max_power_kw: {model.fabric.max_power_kw:g} kW allows no design; the least any "
            f"design draws is {least_kw:,.1f} kW (raise max_power_kw, or allow more "
            "oversubscription or other parts)")


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence what native solver code prints straight to file descriptor 1 (HiGHS's banner).

    File descriptor 1 is process-wide, so solves in threads (a thread-pool sweep) take turns.
    """
    with _STDOUT_LOCK:
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):
            yield
            return
        sys.stdout.flush()
        saved = os.dup(fd)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), fd)
                yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


_STDOUT_LOCK = threading.RLock()


def _on(var) -> bool:
    return (var.varValue or 0.0) > 0.5


def extract(model: FabricModel) -> FabricStructure:
    """Read the chosen protocol, NIC, block, options and counts from the solution."""
    protocol = next(p for p, v in model.protocols.items() if _on(v))
    nic = next(n for n, v in model.nics if _on(v))
    block = next(b for b in model.blocks if _on(b.on))
    index = next(i for i, (_, v) in enumerate(block.leaves) if _on(v))
    leaf, node_links = block.leaves[index][0], block.node_plans[index]
    media = {cls: next(m for m, w in cm.options if _on(w)) for cls, cm in block.media.items()}
    spine = spines = pod = pods = core = None
    if block.tiers == 2:
        spine, _, count = next(t for t in block.spines if _on(t[1]))
        spines = round(count.varValue)
    if block.tiers == 3:
        pod, _, count = next(t for t in block.pods if _on(t[1]))
        pods = round(count.varValue)
        core = next(m for m, v in block.cores if _on(v))
    return FabricStructure(fabric=model.fabric, protocol=protocol, nic=nic, shape=block.shape,
                           tiers=block.tiers, leaf=leaf, spine=spine, spines=spines, pod=pod,
                           pods=pods, core=core, media=media, node_links=node_links)
