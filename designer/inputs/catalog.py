"""The merged, validated parts catalog and the facts derived from it.

A :class:`Catalog` is frozen: several files merge into one, and every model name is unique
across all part kinds, so a BOM line is identified by its model alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from designer.errors import InputError
from designer.inputs.schema import (
    Cable,
    CatalogFile,
    License,
    Nic,
    PartTarget,
    Server,
    Support,
    Switch,
    Transceiver,
)
from designer.inputs.validation import did_you_mean

PRICED_KINDS = ("switches", "nics", "transceivers", "cables")  # the kinds a network is built of
PART_KINDS = (*PRICED_KINDS, "servers")
T = TypeVar("T")


@dataclass(frozen=True)
class SwitchMode:
    """One way to run a switch: ``radix`` ports of ``port_speed_gbps``.

    ``cage_ports`` is how many of those ports share one cage, hence one transceiver or the wide
    end of one breakout cable: 1 for a plain port, 2 for a twin-port cage or a 2-way breakout.
    """

    switch: Switch
    port_speed_gbps: float
    radix: int
    cage_ports: int

    @property
    def model(self) -> str:
        return self.switch.model

    @property
    def cage_key(self) -> tuple:
        """The cage as media see it (``designer.model.fit.CageKey``): ports and what it takes."""
        return (self.cage_ports, self.switch.cage)

    @property
    def key(self) -> str:
        """Stable identifier: ``QM9700@400x64``."""
        return f"{self.switch.model}@{self.port_speed_gbps:g}x{self.radix}"


def switch_modes(switch: Switch) -> list[SwitchMode]:
    """Every mode of a switch: native, then each breakout.

    With ``c`` native ports per cage, the switch has ``ports / c`` cages; a breakout to ``B``
    ports puts ``B / (ports / c)`` ports in each cage.
    """
    cages = switch.ports // switch.ports_per_cage
    modes = [SwitchMode(switch, switch.port_speed_gbps, switch.ports, switch.ports_per_cage)]
    modes += [SwitchMode(switch, b.port_speed_gbps, b.ports, b.ports // cages)
              for b in switch.breakout]
    return modes


@dataclass(frozen=True)
class Catalog:
    """All parts, by kind and model name; ``files`` lists where they came from.

    ``usd_per_w``: the energy one watt draws over the objective's period, already in the prices
    of this catalog's switches, NICs and cables (``model.pricing.energy_priced``; 0 at list
    prices); a module's is added only where its power is counted, at a NIC end.
    """

    switches: Mapping[str, Switch]
    nics: Mapping[str, Nic]
    transceivers: Mapping[str, Transceiver]
    cables: Mapping[str, Cable]
    servers: Mapping[str, Server]
    files: tuple[str, ...] = ()
    digest: str = ""
    origin: Mapping[str, str] = field(default_factory=dict)
    usd_per_w: float = 0.0
    list_prices: Mapping[str, float] = field(default_factory=dict)  # discounted models' lists
    licenses: tuple[License, ...] = ()  # in the order given (designer.model.services)
    support: tuple[Support, ...] = ()

    @classmethod
    def merge(cls, files: Sequence[tuple[str, CatalogFile]], digest: str = "") -> Catalog:
        """Merge catalog files; a model defined twice is an error naming both places."""
        files = [(label, in_dollars(content)) for label, content in files]
        parts: dict[str, dict] = {kind: {} for kind in PART_KINDS}
        origin: dict[str, str] = {}
        problems = []
        for label, content in files:
            for kind in PART_KINDS:
                for index, part in enumerate(getattr(content, kind)):
                    where = f"{label}: {kind}[{index}].model"
                    if part.model in origin:
                        problems.append(f"{where}: duplicate model '{part.model}' "
                                        f"(also defined at {origin[part.model]})")
                        continue
                    origin[part.model] = where.rsplit(".model", 1)[0]
                    parts[kind][part.model] = part
        list_prices: dict[str, float] = {}
        problems += _apply_quotes(files, parts, origin, list_prices)
        problems += _check_services(files, parts, origin)
        if problems:
            raise InputError(problems)
        frozen = {kind: MappingProxyType(dict(sorted(parts[kind].items()))) for kind in PART_KINDS}
        return cls(**frozen, files=tuple(label for label, _ in files), digest=digest,
                   origin=MappingProxyType(origin),
                   list_prices=MappingProxyType(dict(sorted(list_prices.items()))),
                   licenses=tuple(x for _, content in files for x in content.licenses),
                   support=tuple(x for _, content in files for x in content.support))

    def __reduce__(self):
        """Pickle as plain dicts (read-only mapping views do not pickle), so a catalog can
        cross to worker processes."""
        tables = {kind: dict(getattr(self, kind)) for kind in PART_KINDS}
        return (_rebuild, (tables, self.files, self.digest, dict(self.origin),
                           dict(self.list_prices), self.usd_per_w, self.licenses,
                           self.support))

    def part(self, model: str):
        for kind in PART_KINDS:
            table = getattr(self, kind)
            if model in table:
                return table[model]
        raise KeyError(model)


def _apply_quotes(files: Sequence[tuple[str, CatalogFile]], parts: dict[str, dict],
                  origin: dict[str, str], list_prices: dict[str, float]) -> list[str]:
    """Apply every file's ``overrides``, then its ``discounts``, to the merged ``parts`` (in
    place, each discounted model's list price into ``list_prices``); the problems (an override
    or a discount of a model no file defines).

    An override replaces the fields it gives. A discount of ``p`` percent makes a part's price
    ``list x (1 - p / 100)`` (the list price being the catalog's, or the override's), and says
    so in the part's ``source``; a part takes the most specific discount naming it."""
    kind_of = {model: kind for kind in PART_KINDS for model in parts[kind]}
    problems = []
    for label, content in files:
        for index, override in enumerate(content.overrides):
            kind = kind_of.get(override.model)
            if kind is None:
                problems.append(f"{label}: overrides[{index}].model: no catalog defines "
                                f"'{override.model}'")
                continue
            update = {key: value for key, value in override.model_dump().items()
                      if key not in ("model", "price") and value is not None}
            parts[kind][override.model] = parts[kind][override.model].model_copy(update=update)
            origin[override.model] += f", priced by {label}: overrides[{index}]"
    discounts = [(discount, (discount.percent_off, f"{label}: discounts[{index}]"))
                 for label, content in files for index, discount in enumerate(content.discounts)]
    problems += [f"{where}.model: no catalog defines '{discount.model}'"
                 for discount, (_, where) in discounts
                 if discount.model is not None and discount.model not in kind_of]
    for kind in PART_KINDS:
        for model, part in parts[kind].items():
            chosen = most_specific(discounts, kind, part)
            if chosen is None:
                continue
            percent, where = chosen
            source = f"{part.source}; " if part.source else ""
            list_prices[model] = part.price_usd
            parts[kind][model] = part.model_copy(update={
                "price_usd": round(part.price_usd * (1 - percent / 100), 2),
                "source": f"{source}{percent:g}% off list ${part.price_usd:,.2f} ({where})"})
    return problems


