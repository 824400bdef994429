"""Input schema: the catalog and demand file formats, as strict frozen pydantic models.

This module is the single place where every input key is declared, with its unit, default and
meaning. Validation is strict: unknown keys, wrong types, NaN/inf and non-positive quantities are
errors. Cross-record checks need more than one record, so they live beside it: duplicate models
in ``catalog.py``, unknown references in ``checks.py``.
"""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from designer.inputs.validation import did_you_mean

Protocol = Literal["infiniband", "ethernet"]
PROTOCOLS: tuple[str, ...] = ("infiniband", "ethernet")


# A part's model name: printable (no control characters, so every message stays one line).
ModelName = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
MAX_SWITCH_PORTS = 4096  # well past any real switch (512 x 100G); keeps candidate sets bounded


class Record(BaseModel):
    """Base of every input record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Provenance(Record):
    """Where a price came from. Shipped catalogs fill both; user quotes should too."""

    vendor: str | None = None
    source: str | None = Field(None, description="where the price came from (URL, quote, list)")
    as_of: str | None = Field(None, description="date of the price: YYYY-MM or YYYY-MM-DD")


FormFactor = Literal["OSFP", "QSFP-DD", "QSFP112", "QSFP56", "QSFP28"]
"""A pluggable form factor (PHYSICAL.md section 1): OSFP and QSFP-DD cages have 8 electrical
lanes, the QSFP family 4."""
FORM_FACTORS: tuple[str, ...] = get_args(FormFactor)

Top = Literal["finned", "flat"]
"""An OSFP part's top: finned (integrated heat sink, for air-cooled switch cages) or flat (a
riding heat sink in the cage: NIC cards, DGX servers, liquid-cooled switches)."""


class Cage(Record):
    """A device's port cage: what a module or a cable end must be to plug in (``model/fit.py``
    holds the rule). Every fact but the form factor may be left out: not checked."""

    form_factor: FormFactor
    top: Top | None = Field(None, description="the top a part must have (OSFP: finned in "
                            "air-cooled switches, flat in NICs and DGX servers)")
    lanes: int | None = Field(None, gt=0, le=16, description="electrical lanes per cage "
                              "(OSFP, QSFP-DD: 8; QSFP112, QSFP56, QSFP28: 4)")
    lane_gbps: float | None = Field(None, gt=0, description="the fastest lane its SerDes runs: "
                                    "100 (100G-PAM4), 50 (50G-PAM4), 25 (NRZ)")
    coding: tuple[ModelName, ...] | None = Field(
        None, strict=False, description="the vendor codings it accepts (None: any); a part "
        "with no coding is coded to order and fits any cage")

    @field_validator("coding")
    @classmethod
    def _some_coding(cls, value):
        if value is not None and not value:
            raise ValueError("must list at least one vendor coding (or be left out: any)")
        return value


class Breakout(Record):
    """One breakout mode: every physical port split, giving `ports` ports of `port_speed_gbps`."""

    port_speed_gbps: float = Field(gt=0)
    ports: int = Field(gt=0, le=MAX_SWITCH_PORTS)


class Switch(Provenance):
    """A switch model. `ports` at `port_speed_gbps` is its native mode."""

    model: ModelName
    ports: int = Field(gt=0, le=MAX_SWITCH_PORTS,
                       description="ports at port_speed_gbps in the native mode")
    port_speed_gbps: float = Field(gt=0)
    price_usd: float = Field(gt=0)
    breakout: tuple[Breakout, ...] = Field((), strict=False)
    ports_per_cage: int = Field(
        1, gt=0,
        description="native ports that share one cage, hence one transceiver "
        "(2 for twin-port OSFP switches whose 64 x 400G ports sit in 32 cages)",
    )
    protocol: Protocol = "ethernet"
    power_w: float = Field(0.0, ge=0)
    rack_units: int = Field(1, gt=0)
    latency_ns: float = Field(0.0, ge=0)
    cage: Cage | None = Field(None, description="what its cages take (None: not checked)")

    @model_validator(mode="after")
    def _cages_and_breakouts(self) -> Switch:
        problems = []
        if self.ports % self.ports_per_cage:
            problems.append(f"ports: {self.ports} is not a multiple of ports_per_cage "
                            f"{self.ports_per_cage}")
        cage_gbps = self.port_speed_gbps * self.ports_per_cage
        cages = self.ports // self.ports_per_cage
        for i, mode in enumerate(self.breakout):
            if mode.ports % cages:
                problems.append(f"breakout[{i}].ports: {mode.ports} is not a multiple of the "
                                f"{cages} cages")
                continue
            per_cage = mode.ports // cages
            if not math.isclose(per_cage * mode.port_speed_gbps, cage_gbps):
                problems.append(
                    f"breakout[{i}]: {per_cage} x {mode.port_speed_gbps:g}G per cage does not "
                    f"divide the {cage_gbps:g}G cage bandwidth")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Nic(Provenance):
    """A network adapter: `ports` ports of `port_speed_gbps`."""

    model: ModelName
    ports: int = Field(gt=0)
    port_speed_gbps: float = Field(gt=0)
    price_usd: float = Field(gt=0)
    protocol: Protocol | None = Field(None, description="None: works on either protocol")
    power_w: float = Field(0.0, ge=0)
    pcie_gen: Literal[3, 4, 5, 6] | None = Field(
        None, description="PCIe generation of the card's host interface (None: not checked)")
    pcie_lanes: Literal[1, 2, 4, 8, 16] = Field(16, description="PCIe lanes of the card")
    cage: Cage | None = Field(None, description="what each port's cage takes (None: not "
                              "checked)")


Connector = Literal["MPO-12/APC", "MPO-12/UPC", "MPO-16/APC", "LC/UPC"]
"""An optical connector: MPO trunks are angled (APC) on single-mode and NVIDIA's parts, flat
(UPC) on some multimode ones; duplex LC is UPC. Two ends mate only with the same connector."""


class Transceiver(Provenance):
    """A pluggable optic. One module serves `ports` links of `port_speed_gbps` each."""

    model: ModelName
    port_speed_gbps: float = Field(gt=0, description="speed of each link the module carries")
    reach_m: float = Field(gt=0)
    price_usd: float = Field(gt=0)
    ports: int = Field(1, gt=0, description="links per module: 2 for a twin-port 2 x 400G OSFP")
    fiber: Literal["mmf", "smf"] = "smf"
    protocol: Protocol | None = None
    power_w: float = Field(0.0, ge=0)
    form_factor: FormFactor | None = Field(None, description="None: not checked")
    top: Top | None = Field(None, description="an OSFP module's top (None: not checked)")
    lane_gbps: float | None = Field(
        None, gt=0, description="its electrical lane rate on the host side (None: not "
        "checked)")
    optical_lane_gbps: float | None = Field(
        None, gt=0, description="its optical lane rate (default: lane_gbps); two modules of a "
        "link must have the same (50G-PAM4 and 100G-PAM4 optics do not link): a QSFP-DD DR4 "
        "runs 8 x 50G to its host and 4 x 100G on the fiber")
    coding: ModelName | None = Field(
        None, description="the vendor it is coded for (None: coded to order, fits any cage)")
    description: str | None = Field(None, description="free text: the optic type (2xSR4)")
    connector: Connector | None = Field(
        None, description="the optical connector of the module (None: not checked)")
    connectors: int | None = Field(
        None, gt=0, description="connectors on the module (default: one per port); fewer than "
        "ports means one connector fans out to several links through a harness (a 400G DR4 "
        "module serving 4 x 100G: 1 MPO-12 to 4 duplex LC)")

    @model_validator(mode="before")
    @classmethod
    def _legacy_form_factor(cls, data):
        """Older catalogs wrote the form factor as free text ("OSFP twin-port finned (2xSR4)"):
        a text that starts with a form factor keeps that, the rest becomes the description."""
        if isinstance(data, dict) and isinstance(data.get("form_factor"), str):
            text = data["form_factor"].strip()
            head, _, rest = text.partition(" ")
            if head in FORM_FACTORS and rest and "description" not in data:
                data = {**data, "form_factor": head, "description": rest.strip()}
        return data

    @model_validator(mode="after")
    def _connectors_divide_ports(self) -> Transceiver:
        if self.connectors is not None and (self.connectors > self.ports
                                            or self.ports % self.connectors):
            raise ValueError(f"connectors: {self.connectors} does not divide the module's "
                             f"{self.ports} ports (each connector carries the same links)")
        if self.connectors is not None and self.connectors < self.ports and not self.connector:
            raise ValueError("connector: a module whose connectors carry several links each "
                             "must say its connector (the harness fanning it out mates it)")
        return self


DIRECT_KINDS = ("dac", "acc", "aoc")
"""Cables that plug straight into cages, with no transceiver."""


class Cable(Provenance):
    """A cable. `fiber` needs a transceiver at each end; `dac`, `acc`, `aoc` plug in directly;
    a `harness` fans one module connector out to `links` fiber legs (a 400G DR4 module's MPO-12
    to 4 duplex LC) at the module's end of a breakout, the legs then run on fiber cords.

    A direct cable with ``links: 2`` is a breakout (splitter) cable: its wide end takes a cage of
    2 ports and each of its 2 narrow ends a single-port cage.
    """

    model: ModelName
    port_speed_gbps: float = Field(gt=0, description="speed of each link (leg) it carries")
    reach_m: float = Field(gt=0, description="longest link it serves (its length if fixed)")
    price_usd: float = Field(gt=0)
    kind: Literal["dac", "acc", "aoc", "fiber", "harness"] = "fiber"
    links: int = Field(1, gt=0, description="links per cable; >1 is a breakout splitter (or a "
                       "harness's legs)")
    fiber: Literal["mmf", "smf"] | None = Field(None, description="for kind fiber and harness")
    protocol: Protocol | None = None
    power_w: float = Field(0.0, ge=0)
    connector: Connector | None = Field(
        None, description="a fiber cord's connector at both ends; a harness's at its trunk end "
        "(None: not checked)")
    leg_connector: Connector | None = Field(None, description="a harness's connector on each leg")
    form_factor: FormFactor | None = Field(
        None, description="a direct cable's end (a splitter's wide end; None: not checked)")
    top: Top | None = Field(None, description="that end's top")
    far_form_factor: FormFactor | None = Field(
        None, description="the other end (each leg of a splitter); default: form_factor")
    far_top: Top | None = Field(None, description="the other end's top; default: top")
    lane_gbps: float | None = Field(None, gt=0, description="a direct cable's electrical lane "
                                    "rate at its first end (None: not checked)")
    far_lane_gbps: float | None = Field(None, gt=0, description="at the other end (an active "
                                        "cable may differ); default: lane_gbps")
    coding: ModelName | None = Field(
        None, description="the vendor it is coded for (None: coded to order, fits any cage)")

    @model_validator(mode="after")
    def _fiber_type(self) -> Cable:
        if self.kind in ("fiber", "harness") and self.fiber is None:
            raise ValueError(f"fiber: a {self.kind} cable must say mmf or smf")
        if self.kind == "fiber" and self.links != 1:
            raise ValueError("links: a fiber cable carries one link (use a twin-port transceiver)")
        if self.kind == "harness" and (self.links < 2 or self.connector is None
                                       or self.leg_connector is None):
            raise ValueError("a harness needs links (2 or more legs), connector and "
                             "leg_connector")
        plugged = [key for key in ("form_factor", "top", "far_form_factor", "far_top",
                                   "lane_gbps", "far_lane_gbps", "coding")
                   if getattr(self, key) is not None]
        if plugged and self.kind not in DIRECT_KINDS:
            raise ValueError(f"{plugged[0]}: a {self.kind} cable plugs into no cage (only dac, "
                             "acc and aoc do; a fiber's ends are the modules')")
        return self


class Server(Provenance):
    """A GPU server type, for GPU cost and the network's share of it."""

    model: ModelName
    gpus: int = Field(gt=0)
    price_usd: float = Field(gt=0)
    power_w: float = Field(0.0, ge=0)
    rack_units: int = Field(1, gt=0)
    backend_ports: int = Field(0, ge=0, description="backend NIC ports per server "
                               "(training and inference fabrics)")
    frontend_ports: int = Field(0, ge=0, description="frontend NIC ports per server (frontend "
                                "fabrics; storage too when storage_ports is 0)")
    storage_ports: int = Field(0, ge=0, description="storage NIC ports per server")
    pcie_gen: Literal[3, 4, 5, 6] | None = Field(
        None, description="PCIe generation of the slots NIC cards sit in (None: each card "
        "runs at its own)")
    nic_slots: int | None = Field(None, gt=0, description="slots for the NIC cards a fabric "
                                  "buys (None: not checked)")
    backend_cage: Cage | None = Field(
        None, description="the cages the backend ports sit in when the server has its own "
        "(a DGX's twin-port OSFP, flat top), in place of the on-board card's")
    backend_ports_per_cage: int = Field(
        1, gt=0, le=8, description="backend ports that share one cage, hence one module (a "
        "DGX H100: 2, eight 400G ports in four cages)")
    backend_nic: tuple[ModelName, ...] | None = Field(
        None, strict=False, description="the NIC card on board behind the backend ports (a "
        "catalog nic), or a list of the cards each port can act as (a VPI port: its "
        "InfiniBand and its Ethernet card); fabrics on these ports use one, at its port speed "
        "or below")
    frontend_nic: tuple[ModelName, ...] | None = Field(
        None, strict=False, description="likewise, the frontend ports")
    storage_nic: tuple[ModelName, ...] | None = Field(
        None, strict=False, description="likewise, the storage ports")
    nics_included: bool = Field(
        False, description="the server price includes the NICs behind its ports (every "
        "pool, named or not): fabrics on this server bill no NIC and count no NIC power (it "
        "is in power_w)")

    @model_validator(mode="after")
    def _whole_cages(self) -> Server:
        if self.backend_ports % self.backend_ports_per_cage:
            raise ValueError(f"backend_ports: {self.backend_ports} is not a multiple of "
                             f"backend_ports_per_cage {self.backend_ports_per_cage}")
        return self

    @field_validator("backend_nic", "frontend_nic", "storage_nic", mode="before")
    @classmethod
    def _one_or_a_list(cls, value):
        if isinstance(value, str):
            return (value,)
        if value is not None and not value:
            raise ValueError("must name at least one NIC (or be left out)")
        return value


