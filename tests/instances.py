"""Deterministic small instances (catalog, fabric, site) for the optimality tests.

Everything is built in memory from a ``random.Random(seed)``, so the same seed always gives the
same instances. Instances are small (switch radix 4..16, at most 48 nodes) so that the
exhaustive reference in ``tests/reference.py`` runs in well under a second each.

Each instance leans towards a shape by its index (``i % 4``): one tier (few endpoints or one
switch hop allowed), two tiers, three tiers (small radix and many endpoints), or anything. A few
are made infeasible on purpose (a hop limit too tight, a NIC at the wrong speed, or optics that
cannot reach the spines); others may be infeasible by chance.
"""

from __future__ import annotations

import random
from dataclasses import replace
from types import MappingProxyType
from typing import NamedTuple

from designer.inputs.catalog import Catalog
from designer.inputs.schema import (
    Breakout,
    Cable,
    Cage,
    CatalogFile,
    Fabric,
    Nic,
    Server,
    Site,
    Switch,
    Transceiver,
)

DEFAULT_SEED = 8
SPEEDS_GBPS: tuple[float, ...] = (100.0, 200.0, 400.0)
OVERSUBSCRIPTIONS: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0)
FLAVOURS: tuple[str, ...] = ("one-tier", "two-tier", "three-tier", "mixed")


class SmallInstance(NamedTuple):
    name: str
    catalog: Catalog
    fabric: Fabric
    site: Site


def small_instances(count: int = 40, seed: int = DEFAULT_SEED) -> list[SmallInstance]:
    """``count`` instances, the same ones for the same seed."""
    rng = random.Random(seed)
    return [_instance(index, rng) for index in range(count)]


def _instance(index: int, rng: random.Random) -> SmallInstance:
    flavour = FLAVOURS[index % len(FLAVOURS)]
    infeasible_twist = _pick_twist(index, rng)
    speed_gbps = rng.choice(SPEEDS_GBPS)
    protocols = _switch_protocols(rng, flavour)
    switches = _switches(rng, flavour, speed_gbps, protocols)
    nics = _nics(rng, speed_gbps, protocols, wrong_speed=infeasible_twist == "nic-speed")
    transceivers = _transceivers(rng, speed_gbps, short=infeasible_twist == "short-optics")
    cables = _cables(rng, speed_gbps, short=infeasible_twist == "short-optics")
    catalog = Catalog.merge([("generated", CatalogFile(
        switches=tuple(switches), nics=tuple(nics), transceivers=tuple(transceivers),
        cables=tuple(cables)))])
    name = f"gen{index:02d}-{flavour}" + (f"-{infeasible_twist}" if infeasible_twist else "")
    fabric = _fabric(rng, name, flavour, speed_gbps, protocols, switches, nics,
                     hops_one=infeasible_twist == "one-hop")
    site = _site(rng)
    return SmallInstance(name, catalog, fabric, site)


