"""The vocabulary of a fabric's structure, defined once: link classes, switch roles and tiers.

A fabric of ``t`` tiers has the link classes of its first ``t`` tiers (``node-leaf``, then
``leaf-spine``, then ``spine-core``) and its worst path crosses ``2 t - 1`` switches.
"""

from __future__ import annotations

from enum import StrEnum


class LinkClass(StrEnum):
    """A class of links between two adjacent tiers; its value is the name outputs use.

    >>> str(LinkClass.LEAF_SPINE), LinkClass.LEAF_SPINE.site_key, LinkClass.LEAF_SPINE.ends
    ('leaf-spine', 'leaf_spine_m', ('leaf', 'spine'))
    >>> LinkClass("spine-core") == "spine-core"
    True
    """

    NODE_LEAF = "node-leaf"
    LEAF_SPINE = "leaf-spine"
    SPINE_CORE = "spine-core"

    @property
    def site_key(self) -> str:
        """The ``site:`` key that fixes this class's run length, and the leaf option's field
        holding it: ``node_leaf_m``, ``leaf_spine_m``, ``spine_core_m``."""
        return f"{self.value.replace('-', '_')}_m"

    @property
    def ends(self) -> tuple[str, str]:
        """The roles at its lower and upper end."""
        lower, upper = self.value.split("-")
        return lower, upper


TIER_HOPS = {1: 1, 2: 3, 3: 5}  # tiers -> switches crossed on the worst path, 2 t - 1
LINK_CLASSES = {tiers: tuple(LinkClass)[:tiers] for tiers in TIER_HOPS}
ROLES = ("leaf", "spine", "core")  # switch roles, bottom up
ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` in integers.

    >>> ceil_div(7, 2), ceil_div(8, 2)
    (4, 4)
    """
    return -(-a // b)
