"""A containerlab topology (``*.clab.yml``) of a design, or of a small replica of it.

Format (containerlab topology definition file)::

    name: <lab>
    topology:
      defaults: {kind: linux}
      kinds: {linux: {image: alpine:latest}}
      nodes:
        "n0001": {group: server}
      links:
        - endpoints: ["n0001:eth1", "g001-leaf:eth1"]  # c0000001 n0001:nic1 -- g001-leaf:p1

Every device is a plain ``linux`` container running ``alpine:latest``, switches included: the
lab reproduces the wiring (which port meets which), not the switch software, and needs no
vendor image. Swap the kind per node (``nokia_srlinux``, ``arista_ceos``, ...) to run a NOS.

Names: devices keep their cabling names (fabric-prefixed when there are several fabrics), with
characters outside ``[A-Za-z0-9_.-]`` replaced by ``-``. Each device's cabled ports, in natural
port order (``p2`` before ``p10``, ``p9/2`` before ``p10/1``), become ``eth1`` .. ``ethN``
(``eth0`` is containerlab's management interface); every link's comment names the original
ports. Links follow the cabling plan's order.

Designs with more devices than ``max_nodes`` give a *scaled-down replica* that keeps the shape:
planes 1-2, rails 1-2, two leaf groups (for 3 tiers the second group is the first one in pod 2),
two nodes per group, each kept leaf's first two uplink switches (spines of its pod) and each
kept spine's first core, with every link among the kept devices (parallel links included). The
replica relies on the plan's row order within a plane (node links, then leaf-spine, then
spine-core); a ``# scaled-down replica: ...`` comment gives the full and the kept counts.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from designer.exports.common import (
    device_name,
    device_role,
    fabric_of,
    fabrics_by_name,
    multi_fabric,
    natural_key,
    prefixed,
    site_name,
)

KIND = "linux"
IMAGE = "alpine:latest"
KEEP = 2                       # planes, rails, leaf groups, nodes per group, uplinks per leaf
CORES_PER_SPINE = 1            # uplinks kept per spine in a 3-tier replica
ROLE_ORDER = ("server", "leaf", "spine", "core")
COMMENT_WIDTH = 98
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Link = tuple[str, str, str, str, str]   # a device, a port, z device, z port, cable id


def device_counts(design: Mapping) -> Counter:
    """Devices per role in ``design.json``: nodes as ``server``, switches summed over models."""
    counts: Counter = Counter()
    for fabric in design.get("fabrics", []):
        counts["server"] += fabric.get("nodes", 0)
        for role, models in fabric.get("switches", {}).items():
            counts[role] += sum(models.values())
    return counts


def write_containerlab(design: dict, rows: Iterable[dict], path: Path,
                       max_nodes: int = 64) -> Path:
    """Write a containerlab topology of the design (or of a replica) to ``path``.

    Parameters
    ----------
    design
        ``design.json``, parsed.
    rows
        ``cabling.csv`` rows as dicts, consumed once (only kept links are held in memory).
    path
        The ``.clab.yml`` file to write.
    max_nodes
        Largest lab to write in full; a bigger design gives the scaled-down replica.

    Raises
    ------
    ValueError
        The replica itself has more than ``max_nodes`` devices (many fabrics or a tiny limit).
    """
    export = ContainerlabExport(design, path, max_nodes)
    for row in rows:
        export.add(row)
    return export.finish()


class ContainerlabExport:
    """The lab, gathered as cabling rows are added (``add``: only the links kept) and written
    by ``finish``."""

    def __init__(self, design: dict, path: Path, max_nodes: int = 64):
        self.design, self.path, self.max_nodes = design, Path(path), max_nodes
        self.full_counts = device_counts(design)
        self.scaled = sum(self.full_counts.values()) > max_nodes
        self.selector = _Replica(design) if self.scaled else None
        self.multi = multi_fabric(design)
        self.fabrics = fabrics_by_name(design)
        self.roles: dict[str, str] = {}
        self.links: list[Link] = []
        self.total_links = 0

    def add(self, row: Mapping) -> None:
        self.total_links += 1
        spec = fabric_of(row, self.fabrics)
        if self.selector is None or self.selector.keep(row, spec["name"]):
            self.links.append(_link(self.multi, spec, row, self.roles))

    def finish(self) -> Path:
        """Write the lab; returns its path."""
        if len(self.roles) > self.max_nodes:
            raise ValueError(f"the containerlab replica has {len(self.roles)} devices, more "
                             f"than max_nodes={self.max_nodes}")
        header = _header(self.design, self.full_counts, self.roles, len(self.links),
                         self.total_links, self.scaled)
        self.path.write_text(_render(site_name(self.design), header, self.roles, self.links),
                             "utf-8")
        return self.path


def _link(multi: bool, fabric: Mapping, row: Mapping, roles: dict[str, str]) -> Link:
    """One cabling row as a link between fabric-prefixed devices; records both roles."""
    a = device_name(multi, fabric, (row.get("a_role") or ""), (row.get("a_device") or ""))
    z = device_name(multi, fabric, (row.get("z_role") or ""), (row.get("z_device") or ""))
    roles.setdefault(a, device_role(row.get("a_role") or ""))
    roles.setdefault(z, device_role(row.get("z_role") or ""))
    return (a, row.get("a_port") or "", z, row.get("z_port") or "",
            row.get("cable_id") or "")


class _Replica:
    """Decides, row by row, whether a cabling row belongs to the scaled-down replica."""

    def __init__(self, design: Mapping):
        self.multi = multi_fabric(design)
        self.fabrics = fabrics_by_name(design)
        self.node_ordinals: dict[str, dict[str, int]] = defaultdict(dict)
        self.kept_ordinals = {name: kept_node_ordinals(f) for name, f in self.fabrics.items()}
        self.kept: set[str] = set()
        self.uplinks: dict[str, set[str]] = defaultdict(set)

    def keep(self, row: Mapping, fabric: str) -> bool:
        a = prefixed(self.multi, fabric, (row.get("a_device") or ""))
        z = prefixed(self.multi, fabric, (row.get("z_device") or ""))
        a_role = row.get("a_role") or ""
        if a_role == "node":
            return self._keep_node_link(row, fabric, (row.get("a_device") or ""), a, z)
        if int(row.get("plane") or "1") > KEEP:
            return False
        return self._keep_uplink(a, z, KEEP if a_role == "leaf" else CORES_PER_SPINE)

    def _keep_node_link(self, row: Mapping, fabric: str, node: str, a: str, z: str) -> bool:
        ordinals = self.node_ordinals[fabric]
        ordinal = ordinals.setdefault(node, len(ordinals))
        if (ordinal not in self.kept_ordinals.get(fabric, ())
                or int(row.get("plane") or "1") > KEEP
                or int(row.get("rail") or "1") > KEEP):
            return False
        self.kept.update((a, z))
        return True

    def _keep_uplink(self, lower: str, upper: str, limit: int) -> bool:
        """Keep a link from a kept device up to a kept one, or to a new one within ``limit``."""
        if lower not in self.kept:
            return False
        linked = self.uplinks[lower]
        if upper not in self.kept:
            if len(linked) >= limit:
                return False
            self.kept.add(upper)
        linked.add(upper)
        return True


def kept_node_ordinals(fabric: Mapping) -> set[int]:
    """0-based node numbers the replica keeps: ``KEEP`` nodes in each of two leaf groups.

    >>> sorted(kept_node_ordinals({"tiers": 2, "nodes": 128, "structure":
    ...     {"nodes_per_leaf_group": 32, "leaf_groups": 4}}))
    [0, 1, 32, 33]
    """
    nodes = fabric.get("nodes", 0)
    structure = fabric.get("structure", {})
    if fabric.get("tiers", 1) == 1 or "nodes_per_leaf_group" not in structure:
        return set(range(min(KEEP, nodes)))
    group_nodes = structure["nodes_per_leaf_group"]
    groups = [0]
    second = _second_group(fabric)
    if second < structure.get("leaf_groups", 1):
        groups.append(second)
    return {g * group_nodes + j for g in groups for j in range(KEEP) if g * group_nodes + j < nodes}


def _second_group(fabric: Mapping) -> int:
    """The second kept leaf group: the next one, or for 3 tiers the first group of pod 2."""
    structure = fabric.get("structure", {})
    if fabric.get("tiers") != 3:
        return 1
    leaves_per_group = (fabric.get("endpoints_per_node", 1)
                        if fabric.get("layout") == "rail-optimized" else 1)
    leaves_per_pod = structure.get("leaves_per_pod", leaves_per_group)
    return max(1, -(-leaves_per_pod // leaves_per_group))


def _header(design: Mapping, full: Counter, roles: Mapping[str, str], links: int,
            total_links: int, scaled: bool) -> list[str]:
    demand = design.get("demand", {}).get("file", "")
    lines = [f"containerlab topology of {demand or 'a design'} (designer "
             f"{design.get('designer_version', '')}).",
             f"Every device is a `{KIND}` container ({IMAGE}), switches included: the lab "
             "reproduces the wiring, not the switch software.",
             "Interfaces eth1..ethN follow each device's cabled ports in port order; eth0 is "
             "management."]
    if scaled:
        kept = Counter(roles.values())
        per_role = ", ".join(f"{role} {kept[role]:,} of {full[role]:,}"
                             for role in ROLE_ORDER if full[role])
        lines.append(f"scaled-down replica: {len(roles):,} of {sum(full.values()):,} devices "
                     f"({per_role}) and {links:,} of {total_links:,} links; kept {_rule(design)}.")
    return lines


def _rule(design: Mapping) -> str:
    """What the replica keeps, said for the deepest fabric of the design."""
    tiers = max((f.get("tiers", 1) for f in design.get("fabrics", [])), default=1)
    rule = f"planes 1-{KEEP}, rails 1-{KEEP}, "
    if tiers == 1:
        return rule + f"the first {KEEP} nodes"
    rule += (f"{KEEP} leaf groups{' in 2 pods' if tiers == 3 else ''}, {KEEP} nodes per group, "
             f"{KEEP} uplink switches per leaf")
    return rule + (f", {CORES_PER_SPINE} core per spine" if tiers == 3 else "")


def _render(lab: str, header: list[str], roles: Mapping[str, str], links: list[Link]) -> str:
    names = _node_names(roles)
    eth = _interface_names(links)
    out = [f"# {part}" for line in header
           for part in textwrap.wrap(_comment(line), COMMENT_WIDTH)]
    out += [f"name: {_quote(_safe(lab) or 'designer')}", "topology:",
            "  defaults:", f"    kind: {KIND}", "  kinds:", f"    {KIND}:",
            f"      image: {IMAGE}", "  nodes:"]
    out += [f"    {_quote(names[d])}: {{group: {roles[d]}}}" for d in _node_order(roles)]
    out.append("  links:" if links else "  links: []")
    for a, a_port, z, z_port, cable_id in links:
        ends = (f"{_quote(f'{names[a]}:{eth[a, a_port]}')}, "
                f"{_quote(f'{names[z]}:{eth[z, z_port]}')}")
        note = _comment(f"{cable_id} {a}:{a_port} -- {z}:{z_port}")
        out.append(f"    - endpoints: [{ends}]  # {note}")
    return "\n".join(out) + "\n"


def _node_order(roles: Mapping[str, str]) -> list[str]:
    """Devices by role (servers, leaves, spines, cores), then in natural name order."""
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    return sorted(roles, key=lambda d: (rank.get(roles[d], len(rank)), natural_key(d)))


def _node_names(roles: Mapping[str, str]) -> dict[str, str]:
    """A containerlab-safe, unique name per device (``-2``, ``-3`` on a clash after cleaning)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for device in roles:
        base = _safe(device) or "device"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        names[device] = name
    return names


def _interface_names(links: list[Link]) -> dict[tuple[str, str], str]:
    """``eth1`` .. ``ethN`` per device, in natural order of its cabled ports."""
    ports: dict[str, set[str]] = defaultdict(set)
    for a, a_port, z, z_port, _ in links:
        ports[a].add(a_port)
        ports[z].add(z_port)
    return {(device, port): f"eth{i}" for device, names in ports.items()
            for i, port in enumerate(sorted(names, key=natural_key), start=1)}


def _safe(name: str) -> str:
    return _UNSAFE.sub("-", name)


def _quote(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value)


def _comment(value: str) -> str:
    return _CONTROL.sub(" ", value)
