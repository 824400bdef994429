"""A demand: the validated fabrics a site needs, where they came from, and how a script makes a
variant of one without touching internals."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.errors import InputError
from designer.inputs.schema import DemandFile, Fabric, Site
from designer.inputs.validation import validate


@dataclass(frozen=True)
class Demand:
    """A validated demand and where it came from (``path`` and the ``digest`` of its text).

    Demands are frozen: :meth:`with_fabric` and :meth:`with_site` return new ones.

    Examples
    --------
    >>> demand = Demand.from_dict({"fabrics": [
    ...     {"name": "compute", "nodes": 128, "endpoints_per_node": 8, "port_speed_gbps": 400}]})
    >>> demand.with_fabric("compute", nodes=256).fabrics[0].nodes
    256
    """

    spec: DemandFile
    path: str
    digest: str

    @property
    def fabrics(self) -> tuple[Fabric, ...]:
        return self.spec.fabrics

    @property
    def site(self) -> Site:
        return self.spec.site

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "demand.yaml") -> Demand:
        """A demand from the same mapping a demand file holds (``path`` names it in errors
        and in ``design.json``).

        Raises
        ------
        InputError
            Listing every problem with its key path, as for a file.
        """
        spec = validate(DemandFile, dict(data), path)
        return cls(spec, path, _digest(spec))

    def fabric(self, name: str) -> Fabric:
        """The fabric called ``name``."""
        return self.fabrics[self._index(name)]

    def with_fabric(self, name: str, **changes: Any) -> Demand:
        """This demand with fabric ``name``'s fields changed (``nodes=256``,
        ``protocol="ethernet"``, ``server=None`` ...), validated like a file.

        Raises
        ------
        InputError
            No fabric is called ``name``, or a changed value is invalid (with its key path).
        """
        index = self._index(name)
        fabrics = list(self.fabrics)
        fabrics[index] = {**dict(fabrics[index]), **changes}
        return self._changed(fabrics=tuple(fabrics))

    def with_site(self, **changes: Any) -> Demand:
        """This demand with ``site:`` fields changed (``racks_per_row=32`` ...)."""
        return self._changed(site={**dict(self.site), **changes})

    def with_objective(self, **changes: Any) -> Demand:
        """This demand with ``objective:`` fields changed (``kind="tco"``, ``years=5`` ...)."""
        return self._changed(objective={**dict(self.spec.objective), **changes})

    def with_currency(self, code: str, per_usd: float, **changes: Any) -> Demand:
        """This demand priced in another currency (``"EUR", 0.92``, and ``source=``,
        ``as_of=``): the bill and the reports, not the design."""
        return self._changed(currency={"code": code, "per_usd": per_usd, **changes})

    def _index(self, name: str) -> int:
        names = [f.name for f in self.fabrics]
        if name not in names:
            raise InputError(f"{self.path}: fabrics: no fabric '{name}' (fabrics: "
                             f"{', '.join(names)})")
        return names.index(name)

    def _changed(self, **fields: Any) -> Demand:
        spec = validate(DemandFile, {**dict(self.spec), **fields}, self.path)
        return Demand(spec, self.path, _digest(spec))


def _digest(spec: DemandFile) -> str:
    """SHA-256 of the demand's content, for a demand that has no file text."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
