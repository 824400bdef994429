"""The files of ``design compare``: ``compare.csv``, ``compare.json`` and ``compare.md``, and the
side-by-side table it prints (:mod:`designer.studies.compare` computes them)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from designer.outputs.templating import markdown_text as md_text
from designer.staging import staged_folder

if TYPE_CHECKING:
    from designer.studies.compare import Comparison, StrategyResult

CSV_COLUMNS = ("strategy", "fabric", "kind", "nodes", "gpus", "tiers", "layout", "protocol",
               "oversubscription", "max_switch_hops", "bandwidth_per_gpu_gbps", "latency_us",
               "network_usd", "switches_usd", "nics_usd", "transceivers_usd", "cables_usd",
               "licenses_usd", "support_usd", "power_w", "server_usd")


def write_comparison(comparison: Comparison, outdir: str | Path, force: bool = False) -> Path:
    """``compare.csv``, ``compare.json`` and ``compare.md`` into ``outdir``, atomically."""
    with staged_folder(outdir, force, COMPARE_FILES) as staging:
        rows = comparison.rows()
        with open(staging / "compare.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        summary = {"demand": comparison.demand, "strategies": [
            {"name": s.name, "title": s.title, "gpus": s.gpus, "servers": s.servers,
             "network_usd": round(s.network_usd, 2), "server_usd": round(s.server_usd, 2),
             "power_w": round(s.power_w, 1), "error": s.error,
             "by_kind_usd": {k: round(v, 2) for k, v in s.by_kind_usd().items()}}
            for s in comparison.strategies], "fabrics": rows}
        (staging / "compare.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
        (staging / "compare.md").write_text(comparison_markdown(comparison), "utf-8")
    return Path(outdir).resolve()


def comparison_table(comparison: Comparison) -> str:
    """The side-by-side summary printed by ``design compare``."""
    head = f"{'':34}" + "".join(f"{s.name:>18}" for s in comparison.strategies)
    lines = [head]

    def row(label, cell):
        lines.append(f"{label:34}" + "".join(
            f"{('-' if s.error else cell(s)):>18}" for s in comparison.strategies))

    row("GPUs", lambda s: f"{s.gpus:,}")
    row("network cost", lambda s: f"${s.network_usd:,.0f}")
    row("server (GPU) cost", lambda s: f"${s.server_usd:,.0f}")
    row("network share of server cost",
        lambda s: f"{s.network_share:.1%}" if s.network_share is not None else "n/a")
    row("network cost per GPU", lambda s: f"${s.network_usd / s.gpus:,.0f}")
    for kind in ("training", "inference"):
        row(f"{kind}: Gb/s per GPU (bisection)", lambda s, k=kind: _per_kind(
            s, k, lambda f, g: f"{f.bisection_per_gpu_gbps(g):,.4g}"))
        row(f"{kind}: oversubscription, hops", lambda s, k=kind: _per_kind(
            s, k, lambda f, g: f"{f.structure.oversubscription:g}:1, "
                               f"{f.structure.max_switch_hops}"))
    row("network power", lambda s: f"{s.power_w / 1000:,.1f} kW")
    for s in comparison.strategies:
        if s.error:
            lines.append(f"{s.name}: no design ({s.error})")
    return "\n".join(lines)


def comparison_markdown(comparison: Comparison) -> str:
    t, i = comparison.training, comparison.inference
    lines = [f"# Training and inference on one site: {md_text(comparison.demand)}", "",
             f"Training: {t.nodes:,} servers, {t.endpoints_per_node} x "
             f"{t.port_speed_gbps:g}G per server, up to {t.max_oversubscription:g}:1, "
             f"{t.max_switch_hops} hops. Inference: {i.nodes:,} servers, "
             f"{i.endpoints_per_node} x {i.port_speed_gbps:g}G, up to "
             f"{i.max_oversubscription:g}:1, {i.max_switch_hops} hops.", ""]
    for s in comparison.strategies:
        lines.append(f"- **{s.name}**: {md_text(s.title)}.")
    lines += ["", "```", comparison_table(comparison), "```", "",
              "| strategy | fabric | nodes | tiers | layout | network | switches | NICs | "
              "optics | cables | power |", "|---|---|---:|---:|---|---:|---:|---:|---:|---:|"
              "---:|"]
    for r in comparison.rows():
        lines.append(f"| {r['strategy']} | {md_text(r['fabric'])} | {r['nodes']:,} | "
                     f"{r['tiers']} | {r['layout']} | ${r['network_usd']:,.0f} | "
                     f"${r['switches_usd']:,.0f} | ${r['nics_usd']:,.0f} | "
                     f"${r['transceivers_usd']:,.0f} | ${r['cables_usd']:,.0f} | "
                     f"{r['power_w'] / 1000:,.1f} kW |")
    lines += seed_section(comparison)
    best = comparison.cheapest()
    if best is not None:
        lines += ["", f"Cheapest in network plus servers: **{best.name}** "
                      f"(${best.network_usd + best.server_usd:,.0f}). Strategies differ in "
                      "GPU count (time-slicing shares GPUs), so compare per GPU and against "
                      "the utilization each strategy achieves."]
    return "\n".join(lines) + "\n"


COMPARE_FILES = ("compare.csv", "compare.json", "compare.md")

# The seed article's 1,024-GPU comparison (network cost by part kind, USD; share of GPU cost).
SEED_1024 = {
    "training": {"nics": 8_000_000, "switches": 4_800_000, "optics": 2_000_000,
                 "total": 14_800_000, "share": 0.49},
    "inference": {"nics": 500_000, "switches": 1_200_000, "optics": 200_000,
                  "total": 1_900_000, "share": 0.06},
}


def seed_section(comparison: Comparison) -> list[str]:
    """Our separate-clusters figures beside the seed's 1,024-GPU table, with why they differ.

    Only for the seed's case: 1,024 training and 1,024 inference GPUs.
    """
    separate = next((s for s in comparison.strategies if s.name == "separate"), None)
    if separate is None or separate.error or len(separate.fabrics) != 2:
        return []
    if any((f.gpus or 0) != 1024 for f in separate.fabrics):
        return []
    lines = ["", "## Against the seed article's 1,024-GPU table", "",
             "| | seed training | ours | seed inference | ours |", "|---|---:|---:|---:|---:|"]
    ours = {}
    for f in separate.fabrics:
        kinds = f.usd_by_kind
        ours[f.structure.fabric.kind] = {
            "nics": kinds["nics"], "switches": kinds["switches"],
            "optics": kinds["transceivers"] + kinds["cables"], "total": f.cost_usd,
            "share": f.cost_usd / f.server_cost_usd if f.server_cost_usd else 0.0}
    for key, label in (("nics", "NICs"), ("switches", "Switches"),
                       ("optics", "Optics and cables"), ("total", "Total network")):
        lines.append(f"| {label} | ${SEED_1024['training'][key]:,.0f} | "
                     f"${ours['training'][key]:,.0f} | ${SEED_1024['inference'][key]:,.0f} | "
                     f"${ours['inference'][key]:,.0f} |")
    lines.append(f"| % of GPU cost | {SEED_1024['training']['share']:.0%} | "
                 f"{ours['training']['share']:.0%} | {SEED_1024['inference']['share']:.0%} | "
                 f"{ours['inference']['share']:.1%} |")
    lines += ["", _why_different(separate)]
    return lines


def _why_different(separate: StrategyResult) -> str:
    """The reasons, from the designs themselves (part prices and counts)."""
    training = next(f for f in separate.fabrics if f.structure.fabric.kind == "training")
    inference = next(f for f in separate.fabrics if f.structure.fabric.kind == "inference")
    nic = training.structure.nic
    nics = training.structure.nic_count
    switch_count = sum(sum(by_model.values()) for by_model in training.switches.values())
    ways = ", ".join(w.kind for w in training.structure.node_links.ways())
    inf = inference.structure
    inf_switches = sum(sum(by_model.values()) for by_model in inference.switches.values())
    nic_here = (f"here they are on board the {training.server.model} and in its price, so "
                f"the network bills none" if training.structure.nics_in_server_price
                else f"the catalog's {nic.model} costs ${nic.price_usd:,.0f}")
    return (f"Why they differ: the seed's training NIC line implies "
            f"${SEED_1024['training']['nics'] / nics:,.0f} per NIC for {nics:,} NICs; "
            f"{nic_here}. The proved-optimal training "
            f"fabric needs {switch_count:,} switches ({training.structure.tiers} tiers, "
            f"{training.structure.layout}), which is what its switch line costs; node links "
            f"are cabled cage by cage ({ways}), so optics go only where runs need them. The "
            f"inference fabric needs {inf_switches:,} switch(es) in {inf.tiers} tier(s) at "
            f"{inf.oversubscription:g}:1. Shares of GPU cost use the catalog's server prices "
            f"({training.server.model if training.server else 'no server'}, "
            f"{inference.server.model if inference.server else 'no server'}). The seed's "
            f"direction holds: the training network costs "
            f"{training.cost_usd / inference.cost_usd:,.0f} times the inference network here "
            f"(the seed: {SEED_1024['training']['total'] / SEED_1024['inference']['total']:.0f}"
            f" times).")


def _per_kind(strategy: StrategyResult, kind: str, text) -> str:
    found = [text(f, g) for f, g in zip(strategy.fabrics, strategy.fabric_gpus, strict=True)
             if f.structure.fabric.kind == kind]
    return " / ".join(found) if found else "-"
