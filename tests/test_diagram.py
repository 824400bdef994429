"""The SVG fabric diagram and the HTML report.

Designs: the 4-SU rail-optimized and the 2-plane examples (solved once per session, shared with
the example tests), a rail-only design and a small design from an in-memory catalog whose switch
and server models are hostile markup, all fast; and one large 3-tier design (16,384 nodes),
which takes several seconds to solve.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from conftest import ROOT, solved_example

import designer
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.schema import CatalogFile, Transceiver
from designer.outputs.diagram import (
    MAX_SLOTS,
    clean_text,
    fabric_svg,
    fit,
    optic_type,
    slot_indices,
)
from designer.outputs.html import (
    REPORT_HTML_TEMPLATE,
    autoescapes,
    html_context,
    write_report_html,
)
from designer.outputs.templating import environment, gbps, thousands

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE_SWITCH = "<script>alert(1)</script>"
HOSTILE_SERVER = 'GPU8 "><img src=x onerror=alert(2)> & co'
MAX_ELEMENTS = 400
MAX_BYTES = 60_000


# --------------------------------------------------------------------------------------------
# Designs


def _design(fabric: dict, catalog: Catalog):
    demand = Demand.from_dict({"name": "diagram-test", "fabrics": [fabric]}, path="mem.yaml")
    return designer.design(demand, catalog)


@pytest.fixture(scope="module")
def superpod():
    """4 SU x 32 DGX H100, rail-optimized, 2 tiers."""
    return solved_example(ROOT / "examples" / "dgx-superpod-4su.yaml")


@pytest.fixture(scope="module")
def two_planes():
    """512 x 8 x 400G in 2 planes, rail-optimized."""
    return solved_example(ROOT / "examples" / "ethernet-2plane-4096.yaml")


@pytest.fixture(scope="module")
def rail_only():
    """256 x 8 x 400G, rail-only: 8 rail fabrics of 2 tiers each."""
    return _design({"name": "rails", "nodes": 256, "endpoints_per_node": 8,
                    "port_speed_gbps": 400, "layout": "rail-only", "node_forwarding": True,
                    "max_switch_hops": 3}, designer.load_catalog(["ai-ethernet"]))


@pytest.fixture(scope="module")
def large():
    """16,384 x 8 x 400G on the shipped Ethernet catalog: 3 tiers, thousands of switches.

    Slow on purpose (several seconds, about 10 s on a slow machine): the 131,072-endpoint MILP
    is the size at which drawing one shape per switch would break the diagram, which is what
    this design is here to rule out. Solved once for the module.
    """
    return _design({"name": "large", "nodes": 16384, "endpoints_per_node": 8,
                    "port_speed_gbps": 400}, designer.load_catalog(["ai-ethernet"]))


def _hostile_catalog() -> Catalog:
    provenance = {"vendor": "Acme <b>", "source": "list price", "as_of": "2025-06"}
    content = CatalogFile.model_validate({
        "switches": [{"model": HOSTILE_SWITCH, "ports": 16, "port_speed_gbps": 400,
                      "price_usd": 12000, "power_w": 300, **provenance}],
        "nics": [{"model": "NIC400", "ports": 1, "port_speed_gbps": 400, "price_usd": 1000,
                  **provenance}],
        "transceivers": [{"model": "SR-400", "port_speed_gbps": 400, "reach_m": 50,
                          "price_usd": 500, "fiber": "mmf", "description": "QSFP (SR4)",
                          **provenance}],
        "cables": [{"model": "FIB-MMF", "port_speed_gbps": 400, "reach_m": 100,
                    "price_usd": 30, "kind": "fiber", "fiber": "mmf", **provenance}],
        "servers": [{"model": HOSTILE_SERVER, "gpus": 8, "price_usd": 200000, **provenance}],
    })
    return Catalog.merge([("hostile.yaml", content)], digest="h" * 64)


@pytest.fixture(scope="module")
def hostile():
    """32 x 4 x 400G on 16-port switches named with markup: 2 tiers, about a second."""
    return _design({"name": "pod", "nodes": 32, "endpoints_per_node": 4, "port_speed_gbps": 400,
                    "max_switch_hops": 3, "layout": "tor", "server": HOSTILE_SERVER},
                   _hostile_catalog())


# --------------------------------------------------------------------------------------------
# Helpers


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _text(root: ET.Element) -> str:
    """All text of the drawing, one string (text may be split over several elements)."""
    return " | ".join(t.strip() for t in root.itertext() if t.strip())


def _assert_labels(fabric_result, text: str) -> None:
    """Every tier's switch count and model, and every link class's count and speed."""
    for models in fabric_result.switches.values():
        for model, count in models.items():
            assert f"{thousands(count)} x {model}" in text
    speed = gbps(fabric_result.structure.fabric.port_speed_gbps)
    for link_class, count in fabric_result.links.items():
        assert f"{link_class} links" in text
        assert f"{thousands(count)} x {speed}" in text


def _assert_self_contained(svg: str, root: ET.Element) -> None:
    assert all(el.tag.startswith(SVG_NS) for el in root.iter())
    assert root.get("font-family") == "sans-serif"
    for needle in ("href", "<style", "<script", "@import", "url(", "<image", "foreignObject"):
        assert needle not in svg


# --------------------------------------------------------------------------------------------
# The SVG


@pytest.mark.parametrize("name", ["superpod", "two_planes", "rail_only"])
def test_svg_parses_and_labels_every_tier_and_link_class(name, request):
    result = request.getfixturevalue(name)
    for fabric in result.fabrics:
        svg = fabric_svg(fabric)
        root = _parse(svg)
        _assert_self_contained(svg, root)
        _assert_labels(fabric, _text(root))
        assert len(list(root.iter())) < MAX_ELEMENTS
        assert len(svg.encode("utf-8")) < MAX_BYTES


def test_svg_is_deterministic(superpod, two_planes):
    for result in (superpod, two_planes):
        fabric = result.fabrics[0]
        assert fabric_svg(fabric) == fabric_svg(fabric)


def test_svg_rail_optimized_shows_every_rail_and_the_port_split(superpod):
    fabric = superpod.fabrics[0]
    text = _text(_parse(fabric_svg(fabric)))
    assert "32 x MQM9790-NS2F, 32 down / 32 up" in text
    for rail in range(1, 9):
        assert f"rail {rail}" in text
    for su in range(1, 5):
        assert f"SU {su}" in text
    assert "optics 2xSR4" in text


def test_svg_draws_one_plane_of_two(two_planes):
    text = _text(_parse(fabric_svg(two_planes.fabrics[0])))
    assert "x 2 planes, identical" in text
    assert "(64 per plane)" in text


def test_svg_rail_only_has_a_column_per_rail_and_nothing_between_rails(rail_only):
    root = _parse(fabric_svg(rail_only.fabrics[0]))
    text = _text(root)
    assert "no spine between rails" in text
    for rail in range(1, 9):
        assert f"rail {rail}" in text
    lines = list(root.iter(f"{SVG_NS}line"))
    assert lines
    # every link stays in its rail's column: no line runs sideways to another rail
    assert all(line.get("x1") == line.get("x2") for line in lines)


def test_svg_large_design_is_aggregated(large):
    # Slow: uses the 16,384-node design (see the fixture).
    fabric = large.fabrics[0]
    assert fabric.structure.tiers == 3
    assert sum(n for models in fabric.switches.values() for n in models.values()) > 1000
    svg = fabric_svg(fabric)
    root = _parse(svg)
    _assert_self_contained(svg, root)
    _assert_labels(fabric, _text(root))
    assert "..." in _text(root)
    assert len(list(root.iter())) < MAX_ELEMENTS
    assert len(svg.encode("utf-8")) < MAX_BYTES
    assert svg == fabric_svg(fabric)


def test_svg_escapes_catalog_text(hostile):
    svg = fabric_svg(hostile.fabrics[0])
    assert "<script" not in svg
    assert "<img" not in svg
    text = _text(_parse(svg))
    assert HOSTILE_SWITCH in text
    assert "onerror=alert(2)" in text


def test_svg_coordinates_are_integers(superpod):
    root = _parse(fabric_svg(superpod.fabrics[0]))
    for element in root.iter():
        for attr in ("x", "y", "x1", "y1", "x2", "y2", "width", "height"):
            value = element.get(attr)
            if value is not None:
                assert value.lstrip("-").isdigit(), (element.tag, attr, value)


@pytest.mark.parametrize(("count", "shown"), [
    (1, [0]), (MAX_SLOTS, list(range(MAX_SLOTS))),
    (MAX_SLOTS + 1, [0, 1, 2, 3, 4, 5, None, MAX_SLOTS]), (4096, [0, 1, 2, 3, 4, 5, None, 4095]),
])
def test_slot_indices(count, shown):
    assert slot_indices(count) == shown


def test_text_helpers():
    assert clean_text("a\x00b\x1bc\n  d\ufffe") == "abc d"
    assert fit("MQM9790-NS2F", 200, 12) == "MQM9790-NS2F"
    assert fit("x" * 100, 120, 12).endswith("...")
    assert len(fit("x" * 100, 120, 12)) <= 120 / (12 * 0.6)
    twin = Transceiver(model="T2", port_speed_gbps=400, reach_m=50, price_usd=1,
                       form_factor="OSFP twin-port finned (2xSR4)")
    bare = Transceiver(model="T1", port_speed_gbps=400, reach_m=50, price_usd=1)
    assert (optic_type(twin), optic_type(bare)) == ("2xSR4", "T1")


# --------------------------------------------------------------------------------------------
# The HTML report


def test_html_report_escapes_hostile_models(hostile, tmp_path):
    path = tmp_path / "report.html"
    write_report_html(hostile, path, environment())
    html = path.read_text("utf-8")
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<svg ") == len(hostile.fabrics)


def test_html_report_has_the_report_sections_and_diagrams(two_planes, tmp_path):
    path = tmp_path / "report.html"
    write_report_html(two_planes, path, environment())
    html = path.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for heading in ("Summary", "Chosen design", "Why this design", "Cost breakdown",
                    "Bill of materials"):
        assert f">{heading}</" in html
    assert f"${two_planes.total_cost_usd:,.0f}" in html
    assert html.count("<svg ") == 1
    for needle in ("<script", "<link", "src=", "@import"):
        assert needle not in html
    fabric = html_context(two_planes)["fabrics"][0]
    assert str(fabric["diagram"]) in html


def test_html_template_is_autoescaped_and_a_plain_environment_is_refused(superpod, tmp_path):
    assert autoescapes(environment(), REPORT_HTML_TEMPLATE)
    plain = jinja2.Environment(loader=environment().loader, autoescape=False)
    with pytest.raises(ValueError, match="autoescape"):
        write_report_html(superpod, tmp_path / "report.html", plain)
    assert not Path(tmp_path / "report.html").exists()


def test_html_report_user_template_override(superpod, tmp_path):
    (tmp_path / REPORT_HTML_TEMPLATE).write_text(
        "<p>{{ title }}</p>{% for f in fabrics %}{{ f.diagram }}{{ f.nic.model }}{% endfor %}",
        "utf-8")
    out = tmp_path / "report.html"
    write_report_html(superpod, out, environment(tmp_path))
    html = out.read_text("utf-8")
    assert html.startswith("<p>dgx-superpod-4su</p><svg ")
