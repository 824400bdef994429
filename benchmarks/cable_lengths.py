"""What each design costs and which cords it buys, by link class (issue 13's before and after).

    python benchmarks/cable_lengths.py                 # the two examples and 131,072 GPUs
    python benchmarks/cable_lengths.py --skip-large    # the examples only (seconds)

Designs ``examples/training-1024.yaml``, ``examples/ethernet-2plane-4096.yaml`` and one fabric
of 16,384 nodes x 8 x 400G (non-blocking, 5 hops, every shipped catalog, the default site)
with ``designer.design`` and prints the total and every cable line of the bill of materials:
link class, part and quantity. Run it on an older commit (``PYTHONPATH`` on a worktree) to
compare.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import designer
from designer.inputs.demand import Demand

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("training-1024", "ethernet-2plane-4096")
LARGE = {"fabrics": [{"name": "backend", "nodes": 16384, "endpoints_per_node": 8,
                      "port_speed_gbps": 400, "max_oversubscription": 1,
                      "max_switch_hops": 5}]}


def show(label: str, result) -> None:
    print(f"{label}: ${result.total_cost_usd:,.0f}")
    cords: Counter = Counter()
    for fabric in result.fabrics:
        for line in fabric.structure.parts():
            if line.kind == "cables":
                cords[(line.role, line.model)] += line.quantity
    for (role, model), quantity in sorted(cords.items()):
        print(f"   {role:12s} {model:45s} {quantity:>9,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="leave out 131,072 GPUs")
    args = parser.parse_args()
    for name in EXAMPLES:
        show(name, designer.design(designer.load_demand(ROOT / "examples" / f"{name}.yaml")))
    if not args.skip_large:
        show("131,072 GPUs", designer.design(Demand.from_dict(LARGE, path="large.yaml"),
                                             designer.load_catalog()))


if __name__ == "__main__":
    main()
