"""Training and inference on one site: the seed's three ways to build it, side by side.

A comparison demand lists one ``kind: training`` fabric (T servers, its bandwidth, limits and
server model) and one ``kind: inference`` fabric (I servers). Each strategy is a set of
fabrics, each designed and proved optimal like any other:

- **separate**: a training cluster of T servers on the training fabric, and an inference
  cluster of I servers on the inference fabric;
- **shared** (time-sliced): one cluster of ``max(T, I)`` servers built to the training spec,
  training off-peak and serving at peak (fewer GPUs in all: the point of time-slicing);
- **tiered**: T + I servers; the T training servers carry dual NICs, a training backend
  between them and, like the I inference servers, a port on one Ethernet network built to the
  inference spec over all T + I servers (any server can serve at peak).

Per strategy: network cost (by part kind), server cost, the network's share of it, GPUs,
bandwidth per GPU across the bisection, oversubscription, worst hops, latency and power.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from designer.catalog import Catalog
from designer.errors import DesignerError, InfeasibleError, InputError
from designer.loading import Demand, demand_catalogs, load_catalog
from designer.result import FabricResult
from designer.schema import Fabric

STRATEGIES = {
    "separate": "Separate clusters: training on its fabric, inference on its own",
    "shared": "Time-sliced shared cluster: max(T, I) servers built to the training spec",
    "tiered": "Tiered network: a training backend on the training servers plus one Ethernet "
              "network over every server (dual-NIC training servers)",
}
KINDS = ("switches", "nics", "transceivers", "cables")
CSV_COLUMNS = ("strategy", "fabric", "kind", "nodes", "gpus", "tiers", "layout", "protocol",
               "oversubscription", "max_switch_hops", "bandwidth_per_gpu_gbps", "latency_us",
               "network_usd", "switches_usd", "nics_usd", "transceivers_usd", "cables_usd",
               "power_w", "server_usd")


def usd_by_kind(fabrics) -> dict[str, float]:
    """Network cost of ``fabrics`` by part kind (switches, NICs, transceivers, cables)."""
    out = dict.fromkeys(KINDS, 0.0)
    for fabric in fabrics:
        for part in fabric.parts:
            out[part.kind] += part.extended_price_usd
    return out


@dataclass(frozen=True)
class StrategyResult:
    """One strategy: its fabrics' designs (or why it has none) and the totals."""

    name: str
    title: str
    fabrics: tuple[FabricResult, ...]
    servers: int
    gpus: int
    server_usd: float
    error: str = ""
    fabric_gpus: tuple[int, ...] = ()  # GPUs each fabric connects, parallel to ``fabrics``
    fabric_server_usd: tuple[float, ...] = ()  # servers each fabric owns (counted once)

    @property
    def network_usd(self) -> float:
        return sum(f.cost_usd for f in self.fabrics)

    @property
    def power_w(self) -> float:
        return sum(f.power_w for f in self.fabrics)

    @property
    def network_share(self) -> float | None:
        return self.network_usd / self.server_usd if self.server_usd else None

    def by_kind_usd(self) -> dict[str, float]:
        return usd_by_kind(self.fabrics)


