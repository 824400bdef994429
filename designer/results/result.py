"""The result of a design: per-fabric results, the bill of materials, and ``design.json``.

Values only; writing files is ``outputs/``'s job (``DesignResult.write`` delegates there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from designer.inputs.catalog import PRICED_KINDS, Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import Objective, Server, Site
from designer.inputs.servers import ServerSet, server_sets
from designer.model.candidates import nics_per_node
from designer.model.latency import LatencyEstimate
from designer.model.latency import estimate as estimate_latency
from designer.model.links import ROLE_ORDER
from designer.model.pricing import usd_per_watt
from designer.model.services import SERVICE_KINDS, ServiceLine
from designer.model.structure import FabricStructure, PartLine
from designer.results.money import DOLLARS, Money
from designer.results.spares import SPARES, SpareLine, spare_lines
from designer.site.grid import DEFAULT_NODE_UNITS
from designer.site.hall import SharedFloor
from designer.solvers.solve import solver_versions
from designer.solvers.status import SolveReport

BILLED_KINDS = (*PRICED_KINDS, *SERVICE_KINDS)  # every kind of BOM line
KIND_ORDER = {kind: i for i, kind in enumerate(BILLED_KINDS)}


@dataclass(frozen=True)
class BomLine:
    """One part of one fabric, all its uses added up."""

    fabric: str
    kind: str
    model: str
    vendor: str
    roles: str
    quantity: int
    unit_price_usd: float
    unit_power_w: float
    source: str
    as_of: str
    list_price_usd: float | None = None  # before a quote's discount (None: not discounted)
    covers: str = ""  # a licence's or support plan's: the part model it is bought for
    money: Money = DOLLARS  # the currency of ``unit_price`` and ``extended_price``

    @property
    def extended_price_usd(self) -> float:
        return self.quantity * self.unit_price_usd

    @property
    def unit_price(self) -> float:
        """The net unit price in the demand's currency, to the cent."""
        return self.money.unit(self.unit_price_usd)

    @property
    def extended_price(self) -> float:
        return self.quantity * self.unit_price

    @property
    def unit_list_price_usd(self) -> float:
        """The list price a discount was taken from (the unit price when none was)."""
        return self.unit_price_usd if self.list_price_usd is None else self.list_price_usd

    @property
    def discount_pct(self) -> float:
        """Percent off list: ``100 (1 - net / list)``, 0 without a discount."""
        if not self.unit_list_price_usd:
            return 0.0
        return round(100 * (1 - self.unit_price_usd / self.unit_list_price_usd), 4)

    @property
    def extended_power_w(self) -> float:
        return self.quantity * self.unit_power_w