class Override(Record):
    """A quote's figures for a model a catalog defines (this file or one given before it):
    the fields given replace the model's."""

    model: ModelName
    price_usd: float | None = Field(None, gt=0, strict=False)
    price: float | None = Field(None, gt=0, strict=False, description="the new price in the "
                                "file's currency (in place of price_usd)")
    power_w: float | None = Field(None, ge=0, strict=False)
    vendor: str | None = None
    source: str | None = Field(None, description="where the new price came from")
    as_of: str | None = Field(None, description="date of the new price: YYYY-MM or YYYY-MM-DD")

    @model_validator(mode="after")
    def _one_price(self) -> Override:
        if self.price is not None and self.price_usd is not None:
            raise ValueError("give price (in the file's currency) or price_usd, not both")
        return self


class PartTarget(Record):
    """Every part of one ``vendor``, one part ``kind`` or one ``model`` (give exactly one);
    ``designer.inputs.catalog.most_specific`` picks among several."""

    noun: ClassVar[str] = "a target"  # how the error names the record
    vendor: str | None = None
    kind: Literal["switches", "nics", "transceivers", "cables", "servers"] | None = None
    model: ModelName | None = None

    @model_validator(mode="after")
    def _one_target(self) -> PartTarget:
        named = [key for key in ("vendor", "kind", "model") if getattr(self, key) is not None]
        if len(named) != 1:
            raise ValueError(f"{self.noun} names exactly one of vendor, kind or model, got "
                             f"{', '.join(named) or 'none'}")
        return self


