"""The ``design`` command line: a thin shell over the Python API.

``design DEMAND.yaml -o OUTDIR`` is the main job; ``design schema`` and ``design validate`` help
write inputs. Errors print one headline on stderr and exit with the code in ``docs/interface.md``; a
traceback only with ``--debug``.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from pathlib import Path

import click

from designer.errors import DesignerError, InfeasibleError, SolverError

MAIN_EXAMPLE = """\b
Examples:
  design examples/training-1024.yaml -o out/
  design examples/inference-1024.yaml -o out/ --solver highs --time-limit 60
  design examples/lab-16.yaml -o out/ --catalog my-quotes.yaml
  design validate examples/training-1024.yaml
  design verify out/
  design export out/ --max-lab-nodes 32
  design schema demand > demand.schema.json
  design sweep examples/training-1024.yaml -o out/sweep --over gpus
  design compare examples/hybrid-1024.yaml -o out/compare
"""


QUOTE_KEYS = {"overrides", "discounts", "licenses", "support"}


class _MainGroup(click.Group):
    """A group whose default verb is ``run``: ``design X.yaml -o out`` = ``design run X.yaml``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                      "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage("design", "DEMAND.yaml -o OUTDIR [OPTIONS] | COMMAND [ARGS]...")


class _Seconds(click.FloatRange):
    """A positive, finite number of seconds (``nan`` and ``inf`` are usage errors)."""

    name = "seconds"

    def __init__(self):
        super().__init__(min=0, min_open=True)

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return seconds


@click.group(cls=_MainGroup, epilog=MAIN_EXAMPLE, context_settings={"help_option_names":
                                                                      ["-h", "--help"]})
@click.version_option(package_name="designer", prog_name="design")
def main() -> None:
    """Design the cheapest network fabric for a GPU cluster from a priced catalog.

    Reads a demand (fabrics, servers, bandwidth, oversubscription and hop limits), solves a
    mixed-integer program per fabric, and writes design.json, bom.csv, bom.xlsx, cabling.csv and
    report.md into OUTDIR.

    \b
    Exit codes: 0 design written; 1 invalid input; 2 usage error;
                3 no feasible design; 4 solver error or time limit without a design.
    """


def _fail(error: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    if isinstance(error, DesignerError):
        _report(error)
        sys.exit(error.exit_code)
    click.echo(f"error: internal error: {type(error).__name__}: {error} "
               "(run with --debug for the traceback)", err=True)
    sys.exit(4)


def _report(error: DesignerError) -> None:
    """An error's headline, then its other problems indented, on stderr."""
    click.echo(f"error: {error.headline}", err=True)
    if len(getattr(error, "problems", [])) > 1:
        for problem in error.problems[1:]:
            click.echo(f"  {problem}", err=True)


class _Rate(click.ParamType):
    """``EUR=0.92``: a currency code and the units of it one US dollar buys."""

    name = "CODE=RATE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        code, _, rate = str(value).partition("=")
        try:
            per_usd = float(rate)
        except ValueError:
            per_usd = math.nan
        if not (code.isalpha() and len(code) == 3 and code.isupper()) or not (
                math.isfinite(per_usd) and per_usd > 0):
            self.fail(f"{value!r} is not CODE=RATE, such as EUR=0.92 (an ISO 4217 code and "
                      "the units of it one US dollar buys)", param, ctx)
        return code, per_usd


@main.command("run", epilog=MAIN_EXAMPLE)
@click.argument("demand_file", metavar="DEMAND.yaml", type=click.Path())
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder to write the outputs into (created; replaced only when complete).")
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE",
              help="Catalog file or shipped catalog name; repeatable. Replaces the demand's "
                   "`catalogs:` list; models in later files must not repeat earlier ones "
                   "(re-price them with `overrides:`, or take `discounts:`).")