@dataclass(frozen=True)
class FabricResult:
    """One designed fabric: its structure, the solver's report, and derived figures."""

    structure: FabricStructure
    solve: SolveReport
    lengths_m: dict[str, float]
    server: Server | None
    site: Site | None = None
    objective: Objective = field(default_factory=Objective)
    hall: SharedFloor | None = None  # set when another fabric placed this fabric's servers
    servers: str | None = None  # the server set: a server group's name, else the fabric's
    services: tuple[ServiceLine, ...] = ()  # licences and support bought with the parts

    @property
    def name(self) -> str:
        return self.structure.fabric.name

    @property
    def parts(self) -> list[PartLine]:
        return self.structure.parts()

    @property
    def cost_usd(self) -> float:
        """Parts, and the licences and support bought with them."""
        return (sum(p.extended_price_usd for p in self.parts)
                + sum(line.extended_price_usd for line in self.services))

    @property
    def power_w(self) -> float:
        return sum(p.quantity * p.unit_power_w for p in self.parts)

    @property
    def energy_usd(self) -> float:
        """What the fabric's parts draw over the objective's years (0 for a capex objective)."""
        return usd_per_watt(self.objective) * self.power_w

    def objective_dict(self) -> dict:
        o = self.objective
        out = {"kind": o.kind, "capex_usd": round(self.cost_usd, 2)}
        if o.kind == "tco":
            out.update(years=o.years, usd_per_kwh=o.usd_per_kwh, pue=o.pue,
                       energy_usd=round(self.energy_usd, 2),
                       tco_usd=round(self.cost_usd + self.energy_usd, 2))
        return out

    @property
    def usd_by_kind(self) -> dict[str, float]:
        """Network cost by kind (switches, NICs, transceivers, cables, licences, support)."""
        return self.usd_by_kind_of((self,))

    @staticmethod
    def usd_by_kind_of(fabrics) -> dict[str, float]:
        """Network cost of ``fabrics`` by kind: the four part kinds, then licences and
        support (0 without a catalog's)."""
        return FabricResult.cost_by_kind_of(fabrics, DOLLARS)

    @staticmethod
    def cost_by_kind_of(fabrics, money: Money) -> dict[str, float]:
        """:meth:`usd_by_kind_of` in ``money`` as its bill prices it: each unit price
        converted to the cent, then extended."""
        out = dict.fromkeys(BILLED_KINDS, 0.0)
        for fabric in fabrics:
            for line in (*fabric.parts, *fabric.services):
                out[line.kind] += line.quantity * money.unit(line.unit_price_usd)
        return out

    def cost_in(self, money: Money) -> float:
        """The fabric's cost as its bill gives it in ``money`` (``cost_usd`` in dollars)."""
        return round(sum(self.cost_by_kind_of((self,), money).values()), 2)

    def bisection_per_gpu_gbps(self, gpus: int) -> float:
        """Bisection bandwidth per GPU: ``bisection / (GPUs / 2)`` over ``gpus`` GPUs."""
        return self.structure.bisection_gbps / (gpus / 2)

    @property
    def latency(self) -> LatencyEstimate:
        """Zero-load worst-case latency (``designer.model.latency``)."""
        return estimate_latency(self.structure, self.lengths_m)

    @property
    def gpus(self) -> int | None:
        return None if self.server is None else self.server.gpus * self.structure.fabric.nodes

    @property
    def server_cost_usd(self) -> float | None:
        if self.server is None:
            return None
        return self.server.price_usd * self.structure.fabric.nodes

    @property
    def switches(self) -> dict[str, dict[str, int]]:
        """``{role: {model: count}}`` summed over planes and rails."""
        s = self.structure
        return {role: {mode.model: count * s.copies}
                for role, (mode, count) in s.counts.switches.items()}

    @property
    def links(self) -> dict[str, int]:
        s = self.structure
        return {name: c.links * s.copies for name, c in s.counts.link_classes.items()}

    def to_dict(self) -> dict:
        """The fabric's entry in ``design.json`` (contract keys first, then extensions)."""
        s = self.structure
        fabric = s.fabric
        entry = {
            "name": self.name,
            "tiers": s.tiers,
            "layout": s.layout,
            "planes": fabric.planes,
            "oversubscription": round(s.oversubscription, 6),
            "max_switch_hops": s.max_switch_hops,
            "bisection_gbps": round(s.bisection_gbps, 3),
            "switches": self.switches,
            "links": self.links,
            "cost_usd": round(self.cost_usd, 2),
            "licenses_usd": round(sum((x.extended_price_usd for x in self.services
                                       if x.kind == "licenses"), 0.0), 2),
            "support_usd": round(sum((x.extended_price_usd for x in self.services
                                      if x.kind == "support"), 0.0), 2),
            "kind": fabric.kind,
            "protocol": s.protocol,
            "nodes": fabric.nodes,
            "servers": self.servers or self.name,
            "endpoints_per_node": fabric.endpoints_per_node,
            "node_forwarding": fabric.node_forwarding,
            "port_speed_gbps": fabric.port_speed_gbps,
            "nic": {"model": s.nic.model, "per_node": nics_per_node(fabric, s.nic),
                    "in_server_price": s.nics_in_server_price,
                    **({"cage": _cage_dict(s.node_cage[1])} if s.node_cage[1] else {}),
                    **({"cage_ports": s.node_cage[0]} if s.node_cage[0] > 1 else {})},
            "subfabrics": s.shape.subfabrics,
            "power_w": round(self.power_w, 1),
            "nodes_per_rack": self.site.nodes_per_rack if self.site else None,
            "node_rack_units": self.server.rack_units if self.server else DEFAULT_NODE_UNITS,
            "node_power_w": self.server.power_w if self.server else 0.0,
            "structure": _structure_dict(s),
            "roles": {role: {"model": mode.model, "radix": mode.radix,
                             "port_speed_gbps": mode.port_speed_gbps,
                             "cage_ports": mode.cage_ports,
                             **({"cage": _cage_dict(mode.switch.cage)}
                                if mode.switch.cage else {})}
                      for role, (mode, _) in s.counts.switches.items()},
            "limits": {"max_oversubscription": fabric.max_oversubscription,
                       "max_switch_hops": fabric.max_switch_hops,
                       "budget_usd": fabric.budget_usd,
                       "max_latency_us": fabric.max_latency_us,
                       "max_power_kw": fabric.max_power_kw,
                       "max_gpus_cut_per_switch": fabric.max_gpus_cut_per_switch},
            "objective": self.objective_dict(),
            "latency": self.latency.to_dict(),
            "media": {"node-leaf": _node_links_dict(s.node_links, s.copies),
                      **{cls: _medium_dict(m, self.lengths_m.get(cls), s.cords(cls))
                         for cls, m in s.media.items()}},
            "solve": {"status": self.solve.status.text, "optimal": self.solve.optimal,
                      "objective_usd": round(self.solve.objective_usd, 2),
                      "variables": self.solve.variables,
                      "integer_variables": self.solve.integer_variables,
                      "constraints": self.solve.constraints,
                      "gap": round(self.solve.gap, 6)},
        }
        if self.server is not None:
            entry["server"] = {"model": self.server.model, "gpus": self.gpus,
                               "cost_usd": round(self.server_cost_usd, 2),
                               "nics_included": self.server.nics_included,
                               "pcie_gen": self.server.pcie_gen,
                               "nic_slots": self.server.nic_slots,
                               "network_share_of_server_cost": round(
                                   self.cost_usd / self.server_cost_usd, 6)}
        return entry


