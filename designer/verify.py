"""The independent verifier: checks a written design from its files alone.

It reads ``design.json`` (what each role's switch is, the demand's limits, the parts' reach and
price), streams ``cabling.csv`` (the concrete links) and reads ``bom.csv``; it never sees the
solver or the optimizer's structures. For every fabric it checks:

- **ports**: no switch or NIC port is used twice; every switch port index is within the radix
  of its mode; every NIC port index within ``endpoints_per_node * planes``;
- **endpoints**: every port of every node is cabled exactly once;
- **striping**: every switch has the same number of links to every switch above it that it uses;
- **hops**: the worst switch hop count between any two endpoints that must reach each other
  (per plane; per rail for rail-only) is within ``max_switch_hops``;
- **bisection**: by max-flow across the natural cuts (first half of the nodes against the rest,
  which splits SUs and pods in half; and, for rail layouts, half of the rails against the rest),
  at least ``1 / max_oversubscription`` of what the smaller side injects;
- **reach**: every cable run is within the reach of its cable and transceivers;
- **connectors**: every fiber cord mates the module at each end (the same connector), and a
  module carrying several links on one connector is fanned out by a harness of its connector,
  fiber and leg count, whose legs the cords mate (one harness per connector, billed);
- **fit**: every module and direct-cable end plugs into the cage it sits in (form factor, top,
  lane rate and lanes, vendor coding, where ``design.json`` gives the cage's and the part's
  facts), and the two modules of a link run the same lane rate;
- **bill of materials**: the parts counted from the cabling (switches, NICs, a transceiver per
  used cage, a cable per link or per breakout cage) priced from ``design.json`` equal ``bom.csv``
  line by line and the design's total, and their power, each module once (one in a switch
  cage draws within the switch's figure), ``bom.csv``'s total power; each licence and support
  plan a part is bought with (its ``charges`` in ``design.json``) is billed once per unit
  counted (times a per-port licence's ports), on its own line naming the part it ``covers``;
  and each line's price in the demand's currency is its dollar unit price converted at the
  stated rate, rounded to the cent and extended, summing to the bill's ``total_cost``;
- **cable ids**: every physical cable has one ``cable_id``, numbered in order of first
  appearance, and the legs of a breakout cable share it (``leg`` 1, 2, ...; one wide-end cage,
  one part);
- **cards**: every node port names its NIC card and card port; no card port of a server is
  cabled twice (across fabrics, for cards the server brings), none is beyond the card's ports,
  and with several planes on cards with a port for each, a GPU's planes share one card;
- **nic slots**: a NIC card the fabric buys carries no more on its used ports than its PCIe
  link feeds (the older of its and the server's slot generation), and the server has a slot
  for each card, where ``design.json`` gives those facts;
- **shared servers**: a server several fabrics connect stands in one rack at one rack unit in
  all their rows, and no port of it is cabled by two fabrics;
- **blast radius**: where the demand limits it, no one failed switch cuts off more than
  ``max_gpus_cut_per_switch`` GPUs (:func:`failure_impact`);
- **power**: where the demand limits a fabric's power, the parts counted from its cabling draw
  no more than ``max_power_kw`` at the power ``design.json`` gives each part.

Hop counts are measured on classes of leaves with the same uplink neighbours; max-flow runs on
the whole switch graph, every capacity a whole number of links (SciPy's integer max-flow).

It also measures what one failure costs (:func:`failure_impact`: endpoints and GPUs cut off,
bisection left), as figures of ``verification.json`` that ``failures.csv`` and the reports
show.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import maximum_flow

from designer.errors import DesignerError, InputError


class VerificationError(DesignerError):
    """A written design failed independent verification (an internal error). Exit code 4."""

    exit_code = 4

    def __init__(self, report: VerificationReport):
        self.report = report
        failures = report.failures
        first = failures[0]
        more = f" (and {len(failures) - 1} more failed checks)" if len(failures) > 1 else ""
        super().__init__(f"verification failed: {first.fabric}: {first.name}: "
                         f"{first.detail}{more}")


@dataclass(frozen=True)
class Check:
    fabric: str
    name: str
    passed: bool
    detail: str


@dataclass
class VerificationReport:
    """Every check run, and the figures measured on the topology."""

    checks: list[Check] = field(default_factory=list)
    figures: dict[str, dict] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def add(self, fabric: str, name: str, problems: list[str], ok_detail: str) -> None:
        if problems:
            shown = "; ".join(problems[:3]) + (f"; ... {len(problems) - 3} more"
                                                if len(problems) > 3 else "")
            self.checks.append(Check(fabric, name, False, shown))
        else:
            self.checks.append(Check(fabric, name, True, ok_detail))

    def to_dict(self) -> dict:
        return {"passed": self.passed,
                "checks": [{"fabric": c.fabric, "check": c.name, "passed": c.passed,
                            "detail": c.detail} for c in self.checks],
                "figures": self.figures}


def nic_number(port: str) -> int:
    """``nic3`` (or ``frontend-nic3`` on a server another fabric shares) -> 3."""
    return int(port.rsplit("nic", 1)[1])


def port_index(port: str, cage_ports: int) -> tuple[int, int]:
    """``p17`` -> (17, 17); ``p9/2`` -> (logical index, cage 9)."""
    body = port[1:]
    if "/" in body:
        cage, lane = (int(x) for x in body.split("/"))
        return (cage - 1) * cage_ports + lane, cage
    index = int(body)
    return index, ((index - 1) // cage_ports) + 1


def fabric_states(outdir: str | Path) -> dict:
    """What one pass over ``outdir``'s cabling learns of each fabric (for checks of the
    verifier's own shortcuts)."""
    outdir = Path(outdir)
    design = json.loads((outdir / "design.json").read_text("utf-8"))
    parts = design.get("parts", {})
    states = {f["name"]: _FabricState(f, parts) for f in design["fabrics"]}
    for row in _rows(outdir):
        if row["fabric"] in states:
            _read_row(states[row["fabric"]], row, parts)
    return states


