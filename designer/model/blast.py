"""Blast radius: the GPUs one failed switch leaves with no way into the fabric.

Only a leaf holds node ports, so only a leaf's failure cuts GPUs off: when a spine or a core
fails, every node port still reaches its leaf, and the verifier counts a GPU cut off only when
the ports of its rail are (``verify._NodeEnds``). A leaf of shape ``sh``
takes ``p = sh.ports_per_node`` ports of each of the ``n = min(q, N)`` nodes of its group,
all in one plane. With ``e`` endpoints a node and ``g`` GPUs (the server's, else one per
endpoint), a node's GPUs share its rails evenly, ``g / e`` each, and a GPU is cut off when
every port of its rail is (one per plane): with one plane a leaf cuts ``p`` rails of each node,

    cut(q) = round(n p g / e)        (planes = 1, no node forwarding)

and none with several planes (the other planes' leaves are other switches). With node
forwarding a GPU's traffic may leave by any NIC of its node, so a node is cut off only when
the leaf holds every one of its ``e x planes`` ports: ``cut(q) = n g`` if ``p = e x planes``,
else 0. This is the verifier's count (``verify.failure_impact``) for the worst leaf, the one
with a full group; ``max_gpus_cut_per_switch`` keeps the leaf options with ``cut(q) <=`` the
limit, before any group size is pruned.
"""

from __future__ import annotations

from designer.inputs.schema import Fabric


def gpus_cut_by_leaf(fabric: Fabric, ports_per_node: int, group_nodes: int,
                     gpus: float) -> int:
    """``cut(q)`` of the module: how many GPUs have no way into the fabric when a leaf fails
    that takes ``ports_per_node`` ports of each node of a group of ``group_nodes``, with
    ``gpus`` GPUs a node."""
    nodes = min(group_nodes, fabric.nodes)
    e = fabric.endpoints_per_node
    if fabric.node_forwarding:
        return round(nodes * gpus) if ports_per_node == e * fabric.planes else 0
    return round(nodes * ports_per_node * gpus / e) if fabric.planes == 1 else 0


def within_blast_radius(fabric: Fabric, ports_per_node: int, group_nodes: int,
                        gpus: float) -> bool:
    """Whether a leaf of ``group_nodes`` nodes meets ``max_gpus_cut_per_switch`` (always, when
    the fabric sets none)."""
    limit = fabric.max_gpus_cut_per_switch
    return limit is None or gpus_cut_by_leaf(fabric, ports_per_node, group_nodes,
                                             gpus) <= limit
