"""Use designer from a procurement script: price a cluster three ways and keep the cheapest.

Run from the repository root::

    python examples/procurement.py            # prints a comparison, writes out/procurement/

It loads the shipped catalogs plus (optionally) your own quotes, designs the seed's 1,024-GPU
training fabric with InfiniBand and with RoCE Ethernet, and writes the cheaper one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import designer

HERE = Path(__file__).resolve().parent


def demand_for(protocol: str) -> designer.Demand:
    """The training example with its protocol replaced (demands are frozen: a new one)."""
    base = designer.load_demand(HERE / "training-1024.yaml")
    return base.with_fabric(base.fabrics[0].name, protocol=protocol, server=None)


def main(quotes: list[str]) -> int:
    catalog = designer.load_catalog(["nvidia-infiniband", "ai-ethernet", *quotes])
    results = {}
    for protocol in ("infiniband", "ethernet"):
        try:
            results[protocol] = designer.design(demand_for(protocol), catalog, time_limit=60)
        except designer.InfeasibleError as error:
            print(f"{protocol}: no design ({error})")
    for protocol, result in results.items():
        fabric = result.fabrics[0]
        print(f"{protocol:>10}: ${result.total_cost_usd:>13,.0f}  {fabric.structure.tiers} tiers, "
              f"{fabric.structure.layout}, {sum(sum(s.values()) for s in fabric.switches.values())}"
              f" switches, optimal={result.optimal}")
    if not results:
        return 3
    best = min(results, key=lambda p: results[p].total_cost_usd)
    out = results[best].write(Path("out") / "procurement")
    print(f"cheapest: {best}; outputs in {out}")
    for line in results[best].bom:
        print(f"  {line.quantity:>6} x {line.model:<40} ${line.extended_price_usd:>13,.2f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except designer.DesignerError as error:
        print(f"error: {error.headline}", file=sys.stderr)
        sys.exit(error.exit_code)
