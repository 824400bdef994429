"""Checks of a demand against a catalog: every model it names exists, in the right list."""

from __future__ import annotations

import difflib

from designer.errors import InputError
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand


def _unknown(label: str, name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{label}: unknown model '{name}'{hint}"


def check_references(demand: Demand, catalog: Catalog) -> None:
    """Every model a demand names exists in the catalog, in the right list."""
    problems = []
    for i, fabric in enumerate(demand.fabrics):
        where = f"{demand.path}: fabrics[{i}]"
        for j, model in enumerate(fabric.switch_models or ()):
            if model not in catalog.switches:
                problems.append(_unknown(f"{where}.switch_models[{j}]", model, catalog.switches))
        for j, model in enumerate(fabric.nic_models or ()):
            if model not in catalog.nics:
                problems.append(_unknown(f"{where}.nic_models[{j}]", model, catalog.nics))
        if fabric.server is not None and fabric.server not in catalog.servers:
            problems.append(_unknown(f"{where}.server", fabric.server, catalog.servers))
    if problems:
        raise InputError(problems)
