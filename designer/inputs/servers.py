"""Servers and the fabrics that connect them: NIC ports spent once, server cost counted once.

A demand's ``server_groups`` name sets of servers that several fabrics share (a backend, a
frontend and a storage network over the same GPU servers); a fabric with ``nodes`` and no group
has servers of its own. Each set is a :class:`ServerSet`. Its first fabric in the demand is the
*primary*: it places the racks, and every later fabric of the set finds each server where the
primary put it (``designer.site.hall``).

A server model may declare its NIC ports by purpose (``backend_ports``, ``frontend_ports``,
``storage_ports``). Each fabric spends one server port per rail (``endpoints_per_node``; planes
ride on that port's lanes) from the pool of its kind:

    training, inference  -> backend
    storage              -> storage
    frontend             -> frontend

(a pool the server has no ports in falls back to its frontend ports: an inference fabric on
an L40S server with no backend NICs, a storage network on the frontend NICs),

and the fabrics of a set may not spend more ports of a pool than the server has.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.errors import InfeasibleError, InputError
from designer.inputs.catalog import Catalog
from designer.inputs.schema import Cage, Fabric, Nic, Server

POOLS = ("backend", "frontend", "storage")
_FIRST_CHOICE = {"training": "backend", "inference": "backend", "frontend": "frontend",
                 "storage": "storage"}


def gpus_per_node(fabric: Fabric, catalog: Catalog) -> int:
    """The GPUs of one of the fabric's servers (:func:`server_gpus` of its catalog model)."""
    return server_gpus(fabric, catalog.servers.get(fabric.server) if fabric.server else None)


def server_gpus(fabric: Fabric, server: Server | None) -> int:
    """The GPUs of ``server``, one of the fabric's: its model's, else one per endpoint."""
    return server.gpus if server is not None else fabric.endpoints_per_node


def nics_in_server_price(fabric: Fabric, catalog: Catalog) -> bool:
    """Whether a fabric's NICs come with its servers: the server model's price includes the
    NICs behind its ports (``nics_included``), so the fabric bills none and counts none of
    their power (the server's ``power_w`` has it). The fabric still chooses which card its
    ports are (ports per card, protocol), and pays for the modules and cables it plugs in."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    return server is not None and server.nics_included


def on_board_nics(fabric: Fabric, catalog: Catalog) -> tuple[str, ...] | None:
    """The NIC cards the fabric's server has on board behind the ports the fabric draws from
    (``backend_nic``, ``frontend_nic`` or ``storage_nic``: one card, or the cards a port can act
    as), or None when it names none (the fabric then chooses the card)."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if server is None:
        return None
    return getattr(server, f"{pool_of(fabric, server)}_nic")


def node_cage(fabric: Fabric, catalog: Catalog, nic: Nic) -> tuple[int, Cage | None]:
    """The cage a fabric's node-leaf links plug into at the node, as ``(ports, facts)``: the
    server's own backend cages for a fabric on its backend ports (a DGX's twin-port OSFP,
    ``backend_cage``, ``backend_ports_per_cage``), else one port of the NIC card's cage."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if server is not None and pool_of(fabric, server) == "backend" and (
            server.backend_cage is not None or server.backend_ports_per_cage > 1):
        return server.backend_ports_per_cage, server.backend_cage
    return 1, nic.cage


def pool_of(fabric: Fabric, server: Server) -> str:
    """The server port pool a fabric of this kind draws from."""
    pool = _FIRST_CHOICE[fabric.kind]
    return "frontend" if ports_in(server, pool) == 0 else pool


def ports_in(server: Server, pool: str) -> int:
    return getattr(server, f"{pool}_ports")


@dataclass(frozen=True)
class PortUse:
    """One pool of a server's ports: how many it has and which fabrics use how many."""

    pool: str
    available: int
    used_by: tuple[tuple[str, int], ...]

    @property
    def used(self) -> int:
        return sum(n for _, n in self.used_by)


