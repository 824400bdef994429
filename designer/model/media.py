"""Media: every way to build a link between two cages (optics and fiber, or a direct cable),
priced per cage and per link, and the Pareto set of them worth offering the model."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from designer.inputs.catalog import Catalog
from designer.inputs.schema import DIRECT_KINDS, Cable, Transceiver
from designer.model.fit import (
    NO_PLUG,
    CageKey,
    Plug,
    cable_plugs,
    fans_out,
    lanes_pair,
    mates,
    module_plug,
    plugs,
    straight_fits,
)


def cord_order(cable: Cable) -> tuple:
    """Which of two cords reaching a run is laid: the cheaper, then the shorter, then by
    model."""
    return (cable.price_usd, cable.reach_m, cable.model)


def cheapest_cord(cords, run_m: float) -> Cable | None:
    """The cord laid on a run of ``run_m`` from ``cords`` (None: none reaches it)."""
    return min((c for c in cords if c.reach_m >= run_m - 1e-9), key=cord_order, default=None)


@dataclass(frozen=True)
class Medium:
    """One way to build a link class between ends with cages of ``cage1`` and ``cage2`` ports:
    the part in each cage (a transceiver, or a breakout cable's wide end) and the ``cords`` it
    may lay, each run taking the cheapest cord that reaches it (:meth:`cord_for`).

    ``plug1`` and ``plug2`` are what each end's part is to its cage (``designer.model.fit``):
    the medium serves a class only where they plug into both ends' cages (:meth:`fits1`,
    :meth:`fits2`; media of direct cords chosen for one pair of cages, ``between``, fit
    those two alone).

    Cost of a class served by this medium::

        cost = per_unit1_usd * units1 + per_unit2_usd * units2 + sum_runs cord_for(run).price

    where ``units`` at an end is the sum over its devices of ceil(links on device / cage). A
    breakout cable is one cord priced per cage at its wide end (``per_unit*_usd``); it lays no
    per-link cord.
    """

    cage1: int
    cage2: int
    reach_m: float
    protocol: str | None
    per_unit1_usd: float
    per_unit2_usd: float
    cords: tuple[Cable, ...]
    transceiver1: Transceiver | None = None
    transceiver2: Transceiver | None = None
    preference: tuple[str, ...] = ()  # cord models, cheapest first (set from ``cords``)
    plug1: Plug = NO_PLUG
    plug2: Plug = NO_PLUG
    between: tuple[CageKey, CageKey] | None = None  # direct cords chosen for these two cages

    def __post_init__(self):
        # The order is fixed where the medium is priced (a TCO model prices energy in), so the
        # same design re-priced at list prices (``pricing.rebase``) lays the same cords.
        if not self.preference:
            ranked = sorted(self.cords, key=cord_order)
            object.__setattr__(self, "preference", tuple(c.model for c in ranked))

    @property
    def key(self) -> str:
        ends = [p.model for p in (self.transceiver1, self.transceiver2) if p]
        cords = self.cords[0].model if len(self.cords) == 1 else (
            f"{self.cords[0].kind}/{self.cords[0].fiber or self.protocol or 'any'}"
            f"x{len(self.cords)}")
        return f"{self.cage1}-{self.cage2}:" + "+".join([*ends[:1], cords, *ends[1:]])

    @property
    def breakout(self) -> bool:
        return self.cords[0].links > 1

    def fits1(self, key: CageKey) -> bool:
        """The lower end's part plugs into a cage ``key`` (its ports and what it takes)."""
        if self.between is not None:
            return key == self.between[0]
        return plugs(self.plug1, key, self.cage1)

    def fits2(self, key: CageKey) -> bool:
        if self.between is not None:
            return key == self.between[1]
        return plugs(self.plug2, key, self.cage2)

    @property
    def cable(self) -> Cable:
        """The longest cord: the one cable of a fixed-length medium."""
        return self.cords[-1]

    def cord_for(self, run_m: float) -> Cable | None:
        """The cheapest cord reaching ``run_m`` (ties: the shorter, then by model; prices as
        the medium was priced); None when the run is beyond the medium's reach."""
        if run_m > self.reach_m + 1e-9:
            return None
        return next((c for c in self._ranked if c.reach_m >= run_m - 1e-9), None)

    @functools.cached_property
    def _ranked(self) -> tuple[Cable, ...]:
        by_model = {c.model: c for c in self.cords}
        return tuple(by_model[m] for m in self.preference)

    def per_link_usd(self, run_m: float) -> float:
        """What one link of ``run_m`` costs on top of the cage parts (0 for a breakout)."""
        return 0.0 if self.breakout else self.cord_for(run_m).price_usd

    def per_link_w(self, run_m: float) -> float:
        return 0.0 if self.breakout else self.cord_for(run_m).power_w

    @property
    def least_link_usd(self) -> float:
        return 0.0 if self.breakout else min(c.price_usd for c in self.cords)

    def least_cord_usd(self, shortest_m: float) -> float:
        """The least a cord of this medium costs on a run of at least ``shortest_m`` (the
        cheapest cord reaching that far: a shorter one serves no such run; 0 for a breakout,
        inf when none reaches)."""
        if self.breakout:
            return 0.0
        return min((c.price_usd for c in self.cords if c.reach_m >= shortest_m - 1e-9),
                   default=float("inf"))

    @property
    def per_unit1_w(self) -> float:
        """Power counted per unit at the lower end: none for a transceiver (both ends are
        switch cages, whose modules draw within the switch's ``power_w``), a breakout cable's
        at its wide end."""
        if self.transceiver1 is not None:
            return 0.0
        return self.cable.power_w if self.per_unit1_usd else 0.0

    @property
    def per_unit2_w(self) -> float:
        if self.transceiver2 is not None:
            return 0.0
        return self.cable.power_w if self.per_unit2_usd else 0.0


