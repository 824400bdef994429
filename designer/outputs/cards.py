"""Which NIC card, and which port of it, each node port of the cabling plan is.

A node's ports are taken GPU by GPU (rail ``r``), and for each GPU plane by plane, and cards are
filled in that order: port ``k = offset + (r - 1) * P + (p - 1)`` (0-based) is port
``k mod ports + 1`` of card ``k div ports + 1``. So a two-plane design on dual-port cards gives
every GPU one card with one port per plane, and single-port cards give one card per GPU and
plane.

Cards that come with the server (on board: ``nics_included`` or a named ``<pool>_nic``) are the
server's own: every fabric drawing on the same pool numbers them together (``frontend-card1``
port 1 for the frontend network, port 2 for storage), after the fabrics before it in the
demand. Cards a fabric buys are its own (``card3``, with the fabric's name in front on servers
another fabric placed, as its ports are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from designer.inputs.servers import on_board_nics, pool_of

if TYPE_CHECKING:
    from designer.results.result import DesignResult, FabricResult


@dataclass(frozen=True)
class CardMap:
    """The cards of one fabric's node ports: names ``{name}{n}``, ``ports`` each, the fabric's
    ports starting ``offset`` ports into them."""

    name: str
    ports: int
    planes: int
    offset: int = 0

    def of(self, plane: int, rail: int) -> tuple[str, int]:
        """``(card, card port)`` of the port of GPU ``rail`` (1-based) in ``plane``."""
        k = self.offset + (rail - 1) * self.planes + (plane - 1)
        return f"{self.name}{k // self.ports + 1}", k % self.ports + 1


def card_map(result: DesignResult, fabric_result: FabricResult) -> CardMap:
    """How the fabric's node ports sit on cards (module docstring)."""
    s = fabric_result.structure
    fabric = s.fabric
    ports_per_card, planes = s.nic.ports, fabric.planes
    server = fabric_result.server
    on_board = server is not None and (
        s.nics_in_server_price or on_board_nics(fabric, result.catalog) is not None)
    if on_board:
        pool = pool_of(fabric, server)
        group = next(g for g in result.server_sets if fabric.name in g.fabrics)
        by_name = {f.structure.fabric.name: f.structure.fabric for f in result.fabrics}
        before = group.fabrics[:group.fabrics.index(fabric.name)]
        offset = sum(by_name[name].endpoints_per_node * by_name[name].planes for name in before
                     if pool_of(by_name[name], server) == pool)
        return CardMap(f"{pool}-card", ports_per_card, planes, offset)
    prefix = f"{fabric.name}-" if fabric_result.hall is not None else ""
    return CardMap(f"{prefix}card", ports_per_card, planes)
