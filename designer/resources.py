"""Where the shipped catalogs and templates are: one lookup for every way designer is run.

The repository keeps them at the top level (``catalogs/``, ``templates/``); an install maps them
into the package as ``designer.catalogs`` and ``designer.templates`` (``pyproject.toml``). So:

- from an installed wheel or an editable install, they are the packages
  ``designer.catalogs`` / ``designer.templates``, read through ``importlib.resources`` (a zip
  works too);
- from a plain checkout (the source tree first on ``sys.path``, e.g. a script run from the
  repository root after a non-editable ``pip install .``), the package has no such
  sub-packages, and the folders beside ``designer/`` are used.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from designer.errors import DesignerError

SHIPPED = ("catalogs", "templates")


def shipped(kind: str) -> Traversable:
    """The folder of shipped ``kind`` (``"catalogs"`` or ``"templates"``).

    >>> sorted(p.name for p in shipped("catalogs").iterdir() if p.name.endswith(".yaml"))[0]
    'ai-ethernet.yaml'
    """
    if kind not in SHIPPED:
        raise ValueError(f"unknown shipped resource {kind!r} (one of {', '.join(SHIPPED)})")
    try:
        return resources.files(f"designer.{kind}")
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise DesignerError(f"the shipped {kind} are missing: no package designer.{kind} and no "
                        f"folder {checkout} (reinstall designer)")
