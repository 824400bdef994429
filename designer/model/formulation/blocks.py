"""What a built model holds: the (layout, tiers) blocks with their decision variables, and the
fabric's model with handles to read its solution back."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from designer.inputs.catalog import SwitchMode
from designer.inputs.schema import Cage, Fabric, Nic
from designer.model.candidates import LeafOption, PodOption, Shape, SpineOption
from designer.model.formulation.builder import Expr, row_name
from designer.model.links import LinkClass
from designer.model.media import Medium


@dataclass
class ClassMedia:
    """The media decision of one link class: option binaries, the class cost variable and,
    when the fabric limits power, the class power variable."""

    options: list[tuple[Medium, pulp.LpVariable]]
    cost: pulp.LpVariable
    power: pulp.LpVariable | None = None
    units: tuple = ()  # (units1, units1_max, units2, units2_max): the cages at each end


@dataclass
class Block:
    """One (layout, tiers) alternative and its decision variables.

    ``leaves`` are the leaf options, one binary each; a one-tier block's options are single
    switches (leaf options with no uplinks, ``candidates.single_switch_option``). Everything
    in a block counts one sub-fabric of one plane.
    """

    shape: Shape
    tiers: int
    on: pulp.LpVariable
    leaves: list[tuple[LeafOption, pulp.LpVariable]] = field(default_factory=list)
    spines: list[tuple[SpineOption, pulp.LpVariable, pulp.LpVariable]] = field(
        default_factory=list)
    pods: list[tuple[PodOption, pulp.LpVariable, pulp.LpVariable]] = field(default_factory=list)
    cores: list[tuple[SwitchMode, pulp.LpVariable]] = field(default_factory=list)
    media: dict[LinkClass, ClassMedia] = field(default_factory=dict)
    switch_cost: Expr = field(default_factory=Expr)
    switch_power: Expr = field(default_factory=Expr)
    pod_runs: dict = field(default_factory=dict)  # three tiers: formulation.media.pod_runs_m
    laid: set = field(default_factory=set)  # three tiers: leaf options priced run by run
    node_cage: tuple[int, Cage | None] = (1, None)
    variant: int = 0

    @property
    def node_link_cost(self) -> Expr:
        """Node-leaf cabling, priced cage by cage per leaf option (``designer.model.nodelinks``)."""
        return Expr([(v, o.node_links.cost_usd) for o, v in self.leaves])

    @property
    def power_w(self) -> Expr:
        """Switches, node-leaf cabling and upper media of one copy, in watts (power limit)."""
        return (self.switch_power
                + Expr([(v, o.node_links.power_w) for o, v in self.leaves])
                + pulp.lpSum(m.power for m in self.media.values() if m.power is not None))

    @property
    def name(self) -> str:
        return row_name(self.shape.layout, f"t{self.tiers}",
                        *([f"nic{self.variant}"] if self.variant else []))


@dataclass
class FabricModel:
    """The built problem and handles to read the solution back.

    ``power_w`` and ``power_limit`` exist only when the fabric limits power, ``budget_limit``
    only when it has a budget (``choices.define_power_limit``, ``choices.define_budget``).
    ``nics_in_server_price``: the server's price includes the NICs, which are not billed.
    """

    fabric: Fabric
    problem: pulp.LpProblem
    protocols: dict[str, pulp.LpVariable]
    nics: list[tuple[Nic, pulp.LpVariable]]
    blocks: list[Block]
    nic_cost: Expr
    objective: Expr
    power_w: Expr | None = None
    power_limit: pulp.LpConstraint | None = None
    budget_limit: pulp.LpConstraint | None = None
    nics_in_server_price: bool = False

    @property
    def oversubscription(self) -> Expr:
        """The chosen leaf's oversubscription ``sum_y o_y y`` (1 for a single switch)."""
        return Expr([(v, o.oversubscription) for block in self.blocks for o, v in block.leaves])

    @property
    def size(self) -> dict[str, int]:
        variables = self.problem.variables()
        return {"variables": len(variables),
                "integer_variables": sum(1 for v in variables if v.cat != pulp.LpContinuous),
                "constraints": self.problem.numConstraints()}
