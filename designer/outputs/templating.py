"""The one Jinja2 environment every text output is rendered with, and its filters.

Templates are looked up first in the user's folder (``--templates DIR``), then in the package's
own ``templates/`` (found by :func:`designer.resources.shipped`, from an installed wheel, an
editable install or a plain checkout). Undefined names are errors
(``StrictUndefined``); autoescaping is on only for HTML and XML templates.

Filters (all pure, all tested):

=============  ============================  ==========================================
filter         example                       meaning
=============  ============================  ==========================================
``usd``        ``1234567 -> $1,234,567``     dollars; cents only when not whole
``thousands``  ``1234 -> 1,234``             grouped number
``gbps``       ``1600 -> 1.6T``              a port speed in Gb/s, with G/T/P suffix
``bandwidth``  ``204800 -> 204.8 Tb/s``      an aggregate bandwidth in Gb/s, with its unit
``pct``        ``0.4867 -> 48.7%``           a fraction as a percentage
``fixed``      ``1234.5 -> 1234.50``         fixed point, no grouping (for CSV numbers)
``csv``        ``=1+1 -> "'=1+1"``           one CSV text field, quoted and neutralized
``md``         ``a|b -> a\\|b``              untrusted text made inert inside Markdown
=============  ============================  ==========================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from designer.errors import InputError
from designer.resources import shipped
from designer.results.money import DOLLARS, Money

AUTOESCAPE_EXTENSIONS = (".html", ".htm", ".xml")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|#])")


# --------------------------------------------------------------------------------------------
# Filters


def usd(value: float | None) -> str:
    """Dollars with thousands separators: ``$1,234,567``, or ``$1,234.50`` when not whole
    (``money.Money.text`` in dollars).

    >>> usd(1234567), usd(1234.5), usd(-3)
    ('$1,234,567', '$1,234.50', '-$3')
    """
    return DOLLARS.text(value)


def thousands(value: float | None) -> str:
    """A number with thousands separators: ``1,234``; up to 3 decimals when not whole.

    >>> thousands(1234), thousands(1234.5)
    ('1,234', '1,234.5')
    """
    if value is None:
        return "n/a"
    if float(value) == math.floor(float(value)):
        return f"{int(value):,}"
    return _strip_zeros(f"{float(value):,.3f}")


def gbps(value_gbps: float | None) -> str:
    """A bandwidth in Gb/s with a unit suffix: ``400G``, ``1.6T`` (1600), ``20.5P``.

    >>> gbps(400), gbps(1600), gbps(204800)
    ('400G', '1.6T', '204.8T')
    """
    if value_gbps is None:
        return "n/a"
    value = float(value_gbps)
    for unit, scale in (("P", 1e6), ("T", 1e3)):
        if abs(value) >= scale:
            return _strip_zeros(f"{value / scale:.3f}") + unit
    return _strip_zeros(f"{value:.3f}") + "G"


def bandwidth(value_gbps: float | None) -> str:
    """An aggregate bandwidth given in Gb/s, with its unit: ``400 Gb/s``, ``204.8 Tb/s``.

    >>> bandwidth(400), bandwidth(204800), bandwidth(20_500_000)
    ('400 Gb/s', '204.8 Tb/s', '20.5 Pb/s')
    """
    if value_gbps is None:
        return "n/a"
    text = gbps(value_gbps)
    return f"{text[:-1]} {text[-1]}b/s"


def pct(fraction: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.4867 -> 48.7%``.

    >>> pct(0.4867), pct(1)
    ('48.7%', '100.0%')
    """
    if fraction is None:
        return "n/a"
    return f"{float(fraction) * 100:.{digits}f}%"


def fixed(value: float | None, digits: int = 2) -> str:
    """Fixed point with ``digits`` decimals and no grouping (``1234.50``); empty for None.

    >>> fixed(1234.5), fixed(3, 0)
    ('1234.50', '3')
    """
    if value is None:
        return ""
    return f"{float(value):.{digits}f}"


class Memo(dict):
    """``memo[key]`` is ``function(key)``, computed once per distinct key: for cell texts
    that repeat across hundreds of thousands of rows."""

    def __init__(self, function: Callable[[Any], Any]):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


def neutralize(text: str) -> str:
    """Prefix a single quote when ``text`` starts like a spreadsheet formula.

    Catalog text is untrusted: a vendor field of ``=HYPERLINK(...)`` must stay text when the BOM
    is opened in a spreadsheet. Triggers are ``= + - @``, tab and carriage return.

    >>> neutralize("=1+1"), neutralize("NVIDIA")
    ("'=1+1", 'NVIDIA')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralize(cell: str) -> str:
    """A written cell as the text it came from: undo :func:`neutralize` (and only that).

    >>> unneutralize("'=X1"), unneutralize("'quoted"), unneutralize("MCP-1")
    ('=X1', "'quoted", 'MCP-1')
    """
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS) else cell


def csv_field(value: object) -> str:
    """One CSV text field per RFC 4180: neutralized, always quoted, quotes doubled.

    ``None`` is an empty field. Numbers should be formatted with ``fixed`` instead: a negative
    number passed here would be neutralized like text.

    >>> print(csv_field('12" rack'), csv_field("=cmd"), csv_field("a,b"))
    "12"" rack" "'=cmd" "a,b"
    """
    if value is None:
        return ""
    text = neutralize(str(value))
    return '"' + text.replace('"', '""') + '"'


def markdown_text(value: object) -> str:
    r"""Untrusted text made inert in Markdown: specials escaped, line breaks become spaces.

    Escapes ``\ ` * _ [ ] < > | #`` with a backslash, so catalog text can neither break a table
    row nor inject links or raw HTML.

    >>> print(markdown_text("a|b <script>"))
    a\|b \<script\>
    """
    if value is None:
        return ""
    text = " ".join(str(value).splitlines())
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _strip_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


FILTERS = {
    "usd": usd,
    "thousands": thousands,
    "gbps": gbps,
    "bandwidth": bandwidth,
    "pct": pct,
    "fixed": fixed,
    "csv": csv_field,
    "md": markdown_text,
}


# --------------------------------------------------------------------------------------------
# Loaders and the environment


def _package_source(name: str) -> tuple[str, str, Callable[[], bool]]:
    """Read a template shipped in ``designer.templates`` (works from a wheel or a zip)."""
    resource = shipped("templates")
    for piece in split_template_path(name):
        resource = resource.joinpath(piece)
    if not resource.is_file():
        raise jinja2.TemplateNotFound(name)
    return resource.read_text("utf-8"), str(resource), lambda: True


def _user_loader(templates: str | Path) -> jinja2.FileSystemLoader:
    folder = Path(templates)
    if not folder.is_dir():
        raise InputError(f"{folder}: --templates must be a folder of Jinja2 templates "
                         f"({'not a folder' if folder.exists() else 'no such folder'})")
    return jinja2.FileSystemLoader(str(folder))


def _autoescape(name: str | None) -> bool:
    """Escape HTML/XML templates only; ``report.html.j2`` counts as HTML."""
    if name is None:
        return False
    return name.removesuffix(".j2").lower().endswith(AUTOESCAPE_EXTENSIONS)


def environment(templates: str | Path | None = None,
                money: Money = DOLLARS) -> jinja2.Environment:
    """The Jinja2 environment for every text output.

    Parameters
    ----------
    templates
        A folder whose templates override the shipped ones of the same name (``--templates``);
        ``None`` uses the shipped templates only.
    money
        The currency of the ``money`` filter (a dollar amount converted and written), the
        ``amount`` filter (an amount already in it, written the same way) and the ``priced``
        filter (an amount already in it, written to the cent).

    Raises
    ------
    InputError
        ``templates`` is given and is not a folder.
    """
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(_user_loader(templates))
    loaders.append(jinja2.FunctionLoader(_package_source))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters["money"] = money.text
    env.filters["priced"] = money.priced
    env.filters["amount"] = money.amount
    return env
