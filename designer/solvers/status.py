"""What a solve ended in: one status for every solver, and the report a design carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SolveStatus(Enum):
    """How a solve ended, whichever solver ran it."""

    OPTIMAL = "Optimal"  # a design, proved cheapest
    FEASIBLE = "Feasible"  # a design, not proved cheapest (stopped at the time limit)
    INFEASIBLE = "Infeasible"  # proved: no design meets the demand
    UNDECIDED = "Not Solved"  # no design found, none proved impossible (time limit)

    @property
    def has_design(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    @property
    def text(self) -> str:
        """The word ``design.json`` records (``solve.status``)."""
        return self.value


@dataclass(frozen=True)
class SolveReport:
    """What the solver said: status, objective, timings, model size, and the gap to the
    proven lower bound (0 when proved optimal)."""

    solver: str
    status: SolveStatus
    objective_usd: float
    solve_s: float
    variables: int
    integer_variables: int
    constraints: int
    gap: float = 0.0  # (objective - proven lower bound) / objective

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL
