"""Time and peak memory of each stage for one large design (default: 131,072 GPUs).

    python benchmarks/output_scale.py                  # 16,384 nodes x 8 x 400G, ai-ethernet
    python benchmarks/output_scale.py --nodes 4096 --catalog nvidia-infiniband

Prints one line per stage (load, solve, each output file, verification) with wall time and the
process's peak resident memory so far, and writes the figures as JSON next to the outputs.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import designer
from designer.exports import write_exports
from designer.outputs.bom import write_bom_csv, write_bom_xlsx
from designer.outputs.cabling import write_cabling_csv
from designer.outputs.html import write_report_html
from designer.outputs.report import write_report_md
from designer.outputs.runlists import write_cable_order, write_runlists
from designer.outputs.templating import environment
from designer.outputs.write import write_design_json
from designer.verify import verify


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=16384)
    parser.add_argument("--endpoints", type=int, default=8)
    parser.add_argument("--speed", type=float, default=400)
    parser.add_argument("--catalog", default="ai-ethernet")
    parser.add_argument("--solver", default="cbc")
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()

    stages: list[dict] = []

    def stage(name: str, started: float, **extra) -> None:
        stages.append({"stage": name, "seconds": round(time.perf_counter() - started, 3),
                       "peak_rss_mib": round(peak_mib(), 1), **extra})
        print(f"{name:<16} {stages[-1]['seconds']:>8.2f} s   peak RSS "
              f"{stages[-1]['peak_rss_mib']:>8.1f} MiB  {extra or ''}", flush=True)

    t = time.perf_counter()
    catalog = designer.load_catalog([args.catalog])
    demand = designer.Demand.from_dict({"name": "scale", "fabrics": [{
        "name": "backend", "nodes": args.nodes, "endpoints_per_node": args.endpoints,
        "port_speed_gbps": args.speed, "max_oversubscription": 1, "max_switch_hops": 5}]},
        path="scale.yaml")
    stage("load", t)
    t = time.perf_counter()
    result = designer.design(demand, catalog, solver=args.solver)
    fabric = result.fabrics[0]
    stage("design", t, tiers=fabric.structure.tiers, links=sum(fabric.links.values()))

    folder = Path(tempfile.mkdtemp(prefix="designer-scale-"))
    try:
        env = environment(None)
        t = time.perf_counter()
        write_design_json(result, folder / "design.json")
        stage("design.json", t)
        t = time.perf_counter()
        write_bom_csv(result, folder / "bom.csv", env)
        stage("bom.csv", t)
        t = time.perf_counter()
        rows = write_cabling_csv(result, folder / "cabling.csv")
        stage("cabling.csv", t, rows=rows)
        t = time.perf_counter()
        files = write_runlists(folder / "cabling.csv", folder / "runlists")
        stage("runlists", t, files=files)
        t = time.perf_counter()
        write_cable_order(folder / "cabling.csv", folder / "cable-order.csv",
                          result.parts_table())
        stage("cable-order.csv", t)
        t = time.perf_counter()
        write_bom_xlsx(result, folder / "bom.xlsx", folder / "cabling.csv")
        stage("bom.xlsx", t)
        t = time.perf_counter()
        write_report_md(result, folder / "report.md", env)
        stage("report.md", t)
        t = time.perf_counter()
        write_report_html(result, folder / "report.html", env)
        stage("report.html", t)
        t = time.perf_counter()
        exported = write_exports(folder)
        stage("exports", t, files=len(exported))
        t = time.perf_counter()
        report = verify(folder)
        stage("verify", t, passed=report.passed)
        total = sum(s["seconds"] for s in stages)
        print(f"{'total':<16} {total:>8.2f} s   peak RSS {peak_mib():>8.1f} MiB")
        (folder / "benchmark.json").write_text(json.dumps(stages, indent=2) + "\n")
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(folder, args.keep)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
