"""Wall time of a many-point sweep, and where it goes (issue 5: a 200-point sweep in minutes).

    python benchmarks/sweep_scale.py             # 200 points, 64 .. 131,072 GPUs, 2 workers
    python benchmarks/sweep_scale.py --points 50 --workers 2 --solver cbc

Sweeps ``examples/training-sweep.yaml`` (8 x 400G per DGX H100, non-blocking, every shipped
catalog, 5 hops) over GPU counts spaced evenly on a log scale with ``designer.studies.sweep`` and a
process pool, exactly as ``design sweep`` does, and prints the machine, the wall time and the
points per status. ``--per-point`` then times every distinct point on its own (in the same
pool) and lists the slowest. Writes nothing unless ``--json`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import designer  # noqa: E402
from designer.studies.sweep import design_point  # noqa: E402

DEMAND = ROOT / "examples" / "training-sweep.yaml"


def gpu_values(points: int, low: int = 64, high: int = 131072) -> list[int]:
    """``points`` GPU counts from ``low`` to ``high`` evenly spaced on a log scale (each
    point designs ``ceil(gpus / 8)`` servers, as ``design sweep`` does)."""
    ratio = (high / low) ** (1 / (points - 1))
    return sorted({round(low * ratio ** k) for k in range(points)})


def timed_point(*args):
    started = time.perf_counter()
    point = design_point(*args)
    return point, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--solver", default="highs", choices=("highs", "cbc"))
    parser.add_argument("--per-point", action="store_true",
                        help="also time each distinct point and list the slowest")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    demand = designer.load_demand(DEMAND)
    catalog = designer.load_catalog()
    values = gpu_values(args.points)
    name = demand.fabrics[0].name
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print(f"sweep: {len(values)} points, {values[0]:,} .. {values[-1]:,} GPUs, "
          f"{args.workers} workers, {args.solver}")
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        result = designer.sweep(demand, "gpus", values, catalog=catalog, solver=args.solver,
                                executor=pool)
    wall_s = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for point in result.points:
        statuses[point.status] = statuses.get(point.status, 0) + 1
    print(f"wall time: {wall_s:.1f} s ({wall_s / len(values):.2f} s per point); "
          + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    figures = {"points": len(values), "workers": args.workers, "solver": args.solver,
               "wall_s": round(wall_s, 2), "statuses": statuses,
               "costs_usd": [p.cost_usd for p in result.points]}
    if args.per_point:
        distinct = sorted({p.gpus: p.value for p in result.points}.values())
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            futures = [pool.submit(timed_point, demand, catalog, name, "gpus", v, None,
                                   args.solver) for v in distinct]
            timed = [f.result() for f in futures]
        times = [t for _, t in timed]
        print(f"{len(distinct)} distinct points: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s, sum {sum(times):.1f} s; slowest:")
        for point, seconds in sorted(timed, key=lambda r: -r[1])[:8]:
            print(f"  {point.gpus:>8,} GPUs  {seconds:6.2f} s  {point.tiers} tiers  "
                  f"{point.status}")
        figures["per_point"] = [{"gpus": p.gpus, "seconds": round(t, 3), "tiers": p.tiers}
                                for p, t in timed]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
