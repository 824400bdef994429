"""The sweep picture: cost per GPU along the swept axis, marked where the design changes.

One marker per designed point, shaped by tier count; a dotted line with a label wherever the
optimal design switches tier count, layout or switch model; infeasible points are ticks on the
axis. Written as PNG and SVG with fixed metadata, so the same sweep gives the same bytes.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from designer.studies.sweep import SweepResult

MARKERS = {1: "o", 2: "s", 3: "^"}
COLOURS = {1: "#1b9e77", 2: "#d95f02", 3: "#7570b3"}


def write_plots(result: SweepResult, stem: Path) -> list[Path]:
    """Write ``<stem>.png`` and ``<stem>.svg``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.hashsalt": "designer-sweep", "font.size": 10}):
        figure, axes = plt.subplots(figsize=(9, 5), dpi=100)
        _draw(axes, result)
        figure.tight_layout()
        paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
        figure.savefig(paths[0], metadata={"Software": None})
        figure.savefig(paths[1], metadata={"Date": None, "Creator": None})
        plt.close(figure)
    return paths


def _draw(axes, result: SweepResult) -> None:
    designed = [p for p in result.points if p.designed]
    for tiers in sorted({p.tiers for p in designed}):
        mine = [p for p in designed if p.tiers == tiers]
        axes.plot([p.value for p in mine], [p.objective_per_gpu_usd for p in mine],
                  linestyle="none", marker=MARKERS.get(tiers, "D"),
                  color=COLOURS.get(tiers, "#444444"), label=f"{tiers} tier(s)")
    axes.plot([p.value for p in designed], [p.objective_per_gpu_usd for p in designed],
              color="#999999", linewidth=1, zorder=0)
    for before, after in itertools.pairwise(designed):
        if before.shape != after.shape:
            axes.axvline(after.value, color="#bbbbbb", linestyle=":", linewidth=1)
            axes.annotate(_change_label(before, after), (after.value, after.objective_per_gpu_usd),
                          textcoords="offset points", xytext=(4, 8), fontsize=8,
                          color="#333333")
    failed = [p for p in result.points if not p.designed]
    if failed:
        axes.plot([p.value for p in failed], [0] * len(failed), linestyle="none", marker="x",
                  color="#cc0000", label="no design")
    if result.axis == "gpus":
        axes.set_xscale("log", base=2)
        axes.xaxis.set_major_formatter(_thousands())
    axes.yaxis.set_major_formatter(_dollars())
    axes.set_xlabel(result.axis_label)
    axes.set_ylabel(result.objective_label)
    axes.set_title(f"{result.fabric}: network cost per GPU vs {result.axis_label}")
    axes.grid(True, color="#eeeeee")
    axes.set_ylim(bottom=0)
    axes.legend(loc="best", frameon=False)


def _change_label(before, after) -> str:
    if before.tiers != after.tiers:
        return f"{after.tiers} tiers"
    if before.layout != after.layout:
        return after.layout
    was = dict(before.models)
    changed = [model for role, model in after.models if was.get(role) not in (None, model)]
    return changed[0] if changed else "new switch"


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:,.0f}")


def _dollars():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"${value:,.0f}")
