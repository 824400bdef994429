"""Capacity arithmetic: upper bounds on what a tier count can connect, by counting ports.

- one tier holds a sub-fabric only on one switch with ``k >= n_sub`` ports;
- a leaf with ``u`` uplinks has at most ``d = min(k - u, floor(o * u))`` downlinks;
- two tiers reach at most ``K_max * d_max`` endpoints per sub-fabric: every spine meets every
  leaf at least once, so there are at most ``K_max`` leaves;
- three tiers reach at most ``d_max * (K_max / 2) * K_max``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from designer.inputs.catalog import SwitchMode
from designer.inputs.schema import Fabric
from designer.model.candidates import shape


def one_tier_endpoints(fabric: Fabric, layout: str) -> int:
    """Endpoints one switch must take in a one-tier sub-fabric of ``layout``.

    >>> from designer.inputs.schema import Fabric
    >>> f = Fabric(name="x", nodes=16, endpoints_per_node=8, port_speed_gbps=400)
    >>> one_tier_endpoints(f, "tor"), one_tier_endpoints(f, "rail-only")
    (128, 16)
    """
    sh = shape(layout, fabric.endpoints_per_node)
    return fabric.nodes * sh.ports_per_node * sh.leaves_per_group


def max_leaf_downlinks(radix: int, max_oversubscription: float) -> int:
    """Most downlinks a ``radix``-port leaf can have: ``max_u min(radix - u, floor(o * u))``.

    >>> max_leaf_downlinks(64, 1.0), max_leaf_downlinks(64, 3.0)
    (32, 48)
    """
    return max((min(radix - u, math.floor(max_oversubscription * u + 1e-9))
                for u in range(1, radix)), default=0)


def two_tier_max_endpoints(modes: Iterable[SwitchMode], max_oversubscription: float
                           ) -> tuple[int, int, int]:
    """Upper bound on the endpoints of a two-tier sub-fabric: ``(bound, K_max, d_max)``.

    At most ``K_max`` leaves (the largest spine radix), each with at most ``d_max`` downlinks.

    >>> from designer.inputs.catalog import switch_modes
    >>> from designer.inputs.schema import Switch
    >>> sw = Switch(model="s", ports=64, port_speed_gbps=400, price_usd=1)
    >>> two_tier_max_endpoints(switch_modes(sw), 1.0)
    (2048, 64, 32)
    """
    modes = list(modes)
    if not modes:
        return 0, 0, 0
    spine_radix = max(m.radix for m in modes)
    downlinks = max(max_leaf_downlinks(m.radix, max_oversubscription) for m in modes)
    return spine_radix * downlinks, spine_radix, downlinks