class Discount(PartTarget):
    """Percent off the list price of every part of one ``vendor``, one part ``kind``, or one
    ``model`` (give exactly one). A part takes the most specific discount that names it (model,
    then vendor, then kind; among equals the one given last)."""

    noun: ClassVar[str] = "a discount"
    percent_off: float = Field(gt=0, lt=100, strict=False)


class Currency(Record):
    """A currency and its rate, ``per_usd`` units of it to one US dollar: a demand's, which
    every output prices in (its unit prices converted and rounded to the cent, then
    extended), or a quote file's, which its ``price`` figures are in (converted to dollars as
    the file is read). The catalogs and the optimizer work in US dollars."""

    code: str = Field("USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code: EUR, GBP, JPY")
    per_usd: float = Field(1.0, gt=0, le=1_000_000, strict=False,
                           description="units of this currency one US dollar buys")
    source: str | None = Field(None, description="where the rate came from")
    as_of: str | None = Field(None, description="date of the rate: YYYY-MM or YYYY-MM-DD")

    @model_validator(mode="after")
    def _dollar_is_one_dollar(self) -> Currency:
        if self.code == "USD" and self.per_usd != 1:
            raise ValueError(f"per_usd: a US dollar buys one US dollar, not {self.per_usd:g} "
                             "(name the currency the rate is for in code:, such as EUR)")
        return self


