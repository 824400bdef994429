"""Licences and support plans: what each part is bought with, per unit, over its term.

A catalog's ``licenses`` and ``support`` (``designer.inputs.schema``) become fixed charges per
unit of the parts they cover:

- a licence covering a switch: ``price_usd x units x term`` a switch, ``units`` being 1 (``per:
  switch``) or the switch's native port count (``per: port``), ``term`` 1 for a perpetual
  licence or the years of a yearly one;
- a support plan covering a part: ``list_usd x percent_of_list / 100 x years`` a unit, from
  the part's list price (before a quote's discount).

A part takes every licence that covers it and the most specific support plan (one naming its
model, then its vendor, then its kind; among equals the one given last). A term left out is
the objective's ``years``.

Each charge is a constant per unit of a part, so every cost in the MILP stays linear in the
parts it counts: the model is built from a catalog whose prices carry their charges
(:func:`service_priced`), and the bill lists each charge as a line of its own, one per covered
part model (:func:`service_lines`).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from designer.inputs.catalog import PRICED_KINDS, Catalog, most_specific, specificity
from designer.inputs.schema import License, Support
from designer.model.structure import PartLine

SERVICE_KINDS = ("licenses", "support")


@dataclass(frozen=True)
class Charge:
    """What one unit of a covered part is bought with: ``units`` of ``service`` at
    ``unit_usd`` each (the whole term, to the cent)."""

    service: License | Support
    kind: str  # "licenses" or "support"
    units: int
    unit_usd: float
    years: float | None  # the term; None for a perpetual licence

    @property
    def per_part_usd(self) -> float:
        return self.units * self.unit_usd

    @property
    def terms(self) -> str:
        """The charge in words: ``per port, 3 years at $200.00 a year``."""
        s = self.service
        if isinstance(s, Support):
            return (f"{s.percent_of_list:g}% of list a year for {self.years:g} "
                    f"year{'s' if self.years != 1 else ''}")
        per = f"per {s.per}"
        if not s.yearly:
            return f"{per}, perpetual"
        return (f"{per}, {self.years:g} year{'s' if self.years != 1 else ''} at "
                f"${s.price_usd:,.2f} a year")


def charges(catalog: Catalog, years: float) -> Mapping[str, tuple[Charge, ...]]:
    """Every covered part model's charges (licences in the order given, then its support
    plan); ``years`` is the term of those that give none."""
    out: dict[str, list[Charge]] = defaultdict(list)
    plans = [(plan.covers, plan) for plan in catalog.support]
    for kind in PRICED_KINDS:
        for model, part in getattr(catalog, kind).items():
            if kind == "switches":
                for licence in catalog.licenses:
                    if specificity(licence.covers, kind, part):
                        term = (licence.years or years) if licence.yearly else None
                        units = part.ports if licence.per == "port" else 1
                        out[model].append(Charge(licence, "licenses", units,
                                                 round(licence.price_usd * (term or 1), 2),
                                                 term))
            plan = most_specific(plans, kind, part)
            if plan is not None:
                term = plan.years or years
                list_usd = catalog.list_prices.get(model, part.price_usd)
                out[model].append(Charge(plan, "support", 1,
                                         round(list_usd * plan.percent_of_list / 100 * term, 2),
                                         term))
    return MappingProxyType({model: tuple(found) for model, found in sorted(out.items())})


def service_priced(catalog: Catalog, by_model: Mapping[str, tuple[Charge, ...]]) -> Catalog:
    """The catalog with each covered part's charges (:func:`charges`) added to its price (the
    catalog itself when nothing is covered)."""
    if not by_model:
        return catalog
    tables = {kind: MappingProxyType({
        model: part.model_copy(update={
            "price_usd": part.price_usd + sum(c.per_part_usd for c in by_model.get(model, ()))})
        for model, part in getattr(catalog, kind).items()})
        for kind in PRICED_KINDS}
    return dataclasses.replace(catalog, **tables)


@dataclass(frozen=True)
class ServiceLine:
    """One licence or support plan bought for every unit of one part model in one fabric."""

    fabric: str
    kind: str
    model: str
    vendor: str
    covers: str  # the part model
    roles: str
    quantity: int
    units_per_part: int  # 1, or a per-port licence's ports per switch
    unit_price_usd: float
    terms: str
    source: str
    as_of: str

    @property
    def extended_price_usd(self) -> float:
        return self.quantity * self.unit_price_usd


def service_lines(parts: Iterable[PartLine],
                  by_model: Mapping[str, tuple[Charge, ...]]) -> tuple[ServiceLine, ...]:
    """The charges of a fabric's billed ``parts``: per part model and charge, ``quantity`` =
    units of the part bought x the charge's units per part."""
    bought: dict[tuple[str, str], list[PartLine]] = defaultdict(list)
    for part in parts:
        if part.model in by_model:
            bought[(part.fabric, part.model)].append(part)
    lines = []
    for (fabric, model), used in bought.items():
        quantity = sum(p.quantity for p in used)
        roles = ", ".join(dict.fromkeys(p.role for p in used))
        for charge in by_model[model]:
            s = charge.service
            lines.append(ServiceLine(
                fabric=fabric, kind=charge.kind, model=s.model, vendor=s.vendor or "",
                covers=model, roles=roles, quantity=quantity * charge.units,
                units_per_part=charge.units, unit_price_usd=charge.unit_usd, terms=charge.terms,
                source="; ".join(x for x in (charge.terms, s.source) if x),
                as_of=s.as_of or ""))
    return tuple(lines)
