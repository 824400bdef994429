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
from designer.outputs.cabling import COLUMNS
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


def natural_order(text: str) -> tuple:
    """Sort key comparing the numbers in names as numbers: ``hall2 row10`` after ``hall2
    row9``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def write_racks_csv(result: DesignResult, cabling_csv: Path, path: Path) -> int:
    """Write ``racks.csv`` from a written cabling plan; returns the number of racks."""
    tally = RackTally(result)
    with open(cabling_csv, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        tally.columns(next(reader))
        for row in reader:
            tally.add(row)
    return tally.write(path)


class RackTally:
    """Where each device stands, from the cabling rows (``add``: each row as its values in the
    plan's column order), and ``racks.csv`` from that (``write``). The writer of the plan may
    feed it the rows it writes, sparing a second read of a large plan."""

    def __init__(self, result: DesignResult, columns: tuple[str, ...] = COLUMNS):
        self.facts = device_facts(result)
        self.site = result.demand.site
        self.placed: dict[tuple[str, str], tuple[str, str, Device]] = {}
        self.columns(columns)

    def columns(self, names) -> None:
        """The plan's column names, in order (its header)."""
        at = {name: i for i, name in enumerate(names)}
        self._fabric = at["fabric"]
        self._ends = [tuple(at[f"{side}_{key}"] for key in ("hall", "device", "role", "row",
                                                           "rack"))
                      for side in ("a", "z")]

    def add(self, row) -> None:
        for hall, device, role, row_, rack in self._ends:
            key = (row[hall], row[device])
            if key not in self.placed:
                self.placed[key] = (row[row_], row[rack],
                                    self.facts[(row[self._fabric], row[role])])

    def write(self, path: Path) -> int:
        """Write ``racks.csv``; returns the number of racks."""
        racks: dict[tuple[str, str, str], list[Device]] = defaultdict(list)
        for (hall, _), (row, rack, device) in self.placed.items():
            racks[(hall, row, rack)].append(device)
        site = self.site
        budget = "" if site.rack_power_kw is None else f"{site.rack_power_kw:g}"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(RACK_COLUMNS)
            for (hall, row, rack), devices in sorted(
                    racks.items(), key=lambda item: tuple(map(natural_order, item[0]))):
                roles = sorted({d.role for d in devices}, key=ROLE_ORDER.index)
                writer.writerow([hall, row, rack, "+".join(roles), len(devices),
                                 sum(d.units for d in devices), site.rack_units,
                                 f"{sum(d.power_w for d in devices) / 1000:.3f}", budget])
        return len(racks)
