"""Time and peak memory of writing one large design (default: 131,072 GPUs), stage by stage.

    python benchmarks/output_scale.py                  # 16,384 nodes x 8 x 400G, ai-ethernet
    python benchmarks/output_scale.py --nodes 4096 --catalog nvidia-infiniband

Runs the design, then ``write_all`` exactly as ``design`` does (every output and the
independent verification), printing each stage's wall time and the peak resident memory so
far (this process, and any worker it ran), then the total. Last, a plain ``csv.writer``
writes the same cabling rows (read back from the written file, the read timed apart and taken
off) and the cabling stage's ratio to it is printed. The figures are also written as JSON
next to the outputs (``--keep``).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import designer
from designer.outputs.write import write_all


def peak_mib() -> float:
    """The most memory this process, or any one worker it waited for, held."""
    return max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def plain_csv_seconds(cabling_csv: Path) -> float:
    """Seconds a bare ``csv.writer`` takes to write ``cabling_csv``'s rows: (read + write)
    minus read, both streamed."""
    def read_s(write: bool) -> float:
        started = time.perf_counter()
        with open(cabling_csv, newline="", encoding="utf-8") as source, \
                open(cabling_csv.with_suffix(".plain"), "w", newline="",
                     encoding="utf-8") as sink:
            rows = csv.reader(source)
            if write:
                csv.writer(sink).writerows(rows)
            else:
                for _ in rows:
                    pass
        return time.perf_counter() - started
    plain = read_s(True) - read_s(False)
    cabling_csv.with_suffix(".plain").unlink()
    return plain


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=16384)
    parser.add_argument("--endpoints", type=int, default=8)
    parser.add_argument("--speed", type=float, default=400)
    parser.add_argument("--catalog", default="ai-ethernet")
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()

    stages: list[dict] = []

    def timed(name: str, seconds: float, **extra) -> None:
        stages.append({"stage": name, "seconds": round(seconds, 3),
                       "peak_rss_mib": round(peak_mib(), 1), **extra})
        print(f"{name:<16} {seconds:>8.2f} s   peak RSS {stages[-1]['peak_rss_mib']:>8.1f} MiB"
              f"  {extra or ''}", flush=True)

    started = time.perf_counter()
    t = time.perf_counter()
    catalog = designer.load_catalog([args.catalog])
    demand = designer.Demand.from_dict({"name": "scale", "fabrics": [{
        "name": "backend", "nodes": args.nodes, "endpoints_per_node": args.endpoints,
        "port_speed_gbps": args.speed, "max_oversubscription": 1, "max_switch_hops": 5}]},
        path="scale.yaml")
    timed("load", time.perf_counter() - t)
    t = time.perf_counter()
    result = designer.design(demand, catalog, solver=args.solver)
    fabric = result.fabrics[0]
    timed("design", time.perf_counter() - t, tiers=fabric.structure.tiers,
          links=sum(fabric.links.values()))

    folder = Path(tempfile.mkdtemp(prefix="designer-scale-")) / "out"
    try:
        write_all(result, folder, timed=timed)
        total = time.perf_counter() - started
        print(f"{'total':<16} {total:>8.2f} s   peak RSS {peak_mib():>8.1f} MiB", flush=True)
        cabling = next(s["seconds"] for s in stages if s["stage"] == "cabling.csv")
        plain = plain_csv_seconds(folder / "cabling.csv")
        print(f"cabling.csv took {cabling:.2f} s, a plain csv.writer {plain:.2f} s for the "
              f"same rows: {cabling / plain:.1f}x", flush=True)
        figures = {"stages": stages, "total_s": round(total, 3),
                   "peak_rss_mib": round(peak_mib(), 1),
                   "plain_csv_writer_s": round(plain, 3), "cabling_ratio": cabling / plain}
        (folder / "benchmark.json").write_text(json.dumps(figures, indent=2) + "\n")
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(folder, args.keep)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
