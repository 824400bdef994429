"""The exact search HiGHS runs on a fabric's MILP: branching on block and leaf option first.

A built model (:mod:`designer.model.formulation`) switches on exactly one block, a (layout, tier
count) alternative, and in it exactly one leaf option. Handed whole to one branch-and-bound,
HiGHS spends most of a solve in cut rounds and heuristics at the root; but fix the leaf option
and the relaxation is close to (on two tiers, equal to) the cheapest design with that leaf. So
the search branches on those two choices itself, and prunes with LP bounds:

1. **Block bounds.** For every block ``b``, the LP relaxation with every other block off:
   ``LB_b <= cost of every design of block b`` (infeasible: block ``b`` has none).
2. **Leaf bounds, from reduced costs.** In that relaxation's optimum, leaf option ``y`` has
   reduced cost ``d_y >= 0``; every design of block ``b`` with ``y`` on costs at least
   ``LB_b + d_y`` (LP duality: ``c x = LB_b + sum_j d_j (x_j - x*_j) + sum_i pi_i
   (a_i x - a_i x*)``, where every term is ``>= 0`` for a feasible ``x``).
3. **Prune.** With an incumbent of cost ``U``, a block with ``LB_b >= U - eps`` or a leaf with
   ``LB_b + d_y >= U - eps`` cannot hold a cheaper design and is skipped; blocks are taken in
   increasing ``LB_b``, leaves in increasing ``d_y``, so the first designs found are good ones
   and most of the rest is pruned.
4. **Each leaf option left.** Fixed on: its relaxation ``LB_y`` (pruned when ``>= U - eps``);
   then a *dive* (fix the choice the relaxation weighs most in each remaining choice group,
   re-solving the relaxation after each; then the counts by a tiny MILP) gives a design of
   cost ``D``. When ``D <= LB_y + eps`` it is the leaf's optimum, proved by its bound;
   otherwise the leaf's MILP, with the cheapest design so far as cutoff, proves it. Every
   design's cost is recomputed from its columns (``c x``), not taken from the solver.

5. **Designs priced as laid.** With a :class:`Pricer`, a design is kept only when its cost is
   its plan's; one priced from below (a 3-tier leaf option whose runs the model bounds) has its
   rows added when a MILP finds it, and its node is proved again under them. Rows only tighten
   the problem, so every bound taken before them still holds, and the incumbent is always a
   design at its plan's price.

The design returned is proved optimal when every block and leaf option was proved or pruned:
the same proof as one branch-and-bound over the whole problem, to the same absolute gap
(``eps``, 1e-6 USD; LP round-off of about 1e-5 USD on costs near 1e8 decides exact ties, the
same way on every run). When a relaxation has no optimum (numerical trouble, twice, the second
time from a cold start), its block goes to the MILP whole. With a time limit, the search stops
at the deadline with the best design so far, unproved.

The matrix goes to HiGHS once, as arrays; afterwards column bounds change and priced rows are
added.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

import highspy
import numpy as np
import pulp

from designer.solvers.status import SolveStatus

ABS_GAP = 1e-6  # USD: a bound within this of the incumbent cannot beat it
DIVE_TRIES = 3  # choices tried per group when fixing the favourite leaves no solution


class Pricer(Protocol):
    """What prices a design as its plan is laid, given its column values."""

    def priced(self, values: np.ndarray) -> bool:
        """Whether the design's cost is already its plan's (else it is a lower bound)."""

    def rows(self, values: np.ndarray) -> list[pulp.LpConstraint]:
        """Rows that price the design as laid. They must cut off no design: they are added
        to the problem for good, so every bound taken before them stays a bound."""


@dataclass(frozen=True)
class Part:
    """One block of the search: its switch ``on``, the leaf options it branches on, and the
    choice groups a dive then fixes, in that order. In ``leaves`` and in every group exactly
    one binary is on with the block."""

    on: pulp.LpVariable
    leaves: tuple[pulp.LpVariable, ...]
    groups: tuple[tuple[pulp.LpVariable, ...], ...]


@dataclass
class SearchResult:
    """What the search found: its status, the best design's column values (in
    ``problem.variables()`` order; None when there is none) and cost; and how much searching
    that took: of the ``choices`` (leaf options of every block) the search could branch on,
    how many it did (``branched``: the rest were pruned by a bound) and how many MILPs it
    solved."""

    status: SolveStatus
    values: np.ndarray | None
    objective: float
    choices: int = 0
    branched: int = 0
    milps: int = 0


@dataclass
class _Found:
    values: np.ndarray
    objective: float


@dataclass
class _Relaxation:
    bound: float  # -inf when no optimum was had: nothing is claimed then
    values: np.ndarray | None
    reduced: np.ndarray | None


class _Incumbent:
    """The best design so far and whether everything else searched was proved."""

    def __init__(self) -> None:
        self.best: _Found | None = None
        self.proved = True
        self.branched = self.milps = 0

    @property
    def cutoff(self) -> float | None:
        return None if self.best is None else self.best.objective

    def beats(self, bound: float) -> bool:
        """Whether the incumbent is at least as cheap as anything ``bound`` allows."""
        return self.best is not None and bound >= self.best.objective - ABS_GAP

    def offer(self, found: _Found | None) -> None:
        if found is not None and (self.best is None
                                  or found.objective < self.best.objective - ABS_GAP):
            self.best = found


def search(problem: pulp.LpProblem, parts: list[Part], time_limit: float | None = None,
           variables: list[pulp.LpVariable] | None = None,
           price: Pricer | None = None) -> SearchResult:
    """Minimise ``problem``, exactly one of whose ``parts`` is on, as above (``variables``:
    ``problem.variables()`` when the caller has it already; ``price``: see :data:`Pricer`)."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit

    def left() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.perf_counter())

    solver = _Solver(problem, problem.variables() if variables is None else variables, price)
    column = solver.index
    ons = [column[id(part.on)] for part in parts]
    blocks = []
    for i in range(len(parts)):
        with solver.only(ons, i):
            relaxation = solver.relaxation(left())
        if relaxation is not None:
            blocks.append((relaxation.bound, i, relaxation))
    if not blocks:
        return SearchResult(SolveStatus.INFEASIBLE, None, math.inf)
    incumbent = _Incumbent()
    choices = sum(len(part.leaves) for part in parts)
    for bound, i, relaxation in sorted(blocks, key=lambda t: t[:2]):
        if incumbent.beats(bound):
            continue
        part = parts[i]
        leaves = [column[id(v)] for v in part.leaves]
        groups = [[column[id(v)] for v in group] for group in part.groups if group]
        with solver.only(ons, i):
            _branch(solver, relaxation, leaves, groups, incumbent, left)
    counts = {"choices": choices, "branched": incumbent.branched, "milps": incumbent.milps}
    if incumbent.best is None:
        status = SolveStatus.INFEASIBLE if incumbent.proved else SolveStatus.UNDECIDED
        return SearchResult(status, None, math.inf, **counts)
    status = SolveStatus.OPTIMAL if incumbent.proved else SolveStatus.FEASIBLE
    return SearchResult(status, incumbent.best.values, incumbent.best.objective, **counts)


