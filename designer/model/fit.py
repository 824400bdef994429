"""What fits what: connectors, the harness a fanned-out module needs, and what a NIC card's
PCIe slot feeds.

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

from designer.inputs.schema import Cable, Nic, Server, Transceiver

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
