"""``racks.csv``: every rack the plan fills, what stands in it, and what it draws.

One row per rack, in hall, row and rack order, from the cabling plan's positions (streamed once)
and each device's height and power (servers from their catalog model, a server of no model is
4U and unpriced in power; switches from theirs)::

    hall, row, rack, roles, devices, units_used, rack_units, power_kw, power_budget_kw

``power_budget_kw`` is ``site.rack_power_kw`` (empty when the demand sets none). A device
several fabrics cable (a shared server) is counted once.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from designer.model.links import ROLES
from designer.site.grid import DEFAULT_NODE_UNITS

if TYPE_CHECKING:
    from designer.results.result import DesignResult

RACK_COLUMNS = ("hall", "row", "rack", "roles", "devices", "units_used", "rack_units",
                "power_kw", "power_budget_kw")
ROLE_ORDER = ("node", *ROLES)


class Device(NamedTuple):
    role: str
    units: int
    power_w: float


def device_facts(result: DesignResult) -> dict[tuple[str, str], Device]:
    """``{(fabric, role): Device}``: each role's height and power per fabric."""
    facts = {}
    for fabric in result.fabrics:
        server = fabric.server
        facts[(fabric.name, "node")] = Device(
            "node", server.rack_units if server else DEFAULT_NODE_UNITS,
            server.power_w if server else 0.0)
        for role, (mode, _) in fabric.structure.counts.switches.items():
            facts[(fabric.name, role)] = Device(role, mode.switch.rack_units,
                                                mode.switch.power_w)
    return facts


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def write_racks_csv(result: DesignResult, cabling_csv: Path, path: Path) -> int:
    """Write ``racks.csv`` from the cabling plan; returns the number of racks."""
    facts = device_facts(result)
    placed: dict[tuple[str, str], tuple[str, str, Device]] = {}
    with open(cabling_csv, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for side in ("a", "z"):
                key = (row[f"{side}_hall"], row[f"{side}_device"])
                if key not in placed:
                    device = facts[(row["fabric"], row[f"{side}_role"])]
                    placed[key] = (row[f"{side}_row"], row[f"{side}_rack"], device)
    racks: dict[tuple[str, str, str], list[Device]] = defaultdict(list)
    for (hall, _), (row, rack, device) in placed.items():
        racks[(hall, row, rack)].append(device)
    site = result.demand.site
    budget = "" if site.rack_power_kw is None else f"{site.rack_power_kw:g}"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RACK_COLUMNS)
        for (hall, row, rack), devices in sorted(
                racks.items(), key=lambda item: tuple(map(_natural, item[0]))):
            roles = sorted({d.role for d in devices}, key=ROLE_ORDER.index)
            writer.writerow([hall, row, rack, "+".join(roles), len(devices),
                             sum(d.units for d in devices), site.rack_units,
                             f"{sum(d.power_w for d in devices) / 1000:.3f}", budget])
    return len(racks)