def _cage_dict(cage) -> dict:
    """What a cage takes, the facts given (``designer.model.fit``)."""
    return cage.model_dump(mode="json", exclude_none=True)


def _structure_dict(s: FabricStructure) -> dict:
    if s.tiers == 1:
        return {"leaf_mode": s.leaf.mode.key}
    leaf = s.leaf
    out = {"leaf_mode": leaf.mode.key, "leaf_downlinks": leaf.downlinks,
           "leaf_uplinks": leaf.uplinks,
           "nodes_per_leaf_group": min(leaf.group_nodes, s.fabric.nodes),
           "leaf_groups": leaf.groups}
    if s.tiers == 2:
        out.update(spine_mode=s.spine.mode.key, links_per_leaf_spine_pair=s.spine.links_per_leaf)
    else:
        out.update(spine_mode=s.pod.mode.key, core_mode=s.core.key, pods=s.pods,
                   leaves_per_pod=s.pod.leaves_per_pod,
                   links_per_spine_core_pair=s.pod.links_per_core,
                   cores_per_group=s.pod.cores_per_group)
    return out


def _node_links_dict(plan, copies: int) -> dict:
    """Node-leaf media: cabled cage by cage, so possibly several ways; the main one first."""
    ways = plan.ways()
    main = ways[0]
    out = {"worst_length_m": plan.worst_run_m, "reach_m": plan.reach_m,
           "kind": main.kind if len({w.kind for w in ways}) == 1 else "mixed",
           "cable": main.cables[0][0]}
    if main.leaf_end is not None:
        out["transceivers"] = [main.node_end.model, main.leaf_end.model]
    out["ways"] = [{"kind": w.kind, "links": w.links * copies, "cages": w.cages * copies,
                    "worst_length_m": w.worst_run_m, "reach_m": w.reach_m,
                    "transceivers": ([w.node_end.model, w.leaf_end.model]
                                     if w.leaf_end is not None else []),
                    "cables": {model: count for model, count in w.cables}}
                   for w in ways]
    return out


def _medium_dict(m, length_m: float | None, cords: list) -> dict:
    """One upper link class's medium: its kind, transceivers, and the cords laid (``cables``,
    by model; ``cable`` is the longest of them)."""
    out = {"worst_length_m": length_m, "reach_m": m.reach_m}
    longest = cords[-1][0]
    if m.transceiver1 is not None:
        out.update(kind="optics", transceivers=[m.transceiver1.model, m.transceiver2.model],
                   cable=longest.model)
    else:
        out.update(kind=longest.kind, cable=longest.model)
    out["cables"] = {cable.model: count for cable, count in cords}
    return out


