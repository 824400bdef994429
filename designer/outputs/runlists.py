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
                 "shortest_run_m", "longest_run_m", "spares", "to_order")


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

    def __init__(self, parts: dict[str, dict], node_cage_ports: dict[str, int] | None = None,
                 by_row: bool = False):
        self.parts = parts
        self.node_cage_ports = node_cage_ports or {}
        self.cables: Counter = Counter()
        self.transceivers: Counter = Counter()
        self.runs: dict[str, list[float]] = defaultdict(lambda: [float("inf"), 0.0])
        self.wide_ends: set[tuple[str, str, str]] = set()
        self.fanned: dict[tuple[str, str], tuple[str, int]] = {}  # harnesses by leaf cage
        self.model = Memo(unneutralize)  # a part's name from its cell
        # with ``by_row``, where each counted thing stands: ``(hall, row)`` (see ``by_row``)
        self.rows: dict | None = {} if by_row else None
        self.cable_rows: Counter = Counter()

    def add(self, row: dict[str, str]) -> None:
        parts, model = self.parts, self.model
        part = model[row["part"]]
        info = parts.get(part, {})
        rows = self.rows
        if row.get("harness"):  # one per connector of the module it fans out (leaf end)
            module = parts.get(model[row["z_transceiver"]], {})
            key = (row["fabric"] + row["z_device"], row["z_port"].split("/")[0])
            self.fanned[key] = (model[row["harness"]], module.get("connectors", 1))
            if rows is not None:
                rows[key] = (row["z_hall"], row["z_row"])
        length = float(row["length_m"])
        span = self.runs[part]
        span[0], span[1] = min(span[0], length), max(span[1], length)
        if info.get("cable_kind", "fiber") != "fiber" and info.get("links", 1) > 1:
            # A breakout cable's wide end sits in a multi-port cage: its port is pC/L.
            end = "z" if "/" in row["z_port"] else "a"
            cage = row[f"{end}_port"].split("/")[0]
            key = (row["fabric"] + row[f"{end}_device"], cage, part)
            self.wide_ends.add(key)
            if rows is not None:
                rows[key] = (row[f"{end}_hall"], row[f"{end}_row"])
        else:
            self.cables[part] += 1
            if rows is not None:
                self.cable_rows[(part, row["a_hall"], row["a_row"])] += 1
        for column in ("a_transceiver", "z_transceiver"):
            if row[column]:
                end = column[0]
                cage = row[end + "_port"].split("/")[0]
                per_cage = self.node_cage_ports.get(row["fabric"], 1)
                if row[end + "_role"] == "node" and per_cage > 1:
                    cage = f"cage{(int(cage.rsplit('nic', 1)[1]) - 1) // per_cage + 1}"
                key = (model[row[column]], f"{row['fabric']}/{row[end + '_device']}", cage)
                self.transceivers[key] += 1
                if rows is not None:
                    rows[key] = (row[end + "_hall"], row[end + "_row"])

    def by_row(self) -> Counter:
        """``{(model, hall, row): count}`` of what :meth:`write` orders, each where it stands:
        a cable in the row of its A end (a breakout cable at its wide end, a harness at the
        module it fans out), a transceiver in the row of the device whose cage holds it.
        Needs ``by_row=True``."""
        if self.rows is None:
            raise ValueError("CableOrder(by_row=True) counts by row")
        counted = Counter(self.cable_rows)
        for key in self.wide_ends:
            counted[(key[2], *self.rows[key])] += 1
        for key, (harness, count) in self.fanned.items():
            counted[(harness, *self.rows[key])] += count
        for key in self.transceivers:
            counted[(key[0], *self.rows[key])] += 1
        return counted

    def write(self, path: Path, spares: dict[str, int] | None = None) -> None:
        """Write ``cable-order.csv``: ``quantity`` laid, ``spares`` of each part (the demand's
        spares policy, ``designer.results.spares``) and their sum ``to_order``."""
        parts, runs = self.parts, self.runs
        spares = spares or {}
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
                extra = spares.get(part, 0)
                writer.writerow(("cable", neutralize(part), info.get("cable_kind", ""),
                                 info.get("fiber", ""), f"{info.get('reach_m', 0):g}", count,
                                 shortest, longest, extra, count + extra))
            for model, count in sorted(modules.items()):
                info = parts.get(model, {})
                extra = spares.get(model, 0)
                writer.writerow(("transceiver", neutralize(model), "", info.get("fiber", ""),
                                 "", count, "", "", extra, count + extra))
