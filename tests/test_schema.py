"""Catalog and demand validation: every problem reported with file, key path and reason."""

from __future__ import annotations

import json
import textwrap

import pytest

import designer
from designer.errors import InputError

GOOD_SWITCH = """\
switches:
  - model: SW64
    ports: 64
    port_speed_gbps: 800
    price_usd: 30000
    breakout: [{port_speed_gbps: 400, ports: 128}]
    source: test
    as_of: "2025-01"
"""

GOOD_DEMAND = """\
fabrics:
  - name: compute
    nodes: 16
    endpoints_per_node: 8
    port_speed_gbps: 400
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems_of(call) -> list[str]:
    with pytest.raises(InputError) as info:
        call()
    return info.value.problems


def test_valid_catalog_loads_with_breakout_mode(tmp_path):
    catalog = designer.load_catalog([write(tmp_path, "c.yaml", GOOD_SWITCH)])
    switch = catalog.switches["SW64"]
    assert switch.breakout[0].ports == 128
    assert switch.as_of == "2025-01"


def test_every_problem_is_listed_with_its_key_path(tmp_path):
    text = """\
    switches:
      - {model: A, ports: 64, port_speed_gbps: 400, price_usd: 100}
      - {model: B, ports: 0, port_speed_gbps: 400, price_usd: 100}
      - {model: C, ports: 64, port_speed_gbps: 400, price_usd: -5, colour: red}
    """
    path = write(tmp_path, "bad.yaml", text)
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert f"{path}: switches[1].ports: must be > 0" in problems
    assert f"{path}: switches[2].price_usd: must be > 0" in problems
    assert f"{path}: switches[2].colour: unknown key" in problems
    assert len(problems) == 3


def test_unknown_key_suggests_the_closest_one(tmp_path):
    path = write(tmp_path, "c.yaml", GOOD_SWITCH.replace("price_usd", "prize_usd"))
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert any("prize_usd: unknown key (did you mean 'price_usd'?)" in p for p in problems)


@pytest.mark.parametrize(("value", "expected"), [
    ('"64"', "switches[0].ports: must be a whole number, got '64'"),
    ("64.5", "switches[0].ports: must be a whole number, got 64.5"),
    (".nan", "switches[0].ports: must be a whole number"),
])
def test_wrong_types_are_rejected(tmp_path, value, expected):
    path = write(tmp_path, "c.yaml", GOOD_SWITCH.replace("ports: 64", f"ports: {value}"))
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert any(expected in p for p in problems), problems


def test_nan_price_is_rejected(tmp_path):
    path = write(tmp_path, "c.yaml", GOOD_SWITCH.replace("30000", ".nan"))
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert any("switches[0].price_usd: must be a finite number" in p for p in problems)


def test_breakout_that_does_not_divide_the_port_is_rejected(tmp_path):
    path = write(tmp_path, "c.yaml", GOOD_SWITCH.replace("port_speed_gbps: 400, ports: 128",
                                                         "port_speed_gbps: 300, ports: 128"))
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert any("does not divide the 800G cage bandwidth" in p for p in problems), problems


def test_duplicate_model_across_files_names_both(tmp_path):
    one = write(tmp_path, "one.yaml", GOOD_SWITCH)
    two = write(tmp_path, "two.yaml", GOOD_SWITCH)
    problems = problems_of(lambda: designer.load_catalog([one, two]))
    assert problems == [f"{two}: switches[0].model: duplicate model 'SW64' "
                        f"(also defined at {one}: switches[0])"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "file is empty"),
    ("- a\n- b\n", "top level must be a mapping of keys, got list"),
    ("switches: [\n", "not valid YAML"),
])
def test_unusable_files(tmp_path, text, expected):
    path = write(tmp_path, "c.yaml", text)
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert problems == [f"{path}: {expected}"] or expected in problems[0]


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 80)]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    problems = problems_of(lambda: designer.load_catalog([path]))
    assert "more than 200 YAML aliases" in problems[0]


def test_valid_demand_and_its_defaults(tmp_path):
    demand = designer.load_demand(write(tmp_path, "d.yaml", GOOD_DEMAND))
    fabric = demand.fabrics[0]
    assert (fabric.max_oversubscription, fabric.max_switch_hops, fabric.planes) == (1.0, 5, 1)
    assert fabric.layout == "any" and fabric.protocol == "any"


def test_demand_problems_have_fabric_key_paths(tmp_path):
    text = GOOD_DEMAND.replace("nodes: 16", "nodes: -3").replace(
        "port_speed_gbps: 400", "port_speed_gbps: 400\n    layout: ring")
    path = write(tmp_path, "d.yaml", text)
    problems = problems_of(lambda: designer.load_demand(path))
    assert f"{path}: fabrics[0].nodes: must be > 0" in problems
    assert any(p.startswith(f"{path}: fabrics[0].layout: must be one of") for p in problems)


def test_rail_only_needs_node_forwarding(tmp_path):
    path = write(tmp_path, "d.yaml", GOOD_DEMAND + "    layout: rail-only\n")
    problems = problems_of(lambda: designer.load_demand(path))
    assert any("rail-only needs node_forwarding: true" in p for p in problems)


def test_unknown_switch_model_in_demand_is_an_input_error(tmp_path, shipped_catalog):
    path = write(tmp_path, "d.yaml", GOOD_DEMAND + "    switch_models: [MQM9700-NS2G]\n")
    demand = designer.load_demand(path)
    problems = problems_of(lambda: designer.design(demand, shipped_catalog))
    assert problems == [f"{path}: fabrics[0].switch_models[0]: unknown model 'MQM9700-NS2G' "
                        "(did you mean 'MQM9700-NS2F'?)"]


def test_json_schema_describes_both_files():
    from designer.inputs.schema import CatalogFile, DemandFile

    catalog = CatalogFile.model_json_schema()
    demand = DemandFile.model_json_schema()
    assert "switches" in catalog["properties"]
    assert "Fabric" in json.dumps(demand)
    assert catalog["$defs"]["Switch"]["additionalProperties"] is False


def test_shipped_catalogs_all_carry_source_and_date(shipped_catalog):
    for kind in ("switches", "nics", "transceivers", "cables", "servers"):
        for model, part in getattr(shipped_catalog, kind).items():
            assert part.source, f"{kind} {model} has no source"
            assert part.as_of and part.as_of[:2] == "20", f"{kind} {model} has no as_of date"
