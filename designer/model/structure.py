"""A solved fabric's structure, and every count and cost recomputed from it.

:class:`FabricStructure` holds the choices (protocol, NIC, layout, tiers, the option chosen at
each tier, the medium of each link class, the pod or spine count). :func:`FabricStructure.counts`
derives switch counts, links and cages per link end in plain integer arithmetic, and
:func:`FabricStructure.parts` prices them. The MILP's objective must equal the sum of these parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from designer.inputs.catalog import SwitchMode
from designer.inputs.schema import Cable, Fabric, Nic
from designer.model.candidates import LeafOption, PodOption, Shape, SpineOption, nics_per_node
from designer.model.links import LINK_CLASSES, TIER_HOPS, LinkClass, ceil_div
from designer.model.media import Medium
from designer.model.nodelinks import NodeLinkPlan
from designer.site.podruns import Runs, pod_runs
from designer.site.pods import CoreLayout, PodRacks, core_racks, pod_network_racks

SWITCH_CAGE_W = 0.0
"""The power counted for a module in a switch cage: none, for a switch's ``power_w`` is its
datasheet maximum with modules fitted (each module is counted once); a module at a NIC end
counts its own."""


@dataclass(frozen=True)
class PartLine:
    """One priced part of one fabric: ``quantity`` x ``model`` used as ``role``, drawing
    ``unit_power_w`` each as this design counts it (``SWITCH_CAGE_W`` in a switch cage)."""

    fabric: str
    role: str
    kind: str
    model: str
    quantity: int
    unit_price_usd: float
    unit_power_w: float

    @property
    def extended_price_usd(self) -> float:
        return self.quantity * self.unit_price_usd


@dataclass(frozen=True)
class ClassCount:
    """Links of one class per sub-fabric and plane, with the cages used at each end."""

    name: LinkClass
    links: int
    lower_units: int
    upper_units: int


@dataclass(frozen=True)
class FabricCounts:
    """Per sub-fabric and plane: switches per role and the link classes."""

    switches: dict[str, tuple[SwitchMode, int]]
    link_classes: dict[LinkClass, ClassCount]


@dataclass(frozen=True)
class FabricStructure:
    """The choices that define one fabric's design.

    ``nics_in_server_price``: the NICs come with the servers (``nics_included``); the design
    bills none and counts none of their power. ``node_cage``: the cages the node-leaf links
    plug into at the node, ``(ports, facts)`` (``inputs.servers.node_cage``).
    """

    fabric: Fabric
    protocol: str
    nic: Nic
    shape: Shape
    tiers: int
    leaf: LeafOption  # a single switch (no uplinks) for one tier
    media: dict[LinkClass, Medium]  # the classes above the leaf
    spine: SpineOption | None = None
    spines: int | None = None
    pod: PodOption | None = None
    pods: int | None = None
    core: SwitchMode | None = None
    nics_in_server_price: bool = False
    node_cage: tuple = (1, None)

    @property
    def copies(self) -> int:
        """Identical copies of the per-plane sub-fabric: planes x sub-fabrics (rails)."""
        return self.fabric.planes * self.shape.subfabrics

    @property
    def layout(self) -> str:
        return self.shape.layout

    @property
    def node_links(self) -> NodeLinkPlan:
        """How the node-leaf cages are cabled (``designer.model.nodelinks``)."""
        return self.leaf.node_links

    @property
    def worst_runs_m(self) -> dict[LinkClass, float]:
        """The worst run of each link class, in metres: node-leaf as cabled cage by cage, the
        classes above the leaf as the leaf option's floor model gives them: 2-tier leaf-spine
        run by run, 3-tier classes the longest run their pods and cores can lay
        (``designer.site.pods``)."""
        lengths = {LinkClass.NODE_LEAF: self.node_links.worst_run_m}
        lengths.update({cls: self.leaf.run_m(cls) for cls in self.media})
        if self.tiers == 3 and self.leaf.network is not None:
            leaf, pod = self.leaf, self.pod
            slots = self.pods * pod.leaves_per_pod  # the pods built, partly filled or not
            racks = pod_network_racks(self.copies, slots, leaf.spine_racks,
                                      pod.leaves_per_pod,
                                      core_racks(leaf.uplinks, pod.cores_per_group,
                                                 leaf.rack_holds))
            lengths[LinkClass.LEAF_SPINE], lengths[LinkClass.SPINE_CORE] = (
                leaf.network.worst_m(racks))
        return lengths

    @property
    def group_nodes(self) -> int:
        """Nodes per leaf group (every node for one tier)."""
        return min(self.leaf.group_nodes, self.fabric.nodes)

    @property
    def groups(self) -> int:
        return self.leaf.groups

    @property
    def group_leaves(self) -> int:
        """Leaves of one group over every plane and rail: they share the group's rack."""
        return self.fabric.planes * self.leaf.shape.leaves_per_group * self.shape.subfabrics

    @property
    def endpoints_per_subfabric(self) -> int:
        return self.fabric.nodes * self.shape.ports_per_node * self.shape.leaves_per_group

    @property
    def max_switch_hops(self) -> int:
        return TIER_HOPS[self.tiers]

    @property
    def oversubscription(self) -> float:
        """Leaf downlink ports over uplink ports; tiers above the leaf are non-blocking."""
        return self.leaf.oversubscription

    @property
    def bisection_gbps(self) -> float:
        """Bandwidth across the worst even split of the endpoints, all planes.

        Half the endpoints inject ``n/2 * s``; the leaf uplinks carry ``1/oversubscription`` of
        it across the cut (the tiers above the leaf are non-blocking).
        """
        total = self.endpoints_per_subfabric * self.copies * self.fabric.port_speed_gbps
        return total / 2 / self.oversubscription

    @cached_property
    def counts(self) -> FabricCounts:
        leaf = self.leaf
        classes = {LinkClass.NODE_LEAF: ClassCount(LinkClass.NODE_LEAF,
                                                   self.endpoints_per_subfabric,
                                                   self.endpoints_per_subfabric,
                                                   leaf.node_end_units)}
        switches = {"leaf": (leaf.mode, leaf.leaves)}
        if self.tiers == 1:
            return FabricCounts(switches, classes)
        if self.tiers == 2:
            spine, count = self.spine, self.spines
            per_spine = leaf.leaves * spine.links_per_leaf
            switches["spine"] = (spine.mode, count)
            classes[LinkClass.LEAF_SPINE] = ClassCount(
                LinkClass.LEAF_SPINE, leaf.uplink_total, leaf.uplink_units,
                count * ceil_div(per_spine, spine.mode.cage_ports))
            return FabricCounts(switches, classes)
        pod, pods, core = self.pod, self.pods, self.core
        lp, c_b = pod.leaves_per_pod, pod.mode.cage_ports
        last_pod_leaves = leaf.leaves - (pods - 1) * lp
        pod_spines = pods * leaf.uplinks
        cores = leaf.uplinks * pod.cores_per_group
        switches["spine"] = (pod.mode, pod_spines)
        switches["core"] = (core, cores)
        classes[LinkClass.LEAF_SPINE] = ClassCount(
            LinkClass.LEAF_SPINE, leaf.uplink_total, leaf.uplink_units,
            leaf.uplinks * ((pods - 1) * ceil_div(lp, c_b) + ceil_div(last_pod_leaves, c_b)))
        classes[LinkClass.SPINE_CORE] = ClassCount(
            LinkClass.SPINE_CORE, pod_spines * lp, pod_spines * ceil_div(lp, c_b),
            cores * ceil_div(pods * pod.links_per_core, core.cage_ports))
        return FabricCounts(switches, classes)

    def parts(self) -> list[PartLine]:
        """Every priced part of this fabric, in a fixed order."""
        name = self.fabric.name
        lines = []
        if not self.nics_in_server_price:
            lines.append(PartLine(name, "nic", "nics", self.nic.model, self.nic_count,
                                  self.nic.price_usd, self.nic.power_w))
        for role, (mode, count) in self.counts.switches.items():
            switch = mode.switch
            lines.append(PartLine(name, role, "switches", switch.model, count * self.copies,
                                  switch.price_usd, switch.power_w))
        lines += self._node_link_parts()
        for cls in LINK_CLASSES[self.tiers][1:]:
            lines += self._media_parts(cls)
        return [line for line in lines if line.quantity > 0]

    def _node_link_parts(self) -> list[PartLine]:
        """Node-leaf parts, cage by cage: a leaf-end optic per cage, a node-end optic per leg,
        a cable per leg (or one breakout cable per cage)."""
        quantity: dict[tuple[str, str], list] = {}

        def add(role: str, kind: str, part, count: int, watts: float | None = None) -> None:
            """``watts``: the power counted per unit, when not the part's own."""
            line = quantity.setdefault((kind, role, part.model),
                                       [part, 0, part.power_w if watts is None else watts])
            line[1] += count

        for cabling, cages in self.node_links.cages:
            if cabling.leaf_end is not None:
                add("node-leaf (leaf end)", "transceivers", cabling.leaf_end, cages,
                    SWITCH_CAGE_W)
                # a module in a node cage of several ports serves that many legs
                add("node-leaf (node end)", "transceivers", cabling.node_end,
                    cages * cabling.legs / cabling.node_share)
            if cabling.harness is not None:
                add("node-leaf (leaf end)", "cables", cabling.harness, cages * cabling.harnesses)
            for cable in cabling.cables:
                add("node-leaf", "cables", cable, cages)
        k, name = self.copies, self.fabric.name
        return [PartLine(name, role, kind, model, round(count * k), part.price_usd, watts)
                for (kind, role, model), (part, count, watts) in sorted(
                    quantity.items(), key=lambda item: (item[0][0] == "cables", item[0]))]

    def cords(self, cls: LinkClass) -> list[tuple[Cable, int]]:
        """The cords of link class ``cls`` over all copies, ``(cable, count)`` by reach: each
        run's cheapest cord of the class's medium where the floor gives every run
        (:meth:`class_runs`), else one cord per link (per cage for a breakout) for the
        class's worst run."""
        medium, counts = self.media[cls], self.counts.link_classes[cls]
        runs = self.class_runs(cls)
        if medium.breakout:
            quantity = counts.upper_units if medium.cage2 > 1 else counts.lower_units
            return [(medium.cable, quantity * self.copies)]
        if runs is None:
            return [(medium.cable, counts.links * self.copies)]
        laid: dict[str, list] = {}
        for run, links in runs:
            cord = medium.cord_for(run)
            laid.setdefault(cord.model, [cord, 0])[1] += links
        return sorted(((cord, n) for cord, n in laid.values()),
                      key=lambda item: (item[0].reach_m, item[0].model))

    def class_runs(self, cls: LinkClass) -> Runs | None:
        """Every run of a class above the leaf over all copies, ``((run_m, links), ...)``:
        2-tier leaf-spine from the leaf option (``LeafOption.runs``), 3-tier classes from where
        the pods and cores stand (``designer.site.podruns``); None where the floor does not
        give them (a leaf option built without a catalog)."""
        if self.tiers == 3 and self.leaf.leaf_rows is not None:
            return self._pod_runs[0 if cls == LinkClass.LEAF_SPINE else 1]
        return self.leaf.runs(cls)

    @cached_property
    def _pod_runs(self) -> tuple[Runs, Runs]:
        leaf, pod = self.leaf, self.pod
        racks = PodRacks(self.leaf.leaf_rows.site, self.pods, leaf.spine_racks, leaf.spine_block,
                         CoreLayout.of(leaf.uplinks, pod.cores_per_group, leaf.rack_holds),
                         self.copies)
        return pod_runs(leaf.leaf_rows, racks, leaves_per_group=self.shape.leaves_per_group,
                        uplinks=leaf.uplinks, leaves_per_pod=pod.leaves_per_pod,
                        links_per_core=pod.links_per_core)

    def _media_parts(self, cls: LinkClass) -> list[PartLine]:
        medium, counts = self.media[cls], self.counts.link_classes[cls]
        name, k = self.fabric.name, self.copies
        lower, upper = cls.ends
        lines = []
        if medium.transceiver1 is not None:
            t1, t2 = medium.transceiver1, medium.transceiver2
            lines += [  # in switch cages: their power is in the switches' (SWITCH_CAGE_W)
                PartLine(name, f"{cls} ({lower} end)", "transceivers", t1.model,
                         counts.lower_units * k, t1.price_usd, SWITCH_CAGE_W),
                PartLine(name, f"{cls} ({upper} end)", "transceivers", t2.model,
                         counts.upper_units * k, t2.price_usd, SWITCH_CAGE_W),
            ]
        return lines + [PartLine(name, cls, "cables", cable.model, quantity, cable.price_usd,
                                 cable.power_w) for cable, quantity in self.cords(cls)]

    @property
    def nic_count(self) -> int:
        """NIC cards on the fabric's servers (billed unless they come with the servers)."""
        return self.fabric.nodes * nics_per_node(self.fabric, self.nic)

    @property
    def cost_usd(self) -> float:
        return sum(line.extended_price_usd for line in self.parts())

    @property
    def power_w(self) -> float:
        return sum(line.quantity * line.unit_power_w for line in self.parts())