@dataclass(frozen=True)
class Comparison:
    demand: str
    training: Fabric
    inference: Fabric
    strategies: tuple[StrategyResult, ...]

    def cheapest(self) -> StrategyResult | None:
        done = [s for s in self.strategies if not s.error]
        return min(done, key=lambda s: (s.network_usd + s.server_usd, s.name), default=None)

    def rows(self) -> list[dict]:
        """One row per (strategy, fabric): the figures of ``compare.csv``."""
        rows = []
        for strategy in self.strategies:
            for f, gpus, server_usd in zip(strategy.fabrics, strategy.fabric_gpus,
                                           strategy.fabric_server_usd, strict=True):
                s = f.structure
                kinds = usd_by_kind((f,))
                rows.append({
                    "strategy": strategy.name, "fabric": f.name, "kind": s.fabric.kind,
                    "nodes": s.fabric.nodes, "gpus": gpus, "tiers": s.tiers,
                    "layout": s.layout, "protocol": s.protocol,
                    "oversubscription": round(s.oversubscription, 4),
                    "max_switch_hops": s.max_switch_hops,
                    "bandwidth_per_gpu_gbps": round(bandwidth_per_gpu_gbps(f, gpus), 3),
                    "latency_us": round(f.latency.total_ns / 1000, 3),
                    "network_usd": round(f.cost_usd, 2),
                    **{f"{k}_usd": round(v, 2) for k, v in kinds.items()},
                    "power_w": round(f.power_w, 1),
                    "server_usd": round(server_usd, 2)})
        return rows

    def table(self) -> str:
        """The side-by-side summary printed by ``design compare``."""
        head = f"{'':34}" + "".join(f"{s.name:>18}" for s in self.strategies)
        lines = [head]

        def row(label, cell):
            lines.append(f"{label:34}" + "".join(
                f"{('-' if s.error else cell(s)):>18}" for s in self.strategies))

        row("GPUs", lambda s: f"{s.gpus:,}")
        row("network cost", lambda s: f"${s.network_usd:,.0f}")
        row("server (GPU) cost", lambda s: f"${s.server_usd:,.0f}")
        row("network share of server cost",
            lambda s: f"{s.network_share:.1%}" if s.network_share is not None else "n/a")
        row("network cost per GPU", lambda s: f"${s.network_usd / s.gpus:,.0f}")
        for kind in ("training", "inference"):
            row(f"{kind}: Gb/s per GPU (bisection)", lambda s, k=kind: _per_kind(
                s, k, lambda f, g: f"{bandwidth_per_gpu_gbps(f, g):,.4g}"))
            row(f"{kind}: oversubscription, hops", lambda s, k=kind: _per_kind(
                s, k, lambda f, g: f"{f.structure.oversubscription:g}:1, "
                                   f"{f.structure.max_switch_hops}"))
        row("network power", lambda s: f"{s.power_w / 1000:,.1f} kW")
        for s in self.strategies:
            if s.error:
                lines.append(f"{s.name}: no design ({s.error})")
        return "\n".join(lines)

    def write(self, outdir: str | Path, force: bool = False) -> Path:
        """``compare.csv``, ``compare.json`` and ``compare.md`` into ``outdir``, atomically."""
        from designer.outputs import staged_folder

        with staged_folder(outdir, force, COMPARE_FILES) as staging:
            rows = self.rows()
            with open(staging / "compare.csv", "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, CSV_COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
            summary = {"demand": self.demand, "strategies": [
                {"name": s.name, "title": s.title, "gpus": s.gpus, "servers": s.servers,
                 "network_usd": round(s.network_usd, 2), "server_usd": round(s.server_usd, 2),
                 "power_w": round(s.power_w, 1), "error": s.error,
                 "by_kind_usd": {k: round(v, 2) for k, v in s.by_kind_usd().items()}}
                for s in self.strategies], "fabrics": rows}
            (staging / "compare.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
            (staging / "compare.md").write_text(self.markdown(), "utf-8")
        return Path(outdir).resolve()

    def markdown(self) -> str:
        from designer.outputs.templating import markdown_text as md_text

        t, i = self.training, self.inference
        lines = [f"# Training and inference on one site: {md_text(self.demand)}", "",
                 f"Training: {t.nodes:,} servers, {t.endpoints_per_node} x "
                 f"{t.port_speed_gbps:g}G per server, up to {t.max_oversubscription:g}:1, "
                 f"{t.max_switch_hops} hops. Inference: {i.nodes:,} servers, "
                 f"{i.endpoints_per_node} x {i.port_speed_gbps:g}G, up to "
                 f"{i.max_oversubscription:g}:1, {i.max_switch_hops} hops.", ""]
        for s in self.strategies:
            lines.append(f"- **{s.name}**: {md_text(s.title)}.")
        lines += ["", "```", self.table(), "```", "",
                  "| strategy | fabric | nodes | tiers | layout | network | switches | NICs | "
                  "optics | cables | power |", "|---|---|---:|---:|---|---:|---:|---:|---:|---:|"
                  "---:|"]
        for r in self.rows():
            lines.append(f"| {r['strategy']} | {md_text(r['fabric'])} | {r['nodes']:,} | "
                         f"{r['tiers']} | {r['layout']} | ${r['network_usd']:,.0f} | "
                         f"${r['switches_usd']:,.0f} | ${r['nics_usd']:,.0f} | "
                         f"${r['transceivers_usd']:,.0f} | ${r['cables_usd']:,.0f} | "
                         f"{r['power_w'] / 1000:,.1f} kW |")
        lines += seed_section(self)
        best = self.cheapest()
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
        kinds = usd_by_kind((f,))
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
    nics = training.structure.fabric.nodes * training.to_dict()["nic"]["per_node"]
    switch_count = sum(sum(by_model.values()) for by_model in training.switches.values())
    ways = ", ".join(w.kind for w in training.structure.node_links.ways())
    inf = inference.structure
    inf_switches = sum(sum(by_model.values()) for by_model in inference.switches.values())
    return (f"Why they differ: the seed's training NIC line implies "
            f"${SEED_1024['training']['nics'] / nics:,.0f} per NIC for {nics:,} NICs; the "
            f"catalog's {nic.model} costs ${nic.price_usd:,.0f}. The proved-optimal training "
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


def bandwidth_per_gpu_gbps(f: FabricResult, gpus: int) -> float:
    """Bisection bandwidth per GPU: ``bisection / (GPUs / 2)`` over the GPUs ``f`` connects."""
    return f.structure.bisection_gbps / (gpus / 2)


def strategy_fabrics(training: Fabric, inference: Fabric) -> dict[str, tuple[Fabric, ...]]:
    """The fabrics each strategy needs (names kept unique within a strategy).

    The tiered site's network over every server is Ethernet unless the inference fabric names
    a protocol itself."""
    t, i = training.nodes, inference.nodes
    protocol = "ethernet" if inference.protocol == "any" else inference.protocol
    return {
        "separate": (training, inference),
        "shared": (training.model_copy(update={"nodes": max(t, i)}),),
        "tiered": (training, inference.model_copy(update={"nodes": t + i,
                                                          "protocol": protocol})),
    }


def compare(demand: Demand, catalog: Catalog | None = None, solver: str = "highs",
            time_limit: float | None = None) -> Comparison:
    """Design the three strategies for ``demand``'s training and inference fabrics."""
    from designer.design import design

    training, inference = _pick(demand)
    if catalog is None:
        catalog = load_catalog(demand_catalogs(demand))
    cache: dict[Fabric, FabricResult | str] = {}
    results = []
    for name, fabrics in strategy_fabrics(training, inference).items():
        designed, error = [], ""
        for fabric in fabrics:
            if fabric not in cache:
                spec = demand.spec.model_copy(update={"fabrics": (fabric,)})
                try:
                    # explain=False: compare's files must not depend on re-solve timing.
                    cache[fabric] = design(Demand(spec, demand.path, demand.digest), catalog,
                                           solver=solver, time_limit=time_limit,
                                           explain=False).fabrics[0]
                except DesignerError as exc:
                    if exc.exit_code not in (3, 4):
                        raise
                    cache[fabric] = exc.headline
            if isinstance(cache[fabric], str):
                error = error or cache[fabric]
            else:
                designed.append(cache[fabric])
        t_gpus = training.nodes * _gpus_per_node(catalog, training)
        i_gpus = inference.nodes * _gpus_per_node(catalog, inference)
        t_usd = training.nodes * _server_price(catalog, training)
        i_usd = inference.nodes * _server_price(catalog, inference)
        if name == "shared":
            nodes = fabrics[0].nodes
            per_fabric = ((nodes * _gpus_per_node(catalog, training),
                           nodes * _server_price(catalog, training)),)
        elif name == "separate":
            per_fabric = ((t_gpus, t_usd), (i_gpus, i_usd))
        else:  # tiered: the Ethernet network reaches every server; it owns the inference ones
            per_fabric = ((t_gpus, t_usd), (t_gpus + i_gpus, i_usd))
        if error:
            designed, per_fabric = [], ()
        servers = fabrics[0].nodes if name == "shared" else training.nodes + inference.nodes
        gpus = per_fabric[0][0] if name == "shared" else t_gpus + i_gpus
        server_usd = (fabrics[0].nodes * _server_price(catalog, training) if name == "shared"
                      else t_usd + i_usd)
        results.append(StrategyResult(
            name, STRATEGIES[name], tuple(designed), servers, gpus, server_usd, error,
            tuple(g for g, _ in per_fabric), tuple(u for _, u in per_fabric)))
    if all(r.error for r in results):
        raise InfeasibleError(f"{demand.path}: no strategy has a design: {results[0].error}")
    return Comparison(str(demand.path), training, inference, tuple(results))


def _server_price(catalog: Catalog, fabric: Fabric) -> float:
    server = catalog.servers.get(fabric.server) if fabric.server else None
    return server.price_usd if server else 0.0


def _gpus_per_node(catalog: Catalog, fabric: Fabric) -> int:
    server = catalog.servers.get(fabric.server) if fabric.server else None
    return server.gpus if server else fabric.endpoints_per_node


def _pick(demand: Demand) -> tuple[Fabric, Fabric]:
    kinds = {kind: [f for f in demand.fabrics if f.kind == kind]
             for kind in ("training", "inference")}
    problems = [f"{demand.path}: fabrics: a comparison needs exactly one fabric of kind "
                f"'{kind}', found {len(found)}" for kind, found in kinds.items()
                if len(found) != 1]
    if problems:
        raise InputError(problems)
    return kinds["training"][0], kinds["inference"][0]


__all__ = ["STRATEGIES", "Comparison", "StrategyResult", "compare"]
