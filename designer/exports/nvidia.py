"""An A/Z point-to-point sheet for NVIDIA's UFM Cable Validation Tool (CVT).

Layout followed: the CVT "P2P file" as documented for CVT 1.4-1.6 (one sheet, one row per
link, the tool finds columns by header name): ``A-Rack, A-U, A-Node Name, A-Type, A-Port,
Z-Rack, Z-U, Z-Node Name, Z-Type, Z-Port``, with ``A-Type``/``Z-Type`` ``Host`` or ``Switch``.
(The documentation's Ethernet example spells the last RU header ``Z-RU``; this file uses
``Z-U`` to mirror ``A-U``.) CVT 1.7 and later move to a two-sheet workbook whose Links sheet
names ``A-Node, A-Port, Z-Node, Z-Port, Protocol`` and optional ``A-Module-PN, Z-Module-PN``;
those optional columns are appended here as ``Protocol`` (``ib`` or ``ethernet``),
``A-Module-PN`` and ``Z-Module-PN`` (optic part at each end, empty for direct cables),
followed by the designer's own ``Cable-PN``, ``Cable-Type`` (as in the NetBox export),
``Cable-Length (m)`` and ``Cable-ID`` (the cabling plan's ``cable_id``).

Ports are written the way the CVT documentation designates them:

- InfiniBand: switch ports by number, split ports ``cage/lane`` (``p9/2`` -> ``9/2``,
  ``p17`` -> ``17``); host ports by HCA number (``nic3`` -> ``3``, which CVT maps to
  ``mlx5_2`` by default);
- Ethernet: switch ports ``swp<port>`` and split ports ``swp<cage>s<lane-1>`` (``p9/2`` ->
  ``swp9s1``); host ports ``rail<n>`` (``nic3`` -> ``rail3``).

Pass ``cvt_ports=False`` to keep the cabling plan's names. One CSV row per cabling row,
streamed, in the plan's order; device and rack names are fabric-prefixed when the design has
several fabrics, as in the other exports.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from designer.exports.common import (
    cable_types,
    device_name,
    fabric_of,
    fabrics_by_name,
    length_m,
    link_class,
    multi_fabric,
    rack_name,
    row_cable_type,
    text,
    two_decimals,
)
from designer.outputs.templating import Memo

COLUMNS = ("A-Rack", "A-U", "A-Node Name", "A-Type", "A-Port",
           "Z-Rack", "Z-U", "Z-Node Name", "Z-Type", "Z-Port",
           "Protocol", "A-Module-PN", "Z-Module-PN",
           "Cable-PN", "Cable-Type", "Cable-Length (m)", "Cable-ID")
PROTOCOLS = {"infiniband": "ib", "ethernet": "ethernet"}
_SIDE_COLUMNS = {side: tuple(f"{side}_{key}" for key in ("role", "port", "rack", "ru", "device"))
                 for side in ("a", "z")}
_SWITCH_PORT = re.compile(r"^p(\d+)(?:/(\d+))?$")
_HOST_PORT = re.compile(r"^nic(\d+)$")


def cvt_port(port: str, cabling_role: str, protocol: str) -> str:
    """A cabling-plan port in CVT's notation; names it does not recognise pass unchanged.

    >>> cvt_port("p9/2", "leaf", "infiniband"), cvt_port("nic3", "node", "infiniband")
    ('9/2', '3')
    >>> cvt_port("p9/2", "leaf", "ethernet"), cvt_port("p17", "spine", "ethernet")
    ('swp9s1', 'swp17')
    >>> cvt_port("nic3", "node", "ethernet")
    'rail3'
    """
    if cabling_role == "node":
        match = _HOST_PORT.match(port)
        if not match:
            return port
        return match.group(1) if protocol == "infiniband" else f"rail{match.group(1)}"
    match = _SWITCH_PORT.match(port)
    if not match:
        return port
    cage, lane = match.group(1), match.group(2)
    if protocol == "infiniband":
        return cage if lane is None else f"{cage}/{lane}"
    return f"swp{cage}" if lane is None else f"swp{cage}s{int(lane) - 1}"


def write_nvidia_az(design: dict, rows: Iterable[dict], path: Path,
                    cvt_ports: bool = True) -> Path:
    """Write the CVT A/Z sheet (CSV, one row per cable) to ``path``; returns it.

    Parameters
    ----------
    design
        ``design.json``, parsed.
    rows
        ``cabling.csv`` rows as dicts, consumed once.
    path
        The CSV file to write.
    cvt_ports
        Write ports in CVT notation (default) instead of the cabling plan's names.
    """
    with NvidiaExport(design, path, cvt_ports) as export:
        for row in rows:
            export.add(row)
    return export.path


class NvidiaExport:
    """The CVT sheet, written row by row as cabling rows are added (``add``); a context
    manager that closes it. Each distinct rack, device, port and part text is made once."""

    def __init__(self, design: dict, path: Path, cvt_ports: bool = True):
        self.path = Path(path)
        self.fabrics = fabrics_by_name(design)
        self.types = cable_types(design)
        self.multi = multi_fabric(design)
        self.cvt_ports = cvt_ports
        self.text = Memo(text)
        self.lengths = Memo(two_decimals)
        self.devices: dict[tuple[str, ...], tuple[str, str, str, str]] = {}
        self.ports: dict[tuple[str, str, str], str] = {}
        self._handle = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.out = csv.writer(self._handle, lineterminator="\n")
        self.out.writerow(COLUMNS)

    def __enter__(self) -> NvidiaExport:
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()

    def add(self, row: Mapping) -> None:
        fabric = fabric_of(row, self.fabrics)
        protocol = fabric.get("protocol", "")
        medium = self.types.get((fabric["name"], link_class(row)), "")
        self.out.writerow((
            *self._end(row, fabric, "a", protocol), *self._end(row, fabric, "z", protocol),
            PROTOCOLS.get(protocol, protocol), self.text[row.get("a_transceiver") or ""],
            self.text[row.get("z_transceiver") or ""], self.text[row.get("part") or ""],
            row_cable_type(row, medium), length_m(row, fabric, self.lengths),
            text(row.get("cable_id") or "")))

    def _end(self, row: Mapping, fabric: Mapping, side: str,
             protocol: str) -> tuple[str, str, str, str, str]:
        """``Rack, U, Node Name, Type, Port`` of one end."""
        role_, port_, rack_, ru_, device_ = _SIDE_COLUMNS[side]
        role, port = row.get(role_) or "", row.get(port_) or ""
        where = (fabric["name"], role, row.get(rack_) or "", row.get(ru_) or "",
                 row.get(device_) or "")
        device = self.devices.get(where)  # a device's cells: the same on each of its rows
        if device is None:
            device = self.devices[where] = (
                text(rack_name(self.multi, fabric, where[2])), text(where[3]),
                text(device_name(self.multi, fabric, role, where[4])),
                "Host" if role == "node" else "Switch")
        port_key = (port, role, protocol)
        cell = self.ports.get(port_key)
        if cell is None:
            cell = self.ports[port_key] = text(cvt_port(port, role, protocol)
                                               if self.cvt_ports else port)
        return (*device, cell)