@click.option("--solver", type=click.Choice(["cbc", "highs"]), default="highs", show_default=True)
@click.option("--time-limit", type=_Seconds(), default=None,
              metavar="SECONDS", help="Solver time limit per fabric.")
@click.option("--templates", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder of jinja2 templates overriding the shipped ones (bom.csv.j2, "
                   "report.md.j2).")
@click.option("--currency", type=_Rate(), default=None,
              help="Price the bill and the reports in this currency, e.g. EUR=0.92 (units a "
                   "US dollar buys); replaces the demand's `currency:`.")
@click.option("--force", is_flag=True, help="Replace OUTDIR even if it holds other files.")
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def run(demand_file, outdir, catalogs, solver, time_limit, templates, currency, force, debug):
    """Design every fabric of DEMAND.yaml and write the outputs to OUTDIR."""
    import designer
    from designer.inputs.loading import demand_catalogs

    try:
        demand = designer.load_demand(demand_file)
        if currency is not None:
            demand = demand.with_currency(*currency)
        catalog = designer.load_catalog(list(catalogs) if catalogs else demand_catalogs(demand))
        _check_outdir(Path(outdir), force)
        started = time.perf_counter()
        click.echo(f"designing {len(demand.fabrics)} fabric(s) from {demand_file} with "
                   f"{len(catalog.files)} catalog(s), solver {solver}", err=True)
        result = designer.design(demand, catalog, solver=solver, time_limit=time_limit)
        for f in result.fabrics:
            s = f.structure
            proof = ("optimal" if f.solve.optimal
                     else f"NOT proven optimal, within {f.solve.gap:.2%} of the best possible")
            click.echo(f"  {f.name}: {s.tiers} tier(s), {s.layout}, {s.protocol}, "
                       f"${f.cost_usd:,.0f} ({proof}, {f.solve.solve_s:.1f} s)", err=True)
        result.write(outdir, templates=templates, force=force,
                     progress=lambda line: click.echo(f"  {line}...", err=True))
        money = result.money
        in_money = "" if money.is_usd else f"; {money.code} {result.total_cost:,.2f}"
        click.echo(f"wrote {outdir} (total ${result.total_cost_usd:,.2f}{in_money}) in "
                   f"{time.perf_counter() - started:.1f} s", err=True)
    except (InfeasibleError, SolverError) as error:
        # The headline names the demand file, like every other error.
        named = str(error).startswith(f"{demand_file}:")
        _fail(error if named else type(error)(f"{demand_file}: {error}"), debug)
    except Exception as error:
        _fail(error, debug)


def _check_outdir(outdir: Path, force: bool) -> None:
    """Fail before solving when OUTDIR could not be written (see staging.check_outdir)."""
    from designer.outputs.write import OUTPUT_FILES
    from designer.staging import check_outdir

    check_outdir(outdir, force, OUTPUT_FILES)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def validate_cmd(files, debug):
    """Check demand and catalog files without designing anything.

    A file with a `fabrics:` key is a demand (its catalogs are loaded and its model references
    checked); a catalog with a quote's sections (overrides, discounts, licenses, support) is
    checked laid over the shipped catalogs, whose models it may name; anything else is a
    catalog on its own. Every file is checked: each bad one gets its own `error:` headline,
    and the exit code is 1 when any is bad.
    """
    import designer
    from designer.design import check_references
    from designer.inputs.catalog import PART_KINDS
    from designer.inputs.loading import demand_catalogs, read_yaml_file

    failed = []
    for name in files:
        try:
            data = read_yaml_file(name) if Path(name).is_file() else None
            if isinstance(data, dict) and "fabrics" in data:
                demand = designer.load_demand(name)
                check_references(demand, designer.load_catalog(demand_catalogs(demand)))
                click.echo(f"{name}: valid demand ({len(demand.fabrics)} fabric(s))")
            elif isinstance(data, dict) and QUOTE_KEYS & set(data):
                # a quote names models other catalogs define: check it over the shipped ones
                catalog = designer.load_catalog([*designer.shipped_catalog_names(), name])
                said = ", ".join(f"{len(data[key] or ())} {key}" for key in sorted(QUOTE_KEYS)
                                 if isinstance(data.get(key), list))
                click.echo(f"{name}: valid quote over the shipped catalogs ({said})")
            else:
                catalog = designer.load_catalog([name])
                count = sum(len(getattr(catalog, kind)) for kind in PART_KINDS)
                click.echo(f"{name}: valid catalog ({count} parts)")
        except DesignerError as error:
            if debug:
                traceback.print_exc()
            _report(error)
            failed.append(error.exit_code)
        except Exception as error:
            _fail(error, debug)
    if failed:
        sys.exit(max(failed))


@main.command("verify")
@click.argument("outdir", type=click.Path(file_okay=False, exists=True))
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def verify_cmd(outdir, debug):
    """Check a written design from its files alone (ports, endpoints, striping, hops,
    bisection by max-flow, reach, bill of materials). Exit 1 when a check fails."""
    from designer.verify import VerificationError, verify

    try:
        report = verify(outdir, raise_on_failure=False)
        for check in report.checks:
            click.echo(f"{'PASS' if check.passed else 'FAIL'}  {check.fabric}: {check.name}: "
                       f"{check.detail}")
        if not report.passed:
            error = VerificationError(report)
            error.exit_code = 1
            raise error
    except Exception as error:
        _fail(error, debug)


@main.command("export")
@click.argument("outdir", type=click.Path(file_okay=False, exists=True))
@click.option("--max-lab-nodes", type=click.IntRange(min=1), default=64, show_default=True,
              help="Largest containerlab topology; bigger designs get a scaled-down replica.")
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def export_cmd(outdir, max_lab_nodes, debug):
    """Write NetBox, containerlab and NVIDIA cable-validation exports into OUTDIR/exports."""
    from designer.exports import write_exports

    try:
        for path in write_exports(Path(outdir), max_lab_nodes=max_lab_nodes):
            click.echo(str(path))
    except Exception as error:
        _fail(error, debug)


@main.command("sweep")
@click.argument("demand_file", metavar="DEMAND.yaml", type=click.Path())
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for sweep.csv, sweep.png and sweep.svg.")
@click.option("--over", "axis",
              type=click.Choice(["gpus", "oversubscription", "price", "blast-radius"]),
              default="gpus", show_default=True, help="The input to vary.")
@click.option("--values", default=None, metavar="V1,V2,...",
              help="Values to design at (default: 64..131072 GPUs by doubling; "
                   "oversubscription 1,1.5,2,3,4; price 0.5..1.5 by 0.1; blast radius "
                   "0,1,2,4..64 GPUs).")
@click.option("--part-kind", type=click.Choice(["switches", "nics", "transceivers", "cables"]),
              default=None, help="For --over price: whose price to scale.")
@click.option("--fabric", default=None, help="Which fabric of the demand (default: the first).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per CPU).")
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE",
              help="Catalog file or shipped catalog name; repeatable.")
