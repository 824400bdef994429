"""An impossible demand names the limit that cannot be met, by how much, and what fixes it.

Each case runs the command line (exit 3, one headline on stderr, nothing written) and checks
the headline's limit, amount and fix. Where the fix was found by re-solving (``re-solved:
<limit> <old> -> <new> gives a design at $X``), the test re-solves the demand with the fix
applied and checks that a design exists at that cost: the message is a certificate.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

import designer
from designer.diagnose.probes import Prober, explain_infeasible
from designer.diagnose.reasons import Infeasibility
from designer.solvers.status import SolveStatus

pytestmark = pytest.mark.slow  # the fast lane leaves this module out: `pytest -m "not slow"`

SHORT_REACH_CATALOG = """\
    switches:
      - {model: S64, ports: 64, port_speed_gbps: 400, price_usd: 30000, rack_units: 1}
    nics:
      - {model: N1, ports: 1, port_speed_gbps: 400, price_usd: 1000}
    transceivers:
      - {model: SR-12, port_speed_gbps: 400, reach_m: 12, price_usd: 500, fiber: mmf}
    cables:
      - {model: DAC-3, port_speed_gbps: 400, reach_m: 3, price_usd: 100, kind: dac}
      - {model: MMF-12, port_speed_gbps: 400, reach_m: 12, price_usd: 30, kind: fiber,
         fiber: mmf}
    """


def refused(tmp_path: Path, demand: str, files: dict[str, str] | None = None) -> str:
    """Run ``design`` on ``demand``; assert exit 3, one headline, nothing written."""
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    path = tmp_path / "demand.yaml"
    path.write_text(textwrap.dedent(demand))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "designer.cli", str(path), "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 3, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.*"))
    return errors[0]


def certified(headline: str, tmp_path: Path, fix: dict, site: dict | None = None) -> None:
    """The design the headline promises exists: same demand with ``fix``, same cost."""
    cost = float(re.search(r"gives a design at \$([\d,]+)", headline)[1].replace(",", ""))
    demand = designer.load_demand(tmp_path / "demand.yaml")
    demand = demand.with_fabric(demand.fabrics[0].name, **fix).with_site(**(site or {}))
    result = designer.design(demand)
    assert result.total_cost_usd == pytest.approx(cost, abs=1.0)


def test_hop_limit(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        fabrics:
          - {name: big, nodes: 512, endpoints_per_node: 8, port_speed_gbps: 400,
             protocol: infiniband, max_switch_hops: 3}
        """)
    assert ("4,096 endpoints at 400G need more than 2 tiers with the allowed switches "
            "(2-tier limit is 2,048 with a 64-port radix at 400G); allow 5 hops (3 tiers)"
            in headline)
    assert "re-solved: max_switch_hops 3 -> 5 gives a design at $" in headline
    assert "(3 tiers)" in headline
    certified(headline, tmp_path, {"max_switch_hops": 5})


def test_oversubscription_with_a_small_switch(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [frontend-ethernet]
        fabrics:
          - {name: over, nodes: 1250, endpoints_per_node: 8, port_speed_gbps: 100,
             switch_models: [SN2700], max_switch_hops: 5}
        """)
    assert "10,000 endpoints at 100G need more than 3 tiers" in headline
    assert "(3-tier limit is 8,192 with a 32-port radix at 100G)" in headline
    assert "re-solved: max_oversubscription 1 -> 2 gives a design at $" in headline
    certified(headline, tmp_path, {"max_oversubscription": 2.0})


def test_port_speed_without_parts(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [frontend-ethernet]
        fabrics:
          - {name: fast, nodes: 16, endpoints_per_node: 2, port_speed_gbps: 800}
        """)
    assert "demand.yaml: fabric 'fast': no NIC at 800G in the catalogs" in headline
    assert "they have NICs at 100G, 200G" in headline
    assert "fix: choose one of those speeds or add a 800G NIC to a catalog" in headline


def test_protocol_without_parts(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [frontend-ethernet]
        fabrics:
          - {name: ib, nodes: 16, endpoints_per_node: 2, port_speed_gbps: 100,
             protocol: infiniband}
        """)
    assert "no infiniband NIC at 100G" in headline
    assert "they have no infiniband NIC at any speed" in headline
    assert "re-solved: protocol infiniband -> any gives a design at $" in headline
    certified(headline, tmp_path, {"protocol": "any"})


def test_latency_limit_names_the_least_achievable(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        fabrics:
          - {name: quick, nodes: 128, endpoints_per_node: 8, port_speed_gbps: 400,
             max_latency_us: 0.3}
        """)
    assert "max_latency_us: 0.3 us is below the fastest possible 0.42 us" in headline
    # one figure, and how near the least it is: no design is under it less that margin
    found = re.search(r"re-solved: max_latency_us 0.3 -> ([\d.]+) \(the least any design "
                      r"reaches, found to within ([\d.]+) us\) gives a design at \$", headline)
    assert found, headline
    least, below = float(found[1]), round(float(found[1]) - float(found[2]), 2)
    assert 0.41 <= below < least <= 0.6
    certified(headline, tmp_path, {"max_latency_us": least})
    with pytest.raises(designer.InfeasibleError):
        certified(headline, tmp_path, {"max_latency_us": below})


