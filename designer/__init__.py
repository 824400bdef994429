"""designer: the network designer for AI clusters.

Pick the cheapest fabric for a GPU cluster from a priced catalog, prove it optimal, and write the
bill of materials, cabling plan and report::

    import designer
    catalog = designer.load_catalog()                 # every shipped catalog
    demand = designer.load_demand("examples/training-1024.yaml")
    result = designer.design(demand, catalog)
    result.write("out/")

A script builds or varies a demand without files: ``designer.Demand.from_dict({...})``,
``demand.with_fabric("compute", nodes=256)``, ``demand.with_site(racks_per_row=32)``. Why a
fabric has no design is ``InfeasibleError.reason``, an :class:`Infeasibility` read by field.
The interface is ``docs/interface.md``; the package's layout is ``docs/architecture.md``.
"""

from designer.design import design
from designer.diagnose.reasons import Infeasibility, Remedy
from designer.errors import DesignerError, InfeasibleError, InputError, SolverError
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.loading import load_catalog, load_demand, shipped_catalog_names
from designer.studies.compare import Comparison, compare
from designer.studies.sweep import SweepResult, sweep

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "Comparison",
    "Demand",
    "DesignerError",
    "Infeasibility",
    "InfeasibleError",
    "InputError",
    "Remedy",
    "SolverError",
    "SweepResult",
    "__version__",
    "compare",
    "design",
    "load_catalog",
    "load_demand",
    "shipped_catalog_names",
    "sweep",
]
