"""Facts every exporter reads the same way from an output folder's ``design.json``.

Exporters see only what a design folder holds: ``design.json`` parsed into a dict, and the rows
of ``cabling.csv`` as dicts (``csv.DictReader``), read by column name. Optional columns
(``length_m``, ``a_rack``, ``a_ru``, ``cable_kind``, ``fiber``, ...) may be missing or empty;
the exporters read them as ``row.get(name) or default`` and fall back on ``design.json``.

Naming rules shared by the exporters:

- a device is named as in ``cabling.csv``; when ``design.json`` holds more than one fabric the
  name is prefixed with its fabric (``frontend-n0001``), so names are unique across fabrics;
  servers and racks are prefixed with their server set instead (``fabrics[i].servers``: the
  fabric itself, or a server group several fabrics share, whose servers are then one device);
- a device's role is ``server`` for a cabling ``node``, else the cabling role
  (``leaf``/``spine``/``core``);
- a link's class is ``<a_role>-<z_role>`` (``node-leaf``, ``leaf-spine``, ``spine-core``), the
  key of ``fabrics[i].media``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath

from designer.outputs.templating import neutralize

ROLE_BY_CABLING_ROLE = {"node": "server", "leaf": "leaf", "spine": "spine", "core": "core"}
MODE_KEY_BY_ROLE = {"leaf": "leaf_mode", "spine": "spine_mode", "core": "core_mode"}
DEFAULT_SERVER_MODEL = "gpu-server"
UNKNOWN_VENDOR = "unknown"

# Fiber class from catalog model names, first match wins (design.json records no fiber type).
# NVIDIA optics start MMA (multimode) or MMS (single-mode); fibers name their grade (OM4, OS2).
_FIBER_HINTS: tuple[tuple[str, str], ...] = (
    ("OM5", "mmf-om5"), ("OM4", "mmf-om4"), ("OM3", "mmf-om3"),
    ("OS2", "smf-os2"), ("OS1", "smf-os1"),
)
_VENDOR_FAMILY = {"MMA": "mmf", "MMS": "smf"}
_OPTIC_FAMILY = re.compile(r"(?:^|[^A-Z])\d*X?V?(SR|DR|FR|LR)\d?(?![A-Z])")
_FAMILY_FIBER = {"SR": "mmf", "DR": "smf", "FR": "smf", "LR": "smf"}
_DIRECT_TYPES = {"dac": "dac-passive", "acc": "dac-active", "aoc": "aoc"}


def multi_fabric(design: Mapping) -> bool:
    """True when names need a fabric prefix to be unique."""
    return len(design.get("fabrics", [])) > 1


def prefixed(multi: bool, fabric: str, name: str) -> str:
    """``name`` made unique across fabrics: ``<fabric>-<name>`` when ``multi`` (several)."""
    return f"{fabric}-{name}" if multi and name else name


def device_name(multi: bool, fabric: Mapping, role: str, name: str) -> str:
    """A device's name across fabrics: a server by its server set (the same server in every
    fabric that connects it), a switch by its fabric (unless its name already starts so)."""
    owner = fabric.get("servers", fabric["name"]) if role == "node" else fabric["name"]
    if role != "node" and name.startswith(f"{owner}-"):
        return name
    return prefixed(multi, owner, name)


def rack_name(multi: bool, fabric: Mapping, rack: str) -> str:
    """A rack's name across fabrics: racks belong to the hall of the fabric's server set."""
    return prefixed(multi, fabric.get("servers", fabric["name"]), rack)


def fabrics_by_name(design: Mapping) -> dict[str, dict]:
    """``fabrics[i]`` of ``design.json`` keyed by name."""
    return {f["name"]: f for f in design.get("fabrics", [])}


def fabric_of(row: Mapping[str, str | None], fabrics: Mapping[str, dict]) -> dict:
    """The ``design.json`` fabric of a cabling row; the only one when ``fabric`` is missing.

    Raises ``ValueError`` when the row names a fabric ``design.json`` does not hold.
    """
    name = row.get("fabric") or ""
    if name in fabrics:
        return fabrics[name]
    if not name and len(fabrics) == 1:
        return next(iter(fabrics.values()))
    raise ValueError(f"cabling row {row.get('cable_id') or '?'}: fabric {name!r} is not in "
                     "design.json")


def site_name(design: Mapping) -> str:
    """The site a design lands in: the demand file's stem (``dgx-superpod-4su``)."""
    file_name = design.get("demand", {}).get("file") or "designer"
    return PurePath(file_name).stem or "designer"


def device_role(cabling_role: str) -> str:
    """``server`` for a cabling ``node``, else the switch role itself."""
    return ROLE_BY_CABLING_ROLE.get(cabling_role, cabling_role)


def device_model(fabric: Mapping, cabling_role: str) -> str:
    """The switch model of a role (``structure.<role>_mode`` before ``@``) or the server model.

    >>> device_model({"structure": {"leaf_mode": "MQM9700-NS2F@400x64"}}, "leaf")
    'MQM9700-NS2F'
    >>> device_model({}, "node")
    'gpu-server'
    """
    if cabling_role == "node":
        return (fabric.get("server") or {}).get("model") or DEFAULT_SERVER_MODEL
    mode = fabric.get("structure", {}).get(MODE_KEY_BY_ROLE.get(cabling_role, ""), "")
    if mode:
        return mode.split("@", 1)[0]
    models = sorted(fabric.get("switches", {}).get(cabling_role, {}))
    return models[0] if models else cabling_role


