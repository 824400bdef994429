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
no design and the model stays a relaxation of the plan's prices. The big-M rows are slack at a
fractional ``w``, so the least of them over every medium and pod size is added as the floor
``kappa >= F_y y`` (:func:`~designer.model.formulation.media.define_media_floor_per_leaf`'s
``cost_mu(y)`` with the cords laid): with ``y`` on, the relaxation knows what its runs cost.

The solve (``designer.solvers.solve``) adds these rows for the leaf option of the design it
found and solves again, until the design's own leaf option is priced run by run. Its objective
is then the cost of the plan it writes, and no design costs less than the model's optimum,
which bounds every design from below: it is optimal.
"""

from __future__ import annotations

import math

import numpy as np

from designer.model.formulation.blocks import Block, FabricModel
from designer.model.formulation.builder import Expr, row_name
from designer.model.formulation.media import cords_laid, least_media_usd, media_view, pod_sizes
from designer.model.links import LinkClass
from designer.site.podruns import Runs, pod_runs
from designer.site.pods import CoreLayout, PodRacks

CLASSES = (LinkClass.LEAF_SPINE, LinkClass.SPINE_CORE)


def _on(var) -> bool:
    return (var.varValue or 0.0) > 0.5


def unpriced_choice(model: FabricModel) -> tuple[Block, int] | None:
    """The chosen 3-tier block and leaf option when that option is not priced run by run yet
    (its design's cost is then a lower bound on its plan's); None when the solution's prices
    are its plan's."""
    block = next((b for b in model.blocks if _on(b.on)), None)
    if block is None or block.tiers != 3 or not block.media:
        return None
    row = next(i for i, (_, v) in enumerate(block.leaves) if _on(v))
    if row in block.laid or block.leaves[row][0].leaf_rows is None:
        return None
    return block, row


def price_chosen_runs(model: FabricModel) -> bool:
    """Price the chosen 3-tier leaf option run by run when it is not yet: True when rows were
    added (the model must be solved again), False when the solution's prices are its plan's."""
    choice = unpriced_choice(model)
    if choice is None:
        return False
    add_laid_rows(model, *choice)
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
    for index, cls in enumerate(CLASSES):
        media = block.media[cls]
        units1, units1_max, units2, units2_max = media.units
        name = row_name(block.name, cls, "laid", row)
        usd, watts = cords_laid([m for m, _ in media.options],
                                 [both[index] for both in runs.values()])
        usd, watts = usd / copies, watts / copies  # [medium, size], per copy; nan: not reached
        for i, (m, w) in enumerate(media.options):
            if m.breakout:  # priced per cage: the row it has is exact
                continue
            for in_watts, total, prices in ((False, media.cost, usd[i]),
                                            (True, media.power, watts[i])):
                if total is None:
                    continue
                terms = [(z, float(price)) for size, price in zip(runs, prices, strict=True)
                         if not np.isnan(price) for z in sizes[size]]
                if not any(value for _, value in terms):
                    continue
                unit1, unit2 = ((m.per_unit1_w, m.per_unit2_w) if in_watts
                                else (m.per_unit1_usd, m.per_unit2_usd))
                big_m = (unit1 * units1_max + unit2 * units2_max
                         + max(value for _, value in terms))
                model.problem += (total >= unit1 * units1 + unit2 * units2 + Expr(terms)
                                  - big_m * (2 - w - y),
                                  row_name(name, i, "power" if in_watts else "cost"))
        least_links_usd = np.fmin.reduce(usd, axis=1, initial=np.inf)[None, :]
        least = float(least_media_usd([media_view(o, cls)], [m for m, _ in media.options],
                                      cls == LinkClass.LEAF_SPINE,
                                      np.nan_to_num(least_links_usd, nan=np.inf)).min())
        if 0 < least < math.inf:
            model.problem += media.cost >= least * y, row_name(name, "floor")
    block.laid.add(row)


__all__ = ["add_laid_rows", "price_chosen_runs", "size_runs", "unpriced_choice"]