def most_specific(entries: Sequence[tuple[PartTarget, T]], kind: str, part) -> T | None:
    """Of ``entries`` (``(target, item)``, in the order given), the item whose target names
    ``part`` (of ``kind``) most specifically: its model, then its vendor, then its kind; among
    equals the one given last; None when no target names it."""
    best, best_rank = None, 0
    for target, item in entries:
        rank = specificity(target, kind, part)
        if rank and rank >= best_rank:
            best, best_rank = item, rank
    return best


def specificity(target: PartTarget, kind: str, part) -> int:
    """How specifically ``target`` names ``part`` (of ``kind``): 3 its model, 2 its vendor, 1
    its kind, 0 not at all."""
    if target.model is not None:
        return 3 if target.model == part.model else 0
    if target.vendor is not None:
        return 2 if target.vendor == part.vendor else 0
    return 1 if target.kind == kind else 0


def in_dollars(content: CatalogFile) -> CatalogFile:
    """A quote file with each ``price`` (in the file's ``currency``) turned into ``price_usd``
    = price / per_usd (to a millionth of a dollar), its ``source`` saying from what; the file
    itself when it has no currency.

    >>> from designer.inputs.schema import Currency, Override
    >>> quote = CatalogFile(currency=Currency(code="EUR", per_usd=0.92),
    ...                     overrides=(Override(model="X", price=27600, source="Q-1"),))
    >>> entry = in_dollars(quote).overrides[0]
    >>> entry.price_usd, entry.price, entry.source
    (30000.0, None, 'Q-1; EUR 27,600.00 at 0.92 to the dollar')
    """
    currency = content.currency
    if currency is None:
        return content

    def converted(entry):
        if entry.price is None:
            return entry
        said = f"{currency.code} {entry.price:,.2f} at {currency.per_usd:g} to the dollar"
        return entry.model_copy(update={
            # to a millionth of a dollar: no float noise, and converting back at the same
            # rate gives the quote's figure to the cent whatever the rate
            "price_usd": round(entry.price / currency.per_usd, 6), "price": None,
            "source": f"{entry.source}; {said}" if entry.source else said})

    return content.model_copy(update={
        "overrides": tuple(converted(e) for e in content.overrides),
        "licenses": tuple(converted(e) for e in content.licenses)})


def _check_services(files: Sequence[tuple[str, CatalogFile]], parts: dict[str, dict],
                    origin: dict[str, str]) -> list[str]:
    """The problems of the licences and support plans: a part number given twice (or a
    part's), a ``covers`` naming no part a catalog defines, a licence covering anything but
    switches."""
    problems = []
    kind_of = {model: kind for kind in PART_KINDS for model in parts[kind]}
    vendors = {part.vendor for kind in PART_KINDS for part in parts[kind].values()}
    for label, content in files:
        for section in ("licenses", "support"):
            for index, service in enumerate(getattr(content, section)):
                where = f"{label}: {section}[{index}]"
                if service.model in origin:
                    problems.append(f"{where}.model: duplicate model '{service.model}' (also "
                                    f"defined at {origin[service.model]})")
                else:
                    origin[service.model] = where
                covers = service.covers
                if covers.model is not None and covers.model not in kind_of:
                    problems.append(f"{where}.covers.model: no catalog defines "
                                    f"'{covers.model}'{did_you_mean(covers.model, kind_of)}")
                elif covers.vendor is not None and covers.vendor not in vendors:
                    problems.append(f"{where}.covers.vendor: no catalog part is sold by "
                                    f"'{covers.vendor}'{did_you_mean(covers.vendor, vendors)}")
                elif section == "licenses" and (covers.kind or kind_of.get(
                        covers.model, "switches")) != "switches":
                    problems.append(f"{where}.covers: a licence covers switches (a vendor's "
                                    f"are the switches it sells), not "
                                    f"{covers.kind or kind_of[covers.model]}")
    return problems


def _rebuild(tables: dict, files: tuple[str, ...], digest: str, origin: dict,
             list_prices: dict, usd_per_w: float, licenses: tuple,
             support: tuple) -> Catalog:
    return Catalog(**{kind: MappingProxyType(table) for kind, table in tables.items()},
                   files=files, digest=digest, origin=MappingProxyType(origin),
                   usd_per_w=usd_per_w, list_prices=MappingProxyType(list_prices),
                   licenses=licenses, support=support)