@click.option("--solver", type=click.Choice(["cbc", "highs"]), default="highs", show_default=True)
@click.option("--time-limit", type=_Seconds(), default=None,
              metavar="SECONDS", help="Solver time limit per point.")
@click.option("--force", is_flag=True, help="Replace OUTDIR even if it holds other files.")
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def sweep_cmd(demand_file, outdir, axis, values, part_kind, fabric, workers, catalogs, solver,
              time_limit, force, debug):
    """Design one fabric at many values of one input, in parallel; plot cost per GPU.

    \b
    Examples:
      design sweep examples/training-1024.yaml -o out/sweep
      design sweep examples/training-1024.yaml -o out/os --over oversubscription
      design sweep examples/training-1024.yaml -o out/optics --over price \\
          --part-kind transceivers --values 0.5,0.7,1,1.3
      design sweep examples/training-1024.yaml -o out/blast --over blast-radius
    """
    from concurrent.futures import ProcessPoolExecutor

    import designer
    from designer.errors import InputError
    from designer.inputs.loading import demand_catalogs
    from designer.outputs.sweep_files import SWEEP_FILES
    from designer.staging import check_outdir
    from designer.studies.sweep import sweep

    try:
        demand = designer.load_demand(demand_file)
        catalog = designer.load_catalog(list(catalogs) if catalogs else demand_catalogs(demand))
        check_outdir(Path(outdir), force, SWEEP_FILES)
        numbers = None
        if values is not None:
            try:
                numbers = [float(v) for v in values.split(",") if v.strip()]
            except ValueError:
                raise InputError(f"--values: not a comma-separated list of numbers: "
                                 f"'{values}'") from None
        started = time.perf_counter()

        def report(point):
            cost = (f"${point.cost_per_gpu_usd:,.0f}/GPU, {point.tiers} tier(s), {point.layout}"
                    if point.designed else point.status)
            click.echo(f"  {point.value:g}: {cost}", err=True)

        with ProcessPoolExecutor(max_workers=workers) as pool:
            result = sweep(demand, axis, numbers, fabric=fabric, part_kind=part_kind,
                           catalog=catalog, solver=solver, time_limit=time_limit,
                           executor=pool, progress=report)
        for line in result.changes():
            click.echo(f"  design changes {line}", err=True)
        result.write(outdir, force=force)
        click.echo(f"wrote {outdir} ({len(result.points)} points) in "
                   f"{time.perf_counter() - started:.1f} s", err=True)
    except Exception as error:
        _fail(error, debug)