def _protocol_of(*parts) -> tuple[bool, str | None]:
    protocols = {p.protocol for p in parts if p is not None and p.protocol is not None}
    if len(protocols) > 1:
        return False, None
    return True, (protocols.pop() if protocols else None)


def media_options(catalog: Catalog, speed_gbps: float, cages: set[int], *,
                  per_run: bool = False) -> list[Medium]:
    """Every medium at ``speed_gbps`` whose ends hold as many ports as cages in ``cages`` (NIC
    ends are 1); which cages each end plugs into is the medium's :meth:`Medium.fits1` and
    :meth:`Medium.fits2`.

    ``per_run``: a medium lays any stocked cord of its kind, run by run (a fiber of the optics'
    grade, any single-link direct cable with the same ends), so one medium stands for a pair of
    transceivers or for direct cabling; else (a class whose runs are all priced at its worst
    run) every cord is a medium of its own. Breakout cables are always one medium per model (a
    cord per cage). A direct cable whose two ends differ (finned to flat) is a medium each way
    round.
    """
    cages = cages | {1}
    out: list[Medium] = []
    optics = [t for t in catalog.transceivers.values()
              if t.port_speed_gbps == speed_gbps and t.ports in cages]
    fibers = [c for c in catalog.cables.values()
              if c.kind == "fiber" and c.port_speed_gbps >= speed_gbps]
    for t1 in optics:
        for t2 in optics:
            ok, protocol = _protocol_of(t1, t2)
            # between switches no harness is laid: a module fanning out is not offered
            if (not ok or t1.fiber != t2.fiber or fans_out(t1) or fans_out(t2)
                    or not lanes_pair(t1, t2)):
                continue
            grade = [f for f in fibers if f.fiber == t1.fiber and mates(f.connector, t1.connector)
                     and mates(f.connector, t2.connector)]
            for cords, proto in _cord_sets(grade, protocol, per_run):
                reach = min(t1.reach_m, t2.reach_m, max(c.reach_m for c in cords))
                out.append(Medium(t1.ports, t2.ports, reach, proto, t1.price_usd, t2.price_usd,
                                  cords, transceiver1=t1, transceiver2=t2,
                                  plug1=module_plug(t1), plug2=module_plug(t2)))
    direct = [c for c in catalog.cables.values()
              if c.kind in DIRECT_KINDS and c.port_speed_gbps == speed_gbps]
    by_ends: dict[tuple[Plug, Plug], list[Cable]] = {}  # cords of one medium share their ends
    for cable in direct:
        if cable.links == 1:
            near, far = cable_plugs(cable)
            by_ends.setdefault((near, far), []).append(cable)
            if far != near:
                by_ends.setdefault((far, near), []).append(cable)
    for (end1, end2), cables in by_ends.items():
        for cords, proto in _cord_sets(cables, None, per_run):
            out.append(Medium(1, 1, max(c.reach_m for c in cords), proto, 0.0, 0.0, cords,
                              plug1=end1, plug2=end2))
    for cable in direct:
        if cable.links > 1 and cable.links in cages:
            wide, leg = cable_plugs(cable)
            out.append(Medium(1, cable.links, cable.reach_m, cable.protocol, 0.0,
                              cable.price_usd, (cable,), plug1=leg, plug2=wide))
            out.append(Medium(cable.links, 1, cable.reach_m, cable.protocol, cable.price_usd,
                              0.0, (cable,), plug1=wide, plug2=leg))
    return sorted(out, key=lambda m: (m.key, m.plug1.text(), m.plug2.text()))


