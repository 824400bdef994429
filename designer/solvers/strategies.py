"""The solvers, as strategies behind one contract.

A strategy takes a built model and a time limit, solves the problem as it stands (its current
objective and rows), writes the values of the best design it found into the model's variables,
and returns how it ended as a :class:`SolveStatus`::

    strategy(model: FabricModel, time_limit_s: float | None) -> SolveStatus

=========  ====================================================================================
``highs``  the default: :func:`designer.solvers.highs_search.search`, HiGHS driven block and leaf
           option first, pruned by LP bounds (exact, to an absolute gap of 1e-6 USD); a 3-tier
           leaf option is priced run by run when the search first finds a design with it
``cbc``    one branch-and-bound over the whole model with PuLP's bundled CBC (``gapRel 0``)
=========  ====================================================================================

A strategy raises :class:`~designer.errors.SolverError` only when the solver itself fails.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator

import pulp

from designer.errors import SolverError
from designer.model.formulation import Block, FabricModel, price_chosen_runs, unpriced_choice
from designer.solvers.highs_search import Part, search
from designer.solvers.status import SolveStatus

Strategy = Callable[[FabricModel, "float | None"], SolveStatus]


def highs_search(model: FabricModel, time_limit_s: float | None) -> SolveStatus:
    """HiGHS through :func:`designer.solvers.highs_search.search`; its answer is written back
    into the PuLP variables."""
    if not model.blocks:
        return SolveStatus.INFEASIBLE  # no (layout, tiers) block can be built: no design
    variables = model.problem.variables()
    with _quiet_stdout():
        result = search(model.problem, [_part(model, block) for block in model.blocks],
                        time_limit_s, variables, _LaidPricer(model, variables))
    if result.values is not None:
        _write(variables, result.values)
    return result.status


class _LaidPricer:
    """The search's pricer: a 3-tier design's leaf option priced run by run when it is not
    yet (:mod:`designer.model.formulation.laid`)."""

    def __init__(self, model: FabricModel, variables: list[pulp.LpVariable]):
        self.model, self.variables = model, variables

    def priced(self, values) -> bool:
        _write(self.variables, values)
        return unpriced_choice(self.model) is None

    def rows(self, values) -> list[pulp.LpConstraint]:
        _write(self.variables, values)
        before = len(self.model.problem.constraints())
        price_chosen_runs(self.model)
        return self.model.problem.constraints()[before:]


def _write(variables: list[pulp.LpVariable], values) -> None:
    for var, value in zip(variables, values, strict=True):
        var.varValue = float(value)


def _part(model: FabricModel, block: Block) -> Part:
    """A block as the search sees it: branched on its leaf option; a dive then fixes its
    spine or pod option, core, media, NIC and protocol in that order."""
    return Part(on=block.on,
                leaves=tuple(v for _, v in block.leaves),
                groups=(tuple(z for _, z, _ in block.spines + block.pods),
                        tuple(v for _, v in block.cores),
                        *(tuple(v for _, v in media.options)
                          for _, media in sorted(block.media.items())),
                        tuple(v for _, v in model.nics),
                        tuple(v for _, v in sorted(model.protocols.items()))))


def cbc_branch_and_bound(model: FabricModel, time_limit_s: float | None) -> SolveStatus:
    """One branch-and-bound over the whole model with CBC, read back from PuLP's status."""
    # PuLP 3.x warns that its bundled CBC moves out in 4.0; the dependency is pinned < 4.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(threads=1, options=["integerTolerance 1e-9"], msg=False,
                                   timeLimit=time_limit_s, gapRel=0.0, gapAbs=1e-6)
    problem = model.problem
    try:
        with _quiet_stdout():
            problem.solve(solver)
    except pulp.PulpSolverError as error:
        raise SolverError(f"fabric '{model.fabric.name}': solver cbc failed: {error}") from None
    if problem.sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE
    # CBC reports a model it proved infeasible as infeasible, or (without a time limit to
    # have stopped it) as not solved.
    if problem.status == pulp.LpStatusInfeasible or (
            problem.status == pulp.LpStatusNotSolved and time_limit_s is None):
        return SolveStatus.INFEASIBLE
    return SolveStatus.UNDECIDED


STRATEGIES: dict[str, Strategy] = {"highs": highs_search, "cbc": cbc_branch_and_bound}
SOLVERS = tuple(sorted(STRATEGIES))


def relaxation_bound(model: FabricModel, solver: str, time_limit_s: float | None = None
                     ) -> float | None:
    """The LP relaxation's optimum, a lower bound on every design; None when it cannot be had.

    The variables' values are restored afterwards.
    """
    problem = model.problem
    saved = {v.name: v.varValue for v in problem.variables()}
    status, sol_status = problem.status, problem.sol_status
    try:
        with _quiet_stdout(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            relaxed = (pulp.PULP_CBC_CMD(msg=False, mip=False, timeLimit=time_limit_s)
                       if solver == "cbc" else
                       pulp.HiGHS(msg=False, mip=False, threads=1, timeLimit=time_limit_s))
            problem.solve(relaxed)
        return (pulp.value(problem.objective)
                if problem.status == pulp.LpStatusOptimal else None)
    except pulp.PulpSolverError:
        return None
    finally:
        for v in problem.variables():
            v.varValue = saved[v.name]
        problem.status, problem.sol_status = status, sol_status


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
