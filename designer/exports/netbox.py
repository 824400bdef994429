"""NetBox (v4) bulk-import CSVs: devices, interfaces and cables of a design.

Three files, imported in this order under *Devices*, *Interfaces* and *Cables* -> *Import*
(or ``POST`` to the same importers), one header line each, comma separated, UTF-8:

``netbox-devices.csv``
    ``name, role, manufacturer, device_type, status, site, rack, position, face``. ``role`` is
    ``server``, ``leaf``, ``spine`` or ``core``; ``device_type`` is the switch model of the
    role's mode in ``fabrics[i].structure`` (``MQM9700-NS2F@400x64`` -> ``MQM9700-NS2F``) or
    ``fabrics[i].server.model`` (``gpu-server`` without one); ``manufacturer`` comes from the
    ``manufacturers`` map (``bom.csv`` vendors in ``write_exports``), else ``unknown``;
    ``status`` is ``planned``; ``site`` is the demand file's stem; ``rack`` is the cabling
    plan's rack; ``position`` (lowest RU) and ``face`` (``front``) only when the plan carries
    ``a_ru``/``z_ru``.
``netbox-interfaces.csv``
    ``device, name, type, speed, enabled, description``: one row per cabled port. ``type`` is
    ``infiniband-edr/hdr/ndr/xdr`` for InfiniBand at 100/200/400/800G, ``100gbase-x-qsfp28``,
    ``200gbase-x-qsfp56``, ``400gbase-x-osfp`` or ``800gbase-x-osfp`` for Ethernet, else
    ``other``; ``speed`` is in kb/s as NetBox stores it; ``description`` names the optic
    plugged into the port, if any.
``netbox-cables.csv``
    ``side_a_device, side_a_type, side_a_name, side_b_device, side_b_type, side_b_name, type,
    status, label, length, length_unit, description``: one row per cabling row, both ends
    ``dcim.interface``; ``type`` from the row's ``cable_kind``/``fiber`` columns, else the
    link class's medium in ``design.json`` (``dac-passive``, ``dac-active``, ``aoc``,
    ``mmf``/``smf`` or a grade such as ``mmf-om4`` read from the part names; empty when neither
    tells); ``status`` ``planned``; ``label`` the ``cable_id``;
    ``length`` in metres (``length_unit`` ``m``); ``description`` the cable part.

NetBox resolves ``role``, ``manufacturer``, ``device_type``, ``site`` and ``rack`` by name, so
those objects must exist before the devices import. Device types must not carry interface
templates for these ports, or the interfaces import would duplicate them.

Rows are streamed: the state kept is the set of device names already written, and the cells
made of texts that repeat.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from designer.exports.common import (
    UNKNOWN_VENDOR,
    cable_types,
    device_model,
    device_name,
    device_role,
    fabric_of,
    fabrics_by_name,
    length_m,
    link_class,
    multi_fabric,
    rack_name,
    row_cable_type,
    site_name,
    text,
    two_decimals,
)
from designer.outputs.templating import Memo

DEVICES_FILE = "netbox-devices.csv"
INTERFACES_FILE = "netbox-interfaces.csv"
CABLES_FILE = "netbox-cables.csv"

DEVICE_COLUMNS = ("name", "role", "manufacturer", "device_type", "status", "site", "rack",
                  "position", "face")
INTERFACE_COLUMNS = ("device", "name", "type", "speed", "enabled", "description")
CABLE_COLUMNS = ("side_a_device", "side_a_type", "side_a_name", "side_b_device", "side_b_type",
                 "side_b_name", "type", "status", "label", "length", "length_unit",
                 "description")

TERMINATION_TYPE = "dcim.interface"
STATUS = "planned"
FACE = "front"
KBPS_PER_GBPS = 1_000_000
INTERFACE_TYPES: dict[tuple[str, float], str] = {
    ("infiniband", 100.0): "infiniband-edr",
    ("infiniband", 200.0): "infiniband-hdr",
    ("infiniband", 400.0): "infiniband-ndr",
    ("infiniband", 800.0): "infiniband-xdr",
    ("ethernet", 100.0): "100gbase-x-qsfp28",
    ("ethernet", 200.0): "200gbase-x-qsfp56",
    ("ethernet", 400.0): "400gbase-x-osfp",
    ("ethernet", 800.0): "800gbase-x-osfp",
}


def interface_type(protocol: str, speed_gbps: float) -> str:
    """NetBox interface type for a port of ``speed_gbps`` on a ``protocol`` fabric.

    >>> interface_type("infiniband", 400), interface_type("ethernet", 25)
    ('infiniband-ndr', 'other')
    """
    return INTERFACE_TYPES.get((protocol, float(speed_gbps)), "other")


def write_netbox(design: dict, rows: Iterable[dict], folder: Path,
                 manufacturers: Mapping[str, str] | None = None,
                 site: str | None = None) -> list[Path]:
    """Write the three NetBox import CSVs into ``folder``; returns their paths.

    Parameters
    ----------
    design
        ``design.json`` of the design, parsed.
    rows
        ``cabling.csv`` rows as dicts (``csv.DictReader``), consumed once.
    folder
        Existing folder to write ``netbox-devices.csv``, ``netbox-interfaces.csv`` and
        ``netbox-cables.csv`` into.
    manufacturers
        Vendor by part model (switch and server models); missing models get ``unknown``.
    site
        NetBox site name; defaults to the demand file's stem.
    """
    with NetboxExport(design, folder, manufacturers, site) as export:
        for row in rows:
            export.add(row)
    return export.paths


def _csv(handle, header: tuple[str, ...]):
    out = csv.writer(handle, lineterminator="\n")
    out.writerow(header)
    return out


class NetboxExport:
    """The NetBox files, written row by row as cabling rows are added (``add``); a context
    manager that closes them. Remembers the device names written, and each distinct text
    it has made a cell of (names, ports, racks and parts repeat across the plan)."""

    def __init__(self, design: dict, folder: Path,
                 manufacturers: Mapping[str, str] | None = None, site: str | None = None):
        folder = Path(folder)
        self.paths = [folder / DEVICES_FILE, folder / INTERFACES_FILE, folder / CABLES_FILE]
        self.multi = multi_fabric(design)
        self.fabrics = fabrics_by_name(design)
        self.manufacturers = manufacturers or {}
        self.site = text(site or site_name(design))
        self.cable_types = cable_types(design)
        self.seen: set[str] = set()
        self.text = Memo(text)
        self.lengths = Memo(two_decimals)
        self.names: dict[tuple, str] = {}
        self.speeds: dict[tuple, tuple[str, str]] = {}
        self._files = contextlib.ExitStack()  # closed by __exit__
        self.devices, self.interfaces, self.cables = (
            _csv(self._files.enter_context(
                open(path, "w", newline="", encoding="utf-8")), header)  # noqa: SIM115
            for path, header in zip(self.paths, (DEVICE_COLUMNS, INTERFACE_COLUMNS,
                                                 CABLE_COLUMNS), strict=True))

    def __enter__(self) -> NetboxExport:
        return self

    def __exit__(self, *exc) -> None:
        self._files.close()

    def add(self, row: Mapping) -> None:
        """One cabling row: a device row for an end not seen yet, an interface row per end,
        a cable row."""
        fabric = fabric_of(row, self.fabrics)
        ends = []
        for side in ("a", "z"):
            role, device = (row.get(f"{side}_role") or ""), (row.get(f"{side}_device") or "")
            key = (fabric["name"], role, device)
            name = self.names.get(key)
            if name is None:
                name = self.names[key] = text(device_name(self.multi, fabric, role, device))
            if name not in self.seen:
                self.seen.add(name)
                self.devices.writerow(self._device(row, fabric, side, name))
            ends.append(self._interface(row, fabric, side, name))
        self.interfaces.writerows(ends)
        self.cables.writerow(self._cable(row, fabric, ends[0], ends[1]))

    def _device(self, row: Mapping, fabric: dict, side: str, name: str) -> tuple:
        """The device row of one end (``a`` or ``z``) of a cable."""
        role = row.get(f"{side}_role") or ""
        model = device_model(fabric, role)
        position = row.get(f"{side}_ru") or ""
        rack = rack_name(self.multi, fabric, (row.get(f"{side}_rack") or ""))
        return (name, device_role(role), text(self.manufacturers.get(model, UNKNOWN_VENDOR)),
                text(model), STATUS, self.site, text(rack), text(position),
                FACE if position else "")

    def _interface(self, row: Mapping, fabric: dict, side: str, name: str) -> tuple:
        """The interface row of one end of a cable."""
        key = (fabric["name"], (row.get("speed_gbps") or ""))
        speed = self.speeds.get(key)
        if speed is None:
            speed_gbps = float(key[1] or fabric.get("port_speed_gbps", 0))
            speed = self.speeds[key] = (interface_type(fabric.get("protocol", ""), speed_gbps),
                                        str(round(speed_gbps * KBPS_PER_GBPS)))
        return (name, self.text[row.get(f"{side}_port") or ""], *speed, "true",
                self.text[row.get(f"{side}_transceiver") or ""])

    def _cable(self, row: Mapping, fabric: dict, a: tuple, z: tuple) -> tuple:
        medium = self.cable_types.get((fabric["name"], link_class(row)), "")
        return (a[0], TERMINATION_TYPE, a[1], z[0], TERMINATION_TYPE, z[1],
                row_cable_type(row, medium), STATUS, text(row.get("cable_id") or ""),
                length_m(row, fabric, self.lengths), "m", self.text[row.get("part") or ""])
