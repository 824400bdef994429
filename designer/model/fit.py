"""What mates with what, optically: connectors, and the harness a fanned-out module needs.

A fiber cord mates a module when their connectors are the same (a part that does not say its
connector is not checked). A module with fewer connectors than ports (a 400G DR4 module serving
4 x 100G on one MPO-12) fans each connector out through a harness: a cable of kind ``harness``
of the module's fiber, whose trunk connector is the module's and whose legs are as many as the
ports one connector carries; the links then run on cords that mate the harness's legs.
"""

from __future__ import annotations

from collections.abc import Iterable

from designer.inputs.schema import Cable, Transceiver


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
