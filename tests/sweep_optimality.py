"""Compare the MILP with the exhaustive enumeration over many seeds (slower than the test suite).

    python tests/sweep_optimality.py --seeds 8 --solver cbc
    python tests/sweep_optimality.py --seeds 8 --cages   # random cage facts on every part

Prints one line per mismatch and a summary; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import small_instances, with_cages
from reference import cheapest_design

import designer
from designer.inputs.demand import Demand


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="seeds 1..N, 40 instances each")
    parser.add_argument("--solver", choices=["cbc", "highs"], default="cbc")
    parser.add_argument("--cages", action="store_true",
                        help="random cage facts (form factor, top, lanes, coding) on every part")
    args = parser.parse_args()
    started, count, mismatches = time.perf_counter(), 0, 0
    for seed in range(1, args.seeds + 1):
        for index, instance in enumerate(small_instances(40, seed=seed)):
            if args.cages:
                instance = with_cages(instance, 1000 * seed + index)
            expected = cheapest_design(instance.fabric, instance.site, instance.catalog)
            demand = Demand.from_dict({"fabrics": [instance.fabric], "site": instance.site},
                                      path=f"{instance.name}.yaml")
            try:
                got = designer.design(demand, instance.catalog, solver=args.solver)
                cost = got.fabrics[0].cost_usd
            except designer.InfeasibleError:
                cost = None
            count += 1
            agree = (expected is None and cost is None) or (
                expected is not None and cost is not None
                and math.isclose(expected.cost_usd, cost, rel_tol=1e-9, abs_tol=1e-6))
            if not agree:
                mismatches += 1
                print(f"MISMATCH seed {seed} {instance.name}: enumeration "
                      f"{expected and expected.cost_usd} vs MILP {cost}")
    print(f"{count} instances, {mismatches} mismatches, {time.perf_counter() - started:.0f} s "
          f"({args.solver})")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