def _branch(solver: _Solver, relaxation: _Relaxation, leaves: list[int],
            groups: list[list[int]], incumbent: _Incumbent, left) -> None:
    """Steps 2 to 4 in a block whose relaxation is ``relaxation``: each leaf option not pruned
    by its reduced cost, cheapest first, fixed on and proved; without the relaxation's
    optimum (no reduced costs), the block proved whole."""
    if relaxation.values is None or not leaves:
        _prove(solver, relaxation, groups, incumbent, left)
        return
    ranked = sorted((max(0.0, float(relaxation.reduced[j])), j) for j in leaves)
    for reduced, j in ranked:
        if incumbent.beats(relaxation.bound + reduced):
            break  # and every leaf after it
        if left() == 0:
            incumbent.proved = False
            break
        incumbent.branched += 1
        with solver.fixed(j):
            below = solver.relaxation(left())
            if below is not None and not incumbent.beats(below.bound):
                _prove(solver, below, groups, incumbent, left)


def _prove(solver: _Solver, relaxation: _Relaxation, groups: list[list[int]],
           incumbent: _Incumbent, left) -> None:
    """Step 4 at a node: a dive, then the node's MILP unless the dive met the bound.

    Only a design priced as laid is kept (``Pricer``): a dive's design priced from below is
    dropped for the MILP; a MILP's is priced (its rows added) and the node proved again under
    them. Pricing adds rows for good, once per leaf option, so this ends."""
    while True:
        dived = (None if relaxation.values is None
                 else solver.dive(relaxation.values, groups, left))
        if dived is not None and solver.priced(dived):
            incumbent.offer(dived)
            if dived.objective <= relaxation.bound + ABS_GAP:
                return
        found, proved = solver.milp(left(), incumbent.cutoff)
        incumbent.milps += 1
        rows = ([] if found is None or solver.priced(found)
                else solver.price.rows(found.values))
        if rows:  # a pricer with no rows for a design it did not price keeps it, not loops
            solver.add_rows(rows)
            relaxation = solver.relaxation(left())
            if relaxation is None or incumbent.beats(relaxation.bound):
                return
            continue
        incumbent.offer(found)
        incumbent.proved &= proved
        return