@dataclass(frozen=True)
class ServerSet:
    """Servers connected by one or more fabrics (a server group, or one fabric's own)."""

    name: str
    nodes: int
    server: Server | None
    fabrics: tuple[str, ...]  # demand order; the first is the primary
    shared: bool  # declared in ``server_groups``

    @property
    def gpus(self) -> int | None:
        return None if self.server is None else self.server.gpus * self.nodes

    @property
    def cost_usd(self) -> float | None:
        return None if self.server is None else self.server.price_usd * self.nodes

    @property
    def primary(self) -> str:
        return self.fabrics[0]

    def port_use(self, fabrics: dict[str, Fabric]) -> list[PortUse]:
        """Each pool the set's fabrics draw from (only when the server declares its ports)."""
        if self.server is None or not any(ports_in(self.server, p) for p in POOLS):
            return []
        used: dict[str, list[tuple[str, int]]] = {}
        for name in self.fabrics:
            fabric = fabrics[name]
            used.setdefault(pool_of(fabric, self.server), []).append(
                (name, fabric.endpoints_per_node))
        return [PortUse(pool, ports_in(self.server, pool), tuple(used[pool]))
                for pool in POOLS if pool in used]

    def to_dict(self, fabrics: dict[str, Fabric]) -> dict:
        entry = {"name": self.name, "nodes": self.nodes, "shared": self.shared,
                 "fabrics": list(self.fabrics),
                 "server": self.server.model if self.server else None}
        if self.server is not None:
            entry.update(gpus=self.gpus, cost_usd=round(self.cost_usd, 2))
        entry["ports"] = {u.pool: {"per_server": u.available, "used": u.used,
                                   "by_fabric": dict(u.used_by)}
                          for u in self.port_use(fabrics)}
        return entry


def server_sets(fabrics: tuple[Fabric, ...], catalog: Catalog) -> list[ServerSet]:
    """The server sets of a demand's fabrics, in order of their first fabric."""
    sets: dict[str, list[Fabric]] = {}
    for fabric in fabrics:
        sets.setdefault(fabric.servers or f"fabric:{fabric.name}", []).append(fabric)
    out = []
    for members in sets.values():
        first = members[0]
        server = catalog.servers.get(first.server) if first.server else None
        shared = first.servers is not None
        out.append(ServerSet(first.servers if shared else first.name, first.nodes, server,
                             tuple(f.name for f in members), shared))
    return out


def check_server_ports(label: str, fabrics: tuple[Fabric, ...], catalog: Catalog) -> None:
    """No server pool is spent beyond the ports the server model declares."""
    by_name = {f.name: f for f in fabrics}
    problems = []
    for group in server_sets(fabrics, catalog):
        for use in group.port_use(by_name):
            if use.used > use.available:
                spent = ", ".join(f"'{name}' {n}" for name, n in use.used_by)
                problems.append(
                    f"{label}: servers '{group.name}': {group.server.model} has "
                    f"{use.available} {use.pool} port(s) per server, the fabrics on it need "
                    f"{use.used} ({spent}); use fewer endpoints_per_node or a server with more "
                    f"{use.pool} ports")
    if problems:
        raise InputError(problems)


def check_server_slots(label: str, groups: list[ServerSet],
                       cards: dict[str, int]) -> None:
    """The NIC cards the fabrics of one server set buy (``cards``: per server, by fabric; cards
    that come with the server are not counted) fit its ``nic_slots`` together. Each fabric is
    designed alone, within the slots; this catches fabrics that only overflow them together."""
    problems = []
    for group in groups:
        slots = group.server.nic_slots if group.server is not None else None
        bought = [(name, cards[name]) for name in group.fabrics if cards.get(name)]
        total = sum(n for _, n in bought)
        if slots is not None and total > slots:
            spent = ", ".join(f"'{name}' {n}" for name, n in bought)
            problems.append(
                f"{label}: servers '{group.name}': {group.server.model} has {slots} NIC slots, "
                f"its fabrics buy {total} cards per server ({spent}); fix: fewer "
                "endpoints_per_node or planes, nic_models with more ports per card, or a "
                "server with more slots")
    if problems:
        raise InfeasibleError("; ".join(problems))
