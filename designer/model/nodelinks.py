"""Node-leaf links, cage by cage: each leaf cage cabled the cheapest way its runs allow.

Every leaf cage holds ``c`` ports, filled in port order (node by node, and port by port of a
node when the leaf takes several). Where the group's racks stand (``floor.GroupPlacement``) fixes
the run of every leg, so the cheapest way to cable each cage is known before any model is built:

- **optics**: one leaf-end transceiver of ``c`` ports, a node-end transceiver and a fiber per
  leg; ``cost = t_leaf + sum_legs (t_node + cheapest fiber reaching the leg)`` with every leg
  within both transceivers' reach and the fiber grade (mmf, smf) shared by all three parts;
- **direct cable** (``c = 1``): the cheapest DAC, ACC or AOC reaching the leg;
- **breakout cable** (``links = c``): the cheapest splitter whose reach covers the longest leg.

The cage costs the least of these. Cages are independent of one another (the only thing they
share is the protocol, which the leaf switch fixes), so the node-leaf cost of a leaf option is
the sum of its cages' least costs: a constant per option, and the MILP carries it linearly. Each
leg gets its own stocked length, and in-rack legs can take copper while the far ones take optics.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from designer.inputs.catalog import Catalog
from designer.inputs.schema import DIRECT_KINDS, Cable, Cage, Site, Transceiver
from designer.model.fit import (
    CageKey,
    direct_fits,
    fans_out,
    harnesses_for,
    lanes_pair,
    leg_connector,
    mates,
    module_plug,
    plugs,
)
from designer.model.media import cheapest_cord
from designer.site.grid import DEFAULT_NODE_UNITS, GroupPlacement, hall_rows, node_run_m


@dataclass(frozen=True)
class CageCabling:
    """How one leaf cage and its legs are cabled.

    ``cables`` holds one cable per leg, or a single breakout cable serving every leg;
    ``leaf_end`` (one per cage) and ``node_end`` (one per leg) are the optics, if any, and
    ``harness`` fans a leaf-end module's connectors out to the legs (one per connector,
    ``designer.model.fit``) where the module carries several links on one connector; a
    node-end module in a cage of several ports serves ``node_share`` legs (of one node, to
    whichever leaves) and each leg pays that share of it. The leaf-end module draws within
    the switch's power (its datasheet maximum has modules fitted) and counts none of its own;
    each node-end module counts its power, and in a model that prices energy (TCO) its energy
    over the period, ``node_end_energy_usd`` (read only by the model: the bill of materials is
    priced from the parts).
    """

    legs: int
    cables: tuple[Cable, ...]
    leaf_end: Transceiver | None = None
    node_end: Transceiver | None = None
    node_end_energy_usd: float = 0.0
    harness: Cable | None = None
    node_share: int = 1  # legs one node-end module serves (a DGX's twin-port cage: 2)

    @property
    def harnesses(self) -> int:
        """Harnesses in this cage: one per connector of the leaf-end module."""
        return 0 if self.harness is None else self.leaf_end.connectors

    @property
    def breakout(self) -> bool:
        return self.cables[0].links > 1

    @functools.cached_property
    def cost_usd(self) -> float:
        cost = sum(c.price_usd for c in self.cables)
        if self.leaf_end is not None:
            cost += self.leaf_end.price_usd + self.legs * (
                self.node_end.price_usd + self.node_end_energy_usd) / self.node_share
        if self.harness is not None:
            cost += self.harnesses * self.harness.price_usd
        return cost

    @property
    def power_w(self) -> float:
        """The cables and the node-end modules (the leaf end's is in the switch's figure)."""
        power = sum(c.power_w for c in self.cables)
        if self.leaf_end is not None:
            power += self.legs * self.node_end.power_w / self.node_share
        return power

    @property
    def reach_m(self) -> float:
        """The longest run any leg of this cabling could serve."""
        reach = max(c.reach_m for c in self.cables)
        if self.leaf_end is not None:
            reach = min(reach, self.leaf_end.reach_m, self.node_end.reach_m)
        return reach

    def leg_cable(self, leg: int) -> Cable:
        return self.cables[0] if self.breakout else self.cables[leg]

    @property
    def kind(self) -> str:
        """``optics``, ``dac``, ``acc``, ``aoc`` (one per leg) or ``dac splitter`` etc."""
        if self.leaf_end is not None:
            return "optics"
        return self.cables[0].kind + (" splitter" if self.breakout else "")

    @property
    def sort_key(self) -> tuple:
        parts = [p.model for p in (self.leaf_end, self.harness, self.node_end) if p is not None]
        return (self.kind, tuple(parts), tuple(c.model for c in self.cables), self.legs)


@dataclass(frozen=True)
class CablingWay:
    """One way node-leaf cages are cabled, over all cages that take it."""

    kind: str
    leaf_end: Transceiver | None
    node_end: Transceiver | None
    cables: tuple[tuple[str, int], ...]  # (model, how many), by model
    cages: int
    links: int
    worst_run_m: float
    reach_m: float
    harness: Cable | None = None

    def parts_text(self) -> str:
        """``"T (leaf end) + 3 m x 40, 10 m x 88 + T (node end)"`` style, model names only."""
        cables = ", ".join(f"{model} x {count:,}" for model, count in self.cables)
        if self.leaf_end is None:
            return cables
        fan = f" + {self.harness.model}" if self.harness is not None else ""
        return (f"{self.leaf_end.model} (leaf end){fan} + {cables} + {self.node_end.model} "
                "(node end)")


def _fits(part_protocol: str | None, protocol: str) -> bool:
    return part_protocol is None or part_protocol == protocol


class CagePricer:
    """The cheapest cabling of a cage for given leg runs, from one catalog at one speed, to
    nodes whose NIC ports sit in cages ``node_cage`` (``(ports, facts)``; facts None: not
    checked): every part plugs into the cage at its end (``designer.model.fit``).

    Node cages of several ports (a DGX's twin-port OSFP) take a module of that many ports,
    which serves legs to different leaves: such a fabric is cabled with optics, one node-end
    module model throughout (``node_module``; :func:`each_node_module` tries each)."""

    def __init__(self, catalog: Catalog, speed_gbps: float,
                 node_cage: tuple[int, Cage | None] = (1, None),
                 node_module: Transceiver | None = None):
        self.catalog = catalog
        self.speed_gbps = speed_gbps
        self.node_key = node_cage
        self.node_module = node_module
        self._cheapest = functools.lru_cache(maxsize=None)(self._search)
        self._restricted: dict[str, CagePricer] = {}

    @property
    def node_ports(self) -> int:
        """Ports in one node cage (a DGX's twin-port OSFP: 2)."""
        return self.node_key[0]

    def node_modules(self) -> list[Transceiver]:
        """The modules that plug into the node cage (its ports' worth), by model."""
        return sorted((t for t in self.catalog.transceivers.values()
                       if t.port_speed_gbps == self.speed_gbps
                       and plugs(module_plug(t), self.node_key, t.ports)),
                      key=lambda t: t.model)

    def with_node_module(self, module: Transceiver) -> CagePricer:
        """This pricer restricted to one node-end module (made once per module, so its cache
        serves every plan that asks)."""
        if module.model not in self._restricted:
            self._restricted[module.model] = CagePricer(self.catalog, self.speed_gbps,
                                                        self.node_key, module)
        return self._restricted[module.model]

    def cheapest(self, runs_m: tuple[float, ...], cage: CageKey, protocol: str
                 ) -> CageCabling | None:
        """Least-cost cabling of a leaf cage ``cage`` (its ports and what it takes) whose legs
        run ``runs_m`` (None: nothing reaches or fits)."""
        return self._cheapest(runs_m, cage, protocol)

    def _search(self, runs_m: tuple[float, ...], cage: CageKey, protocol: str
                ) -> CageCabling | None:
        options = [*self._optics(runs_m, cage, protocol),
                   *self._direct(runs_m, cage, protocol)]
        return min(options, key=lambda o: (o.cost_usd, o.sort_key), default=None)

    def _optics(self, runs_m, cage, protocol):
        speed = self.speed_gbps
        optics = [t for t in self.catalog.transceivers.values()
                  if t.port_speed_gbps == speed and _fits(t.protocol, protocol)]
        fibers = [c for c in self.catalog.cables.values()
                  if c.kind == "fiber" and c.port_speed_gbps >= speed
                  and _fits(c.protocol, protocol)]
        longest = max(runs_m)
        for leaf_end in optics:
            if not plugs(module_plug(leaf_end), cage, leaf_end.ports) \
                    or leaf_end.reach_m < longest:
                continue
            # a module carrying several links on one connector needs a harness to fan out
            fans = (harnesses_for(leaf_end, self.catalog.cables.values())
                    if fans_out(leaf_end) else [None])
            for node_end in optics:
                if (node_end.fiber != leaf_end.fiber or node_end.reach_m < longest
                        or not lanes_pair(leaf_end, node_end)
                        or not plugs(module_plug(node_end), self.node_key, node_end.ports)
                        or self.node_module not in (None, node_end)):
                    continue
                for harness in fans:
                    legs_mate = leg_connector(leaf_end, harness)
                    grade = [c for c in fibers if c.fiber == leaf_end.fiber
                             and mates(c.connector, legs_mate)
                             and mates(c.connector, node_end.connector)]
                    cables = tuple(cheapest_cord(grade, run) for run in runs_m)
                    if None not in cables:
                        yield CageCabling(len(runs_m), cables, leaf_end, node_end,
                                          self.catalog.usd_per_w * node_end.power_w, harness,
                                          self.node_ports)

    def _direct(self, runs_m, cage, protocol):
        speed, cage_ports = self.speed_gbps, cage[0]
        direct = [c for c in self.catalog.cables.values()
                  if c.kind in DIRECT_KINDS and c.port_speed_gbps == speed
                  and _fits(c.protocol, protocol) and direct_fits(c, cage, self.node_key)]
        if cage_ports == 1:
            single = [c for c in direct if c.links == 1]
            cables = tuple(cheapest_cord(single, run) for run in runs_m)
            if None not in cables:
                yield CageCabling(len(runs_m), cables)
        splitter = cheapest_cord([c for c in direct if c.links == cage_ports], max(runs_m))
        if cage_ports > 1 and splitter is not None:
            yield CageCabling(len(runs_m), (splitter,))


def leaf_leg_runs_m(site: Site, placement: GroupPlacement, nodes_in_group: int,
                    ports_per_node: int, group: int = 0,
                    node_units: int = DEFAULT_NODE_UNITS) -> list[float]:
    """Run of every leg of one leaf of group ``group``, in the leaf's port order.

    Port ``j * p + r + 1`` carries port ``r`` of the group's node ``j`` (``p`` ports per node
    on this leaf). A node in the leaf's own rack runs from its rack unit (servers of
    ``node_units`` U stacked from the bottom). Groups of one pattern
    (``g mod GroupPlacement.period``) have the same runs.
    """
    if site.node_leaf_m is not None:
        return [site.node_leaf_m] * (nodes_in_group * ports_per_node)
    leaf = placement.leaf_rack(group)
    runs = []
    for j in range(nodes_in_group):
        node = group * placement.group_nodes + j
        run = node_run_m(site, placement.slot(group, placement.node_slot(j)),
                         placement.node_ru(node, node_units), leaf)
        runs += [run] * ports_per_node
    return runs


def cage_runs(runs_m: list[float], cage_ports: int) -> list[tuple[float, ...]]:
    """The legs' runs grouped by cage (the last cage may be part-filled)."""
    return [tuple(runs_m[i:i + cage_ports]) for i in range(0, len(runs_m), cage_ports)]


@dataclass(frozen=True)
class NodeLinkPlan:
    """How every node-leaf link of one sub-fabric and plane is cabled.

    ``cages`` counts each cage cabling over all leaves; ``cost_usd`` is their sum, the constant
    the MILP charges for this leaf option's node-leaf links.
    """

    cages: tuple[tuple[CageCabling, int], ...]
    worst_run_m: float
    full_group: tuple[CageCabling, ...]
    last_group: tuple[CageCabling, ...]
    worst_runs_m: tuple[float, ...] = ()  # parallel to ``cages``
    per_group: tuple[tuple[CageCabling, ...], ...] = ()  # every group's, when they differ
    patterns: tuple[tuple[CageCabling, ...], ...] = ()  # full groups' by pattern (packed rows)

    @functools.cached_property
    def cost_usd(self) -> float:
        return sum(cabling.cost_usd * count for cabling, count in self.cages)

    @property
    def power_w(self) -> float:
        return sum(cabling.power_w * count for cabling, count in self.cages)

    @property
    def reach_m(self) -> float:
        return min(cabling.reach_m for cabling, _ in self.cages)

    def ways(self) -> list[CablingWay]:
        """The cablings grouped by kind and optics, most links first: what the report shows."""
        grouped: dict[tuple, list] = {}
        for (cabling, count), worst in zip(self.cages, self.worst_runs_m, strict=True):
            key = (cabling.kind, cabling.leaf_end, cabling.node_end, cabling.harness)
            entry = grouped.setdefault(key, [Counter(), 0, 0, 0.0, float("inf")])
            for cable in cabling.cables:
                entry[0][cable.model] += count
            entry[1] += count
            entry[2] += count * cabling.legs
            entry[3] = max(entry[3], worst)
            entry[4] = min(entry[4], cabling.reach_m)
        ways = [CablingWay(kind, leaf_end, node_end, tuple(sorted(cables.items())), cages, links,
                           worst, reach, harness)
                for (kind, leaf_end, node_end, harness), (cables, cages, links, worst, reach)
                in grouped.items()]
        return sorted(ways, key=lambda w: (-w.links, w.kind, w.cables))

    def group_cabling(self, group: int, groups: int) -> tuple[CageCabling, ...]:
        """Cabling of each cage of one leaf of group ``group`` (of ``groups``), by cage."""
        if self.per_group:
            return self.per_group[group]
        if group == groups - 1:
            return self.last_group
        return self.patterns[group % len(self.patterns)] if self.patterns else self.full_group


class _PlanTally:
    """Counts cage cablings, and the worst leg each serves, while a plan is built."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.worst_of: dict[CageCabling, float] = {}
        self.worst = 0.0

    def group(self, pricer: CagePricer, runs: list[float], cage: CageKey, protocol: str,
              repeat: int) -> tuple[CageCabling, ...] | None:
        """Cable one leaf's cages (legs ``runs``), counted ``repeat`` times; None: impossible."""
        self.worst = max(self.worst, *runs)
        cage_ports = cage[0]
        cablings = []
        for legs in cage_runs(runs, cage_ports):
            cabling = pricer.cheapest(legs, cage, protocol)
            if cabling is None:
                return None
            cablings.append(cabling)
        # Count each distinct cabling once per group (the pricer hands back one object per
        # distinct set of legs, so identity finds them without hashing the parts).
        seen: dict[int, list] = {}
        for cabling, legs in zip(cablings, cage_runs(runs, cage_ports), strict=True):
            entry = seen.setdefault(id(cabling), [cabling, 0, 0.0])
            entry[1] += 1
            entry[2] = max(entry[2], *legs)
        for cabling, cages, worst in seen.values():
            self.counts[cabling] += repeat * cages
            if repeat:
                self.worst_of[cabling] = max(self.worst_of.get(cabling, 0.0), worst)
        return tuple(cablings)

    def plan(self, full: tuple, last: tuple, per_group: tuple = (),
             patterns: tuple = ()) -> NodeLinkPlan:
        cages = tuple(sorted(((c, n) for c, n in self.counts.items() if n),
                             key=lambda i: i[0].sort_key))
        return NodeLinkPlan(cages, self.worst, full, last,
                            tuple(self.worst_of[c] for c, _ in cages), per_group, patterns)


def each_node_module(plan):
    """``plan(pricer, ...)`` for every node-end module a multi-port node cage may take, the
    cheapest kept (ties: by model): one module model serves the whole fabric, since each
    module serves legs to several leaves. A single-port node cage is planned once."""

    @functools.wraps(plan)
    def cheapest(pricer: CagePricer, *args, **kwargs) -> NodeLinkPlan | None:
        if pricer.node_ports == 1 or pricer.node_module is not None:
            return plan(pricer, *args, **kwargs)
        best = None
        for module in pricer.node_modules():
            found = plan(pricer.with_node_module(module), *args, **kwargs)
            if found is not None and (best is None or found.cost_usd < best.cost_usd - 1e-9):
                best = found
        return best

    return cheapest


@each_node_module
def plan_shared_node_links(pricer: CagePricer, hall, *, group_nodes: int, ports_per_node: int,
                           leaves_per_group: int, cage: CageKey, protocol: str
                           ) -> NodeLinkPlan | None:
    """Node-leaf cabling of a fabric whose servers stand where another fabric put them
    (``designer.site.hall.SharedFloor``): every group measured and cabled on its own."""
    q = min(group_nodes, hall.nodes)
    tally = _PlanTally()
    per_group = []
    for group in range(-(-hall.nodes // q)):
        runs = hall.leg_runs_m(q, group, ports_per_node)
        cablings = tally.group(pricer, runs, cage, protocol, leaves_per_group)
        if cablings is None:
            return None
        per_group.append(cablings)
    return tally.plan(per_group[0], per_group[-1], tuple(per_group))


@each_node_module
def plan_node_links(pricer: CagePricer, site: Site, *, rail: bool, group_nodes: int,
                    nodes: int, ports_per_node: int, leaves_per_group: int, cage: CageKey,
                    protocol: str, node_units: int = DEFAULT_NODE_UNITS) -> NodeLinkPlan | None:
    """The node-leaf cabling of leaves taking ``ports_per_node`` ports of ``group_nodes`` nodes.

    ``nodes`` fill ``ceil(nodes / q)`` groups of ``q = min(group_nodes, nodes)``; each group has
    ``leaves_per_group`` identical leaves. None when some cage cannot be cabled.
    """
    q = min(group_nodes, nodes)
    placement = GroupPlacement(site, q, rail, campus=hall_rows(site, nodes, q, rail)
                               > site.rows_per_hall)
    groups, last_nodes = -(-nodes // q), nodes - (-(-nodes // q) - 1) * q
    tally = _PlanTally()
    if placement.period == 1:  # every group alike: group 0 stands for the full ones
        per_group = []
        for size, repeat in ((q, groups - 1), (last_nodes, 1)):
            runs = leaf_leg_runs_m(site, placement, size, ports_per_node,
                                   node_units=node_units)
            cablings = tally.group(pricer, runs, cage, protocol, repeat * leaves_per_group)
            if cablings is None:
                return None
            per_group.append(cablings)
        return tally.plan(per_group[0], per_group[1])
    # Packed rows (or groups a hall may split): full groups of one pattern (group g has
    # pattern g mod period) are cabled alike, each pattern counted as often as it occurs;
    # the last group on its own.
    full, period = groups - 1, placement.period
    alike: dict[tuple[float, ...], list[tuple[int, int]]] = {}  # runs -> (pattern, repeat)
    # A group no hall boundary splits has the runs of its serpentine pattern in one hall.
    one_hall = GroupPlacement(site.model_copy(update={"rows_per_hall": 1 << 30}), q, rail)
    in_one_hall: dict[int, tuple[float, ...]] = {}
    for pattern in range(min(period, full)):
        repeat = full // period + (1 if pattern < full % period else 0)
        if placement.split_by_hall(pattern):
            runs = tuple(leaf_leg_runs_m(site, placement, q, ports_per_node, pattern,
                                         node_units))
        else:
            base = pattern % placement.base_period
            if base not in in_one_hall:
                in_one_hall[base] = tuple(leaf_leg_runs_m(one_hall.site, one_hall, q,
                                                          ports_per_node, base, node_units))
            runs = in_one_hall[base]
        alike.setdefault(runs, []).append((pattern, repeat))
    patterns: list = [None] * min(period, full)
    for runs, members in alike.items():  # patterns with the same runs are cabled once
        cablings = tally.group(pricer, list(runs), cage, protocol,
                               sum(repeat for _, repeat in members) * leaves_per_group)
        if cablings is None:
            return None
        for pattern, _ in members:
            patterns[pattern] = cablings
    runs = leaf_leg_runs_m(site, placement, last_nodes, ports_per_node, groups - 1,
                           node_units)
    last = tally.group(pricer, runs, cage, protocol, leaves_per_group)
    if last is None:
        return None
    return tally.plan(patterns[0] if patterns else last, last, patterns=tuple(patterns))