class _Solver:
    """One HiGHS instance holding ``problem``'s matrix; bounds change, the matrix never does."""

    def __init__(self, problem: pulp.LpProblem, variables: list[pulp.LpVariable],
                 price: Pricer | None = None):
        self.variables = variables
        self.price = price
        self.index = {id(var): j for j, var in enumerate(self.variables)}
        self.n = n = len(self.variables)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = n
        self.cost = np.array([problem.objective.get(v, 0.0) for v in self.variables])
        self.offset = float(problem.objective.constant)
        lp.col_cost_, lp.offset_ = self.cost, self.offset
        self.lower = np.array([-inf if v.lowBound is None else v.lowBound
                               for v in self.variables], dtype=float)
        self.upper = np.array([inf if v.upBound is None else v.upBound
                               for v in self.variables], dtype=float)
        lp.col_lower_, lp.col_upper_ = self.lower, self.upper
        starts, indices, values, row_lower, row_upper = self._rows(problem.constraints())
        lp.num_row_ = len(row_lower)
        lp.row_lower_, lp.row_upper_ = row_lower, row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, indices, values
        lp.integrality_ = [highspy.HighsVarType.kInteger if v.cat == pulp.LpInteger
                           else highspy.HighsVarType.kContinuous for v in self.variables]
        self.highs = highspy.Highs()
        # Light presolve: with a leaf option fixed it strips most of the model at a fraction
        # of the cost of full presolve's probing (0.05 s against 0.5 s at 9,319 GPUs).
        for option, value in (("output_flag", False), ("threads", 1), ("random_seed", 0),
                              ("presolve", "on"), ("presolve_mode", 2), ("mip_rel_gap", 0.0),
                              ("mip_abs_gap", ABS_GAP)):
            self.highs.setOptionValue(option, value)
        self.highs.passModel(lp)
        self.columns = np.arange(n, dtype=np.int32)

    def _rows(self, rows) -> tuple[np.ndarray, ...]:
        """PuLP rows as HiGHS takes them: row starts, column indices, values, lower and upper
        bounds."""
        inf = highspy.kHighsInf
        starts, indices, values, lower, upper = [0], [], [], [], []
        for row in rows:
            for var, coefficient in row.items():
                if coefficient:
                    indices.append(self.index[id(var)])
                    values.append(coefficient)
            starts.append(len(indices))
            lb, ub = row.getLb(), row.getUb()
            lower.append(-inf if lb is None else lb)
            upper.append(inf if ub is None else ub)
        return (np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32),
                np.array(values, dtype=float), np.array(lower, dtype=float),
                np.array(upper, dtype=float))

    def priced(self, found: _Found) -> bool:
        """Whether ``found``'s cost is its plan's (always, without a pricer)."""
        return self.price is None or self.price.priced(found.values)

    def add_rows(self, rows: list[pulp.LpConstraint]) -> None:
        """``rows`` added to the matrix for good."""
        starts, indices, values, lower, upper = self._rows(rows)
        self.highs.addRows(len(lower), lower, upper, len(indices), starts[:-1], indices,
                           values)

    def only(self, ons: list[int], keep: int) -> _Bounds:
        """Every block but ``ons[keep]`` off (upper bound 0), for a ``with`` block."""
        upper = self.upper.copy()
        upper[[j for k, j in enumerate(ons) if k != keep]] = 0.0
        return _Bounds(self, self.lower.copy(), upper)

    def fixed(self, column: int) -> _Bounds:
        """``column`` at 1 on top of the bounds HiGHS holds now, for a ``with`` block."""
        lower, upper = self.current_bounds()
        lower[column] = 1.0
        return _Bounds(self, lower, upper)

    def current_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        _, _, _, lower, upper, _ = self.highs.getCols(self.n, self.columns)
        return np.array(lower, dtype=float), np.array(upper, dtype=float)

    def set_bounds(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self.highs.changeColsBounds(self.n, self.columns, lower, upper)

    def relaxation(self, seconds: float | None) -> _Relaxation | None:
        """The LP relaxation under the current bounds; None when it is infeasible (so is the
        MILP). Numerical trouble gets one more try from a cold start."""
        self.highs.setOptionValue("solve_relaxation", True)
        try:
            status = self._run(seconds)
            if status not in (highspy.HighsModelStatus.kOptimal,
                              highspy.HighsModelStatus.kInfeasible):
                self.highs.clearSolver()
                status = self._run(seconds)
        finally:
            self.highs.setOptionValue("solve_relaxation", False)
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            return _Relaxation(-math.inf, None, None)
        solution = self.highs.getSolution()
        return _Relaxation(self.highs.getInfo().objective_function_value,
                           np.array(solution.col_value), np.array(solution.col_dual))

    def dive(self, values: np.ndarray, groups: list[list[int]], left) -> _Found | None:
        """A design near the relaxation's optimum ``values`` (step 4): None when the fixings
        leave no solution; nothing is claimed for such a dive."""
        lower, upper = self.current_bounds()
        try:
            for group in groups:
                ranked = sorted(group, key=lambda j: (-values[j], j))
                if values[ranked[0]] > 1 - 1e-9:
                    self.highs.changeColBounds(ranked[0], 1.0, 1.0)
                    continue  # whole already: the relaxation's optimum stands
                for j in ranked[:DIVE_TRIES]:
                    self.highs.changeColBounds(j, 1.0, 1.0)
                    relaxation = self.relaxation(left())
                    if relaxation is not None and relaxation.values is not None:
                        values = relaxation.values
                        break
                    self.highs.changeColBounds(j, lower[j], upper[j])
                else:
                    return None
            found, _ = self.milp(left(), cutoff=None)
            return found
        finally:
            self.set_bounds(lower, upper)

    def milp(self, seconds: float | None, cutoff: float | None) -> tuple[_Found | None, bool]:
        """The MILP under the current bounds, only designs cheaper than ``cutoff`` wanted:
        the best design found (None: none) and whether that answer is proved."""
        # From a clean state and with no start: HiGHS 1.16 with light presolve and a start
        # solution (its own earlier one, reused unasked, or one set) can report an objective
        # that misses the presolve offset. The cost is recomputed from the columns all the same.
        self.highs.clearSolver()
        self.highs.setOptionValue("objective_bound", math.inf if cutoff is None else cutoff)
        try:
            status = self._run(seconds)
        finally:
            self.highs.setOptionValue("objective_bound", math.inf)
        proved = status in (highspy.HighsModelStatus.kOptimal,
                            highspy.HighsModelStatus.kInfeasible)
        if self.highs.getInfo().primal_solution_status != 2:
            return None, proved
        values = np.array(self.highs.getSolution().col_value)
        return _Found(values, float(self.cost @ values + self.offset)), proved

    def _run(self, seconds: float | None) -> highspy.HighsModelStatus:
        # HiGHS measures an LP's time limit against its run time since the instance was made
        # (a MILP's against the run), so the LP gets the seconds on top of that clock.
        if seconds is None:
            limit = math.inf
        elif self.highs.getOptionValue("solve_relaxation")[1]:
            limit = self.highs.getRunTime() + seconds
        else:
            limit = seconds
        self.highs.setOptionValue("time_limit", limit)
        self.highs.run()
        return self.highs.getModelStatus()


class _Bounds:
    """Column bounds for the span of a ``with`` block; the bounds before it on exit."""

    def __init__(self, solver: _Solver, lower: np.ndarray, upper: np.ndarray):
        self.solver, self.lower, self.upper = solver, lower, upper

    def __enter__(self) -> None:
        self.saved = self.solver.current_bounds()
        self.solver.set_bounds(self.lower, self.upper)

    def __exit__(self, *exc) -> None:
        self.solver.set_bounds(*self.saved)
