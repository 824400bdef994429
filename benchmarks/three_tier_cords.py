"""A 3-tier fabric's total and the cords it buys per class above the leaf, and how many times
the solve priced a leaf option run by run (the leaf options whose lower bound beat the best
design found).

    python benchmarks/three_tier_cords.py [NODES]     # default 16,384 nodes x 8 x 400G
"""

from __future__ import annotations

import sys
import time

import designer
import designer.model.formulation.laid as laid
from designer.inputs.demand import Demand
from designer.model.links import LinkClass


def main() -> None:
    nodes = int(sys.argv[1]) if len(sys.argv) > 1 else 16384
    rounds = [0]
    add = laid.add_laid_rows

    def counted(*args, **kwargs):
        rounds[0] += 1
        return add(*args, **kwargs)

    laid.add_laid_rows = counted
    raw = {"fabrics": [{"name": "backend", "nodes": nodes, "endpoints_per_node": 8,
                        "port_speed_gbps": 400, "protocol": "any", "layout": "any",
                        "max_oversubscription": 1, "max_switch_hops": 5}]}
    started = time.perf_counter()
    result = designer.design(Demand.from_dict(raw, path="three-tier.yaml"),
                             designer.load_catalog())
    fabric = result.fabrics[0]
    s = fabric.structure
    print(f"{nodes:,} nodes: ${fabric.cost_usd:,.0f}, {s.tiers} tiers {s.layout}, solve "
          f"{fabric.solve.solve_s:.2f} s, {rounds[0]} leaf options priced run by run, "
          f"{time.perf_counter() - started:.1f} s in all")
    for cls in (LinkClass.LEAF_SPINE, LinkClass.SPINE_CORE):
        if cls in s.media:
            print(f"  {cls}: " + ", ".join(f"{n:,} x {c.model} ({c.reach_m:g} m, ${c.price_usd:g})"
                                            for c, n in s.cords(cls)))


if __name__ == "__main__":
    main()
