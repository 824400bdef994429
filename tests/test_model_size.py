"""The MILP does not grow with the GPU count (issue 5).

Counts are aggregate integers and candidate sets come from switch radixes, not from the GPU
count (README, "How the design is chosen"). Pruning that reads the data (pod and spine options
that cannot hold the fewest leaves any leaf option has, media no leaf option's run fits) makes
larger fabrics' models *smaller*, not equal: 3,824 columns at 1,024 GPUs, 664 at 524,288. So
"the same size at every scale" is checked as what it means for solve time: every size's model
stays under one fixed ceiling, and no larger fabric's model exceeds the 1,024-GPU one by more
than 10%. Build only, no solve; the same designs as ``benchmarks/solve_scale.py`` (default
site; at 524,288 GPUs it has no feasible design, but its model is built all the same).
"""

from __future__ import annotations

import pytest

from designer.inputs.schema import DemandFile
from designer.model.formulation import build_model
from designer.site.grid import fabric_site

SIZES_GPUS = (1024, 8192, 32768, 131072, 524288)
# ~10% above the 1,024-GPU model (4,621 columns, 5,670 rows). It grew from 3,321 and 3,806 when
# parts had to fit their cages (issue 14): switches whose cages take different parts are no
# longer interchangeable (an Arista-coded QSFP-DD switch beside an NVIDIA one), and the NIC's
# cage gives each kind of NIC its own blocks (an OSFP InfiniBand card, QSFP112 Ethernet ones).
CEILING = {"variables": 5100, "constraints": 6250}
TOLERANCE = 0.10


def built_size(gpus: int, catalog) -> dict[str, int]:
    """Model size of one fabric of ``gpus / 8`` nodes x 8 x 400G, layout any, hops 5."""
    spec = DemandFile.model_validate({"fabrics": [{
        "name": "backend", "nodes": gpus // 8, "endpoints_per_node": 8, "port_speed_gbps": 400,
        "protocol": "any", "layout": "any", "max_oversubscription": 1, "max_switch_hops": 5}]})
    fabric = spec.fabrics[0]
    return build_model(fabric, fabric_site(spec.site, None), catalog).size


@pytest.fixture(scope="module")
def sizes(shipped_catalog) -> dict[int, dict[str, int]]:
    return {gpus: built_size(gpus, shipped_catalog) for gpus in SIZES_GPUS}


@pytest.mark.parametrize("count", ["variables", "constraints"])
def test_model_size_under_a_fixed_ceiling(sizes, count):
    over = {gpus: size[count] for gpus, size in sizes.items() if size[count] > CEILING[count]}
    assert not over, f"{count} above {CEILING[count]:,}: {over}"


@pytest.mark.parametrize("count", ["variables", "constraints"])
def test_model_does_not_grow_with_gpu_count(sizes, count):
    smallest = sizes[SIZES_GPUS[0]][count]
    for gpus in SIZES_GPUS[1:]:
        assert sizes[gpus][count] <= (1 + TOLERANCE) * smallest, (
            f"{count}: {sizes[gpus][count]:,} at {gpus:,} GPUs, {smallest:,} at "
            f"{SIZES_GPUS[0]:,} GPUs")
