"""``failures.csv``: what one failed switch, cable or node port costs, per fabric.

The figures are the independent verifier's (``verify.failure_impact``, from the written plan
by max-flow): one row per structural class of element, classes that fail alike together::

    fabric, element, count, example, endpoints_cut, gpus_cut, bisection_left_gbps,
    bisection_left_share

``element`` is a switch role (``leaf``, ``spine``, ``core``) or a link class (``node-leaf``:
one node port or its cable; ``leaf-spine``, ``spine-core``: one cable); ``count`` how many
elements the row stands for (every plane's); ``endpoints_cut`` the node ports left with no
path; ``gpus_cut`` the GPUs left with no way into the fabric (every port of a GPU's rail cut,
one per plane, or with node forwarding every port of its node); ``bisection_left_gbps`` and
``_share`` the fabric's bisection by nodes that remains.
"""

from __future__ import annotations

import csv
from pathlib import Path

SWITCH_ELEMENTS = ("leaf", "spine", "core")
FAILURE_COLUMNS = ("fabric", "element", "count", "example", "endpoints_cut", "gpus_cut",
                   "bisection_left_gbps", "bisection_left_share")


def failures_by_fabric(figures: dict[str, dict]) -> dict[str, list[dict]]:
    """``{fabric: rows}`` from a verification report's ``figures``."""
    return {name: list(fabric.get("failures", ())) for name, fabric in figures.items()}


def worst_failure(rows: list[dict]) -> dict | None:
    """The single failure that costs most: the most GPUs cut off, then endpoints, then the
    least bisection left."""
    return max(rows, key=lambda r: (r["gpus_cut"], r["endpoints_cut"],
                                    -r["bisection_left_gbps"]), default=None)


def most_gpus_cut_by_switch(rows: list[dict]) -> int:
    """The most GPUs one failed switch (a leaf, spine or core) cuts off: the blast radius."""
    return max((r["gpus_cut"] for r in rows if r["element"] in SWITCH_ELEMENTS), default=0)


def write_failures_csv(failures: dict[str, list[dict]], path: Path) -> int:
    """Write ``failures.csv``; returns its rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FAILURE_COLUMNS)
        for fabric, rows in failures.items():
            for row in rows:
                writer.writerow([fabric, *(row[c] for c in FAILURE_COLUMNS[1:])])
                count += 1
    return count
