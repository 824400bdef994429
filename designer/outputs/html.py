"""The HTML report (``report.html``): ``report.md``'s content plus an SVG diagram per fabric and
a floor plan per hall (:mod:`designer.outputs.floorplan`).

The context is :func:`~designer.outputs.report.report_context` with one more key per fabric,
``diagram``: the fabric's SVG from :func:`~designer.outputs.diagram.fabric_svg`, marked safe for
the template. It may be marked safe because ``fabric_svg`` escapes every text it places; all
other values are escaped by the template environment, which autoescapes ``*.html.j2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from designer.outputs.diagram import fabric_svg
from designer.outputs.floorplan import campus_plans, floor_plans
from designer.outputs.report import Runs, report_context

if TYPE_CHECKING:
    from designer.results.result import DesignResult

REPORT_HTML_TEMPLATE = "report.html.j2"


def html_context(result: DesignResult, racks_csv: Path | None = None,
                 runs: Runs | None = None,
                 failures: dict[str, list[dict]] | None = None) -> dict:
    """:func:`report_context` with a ``diagram`` (safe SVG markup) added to every fabric, and
    the ``floor_plans`` of every hall and the ``campus_plans`` of every campus when
    ``racks_csv`` is given."""
    context = report_context(result, runs, failures)
    # fabric_svg and hall_svg escape every text they place, so their markup is safe as it is
    fabrics = [{**entry, "diagram": Markup(fabric_svg(fabric, result.money))}
               for entry, fabric in zip(context["fabrics"], result.fabrics, strict=True)]
    plans, campuses = [], []
    if racks_csv is not None:
        site = result.demand.site
        plans = [{**plan, "svg": Markup(plan["svg"])} for plan in floor_plans(racks_csv, site)]
        campuses = [{**plan, "svg": Markup(plan["svg"])}
                    for plan in campus_plans(racks_csv, site)]
    return {**context, "fabrics": fabrics, "floor_plans": plans, "campus_plans": campuses}


def autoescapes(env: jinja2.Environment, name: str) -> bool:
    """Whether ``env`` autoescapes the template ``name`` (a bool or a per-name function)."""
    setting = env.autoescape
    return bool(setting(name) if callable(setting) else setting)


def write_report_html(result: DesignResult, path: Path, env: jinja2.Environment,
                      racks_csv: Path | None = None, runs: Runs | None = None,
                      failures: dict[str, list[dict]] | None = None) -> None:
    """Render ``report.html.j2`` with :func:`html_context` into ``path`` (UTF-8, LF).

    Raises
    ------
    ValueError
        ``env`` does not autoescape ``report.html.j2``: catalog text would reach the page raw.
    """
    if not autoescapes(env, REPORT_HTML_TEMPLATE):
        raise ValueError(f"the template environment must autoescape {REPORT_HTML_TEMPLATE}")
    template = env.get_template(REPORT_HTML_TEMPLATE)
    with open(path, "w", encoding="utf-8", newline="") as out:
        template.stream(**html_context(result, racks_csv, runs, failures)).dump(out)
