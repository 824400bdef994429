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

from dataclasses import dataclass
from pathlib import Path

from designer.design import design
from designer.errors import DesignerError, InfeasibleError, InputError
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.loading import demand_catalogs, load_catalog
from designer.inputs.schema import Fabric
from designer.inputs.servers import gpus_per_node
from designer.results.result import FabricResult

STRATEGIES = {
    "separate": "Separate clusters: training on its fabric, inference on its own",
    "shared": "Time-sliced shared cluster: max(T, I) servers built to the training spec",
    "tiered": "Tiered network: a training backend on the training servers plus one Ethernet "
              "network over every server (dual-NIC training servers)",
}
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
        return FabricResult.usd_by_kind_of(self.fabrics)


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
                kinds = f.usd_by_kind
                rows.append({
                    "strategy": strategy.name, "fabric": f.name, "kind": s.fabric.kind,
                    "nodes": s.fabric.nodes, "gpus": gpus, "tiers": s.tiers,
                    "layout": s.layout, "protocol": s.protocol,
                    "oversubscription": round(s.oversubscription, 4),
                    "max_switch_hops": s.max_switch_hops,
                    "bandwidth_per_gpu_gbps": round(f.bisection_per_gpu_gbps(gpus), 3),
                    "latency_us": round(f.latency.total_ns / 1000, 3),
                    "network_usd": round(f.cost_usd, 2),
                    **{f"{k}_usd": round(v, 2) for k, v in kinds.items()},
                    "power_w": round(f.power_w, 1),
                    "server_usd": round(server_usd, 2)})
        return rows

    def table(self) -> str:
        """The side-by-side summary printed by ``design compare``."""
        from designer.outputs.compare_files import comparison_table

        return comparison_table(self)

    def write(self, outdir: str | Path, force: bool = False) -> Path:
        """``compare.csv``, ``compare.json`` and ``compare.md`` into ``outdir``, atomically
        (:mod:`designer.outputs.compare_files`)."""
        from designer.outputs.compare_files import write_comparison

        return write_comparison(self, outdir, force)


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
        t_gpus = training.nodes * gpus_per_node(training, catalog)
        i_gpus = inference.nodes * gpus_per_node(inference, catalog)
        t_usd = training.nodes * _server_price(catalog, training)
        i_usd = inference.nodes * _server_price(catalog, inference)
        if name == "shared":
            nodes = fabrics[0].nodes
            per_fabric = ((nodes * gpus_per_node(training, catalog),
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
