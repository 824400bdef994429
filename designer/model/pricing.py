"""What the optimizer minimizes: capital cost (default) or capital plus energy (TCO).

With ``objective: {kind: tco, years: Y, usd_per_kwh: p, pue: u}`` every part costs its price
plus the energy it draws over the years, at the facility's PUE::

    energy_usd(part) = power_w / 1000 * 8760 * Y * p * u
    tco_usd = sum over parts of quantity * (price_usd + energy_usd)

with each part's power counted once: a module in a switch cage draws within the switch's
``power_w`` (the datasheet maximum, modules fitted), so its power and energy are the switch's;
a module at a NIC end counts its own.

Every cost in the MILP is linear in part prices, so the model is built unchanged from a catalog
whose prices carry their energy (:func:`energy_priced`: switches, NICs and cables; a module's
energy is added where it sits at a NIC end, from the catalog's ``usd_per_w``); the solved
structure is then mapped back onto the real parts (:func:`rebase`) so the bill of materials
shows list prices, and the objective must equal capital plus energy recomputed from that bill.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from designer.inputs.catalog import PART_KINDS, Catalog
from designer.inputs.schema import Cable, Nic, Objective, Switch, Transceiver

HOURS_PER_YEAR = 8760


def usd_per_watt(objective: Objective) -> float:
    """What one watt drawn for the whole period costs: ``8760 Y p u / 1000``."""
    if objective.kind != "tco":
        return 0.0
    return HOURS_PER_YEAR * objective.years * objective.usd_per_kwh * objective.pue / 1000


def energy_priced(catalog: Catalog, objective: Objective) -> Catalog:
    """The catalog with each part's energy over the period added to its price, but for
    modules (their energy is the switch's in a switch cage, and added at a NIC end from the
    catalog's ``usd_per_w``, which this sets)."""
    factor = usd_per_watt(objective)
    if factor == 0:
        return catalog
    tables = {kind: MappingProxyType({
        model: part.model_copy(update={"price_usd": part.price_usd + factor * part.power_w})
        for model, part in getattr(catalog, kind).items()})
        for kind in PART_KINDS if kind != "transceivers"}
    return dataclasses.replace(catalog, **tables, usd_per_w=factor)


_PARTS = (Switch, Nic, Transceiver, Cable)


def rebase(value, catalog: Catalog, memo: dict | None = None):
    """``value`` (a solved structure, or anything inside one) with every part replaced by the
    part of the same model in ``catalog``: the same design priced at list prices."""
    memo = {} if memo is None else memo
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, _PARTS):
        out = catalog.part(value.model)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: rebase(getattr(value, f.name), catalog, memo)
                   for f in dataclasses.fields(value) if f.init}
        out = dataclasses.replace(value, **changes)
    elif isinstance(value, tuple):
        out = tuple(rebase(item, catalog, memo) for item in value)
    elif isinstance(value, dict):
        out = {k: rebase(v, catalog, memo) for k, v in value.items()}
    else:
        out = value
    memo[key] = out
    return out