@main.command("compare")
@click.argument("demand_file", metavar="DEMAND.yaml", type=click.Path())
@click.option("-o", "--output", "outdir", default=None, type=click.Path(file_okay=False),
              help="Folder for compare.md, compare.csv and compare.json.")
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE",
              help="Catalog file or shipped catalog name; repeatable.")
@click.option("--solver", type=click.Choice(["cbc", "highs"]), default="highs", show_default=True)
@click.option("--time-limit", type=_Seconds(), default=None,
              metavar="SECONDS", help="Solver time limit per fabric.")
@click.option("--force", is_flag=True, help="Replace OUTDIR even if it holds other files.")
@click.option("--debug", is_flag=True, help="Print a traceback on errors.")
def compare_cmd(demand_file, outdir, catalogs, solver, time_limit, force, debug):
    """Compare three ways to run training and inference on one site.

    DEMAND.yaml lists one `kind: training` and one `kind: inference` fabric. Prints the
    strategies side by side (separate clusters, a time-sliced shared cluster, a tiered
    network on dual-NIC servers) and writes the comparison with -o.

    \b
    Example:
      design compare examples/hybrid-1024.yaml -o out/compare
    """
    import designer
    from designer.inputs.loading import demand_catalogs
    from designer.outputs.compare_files import COMPARE_FILES
    from designer.staging import check_outdir
    from designer.studies.compare import compare

    try:
        demand = designer.load_demand(demand_file)
        catalog = designer.load_catalog(list(catalogs) if catalogs else demand_catalogs(demand))
        if outdir is not None:
            check_outdir(Path(outdir), force, COMPARE_FILES)
        result = compare(demand, catalog, solver=solver, time_limit=time_limit)
        click.echo(result.table())
        if outdir is not None:
            result.write(outdir, force=force)
            click.echo(f"wrote {outdir}", err=True)
    except Exception as error:
        _fail(error, debug)


@main.command("schema")
@click.argument("which", type=click.Choice(["catalog", "demand"]))
def schema_cmd(which):
    """Print the JSON Schema of a catalog or demand file (for editor validation)."""
    from designer.inputs.schema import CatalogFile, DemandFile

    model = CatalogFile if which == "catalog" else DemandFile
    click.echo(json.dumps(model.model_json_schema(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