def direct_between(catalog: Catalog, speed_gbps: float, lower: CageKey, upper: CageKey
                   ) -> list[Medium]:
    """Direct cabling between two single-port cages, run by run: each run takes the cheapest
    single-link direct cable that plugs into both (either way round), whatever its ends'
    form factors (so its media are per pair of cages, ``Medium.between``)."""
    if lower[0] != 1 or upper[0] != 1:
        return []
    cords = [c for c in catalog.cables.values()
             if c.kind in DIRECT_KINDS and c.links == 1 and c.port_speed_gbps == speed_gbps
             and straight_fits(c, lower, upper)]
    return [Medium(1, 1, max(c.reach_m for c in chosen), proto, 0.0, 0.0, chosen,
                   between=(lower, upper))
            for chosen, proto in _cord_sets(cords, None, True)]


def _cord_sets(cords: list[Cable], protocol: str | None, per_run: bool):
    """The cord sets a medium speaking ``protocol`` (None: any) may lay, with the protocol the
    medium then speaks: every cord alone, or (``per_run``) all cords of one protocol at once
    (protocol-free cords, plus those of one protocol)."""
    usable = [c for c in cords if c.protocol in (None, protocol) or protocol is None]
    if not per_run:
        for cord in usable:
            ok, proto = _protocol_of(cord) if protocol is None else (True, protocol)
            if ok:
                yield (cord,), proto
        return
    protocols = [protocol] if protocol is not None else [None, *sorted(
        {c.protocol for c in usable if c.protocol is not None})]
    for proto in protocols:
        chosen = [c for c in usable if c.protocol in (None, proto)]
        if chosen:
            yield tuple(sorted(chosen, key=lambda c: (c.reach_m, c.price_usd, c.model))), proto


def pareto_media(options: list[Medium], power_matters: bool = False,
                 fit_of=None) -> list[Medium]:
    """Drop media beaten everywhere by another with the same ends and more reach (and, when the
    fabric limits power, on power too).

    ``a`` dominates ``b`` when both have the same cages and plug into the same ones (the same
    ``plug1`` and ``plug2``, or, given ``fit_of``, the same ``fit_of(medium)``: which of a
    link class's cages each end fits), ``reach_a >= reach_b``, ``a`` speaks no
    protocol or ``b``'s, ``a``'s cage parts cost no more at either end, and a link costs no more
    on ``a`` than on ``b`` at every run ``b`` reaches (its cords are step functions of the run,
    so comparing them at every cord's reach, and just past it, is enough). A dominated medium
    can never be strictly cheaper for any runs and unit counts, so the optimum is kept. Of media
    equal in all of these, the first in ``options`` is kept.

    Dominance is transitive, so it is enough to test each medium against the undominated ones:
    in the order ``(-reach, unit prices plus link prices at the test runs, protocol, index)``
    every dominator comes before what it dominates, and the kept set grows as a frontier.
    """
    points = sorted({0.0} | {r for m in options for c in m.cords
                             for r in (c.reach_m, c.reach_m + 1e-6)})

    def links_at(m: Medium, watts: bool = False) -> tuple[float, ...]:
        per = m.per_link_w if watts else m.per_link_usd
        return tuple(per(r) for r in points if r <= m.reach_m)

    usd = {id(m): links_at(m) for m in options}
    w = {id(m): links_at(m, True) for m in options} if power_matters else {}

    def cheaper_links(a: Medium, b: Medium, table: dict) -> bool:
        if len(a.cords) == len(b.cords) == 1:  # fixed cords: one price each, at every run
            return table[id(a)][-1] <= table[id(b)][-1]
        n = len(table[id(b)])
        return all(x <= y for x, y in zip(table[id(a)][:n], table[id(b)], strict=True))

    def dominates(a: Medium, b: Medium) -> bool:
        return (a.reach_m >= b.reach_m and a.protocol in (None, b.protocol)
                and a.per_unit1_usd <= b.per_unit1_usd and a.per_unit2_usd <= b.per_unit2_usd
                and cheaper_links(a, b, usd)
                and (not power_matters or (
                    a.per_unit1_w <= b.per_unit1_w and a.per_unit2_w <= b.per_unit2_w
                    and cheaper_links(a, b, w))))

    groups: dict[tuple, list[tuple[int, Medium]]] = {}
    for index, option in enumerate(options):
        fit = (option.plug1, option.plug2) if fit_of is None else fit_of(option)
        groups.setdefault((option.cage1, option.cage2, fit), []).append((index, option))
    kept: list[tuple[int, Medium]] = []
    for members in groups.values():
        members.sort(key=lambda im: (-im[1].reach_m, im[1].per_unit1_usd + im[1].per_unit2_usd
                                     + sum(usd[id(im[1])]), im[1].protocol is not None, im[0]))
        frontier: list[Medium] = []
        for index, option in members:
            if not any(dominates(other, option) for other in frontier):
                frontier.append(option)
                kept.append((index, option))
    return [option for _, option in sorted(kept, key=lambda im: im[0])]