class Covers(PartTarget):
    """The parts a licence or a support plan covers: every part of one ``vendor``, one part
    ``kind`` or one ``model`` (give exactly one)."""

    noun: ClassVar[str] = "covers"
    kind: Literal["switches", "nics", "transceivers", "cables"] | None = None


class License(Provenance):
    """A software licence bought with each switch it covers (``model`` is its part number):
    ``price_usd`` per switch, or per switch port (``per: port``: the switch's native port
    count), once, or each year of a term (``yearly: true``; ``years`` long, else the
    objective's ``years``)."""

    model: ModelName
    price_usd: float | None = Field(None, gt=0, strict=False)
    price: float | None = Field(None, gt=0, strict=False, description="in the file's "
                                "currency (in place of price_usd)")
    per: Literal["switch", "port"] = "switch"
    yearly: bool = False
    years: float | None = Field(None, gt=0, le=30, strict=False,
                                description="term of a yearly licence; default the "
                                "objective's years")
    covers: Covers

    @model_validator(mode="after")
    def _one_price(self) -> License:
        if (self.price is None) == (self.price_usd is None):
            raise ValueError("give price_usd, or price in the file's currency (one of them)")
        return self

    @model_validator(mode="after")
    def _term_of_a_subscription(self) -> License:
        if self.years is not None and not self.yearly:
            raise ValueError("years: a term is for a yearly licence (add yearly: true, or "
                             "leave years out for a perpetual one)")
        return self


