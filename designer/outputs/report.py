"""The human report (``report.md``): a template rendered from a plain context dictionary.

:func:`report_context` gathers every figure the report shows into plain values (numbers stay
numbers; the template formats them with the filters of ``templating.py``), so a user template
given with ``--templates DIR`` can rearrange the report without touching Python, and the context
can be tested without rendering.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from designer.inputs.catalog import PRICED_KINDS
from designer.model.links import LinkClass
from designer.outputs.cabling import COLUMNS, iter_cabling
from designer.outputs.failures import most_gpus_cut_by_switch, worst_failure
from designer.outputs.templating import unneutralize
from designer.results.explain import binding_limits, describe_structure
from designer.results.money import DOLLARS, Money
from designer.results.spares import SPARES
from designer.text import PROTOCOL_NAMES, length_text

if TYPE_CHECKING:
    from designer.inputs.catalog import Catalog
    from designer.model.media import Medium
    from designer.results.result import BomLine, DesignResult, FabricResult

Runs = dict[tuple[str, str, str], tuple[float, float]]  # (fabric, class, part): run range
REPORT_TEMPLATE = "report.md.j2"
KIND_LABELS = {"switches": "Switches", "nics": "NICs", "transceivers": "Transceivers",
               "cables": "Cables", "licenses": "Licences", "support": "Support"}
ROLE_ORDER = ("leaf", "spine", "core")


def write_report_md(result: DesignResult, path: Path, env: jinja2.Environment,
                    runs: Runs | None = None,
                    failures: dict[str, list[dict]] | None = None) -> None:
    """Render ``report.md.j2`` with :func:`report_context` into ``path`` (UTF-8, LF)."""
    template = env.get_template(REPORT_TEMPLATE)
    with open(path, "w", encoding="utf-8", newline="") as out:
        template.stream(**report_context(result, runs, failures)).dump(out)


def plan_runs(result: DesignResult, cabling_csv: Path | None = None
              ) -> Runs:
    """:func:`part_runs` of the written ``cabling.csv``, or of the plan generated afresh."""
    if cabling_csv is not None:
        with open(cabling_csv, newline="", encoding="utf-8") as handle:
            return part_runs(csv.DictReader(handle))
    return part_runs(dict(zip(COLUMNS, row, strict=True)) for row in iter_cabling(result))


def report_context(result: DesignResult, runs: Runs | None = None,
                   failures: dict[str, list[dict]] | None = None) -> dict:
    """Everything ``report.md.j2`` shows, as plain values.

    Keys: ``title``, ``total_cost_usd``, ``total_cost`` (the bill's total in the demand's
    currency), ``currency`` (the sentence that says which), ``total_power_w``, ``optimal``,
    ``solver``, ``fabrics`` (one dict per fabric, see :func:`fabric_context`),
    ``shared_servers`` (see :func:`shared_server_lines`), ``footer`` (see
    :func:`footer_context`), ``spares`` and ``spares_cost`` (see :func:`spares_context`).
    The media table's runs are ``runs`` (:func:`plan_runs` of the plan as written) when
    given, else the plan's rows generated afresh. ``failures`` (``{fabric: rows}`` of
    ``failures.csv``, the verifier's) gives each fabric's ``failures`` and
    ``worst_failure``; without it they are empty.
    """
    bom = result.bom
    runs = plan_runs(result) if runs is None else runs
    return {
        "title": report_title(result),
        "total_cost_usd": result.total_cost_usd,
        "total_cost": result.total_cost,
        "currency": result.money.stated,
        "total_power_w": sum(f.power_w for f in result.fabrics),
        "optimal": result.optimal,
        "solver": result.solver,
        "fabrics": [{**fabric_context(f, result.catalog, [b for b in bom if b.fabric == f.name],
                                      runs, result.money),
                     **failure_context((failures or {}).get(f.name, []),
                                       f.structure.fabric.max_gpus_cut_per_switch)}
                    for f in result.fabrics],
        "shared_servers": shared_server_lines(result),
        "footer": footer_context(result),
        **spares_context(result, bom),
    }


def spares_context(result: DesignResult, bom: list) -> dict:
    """``spares`` (one dict per model and scope: ``kind``, ``model``, ``where``,
    ``installed``, ``spares``, ``policy``, ``unit`` and ``cost`` in the demand's currency) and
    ``spares_cost`` (their total, as the bill's spare lines sum it)."""
    unit = {b.model: b.unit_price for b in bom if b.fabric == SPARES}
    rows = [{"kind": s.kind, "model": s.model, "where": s.where, "installed": s.installed,
             "spares": s.quantity, "policy": s.policy, "unit": unit[s.model],
             "cost": s.quantity * unit[s.model]}
            for s in result.spares]
    return {"spares": rows,
            "spares_cost": sum(b.extended_price for b in bom if b.fabric == SPARES)}


def failure_context(rows: list[dict], blast_limit: int | None = None) -> dict:
    """``failures`` (the rows, each with ``label``: what fails, in words), ``worst_failure``
    (the row that costs most, or None), ``blast_limit`` (the demand's
    ``max_gpus_cut_per_switch``, or None) and ``switch_gpus_cut`` (the most GPUs one failed
    switch cuts off)."""
    labels = {"leaf": "a leaf switch", "spine": "a spine switch", "core": "a core switch",
              "node-leaf": "a node port or its cable", "leaf-spine": "a leaf-spine cable",
              "spine-core": "a spine-core cable"}
    rows = [{**row, "label": labels.get(row["element"], row["element"])} for row in rows]
    return {"failures": rows, "worst_failure": worst_failure(rows),
            "blast_limit": blast_limit, "switch_gpus_cut": most_gpus_cut_by_switch(rows)}


def shared_server_lines(result: DesignResult) -> list[str]:
    """One sentence per server group several fabrics share: the servers (counted once), how
    their NIC ports are spent, and the networks' share of their cost."""
    money = result.money
    specs = {f.name: f.structure.fabric for f in result.fabrics}
    cost_of = {f.name: f.cost_usd for f in result.fabrics}
    lines = []
    for group in result.server_sets:
        if not group.shared:
            continue
        network_usd = sum(cost_of[name] for name in group.fabrics)
        text = (f"Server group {group.name}: {group.nodes:,} servers"
                + (f" ({group.server.model}, {group.gpus:,} GPUs, "
                   f"{money.text(round(group.cost_usd))}, counted once)"
                   if group.server else "")
                + f" connected by {', '.join(group.fabrics)}; every server stands in the rack "
                f"{group.primary} placed it in. Networks {money.text(round(network_usd))}")
        if group.server is not None:
            text += (f" = {network_usd / group.cost_usd:.1%} of the server cost, "
                     f"{money.text(round(network_usd / group.gpus))} per GPU")
        ports = group.port_use(specs)
        if ports:
            text += ". Ports per server: " + "; ".join(
                f"{u.pool} {u.used} of {u.available} ("
                + ", ".join(f"{name} {n}" for name, n in u.used_by) + ")" for u in ports)
        lines.append(text + ".")
    return lines


def report_title(result: DesignResult) -> str:
    """The demand's ``name``, else its file name without the extension."""
    return result.demand.spec.name or Path(result.demand.path).stem


def fabric_context(fabric_result: FabricResult, catalog: Catalog, bom: list[BomLine],
                   runs: Runs, money: Money = DOLLARS) -> dict:
    """One fabric's figures, sentences and tables.

    Keys: ``name kind tiers layout protocol planes nodes endpoints_per_node port_speed_gbps
    nic switches links oversubscription max_oversubscription worst_hops max_switch_hops
    bisection_gbps cost_usd power_w gpus server cost_per_gpu_usd network_share design latency
    objective[] media
    why cost_breakdown bom solve``. ``server``, ``gpus``, ``cost_per_gpu_usd`` and
    ``network_share`` are ``None`` when the fabric names no server.
    """
    s = fabric_result.structure
    f = s.fabric
    entry = fabric_result.to_dict()
    gpus = fabric_result.gpus
    cost = fabric_result.cost_in(money)
    return {
        "name": f.name,
        "kind": f.kind,
        "tiers": s.tiers,
        "layout": s.layout,
        "protocol": PROTOCOL_NAMES.get(s.protocol, s.protocol),
        "planes": f.planes,
        "nodes": f.nodes,
        "endpoints_per_node": f.endpoints_per_node,
        "port_speed_gbps": f.port_speed_gbps,
        "nic": entry["nic"],
        "switches": switch_rows(fabric_result),
        "links": [{"link_class": cls, "count": count}
                  for cls, count in fabric_result.links.items()],
        "oversubscription": s.oversubscription,
        "max_oversubscription": f.max_oversubscription,
        "worst_hops": s.max_switch_hops,
        "max_switch_hops": f.max_switch_hops,
        "bisection_gbps": s.bisection_gbps,
        "cost_usd": fabric_result.cost_usd,
        "cost": cost,
        "power_w": fabric_result.power_w,
        "gpus": gpus,
        "server": server_context(fabric_result, money),
        "cost_per_gpu_usd": fabric_result.cost_usd / gpus if gpus else None,
        "cost_per_gpu": cost / gpus if gpus else None,
        "network_share": network_share(fabric_result),
        "design": describe_structure(fabric_result),
        "latency": latency_text(fabric_result),
        "objective": objective_lines(fabric_result, money),
        "media": media_rows(fabric_result, catalog, runs),
        "why": binding_limits(fabric_result, catalog),
        "cost_breakdown": cost_breakdown(fabric_result, money),
        "bom": bom,
        "solve": entry["solve"],
    }


def latency_text(fabric_result: FabricResult) -> str:
    """``"Worst-case latency at zero load: 1.4 us (...)"`` beside the seed's target."""
    from designer.model.latency import TARGETS_US

    estimate = fabric_result.latency
    f = fabric_result.structure.fabric
    total_us = estimate.total_ns / 1000
    text = (f"Worst-case latency at zero load: {total_us:,.2f} us through "
            f"{', '.join(estimate.path[1:-1])} ({estimate.switch_ns / 1000:,.2f} us in switches, "
            f"{estimate.propagation_ns / 1000:,.2f} us of cable at 5 ns/m, worst runs)")
    if f.max_latency_us is not None:
        text += f"; the demand allows {f.max_latency_us:g} us"
    target = TARGETS_US.get(f.kind)
    if target is not None:
        text += f"; {target[1]}, so the network takes {total_us / target[0]:.2%} of that"
    return text + "."


def objective_lines(fabric_result: FabricResult, money: Money = DOLLARS) -> list[str]:
    """What was minimized and within which budget or power limit, when not plain capital cost
    (amounts in ``money``; the inputs' own figures, an energy price or a budget, as given)."""
    lines = []
    o, f = fabric_result.objective, fabric_result.structure.fabric

    def amount(usd: float) -> str:
        return money.text(round(usd))

    if o.kind == "tco":
        lines.append(
            f"Minimized capital plus energy over {o.years:g} years at ${o.usd_per_kwh:g}/kWh "
            f"and PUE {o.pue:g}: {amount(fabric_result.cost_usd)} of parts"
            f"{' with their licences and support' if fabric_result.services else ''} + "
            f"{amount(fabric_result.energy_usd)} of energy for "
            f"{fabric_result.power_w / 1000:,.1f} kW = "
            f"{amount(fabric_result.cost_usd + fabric_result.energy_usd)}.")
    if f.budget_usd is not None:
        s = fabric_result.structure
        per_endpoint = f.port_speed_gbps / s.oversubscription
        lines.append(
            f"Budget ${f.budget_usd:,.0f}: the least oversubscription it buys is "
            f"{s.oversubscription:g}:1 ({per_endpoint:,.0f} Gb/s per endpoint across the "
            f"bisection), the cheapest such design.")
    if f.max_power_kw is not None:
        lines.append(
            f"Power limit {f.max_power_kw:,.1f} kW: the network draws "
            f"{fabric_result.power_w / 1000:,.1f} kW.")
    return lines


def switch_rows(fabric_result: FabricResult) -> list[dict]:
    """``[{"role", "model", "count"}]`` in leaf, spine, core order, summed over copies."""
    switches = fabric_result.switches
    return [{"role": role, "model": model, "count": count}
            for role in ROLE_ORDER for model, count in sorted(switches.get(role, {}).items())]


def server_context(fabric_result: FabricResult, money: Money = DOLLARS) -> dict | None:
    """The fabric's server type and what the servers cost (``cost`` in ``money``: the unit
    price converted to the cent, times the count), or None."""
    server = fabric_result.server
    if server is None:
        return None
    count = fabric_result.structure.fabric.nodes
    return {"model": server.model, "count": count, "gpus_per_server": server.gpus,
            "cost_usd": fabric_result.server_cost_usd,
            "cost": count * money.unit(server.price_usd),
            "nics_included": server.nics_included}


def network_share(fabric_result: FabricResult) -> float | None:
    """Network cost over server cost ("the network is 49% of GPU cost"), or None."""
    server_cost_usd = fabric_result.server_cost_usd
    if not server_cost_usd:
        return None
    return fabric_result.cost_usd / server_cost_usd


LINK_CLASS_NAMES = tuple(str(cls) for cls in LinkClass)


def part_runs(rows) -> Runs:
    """``{(fabric, link class, part): (shortest, longest run in m)}`` over the cabling plan's
    rows (dicts), for every cable, transceiver and harness a row names (a harness: the runs of
    the legs it fans out)."""
    spans = PartRuns()
    for row in rows:
        spans.add(row)
    return spans.runs


class PartRuns:
    """:func:`part_runs`, gathered as the plan's rows (dicts) are added."""

    def __init__(self):
        self.runs: Runs = {}
        self._keys: dict[tuple[str, str, str, str], tuple[str, str, str]] = {}

    def add(self, row: dict[str, str]) -> None:
        runs, keys = self.runs, self._keys
        length = float(row["length_m"])
        for part in (row["part"], row["a_transceiver"], row["z_transceiver"],
                     row.get("harness", "")):
            if part:
                cell = (row["fabric"], row["a_role"], row["z_role"], part)
                key = keys.get(cell)
                if key is None:
                    key = keys[cell] = (cell[0], f"{cell[1]}-{cell[2]}", unneutralize(part))
                span = runs.get(key)
                if span is None:
                    runs[key] = (length, length)
                elif length < span[0] or length > span[1]:
                    runs[key] = (min(span[0], length), max(span[1], length))


def media_rows(fabric_result: FabricResult, catalog: Catalog,
               runs: Runs) -> list[dict]:
    """One row per (link class, part): how many the fabric buys, the runs they serve in the
    written plan (shortest to longest) and the part's reach."""
    rows: dict[tuple[str, str], dict] = {}
    for line in fabric_result.parts:
        cls = line.role.split(" (")[0]
        if line.kind not in ("cables", "transceivers") or cls not in LINK_CLASS_NAMES:
            continue
        part = catalog.part(line.model)
        entry = rows.setdefault((cls, line.model), {
            "link_class": cls, "part": line.model,
            "kind": part.kind if line.kind == "cables" else "transceiver", "quantity": 0,
            # a harness fans a module out where it stands: its legs' runs are on the cords
            "reach": ("at the module" if getattr(part, "kind", "") == "harness"
                      else length_text(part.reach_m))})
        entry["quantity"] += line.quantity
        low, high = runs.get((fabric_result.name, cls, line.model), (None, None))
        entry["runs"] = ("n/a" if low is None else length_text(low) if low == high
                         else f"{low:g}-{high:g} m")
    order = {cls: i for i, cls in enumerate(LINK_CLASS_NAMES)}
    return sorted(rows.values(), key=lambda r: (order[r["link_class"]], r["kind"] != "transceiver",
                                               r["part"]))


def medium_kind(medium: Medium, cords: list | None = None) -> str:
    """``optics``, or the direct cables' kinds in capitals (``DAC``, ``DAC/AOC``), of the
    ``(cable, count)`` cords laid when given."""
    if medium.transceiver1 is not None:
        return "optics"
    laid = [cable for cable, _ in cords] if cords else list(medium.cords)
    kind = "/".join(dict.fromkeys(c.kind.upper() for c in laid))
    return f"{kind} splitter" if medium.breakout else kind


def medium_parts(link_class: str, medium: Medium) -> str:
    """``"T1 (leaf end) + FIBER + T2 (spine end)"``, or the cable model."""
    if medium.transceiver1 is None:
        cable = medium.cable
        return cable.model if cable.links == 1 else f"{cable.model} ({cable.links} links each)"
    lower, upper = link_class.split("-")
    return (f"{medium.transceiver1.model} ({lower} end) + {medium.cable.model} "
            f"({medium.cable.fiber or 'fiber'}) + {medium.transceiver2.model} ({upper} end)")


def cost_breakdown(fabric_result: FabricResult, money: Money = DOLLARS) -> list[dict]:
    """Cost by kind: ``[{"kind", "label", "cost_usd", "cost", "share"}]`` (``cost`` in
    ``money`` as the bill sums it), every part kind listed (NICs that come with the servers as
    such, at 0), licences and support when bought."""
    amounts = fabric_result.usd_by_kind
    in_money = fabric_result.cost_by_kind_of((fabric_result,), money)
    total_usd = fabric_result.cost_usd
    labels = {kind: label for kind, label in KIND_LABELS.items()
              if kind in PRICED_KINDS or amounts[kind]}
    if fabric_result.structure.nics_in_server_price:
        labels["nics"] = "NICs (in the server price)"
    return [{"kind": kind, "label": label, "cost_usd": amounts[kind], "cost": in_money[kind],
             "share": amounts[kind] / total_usd if total_usd else 0.0}
            for kind, label in labels.items()]


def footer_context(result: DesignResult) -> dict:
    """Provenance: solver, proof of optimality, and the digests from ``design.json``."""
    summary = result.to_dict()
    return {
        "solver": result.solver,
        "optimal": result.optimal,
        "statuses": [{"fabric": f["name"], **f["solve"]} for f in summary["fabrics"]],
        "demand_file": summary["demand"]["file"],
        "demand_sha256": summary["demand"]["sha256"],
        "catalog_files": summary["catalogs"]["files"],
        "catalog_sha256": summary["catalogs"]["sha256"],
        "designer_version": summary["designer_version"],
    }
