"""``spares.csv``: the spares of every part model, scope by scope, and what they come from::

    kind, model, where, installed, spares, policy

``where`` is ``site`` or a floor row (``hall1 row03``); ``installed`` what that scope installs
of the model and ``spares`` what the policy keeps for it (``designer.results.spares``). The
header alone when the demand sets no spares policy.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from designer.outputs.templating import neutralize

if TYPE_CHECKING:
    from designer.results.result import DesignResult

SPARE_COLUMNS = ("kind", "model", "where", "installed", "spares", "policy")


def write_spares_csv(result: DesignResult, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SPARE_COLUMNS)
        for line in result.spares:
            writer.writerow((line.kind, neutralize(line.model), line.where, line.installed,
                             line.quantity, line.policy))
