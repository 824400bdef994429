"""The builder every ``define_*`` adds to: named variables and rows, the exact linearisation of
products, and the media cache shared by builds."""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulp

from designer.inputs.catalog import Catalog, SwitchMode
from designer.inputs.schema import Fabric, Site, Switch
from designer.model.fit import CageKey, cage_order
from designer.model.media import Medium, direct_between, media_options, pareto_media
from designer.model.nodelinks import CagePricer
from designer.site.hall import SharedFloor

if TYPE_CHECKING:
    from designer.model.formulation.blocks import Block

Expr = pulp.LpAffineExpression


def row_name(*parts: object) -> str:
    """A row or column name of ``[a-z0-9_]`` only (PuLP rewrites anything else)."""
    return re.sub(r"[^a-z0-9_]+", "_", "_".join(str(p) for p in parts).lower()).strip("_")



@dataclass(frozen=True)
class TierInputs:
    """What every tier family reads: the fabric, its site, the catalog (as priced for the
    objective), the switch modes it may use, the node-link pricer, and the hall when another
    fabric of the same servers placed them."""

    fabric: Fabric
    site: Site
    catalog: Catalog
    modes: tuple[SwitchMode, ...]
    pricer: CagePricer
    hall: SharedFloor | None = None


class Builder:
    """Holds the problem while ``define_*`` functions add to it."""

    def __init__(self, name: str):
        self.problem = pulp.LpProblem(row_name("fabric", name), pulp.LpMinimize)

    def media(self, catalog: Catalog, speed_gbps: float, cages: set[int], *,
              pareto: bool = False, power_matters: bool = False,
              per_run: bool = False, ends: tuple | None = None) -> list[Medium]:
        """``media_options`` (and its Pareto set), computed once for every build that asks for
        the same optics and cables at the same speed (a sweep's points, every block and class
        of one build): the key holds the parts themselves, so a repriced catalog misses.

        ``ends = (lower cages, upper cages)`` (``CageKey`` tuples): only the media fitting one
        cage at each end, and with ``pareto`` the Pareto set among media that fit the same of
        these cages."""
        parts = (tuple(catalog.transceivers.values()), tuple(catalog.cables.values()))
        return _media_of(parts, speed_gbps, frozenset(cages), pareto, power_matters, per_run,
                         ends)

    def binary(self, *name: object) -> pulp.LpVariable:
        return self.problem.add_variable(row_name(*name), 0, 1, cat=pulp.LpBinary)

    def integer(self, *name: object, upper: float) -> pulp.LpVariable:
        return self.problem.add_variable(row_name(*name), 0, upper, cat=pulp.LpInteger)

    def continuous(self, *name: object, upper: float | None = None) -> pulp.LpVariable:
        return self.problem.add_variable(row_name(*name), 0, upper)

    def add(self, constraint, *name: object) -> None:
        self.problem += constraint, row_name(*name)

    def product(self, digits: list[tuple[int, Expr]], value: Expr, value_max: float,
                *name: object) -> Expr:
        """``x * value`` where ``x = sum_j weight_j * digit_j`` and each digit is 0/1.

        For each digit: ``w_j >= value - value_max * (1 - digit_j)``, ``w_j >= 0``; the result is
        ``sum_j weight_j * w_j``. Exact at the optimum when the result only adds cost.
        """
        total = Expr()
        for j, (weight, digit) in enumerate(digits):
            w = self.continuous(*name, "w", j)
            self.add(w >= value - value_max * (1 - digit), *name, "mc", j)
            total += weight * w
        return total

    def choice_product(self, choices: list[tuple[int, pulp.LpVariable]], value: Expr,
                       most: list[float], *name: object) -> Expr:
        """``c * value`` where ``c = sum_y c_y y`` over one-hot choices ``y`` and ``value`` is
        at most ``most_y`` whenever ``y`` is on (and 0 when no choice is).

        One variable per bit ``j`` of the ``c_y``::

            w_j >= value - sum_{y: bit j of c_y is 0} most_y y,   w_j >= 0

        and the result is ``sum_j 2^j w_j``. With ``y`` on, ``w_j >= value`` for the bits of
        ``c_y`` and ``w_j >= value - most_y <= 0`` for the others, so the result is at least
        ``c_y * value``, exact at the optimum when it only adds cost. Unlike :meth:`product`
        on the same digits, the relaxation discounts a choice only by what that choice could
        carry (``most_y``), not by the largest value of any choice.
        """
        top = max((c for c, _ in choices), default=0)
        value = self.alias(value, *name, "value")
        total = Expr()
        for j in range(max(1, top.bit_length())):
            w = self.continuous(*name, "w", j)
            off = Expr([(var, bound) for (c, var), bound in zip(choices, most, strict=True)
                        if not c >> j & 1 and bound])
            self.add(w >= value - off, *name, "mc", j)
            total += (1 << j) * w
        return total

    def alias(self, expr: Expr, *name: object) -> Expr:
        """A variable equal to ``expr`` when ``expr`` is long, so rows that repeat it stay short."""
        expr = Expr(expr)
        if len(expr) <= 2:
            return expr
        var = self.continuous(*name)
        self.add(var == expr, *name, "def")
        return var

    def digits_of(self, variable: Expr, upper: int, *name: object) -> list[tuple[int, Expr]]:
        """Binary digits of a bounded integer expression (new binaries, one equality row)."""
        bits = [self.binary(*name, "bit", j) for j in range(max(1, upper.bit_length()))]
        self.add(variable == pulp.lpSum((1 << j) * b for j, b in enumerate(bits)), *name, "bits")
        return [(1 << j, b) for j, b in enumerate(bits)]


