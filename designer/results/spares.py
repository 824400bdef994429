"""Spare parts: what a site keeps on the shelf beside what it installs (the demand's ``spares:``).

Each part kind may have a policy (``designer.inputs.schema.SparePolicy``). Every model of that
kind the design installs then gets ``max(min, ceil(ratio x installed))`` spares, or
``max(min, ceil(installed / one_per))``, counted

- over the whole site (``per: site``): every fabric's units of the model together, as the
  bill of materials counts them;
- or floor row by floor row (``per: row``), from the cabling plan: a switch in the row of its
  rack, a NIC in its server's row, a transceiver in the row of the device whose cage holds it,
  a cable in the row of its A end (a breakout cable at its wide end, a harness at the module it
  fans out). Each row's count is rounded up on its own, so the rows together may keep more
  than the site would.

Spares are bought, not installed: they take no port and draw no power, and the optimizer's
objective prices the installed fabric alone. The bill lists them apart (fabric ``spares``) and
its total is the installed fabric plus the spares.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from designer.inputs.schema import SPARE_KINDS
from designer.model.candidates import nics_per_node
from designer.outputs.cabling import COLUMNS, iter_cabling
from designer.outputs.racks import natural_order
from designer.outputs.runlists import CableOrder

if TYPE_CHECKING:
    from designer.results.result import DesignResult

SITE = "site"  # the scope of a per-site count
SPARES = "spares"  # the fabric column of the bill's spare parts


@dataclass(frozen=True)
class SpareLine:
    """The spares of one model in one scope (``site``, or ``hall1 row03``)."""

    kind: str
    model: str
    where: str
    installed: int
    quantity: int
    policy: str


def spare_lines(result: DesignResult) -> list[SpareLine]:
    """Every model's spares in every scope its kind's policy counts over, in kind, model and
    floor order; none without a policy."""
    spares = result.demand.spec.spares
    if not spares.any:
        return []
    installed: Counter = Counter()  # (kind, model, where)
    for fabric in result.fabrics:
        for part in fabric.parts:
            policy = spares.of(part.kind)
            if policy is not None and policy.per == SITE:
                installed[(part.kind, part.model, SITE)] += part.quantity
    if spares.by_row:
        for (kind, model, hall, row), count in installed_by_row(result).items():
            policy = spares.of(kind)
            if policy is not None and policy.per == "row":
                installed[(kind, model, f"{hall} {row}")] += count
    order = {kind: i for i, kind in enumerate(SPARE_KINDS)}
    lines = []
    for (kind, model, where), count in sorted(
            installed.items(), key=lambda item: (order[item[0][0]], item[0][1],
                                                 natural_order(item[0][2]))):
        policy = spares.of(kind)
        if count:  # a model installed nowhere keeps no spares
            lines.append(SpareLine(kind, model, where, count, policy.spares(count),
                                   policy.text))
    return lines


def installed_by_row(result: DesignResult) -> Counter:
    """``{(kind, model, hall, row): count}`` of every installed part, where it stands (module
    docstring), from one walk over the cabling plan as ``cabling.csv`` has it."""
    parts = result.parts_table()
    order = CableOrder(parts, {f.name: f.structure.node_cage[0] for f in result.fabrics},
                       by_row=True)
    devices: dict[tuple[str, str], tuple[str, str, str]] = {}
    for values in iter_cabling(result):
        row = dict(zip(COLUMNS, map(str, values), strict=True))
        order.add(row)
        for end in ("a_", "z_"):
            devices.setdefault((row["fabric"], row[end + "device"]),
                               (row[end + "role"], row[end + "hall"], row[end + "row"]))
    counted: Counter = Counter()
    for (model, hall, row), count in order.by_row().items():
        counted[(parts[model]["kind"], model, hall, row)] += count
    fabrics = {f.name: f.structure for f in result.fabrics}
    for (fabric, _), (role, hall, row) in devices.items():
        s = fabrics[fabric]
        if role != "node":
            counted[("switches", s.counts.switches[role][0].model, hall, row)] += 1
        elif not s.nics_in_server_price:
            counted[("nics", s.nic.model, hall, row)] += nics_per_node(s.fabric, s.nic)
    return counted


__all__ = ["SITE", "SPARES", "SpareLine", "installed_by_row", "spare_lines"]
