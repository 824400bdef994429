"""``write_all``'s shortcuts give the files the plain, one-file-at-a-time writers give: racks
fed by the plan's writer, one pass over the plan for run lists, cable order and exports, and
the verification run in a worker process while the rest is written."""

from __future__ import annotations

import csv
import filecmp
import shutil

import pytest
from conftest import solved_example

from designer.exports import write_exports
from designer.outputs import write
from designer.outputs.racks import write_racks_csv
from designer.outputs.runlists import write_cable_order, write_runlists
from designer.verify import VerificationError, verify


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    result = solved_example("shared-site-1024")  # three fabrics, one server set shared
    return result, result.write(tmp_path_factory.mktemp("stages") / "out")


def test_racks_fed_by_the_plans_writer_equal_racks_read_from_the_plan(written, tmp_path):
    result, out = written
    write_racks_csv(result, out / "cabling.csv", tmp_path / "racks.csv")
    assert (tmp_path / "racks.csv").read_bytes() == (out / "racks.csv").read_bytes()


def test_one_pass_writes_what_each_writer_writes_alone(written, tmp_path):
    result, out = written
    write_runlists(out / "cabling.csv", tmp_path / "runlists")
    compared = filecmp.dircmp(tmp_path / "runlists", out / "runlists")
    assert compared.left_list == compared.right_list and compared.left_list
    assert not filecmp.cmpfiles(tmp_path / "runlists", out / "runlists", compared.left_list,
                                shallow=False)[1]
    write_cable_order(out / "cabling.csv", tmp_path / "cable-order.csv", result.parts_table(),
                      {f.name: f.structure.node_cage[0] for f in result.fabrics})
    assert (tmp_path / "cable-order.csv").read_bytes() == (out / "cable-order.csv").read_bytes()
    again = tmp_path / "again"
    shutil.copytree(out, again)
    shutil.rmtree(again / "exports")
    write_exports(again)
    for path in sorted((out / "exports").iterdir()):
        assert (again / "exports" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_worker_verifies_as_verify_does(written, tmp_path):
    _, out = written
    with write.Verification(out, parallel=True) as checking:
        assert checking.parallel
        report = checking.report()
    assert report.to_dict() == verify(out).to_dict()
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    with open(broken / "bom.csv", encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    quantity = lines[0].index("quantity")
    lines[1][quantity] = str(int(lines[1][quantity]) + 1)
    with open(broken / "bom.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    with write.Verification(broken, parallel=True) as checking, \
            pytest.raises(VerificationError):
        checking.report()


def test_a_worker_that_dies_is_replaced_by_verifying_here(written, monkeypatch):
    _, out = written

    def dies(folder, send):  # as if killed: no report, the pipe just closes
        send.close()

    monkeypatch.setattr(write, "_verify_into", dies)
    with write.Verification(out, parallel=True) as checking:
        assert checking.report().passed
