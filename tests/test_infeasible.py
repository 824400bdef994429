"""An impossible demand names the limit that cannot be met and a way out."""

from __future__ import annotations

import textwrap

import pytest

import designer


def design_text(tmp_path, text: str):
    path = tmp_path / "d.yaml"
    path.write_text(textwrap.dedent(text))
    return designer.design(designer.load_demand(path))


def test_too_many_endpoints_for_the_hop_limit(tmp_path):
    with pytest.raises(designer.InfeasibleError) as info:
        design_text(tmp_path, """\
            catalogs: [nvidia-infiniband]
            fabrics:
              - {name: big, nodes: 512, endpoints_per_node: 8, port_speed_gbps: 400,
                 protocol: infiniband, max_switch_hops: 3}
            """)
    assert ("4,096 endpoints at 400G need more than 2 tiers with the allowed switches "
            "(2-tier limit is 2,048 with a 64-port radix at 400G); allow 5 hops (3 tiers)"
            in str(info.value))


def test_scalable_unit_that_no_leaf_can_take(tmp_path):
    with pytest.raises(designer.InfeasibleError, match="31-node scalable unit"):
        design_text(tmp_path, """\
            catalogs: [nvidia-infiniband]
            fabrics:
              - {name: su, nodes: 128, endpoints_per_node: 8, port_speed_gbps: 400,
                 layout: rail-optimized, scalable_unit_nodes: 31}
            """)


def test_runs_longer_than_any_medium(tmp_path):
    with pytest.raises(designer.InfeasibleError, match=r"reaches the 900 m node-leaf run"):
        design_text(tmp_path, """\
            catalogs: [nvidia-infiniband]
            site: {node_leaf_m: 900}
            fabrics:
              - {name: far, nodes: 4, endpoints_per_node: 8, port_speed_gbps: 400}
            """)
