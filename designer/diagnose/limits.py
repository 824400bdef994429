"""Why a budget or a power limit leaves no design, proved by one more solve of the same model.

- **Power** (``max_power_kw``): lift the limit and minimise power instead of cost; the least
  power any design draws is what the limit must allow.
- **Budget** (``budget_usd``): lift the budget and minimise cost; the cheapest design within the
  oversubscription limit is the least budget that buys one.

Either returns None when lifting its limit still gives no design: that limit is not the cause.
"""

from __future__ import annotations

import pulp

from designer.diagnose.reasons import Infeasibility
from designer.errors import SolverError
from designer.model.formulation import FabricModel
from designer.solvers.solve import run

LIFTED = 1e15  # a right-hand side no design reaches


def power_reason(model: FabricModel, solver: str, time_limit: float | None
                 ) -> Infeasibility | None:
    """The least power any design draws, when a power limit is what leaves none."""
    if model.power_w is None:
        return None
    problem, limit = model.problem, model.power_limit
    saved = limit.constant
    limit.changeRHS(LIFTED)
    problem.setObjective(model.power_w)
    try:
        if not run(model, solver, time_limit).has_design:
            return None
        least_kw = pulp.value(model.power_w) / 1000
    except SolverError:
        return None
    finally:
        limit.constant = saved
        problem.setObjective(model.objective)
    limit_kw = model.fabric.max_power_kw
    return Infeasibility(
        "max_power_kw",
        f"max_power_kw: {limit_kw:g} kW allows no design; the least any design draws is "
        f"{least_kw:,.1f} kW (raise max_power_kw, or allow more oversubscription or other parts)",
        shortfall=least_kw - limit_kw, fix={"max_power_kw": least_kw})


def budget_reason(model: FabricModel, solver: str, time_limit: float | None
                  ) -> Infeasibility | None:
    """What the cheapest design costs, when the budget is what leaves none."""
    if model.budget_limit is None:
        return None
    model.budget_limit.changeRHS(LIFTED)
    model.problem.setObjective(model.objective)
    if not run(model, solver, time_limit).has_design:
        return None
    cheapest = pulp.value(model.objective)
    budget = model.fabric.budget_usd
    return Infeasibility(
        "budget_usd",
        f"budget_usd: ${budget:,.0f} buys no design; the cheapest within max_oversubscription "
        f"{model.fabric.max_oversubscription:g}:1 costs ${cheapest:,.0f} (raise budget_usd or "
        "allow more oversubscription)",
        shortfall=cheapest - budget, fix={"budget_usd": cheapest})
