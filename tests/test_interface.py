"""``docs/interface.md`` names everything users depend on: every input key the schema accepts,
every column the writers emit, every command and option, every exit code. A key or column added
without a word there fails here."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from designer.cli import main
from designer.errors import InfeasibleError, InputError, SolverError
from designer.inputs import schema
from designer.outputs.bom import BOM_COLUMNS, SUMMARY_COLUMNS
from designer.outputs.cabling import COLUMNS
from designer.outputs.compare_files import CSV_COLUMNS as COMPARE_COLUMNS
from designer.outputs.failures import FAILURE_COLUMNS
from designer.outputs.racks import RACK_COLUMNS
from designer.outputs.runlists import ORDER_COLUMNS
from designer.outputs.sweep_files import CSV_COLUMNS as SWEEP_COLUMNS
from designer.outputs.write import OUTPUT_FILES

DOC = (ROOT / "docs" / "interface.md").read_text("utf-8")
PROSE = re.sub(r"```.*?```", "", DOC, flags=re.S)  # code blocks: examples, not names
NAMED = {*re.findall(r"`([^`\n]+)`", PROSE),  # a name in code spans, or a word of one
         *(word for span in re.findall(r"`([^`\n]+)`", PROSE)
           for word in re.findall(r"[A-Za-z_][\w-]*", span))}
RECORDS = (schema.Switch, schema.Breakout, schema.Nic, schema.Transceiver, schema.Cable,
           schema.Server, schema.CatalogFile, schema.Site, schema.Fabric, schema.ServerGroup,
           schema.Objective, schema.DemandFile, schema.Override, schema.Discount,
           schema.License, schema.Support, schema.Covers, schema.Currency)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_input_key_is_named(record):
    assert set(record.model_fields) - NAMED == set()


@pytest.mark.parametrize("columns", [BOM_COLUMNS, SUMMARY_COLUMNS, COLUMNS, RACK_COLUMNS,
                                     ORDER_COLUMNS, SWEEP_COLUMNS, COMPARE_COLUMNS,
                                     FAILURE_COLUMNS],
                         ids=["bom", "summary", "cabling", "racks", "cable-order", "sweep",
                              "compare", "failures"])
def test_every_column_is_named(columns):
    assert set(columns) - NAMED == set()


def test_every_output_file_is_named():
    assert {name for name in OUTPUT_FILES if name != "runlists"} - NAMED == set()
    assert "runlists/HALL-ROW.csv" in NAMED


def test_every_command_and_option_is_named():
    for name, command in main.commands.items():
        assert f"design {name}" in DOC, name
        for param in command.params:
            for flag in param.opts:
                if flag.startswith("--") and flag != "--help":
                    assert flag in DOC, (name, flag)


def test_every_exit_code_is_named():
    for code in {0, 2, InputError.exit_code, InfeasibleError.exit_code, SolverError.exit_code}:
        assert f"| {code} |" in DOC, code