@dataclass(frozen=True)
class DesignResult:
    """A complete design of every fabric in a demand."""

    demand: Demand
    catalog: Catalog
    fabrics: tuple[FabricResult, ...]
    solver: str

    @property
    def total_cost_usd(self) -> float:
        """The bill's total: every fabric's cost (its solver objective's parts, licences and
        support) and the spares."""
        return round(sum(f.cost_usd for f in self.fabrics) + self.spares_usd, 2)

    @cached_property
    def spares(self) -> list[SpareLine]:
        """The spares the demand's policy asks for, scope by scope
        (``designer.results.spares``); none without a policy."""
        return spare_lines(self)

    @property
    def spares_usd(self) -> float:
        return sum((line.quantity * self.catalog.part(line.model).price_usd
                    for line in self.spares), 0.0)

    @property
    def money(self) -> Money:
        """The currency the bill and the reports price in (US dollars unless the demand
        says)."""
        return Money.of(self.demand.spec.currency)

    @property
    def total_cost(self) -> float:
        """The bill's total in :attr:`money`: the sum of its extended prices."""
        return round(sum(line.extended_price for line in self.bom), 2)

    @property
    def server_sets(self) -> list[ServerSet]:
        """The servers the fabrics connect, each set once (``designer.inputs.servers``)."""
        return server_sets(tuple(f.structure.fabric for f in self.fabrics), self.catalog)

    @property
    def halls(self) -> dict[str, str]:
        """The hall of each server set (``hall1``, ``hall2``, ... in demand order): the fabrics
        of one server set share its hall; separate server sets stand in separate halls."""
        return {group.name: f"hall{i + 1}" for i, group in enumerate(self.server_sets)}

    def hall_of(self, fabric: FabricResult) -> str:
        return self.halls[fabric.servers or fabric.name]

    @property
    def server_cost_usd(self) -> float | None:
        """Every server of the site counted once, however many fabrics connect it."""
        costs = [group.cost_usd for group in self.server_sets]
        return None if not costs or None in costs else sum(costs)

    @property
    def optimal(self) -> bool:
        return all(f.solve.optimal for f in self.fabrics)

    @property
    def bom(self) -> list[BomLine]:
        """The installed parts (:attr:`installed_bom`), then one line per spare part model
        (fabric ``spares``, its policy in ``roles``; spares draw no power)."""
        by_model: dict[str, list[SpareLine]] = {}
        for spare in self.spares:
            by_model.setdefault(spare.model, []).append(spare)
        lines = []
        for model, spares in by_model.items():
            item = self.catalog.part(model)
            lines.append(BomLine(
                fabric=SPARES, kind=spares[0].kind, model=model, vendor=item.vendor or "",
                roles=f"spares: {spares[0].policy}",
                quantity=sum(s.quantity for s in spares), unit_price_usd=item.price_usd,
                unit_power_w=0.0, source=item.source or "", as_of=item.as_of or "",
                list_price_usd=self.catalog.list_prices.get(model), money=self.money))
        return self.installed_bom + lines

    @property
    def installed_bom(self) -> list[BomLine]:
        """One line per (fabric, part, power counted per unit), switches first, then NICs,
        optics, cables: a module model at both a NIC end and in switch cages (whose power is
        the switch's) takes two lines."""
        money = self.money
        grouped: dict[tuple[str, str, float], list[PartLine]] = defaultdict(list)
        for fabric in self.fabrics:
            for part in fabric.parts:
                grouped[(part.fabric, part.model, part.unit_power_w)].append(part)
        lines = []
        for (fabric, model, _), parts in grouped.items():
            item = self.catalog.part(model)
            lines.append(BomLine(
                fabric=fabric, kind=parts[0].kind, model=model, vendor=item.vendor or "",
                roles=", ".join(dict.fromkeys(p.role for p in parts)),
                quantity=sum(p.quantity for p in parts), unit_price_usd=item.price_usd,
                unit_power_w=parts[0].unit_power_w, source=item.source or "",
                as_of=item.as_of or "", list_price_usd=self.catalog.list_prices.get(model),
                money=money))
        lines += [BomLine(fabric=s.fabric, kind=s.kind, model=s.model, vendor=s.vendor,
                          roles=s.roles, quantity=s.quantity, unit_price_usd=s.unit_price_usd,
                          unit_power_w=0.0, source=s.source, as_of=s.as_of, covers=s.covers,
                          money=money)
                  for fabric in self.fabrics for s in fabric.services]
        order = [f.name for f in self.fabrics]
        return sorted(lines, key=lambda b: (order.index(b.fabric), KIND_ORDER[b.kind],
                                            ROLE_ORDER.get(b.roles.split(",")[0], 9), b.model,
                                            b.covers, b.unit_power_w))

    def parts_table(self) -> dict[str, dict]:
        """Every part the design uses, with the facts an independent check needs: the billed
        parts and the NICs that come with the servers (their ports are cabled)."""
        used = {line.model: line.kind for line in self.installed_bom
                if line.kind in PRICED_KINDS}
        services = [s for f in self.fabrics for s in f.services]
        used.update({f.structure.nic.model: "nics" for f in self.fabrics
                     if f.structure.nics_in_server_price})
        table = {}
        for model, kind in used.items():
            part = self.catalog.part(model)
            entry = {"kind": kind, "price_usd": part.price_usd, "power_w": part.power_w}
            for key in ("reach_m", "ports", "links", "fiber", "port_speed_gbps", "rack_units",
                        "connector", "connectors", "leg_connector", "pcie_gen", "pcie_lanes",
                        "form_factor", "top", "far_form_factor", "far_top", "lane_gbps",
                        "far_lane_gbps", "optical_lane_gbps", "coding"):
                value = getattr(part, key, None)
                if value is not None and not (kind == "switches" and key == "ports"):
                    entry[key] = value
            if kind == "cables":
                entry["cable_kind"] = part.kind
            bought_with = dict.fromkeys((s.model, s.kind, s.units_per_part, s.unit_price_usd)
                                        for s in services if s.covers == model)
            if bought_with:  # licences and support: units of each a unit of this part takes
                entry["charges"] = [{"model": m, "kind": k, "units": units,
                                     "unit_price_usd": unit_usd}
                                    for m, k, units, unit_usd in bought_with]
            table[model] = entry
        return dict(sorted(table.items()))

    def to_dict(self) -> dict:
        """The content of ``design.json``."""
        from designer import __version__

        return {
            "total_cost_usd": self.total_cost_usd,
            "currency": self.money.to_dict(),
            "total_cost": self.total_cost,
            "spares_usd": round(self.spares_usd, 2),
            "spares": self.demand.spec.spares.model_dump(mode="json", exclude_none=True),
            "optimal": self.optimal,
            "solver": self.solver,
            "fabrics": [{**f.to_dict(), "hall": self.hall_of(f)} for f in self.fabrics],
            "servers": [group.to_dict({f.name: f.structure.fabric for f in self.fabrics})
                        for group in self.server_sets],
            "demand": {"file": Path(self.demand.path).name, "sha256": self.demand.digest},
            "catalogs": {"files": [Path(f.removesuffix(" (shipped)")).name
                                   + (" (shipped)" if f.endswith(" (shipped)") else "")
                                   for f in self.catalog.files],
                         "sha256": self.catalog.digest},
            "parts": self.parts_table(),
            "site": {"rack_units": self.demand.site.rack_units,
                     "rack_power_kw": self.demand.site.rack_power_kw,
                     "hall_power_kw": self.demand.site.hall_power_kw},
            "designer_version": __version__,
            "solver_versions": solver_versions(),
        }

    def write(self, outdir: str | Path, templates: str | Path | None = None,
              force: bool = False, progress: Callable[[str], None] | None = None) -> Path:
        """Write every output file into ``outdir`` (see ``outputs``); returns the folder.

        A folder holding anything but a previous design's files is replaced only with
        ``force=True``.
        """
        from designer.outputs.write import write_all

        return write_all(self, Path(outdir), templates=templates, force=force,
                         progress=progress)
