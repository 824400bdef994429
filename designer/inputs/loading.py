"""Reading catalogs and demands from YAML: safe, bounded, and with every problem reported.

File access lives here and nowhere in the engine. Each loader returns a frozen value
(:class:`~designer.inputs.catalog.Catalog`, :class:`~designer.inputs.demand.Demand`) or raises
one :class:`InputError` listing every problem as ``<file>: <key path>: <what is wrong>``.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from designer.errors import InputError
from designer.inputs.catalog import PART_KINDS, Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile, DemandFile
from designer.inputs.validation import _show, did_you_mean, format_location, validate
from designer.resources import shipped

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_YAML_ALIASES = 200
MAX_YAML_DEPTH = 64
MAX_YAML_EXPANDED = 2 * MAX_INPUT_BYTES
MAX_NUMBER_CHARS = 100

_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}": name
                for name in ("null", "bool", "int", "float", "binary", "timestamp", "str")}


class _YamlKeyError(yaml.YAMLError):
    """A YAML problem that has a key path (a duplicate key)."""

    def __init__(self, path: Sequence[Any], message: str):
        super().__init__(message)
        self.path = path
        self.message = message


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings and refuses what could exhaust time or memory.

    Refused: more than ``MAX_YAML_ALIASES`` aliases; aliases that expand the document past
    ``MAX_YAML_EXPANDED`` (billion laughs) or into a cycle; nesting deeper than
    ``MAX_YAML_DEPTH``; numbers longer than ``MAX_NUMBER_CHARS``; and duplicate keys, which
    YAML would otherwise resolve silently to the last one.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases_seen = 0
        self._path: list[Any] = []

    def compose_document(self):
        node = super().compose_document()
        if self._aliases_seen:
            _check_expansion(node)
        return node

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases_seen += 1
            if self._aliases_seen > MAX_YAML_ALIASES:
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_YAML_ALIASES} YAML aliases",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        if len(self._path) >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep",
                self.peek_event().start_mark)
        part = index  # a list index, or for a mapping value its key (a complex key as "?")
        if isinstance(index, yaml.Node):
            part = index.value if isinstance(index, yaml.ScalarNode) else "?"
        self._path.append(part)
        try:
            return super().compose_node(parent, index)
        finally:
            self._path.pop()

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            first = seen.setdefault((key.tag, key.value), key)
            if first is not key:
                lines = sorted({first.start_mark.line + 1, key.start_mark.line + 1})
                where = " and ".join(str(n) for n in lines)
                raise _YamlKeyError(
                    [*self._path, key.value],
                    f"duplicate key (line{'s' * (len(lines) > 1)} {where}; YAML would silently "
                    "keep only the last)")
        return node


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it past the limits, or into a cycle.

    Sizes are counted once per node (aliases share nodes), iteratively, so neither an alias bomb
    nor a deep chain of aliases costs more than the nodes actually written.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            active.discard(key)
            size[key] = 1 + (len(node.value) if isinstance(node, yaml.ScalarNode)
                             else sum(size[id(c)] for c in children))
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_YAML_EXPANDED:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand the document to more than "
                    f"{MAX_YAML_EXPANDED // (1024 * 1024)} MiB", node.start_mark)
            if depth[key] > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases nest the document more than {MAX_YAML_DEPTH} "
                    "levels deep", node.start_mark)
            continue
        if key in size:
            continue
        if key in active:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to a node that contains it (a cycle)",
                node.start_mark)
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _bounded_scalar(tag: str, construct):
    """Wrap a scalar constructor: bounded numbers, and any failure becomes a YAML error."""
    name = _SCALAR_TAGS[tag]

    def bounded(loader, node):
        if name in ("int", "float") and len(node.value) > MAX_NUMBER_CHARS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number longer than {MAX_NUMBER_CHARS} characters",
                node.start_mark)
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"{_show(node.value)} is not a valid {name}",
                node.start_mark) from None

    return bounded


for _tag in _SCALAR_TAGS:
    _BoundedSafeLoader.add_constructor(
        _tag, _bounded_scalar(_tag, yaml.SafeLoader.yaml_constructors[_tag]))

# Dates stay strings: `as_of: 2025-06-01` is a label, not a datetime.
_BoundedSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}



def shipped_catalog_names() -> list[str]:
    """Names of the catalogs shipped with the package (file stems), sorted."""
    folder = shipped("catalogs")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _shipped_catalog_text(name: str) -> str:
    return shipped("catalogs").joinpath(f"{name}.yaml").read_text("utf-8")


def read_yaml(text: str, label: str) -> Any:
    """Parse YAML text safely; errors become an InputError naming ``label``."""
    if len(text.encode("utf-8", "replace")) > MAX_INPUT_BYTES:
        raise InputError(f"{label}: file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    try:
        return yaml.load(text, Loader=_BoundedSafeLoader)  # bounded SafeLoader
    except _YamlKeyError as exc:
        raise InputError(f"{label}: {format_location(exc.path)}: {exc.message}") from None
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}: "
        reason = getattr(exc, "problem", None) or (str(exc).splitlines() or [""])[0]
        context = getattr(exc, "context", None)
        if context and not context.startswith("while"):
            reason = f"{context}, {reason}"  # "expected a single document..., but found..."
        raise InputError(f"{label}: {where}not valid YAML: {reason}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
            RecursionError) as exc:  # a safety net: PyYAML's own bugs on odd input
        raise InputError(f"{label}: not valid YAML: {type(exc).__name__}: "
                         f"{_show(str(exc))}") from None


def read_yaml_file(path: str | Path) -> Any:
    """Read and parse one YAML file, bounded as the loaders are (for a caller that peeks)."""
    return read_yaml(_read_file(Path(path)), str(path))


def _read_file(path: Path) -> str:
    """The text of ``path``, read at most ``MAX_INPUT_BYTES`` (+1) so no file can exhaust memory."""
    try:
        if stat.S_ISDIR(path.stat().st_mode):
            raise InputError(f"{path}: is a folder, not a file")
        with path.open("rb") as stream:
            data = stream.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start}); save the file as UTF-8") from None



def load_catalog(paths: Iterable[str | Path] | str | Path | None = None) -> Catalog:
    """Load and merge catalogs.

    Parameters
    ----------
    paths
        Catalog files, or names of shipped catalogs (``"nvidia-infiniband"``). ``None`` loads
        every shipped catalog.

    Raises
    ------
    InputError
        Listing every schema problem, and every model name defined twice (naming both files).

    Examples
    --------
    >>> catalog = load_catalog(["nvidia-infiniband"])
    >>> "MQM9700-NS2F" in catalog.switches  # NVIDIA Quantum-2 QM9700, by its ordering code
    True
    >>> catalog.switches["MQM9700-NS2F"].ports  # 64 x 400G in 32 twin-port OSFP cages
    64
    """
    if paths is None:
        paths = shipped_catalog_names()
    elif isinstance(paths, str | Path):
        paths = [paths]
    files: list[tuple[str, CatalogFile]] = []
    problems: list[str] = []
    digest = hashlib.sha256()
    for entry in paths:
        label, text = _catalog_source(entry)
        digest.update(text.encode() + b"\0")  # content only: the same files hash the same
        try:
            data = read_yaml(text, label)
            _not_the_other_kind(data, label, wanted="catalog")
            files.append((label, validate(CatalogFile, data, label)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return Catalog.merge(files, digest=digest.hexdigest())


def _catalog_source(entry: str | Path) -> tuple[str, str]:
    path = Path(entry)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in str(entry):
        if not path.exists() and path.stem in shipped_catalog_names():
            raise InputError(f"{entry}: no such file; the shipped catalog is named "
                             f"'{path.stem}' (no folder, no .yaml)")
        return str(entry), _read_file(path)
    name = str(entry)
    if name not in shipped_catalog_names():
        shipped = ", ".join(shipped_catalog_names())
        raise InputError(f"{name}: no such catalog file or shipped catalog (shipped: {shipped})")
    return f"{name}.yaml (shipped)", _shipped_catalog_text(name)


def load_demand(path: str | Path) -> Demand:
    """Load and validate a demand file.

    Raises
    ------
    InputError
        Listing every problem with its key path, e.g. ``fabrics[0].nodes: must be > 0``.
    """
    path = Path(path)
    text = _read_file(path)
    data = read_yaml(text, str(path))
    _not_the_other_kind(data, str(path), wanted="demand")
    spec = validate(DemandFile, data, str(path))
    return Demand(spec=spec, path=str(path), digest=hashlib.sha256(text.encode()).hexdigest())


def _not_the_other_kind(data: Any, label: str, wanted: str) -> None:
    """Say so plainly when a demand is given where a catalog goes, or the reverse (a mapping
    with ``fabrics:`` and no part lists is a demand; part lists and no ``fabrics:``, a
    catalog), instead of listing every key as unknown."""
    if not isinstance(data, dict):
        return
    parts = [key for key in PART_KINDS if key in data]
    if wanted == "catalog" and "fabrics" in data and not parts:
        raise InputError(f"{label}: is a demand (it has 'fabrics:'), not a catalog: give it as "
                         "DEMAND.yaml, and catalogs with --catalog or its 'catalogs:' list")
    if wanted == "demand" and parts and "fabrics" not in data:
        raise InputError(f"{label}: is a catalog (it lists {', '.join(parts)}), not a demand: "
                         "give it with --catalog, or list it under a demand's 'catalogs:'")


def demand_catalogs(demand: Demand) -> list[str]:
    """The catalogs a demand asks for: shipped names as they are, paths relative to the demand.

    Raises
    ------
    InputError
        For an empty list, a file that does not exist, an unknown shipped name or an entry
        listed twice, each with its key path (``catalogs[1]``) in the demand.
    """
    if demand.spec.catalogs is None:
        return shipped_catalog_names()
    where = f"{demand.path}: catalogs"
    if not demand.spec.catalogs:
        raise InputError(f"{where}: must list at least one catalog (or be left out for all "
                         "shipped catalogs)")
    base = Path(demand.path).parent
    shipped = shipped_catalog_names()
    out: list[str] = []
    problems = []
    for i, entry in enumerate(demand.spec.catalogs):
        if "/" in entry or entry.endswith((".yaml", ".yml")):
            candidate = base / entry
            if not candidate.exists():
                hint = (f"; the shipped catalog is named '{Path(entry).stem}'"
                        if Path(entry).stem in shipped else "")
                problems.append(f"{where}[{i}]: no such catalog file "
                                f"{_show(str(candidate), 200)}{hint}")
            elif candidate.is_dir():
                problems.append(f"{where}[{i}]: {_show(str(candidate), 200)} is a folder, not "
                                "a catalog file")
            resolved = str(candidate)
        else:
            if entry not in shipped:
                problems.append(f"{where}[{i}]: unknown shipped catalog {_show(entry, 200)}"
                                f"{did_you_mean(entry, shipped)}; "
                                f"shipped: {', '.join(shipped)} (a file needs .yaml or a /)")
            resolved = entry
        if resolved in out:
            problems.append(f"{where}[{i}]: {_show(entry, 200)} is listed twice")
        out.append(resolved)
    if problems:
        raise InputError(problems)
    return out
