"""The mixed-integer program for one fabric: built here, solved in :mod:`designer.solvers`.

One PuLP problem holds every alternative the fabric allows: each (layout, tier count) pair is a
*block* switched on by one binary, and inside a block the switch model, port split, striping,
pod structure and medium of each link class are decisions. Counts are aggregate integers (leaves,
spines, pods, cores), never one variable per switch or port, so the model keeps its size from a
thousand GPUs to half a million. All quantities inside a block are per sub-fabric and per plane;
the objective multiplies them by ``planes * subfabrics``.

Each constraint family has its own ``define_*`` function whose docstring carries its math. Row
names use ``[a-z0-9_]`` only. This module builds; it never solves or prints.

Products of two decisions (spines x cages per spine, the leaf's uplinks x pods) are linearised
exactly: one factor is written in binary digits (``x = sum_j 2^j b_j``; the digits of a leaf
option's data are sums of the leaf binaries, so they cost nothing, see
``_Builder.choice_product``) and each ``b_j * y`` becomes a variable
``w_j >= y - Y_max * (1 - b_j)``, ``w_j >= 0``. Every such product only ever *costs* money, so
minimisation drives ``w_j`` down to ``b_j * y``: a lower bound is all the linearisation needs.
"""

from designer.model.formulation.blocks import Block, FabricModel
from designer.model.formulation.build import build_model
from designer.model.formulation.laid import price_chosen_runs, unpriced_choice
from designer.model.formulation.readback import read_structure

__all__ = ["Block", "FabricModel", "build_model", "price_chosen_runs", "read_structure",
           "unpriced_choice"]