def _rows(outdir: Path) -> Iterator[dict[str, str]]:
    with open(outdir / "cabling.csv", newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


@dataclass
class _FabricState:
    """What one pass over the cabling learns about one fabric."""

    spec: dict
    parts: dict = field(default_factory=dict)
    ports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    role: dict[str, str] = field(default_factory=dict)
    node_ports: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    node_leaf: list[tuple[str, int, str]] = field(default_factory=list)
    switch_links: Counter = field(default_factory=Counter)
    cages: set[tuple[str, int, str]] = field(default_factory=set)
    wide_cages: set[tuple[str, int, str]] = field(default_factory=set)
    harnessed: set[tuple] = field(default_factory=set)  # (device, cage, harness, per cage)
    node_cages: dict = field(default_factory=lambda: defaultdict(set))  # (node, cage): models
    where: dict[str, tuple[str, str]] = field(default_factory=dict)  # device: (hall, row)
    cables: Counter = field(default_factory=Counter)  # (cable, hall, row of its A end)
    port_modules: Counter = field(default_factory=Counter)  # (module, hall, row): NIC ports
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    links: int = 0


def verify(outdir: str | Path, raise_on_failure: bool = True) -> VerificationReport:
    """Verify the design written in ``outdir``.

    Raises
    ------
    VerificationError
        When any check fails and ``raise_on_failure`` is true.
    """
    outdir = Path(outdir)
    for name in ("design.json", "cabling.csv", "bom.csv"):
        if not (outdir / name).is_file():
            raise InputError(f"{outdir}: no {name}: not a folder written by design")
    try:
        design = json.loads((outdir / "design.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{outdir / 'design.json'}: cannot read: {exc}") from None
    parts = design.get("parts", {})
    states = {f["name"]: _FabricState(f, parts) for f in design["fabrics"]}
    shared = _SharedServers(design)
    racks = _Racks(design)
    ids = _CableIds(parts)
    cards = _Cards(design)
    fit = _Fit(design)
    for row in _rows(outdir):
        state = states.get(row["fabric"])
        if state is None:
            continue
        _read_row(state, row, parts)
        shared.read(row)
        racks.read(row)
        ids.read(row)
        cards.read(row)
        fit.read(row)
    report = VerificationReport()
    for name, state in states.items():
        _check_fabric(report, name, state)
    shared.check(report)
    ids.check(report)
    cards.check(report)
    fit.check(report)
    racks.check(report, outdir / "racks.csv")
    _check_bom(report, outdir, design, states, parts)
    if raise_on_failure and not report.passed:
        raise VerificationError(report)
    return report


class _SharedServers:
    """Servers several fabrics connect (``design.json`` ``servers`` with ``shared``): each
    stands in one rack at one rack unit in every fabric's rows, and no port of it is cabled by
    two fabrics."""

    def __init__(self, design: dict):
        self.set_of = {name: group["name"] for group in design.get("servers", [])
                       if group.get("shared") for name in group["fabrics"]}
        self.place: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        self.ports: dict[tuple[str, str], Counter] = defaultdict(Counter)

    def read(self, row: dict[str, str]) -> None:
        group = self.set_of.get(row["fabric"])
        if group is None or row["a_role"] != "node":
            return
        key = (group, row["a_device"])
        self.place[key].add((row["a_rack"], row["a_ru"]))
        self.ports[key][row["a_port"]] += 1

    def check(self, report: VerificationReport) -> None:
        for group in sorted(set(self.set_of.values())):
            keys = [k for k in self.place if k[0] == group]
            problems = [f"{device} stands in {len(self.place[(g, device)])} places: "
                        f"{sorted(self.place[(g, device)])[:2]}"
                        for g, device in sorted(keys) if len(self.place[(g, device)]) > 1]
            problems += [f"{device} port {port} cabled {n} times"
                         for g, device in sorted(keys)
                         for port, n in sorted(self.ports[(g, device)].items()) if n > 1]
            report.add(group, "shared servers", problems[:20],
                       f"{len(keys)} servers, each in one rack position, no port cabled twice "
                       "across their fabrics")


class _CableIds:
    """Every physical cable has one id, numbered in order of first appearance: a row either
    starts a new cable (the next id, leg 1) or is the next leg of a breakout cable still short
    of legs, with the same part and the same wide-end cage."""

    def __init__(self, parts: dict):
        self.parts = parts
        self.last = 0
        self.open: dict[int, list] = {}  # id -> [part, wide cage, legs so far, legs it has]
        self.problems: list[str] = []
        self.cables = 0

    def read(self, row: dict[str, str]) -> None:
        cable_id, leg = row["cable_id"], row.get("leg", "1")
        try:
            number, leg_number = int(cable_id[1:]), int(leg)
        except ValueError:
            self.problems.append(f"{cable_id} leg {leg}: not an id and a leg number")
            return
        part = _model(row["part"])
        info = self.parts.get(part, {})
        links = info.get("links", 1) if info.get("cable_kind") in DIRECT_KINDS else 1
        wide = None
        if links > 1:
            end = "z" if "/" in row["z_port"] else "a"
            wide = (row["fabric"], row[f"{end}_device"], row[f"{end}_port"].split("/")[0])
        if number == self.last + 1:
            self.last, self.cables = number, self.cables + 1
            if leg_number != 1:
                self.problems.append(f"{cable_id}: a new cable starts at leg {leg_number}")
            if links > 1:
                self.open[number] = [part, wide, 1, links]
            return
        cable = self.open.get(number)
        if cable is None:
            self.problems.append(f"{cable_id} leg {leg}: neither the next id ({self.last + 1}) "
                                 "nor a leg of a breakout cable with legs to spare")
            return
        if (part, wide, leg_number) != (cable[0], cable[1], cable[2] + 1):
            self.problems.append(f"{cable_id} leg {leg}: {part} at {wide}, but the cable is "
                                 f"{cable[0]} at {cable[1]}, next leg {cable[2] + 1}")
            return
        cable[2] += 1
        if cable[2] == cable[3]:
            del self.open[number]

    def check(self, report: VerificationReport) -> None:
        report.add("all", "cable ids", self.problems[:20],
                   f"{self.cables:,} cables, one id each (a breakout's legs share it)")


class _Cards:
    """Every node port names the NIC card and card port it is: no card port of a server is
    cabled twice (across fabrics: cards that come with the server are shared), a card port
    exists on the fabric's card, and in a design of several planes on cards with a port for
    each, every GPU's planes are on one card (one port per plane per GPU)."""

    def __init__(self, design: dict):
        self.spec = {f["name"]: f for f in design["fabrics"]}
        self.parts = design.get("parts", {})
        self.set_of = {name: group["name"] for group in design.get("servers", [])
                       for name in group["fabrics"]}  # servers of different sets share names
        self.used: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)  # card port bits
        self.card_of_gpu: dict[tuple[str, str, str], str] = {}
        self.problems: list[str] = []
        self.ports = 0

    def read(self, row: dict[str, str]) -> None:
        card, port = row.get("card", ""), row.get("card_port", "")
        if row["a_role"] != "node":
            if card or port:
                self.problems.append(f"{row['cable_id']}: a switch-to-switch link names card "
                                     f"{card}")
            return
        spec = self.spec[row["fabric"]]
        per_card = self.parts.get(spec["nic"]["model"], {}).get("ports", 1)
        try:
            number = int(port)
        except ValueError:
            self.problems.append(f"{row['a_device']}:{row['a_port']}: no card port ({port!r})")
            return
        if not card or not 1 <= number <= per_card:
            self.problems.append(f"{row['a_device']}:{row['a_port']}: card {card!r} port "
                                 f"{number}, the card has {per_card}")
            return
        self.ports += 1
        cards = self.used[(self.set_of.get(row["fabric"], row["fabric"]), row["a_device"])]
        bit = 1 << number
        if cards.get(card, 0) & bit:
            self.problems.append(f"{row['a_device']} {card} port {number} cabled twice")
        cards[card] = cards.get(card, 0) | bit
        if spec["planes"] > 1 and per_card >= spec["planes"]:
            key = (row["fabric"], row["a_device"], row["rail"])
            first = self.card_of_gpu.setdefault(key, card)
            if first != card:
                self.problems.append(f"{row['a_device']} GPU {row['rail']}: its planes are on "
                                     f"{first} and {card}")

    def check(self, report: VerificationReport) -> None:
        report.add("all", "cards", self.problems[:20],
                   f"{self.ports:,} node ports, each on its own card port")


# The form factors a cage of each form factor takes (PHYSICAL.md section 1), written here
# again: the verifier shares no code with the engine.
_TAKES = {"OSFP": ("OSFP",), "QSFP-DD": ("QSFP-DD", "QSFP112", "QSFP56", "QSFP28"),
          "QSFP112": ("QSFP112", "QSFP56", "QSFP28"), "QSFP56": ("QSFP56", "QSFP28"),
          "QSFP28": ("QSFP28",)}


class _Fit:
    """Every part end plugs into its cage: the cage takes its form factor, its top is the
    cage's, its lane rate is at most the cage's and it takes no more lanes (``links x speed /
    lane rate``) than the cage has, and the cage accepts its coding; the two modules of a link
    have the same lane rate. Cages are the roles' (``design.json`` ``roles``) and the NIC's
    (``nic.cage``); a fact missing on either side is not checked."""

    def __init__(self, design: dict):
        self.spec = {f["name"]: f for f in design["fabrics"]}
        self.parts = design.get("parts", {})
        self.problems: list[str] = []
        self.ends = 0
        self._judged: dict[tuple, tuple[int, list[tuple[str, str, str]]]] = {}

    def _cage(self, fabric: dict, role: str) -> dict | None:
        if role == "node":
            return fabric["nic"].get("cage")
        return fabric["roles"].get(role, {}).get("cage")

    @staticmethod
    def _misfit(part: dict, links: int, speed: float, cage: dict | None,
                far: bool = False) -> str | None:
        if cage is None:
            return None
        form = (part.get("far_form_factor") if far else None) or part.get("form_factor")
        top = (part.get("far_top") if far else None) or part.get("top")
        lane = (part.get("far_lane_gbps") if far else None) or part.get("lane_gbps")
        coding = part.get("coding")
        if form and form not in _TAKES[cage["form_factor"]]:
            return f"{form} in a {cage['form_factor']} cage"
        if top and cage.get("top") and top != cage["top"]:
            return f"{top}-top in a {cage['top']}-top cage"
        if lane and cage.get("lane_gbps") and lane > cage["lane_gbps"] + 1e-9:
            return f"{lane:g}G lanes in a cage of {cage['lane_gbps']:g}G lanes"
        if lane and cage.get("lanes") and links * speed / lane > cage["lanes"] + 1e-9:
            return f"{links * speed / lane:g} lanes in a cage of {cage['lanes']}"
        if coding and cage.get("coding") and coding not in cage["coding"]:
            return f"{coding} coding in a cage taking {', '.join(cage['coding'])}"
        return None

    def read(self, row: dict[str, str]) -> None:
        if row["fabric"] not in self.spec:
            return
        # what a row's fit depends on; rows alike in it are judged once
        key = (row["fabric"], row["a_role"], row["z_role"], row.get("a_transceiver", ""),
               row.get("z_transceiver", ""), row["part"], row["speed_gbps"],
               "/" in row["z_port"])
        judged = self._judged.get(key)
        if judged is None:
            judged = self._judged[key] = self._judge(*key)
        ends, problems = judged
        self.ends += ends
        for text, end, wrong in problems:
            at = f" at {row[f'{end}_device']}" if end else ""
            self.problems.append(f"{row['cable_id']}: {text}{at}{f': {wrong}' if wrong else ''}")

    def _judge(self, fabric_name: str, a_role: str, z_role: str, a_module: str,
               z_module: str, part: str, speed_gbps: str, wide_at_z: bool
               ) -> tuple[int, list[tuple[str, str, str]]]:
        """The part ends a row plugs, and its misfits as ``(part, end whose device to name
        or "", what is wrong or "")``."""
        fabric = self.spec[fabric_name]
        speed = float(speed_gbps)
        cages = {"a": self._cage(fabric, a_role), "z": self._cage(fabric, z_role)}
        modules = {"a": _model(a_module), "z": _model(z_module)}
        ends, problems = 0, []
        for end in ("a", "z"):
            if modules[end]:
                part_facts = self.parts.get(modules[end], {})
                ends += 1
                wrong = self._misfit(part_facts, part_facts.get("ports", 1), speed, cages[end])
                if wrong:
                    problems.append((modules[end], end, wrong))
        if all(modules.values()):
            lanes = {(lambda p: p.get("optical_lane_gbps") or p.get("lane_gbps"))(
                self.parts.get(m, {})) for m in modules.values()}
            if None not in lanes and len(lanes) > 1:
                problems.append((f"{modules['a']} and {modules['z']} run different optical "
                                 "lane rates", "", ""))
        cable_name = _model(part)
        cable = self.parts.get(cable_name, {})
        if cable.get("cable_kind") in DIRECT_KINDS and not any(modules.values()):
            ends += 2
            links = cable.get("links", 1)
            if links > 1:  # the wide end is in the multi-port cage (port pC/L)
                wide = "z" if wide_at_z else "a"
                leg = "a" if wide == "z" else "z"
                wrong = [self._misfit(cable, links, speed, cages[wide]),
                         self._misfit(cable, 1, speed, cages[leg], far=True)]
            else:  # a straight cable may lie either way round: the way that fits better
                ways = [[self._misfit(cable, 1, speed, cages["a"], far=far_at_a),
                         self._misfit(cable, 1, speed, cages["z"], far=not far_at_a)]
                        for far_at_a in (False, True)]
                wrong = min(ways, key=lambda w: sum(1 for p in w if p))
            problems += [(cable_name, "", w) for w in wrong if w]
        return ends, problems

    def check(self, report: VerificationReport) -> None:
        report.add("all", "fit", self.problems[:20],
                   f"{self.ends:,} part ends, each in a cage it fits")


class _Racks:
    """Where every device stands, from both ends of every cabling row: each device has one
    position (hall, row, rack, rack unit); in every rack the devices' rack units (each device's
    lowest unit, as the plan writes it, and its height up) lie within the rack and never
    overlap; a rack draws no more than ``site.rack_power_kw``; a hall's racks, each provisioned
    at ``rack_power_kw``, need no more than ``site.hall_power_kw``; and ``racks.csv`` says the
    same, rack by rack. Heights and power come from ``design.json``."""

    def __init__(self, design: dict):
        site = design.get("site") or {}
        self.rack_units = site.get("rack_units", 42)
        self.budget_kw = site.get("rack_power_kw")
        self.hall_kw = site.get("hall_power_kw")
        parts = design.get("parts", {})
        self.facts: dict[tuple[str, str], tuple[int, float]] = {}
        for fabric in design["fabrics"]:
            self.facts[(fabric["name"], "node")] = (int(fabric.get("node_rack_units", 4)),
                                                    float(fabric.get("node_power_w", 0.0)))
            for role, mode in fabric["roles"].items():
                part = parts.get(mode["model"], {})
                self.facts[(fabric["name"], role)] = (int(part.get("rack_units", 1)),
                                                      float(part.get("power_w", 0.0)))
        self.place: dict[tuple[str, str], set[tuple]] = defaultdict(set)
        self.what: dict[tuple[str, str], tuple[str, str]] = {}
        self.problems: list[str] = []

    _WHERE = tuple((f"{side}_device", f"{side}_role", f"{side}_hall", f"{side}_row",
                    f"{side}_rack", f"{side}_ru") for side in ("a", "z"))

    def read(self, row: dict[str, str]) -> None:
        get = row.get
        for device_, role_, hall, row_, rack, ru in self._WHERE:
            device, role = row[device_], row[role_]
            where = (get(hall, ""), get(row_, ""), get(rack, ""), get(ru, ""))
            if not all(where) and len(self.problems) < 20:
                self.problems.append(f"{row['cable_id']}: {device} has no full position "
                                     f"(hall, row, rack, rack unit): {where}")
            key = (where[0], device)
            self.place[key].add(where)
            self.what.setdefault(key, (row["fabric"], role))

    def check(self, report: VerificationReport, racks_csv: Path) -> None:
        problems = list(self.problems)
        problems += [f"{device} stands in {len(places)} places: {sorted(places)[:2]}"
                     for (_, device), places in sorted(self.place.items()) if len(places) > 1]
        report.add("all", "positions", problems[:20],
                   f"{len(self.place):,} devices, each with one hall, row, rack and rack unit")
        spans: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        drawn: dict[tuple[str, str], float] = defaultdict(float)
        count: Counter = Counter()
        for key, places in self.place.items():
            hall, _, rack, ru = min(places)
            units, power_w = self.facts.get(self.what[key], (1, 0.0))
            try:
                ru = int(ru)
            except ValueError:
                continue
            low, high = ru, ru + units - 1
            spans[(hall, rack)].append((low, high, key[1]))
            drawn[(hall, rack)] += power_w
            count[(hall, rack)] += 1
        space = []
        for (hall, rack), items in sorted(spans.items()):
            items.sort()
            space += [f"{hall} {rack}: {name} spans U{low}-U{high}, outside the "
                      f"{self.rack_units}U rack" for low, high, name in items
                      if low < 1 or high > self.rack_units]
            space += [f"{hall} {rack}: {a[2]} (U{a[0]}-U{a[1]}) and {b[2]} (U{b[0]}-U{b[1]}) "
                      "share rack units" for a, b in itertools.pairwise(items) if b[0] <= a[1]]
        report.add("all", "rack space", space[:20],
                   f"{len(spans):,} racks, no device outside its rack or on another's units")
        power = []
        if self.budget_kw is not None:
            power = [f"{hall} {rack} draws {watts / 1000:,.2f} kW, over the "
                     f"{self.budget_kw:g} kW budget" for (hall, rack), watts in sorted(
                         drawn.items()) if watts > 1000 * self.budget_kw + 1e-6]
        most = max(drawn.values(), default=0.0) / 1000
        report.add("all", "rack power", power[:20],
                   f"the most any rack draws is {most:,.2f} kW" + (
                       f" (budget {self.budget_kw:g} kW)" if self.budget_kw is not None else ""))
        if self.hall_kw is not None:
            report.add("all", "hall power", self._hall_power(drawn), (
                f"every hall's racks, each provisioned at {self.budget_kw:g} kW, within "
                f"{self.hall_kw:g} kW"))
        if racks_csv.is_file():
            report.add("all", "racks.csv", self._compare(racks_csv, spans, drawn, count),
                       "racks.csv lists every rack with its devices, units and power")

    def _hall_power(self, drawn: dict[tuple[str, str], float]) -> list[str]:
        """Halls whose racks, each at the rack budget, need more than the hall feeds."""
        racks = Counter(hall for hall, _ in drawn)
        return [f"{hall}: {count} racks at {self.budget_kw:g} kW need "
                f"{count * self.budget_kw:,.0f} kW, over the {self.hall_kw:g} kW it feeds"
                for hall, count in sorted(racks.items())
                if count * self.budget_kw > self.hall_kw + 1e-6][:20]

    @staticmethod
    def _compare(racks_csv: Path, spans, drawn, count) -> list[str]:
        with open(racks_csv, newline="", encoding="utf-8") as handle:
            listed = {(r["hall"], r["rack"]): r for r in csv.DictReader(handle)}
        problems = [f"{hall} {rack}: in the cabling, not in racks.csv"
                    for hall, rack in sorted(set(spans) - set(listed))]
        problems += [f"{hall} {rack}: in racks.csv, not in the cabling"
                     for hall, rack in sorted(set(listed) - set(spans))]
        for key in sorted(set(spans) & set(listed)):
            row = listed[key]
            units = sum(high - low + 1 for low, high, _ in spans[key])
            if (int(row["devices"]), int(row["units_used"])) != (count[key], units) or \
                    not math.isclose(float(row["power_kw"]), drawn[key] / 1000, abs_tol=0.001):
                problems.append(f"{key[0]} {key[1]}: racks.csv says {row['devices']} devices, "
                                f"{row['units_used']}U, {row['power_kw']} kW; the cabling "
                                f"gives {count[key]}, {units}U, {drawn[key] / 1000:.3f} kW")
        return problems[:20]


def _read_row(state: _FabricState, row: dict[str, str], parts: dict) -> None:
    spec = state.spec
    roles = spec["roles"]
    state.links += 1
    speed = float(row["speed_gbps"])
    if not math.isclose(speed, spec["port_speed_gbps"]):
        state.problems["ports"].append(f"{row['cable_id']} runs at {speed:g}G, fabric is "
                                       f"{spec['port_speed_gbps']:g}G")
    ends = []
    for end in ("a", "z"):
        device, port, role = row[f"{end}_device"], row[f"{end}_port"], row[f"{end}_role"]
        previous = state.role.get(device)
        if previous is None:
            state.role[device] = role
            state.where[device] = (row[f"{end}_hall"], row[f"{end}_row"])
        elif previous != role:
            state.problems["ports"].append(f"{device} appears as {previous} and {role}")
        if port in state.ports[device]:
            state.problems["ports"].append(f"{device} port {port} used twice")
        state.ports[device].add(port)
        if role == "node":
            number = nic_number(port)
            state.node_ports[device].add(number)
            ends.append((device, role, None))
            continue
        mode = roles.get(role)
        if mode is None:
            state.problems["ports"].append(f"{device}: no {role} tier in design.json")
            ends.append((device, role, None))
            continue
        index, cage = port_index(port, mode["cage_ports"])
        if index > mode["radix"]:
            state.problems["ports"].append(f"{device} port {port} is beyond its radix "
                                           f"{mode['radix']}")
        ends.append((device, role, cage))
    (a_dev, a_role, a_cage), (z_dev, _, z_cage) = ends
    if a_role == "node":
        state.node_leaf.append((a_dev, nic_number(row["a_port"]), z_dev))
    else:
        state.switch_links[(a_dev, z_dev)] += 1
    _count_parts(state, row, parts, (a_dev, a_cage), (z_dev, z_cage))
    _check_reach(state, row, parts)


DIRECT_KINDS = ("dac", "acc", "aoc")  # cables that plug straight into cages
SERVICE_KINDS = ("licenses", "support")  # bom.csv lines bought with parts, not cabled


def _model(value: str) -> str:
    """A part name as the catalog has it (cabling.csv neutralizes formula-like text with ')."""
    return value[1:] if value.startswith("'") else value


def _count_parts(state, row, parts, a, z) -> None:
    cable = _model(row["part"])
    info = parts.get(cable, {})
    kind = info.get("cable_kind", "fiber")
    links = info.get("links", 1)
    if kind in DIRECT_KINDS and links > 1:
        # A breakout cable's wide end sits in a multi-port cage: its port is named pC/L.
        wide = z if "/" in row["z_port"] else a
        state.wide_cages.add((wide[0], wide[1], cable))
    else:
        state.cables[(cable, row["a_hall"], row["a_row"])] += 1
    roles = state.spec["roles"]
    harness = _model(row.get("harness", ""))
    fanned = False
    for (device, cage), column, end in ((a, "a_transceiver", "a"), (z, "z_transceiver", "z")):
        model = _model(row.get(column, ""))
        if not model:
            continue
        fanned |= _check_mating(state, row, parts, info, model, harness, (device, cage))
        node_ports = state.spec["nic"].get("cage_ports", 1)  # ports in a node's cage
        fits = node_ports if cage is None else roles[row[f"{end}_role"]]["cage_ports"]
        ports = parts.get(model, {}).get("ports", 1)
        if ports != fits:
            state.problems["ports"].append(f"{row['cable_id']}: {model} serves {ports} links, "
                                           f"the cage at {device} holds {fits}")
        if cage is None and node_ports == 1:  # a NIC port: one module per port
            state.port_modules[(model, *state.where[device])] += 1
        elif cage is None:  # one module per node cage, whose ports go to several leaves
            number = nic_number(row[f"{end}_port"])
            state.node_cages[(device, (number - 1) // node_ports)].add(model)
        else:
            state.cages.add((device, cage, model))
    if harness and not fanned:
        state.problems["connectors"].append(f"{row['cable_id']}: harness {harness} on a link "
                                            "whose modules have a connector per link")


def _check_mating(state, row, parts, cord: dict, model: str, harness: str, at) -> bool:
    """The cord mates the module at one end: its connector is the module's, or, where the
    module carries several links on one connector, a harness of the module's connector and
    fiber, with a leg per link, fans it out and the cord mates the harness's legs. Returns
    whether the module fans out (a harness is then counted per connector, at its cage)."""
    module = parts.get(model, {})
    ports, connectors = module.get("ports", 1), module.get("connectors")
    fans = connectors is not None and connectors < ports
    mate = module.get("connector")
    if fans:
        fan = parts.get(harness, {}) if harness else {}
        if (fan.get("cable_kind") != "harness" or fan.get("connector") != mate
                or fan.get("fiber") != module.get("fiber")
                or fan.get("links") != ports // connectors):
            state.problems["connectors"].append(
                f"{row['cable_id']}: {model} carries {ports // connectors} links on each "
                f"{mate} connector, and {harness or 'no harness'} does not fan it out")
            return True
        state.harnessed.add((*at, harness, connectors))
        mate = fan.get("leg_connector")
    if cord.get("cable_kind", "fiber") == "fiber":
        theirs = cord.get("connector")
        if mate is not None and theirs is not None and mate != theirs:
            state.problems["connectors"].append(
                f"{row['cable_id']}: {_model(row['part'])} ({theirs}) does not mate "
                f"{harness if fans else model} ({mate}) at {at[0]}")
    return fans


def _check_reach(state, row, parts) -> None:
    length = float(row["length_m"])
    for column in ("part", "a_transceiver", "z_transceiver"):
        model = _model(row.get(column, ""))
        if not model:
            continue
        reach = parts.get(model, {}).get("reach_m")
        if reach is None:
            state.problems["reach"].append(f"{row['cable_id']}: {model} not in design.json parts")
        elif length > reach + 1e-9:
            state.problems["reach"].append(f"{row['cable_id']}: {length:g} m run exceeds the "
                                           f"{reach:g} m reach of {model}")


def _check_fabric(report: VerificationReport, name: str, state: _FabricState) -> None:
    spec = state.spec
    state.problems["ports"] += [f"{node} cage {cage + 1} holds {' and '.join(sorted(models))}: "
                                "one module per cage" for (node, cage), models
                                in sorted(state.node_cages.items()) if len(models) > 1][:20]
    report.add(name, "ports", state.problems["ports"],
               f"{len(state.ports)} devices, no port used twice or beyond its radix")
    _check_endpoints(report, name, state)
    _check_slots(report, name, state)
    _check_striping(report, name, state)
    figures = report.figures.setdefault(name, {})
    figures.update(_check_hops(report, name, state))
    figures.update(_check_bisection(report, name, state))
    figures["failures"] = failure_impact(state)
    _check_blast_radius(report, name, state, figures["failures"])
    report.add(name, "reach", state.problems["reach"],
               f"{state.links} cable runs within their parts' reach")
    report.add(name, "connectors", state.problems["connectors"],
               "every cord mates its modules (or the harness fanning one out)")
    expected_links = sum(spec["links"].values())
    report.add(name, "links", [] if state.links == expected_links else
               [f"{state.links} cabled links, design.json says {expected_links}"],
               f"{state.links} links, as design.json says")


def _check_blast_radius(report, name, state, failures: list[dict]) -> None:
    """Where the demand limits the blast radius, no one failed switch cuts off more GPUs than
    ``max_gpus_cut_per_switch`` (measured by :func:`failure_impact`, every switch class)."""
    limit = state.spec["limits"].get("max_gpus_cut_per_switch")
    if limit is None:
        return
    switches = [r for r in failures if r["element"] in SWITCH_ROLES]
    worst = max(switches, key=lambda r: r["gpus_cut"], default=None)
    cut = worst["gpus_cut"] if worst else 0
    problems = ([] if cut <= limit else
                [f"one failed {worst['element']} ({worst['example']}) cuts off {cut} GPUs, over "
                 f"the limit of {limit}"])
    report.add(name, "blast radius", problems,
               f"one failed switch cuts off at most {cut} GPUs (limit {limit})")


PCIE_LANE_GBPS = {3: 6.25, 4: 12.5, 5: 25.0, 6: 50.0}  # port bandwidth a lane feeds


def _check_slots(report, name, state) -> None:
    """A card the fabric buys carries no more on the ports it uses than its PCIe link feeds
    (at the older of its and the server slot's generation), and the server has a slot for
    each card."""
    spec = state.spec
    nic, server = spec["nic"], spec.get("server") or {}
    if nic.get("in_server_price"):
        return
    card = state.parts.get(nic["model"], {})
    problems = []
    gens = [g for g in (card.get("pcie_gen"), server.get("pcie_gen")) if g]
    if gens:
        feeds = card.get("pcie_lanes", 16) * PCIE_LANE_GBPS[min(gens)]
        used = min(card.get("ports", 1), spec["endpoints_per_node"] * spec["planes"])
        carried = used * spec["port_speed_gbps"]
        if carried > feeds + 1e-9:
            problems.append(f"{nic['model']} carries {carried:g} Gb/s on a PCIe Gen{min(gens)} "
                            f"x{card.get('pcie_lanes', 16)} link that feeds {feeds:g} Gb/s")
    if server.get("nic_slots") and nic["per_node"] > server["nic_slots"]:
        problems.append(f"{nic['per_node']} x {nic['model']} per server, "
                        f"{server.get('model')} has {server['nic_slots']} slots")
    report.add(name, "nic slots", problems,
               f"{nic['per_node']} x {nic['model']} per server, each fed by its slot")


def _check_endpoints(report, name, state) -> None:
    spec = state.spec
    per_node = spec["endpoints_per_node"] * spec["planes"]
    problems = []
    nic = spec["nic"]
    nic_ports = state.parts.get(nic["model"], {}).get("ports", 1) * nic["per_node"]
    if nic_ports < per_node:
        problems.append(f"{nic['per_node']} x {nic['model']} give {nic_ports} ports per node, "
                        f"{per_node} are cabled")
    if nic.get("in_server_price") and not spec.get("server", {}).get("nics_included"):
        problems.append(f"{nic['model']} is left off the bill as in the server price, but the "
                        f"server ({spec.get('server', {}).get('model', 'none named')}) does "
                        "not include its NICs")
    nodes = {d for d, r in state.role.items() if r == "node"}
    if len(nodes) != spec["nodes"]:
        problems.append(f"{len(nodes)} nodes cabled, demand has {spec['nodes']}")
    for node in sorted(nodes):
        got = state.node_ports[node]
        if got != set(range(1, per_node + 1)):
            missing = sorted(set(range(1, per_node + 1)) - got)
            extra = sorted(got - set(range(1, per_node + 1)))
            problems.append(f"{node}: ports missing {missing[:4]} extra {extra[:4]}")
    report.add(name, "endpoints", problems,
               f"{len(nodes)} nodes x {per_node} ports, each cabled once")


ROLE_RANK = {"node": 0, "leaf": 1, "spine": 2, "core": 3}


def _check_striping(report, name, state) -> None:
    """Every switch has the same number of links to each upper switch it uses."""
    up: dict[str, Counter] = defaultdict(Counter)
    for (a, z), count in state.switch_links.items():
        low, high = (a, z) if ROLE_RANK[state.role[a]] < ROLE_RANK[state.role[z]] else (z, a)
        up[low][high] += count
    problems = []
    for device, counts in sorted(up.items()):
        if len(set(counts.values())) > 1:
            problems.append(f"{device} has {dict(sorted(counts.items()))} links up (uneven)")
    problems += _incomplete_blocks(up)
    report.add(name, "striping", problems,
               f"{len(up)} switches stripe their uplinks evenly")
    _check_oversubscription(report, name, state, up)


def _check_oversubscription(report, name, state, up: dict[str, Counter]) -> None:
    """Each leaf takes at most ``o`` times what it sends up; tiers above are non-blocking."""
    o = state.spec["limits"]["max_oversubscription"]
    down: Counter = Counter(leaf for _, _, leaf in state.node_leaf)
    for (a, z), count in state.switch_links.items():
        low, high = (a, z) if ROLE_RANK[state.role[a]] < ROLE_RANK[state.role[z]] else (z, a)
        if state.role[low] == "leaf" and state.role[high] == "spine":
            down[high] += count
    problems = []
    for device, taken in sorted(down.items()):
        sent = sum(up.get(device, {}).values())
        limit = o if state.role[device] == "leaf" else 1.0
        if sent and taken > limit * sent + 1e-9:
            problems.append(f"{device} takes {taken} links and sends {sent} up "
                            f"({taken / sent:g}:1, limit {limit:g}:1)")
    report.add(name, "oversubscription", problems,
               f"every leaf within {o:g}:1, every spine non-blocking")


def _incomplete_blocks(up: dict[str, Counter]) -> list[str]:
    """Each tier pair must be a union of complete blocks: switches that share an upper switch
    share all of them (every leaf meets every spine of its group, every pod spine every core of
    its group)."""
    down: dict[str, set[str]] = defaultdict(set)
    for low, counts in up.items():
        for high in counts:
            down[high].add(low)
    problems = []
    for high, lows in sorted(down.items()):
        uppers = {frozenset(up[low]) for low in lows}
        if len(uppers) > 1:
            widest = max(uppers, key=len)
            short = sorted(low for low in lows if frozenset(up[low]) != widest)
            problems.append(f"{short[0]} reaches {len(up[short[0]])} of the {len(widest)} "
                            f"switches its peers under {high} reach")
    return problems


def _switch_graph(state: _FabricState) -> dict[str, dict[str, int]]:
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for (a, z), count in state.switch_links.items():
        graph[a][z] = graph[a].get(z, 0) + count
        graph[z][a] = graph[z].get(a, 0) + count
    return graph


def _check_hops(report, name, state) -> dict:
    """Worst switch hops between leaves that must reach each other, by bitset flooding.

    Leaves with the same uplink neighbours are one class. Each switch carries the set of leaf
    classes within ``d`` links as an integer bitmask; ``d`` grows until nothing changes. The hop
    count between two leaves is their link distance plus one.
    """
    spec = state.spec
    graph = _switch_graph(state)
    leaves = sorted({leaf for _, _, leaf in state.node_leaf})
    classes: dict[frozenset, int] = {}
    leaf_class = {}
    for leaf in leaves:
        key = frozenset(graph.get(leaf, {}).items()) or frozenset([("self", leaf)])
        leaf_class[leaf] = classes.setdefault(key, len(classes))
    representatives = {cls: leaf for leaf, cls in reversed(list(leaf_class.items()))}
    reach = {node: 0 for node in graph}
    for leaf in leaves:
        reach[leaf] = reach.get(leaf, 0) | (1 << leaf_class[leaf])
    sizes = Counter(leaf_class.values())
    # Two leaves of one class share every neighbour: 2 links apart (0 if the class is one leaf).
    distance_to: dict[int, dict[int, int]] = {
        c: {c: 2 if sizes[c] > 1 and graph.get(leaf) else 0}
        for c, leaf in representatives.items()}
    d = 0
    while True:
        d += 1
        new = dict(reach)
        for node, neighbours in graph.items():
            bits = reach.get(node, 0)
            for other in neighbours:
                bits |= reach.get(other, 0)
            new[node] = bits
        changed = new != reach
        reach = new
        for cls, leaf in representatives.items():
            bits = reach.get(leaf, 0)
            for other in range(len(representatives)):
                if bits >> other & 1 and other not in distance_to[cls]:
                    distance_to[cls][other] = d
        if not changed or d > 12:
            break
    worst = max((max(v.values()) for v in distance_to.values()), default=0) + 1
    groups = _leaf_groups(state)
    problems = []
    for group in groups:
        ids = {leaf_class[leaf] for leaf in group}
        for a in ids:
            missing = ids - set(distance_to[a])
            if missing:
                problems.append(f"{len(missing)} leaf classes unreachable from {group[0]}")
                break
    if worst > spec["limits"]["max_switch_hops"]:
        problems.append(f"worst path {worst} switch hops exceeds the limit "
                        f"{spec['limits']['max_switch_hops']}")
    report.add(name, "hops", problems, f"worst path {worst} switch hops "
               f"(limit {spec['limits']['max_switch_hops']})")
    return {"worst_switch_hops": worst}


def _leaf_groups(state) -> list[list[str]]:
    """Leaves whose endpoints must reach each other: one group per plane (per rail, rail-only)."""
    spec = state.spec
    e = spec["endpoints_per_node"]
    groups: dict[tuple, set[str]] = defaultdict(set)
    for _, port, leaf in state.node_leaf:
        plane, rail = divmod(port - 1, e)
        key = (plane, rail) if spec["layout"] == "rail-only" else (plane,)
        groups[key].add(leaf)
    return [sorted(g) for _, g in sorted(groups.items())]


def _check_bisection(report, name, state) -> dict:
    """Max-flow from one side's endpoints to the other's, per plane, for each natural cut."""
    spec = state.spec
    speed = spec["port_speed_gbps"]
    o = spec["limits"]["max_oversubscription"]
    e = spec["endpoints_per_node"]
    cuts = {"nodes": _by_nodes(spec)}
    if spec["layout"] in ("rail-optimized", "rail-only") and e > 1:
        cuts["rails"] = lambda node, rail: rail < e // 2
    graph = _switch_graph(state)
    figures, problems = {}, []
    for cut, side_of in cuts.items():
        worst_ratio, total = math.inf, 0.0
        for plane in range(spec["planes"]):
            sides = _plane_sides(state, plane, side_of)
            a_total = sum(v[0] for v in sides.values())
            b_total = sum(v[1] for v in sides.values())
            if not a_total or not b_total:
                continue
            flow = _max_flow(graph, sides, speed)
            need = min(a_total, b_total) * speed / o
            total += flow
            worst_ratio = min(worst_ratio, flow / need)
            if flow + 1e-6 < need and not (cut == "rails" and spec["layout"] == "rail-only"):
                problems.append(f"cut by {cut}, plane {plane + 1}: max-flow {flow:g} Gb/s < "
                                f"{need:g} Gb/s needed")
        if total:
            figures[f"bisection_by_{cut}_gbps"] = round(total, 3)
    report.add(name, "bisection", problems,
               ", ".join(f"{k.removeprefix('bisection_by_').removesuffix('_gbps')}: "
                         f"{v:,.0f} Gb/s" for k, v in figures.items()) or "single switch")
    return figures


def _plane_sides(state, plane: int, side_of=None) -> dict[str, list[int]]:
    """Endpoints of ``plane`` by leaf, on each side of a cut: ``side_of(node number, rail)``
    true for side A; by default the cut by nodes (the first half, then the second)."""
    spec = state.spec
    e = spec["endpoints_per_node"]
    side_of = side_of or _by_nodes(spec)
    sides: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for node, port, leaf in state.node_leaf:
        p, rail = divmod(port - 1, e)
        if p == plane:
            sides[leaf][0 if side_of(int(node[1:]), rail) else 1] += 1
    return dict(sides)


def _by_nodes(spec: dict):
    """The cut by nodes: node ``n`` is on side A when it is in the first half."""
    return lambda node, rail: node <= spec["nodes"] // 2


SWITCH_ROLES = ("leaf", "spine", "core")
FAILURE_ELEMENTS = (*SWITCH_ROLES, "node-leaf", "leaf-spine", "spine-core")


def failure_impact(state) -> list[dict]:
    """What one failed switch or cable costs, per structural class of plane 1 (the other
    planes are copies): the endpoints (node ports) it cuts off, the GPUs it leaves with no way
    into the fabric (:class:`_NodeEnds`: none when a GPU has a port in each of several planes,
    or its node forwards to another NIC), and the share of the fabric's bisection by nodes
    (max-flow, every plane) that remains.

    Switches are alike when they have the same role, the same endpoints on each side of the
    cut and the same links to the same classes of neighbours (refined until stable); cables
    when their two ends' classes are alike. Each class is measured once, on its first
    member (``tests/test_failures.py`` measures every member of small designs). Classes that
    fail alike share a row, their counts added (every plane's), with one of them as the
    example."""
    spec = state.spec
    speed = spec["port_speed_gbps"]
    planes = spec["planes"]
    whole = _switch_graph(state)
    sides = _plane_sides(state, 0)
    if not sides:
        return []
    plane = _component(whole, sides)
    graph = {device: whole.get(device, {}) for device in plane}
    network = FlowNetwork(graph, sides)
    ends = _NodeEnds(state)
    flow = network.flow() * speed
    total = flow + sum(_max_flow(whole, _plane_sides(state, p), speed)
                       for p in range(1, planes))
    classes = _classes(state, graph, sides, plane)
    rows: dict[tuple, dict] = {}
    for element, members in _elements(state, graph, sides, plane, classes):
        ports, left = _without(network, ends, members[0])
        remaining = total - flow + left * speed
        figures = (element, len(ports), ends.gpus_cut(ports), round(remaining, 3))
        count = sum(_units(graph, sides, m) for m in members) * planes
        if figures in rows:  # classes that fail alike are one row
            rows[figures]["count"] += count
            continue
        rows[figures] = {"element": element, "count": count, "example": _named(members[0]),
                         "endpoints_cut": figures[1], "gpus_cut": figures[2],
                         "bisection_left_gbps": figures[3],
                         "bisection_left_share": round(remaining / total, 6) if total else 1.0}
    return sorted(rows.values(), key=lambda r: (FAILURE_ELEMENTS.index(r["element"]),
                                                -r["endpoints_cut"], r["bisection_left_gbps"],
                                                r["example"]))


def _units(graph, sides, member) -> int:
    """Switches, cables or node ports a member stands for: 1, a pair's links, a side's
    endpoints at a leaf."""
    if member[0] == "switch":
        return 1
    if member[0] == "link":
        return graph[member[1]][member[2]]
    return sides[member[2]][member[1]]


def _named(member) -> str:
    """A member as a failures table names it: a switch, a cable's two ends, a node port's
    leaf."""
    if member[0] == "switch":
        return member[1]
    if member[0] == "link":
        return f"{member[1]} - {member[2]}"
    return f"a node port on {member[2]}"


def _component(graph: dict[str, dict[str, int]], sides: dict) -> set[str]:
    """The switches a plane's leaves reach (its copy of the tiers above, every rail's)."""
    seen, todo = set(sides), list(sides)
    while todo:
        for other in graph.get(todo.pop(), {}):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _classes(state, graph, sides, plane: set[str]) -> dict[str, tuple]:
    """A class per switch of the plane: its role and endpoints, then refined by its
    neighbours' classes and link counts until no class splits."""
    label = {d: (state.role.get(d), tuple(sides.get(d, (0, 0)))) for d in plane}
    while True:
        refined = {d: (label[d], tuple(sorted((label[n], links)
                                              for n, links in graph.get(d, {}).items())))
                   for d in plane}
        ids = {key: i for i, key in enumerate(sorted(set(refined.values()), key=repr))}
        new = {d: (label[d][0], ids[refined[d]]) for d in plane}
        if len(set(new.values())) == len(set(label.values())):
            return new
        label = new


def _elements(state, graph, sides, plane: set[str], classes: dict[str, tuple]):
    """``(element, members)`` per class: switches by role, then cables by link class (a
    member: ``("switch", device)``, ``("link", lower, upper)`` or ``("port", node port
    side, leaf)``)."""
    by_class: dict[tuple, list] = defaultdict(list)
    for device in sorted(plane):
        by_class[("switch", classes[device])].append(("switch", device))
    for leaf in sorted(sides):
        a, b = sides[leaf]
        for side, count in ((0, a), (1, b)):
            if count:
                by_class[("port", classes[leaf], side)].append(("port", side, leaf))
    for device in sorted(plane):
        for other, _ in sorted(graph.get(device, {}).items()):
            lower, upper = device, other
            if _TIER.get(state.role.get(lower), 9) < _TIER.get(state.role.get(upper), 9):
                by_class[("link", classes[lower], classes[upper])].append(
                    ("link", lower, upper))
    for key, members in by_class.items():
        if key[0] == "switch":
            element = key[1][0]
        elif key[0] == "port":
            element = "node-leaf"
        else:
            element = f"{key[1][0]}-{key[2][0]}"
        yield element, members


_TIER = {"leaf": 1, "spine": 2, "core": 3}


def _without(network: FlowNetwork, ends: _NodeEnds, member) -> tuple[list, int]:
    """The node ports cut, and the plane's max-flow (in links), with ``member`` failed."""
    kind = member[0]
    if kind == "switch":
        return ends.on(member[1]), network.flow(node=member[1])
    if kind == "port":
        return [ends.one(member[2], member[1])], network.flow(port=member[1:])
    return [], network.flow(link=member[1:])


class _NodeEnds:
    """The node ports of plane 1 by leaf, and which GPUs a set of cut node ports leaves with
    no way into the fabric: a GPU is cut off when every port of its rail (one per plane) is
    cut, or, with node forwarding (the node carries a GPU's traffic to another of its NICs),
    when every port of its node is. A node's GPUs share its rails evenly (``design.json``
    ``server.gpus`` over the nodes; one GPU per endpoint without a server)."""

    def __init__(self, state):
        spec = state.spec
        self.e, self.planes = spec["endpoints_per_node"], spec["planes"]
        gpus = (spec.get("server") or {}).get("gpus")
        self.gpus_per_node = gpus / spec["nodes"] if gpus else self.e
        self.forwarding = bool(spec.get("node_forwarding"))
        self.on_side_a = _by_nodes(spec)
        self.ports: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for node, port, leaf in state.node_leaf:
            if port <= self.e:  # plane 1
                self.ports[leaf].append((node, port))

    def on(self, leaf: str) -> list[tuple[str, int]]:
        return self.ports.get(leaf, [])

    def one(self, leaf: str, side: int) -> tuple[str, int]:
        """A node port of ``leaf`` on ``side`` of the cut by nodes."""
        return next(end for end in self.ports[leaf]
                    if self.on_side_a(int(end[0][1:]), None) != bool(side))

    def gpus_cut(self, ports: list[tuple[str, int]]) -> int:
        by_node: dict[str, set[int]] = defaultdict(set)
        for node, port in ports:
            by_node[node].add(port)
        gpus = 0.0
        for cut in by_node.values():
            if self.forwarding:
                gpus += self.gpus_per_node if len(cut) == self.e * self.planes else 0
                continue
            rails = {(port - 1) % self.e for port in cut}
            gpus += sum(self.gpus_per_node / self.e for rail in rails
                        if all(p * self.e + rail + 1 in cut for p in range(self.planes)))
        return round(gpus)


class FlowNetwork:
    """A switch graph and one cut's endpoints as arrays: its max-flow in links, whole or with
    one switch, one cable (of a pair's links) or one node port failed. Every capacity is a
    whole number of links or endpoints, so SciPy's integer max-flow is exact."""

    def __init__(self, graph: dict[str, dict[str, int]], sides: dict[str, list[int]]):
        self.index = {node: i for i, node in enumerate({**graph, **sides})}  # isolated too
        edges = [(self.index[node], self.index[other], links)
                 for node, nbrs in graph.items() for other, links in nbrs.items()]
        self.tails, self.heads, self.links = (np.array(column, dtype=np.int64)
                                              for column in zip(*edges, strict=True)) \
            if edges else (np.zeros(0, dtype=np.int64),) * 3
        count = len(self.index)
        self.a, self.b = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
        for leaf, (a, b) in sides.items():
            self.a[self.index[leaf]], self.b[self.index[leaf]] = a, b

    def flow(self, node: str | None = None, link: tuple[str, str] | None = None,
             port: tuple[int, str] | None = None) -> int:
        """Max-flow from side-A endpoints to side-B endpoints, in links."""
        tails, heads, links, a, b = self.tails, self.heads, self.links, self.a, self.b
        if node is not None:
            i = self.index[node]
            keep = (tails != i) & (heads != i)
            tails, heads, links = tails[keep], heads[keep], links[keep]
            a, b = a.copy(), b.copy()
            a[i] = b[i] = 0
        if link is not None:
            i, j = self.index[link[0]], self.index[link[1]]
            links = links - (((tails == i) & (heads == j)) | ((tails == j) & (heads == i)))
        if port is not None:
            side, leaf = port
            a, b = a.copy(), b.copy()
            (a if side == 0 else b)[self.index[leaf]] -= 1
        count = len(a)
        source, sink = count, count + 1
        senders, receivers = np.flatnonzero(a), np.flatnonzero(b)
        if not len(senders) or not len(receivers):
            return 0
        matrix = scipy.sparse.csr_matrix(
            (np.concatenate([links, a[senders], b[receivers]]).astype(np.int32),
             (np.concatenate([tails, np.full(len(senders), source), receivers]),
              np.concatenate([heads, senders, np.full(len(receivers), sink)]))),
            shape=(count + 2, count + 2))
        return int(maximum_flow(matrix, source, sink).flow_value)


def _max_flow(graph: dict[str, dict[str, int]], sides: dict[str, list[int]],
              speed: float) -> float:
    """Max-flow from side-A endpoints to side-B endpoints (:class:`FlowNetwork`), in Gb/s."""
    return FlowNetwork(graph, sides).flow() * speed


def _counted_parts(states: dict) -> Counter:
    """``{(fabric, model): quantity}`` of every part the cabling and roles imply."""
    counted: Counter = Counter()
    for name, state in states.items():
        spec = state.spec
        for role in state.role.values():
            if role != "node":
                counted[(name, spec["roles"][role]["model"])] += 1
        if not spec["nic"].get("in_server_price"):  # else in the server's price, not billed
            counted[(name, spec["nic"]["model"])] += spec["nodes"] * spec["nic"]["per_node"]
        for (model, _, _), count in state.cables.items():
            counted[(name, model)] += count
        for _, _, model in state.wide_cages:
            counted[(name, model)] += 1
        for (model, _, _), count in state.port_modules.items():
            counted[(name, model)] += count
        for _, _, model in state.cages:
            counted[(name, model)] += 1
        for models in state.node_cages.values():
            for model in models:
                counted[(name, model)] += 1
        for _, _, model, per_cage in state.harnessed:
            counted[(name, model)] += per_cage
    return counted


def _drawn_w(states: dict, parts: dict, counted: Counter) -> dict[str, float]:
    """Each fabric's power from its counted parts, each module once: a module in a switch cage
    draws within the switch's ``power_w`` (the datasheet maximum, modules fitted)."""
    drawn: dict[str, float] = defaultdict(float)
    for (fabric, model), count in counted.items():
        drawn[fabric] += count * parts.get(model, {}).get("power_w", 0.0)
    for name, state in states.items():
        drawn[name] -= sum(parts.get(model, {}).get("power_w", 0.0)
                           for _, _, model in state.cages
                           if parts.get(model, {}).get("kind") == "transceivers")
    return drawn


def _check_power(report, states: dict, drawn: dict[str, float]) -> None:
    """Each power-limited fabric's counted parts draw no more than its limit."""
    for name, state in states.items():
        limit_kw = state.spec["limits"].get("max_power_kw")
        if limit_kw is None:
            continue
        drawn_w = drawn[name]
        problems = ([] if drawn_w <= 1000 * limit_kw + 1e-6 else
                    [f"parts draw {drawn_w / 1000:,.3f} kW, over the {limit_kw:g} kW limit"])
        report.add(name, "power", problems,
                   f"parts draw {drawn_w / 1000:,.3f} kW (limit {limit_kw:g} kW)")


def _check_services(lines: list[dict], counted: Counter, parts: dict) -> tuple[float, list]:
    """Licences and support: each counted part's ``charges`` (design.json) bought once per
    unit of the part (times a per-port licence's ports), one bom.csv line per (fabric,
    charge, covered part). Returns their cost and the problems."""
    expected: Counter = Counter()
    unit_usd: dict[str, float] = {}
    for (fabric, model), count in counted.items():
        for charge in parts.get(model, {}).get("charges", ()):
            expected[(fabric, charge["model"], model)] += count * charge["units"]
            unit_usd[charge["model"], model] = charge["unit_price_usd"]
    listed: Counter = Counter()
    for r in lines:
        if r["kind"] in SERVICE_KINDS:
            listed[(r["fabric"], _model(r["model"]), _model(r["covers"]))] += int(r["quantity"])
    problems = []
    for key in sorted(set(expected) | set(listed)):
        if expected.get(key, 0) != listed.get(key, 0):
            fabric, service, model = key
            problems.append(f"{fabric} {service} for {model}: {expected.get(key, 0)} from the "
                            f"cabling, {listed.get(key, 0)} in bom.csv")
    cost = sum(quantity * unit_usd[service, model]
               for (_, service, model), quantity in expected.items())
    return cost, problems


SPARES = "spares"  # bom.csv's fabric column for the spare parts


def _spares_for(installed: int, policy: dict) -> int:
    """A policy's spares for ``installed`` units (none where none is installed): at least
    ``min``, else ``ratio`` of them or one per ``one_per``, rounded up."""
    if installed <= 0:
        return 0
    if policy.get("ratio") is not None:
        wanted = math.ceil(round(policy["ratio"] * installed, 9))
    else:
        wanted = -(-installed // policy["one_per"])
    return max(policy.get("min", 0), wanted)


def _installed_by_row(states: dict) -> Counter:
    """``{(model, hall, row): count}`` of every counted part where it stands: a switch in its
    rack's row, NICs in their server's, a module in the row of the device holding it, a cable
    at its A end (a breakout cable at its wide end, a harness at the module it fans out)."""
    counted: Counter = Counter()
    for state in states.values():
        spec, where = state.spec, state.where
        nic = spec["nic"]
        for device, role in state.role.items():
            if role != "node":
                counted[(spec["roles"][role]["model"], *where[device])] += 1
            elif not nic.get("in_server_price"):
                counted[(nic["model"], *where[device])] += nic["per_node"]
        counted.update(state.cables)
        counted.update(state.port_modules)
        for device, _, model in (*state.wide_cages, *state.cages):
            counted[(model, *where[device])] += 1
        for (node, _), models in state.node_cages.items():
            for model in models:
                counted[(model, *where[node])] += 1
        for device, _, model, per_cage in state.harnessed:
            counted[(model, *where[device])] += per_cage
    return counted


def _check_spares(lines: list[dict], design: dict, states: dict, counted: Counter,
                  parts: dict) -> tuple[float, list[str]]:
    """The spare lines of bom.csv (fabric ``spares``) are the demand's policy (design.json
    ``spares``) applied to the counted parts: over the site, or floor row by floor row.
    Returns their cost and the problems."""
    policies = design.get("spares") or {}
    expected: Counter = Counter()
    site: Counter = Counter()
    for (_, model), count in counted.items():
        site[model] += count
    for model, count in site.items():
        policy = policies.get(parts.get(model, {}).get("kind"))
        if policy is not None and policy.get("per", "site") == "site":
            expected[model] += _spares_for(count, policy)
    if any(p.get("per") == "row" for p in policies.values()):
        for (model, _, _), count in _installed_by_row(states).items():
            policy = policies.get(parts.get(model, {}).get("kind"))
            if policy is not None and policy.get("per") == "row":
                expected[model] += _spares_for(count, policy)
    listed: Counter = Counter()
    for r in lines:
        if r["fabric"] == SPARES:
            listed[_model(r["model"])] += int(r["quantity"])
    problems = [f"spares of {model}: {expected.get(model, 0)} by the policy, "
                f"{listed.get(model, 0)} in bom.csv"
                for model in sorted(set(expected) | set(listed))
                if expected.get(model, 0) != listed.get(model, 0)]
    cost = sum(count * parts[model]["price_usd"] for model, count in expected.items())
    return cost, problems


def _check_currency(rows: list[dict], design: dict) -> list[str]:
    """Each bom.csv line in the demand's currency (design.json ``currency``): its unit price
    the dollar price converted and rounded to the cent (as it is in dollars), its extended
    price quantity x unit; the total their sum and design.json's ``total_cost``."""
    currency = design.get("currency", {"code": "USD", "per_usd": 1.0})
    code, rate = currency["code"], currency["per_usd"]
    problems, total = [], 0.0
    for r in rows:
        if r["currency"] != code:
            problems.append(f"bom.csv prices in {r['currency']!r}, design.json in {code!r}")
            break
        if r["fabric"] == "TOTAL":
            continue
        unit_usd = float(r["unit_price_usd"])
        unit = unit_usd if code == "USD" else round(unit_usd * rate, 2)
        extended = int(r["quantity"]) * unit
        total += extended
        if not (math.isclose(float(r["unit_price"]), unit, abs_tol=0.005)
                and math.isclose(float(r["extended_price"]), extended, abs_tol=0.005)):
            problems.append(f"{r['fabric']} {_model(r['model'])}: {r['quantity']} x "
                            f"{r['unit_price']} {code} = {r['extended_price']} in bom.csv, "
                            f"expected {r['quantity']} x {unit:.2f} = {extended:.2f}")
    listed = next((float(r["extended_price"]) for r in rows if r["fabric"] == "TOTAL"), None)
    for name, value in (("bom.csv", listed), ("design.json", design.get("total_cost"))):
        if value is None or not math.isclose(value, total, abs_tol=0.01):
            problems.append(f"{name} total in {code} is {value}, its lines sum to {total:.2f}")
    return problems


def _in_currency(design: dict) -> str:
    """`` (EUR 3,693,489.76 at 0.9234 to the dollar)`` for a bill in another currency."""
    currency = design.get("currency", {"code": "USD"})
    if currency["code"] == "USD":
        return ""
    return (f" ({currency['code']} {design['total_cost']:,.2f} at {currency['per_usd']:g} "
            "to the dollar)")


def _check_bom(report, outdir: Path, design: dict, states: dict, parts: dict) -> None:
    """Parts counted from the cabling and priced from design.json equal bom.csv and the total."""
    counted = _counted_parts(states)
    drawn = _drawn_w(states, parts, counted)
    _check_power(report, states, drawn)
    with open(outdir / "bom.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines = [r for r in rows if r["fabric"] != "TOTAL"]
    listed: Counter = Counter()
    for r in lines:  # a module at NIC ends and in switch cages takes two lines
        if r["kind"] not in SERVICE_KINDS and r["fabric"] != SPARES:
            listed[(r["fabric"], _model(r["model"]))] += int(r["quantity"])
    problems = [f"{fabric} {model}: {counted.get((fabric, model), 0)} in the cabling, "
                f"{listed.get((fabric, model), 0)} in bom.csv"
                for fabric, model in sorted(set(counted) | set(listed))
                if counted.get((fabric, model), 0) != listed.get((fabric, model), 0)]
    total = sum(count * parts[model]["price_usd"] for (_, model), count in counted.items()
                if model in parts)
    services_usd, service_problems = _check_services(lines, counted, parts)
    total += services_usd
    problems += service_problems
    installed = total  # the solver objectives' parts, licences and support
    spares_usd, spare_problems = _check_spares(lines, design, states, counted, parts)
    total += spares_usd
    problems += spare_problems
    problems += _check_currency(rows, design)
    if not math.isclose(total, design["total_cost_usd"], abs_tol=0.01):
        problems.append(f"parts in the topology cost {total:,.2f}, design.json total is "
                        f"{design['total_cost_usd']:,.2f}")
    power_w = sum(drawn.values())
    listed_w = sum(float(r["extended_power_w"] or 0) for r in rows if r["fabric"] == "TOTAL")
    if not math.isclose(power_w, listed_w, abs_tol=0.05):
        problems.append(f"parts in the topology draw {power_w:,.1f} W (each module once), "
                        f"bom.csv says {listed_w:,.1f} W")
    report.add("all", "bill of materials", problems,
               f"{sum(counted.values()):,} parts counted from the cabling cost "
               f"${installed:,.2f}"
               + (f", with the spares ${spares_usd:,.2f} more: ${total:,.2f}" if spares_usd
                  else "")
               + ", as bom.csv and design.json say" + _in_currency(design))