@functools.lru_cache(maxsize=64)
def _media_of(parts: tuple, speed_gbps: float, cages: frozenset[int], pareto: bool,
              power_matters: bool, per_run: bool, ends: tuple | None = None) -> list[Medium]:
    transceivers, cables = parts
    view = _PartsView({t.model: t for t in transceivers}, {c.model: c for c in cables})
    options = media_options(view, speed_gbps, set(cages), per_run=per_run)
    fit_of = None
    if ends is not None:
        lower, upper = ends

        def fit_of(m: Medium) -> tuple:
            return (tuple(m.fits1(k) for k in lower), tuple(m.fits2(k) for k in upper))

        if per_run:  # direct cords run by run are chosen for each pair of single-port cages
            options = [m for m in options if m.transceiver1 is not None or m.breakout]
            options += [m for low in lower for high in upper
                        for m in direct_between(view, speed_gbps, low, high)]
        options = [m for m in options if any(fit_of(m)[0]) and any(fit_of(m)[1])]
    return pareto_media(options, power_matters, fit_of) if pareto else options


@dataclass(frozen=True)
class _PartsView:
    """The two part tables ``media_options`` reads, standing in for a catalog."""

    transceivers: dict
    cables: dict



def cage_sums(items) -> dict[CageKey, Expr]:
    """``sum`` of the choices whose switch has each cage (``(ports, facts)``), in a stable
    order."""
    sums: dict[CageKey, list] = defaultdict(list)
    for key, var in items:
        sums[key].append(var)
    return {key: pulp.lpSum(sums[key]) for key in sorted(sums, key=cage_order)}


def cage_tag(key: CageKey) -> str:
    """A short name for a cage in row names: its ports, and a digest of its facts."""
    ports, cage = key
    if cage is None:
        return str(ports)
    return f"{ports}_{hashlib.sha1(cage.model_dump_json().encode()).hexdigest()[:6]}"



def leaf_sum(block: Block, value) -> Expr:
    """``sum_y value(y) y`` over the block's leaf options."""
    return Expr([(v, value(o)) for o, v in block.leaves])



def by_model(items) -> dict[str, tuple[Switch, Expr]]:
    """Group mode choices by switch model: ``{model: (switch, sum of its choices)}``."""
    grouped: dict[str, list] = defaultdict(list)
    for mode, var in items:
        grouped[mode.model].append((mode, var))
    return {model: (pairs[0][0].switch, pulp.lpSum(v for _, v in pairs))
            for model, pairs in sorted(grouped.items())}