class Support(Provenance):
    """A support plan (``model`` is its part number) for every part it covers: each year
    ``percent_of_list`` of the part's list price (before any discount), for ``years`` (else the
    objective's ``years``)."""

    model: ModelName
    percent_of_list: float = Field(gt=0, le=100, strict=False, description="a year")
    years: float | None = Field(None, gt=0, le=30, strict=False,
                                description="term; default the objective's years")
    covers: Covers


class CatalogFile(Record):
    """One catalog file: any subset of the five lists, a quote's ``overrides`` and
    ``discounts`` (applied after every file's parts are merged, in the order given), the
    ``licenses`` and ``support`` the covered parts are bought with, and the ``currency`` of
    the quote's ``price`` figures (converted to dollars as the file is read)."""

    switches: tuple[Switch, ...] = Field((), strict=False)
    nics: tuple[Nic, ...] = Field((), strict=False)
    transceivers: tuple[Transceiver, ...] = Field((), strict=False)
    cables: tuple[Cable, ...] = Field((), strict=False)
    servers: tuple[Server, ...] = Field((), strict=False)
    overrides: tuple[Override, ...] = Field((), strict=False)
    discounts: tuple[Discount, ...] = Field((), strict=False)
    licenses: tuple[License, ...] = Field((), strict=False)
    support: tuple[Support, ...] = Field((), strict=False)
    currency: Currency | None = Field(None, description="the currency of this file's "
                                      "`price` figures (a quote's), with its rate")

    @model_validator(mode="after")
    def _prices_in_a_currency(self) -> CatalogFile:
        priced = [f"{section}[{i}]" for section in ("overrides", "licenses")
                  for i, entry in enumerate(getattr(self, section)) if entry.price is not None]
        if priced and self.currency is None:
            raise ValueError(f"{priced[0]}.price: a price in the file's currency needs the "
                             "file's `currency: {code, per_usd}` (or give price_usd)")
        return self