def link_class(row: Mapping[str, str | None]) -> str:
    """``node-leaf``, ``leaf-spine`` or ``spine-core`` from the roles at both ends."""
    return f"{row.get('a_role') or ''}-{row.get('z_role') or ''}"


def cable_type(medium: Mapping | None) -> str:
    """NetBox cable type of a ``fabrics[i].media[class]`` entry; ``""`` when it cannot tell.

    Direct cables map by kind (``dac`` -> ``dac-passive``, ``acc`` -> ``dac-active``, ``aoc``);
    optics and plain fiber take the medium's ``fiber`` key when present, else the fiber grade in
    the cable name (OM3-5, OS1-2), else the optic family (``MMA``/``SR`` multimode,
    ``MMS``/``DR``/``FR``/``LR`` single-mode).

    >>> cable_type({"kind": "dac", "cable": "MCP7Y00-N002"})
    'dac-passive'
    >>> cable_type({"kind": "optics", "cable": "MPO-12/APC OM4 8-fiber 30 m",
    ...             "transceivers": ["A", "B"]})
    'mmf-om4'
    >>> cable_type({"kind": "optics", "cable": "MFP7E10-N020",
    ...             "transceivers": ["MMA4Z00-NS", "MMA4Z00-NS"]})
    'mmf'
    """
    if not medium:
        return ""
    kind = medium.get("kind", "")
    if kind in _DIRECT_TYPES:
        return _DIRECT_TYPES[kind]
    if medium.get("fiber") in ("mmf", "smf"):
        return medium["fiber"]
    cable = str(medium.get("cable", "")).upper()
    for hint, value in _FIBER_HINTS:
        if hint in cable:
            return value
    for model in (*medium.get("transceivers", ()), medium.get("cable", "")):
        upper = str(model).upper()
        if upper[:3] in _VENDOR_FAMILY:
            return _VENDOR_FAMILY[upper[:3]]
        match = _OPTIC_FAMILY.search(upper)
        if match:
            return _FAMILY_FIBER[match.group(1)]
    return ""


def row_cable_type(row: Mapping[str, str | None], medium_type: str) -> str:
    """A cabling row's NetBox cable type: its ``cable_kind``/``fiber`` columns when present.

    ``medium_type`` is :func:`cable_type` of the row's class; it supplies the fiber grade when
    it agrees with the row's fiber, and the whole answer for plans without those columns.

    >>> row_cable_type({"cable_kind": "fiber", "fiber": "mmf"}, "mmf-om4")
    'mmf-om4'
    >>> row_cable_type({"cable_kind": "fiber", "fiber": "smf"}, "mmf")
    'smf'
    >>> row_cable_type({}, "aoc")
    'aoc'
    """
    kind = row.get("cable_kind") or ""
    if kind in _DIRECT_TYPES:
        return _DIRECT_TYPES[kind]
    fiber = row.get("fiber") or ""
    if fiber in ("mmf", "smf"):
        return medium_type if medium_type.startswith(fiber) else fiber
    return medium_type


def cable_types(design: Mapping) -> dict[tuple[str, str], str]:
    """``{(fabric, link class): NetBox cable type}`` for every medium in ``design.json``."""
    return {(f["name"], cls): cable_type(medium)
            for f in design.get("fabrics", []) for cls, medium in f.get("media", {}).items()}


def text(value: object) -> str:
    """A CSV text cell: ``None`` is empty, formula triggers are neutralized."""
    return "" if value is None else neutralize(str(value))


def length_m(row: Mapping[str, str | None], fabric: Mapping,
             written: Mapping[str, str] | None = None) -> str:
    """The cable's length in metres with 2 decimals: ``length_m``, else the class's worst run
    (``written``: a :class:`Memo` of :func:`two_decimals`, for speed)."""
    value = row.get("length_m") or ""
    if not value:
        worst = fabric.get("media", {}).get(link_class(row), {}).get("worst_length_m")
        value = "" if worst is None else str(worst)
    return two_decimals(value) if written is None else written[value]


def two_decimals(value: str) -> str:
    """A number written with 2 decimals; ``""`` for empty or unreadable text.

    >>> two_decimals("2.822"), two_decimals(""), two_decimals("n/a")
    ('2.82', '', '')
    """
    try:
        return f"{float(value):.2f}" if value else ""
    except ValueError:
        return ""


def natural_key(name: str) -> tuple:
    """Sort key that orders ``p2`` before ``p10`` and ``p9/2`` before ``p10/1``.

    >>> sorted(["p10", "p9/2", "p2"], key=natural_key)
    ['p2', 'p9/2', 'p10']
    """
    parts: list[tuple[int, int | str]] = []
    digits = ""
    letters = ""
    for char in name:
        if char.isdigit():
            if letters:
                parts.append((1, letters))
                letters = ""
            digits += char
        else:
            if digits:
                parts.append((0, int(digits)))
                digits = ""
            letters += char
    if digits:
        parts.append((0, int(digits)))
    if letters:
        parts.append((1, letters))
    return tuple(parts)
