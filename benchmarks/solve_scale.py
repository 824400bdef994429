"""Model size, build, solve and extraction time per fabric size, with CBC and HiGHS (issue 5).

    python benchmarks/solve_scale.py                    # 5 sizes x 2 solvers, median of 5 runs
    python benchmarks/solve_scale.py --repeat 3 --sizes 1024 32768 --solvers highs
    python benchmarks/solve_scale.py --smallest         # 1,024 GPUs once per solver (CI)
    python benchmarks/solve_scale.py --profile prof/    # plus one cProfile'd run per design

Each design is one fabric of GPUs / 8 nodes x 8 x 400G: non-blocking, protocol and layout
``any``, ``max_switch_hops: 5``, every shipped catalog allowed, the default site (``--site
KEY=VALUE`` changes a site field). Every run calls the public ``designer.design()``; its phases
are timed by wrapping, for the length of the run, the functions it calls (the library is not
changed):

    build    designer.model.formulation.build_model: model construction
    solve    the solver's wall time as designer.solvers.solve.solve reports it (PuLP handing the
             model to the solver, the solver itself, reading the solution back)
    extract  the rest of solve() after the solver: status, model.formulation.read_structure,
             model size
    total    designer.design() from call to return, which also checks the inputs and recomputes
             the bill of materials against the objective

The catalog is loaded once, outside the timings. A design with no solution is reported as
``infeasible`` with the time taken to prove it (its solve column then also holds the diagnosis
of the binding limit). Prints the machine, one line per run as it ends (on stderr) and a table
of medians; writes the medians and every run as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pulp

import designer
from designer.inputs.demand import Demand
from designer.solvers.solve import solver_versions
from designer.solvers.strategies import SOLVERS

ROOT = Path(__file__).resolve().parent.parent
SIZES_GPUS = (1024, 8192, 32768, 131072, 524288)
GPUS_PER_NODE = 8
PORT_SPEED_GBPS = 400
MAX_SWITCH_HOPS = 5
TIMINGS = ("build_s", "solve_s", "extract_s", "total_s")


def scale_demand(gpus: int, site: dict) -> Demand:
    """One fabric of ``gpus / 8`` nodes x 8 x 400G, layout and protocol ``any``, hops 5."""
    return Demand.from_dict({"name": f"solve-scale-{gpus}", "site": site, "fabrics": [{
        "name": "backend", "nodes": gpus // GPUS_PER_NODE, "endpoints_per_node": GPUS_PER_NODE,
        "port_speed_gbps": PORT_SPEED_GBPS, "protocol": "any", "layout": "any",
        "max_oversubscription": 1, "max_switch_hops": MAX_SWITCH_HOPS}]},
        path=f"solve-scale-{gpus}.yaml")


class Phases:
    """Wall time of the functions ``designer.design()`` calls, while ``installed()``.

    With ``profile``, build and solve each run under their own ``cProfile.Profile``.
    """

    def __init__(self, profile: bool = False):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.model = None
        self.profilers = {"build": cProfile.Profile(), "solve": cProfile.Profile()} if profile \
            else {}

    def _timed(self, phase: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            self.calls[phase] += 1
            started = time.perf_counter()
            try:
                if phase in self.profilers:
                    return self.profilers[phase].runcall(function, *args, **kwargs)
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
        return timed

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        design_module = importlib.import_module("designer.design")
        build_model, solve = design_module.build_model, design_module.solve
        timed_build = self._timed("build", build_model)

        def capture(*args, **kwargs):
            self.model = timed_build(*args, **kwargs)
            return self.model

        design_module.build_model = capture
        design_module.solve = self._timed("solve", solve)
        try:
            yield
        finally:
            design_module.build_model, design_module.solve = build_model, solve


def model_size(problem) -> dict[str, int]:
    """Columns, integer columns (binaries included), binaries, rows and nonzeros."""
    variables = problem.variables()
    integer = [v for v in variables if v.cat != pulp.LpContinuous]
    return {"variables": len(variables), "integer_variables": len(integer),
            "binary_variables": sum(1 for v in integer if v.lowBound == 0 and v.upBound == 1),
            "constraints": len(problem.constraints),
            "nonzeros": sum(len(c) for c in problem.constraints.values())}


def run_once(demand: Demand, catalog, solver: str, time_limit: float | None,
             profile: bool = False) -> tuple[dict, Phases]:
    """One ``designer.design()`` call: its phase times, model size and outcome."""
    phases = Phases(profile)
    result, status, message = None, "", ""
    started = time.perf_counter()
    with phases.installed():
        try:
            result = designer.design(demand, catalog, solver=solver, time_limit=time_limit)
        except designer.InfeasibleError as exc:
            status, message = "infeasible", str(exc)
        except designer.SolverError as exc:
            status, message = "solver error", str(exc)
    total_s = time.perf_counter() - started
    if result is not None and (phases.calls["build"], phases.calls["solve"]) != (1, 1):
        raise RuntimeError("designer.design() no longer calls designer.design.build_model and "
                           "designer.design.solve once per fabric: update "
                           "benchmarks/solve_scale.py to time its new phases")
    solve_s, extract_s, outcome = phases.seconds["solve"], 0.0, {}
    if result is not None:
        fabric = result.fabrics[0]
        report, structure = fabric.solve, fabric.structure
        solve_s, extract_s = report.solve_s, phases.seconds["solve"] - report.solve_s
        status = "optimal" if report.optimal else f"feasible ({report.status})"
        outcome = {"cost_usd": round(result.total_cost_usd, 2), "tiers": structure.tiers,
                   "layout": structure.shape.layout, "protocol": structure.protocol}
    run = {"status": status, "build_s": round(phases.seconds["build"], 4),
           "solve_s": round(solve_s, 4), "extract_s": round(extract_s, 4),
           "total_s": round(total_s, 4), **outcome}
    if phases.model is not None:
        run.update(model_size(phases.model.problem))
    if message:
        run["message"] = message
    return run, phases


def summarise(gpus: int, solver: str, runs: list[dict]) -> dict:
    """Medians of the timings; the outcome and model size of the runs (which must agree)."""
    outcome_keys = ("status", "cost_usd", "tiers", "layout", "protocol", "variables",
                    "integer_variables", "binary_variables", "constraints", "nonzeros")
    outcomes = {json.dumps({k: r.get(k) for k in outcome_keys}, sort_keys=True) for r in runs}
    first = runs[0]
    row = {"gpus": gpus, "nodes": gpus // GPUS_PER_NODE, "solver": solver,
           **{k: first.get(k) for k in outcome_keys}, "optimal": first["status"] == "optimal",
           "runs_agree": len(outcomes) == 1,
           **{k: round(statistics.median(r[k] for r in runs), 4) for k in TIMINGS}}
    if "message" in first:
        row["message"] = first["message"]
    row["runs"] = [{k: r[k] for k in TIMINGS} for r in runs]
    return row


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def cbc_version() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        path = pulp.PULP_CBC_CMD(msg=False).path
    found = re.search(r"Version:\s*(\S+)", _run(path, "-quit"))
    return found.group(1) if found else "unknown"


def machine() -> dict:
    """CPU model, cores, Python and solver versions, and the code measured."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    versions = solver_versions()
    commit = _run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = _run("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no",
                   "--", "designer", "catalogs").strip()
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "usable_cores": usable,
            "python": platform.python_version(), "platform": platform.platform(),
            "pulp": versions.get("pulp"), "cbc": cbc_version(), "highspy": versions.get("highspy"),
            "designer": designer.__version__, "commit": commit,
            "uncommitted_library_changes": bool(changed),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def _site_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def table(rows: list[dict]) -> str:
    head = (f"{'GPUs':>9} {'solver':<6} {'vars':>6} {'int':>6} {'bin':>6} {'rows':>6} "
            f"{'build s':>8} {'solve s':>8} {'extr s':>7} {'total s':>8} {'cost':>16}  "
            f"{'design':<28} status")
    lines = [head, "-" * len(head)]
    for r in rows:
        shape = (f"{r['tiers']} tier{'s' if r['tiers'] != 1 else ''} {r['layout']} "
                 f"{r['protocol']}" if r.get("tiers") else "-")
        cost = f"${r['cost_usd']:,.0f}" if r.get("cost_usd") is not None else "-"
        status = r["status"] + ("" if r["runs_agree"] else " (runs differ!)")
        size = " ".join(f"{r[k]:>6,}" if r.get(k) is not None else f"{'-':>6}" for k in (
            "variables", "integer_variables", "binary_variables", "constraints"))
        lines.append(
            f"{r['gpus']:>9,} {r['solver']:<6} {size} {r['build_s']:>8.2f} "
            f"{r['solve_s']:>8.2f} {r['extract_s']:>7.3f} {r['total_s']:>8.2f} {cost:>16}  "
            f"{shape:<28} {status}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--sizes", type=int, nargs="+", metavar="GPUS",
                        help=f"GPU counts, multiples of {GPUS_PER_NODE} (default: "
                             f"{' '.join(map(str, SIZES_GPUS))})")
    parser.add_argument("--solvers", nargs="+", choices=SOLVERS, default=list(SOLVERS))
    parser.add_argument("--repeat", type=int, metavar="N",
                        help="runs per design; the table shows medians (default 5)")
    parser.add_argument("--smallest", action="store_true",
                        help="only 1,024 GPUs, once per solver (for CI)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                        help="solver time limit per run (default: none, prove optimality)")
    parser.add_argument("--site", action="append", default=[], metavar="KEY=VALUE",
                        help="a site field for every design, e.g. racks_per_row=64")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default benchmarks/results/"
                             "solve_scale.json; none for --smallest, so CI leaves the "
                             "recorded figures alone)")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="after the timed runs, one more run per design under cProfile: "
                             "DIR/{build,solve}-GPUS-SOLVER.prof")
    args = parser.parse_args()
    if args.json is None and not args.smallest:
        args.json = ROOT / "benchmarks" / "results" / "solve_scale.json"
    if args.smallest and (args.sizes or args.repeat):
        parser.error("--smallest runs 1,024 GPUs once: leave out --sizes and --repeat")
    sizes = [SIZES_GPUS[0]] if args.smallest else (args.sizes or list(SIZES_GPUS))
    repeat = 1 if args.smallest else (args.repeat or 5)
    if repeat < 1 or any(g <= 0 or g % GPUS_PER_NODE for g in sizes):
        parser.error(f"--repeat must be >= 1 and every size a positive multiple of "
                     f"{GPUS_PER_NODE}")
    site = {}
    for item in args.site:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--site {item}: expected KEY=VALUE")
        site[key.strip()] = _site_value(value.strip())

    box = machine()
    print(f"machine: {box['cpu']}, {box['logical_cores']} logical cores "
          f"({box['usable_cores']} usable), Python {box['python']} ({box['platform']})")
    print(f"solvers: PuLP {box['pulp']}, CBC {box['cbc']} (PuLP's bundled binary), "
          f"HiGHS {box['highspy']} (highspy)")
    print(f"code: designer {box['designer']} at {box['commit']}"
          f"{' with uncommitted library changes' if box['uncommitted_library_changes'] else ''}")
    catalog = designer.load_catalog()
    print(f"designs: GPUs / {GPUS_PER_NODE} nodes x {GPUS_PER_NODE} x {PORT_SPEED_GBPS}G, "
          f"non-blocking, layout any, protocol any, max_switch_hops {MAX_SWITCH_HOPS}, "
          f"catalogs {', '.join(catalog.files)}, site {site or 'default'}; median of {repeat} "
          f"run(s)\n", flush=True)

    rows = []
    for gpus in sizes:
        demand = scale_demand(gpus, site)
        for solver in args.solvers:
            runs = []
            for i in range(repeat):
                run, _ = run_once(demand, catalog, solver, args.time_limit)
                runs.append(run)
                print(f"  {gpus:>9,} GPUs {solver:<5} run {i + 1}/{repeat}: build "
                      f"{run['build_s']:.2f} s, solve {run['solve_s']:.2f} s, total "
                      f"{run['total_s']:.2f} s, {run['status']}", file=sys.stderr, flush=True)
            rows.append(summarise(gpus, solver, runs))
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                _, phases = run_once(demand, catalog, solver, args.time_limit, profile=True)
                for phase, profiler in phases.profilers.items():
                    profiler.dump_stats(args.profile / f"{phase}-{gpus}-{solver}.prof")

    box["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(table(rows))
    print(f"\nload average (1, 5, 15 min) at start {box['load_average_at_start']}, at end "
          f"{box['load_average_at_end']}: above {box['usable_cores']} means the runs shared "
          "the CPU")
    if args.json is None:
        return 0
    args.json.parent.mkdir(parents=True, exist_ok=True)
    settings = {"gpus_per_node": GPUS_PER_NODE, "port_speed_gbps": PORT_SPEED_GBPS,
                "protocol": "any", "layout": "any", "max_switch_hops": MAX_SWITCH_HOPS,
                "max_oversubscription": 1, "catalogs": list(catalog.files), "site": site,
                "repeat": repeat, "time_limit_s": args.time_limit, "timings": "median seconds"}
    args.json.write_text(json.dumps({"machine": box, "settings": settings, "results": rows},
                                    indent=2) + "\n")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
