"""Three tiers priced as laid: the runs of a leaf option for every pod size, added as rows.

In a 3-tier block the runs of each class above the leaf depend on the leaf option ``y`` and on
the pod size ``k = (Lp, Cg)`` together (where the pods' racks and the cores stand,
``designer.site.podruns``). Pricing every pair up front would take tens of thousands of run
histograms and coefficients at a thousand GPUs, most for leaf options no design near the
optimum uses. So :func:`~designer.model.formulation.media.define_media` starts from a lower
bound (every run on the medium's cheapest cord), and the leaf option of a design the solver
finds is then priced run by run, for every pod size at once:

    kappa >= a_mu units1 + b_mu units2 + sum_k G_mu,y,k Z_k - M_mu,y (2 - w_mu - y)

for every medium ``mu`` of the class (its watts likewise when the fabric limits power), with
``G_mu,y,k`` what ``mu``'s cords cost on ``y``'s runs with pods of size ``k``, per copy (each
run on the cheapest cord that reaches it), ``Z_k`` the pod options of size ``k`` (one at most
is on) and ``M_mu,y = a_mu units1_max + b_mu units2_max + max_k G_mu,y,k``. The row is slack
unless ``y`` and ``mu`` are both on, and then it is the cost of the cords laid, so it cuts off
no design and the model stays a relaxation of the plan's prices.

The solve (``designer.solvers.solve``) adds these rows for the leaf option of the design it
found and solves again, until the design's own leaf option is priced run by run. Its objective
is then the cost of the plan it writes, and no design costs less than the model's optimum,
which bounds every design from below: it is optimal.
"""

from __future__ import annotations

import math

from designer.model.formulation.blocks import Block, FabricModel
from designer.model.formulation.builder import Expr, row_name
from designer.model.formulation.media import pod_sizes
from designer.model.links import LinkClass
from designer.site.podruns import Runs, pod_runs
from designer.site.pods import CoreLayout, PodRacks

CLASSES = (LinkClass.LEAF_SPINE, LinkClass.SPINE_CORE)


def _on(var) -> bool:
    return (var.varValue or 0.0) > 0.5


def price_chosen_runs(model: FabricModel) -> bool:
    """Price the chosen 3-tier leaf option run by run when it is not yet: True when rows were
    added (the model must be solved again), False when the solution's prices are its plan's."""
    block = next((b for b in model.blocks if _on(b.on)), None)
    if block is None or block.tiers != 3 or not block.media:
        return False
    row = next(i for i, (_, v) in enumerate(block.leaves) if _on(v))
    if row in block.laid or block.leaves[row][0].leaf_rows is None:
        return False
    add_laid_rows(model, block, row)
    return True


def size_runs(block: Block, row: int) -> dict[tuple[int, int], tuple[Runs, Runs]]:
    """The runs of both classes of leaf option ``row`` for every pod size a core can hold."""
    o = block.leaves[row][0]
    most_ports = max(m.radix for m, _ in block.cores)
    out = {}
    for lp, cg in pod_sizes(block):
        pods, l2 = math.ceil(o.leaves / lp), lp // cg
        if pods * l2 > most_ports:
            continue
        racks = PodRacks(o.leaf_rows.site, pods, o.spine_racks, o.spine_block,
                         CoreLayout.of(o.uplinks, cg, o.rack_holds), o.network.copies)
        out[lp, cg] = pod_runs(o.leaf_rows, racks, leaves_per_group=block.shape.leaves_per_group,
                               uplinks=o.uplinks, leaves_per_pod=lp, links_per_core=l2)
    return out


def add_laid_rows(model: FabricModel, block: Block, row: int) -> None:
    """The rows of the module docstring for leaf option ``row`` of a 3-tier ``block``."""
    o, y = block.leaves[row]
    copies = o.network.copies
    sizes = pod_sizes(block)
    runs = size_runs(block, row)
    cords: dict[tuple, tuple[float, float] | None] = {}  # (cord set, run): (usd, watts)

    def laid(medium, of_class: Runs) -> tuple[float, float] | None:
        usd = watts = 0.0
        for run, links in of_class:
            key = (medium.preference, run)
            if key not in cords:
                cord = medium.cord_for(run)
                cords[key] = None if cord is None else (cord.price_usd, cord.power_w)
            if cords[key] is None:
                return None  # beyond the medium's reach: the pod reach rows forbid the pair
            usd += links * cords[key][0]
            watts += links * cords[key][1]
        return usd / copies, watts / copies

    for index, cls in enumerate(CLASSES):
        media = block.media[cls]
        units1, units1_max, units2, units2_max = media.units
        name = row_name(block.name, cls, "laid", row)
        for i, (m, w) in enumerate(media.options):
            if m.breakout:  # priced per cage: the row it has is exact
                continue
            prices = {size: laid(m, both[index]) for size, both in runs.items()}
            for watts, total in ((False, media.cost), (True, media.power)):
                if total is None:
                    continue
                terms = [(z, price[1 if watts else 0]) for size, price in prices.items()
                         if price is not None for z in sizes[size]]
                if not any(value for _, value in terms):
                    continue
                unit1, unit2 = ((m.per_unit1_w, m.per_unit2_w) if watts
                                else (m.per_unit1_usd, m.per_unit2_usd))
                big_m = (unit1 * units1_max + unit2 * units2_max
                         + max(value for _, value in terms))
                model.problem += (total >= unit1 * units1 + unit2 * units2 + Expr(terms)
                                  - big_m * (2 - w - y),
                                  row_name(name, i, "power" if watts else "cost"))
    block.laid.add(row)


__all__ = ["add_laid_rows", "price_chosen_runs", "size_runs"]
