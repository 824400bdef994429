"""Reading catalogs and demands from YAML: safe, bounded, and with every problem reported.

File access lives here and nowhere in the engine. Each loader returns a frozen value
(:class:`~designer.catalog.Catalog`, :class:`Demand`) or raises one :class:`InputError` listing
every problem as ``<file>: <key path>: <what is wrong>``.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from designer.catalog import Catalog
from designer.errors import InputError
from designer.schema import CatalogFile, DemandFile

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_YAML_ALIASES = 200


class _BoundedSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings and refuses alias bombs."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases_seen = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases_seen += 1
            if self._aliases_seen > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


# Dates stay strings: `as_of: 2025-06-01` is a label, not a datetime.
_BoundedSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Demand:
    """A validated demand and where it came from."""

    spec: DemandFile
    path: str
    digest: str

    @property
    def fabrics(self):
        return self.spec.fabrics

    @property
    def site(self):
        return self.spec.site


def shipped_catalog_names() -> list[str]:
    """Names of the catalogs shipped with the package (file stems), sorted."""
    folder = resources.files("designer.catalogs")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _shipped_catalog_text(name: str) -> str:
    return resources.files("designer.catalogs").joinpath(f"{name}.yaml").read_text("utf-8")


def read_yaml(text: str, label: str) -> Any:
    """Parse YAML text safely; errors become an InputError naming ``label``."""
    if len(text.encode("utf-8", "replace")) > MAX_INPUT_BYTES:
        raise InputError(f"{label}: file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    try:
        return yaml.load(text, Loader=_BoundedSafeLoader)  # bounded SafeLoader
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}: "
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{label}: {where}not valid YAML: {reason}") from None


def _read_file(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path}: file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def format_location(loc: Sequence[Any]) -> str:
    """``('switches', 3, 'ports')`` -> ``switches[3].ports``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _explain(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "greater_than":
        return f"must be > {ctx.get('gt'):g}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge'):g}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le'):g}"
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in ("int_type", "int_from_float"):
        return f"must be a whole number, got {_show(value)}"
    if kind in ("float_type", "finite_number"):
        return f"must be a finite number, got {_show(value)}"
    if kind == "string_type":
        return f"must be text, got {_show(value)}"
    if kind == "bool_type":
        return f"must be true or false, got {_show(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, got {_show(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of keys, got {_show(value)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {_show(value)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"][0].lower() + error["msg"][1:]


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _known_keys(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys allowed at ``loc`` (for did-you-mean), walking nested models."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(model: type[BaseModel], data: Any, label: str) -> Any:
    """Validate parsed YAML against ``model``; every problem in one InputError."""
    if data is None:
        raise InputError(f"{label}: file is empty")
    if not isinstance(data, dict):
        raise InputError(f"{label}: top level must be a mapping of keys, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        errors = exc.errors()
        if len(errors) > 1:  # a list emptied by its own invalid items is not news
            errors = [e for e in errors if e["type"] != "too_short"] or errors
        for error in errors:
            path = format_location(error["loc"])
            message = _explain(error, model)
            if error["type"] == "extra_forbidden":
                key = str(error["loc"][-1])
                close = difflib.get_close_matches(key, _known_keys(model, error["loc"]), n=1)
                if close:
                    message += f" (did you mean '{close[0]}'?)"
            problems.append(f"{label}: {path}: {message}")
        raise InputError(problems) from None


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
    >>> "QM9700" in catalog.switches
    True
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
            files.append((label, validate(CatalogFile, read_yaml(text, label), label)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return Catalog.merge(files, digest=digest.hexdigest())


def _catalog_source(entry: str | Path) -> tuple[str, str]:
    path = Path(entry)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in str(entry):
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
    spec = validate(DemandFile, read_yaml(text, str(path)), str(path))
    return Demand(spec=spec, path=str(path), digest=hashlib.sha256(text.encode()).hexdigest())


def demand_catalogs(demand: Demand) -> list[str]:
    """The catalogs a demand asks for: shipped names as they are, paths relative to the demand."""
    if demand.spec.catalogs is None:
        return shipped_catalog_names()
    base = Path(demand.path).parent
    out = []
    for entry in demand.spec.catalogs:
        candidate = base / entry
        out.append(str(candidate) if ("/" in entry or entry.endswith((".yaml", ".yml")))
                   else entry)
    return out
