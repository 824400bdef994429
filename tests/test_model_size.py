"""The MILP keeps its size from a thousand GPUs to half a million (issue 5).

Counts are aggregate integers and candidate sets come from switch radixes, not from the GPU
count (README, "How the design is chosen"), so the model of a 524,288-GPU fabric should be
about as large as that of a 1,024-GPU one. Build only, no solve; the same designs as
``benchmarks/solve_scale.py``.
"""

from __future__ import annotations

import pytest

from designer.floor import fabric_site
from designer.formulation import build_model
from designer.schema import DemandFile

SMALL_GPUS, LARGE_GPUS = 1024, 524288
TOLERANCE = 0.10  # the larger count may exceed the smaller by at most 10%


def built_size(gpus: int, catalog) -> dict[str, int]:
    """Model size of one fabric of ``gpus / 8`` nodes x 8 x 400G, layout any, hops 5."""
    spec = DemandFile.model_validate({"fabrics": [{
        "name": "backend", "nodes": gpus // 8, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "protocol": "any", "layout": "any", "max_oversubscription": 1, "max_switch_hops": 5}]})
    fabric = spec.fabrics[0]
    return build_model(fabric, fabric_site(spec.site, None), catalog).size


@pytest.fixture(scope="module")
def sizes(shipped_catalog) -> dict[int, dict[str, int]]:
    return {gpus: built_size(gpus, shipped_catalog) for gpus in (SMALL_GPUS, LARGE_GPUS)}


@pytest.mark.parametrize("count", ["variables", "constraints"])
def test_model_size_independent_of_gpu_count(sizes, count):
    small, large = sizes[SMALL_GPUS][count], sizes[LARGE_GPUS][count]
    assert max(small, large) <= (1 + TOLERANCE) * min(small, large), (
        f"{count}: {small:,} at {SMALL_GPUS:,} GPUs, {large:,} at {LARGE_GPUS:,} GPUs "
        f"(ratio {max(small, large) / min(small, large):.2f}, allowed {1 + TOLERANCE:.2f})")