class Site(Record):
    """The floor model: where racks stand, hence how long each link class is.

    Each ``*_m`` override, when given, replaces the length the geometry would give.
    """

    nodes_per_rack: int | None = Field(
        None, gt=0, description="servers per rack; default: what rack_power_kw feeds of the "
        "fabric's server (its power_w), else 4")
    rack_power_kw: float | None = Field(None, gt=0, description="power budget of a node rack")
    rack_units: int = Field(42, gt=0, le=60, description="height of every rack in U")
    racks_per_row: int = Field(16, gt=0)
    rack_pitch_m: float = Field(0.6, gt=0, description="centre-to-centre distance of racks")
    row_pitch_m: float = Field(2.4, gt=0, description="distance between rows")
    rows_per_hall: int = Field(64, gt=0, description="rows one hall holds; a fabric that needs "
                               "more spans halls standing side by side (a campus)")
    hall_gap_m: float = Field(20.0, ge=0, description="between the last rack of a hall and the "
                              "first of the next: walls, corridor, meet-me room")
    hall_power_kw: float | None = Field(
        None, gt=0, description="power one hall feeds; a hall holds no more rows than feed "
        "every rack position at rack_power_kw (which it needs)")
    tray_drop_m: float = Field(1.5, ge=0, description="device to overhead tray, each end")
    in_rack_m: float = Field(1.0, gt=0, description="a link inside one rack: the allowance "
                             "added to the climb from the device's rack unit to the switches "
                             "at the top (44.45 mm a unit)")
    slack_m: float = Field(1.0, ge=0, description="service loop added to every run")
    node_leaf_m: float | None = Field(None, gt=0)
    leaf_spine_m: float | None = Field(None, gt=0)
    spine_core_m: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _hall_power(self) -> Site:
        if self.hall_power_kw is None:
            return self
        if self.rack_power_kw is None:
            raise ValueError("hall_power_kw needs rack_power_kw: a hall's power is provisioned "
                             "rack position by rack position")
        row_kw = self.racks_per_row * self.rack_power_kw
        if self.hall_power_kw < row_kw:
            raise ValueError(f"hall_power_kw: {self.hall_power_kw:g} does not feed one row of "
                             f"{self.racks_per_row} racks at {self.rack_power_kw:g} kW "
                             f"({row_kw:g} kW); fix: hall_power_kw: {row_kw:g} or more")
        return self

    @property
    def fed_rows_per_hall(self) -> int:
        """Rows a hall holds: ``rows_per_hall``, and no more than ``hall_power_kw`` feeds with
        every rack position at ``rack_power_kw``."""
        if self.hall_power_kw is None:
            return self.rows_per_hall
        fed = math.floor(self.hall_power_kw / (self.racks_per_row * self.rack_power_kw) + 1e-9)
        return min(self.rows_per_hall, fed)