def test_budget_names_the_cheapest_design(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        fabrics:
          - {name: cheap, nodes: 128, endpoints_per_node: 8, port_speed_gbps: 400,
             budget_usd: 1000000}
        """)
    assert ("budget_usd: $1,000,000 buys no design; the cheapest within max_oversubscription "
            "1:1 costs $5,491,840 (raise budget_usd" in headline)


def test_rack_space(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        site: {rack_units: 20}
        fabrics:
          - {name: tall, nodes: 64, endpoints_per_node: 8, port_speed_gbps: 400,
             layout: rail-optimized, planes: 4}
        """)
    assert ("site: the 32 leaves of a group (1U each, 4 plane(s)) need 32U and do not fit the "
            "20U of its network rack (12U short); fix: site.rack_units: 32 or planes: 2"
            in headline)


def test_reach_on_a_large_floor(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [short.yaml]
        fabrics:
          - {name: hall, nodes: 1024, endpoints_per_node: 2, port_speed_gbps: 400,
             max_switch_hops: 3}
        """, {"short.yaml": SHORT_REACH_CATALOG})
    assert ("no medium at 400G reaches the 32.2 m leaf-spine run (longest reach 12 m); add "
            "longer fibers or optics" in headline)
    assert "re-solved: site.leaf_spine_m 32.2 -> 12 (runs within the longest reach)" in headline
    certified(headline, tmp_path, {}, {"leaf_spine_m": 12.0})


def test_set_run_longer_than_any_medium(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        site: {node_leaf_m: 900}
        fabrics:
          - {name: far, nodes: 4, endpoints_per_node: 8, port_speed_gbps: 400}
        """)
    assert "reaches the 900 m node-leaf run" in headline
    assert "re-solved: site.node_leaf_m -> measured on the floor gives a design" in headline


def test_scalable_unit_that_no_leaf_can_take(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        fabrics:
          - {name: su, nodes: 128, endpoints_per_node: 8, port_speed_gbps: 400,
             layout: rail-optimized, scalable_unit_nodes: 31}
        """)
    assert "31-node scalable unit" in headline
    assert "re-solved: scalable_unit_nodes 31 -> none gives a design at $" in headline


def test_layout_and_hops_both_named_when_either_fixes_it(tmp_path):
    headline = refused(tmp_path, """\
        catalogs: [nvidia-infiniband]
        fabrics:
          - {name: rails, nodes: 16, endpoints_per_node: 8, port_speed_gbps: 400,
             layout: tor, node_forwarding: true, max_switch_hops: 1}
        """)
    assert "128 endpoints at 400G need more than 1 tier" in headline
    assert "re-solved: max_switch_hops 1 -> 3 gives a design at $" in headline
    assert "; or layout tor -> any gives a design at $" in headline
    certified(headline.split("; or ")[1], tmp_path, {"layout": "any"})


def test_probes_that_cannot_decide_say_so(tmp_path):
    demand = designer.load_demand(ROOT / "examples" / "training-1024.yaml")
    fabric = demand.fabrics[0].model_copy(update={"max_switch_hops": 1})
    catalog = designer.load_catalog(["nvidia-infiniband"])
    reason = Infeasibility("unknown", "no design")
    said = explain_infeasible(reason, fabric, demand.site, catalog, max_probes=0)
    assert said.text == "no design (re-solving with looser limits could not decide within 0 " \
                        "probes of 10 s)"
    assert said.remedies == ()
    prober = Prober(catalog, "cbc", 10.0, 0)
    assert prober(fabric, demand.site).status is SolveStatus.UNDECIDED


def test_api_raises_the_same_headline(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("catalogs: [nvidia-infiniband]\nfabrics:\n  - {name: big, nodes: 512, "
                    "endpoints_per_node: 8, port_speed_gbps: 400, max_switch_hops: 3}\n")
    with pytest.raises(designer.InfeasibleError, match="re-solved: max_switch_hops 3 -> 5"):
        designer.design(designer.load_demand(path))
    with pytest.raises(designer.InfeasibleError) as info:
        designer.design(designer.load_demand(path), explain=False)
    assert "re-solved" not in str(info.value)


def test_the_reason_is_a_value_read_by_field(tmp_path):
    """Callers read why by field (``limit``, ``shortfall``, ``fix``, ``remedies``), not text."""
    path = tmp_path / "d.yaml"
    path.write_text("catalogs: [nvidia-infiniband]\nfabrics:\n  - {name: big, nodes: 512, "
                    "endpoints_per_node: 8, port_speed_gbps: 400, max_switch_hops: 3}\n")
    with pytest.raises(designer.InfeasibleError) as info:
        designer.design(designer.load_demand(path))
    reason = info.value.reason
    assert reason.limit == "max_switch_hops" and reason.fix == {"max_switch_hops": 5}
    assert reason.shortfall == 4096 - 2048  # endpoints beyond what 2 tiers of 64 ports reach
    assert reason.remedies and reason.remedies[0].change == "max_switch_hops 3 -> 5"
    assert reason.remedies[0].tiers == 3 and reason.remedies[0].cost_usd > 0
    assert str(info.value).endswith(reason.text)
