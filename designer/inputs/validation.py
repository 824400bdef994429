"""Validating parsed input against the schema: every problem collected, each said with its key
path (``fabrics[0].nodes: must be > 0``) and, for an unknown key, the closest known one."""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from designer.errors import InputError


def format_location(loc: Sequence[Any]) -> str:
    """``('switches', 3, 'ports')`` -> ``switches[3].ports``.

    A key that is not short printable ASCII is shown escaped and cut (``['a\\nb']``), so the
    path fits on the one headline line and a look-alike letter shows.
    """
    out = ""
    for part in loc:
        if part is None:
            continue
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith("function-"):
            continue
        elif isinstance(part, str) and _plain_key(part):
            out += f".{part}" if out else part
        elif isinstance(part, str):  # escaped, so a look-alike letter or a newline shows
            text = ascii(part[:41])
            out += f"[{text if len(text) <= 40 else text[:37] + '...'}]"
        else:
            out += f"[{_show(part)}]"
    return out or "(top level)"


_KEY_PATH_FIRST = re.compile(r"^[A-Za-z_]\w*(\[\d+\]|\.\w+)*: ")


def _plain_key(key: str) -> bool:
    return 0 < len(key) <= 64 and key.isascii() and key.isprintable()


PATTERN_MEANINGS = {
    r"^[^\x00-\x1f\x7f]+$": "must be printable text (no control characters such as newlines "
                             "or tabs)",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "must start with a letter or digit and hold only letters, "
                                    "digits, '_', '.' and '-' (it names files and devices)",
    r"^[A-Z]{3}$": "must be a currency's three-letter ISO 4217 code in capitals (EUR, GBP, JPY)",
}


def _explain(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "greater_than":
        return f"must be > {ctx.get('gt'):g}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge'):g}"
    if kind == "less_than":
        return f"must be < {ctx.get('lt'):g}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le'):g}"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        return PATTERN_MEANINGS.get(ctx.get("pattern"), f"must match {ctx.get('pattern')}")
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "too_short":
        return f"must list at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"must be a whole number, got {_show(value)}{_number_hint(value)}"
    if kind in ("float_type", "finite_number", "float_parsing"):
        return f"must be a finite number, got {_show(value)}{_number_hint(value)}"
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


def did_you_mean(name: str, known) -> str:
    """`` (did you mean 'X'?)`` for the known name closest to ``name``, or nothing.

    >>> did_you_mean("DGX-H100", ["DGX H100", "DGX B200"]), did_you_mean("x", ["y"])
    (" (did you mean 'DGX H100'?)", '')
    """
    close = difflib.get_close_matches(name, sorted(k for k in known if k), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_RATIO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*:\s*1\s*")
_WITH_UNIT = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*[A-Za-z%/][A-Za-z%/ ]*")
_QUOTED = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*")


def _number_hint(value: Any) -> str:
    """For text that is a number in disguise, the number to write: a ratio (``'4:1'``), a
    number with a unit (``'400G'``, ``'25 kW'``: the key's name gives the unit), or a number
    in quotes."""
    if not isinstance(value, str) or len(value) > 40:
        return ""
    if match := _RATIO.fullmatch(value):
        return f" (write {match[1]} for {match[1]}:1)"
    if match := _WITH_UNIT.fullmatch(value):
        return f" (write {match[1]}: the key's name gives the unit)"
    if match := _QUOTED.fullmatch(value):
        return f" (write {match[1]}, without quotes)"
    return ""


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 2, 4, 4, 4
_REPR.maxset, _REPR.maxfrozenset, _REPR.maxstring, _REPR.maxother = 4, 4, 38, 38
_REPR.maxlong = 38


def _show(value: Any, limit: int = 40) -> str:
    """A short one-line repr: bounded work however large or nested ``value`` is."""
    try:
        text = repr(value[: limit + 1]) if isinstance(value, str) else _REPR.repr(value)
    except ValueError:  # an int too long to print in decimal
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        suggested = set()  # (parent, key): a missing key an unknown key's hint already names
        for error in errors:
            if error["type"] == "extra_forbidden":
                key = str(error["loc"][-1])
                close = difflib.get_close_matches(key, _known_keys(model, error["loc"]), n=1)
                error["hint"] = close[0] if close else None
                suggested.add((tuple(error["loc"][:-1]), error["hint"]))
        for error in errors:
            if error["type"] == "missing" and (tuple(error["loc"][:-1]),
                                               error["loc"][-1]) in suggested:
                continue
            message = _explain(error)
            if error.get("hint"):
                message += f" (did you mean '{error['hint']}'?)"
            where = format_location(error["loc"])
            if not error["loc"] and _KEY_PATH_FIRST.match(message):
                problems.append(f"{label}: {message}")  # a cross-key check names its own keys
            else:
                problems.append(f"{label}: {where}: {message}")
        raise InputError(problems) from None