class Fabric(Record):
    """One physical network to design."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["training", "inference", "storage", "frontend"] = "training"
    nodes: int | None = Field(None, gt=0, le=10_000_000,
                              description="servers on this fabric (from `servers` when given)")
    servers: str | None = Field(None, description="a server group (demand `server_groups`) "
                                "whose servers this fabric connects; several fabrics may share it")
    endpoints_per_node: int = Field(gt=0, le=64)
    port_speed_gbps: float = Field(gt=0)
    protocol: Literal["any", "infiniband", "ethernet"] = "any"
    max_oversubscription: float = Field(1.0, ge=1.0, le=64.0)
    max_switch_hops: int = Field(5, ge=1, le=99)
    layout: Literal["any", "tor", "rail-optimized", "rail-only"] = "any"
    node_forwarding: bool = False
    scalable_unit_nodes: int | None = Field(None, gt=0)
    planes: int = Field(1, gt=0, le=16)
    switch_models: tuple[ModelName, ...] | None = Field(None, strict=False)
    nic_models: tuple[ModelName, ...] | None = Field(None, strict=False)
    budget_usd: float | None = Field(
        None, gt=0, description="spend at most this (the objective's cost); the design then "
        "minimizes oversubscription (most bandwidth per GPU) within it")
    max_latency_us: float | None = Field(
        None, gt=0, description="zero-load worst-case latency limit between endpoints, in us")
    max_power_kw: float | None = Field(
        None, gt=0, le=1e6, description="limit on the power the fabric's network parts draw "
        "(switches, NICs, transceivers, active cables), in kW")
    max_gpus_cut_per_switch: int | None = Field(
        None, ge=0, le=10_000_000, description="blast radius: the most GPUs one failed switch "
        "may leave with no way into the fabric (every port of a GPU's rail on it, one per "
        "plane; with node_forwarding every port of its node)")
    server: ModelName | None = Field(None,
                                     description="server model from the catalog, for GPU cost")

    @field_validator("switch_models", "nic_models")
    @classmethod
    def _non_empty(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise ValueError("must list at least one model (or be left out)")
        return value

    @model_validator(mode="after")
    def _rail_only_needs_forwarding(self) -> Fabric:
        if self.layout == "rail-only" and not self.node_forwarding:
            raise ValueError("layout: rail-only needs node_forwarding: true (cross-rail "
                             "traffic must be allowed through the node's internal fabric)")
        return self


class ServerGroup(Record):
    """Servers that several fabrics connect: each server's NIC ports are spent once, its cost
    counted once, and every fabric sees it in the same rack."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    nodes: int = Field(gt=0, le=10_000_000)
    server: ModelName | None = Field(None, description="server model from the catalog")


class Objective(Record):
    """What the optimizer minimizes: ``capex`` (parts) or ``tco`` (parts plus their energy
    over ``years`` at ``usd_per_kwh`` and the facility's ``pue``)."""

    kind: Literal["capex", "tco"] = "capex"
    years: float = Field(5.0, gt=0, le=30)
    usd_per_kwh: float = Field(0.10, ge=0, le=10)
    pue: float = Field(1.3, ge=1, le=5)


