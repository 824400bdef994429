"""What fits what: a part in its cage, connectors, the harness a fanned-out module needs, and
what a NIC card's PCIe slot feeds.

A part's end plugs into a cage (``plug_problem``) when the cage takes its form factor (a QSFP-DD
or QSFP112 cage also takes the smaller QSFP family, PHYSICAL.md section 1; an OSFP cage only
OSFP), its top is the cage's (finned in an air-cooled switch, flat where the cage rides a heat
sink), its lane rate is one the cage's SerDes runs (``lane_gbps <= cage``), the lanes it takes,
``links x speed / lane_gbps``, are no more than the cage has, and the cage accepts its vendor
coding. A fact left out on either side is not checked. The two modules of a link have the same
optical lane rate (``lanes_pair``): 50G-PAM4 and 100G-PAM4 optics never link directly (section
2), while a QSFP-DD DR4 (8 x 50G to its host, 4 x 100G on the fiber) links a QSFP112 DR4.

A fiber cord mates a module when their connectors are the same (a part that does not say its
connector is not checked). A module with fewer connectors than ports (a 400G DR4 module serving
4 x 100G on one MPO-12) fans each connector out through a harness: a cable of kind ``harness``
of the module's fiber, whose trunk connector is the module's and whose legs are as many as the
ports one connector carries; the links then run on cords that mate the harness's legs.

A NIC card's ports run at line rate only as far as its PCIe link feeds them: the card runs at
the older of its own and the server's slot generation, and a lane of generation 3, 4, 5, 6
feeds 6.25, 12.5, 25, 50 Gb/s of ports (so x16: one 100G, 200G, 400G, 800G port, as cards are
sized; a Gen5 x16 slot carries about 400-450 Gb/s usable, PHYSICAL.md section 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from designer.inputs.schema import Cable, Cage, Nic, Server, Transceiver

TAKES = {"OSFP": ("OSFP",), "QSFP-DD": ("QSFP-DD", "QSFP112", "QSFP56", "QSFP28"),
         "QSFP112": ("QSFP112", "QSFP56", "QSFP28"), "QSFP56": ("QSFP56", "QSFP28"),
         "QSFP28": ("QSFP28",)}
"""The form factors a cage of each form factor takes."""

CageKey = tuple[int, Cage | None]
"""A cage as the media see it: the ports it holds and what it takes (None: not checked)."""


def cage_order(key: CageKey) -> tuple:
    """A stable order of cage keys (the ports, then the facts)."""
    ports, cage = key
    return (ports, "" if cage is None else cage.model_dump_json())


@dataclass(frozen=True)
class Plug:
    """One end of a part as a cage sees it: ``lanes`` is what it takes of the cage's lanes
    (None where its lane rate is not given)."""

    form_factor: str | None = None
    top: str | None = None
    lane_gbps: float | None = None
    lanes: float | None = None
    coding: str | None = None

    def text(self) -> str:
        facts = [self.form_factor, self.top and f"{self.top}-top",
                 self.lane_gbps and f"{self.lane_gbps:g}G lanes",
                 self.coding and f"{self.coding}-coded"]
        return ", ".join(f for f in facts if f) or "no fit facts"


NO_PLUG = Plug()


def module_plug(module: Transceiver) -> Plug:
    return Plug(module.form_factor, module.top, module.lane_gbps,
                _lanes(module.ports, module.port_speed_gbps, module.lane_gbps), module.coding)


def cable_plugs(cable: Cable) -> tuple[Plug, Plug]:
    """A direct cable's two ends: its first (a splitter's wide end, ``links`` links) and its
    far end (each leg of a splitter, one link)."""
    near = Plug(cable.form_factor, cable.top, cable.lane_gbps,
                _lanes(cable.links, cable.port_speed_gbps, cable.lane_gbps), cable.coding)
    far_lane = cable.far_lane_gbps or cable.lane_gbps
    far = Plug(cable.far_form_factor or cable.form_factor, cable.far_top or cable.top, far_lane,
               _lanes(1, cable.port_speed_gbps, far_lane), cable.coding)
    return near, far


def _lanes(links: int, speed_gbps: float, lane_gbps: float | None) -> float | None:
    return None if lane_gbps is None else links * speed_gbps / lane_gbps


def plug_problem(plug: Plug, cage: Cage | None) -> str | None:
    """Why the part end does not plug into the cage (None: it does)."""
    if cage is None:
        return None
    if plug.form_factor is not None and plug.form_factor not in TAKES[cage.form_factor]:
        return f"a {plug.form_factor} part in a {cage.form_factor} cage"
    if plug.top is not None and cage.top is not None and plug.top != cage.top:
        return f"a {plug.top}-top part in a cage for {cage.top}-top parts"
    if plug.lane_gbps is not None and cage.lane_gbps is not None \
            and plug.lane_gbps > cage.lane_gbps + 1e-9:
        return f"{plug.lane_gbps:g}G lanes in a cage of {cage.lane_gbps:g}G lanes"
    if plug.lanes is not None and cage.lanes is not None and plug.lanes > cage.lanes + 1e-9:
        return f"{plug.lanes:g} lanes in a cage of {cage.lanes}"
    if plug.coding is not None and cage.coding is not None and plug.coding not in cage.coding:
        return f"{plug.coding} coding in a cage that takes {', '.join(cage.coding)}"
    return None


def cage_text(cage: Cage | None) -> str:
    """``"QSFP-DD, 8 x 50G lanes, NVIDIA-coded parts"``."""
    if cage is None:
        return "any part"
    lanes = (f"{cage.lanes or '?'} x {cage.lane_gbps:g}G lanes" if cage.lane_gbps
             else f"{cage.lanes} lanes" if cage.lanes else None)
    facts = [f"{cage.form_factor}" + (f" {cage.top}-top" if cage.top else ""), lanes,
             cage.coding and f"{'/'.join(cage.coding)}-coded parts"]
    return ", ".join(f for f in facts if f)


def takes_all_of(a: Cage | None, b: Cage | None) -> bool:
    """Cage ``a`` takes every part cage ``b`` takes (None takes anything)."""
    if a is None:
        return True
    if b is None:
        return False
    return (set(TAKES[a.form_factor]) >= set(TAKES[b.form_factor])
            and a.top in (None, b.top)
            and (a.lanes is None or (b.lanes is not None and a.lanes >= b.lanes))
            and (a.lane_gbps is None or (b.lane_gbps is not None and a.lane_gbps >= b.lane_gbps))
            and (a.coding is None or (b.coding is not None and set(a.coding) >= set(b.coding))))


def plugs(plug: Plug, key: CageKey, ports: int) -> bool:
    """A part end serving ``ports`` links plugs into the cage ``key``."""
    return ports == key[0] and plug_problem(plug, key[1]) is None


def optical_lane_gbps(module: Transceiver) -> float | None:
    return module.optical_lane_gbps or module.lane_gbps


def straight_fits(cable: Cable, a: CageKey, b: CageKey) -> bool:
    """A single-link direct cable plugs into cages ``a`` and ``b``, either way round."""
    near, far = cable_plugs(cable)
    return ((plugs(near, a, 1) and plugs(far, b, 1))
            or (plugs(far, a, 1) and plugs(near, b, 1)))


def direct_fits(cable: Cable, leaf: CageKey, node: CageKey) -> bool:
    """A direct cable joins a leaf cage to a node's: straight (either way round), or a
    splitter whose wide end takes the leaf cage and each leg a node cage."""
    if cable.links == 1:
        return straight_fits(cable, leaf, node)
    wide, leg = cable_plugs(cable)
    return plugs(wide, leaf, cable.links) and plugs(leg, node, 1)


def lanes_pair(a: Transceiver, b: Transceiver) -> bool:
    """The two modules of a link run the same optical lane rate (or one does not say)."""
    rate_a, rate_b = optical_lane_gbps(a), optical_lane_gbps(b)
    return rate_a is None or rate_b is None or rate_a == rate_b

PCIE_LANE_GBPS = {3: 6.25, 4: 12.5, 5: 25.0, 6: 50.0}
"""Port bandwidth one PCIe lane feeds, by generation."""


def mates(a: str | None, b: str | None) -> bool:
    """Two connectors mate: the same, or one of them not given (not checked)."""
    return a is None or b is None or a == b


def fans_out(module: Transceiver) -> bool:
    """The module carries several links on one connector, so it needs a harness."""
    return module.connectors is not None and module.connectors < module.ports


def harnesses_for(module: Transceiver, cables: Iterable[Cable]) -> list[Cable]:
    """The harnesses that fan ``module``'s connectors out to one leg per link, by model."""
    legs = module.ports // (module.connectors or module.ports)
    return sorted((c for c in cables if c.kind == "harness" and c.fiber == module.fiber
                   and c.connector == module.connector and c.links == legs),
                  key=lambda c: c.model)


def leg_connector(module: Transceiver, harness: Cable | None) -> str | None:
    """The connector each link's cord mates at the module's end: the harness's legs, or the
    module's own."""
    return harness.leg_connector if harness is not None else module.connector


def host_gbps(nic: Nic, server: Server | None) -> float | None:
    """What the card's PCIe link feeds: its lanes at the older of its generation and the
    server slot's (None when neither is known: not checked)."""
    gens = [g for g in (nic.pcie_gen, server.pcie_gen if server else None) if g is not None]
    return None if not gens else nic.pcie_lanes * PCIE_LANE_GBPS[min(gens)]


def card_load_gbps(nic: Nic, ports_used: int, speed_gbps: float) -> float:
    """What one card carries when a fabric uses ``ports_used`` ports of a node at
    ``speed_gbps`` (the cards fill in turn, so a card has at most its own ports in use)."""
    return min(nic.ports, ports_used) * speed_gbps


def slot_feeds(nic: Nic, server: Server | None, ports_used: int, speed_gbps: float) -> bool:
    """The card's slot feeds the ports a fabric uses on it at ``speed_gbps`` each."""
    feeds = host_gbps(nic, server)
    return feeds is None or card_load_gbps(nic, ports_used, speed_gbps) <= feeds + 1e-9
