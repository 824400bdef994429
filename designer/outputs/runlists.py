"""What a crew takes to the floor: one run list per row, and what to order.

Both are derived from ``cabling.csv`` by streaming it once (``RunLists`` and ``CableOrder``
take its rows one at a time, so one read can feed both):

- ``runlists/<hall>-<row>.csv``: the cables whose A end stands in that row of that hall (for
  switch-to-switch runs, the row of the lower device), same columns as the cabling plan, in
  cable order;
- ``cable-order.csv``: per part, how many to order: cables by part and stocked length (a fixed
  cable's length is its reach), transceivers by part, with the shortest and longest run served.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

from designer.outputs.templating import Memo, neutralize, unneutralize

ORDER_COLUMNS = ("kind", "part", "cable_kind", "fiber", "stocked_length_m", "quantity",
                 "shortest_run_m", "longest_run_m")


def _file_name(hall: str, row: str) -> str:
    """A safe file name for a row of a hall.

    >>> _file_name("hall1", "row03"), _file_name("", "")
    ('hall1-row03.csv', 'unplaced.csv')
    """
    label = "-".join(part for part in (hall, row) if part) or "unplaced"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label) + ".csv"


def write_runlists(cabling_csv: Path, folder: Path) -> int:
    """Split the cabling plan into one CSV per row of each hall; returns the number of files."""
    with open(cabling_csv, newline="", encoding="utf-8") as source:
        rows = csv.DictReader(source)
        with RunLists(folder, rows.fieldnames or []) as lists:
            for row in rows:
                lists.add(row)
    return len(lists.writers)


class RunLists:
    """The run lists, written as rows of the plan (dicts, their keys in the header's order)
    are added; a context manager closing them."""

    def __init__(self, folder: Path, header: list[str]):
        self.folder, self.header = folder, list(header)
        folder.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, csv.writer] = {}  # by file name
        self._by_row: dict[tuple[str, str], csv.writer] = {}  # by (hall, floor row)
        self._files = contextlib.ExitStack()

    def __enter__(self) -> RunLists:
        return self

    def __exit__(self, *exc) -> None:
        self._files.close()

    def add(self, row: dict[str, str]) -> None:
        where = (row.get("a_hall", ""), row["a_row"])
        writer = self._by_row.get(where)
        if writer is None:
            writer = self._by_row[where] = self._writer(_file_name(*where))
        writer.writerow(row.values())

    def _writer(self, name: str):
        """The writer of file ``name`` (two floor rows may clean to one name: one file)."""
        writer = self.writers.get(name)
        if writer is None:
            handle = self._files.enter_context(  # closed by __exit__
                open(self.folder / name, "w", newline="", encoding="utf-8"))  # noqa: SIM115
            writer = self.writers[name] = csv.writer(handle, lineterminator="\n")
            writer.writerow(self.header)
        return writer


def write_cable_order(cabling_csv: Path, path: Path, parts: dict[str, dict],
                      node_cage_ports: dict[str, int] | None = None) -> None:
    """Count cables by part and stocked length, and transceivers by part (``CableOrder``)
    over a written plan, and write ``cable-order.csv``."""
    order = CableOrder(parts, node_cage_ports)
    with open(cabling_csv, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            order.add(row)
    order.write(path)


class CableOrder:
    """What to order, counted as the plan's rows (dicts) are added: cables by part and
    stocked length, transceivers by part, one per switch cage (``pC/L`` ports share cage C)
    and one per node cage (``node_cage_ports`` of a fabric's node ports share a cage: a DGX's
    twin-port OSFP; default one per port)."""

    def __init__(self, parts: dict[str, dict], node_cage_ports: dict[str, int] | None = None):
        self.parts = parts
        self.node_cage_ports = node_cage_ports or {}
        self.cables: Counter = Counter()
        self.transceivers: Counter = Counter()
        self.runs: dict[str, list[float]] = defaultdict(lambda: [float("inf"), 0.0])
        self.wide_ends: set[tuple[str, str, str]] = set()
        self.fanned: dict[tuple[str, str], tuple[str, int]] = {}  # harnesses by leaf cage
        self.model = Memo(unneutralize)  # a part's name from its cell

    def add(self, row: dict[str, str]) -> None:
        parts, model = self.parts, self.model
        part = model[row["part"]]
        info = parts.get(part, {})
        if row.get("harness"):  # one per connector of the module it fans out (leaf end)
            module = parts.get(model[row["z_transceiver"]], {})
            self.fanned[(row["fabric"] + row["z_device"], row["z_port"].split("/")[0])] = (
                model[row["harness"]], module.get("connectors", 1))
        length = float(row["length_m"])
        span = self.runs[part]
        span[0], span[1] = min(span[0], length), max(span[1], length)
        if info.get("cable_kind", "fiber") != "fiber" and info.get("links", 1) > 1:
            # A breakout cable's wide end sits in a multi-port cage: its port is pC/L.
            end = "z" if "/" in row["z_port"] else "a"
            cage = row[f"{end}_port"].split("/")[0]
            self.wide_ends.add((row["fabric"] + row[f"{end}_device"], cage, part))
        else:
            self.cables[part] += 1
        for column in ("a_transceiver", "z_transceiver"):
            if row[column]:
                end = column[0]
                cage = row[end + "_port"].split("/")[0]
                per_cage = self.node_cage_ports.get(row["fabric"], 1)
                if row[end + "_role"] == "node" and per_cage > 1:
                    cage = f"cage{(int(cage.rsplit('nic', 1)[1]) - 1) // per_cage + 1}"
                self.transceivers[(model[row[column]],
                                   f"{row['fabric']}/{row[end + '_device']}", cage)] += 1

    def write(self, path: Path) -> None:
        """Write ``cable-order.csv``."""
        parts, runs = self.parts, self.runs
        cables = Counter(self.cables)
        for _, _, part in self.wide_ends:
            cables[part] += 1
        for harness, count in self.fanned.values():
            cables[harness] += count
        modules = Counter(model for model, _, _ in self.transceivers)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(ORDER_COLUMNS)
            for part, count in sorted(cables.items()):
                info = parts.get(part, {})
                # a harness lays no run of its own: it fans a module out at the patch panel
                shortest, longest = (f"{x:g}" for x in runs[part]) if part in runs else ("", "")
                writer.writerow(("cable", neutralize(part), info.get("cable_kind", ""),
                                 info.get("fiber", ""), f"{info.get('reach_m', 0):g}", count,
                                 shortest, longest))
            for model, count in sorted(modules.items()):
                info = parts.get(model, {})
                writer.writerow(("transceiver", neutralize(model), "", info.get("fiber", ""),
                                 "", count, "", ""))
