"""Reading a solved model back: the chosen structure, from the binaries that are on.

Only the choices are read (and the spine or pod count); every other count and cost is
recomputed from them in plain arithmetic (``designer.model.structure``), so nothing downstream
trusts the solver's arithmetic.
"""

from __future__ import annotations

from designer.model.formulation.blocks import FabricModel
from designer.model.structure import FabricStructure


def _on(var) -> bool:
    return (var.varValue or 0.0) > 0.5


def read_structure(model: FabricModel) -> FabricStructure:
    """Read the chosen protocol, NIC, block, options and counts from the solution."""
    protocol = next(p for p, v in model.protocols.items() if _on(v))
    nic = next(n for n, v in model.nics if _on(v))
    block = next(b for b in model.blocks if _on(b.on))
    leaf = next(o for o, v in block.leaves if _on(v))
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
                           pods=pods, core=core, media=media,
                           nics_in_server_price=model.nics_in_server_price,
                           node_cage=block.node_cage)
