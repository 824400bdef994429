"""One answer to "why is there no design?", as a value: :class:`~designer.diagnose.reasons.
Infeasibility` (``limit``, ``shortfall``, ``fix``, ``text``).

- :mod:`~designer.diagnose.reasons`: by counting (capacity, latency, scalable unit, reach,
  missing parts);
- :mod:`~designer.diagnose.limits`: a budget or power limit, by one more solve of the model;
- :mod:`~designer.diagnose.probes`: the smallest loosening of one limit, by re-solving.

:func:`why_no_design` puts them together in that order.
"""

from __future__ import annotations

from designer.diagnose.limits import budget_reason, power_reason
from designer.diagnose.probes import explain_infeasible, explain_missing_parts
from designer.diagnose.reasons import Infeasibility, Remedy, analytic_reason, missing_parts
from designer.inputs.catalog import Catalog
from designer.inputs.schema import Site
from designer.model.formulation import FabricModel


def why_no_design(model: FabricModel, site: Site, catalog: Catalog, solver: str,
                  time_limit: float | None, probe: bool = True) -> Infeasibility:
    """Why ``model`` (built for ``site`` from ``catalog``, solved infeasible) has no design.

    A power limit, then a budget, each checked by solving without it (their reasons name the
    least figure a design needs and are final); otherwise the analytic reason, backed by
    re-solving with each limit loosened when ``probe`` is true.
    """
    reason = (power_reason(model, solver, time_limit)
              or budget_reason(model, solver, time_limit))
    if reason is not None:
        return reason
    reason = analytic_reason(model.fabric, site, catalog)
    if not probe:
        return reason
    return explain_infeasible(reason, model.fabric, site, catalog, solver)


__all__ = ["Infeasibility", "Remedy", "analytic_reason", "explain_missing_parts",
           "missing_parts", "why_no_design"]