class SparePolicy(Record):
    """How many spares of each part model of a kind to keep: ``ratio`` of the installed count
    or one for every ``one_per`` installed (give exactly one), rounded up and at least ``min``
    wherever the model is installed; counted over the whole site (``per: site``) or floor row
    by floor row (``per: row``: each row keeps its own)."""

    ratio: float | None = Field(None, gt=0, le=1, strict=False,
                                description="spares per installed unit, e.g. 0.05 for 5%")
    one_per: int | None = Field(None, ge=1, le=1_000_000,
                                description="one spare for every N installed")
    min: int = Field(0, ge=0, le=1_000_000, description="the fewest spares of a model kept "
                     "where it is installed")
    per: Literal["site", "row"] = "site"

    @model_validator(mode="after")
    def _one_rule(self) -> SparePolicy:
        if (self.ratio is None) == (self.one_per is None):
            raise ValueError("give ratio (such as 0.05) or one_per (such as 20), exactly one")
        return self

    def spares(self, installed: int) -> int:
        """Spares for ``installed`` units: ``max(min, ceil(ratio x installed))`` or
        ``max(min, ceil(installed / one_per))``; none where none is installed.

        >>> SparePolicy(ratio=0.05, min=2).spares(100), SparePolicy(one_per=16).spares(33)
        (5, 3)
        """
        if installed <= 0:
            return 0
        if self.ratio is not None:  # rounded to a billionth first: 0.1 x 30 is not 3.0000001
            wanted = math.ceil(round(self.ratio * installed, 9))
        else:
            wanted = -(-installed // self.one_per)
        return max(self.min, wanted)

    @property
    def text(self) -> str:
        """``5% (at least 2) per row``, ``1 per 16 per site``."""
        rule = (f"{100 * self.ratio:g}%" if self.ratio is not None
                else f"1 per {self.one_per}")
        return f"{rule}{f' (at least {self.min})' if self.min else ''} per {self.per}"


class Spares(Record):
    """The spares policy of each part kind; a kind left out gets none."""

    switches: SparePolicy | None = None
    nics: SparePolicy | None = None
    transceivers: SparePolicy | None = None
    cables: SparePolicy | None = None

    def of(self, kind: str) -> SparePolicy | None:
        return getattr(self, kind, None)

    @property
    def any(self) -> bool:
        return any(self.of(kind) for kind in SPARE_KINDS)

    @property
    def by_row(self) -> bool:
        """Whether a policy counts floor row by floor row (the plan must then be walked)."""
        return any(p is not None and p.per == "row" for p in map(self.of, SPARE_KINDS))


SPARE_KINDS = ("switches", "nics", "transceivers", "cables")


class DemandFile(Record):
    """A demand: the fabrics a site needs."""

    name: str | None = None
    catalogs: tuple[str, ...] | None = Field(None, strict=False)
    site: Site = Site()
    objective: Objective = Objective()
    currency: Currency = Currency()
    spares: Spares = Spares()
    server_groups: tuple[ServerGroup, ...] = Field((), strict=False)
    fabrics: tuple[Fabric, ...] = Field(min_length=1, strict=False)

    @model_validator(mode="after")
    def _unique_fabric_names(self) -> DemandFile:
        for label, names in (("fabric", [f.name for f in self.fabrics]),
                             ("server group", [g.name for g in self.server_groups])):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise ValueError(f"{label} names must be unique: {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _fabrics_on_their_servers(self) -> DemandFile:
        """Each fabric gets ``nodes`` (and ``server``) from its server group, if it names one."""
        groups = {g.name: g for g in self.server_groups}
        resolved, problems = [], []
        for i, fabric in enumerate(self.fabrics):
            where = f"fabrics[{i}]"
            if fabric.servers is None:
                if fabric.nodes is None:
                    problems.append(f"{where}.nodes: required (or name a server group in "
                                    "`servers`)")
                resolved.append(fabric)
                continue
            group = groups.get(fabric.servers)
            if group is None:
                known = ", ".join(sorted(groups)) or "none declared"
                problems.append(f"{where}.servers: unknown server group '{fabric.servers}'"
                                f"{did_you_mean(fabric.servers, groups)}; server_groups: "
                                f"{known}")
                continue
            if fabric.nodes is not None and fabric.nodes != group.nodes:
                problems.append(f"{where}.nodes: {fabric.nodes} differs from server group "
                                f"'{group.name}' ({group.nodes} nodes); leave it out")
            if (fabric.server is not None and group.server is not None
                    and fabric.server != group.server):
                problems.append(f"{where}.server: '{fabric.server}' differs from server group "
                                f"'{group.name}' ('{group.server}'); leave it out")
            resolved.append(fabric.model_copy(update={
                "nodes": group.nodes, "server": fabric.server or group.server}))
        if problems:
            raise ValueError("; ".join(problems))
        # The resolved fabrics replace the written ones (frozen: set once, while validating).
        object.__setattr__(self, "fabrics", tuple(resolved))
        return self
