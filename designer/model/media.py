"""Media: every way to build a link between two cages (optics and fiber, or a direct cable),
priced per cage and per link, and the Pareto set of them worth offering the model."""

from __future__ import annotations

from dataclasses import dataclass

from designer.inputs.catalog import Catalog
from designer.inputs.schema import Cable, Transceiver


@dataclass(frozen=True)
class Medium:
    """One way to build a link class between ends with cages of ``cage1`` and ``cage2`` ports.

    Cost of a class served by this medium::

        cost = per_unit1_usd * units1 + per_unit2_usd * units2 + per_link_usd * links

    where ``units`` at an end is the sum over its devices of ceil(links on device / cage).
    """

    cage1: int
    cage2: int
    reach_m: float
    protocol: str | None
    per_unit1_usd: float
    per_unit2_usd: float
    per_link_usd: float
    transceiver1: Transceiver | None = None
    transceiver2: Transceiver | None = None
    cable: Cable | None = None

    @property
    def key(self) -> str:
        parts = [p.model for p in (self.transceiver1, self.cable, self.transceiver2) if p]
        return f"{self.cage1}-{self.cage2}:" + "+".join(parts)

    def cost_usd(self, units1: int, units2: int, links: int) -> float:
        return (self.per_unit1_usd * units1 + self.per_unit2_usd * units2
                + self.per_link_usd * links)

    @property
    def per_unit1_w(self) -> float:
        """Power per unit at the lower end: its transceiver, or a breakout cable's wide end."""
        if self.transceiver1 is not None:
            return self.transceiver1.power_w
        return self.cable.power_w if self.per_unit1_usd else 0.0

    @property
    def per_unit2_w(self) -> float:
        if self.transceiver2 is not None:
            return self.transceiver2.power_w
        return self.cable.power_w if self.per_unit2_usd else 0.0

    @property
    def per_link_w(self) -> float:
        return self.cable.power_w if self.per_link_usd else 0.0


def _protocol_of(*parts) -> tuple[bool, str | None]:
    protocols = {p.protocol for p in parts if p is not None and p.protocol is not None}
    if len(protocols) > 1:
        return False, None
    return True, (protocols.pop() if protocols else None)


def media_options(catalog: Catalog, speed_gbps: float, cages: set[int]) -> list[Medium]:
    """Every medium at ``speed_gbps`` whose ends fit cages in ``cages`` (NIC ends are 1)."""
    cages = cages | {1}
    out: list[Medium] = []
    optics = [t for t in catalog.transceivers.values()
              if t.port_speed_gbps == speed_gbps and t.ports in cages]
    fibers = [c for c in catalog.cables.values()
              if c.kind == "fiber" and c.port_speed_gbps >= speed_gbps]
    for t1 in optics:
        for t2 in optics:
            for fiber in fibers:
                ok, protocol = _protocol_of(t1, t2, fiber)
                if not ok or not (t1.fiber == t2.fiber == fiber.fiber):
                    continue
                out.append(Medium(t1.ports, t2.ports, min(t1.reach_m, t2.reach_m, fiber.reach_m),
                                  protocol, t1.price_usd, t2.price_usd, fiber.price_usd,
                                  transceiver1=t1, transceiver2=t2, cable=fiber))
    for cable in catalog.cables.values():
        if cable.kind == "fiber" or cable.port_speed_gbps != speed_gbps:
            continue
        if cable.links == 1:
            out.append(Medium(1, 1, cable.reach_m, cable.protocol, 0.0, 0.0, cable.price_usd,
                              cable=cable))
        elif cable.links in cages:
            out.append(Medium(1, cable.links, cable.reach_m, cable.protocol, 0.0,
                              cable.price_usd, 0.0, cable=cable))
            out.append(Medium(cable.links, 1, cable.reach_m, cable.protocol, cable.price_usd,
                              0.0, 0.0, cable=cable))
    return sorted(out, key=lambda m: m.key)


def pareto_media(options: list[Medium], power_matters: bool = False) -> list[Medium]:
    """Drop media beaten on every cost coefficient by another with the same ends and more reach
    (and, when the fabric limits power, on every power coefficient too).

    ``a`` dominates ``b`` when both have the same cages, ``reach_a >= reach_b``, ``a`` speaks no
    protocol or ``b``'s, and ``a_a <= a_b``, ``b_a <= b_b``, ``g_a <= g_b`` (unit and link
    prices). A dominated medium can never be strictly cheaper for any unit counts, so the optimum
    is kept. Of media equal in all of these, the first in ``options`` is kept.

    Dominance is transitive, so it is enough to test each medium against the undominated ones:
    in the order ``(-reach, a, b, g, protocol set, index)`` every dominator comes before what it
    dominates, and the kept set grows as a frontier (a few dozen per cage pair instead of the
    O(n^2) pairs of ~2,300 media).
    """
    def dominates(a: Medium, b: Medium) -> bool:
        return (a.reach_m >= b.reach_m and a.protocol in (None, b.protocol)
                and a.per_unit1_usd <= b.per_unit1_usd and a.per_unit2_usd <= b.per_unit2_usd
                and a.per_link_usd <= b.per_link_usd
                and (not power_matters or (a.per_unit1_w <= b.per_unit1_w
                                           and a.per_unit2_w <= b.per_unit2_w
                                           and a.per_link_w <= b.per_link_w)))

    groups: dict[tuple[int, int], list[tuple[int, Medium]]] = {}
    for index, option in enumerate(options):
        groups.setdefault((option.cage1, option.cage2), []).append((index, option))
    kept: list[tuple[int, Medium]] = []
    for members in groups.values():
        members.sort(key=lambda im: (-im[1].reach_m, im[1].per_unit1_usd, im[1].per_unit2_usd,
                                     im[1].per_link_usd, im[1].protocol is not None, im[0]))
        frontier: list[Medium] = []
        for index, option in members:
            if not any(dominates(other, option) for other in frontier):
                frontier.append(option)
                kept.append((index, option))
    return [option for _, option in sorted(kept, key=lambda im: im[0])]
