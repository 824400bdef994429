"""Zero-load worst-case latency of a fabric: switch hops plus cable propagation.

The worst path between two endpoints crosses every tier up and back down::

    1 tier:  node -> leaf -> node
    2 tiers: node -> leaf -> spine -> leaf -> node
    3 tiers: node -> leaf -> spine -> core -> spine -> leaf -> node

    latency = sum over switches on the path of latency_ns(switch)
              + PROPAGATION_NS_PER_M * (2 node-leaf + 2 leaf-spine + 2 spine-core worst runs)

Each run is its class's worst, so the figure is an upper bound at zero load (no queueing, no
serialization, no NIC or host time). Light in fiber and in twinax copper travels at about
two thirds of its speed in vacuum: about 5 ns per metre.

The seed's targets put this in proportion: training gradient synchronisation tolerates
100-500 us, inference needs under 10 ms end to end; a fabric adds a few microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.model.links import LINK_CLASSES

PROPAGATION_NS_PER_M = 5.0
PATH_ROLES = {1: ("leaf",), 2: ("leaf", "spine", "leaf"),
              3: ("leaf", "spine", "core", "spine", "leaf")}
TARGETS_US = {"training": (500.0, "training tolerates 100-500 us for gradient synchronisation"),
              "inference": (10_000.0, "inference needs under 10 ms end to end")}


@dataclass(frozen=True)
class LatencyEstimate:
    """Worst-case zero-load latency of one fabric, in nanoseconds, and how it adds up."""

    switch_ns: float
    propagation_ns: float
    path: tuple[str, ...]

    @property
    def total_ns(self) -> float:
        return self.switch_ns + self.propagation_ns

    def to_dict(self) -> dict:
        return {"worst_ns": round(self.total_ns, 1), "switch_ns": round(self.switch_ns, 1),
                "propagation_ns": round(self.propagation_ns, 1), "path": list(self.path)}


def switch_path_ns(tiers: int, latency_ns: dict[str, float]) -> float:
    """Switch latency along the worst path: ``2 leaf + 2 spine + core`` (as tiers allow)."""
    return sum(latency_ns[role] for role in PATH_ROLES[tiers])


def propagation_ns(tiers: int, lengths_m: dict[str, float]) -> float:
    """Cable propagation along the worst path: every class's worst run, up and down."""
    return PROPAGATION_NS_PER_M * sum(2 * lengths_m[cls] for cls in LINK_CLASSES[tiers])


def estimate(structure, lengths_m: dict[str, float]) -> LatencyEstimate:
    """The latency of a solved fabric from its switches and worst runs."""
    latency = {role: mode.switch.latency_ns
               for role, (mode, _) in structure.counts.switches.items()}
    tiers = structure.tiers
    return LatencyEstimate(switch_path_ns(tiers, latency), propagation_ns(tiers, lengths_m),
                           ("node", *PATH_ROLES[tiers], "node"))
