"""Checks of a demand against a catalog: every model it names exists, in the right list."""

from __future__ import annotations

from designer.errors import InputError
from designer.inputs.catalog import Catalog
from designer.inputs.demand import Demand
from designer.inputs.loading import load_catalog, shipped_catalog_names
from designer.inputs.schema import Fabric
from designer.inputs.servers import on_board_nics, pool_of
from designer.inputs.validation import did_you_mean


def _unknown(label: str, name: str, known) -> str:
    return f"{label}: unknown model '{name}'{did_you_mean(name, known)}"


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
        else:
            problems += _on_board_nic_problems(where, fabric, catalog)
            problems += _whole_cage_problems(where, fabric, catalog)
    if problems:
        raise InputError(problems)


def _on_board_nic_problems(where: str, fabric: Fabric, catalog: Catalog) -> list[str]:
    """A card the fabric's server has on board behind the fabric's ports (``<pool>_nic``) is in
    the catalogs, runs at the fabric's port speed or faster, speaks its protocol and is not
    left out by its ``nic_models``: one problem, saying why each named card fails, when none
    does."""
    models = on_board_nics(fabric, catalog)
    if models is None:
        return []
    server = catalog.servers[fabric.server]
    named = " or ".join(f"'{m}'" for m in models)
    label = (f"{where}.server: {server.model} has {named} on board behind its "
             f"{pool_of(fabric, server)} ports")
    loaded = [catalog.nics[m] for m in models if m in catalog.nics]
    if not loaded:
        fix = _shipped_with(list(models), "add a catalog that lists it")
        return [f"{label}, in none of the catalogs ({', '.join(catalog.files)}); fix: {fix}"]
    why = []
    for nic in loaded:
        if nic.port_speed_gbps < fabric.port_speed_gbps:
            why.append((f"{nic.model} ({nic.ports} x {nic.port_speed_gbps:g}G) is slower than "
                        f"the fabric's {fabric.port_speed_gbps:g}G",
                        f"port_speed_gbps: {nic.port_speed_gbps:g}"))
        elif fabric.protocol != "any" and nic.protocol not in (None, fabric.protocol):
            why.append((f"{nic.model} speaks {nic.protocol} only, the fabric asks "
                        f"{fabric.protocol}", f"protocol: {nic.protocol} (or any)"))
        elif fabric.nic_models is not None and nic.model not in fabric.nic_models:
            why.append((f"nic_models leaves {nic.model} out",
                        f"add {nic.model} to nic_models (or drop nic_models)"))
        else:
            return []
    fixes = list(dict.fromkeys(f for _, f in why))
    add = _shipped_with([m for m in models if m not in catalog.nics], None)
    fixes += [add] if add else []
    return [f"{label}: {'; '.join(w for w, _ in why)}; fix: {' or '.join(fixes)}"]


def _whole_cage_problems(where: str, fabric: Fabric, catalog: Catalog) -> list[str]:
    """A fabric on a server's own multi-port backend cages (a DGX's twin-port OSFP) uses its
    ports in whole cages: each cage holds one module, serving this fabric alone."""
    server = catalog.servers.get(fabric.server) if fabric.server else None
    if server is None or pool_of(fabric, server) != "backend":
        return []
    per_cage, used = server.backend_ports_per_cage, fabric.endpoints_per_node * fabric.planes
    if used % per_cage == 0:
        return []
    whole = -(-used // per_cage) * per_cage
    return [f"{where}: {used} backend port(s) per server ({fabric.endpoints_per_node} "
            f"endpoints x {fabric.planes} planes) do not fill whole cages of {server.model} "
            f"({per_cage} ports each, one module per cage); fix: endpoints_per_node x planes "
            f"a multiple of {per_cage} (such as {whole})"]


def _shipped_with(models: list[str], otherwise: str | None) -> str | None:
    """"add the shipped catalog X (it lists M)" for the first of ``models`` a shipped catalog
    lists, else ``otherwise`` (read only to word an error)."""
    for name in shipped_catalog_names():
        listed = load_catalog([name]).nics
        for model in models:
            if model in listed:
                return f"add the shipped catalog {name} (it lists {model})"
    return otherwise