def _pick_twist(index: int, rng: random.Random) -> str | None:
    """Every 13th instance is pushed towards infeasibility, three different ways."""
    if index % 13 != 7:
        return None
    return ("one-hop", "nic-speed", "short-optics")[(index // 13) % 3]


def _switch_protocols(rng: random.Random, flavour: str) -> tuple[str, ...]:
    single: tuple[tuple[str, ...], ...] = (("ethernet",), ("infiniband",))
    if flavour == "three-tier":
        return rng.choice(single)
    return rng.choice((*single, ("ethernet", "infiniband")))


# --------------------------------------------------------------------------------------------
# Catalog parts


def _radix_choices(flavour: str) -> tuple[int, ...]:
    if flavour == "three-tier":
        return (4, 6, 6)
    if flavour == "one-tier":
        return (6, 8, 12, 16)
    if flavour == "two-tier":
        return (6, 8, 8, 12)
    return (6, 8, 12, 16, 16)


def _style_choices(flavour: str) -> tuple[str, ...]:
    if flavour == "three-tier":
        return ("plain", "plain", "plain", "twin", "breakout")
    return ("plain", "plain", "twin", "breakout")


def _switches(rng: random.Random, flavour: str, speed_gbps: float,
              protocols: tuple[str, ...]) -> list[Switch]:
    """2-4 switch models: plain, twin-port cages, or 2-way breakout to the fabric speed."""
    out = []
    for number in range(rng.randint(2, 4)):
        radix = rng.choice(_radix_choices(flavour))
        protocol = protocols[number % len(protocols)]
        price_usd = float(radix * rng.choice((400, 500, 600, 700)) + 50 * rng.randint(0, 19))
        style = rng.choice(_style_choices(flavour))
        if flavour == "three-tier" and number == 0:
            radix, style = 6, "plain"  # one switch that can build a 3-tier fabric of ~50 ports
        model = f"SW{number}-{style}-{radix}"
        if style == "twin":
            out.append(Switch(model=model, ports=radix, port_speed_gbps=speed_gbps,
                              price_usd=price_usd, ports_per_cage=2, protocol=protocol))
        elif style == "breakout":
            out.append(Switch(model=model, ports=radix // 2, port_speed_gbps=2 * speed_gbps,
                              price_usd=price_usd, protocol=protocol,
                              breakout=(Breakout(port_speed_gbps=speed_gbps, ports=radix),)))
        else:
            out.append(Switch(model=model, ports=radix, port_speed_gbps=speed_gbps,
                              price_usd=price_usd, protocol=protocol))
    return out


def _nics(rng: random.Random, speed_gbps: float, protocols: tuple[str, ...],
          wrong_speed: bool) -> list[Nic]:
    out = []
    for number in range(rng.randint(1, 2)):
        ports = rng.choice((1, 2))
        protocol = None if number == 0 and rng.random() < 0.7 else rng.choice((None, *protocols))
        nic_speed_gbps = speed_gbps * 2 if wrong_speed else speed_gbps
        price_usd = float(rng.choice((300, 500, 800, 1200)) * ports + 10 * rng.randint(0, 9))
        out.append(Nic(model=f"NIC{number}-{ports}p", ports=ports, port_speed_gbps=nic_speed_gbps,
                       price_usd=price_usd, protocol=protocol))
    return out


def _transceivers(rng: random.Random, speed_gbps: float, short: bool) -> list[Transceiver]:
    """A few optics: 1- and 2-port, multimode (short reach) and single-mode (long reach)."""
    kinds = [("SR", 1, "mmf", rng.choice((30.0, 50.0, 100.0)), 100),
             ("SR2", 2, "mmf", rng.choice((30.0, 50.0)), 170),
             ("DR", 1, "smf", 500.0, 250),
             ("DR2", 2, "smf", rng.choice((500.0, 2000.0)), 420)]
    rng.shuffle(kinds)
    # One fiber type always has both a 1-port and a 2-port module; the rest is left to chance.
    single_port = next(kind for kind in kinds if kind[1] == 1)
    kept = [kind for kind in kinds if kind[2] == single_port[2]]
    kept += [kind for kind in kinds[: rng.randint(0, 4)] if kind not in kept]
    out = []
    for name, ports, fiber, reach_m, base_usd in kept:
        price_usd = float(base_usd * speed_gbps / 100 + 5 * rng.randint(0, 9))
        out.append(Transceiver(model=f"{name}-{speed_gbps:g}G", port_speed_gbps=speed_gbps,
                               reach_m=4.0 if short else reach_m, price_usd=price_usd,
                               ports=ports, fiber=fiber))
    return out


def _cables(rng: random.Random, speed_gbps: float, short: bool) -> list[Cable]:
    """Fibers for both fiber types, plus short direct cables (straight and 2-way breakout)."""
    out = [
        Cable(model="FIB-MMF", port_speed_gbps=800.0, reach_m=4.0 if short else 100.0,
              price_usd=float(rng.choice((20, 30, 40))), kind="fiber", fiber="mmf"),
        Cable(model="FIB-SMF", port_speed_gbps=800.0, reach_m=4.0 if short else 2000.0,
              price_usd=float(rng.choice((25, 35, 45))), kind="fiber", fiber="smf"),
    ]
    if rng.random() < 0.8:
        out.append(Cable(model=f"DAC-{speed_gbps:g}G", port_speed_gbps=speed_gbps,
                         reach_m=rng.choice((2.0, 3.0)), kind="dac",
                         price_usd=float(rng.choice((60, 80, 100)) + rng.randint(0, 9))))
    if rng.random() < 0.6:
        out.append(Cable(model=f"DACBO-{speed_gbps:g}G", port_speed_gbps=speed_gbps,
                         reach_m=rng.choice((2.0, 3.0)), kind="dac", links=2,
                         price_usd=float(rng.choice((110, 150)) + rng.randint(0, 9))))
    if rng.random() < 0.3:
        out.append(Cable(model=f"AOC-{speed_gbps:g}G", port_speed_gbps=speed_gbps,
                         reach_m=rng.choice((10.0, 20.0)), kind="aoc",
                         price_usd=float(rng.choice((300, 450)) + rng.randint(0, 9))))
    return out + _shorter_lengths(rng, out)


def _shorter_lengths(rng: random.Random, cables: list[Cable]) -> list[Cable]:
    """Cheaper stocked lengths of some cables (so each link's length matters, not the class's
    worst): a 5 m and a 10 m fiber, a 1 m DAC or breakout."""
    out = []
    for cable in cables:
        for length_m in (1.0, 5.0, 10.0):
            if length_m < cable.reach_m and rng.random() < 0.5:
                discount = rng.choice((0.4, 0.6, 0.8))
                out.append(cable.model_copy(update={
                    "model": f"{cable.model}-{length_m:g}M", "reach_m": length_m,
                    "price_usd": round(cable.price_usd * discount, 2)}))
    return out


# --------------------------------------------------------------------------------------------
# Demand and site


def _fabric(rng: random.Random, name: str, flavour: str, speed_gbps: float,
            protocols: tuple[str, ...], switches: list[Switch], nics: list[Nic],
            hops_one: bool) -> Fabric:
    if flavour == "one-tier":
        endpoints = rng.randint(1, 2)
        nodes = rng.randint(1, 8 // endpoints)
    elif flavour == "two-tier":
        nodes = rng.randint(6, 24)
        endpoints = rng.randint(1, 2)
    elif flavour == "three-tier":
        endpoints = rng.randint(1, 2)
        nodes = rng.randint(20, 40) // endpoints
    else:
        endpoints = rng.choice((1, 1, 2, 3, 4))
        nodes = rng.randint(1, 48)
    node_forwarding = rng.random() < 0.3
    layout = rng.choice(("any", "any", "tor", "rail-optimized"))
    protocol = rng.choice(("any", "any", "any", *protocols))
    hops = 1 if hops_one else rng.choice((1, 3, 5, 5, 5) if flavour == "one-tier" else (3, 5, 5))
    if flavour == "three-tier" and not hops_one:
        hops = 5
    scalable_unit = rng.choice((2, 3)) if rng.random() < 0.2 else None
    switch_models = None
    if rng.random() < 0.15:
        switch_models = tuple(s.model for s in switches[:-1])
    nic_models = (nics[-1].model,) if rng.random() < 0.1 else None
    return Fabric(
        name=name, nodes=nodes if not hops_one else max(nodes, 40), endpoints_per_node=endpoints,
        port_speed_gbps=speed_gbps, protocol=protocol,
        max_oversubscription=rng.choice(OVERSUBSCRIPTIONS), max_switch_hops=hops,
        layout=layout, node_forwarding=node_forwarding, scalable_unit_nodes=scalable_unit,
        planes=rng.choice((1, 1, 2)), switch_models=switch_models, nic_models=nic_models)


def _site(rng: random.Random) -> Site:
    choice = rng.randint(0, 3)
    if choice == 0:
        return Site()
    if choice == 1:
        return Site(nodes_per_rack=rng.choice((2, 8)), racks_per_row=rng.choice((4, 8)))
    if choice == 2:
        return Site(node_leaf_m=rng.choice((1.5, 2.5, 5.0)))
    return Site(leaf_spine_m=rng.choice((3.0, 12.0)), spine_core_m=rng.choice((3.0, 25.0)))


def with_power(catalog: Catalog, seed: int, draws_w: tuple[float, ...]) -> Catalog:
    """The same catalog with a deterministic power draw (one of ``draws_w``) on every part."""
    rng = random.Random(seed)
    tables = {}
    for kind in ("switches", "nics", "transceivers", "cables"):
        table = getattr(catalog, kind)
        tables[kind] = MappingProxyType({
            model: part.model_copy(update={"power_w": float(rng.choice(draws_w))})
            for model, part in table.items()})
    return replace(catalog, **tables)


def with_server(instance: SmallInstance, nics_included: bool,
                on_board: str | None = None, **server) -> SmallInstance:
    """The same instance on a server model of the catalog whose price includes its NICs or
    not, with the NIC card ``on_board`` behind its ports and any other ``server`` facts (one
    rack unit, no power of its own: the floor stays the instance's)."""
    server = Server(model="gen-server", gpus=8, price_usd=100_000.0,
                    nics_included=nics_included, frontend_nic=on_board, **server)
    catalog = replace(instance.catalog, servers=MappingProxyType({server.model: server}))
    fabric = instance.fabric.model_copy(update={"server": server.model})
    return instance._replace(catalog=catalog, fabric=fabric)


def with_cages(instance: SmallInstance, seed: int) -> SmallInstance:
    """The same instance with cage facts drawn at random (deterministic for ``seed``) on every
    switch, NIC, module and direct cable: form factor, top, lane rate and coding from a small
    vocabulary, so that some parts fit some cages and not others, and a module's optical lane
    rate sometimes differs from its host's. Ends are drawn towards fitting (most parts say
    less than everything), so most instances stay feasible."""
    rng = random.Random(seed)

    def cage() -> Cage:
        form = rng.choice(("OSFP", "OSFP", "QSFP112", "QSFP-DD"))
        return Cage(form_factor=form, top=rng.choice((None, "finned", "flat")) if form == "OSFP"
                    else None, lanes=rng.choice((None, 8, 8, 4)),
                    lane_gbps=rng.choice((None, 100.0, 100.0, 50.0)),
                    coding=rng.choice((None, None, ("A",), ("A", "B"))))

    def ends() -> dict:
        facts = {"form_factor": rng.choice((None, "OSFP", "QSFP112", "QSFP56")),
                 "lane_gbps": rng.choice((None, None, 100.0, 50.0)),
                 "coding": rng.choice((None, None, "A", "B"))}
        if facts["form_factor"] == "OSFP":
            facts["top"] = rng.choice((None, "finned", "flat"))
        return facts

    switches = {m: s.model_copy(update={"cage": cage() if rng.random() < 0.8 else None})
                for m, s in instance.catalog.switches.items()}
    nics = {m: n.model_copy(update={"cage": cage() if rng.random() < 0.7 else None})
            for m, n in instance.catalog.nics.items()}
    modules = {}
    for m, t in instance.catalog.transceivers.items():
        facts = ends()
        if rng.random() < 0.2:
            facts["optical_lane_gbps"] = rng.choice((50.0, 100.0))
        modules[m] = t.model_copy(update=facts)
    cables = {}
    for m, c in instance.catalog.cables.items():
        facts = {}
        if c.kind in ("dac", "acc", "aoc"):
            facts = ends()
            if rng.random() < 0.4:
                facts["far_form_factor"] = rng.choice(("OSFP", "QSFP112"))
                facts["far_top"] = rng.choice((None, "flat"))
        cables[m] = c.model_copy(update=facts)
    catalog = replace(instance.catalog, switches=MappingProxyType(switches),
                      nics=MappingProxyType(nics), transceivers=MappingProxyType(modules),
                      cables=MappingProxyType(cables))
    return instance._replace(name=f"{instance.name}-cages", catalog=catalog)
