"""Sweeps: one fabric at many values, in parallel through any executor, plotted."""

from __future__ import annotations

import csv
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import distributed
import pytest
from click.testing import CliRunner
from conftest import ROOT

import designer
from designer.cli import main
from designer.errors import InputError
from designer.studies.sweep import design_point, scaled_catalog, sweep

# 2 x 100G per 8-GPU server on 32-port switches, 2:1 allowed, 3 hops: one switch up to 32
# endpoints, two tiers up to 512 (at 2:1, 21 down and 11 up per leaf), nothing at 4,096 GPUs.
DEMAND = """\
name: sweep-test
catalogs: [frontend-ethernet]
fabrics:
  - name: lab
    kind: inference
    nodes: 2
    endpoints_per_node: 2
    port_speed_gbps: 100
    max_oversubscription: 2
    max_switch_hops: 3
    switch_models: [SN2700]
    server: SYS-521GE-TNRT
"""
GPUS = (16, 256, 1024, 4096)


@pytest.fixture(scope="module")
def demand_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "small.yaml"
    path.write_text(DEMAND)
    return path


@pytest.fixture(scope="module")
def lab(demand_file):
    return designer.load_demand(demand_file), designer.load_catalog(["frontend-ethernet"])


@pytest.fixture(scope="module")
def gpu_sweep(lab):
    demand, catalog = lab
    with ProcessPoolExecutor(max_workers=2) as pool:
        return sweep(demand, "gpus", GPUS, catalog=catalog, executor=pool)


def test_points_come_back_in_value_order_with_their_designs(gpu_sweep, lab):
    assert [p.value for p in gpu_sweep.points] == list(GPUS)
    assert [p.nodes for p in gpu_sweep.points] == [2, 32, 128, 512]  # 8 GPUs per server
    demand, catalog = lab
    # Each point is exactly the design of that size, proved optimal.
    single = design_point(demand, catalog, "lab", "gpus", 1024, None)
    assert gpu_sweep.points[2] == single
    assert [p.status for p in gpu_sweep.points] == ["optimal"] * 3 + ["infeasible"]
    assert [p.tiers for p in gpu_sweep.points] == [1, 2, 2, None]


def test_changes_name_where_the_design_switches(gpu_sweep):
    changes = gpu_sweep.changes()
    assert any("1 -> 2 tiers" in line for line in changes), changes


def test_dask_executor_gives_the_same_points(gpu_sweep, lab):
    demand, catalog = lab
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        result = sweep(demand, "gpus", GPUS, catalog=catalog, executor=client.get_executor())
    assert result.points == gpu_sweep.points


def test_infeasible_points_are_kept_not_raised(gpu_sweep):
    last = gpu_sweep.points[-1]
    assert last.status == "infeasible" and "no design" in last.message
    assert last.cost_usd is None and not last.designed


def test_price_sweep_scales_one_part_kind(lab):
    demand, catalog = lab
    cheaper = scaled_catalog(catalog, "switches", 0.5)
    model = next(iter(catalog.switches))
    assert cheaper.switches[model].price_usd == catalog.switches[model].price_usd * 0.5
    assert cheaper.nics == catalog.nics
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = sweep(demand, "price", (0.5, 1.0), part_kind="switches", catalog=catalog,
                       executor=pool)
    half, full = result.points
    assert half.cost_usd < full.cost_usd


def test_a_bad_demand_fails_once_and_writes_nothing(demand_file, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(demand_file.read_text().replace("switch_models: [SN2700]",
                                                   "switch_models: [NOPE]"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(bad), "-o", str(out), "--values", "16,32"])
    assert result.exit_code == 1 and "unknown model 'NOPE'" in result.output
    assert not out.exists()


def test_values_are_sorted_and_bounded(lab):
    demand, catalog = lab
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = sweep(demand, "gpus", (256, 16, 256), catalog=catalog, executor=pool)
    assert [p.value for p in result.points] == [16, 256]
    with pytest.raises(InputError, match=r"between 0\.001 and 1000"):
        sweep(demand, "price", (1e308,), part_kind="cables", catalog=catalog)
    with pytest.raises(InputError, match="between 1 and 10,000,000"):
        sweep(demand, "gpus", (0.5,), catalog=catalog)


def test_bad_sweeps_are_input_errors(lab):
    demand, catalog = lab
    with pytest.raises(InputError, match="unknown sweep axis"):
        sweep(demand, "racks", (1,), catalog=catalog)
    with pytest.raises(InputError, match="price sweep needs"):
        sweep(demand, "price", (1,), catalog=catalog)
    with pytest.raises(InputError, match="positive number"):
        sweep(demand, "gpus", (0,), catalog=catalog)
    with pytest.raises(InputError, match="no fabric named"):
        sweep(demand, "gpus", (16,), fabric="nope", catalog=catalog)


def test_written_sweep_is_complete_and_byte_identical(gpu_sweep, tmp_path):
    """Two writes of one sweep give the same bytes (PNG and SVG metadata are fixed)."""
    first = gpu_sweep.write(tmp_path / "a")
    second = gpu_sweep.write(tmp_path / "b")
    for name in ("sweep.csv", "sweep.png", "sweep.svg"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(first / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["gpus"]) for r in rows] == list(GPUS)
    assert all(float(r["cost_per_gpu_usd"]) > 0 for r in rows[:3])
    assert rows[3]["status"] == "infeasible" and rows[3]["cost_usd"] == ""


def test_cli_sweep_writes_and_reports(demand_file, tmp_path):
    out = tmp_path / "sweep"
    result = CliRunner().invoke(main, ["sweep", str(demand_file), "-o", str(out), "--values",
                                       "16,256", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["sweep.csv", "sweep.png", "sweep.svg"]
    assert "design changes at 256 GPUs: 1 -> 2 tiers" in result.output
    bad = CliRunner().invoke(main, ["sweep", str(demand_file), "-o", str(tmp_path / "x"),
                                    "--values", "16,abc"])
    assert bad.exit_code == 1 and "not a comma-separated list" in bad.output
    assert not (tmp_path / "x").exists()


def test_a_tco_sweep_reports_and_plots_what_it_minimized(lab, tmp_path):
    demand, catalog = lab
    demand = demand.with_objective(kind="tco", years=5, usd_per_kwh=0.2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = sweep(demand, "gpus", (16, 256), catalog=catalog, executor=pool)
    per_watt_usd = 8760 * 5 * 0.2 * 1.3 / 1000
    for point in result.points:
        assert point.energy_usd == pytest.approx(point.power_w * per_watt_usd, abs=0.01)
        assert point.tco_per_gpu_usd == pytest.approx(
            (point.cost_usd + point.energy_usd) / point.gpus, abs=0.01)
        assert point.objective_per_gpu_usd == point.tco_per_gpu_usd
    assert result.objective_label.startswith("network TCO per GPU (parts + 5 years")
    with open(result.write(tmp_path / "out") / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[0]["tco_per_gpu_usd"]) == result.points[0].tco_per_gpu_usd


def test_values_that_give_the_same_fabric_are_designed_once(lab):
    demand, catalog = lab
    calls = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            calls.append(args[4])
            return super().submit(fn, *args, **kwargs)

    with Counting(max_workers=2) as pool:
        result = sweep(demand, "gpus", (16, 17, 23, 24, 25), catalog=catalog, executor=pool)
    # 8 GPUs per server: 16 -> 2 servers; 17, 23, 24 -> 3; 25 -> 4.
    assert calls == [16, 17, 25]
    assert [p.value for p in result.points] == [16, 17, 23, 24, 25]
    assert [p.nodes for p in result.points] == [2, 3, 3, 3, 4]
    assert result.points[1].cost_usd == result.points[3].cost_usd


def test_a_blast_radius_sweep_prices_each_limit(tmp_path):
    """The seed's 1,024-GPU backend at 3 hops by blast radius: below 16 GPUs a switch no 2-tier
    design exists (each infeasible point says why), 16 takes top-of-rack leaves of two servers
    ($5,489,280), 32 and more the cheapest design ($4,334,720, four servers a leaf)."""
    demand = designer.load_demand(ROOT / "examples" / "training-1024.yaml")
    catalog = designer.load_catalog(["nvidia-infiniband"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = sweep(demand, "blast-radius", (64, 0, 8, 16, 32), catalog=catalog,
                       executor=pool)
    by_value = {p.value: p for p in result.points}
    assert [p.value for p in result.points] == [0, 8, 16, 32, 64]
    assert by_value[0].status == by_value[8].status == "infeasible"
    assert "max_gpus_cut_per_switch: 0 allows no leaf" in by_value[0].message
    assert "allows leaves of at most 8 nodes" in by_value[8].message
    assert (by_value[16].cost_usd, by_value[32].cost_usd, by_value[64].cost_usd) == (
        5_489_280, 4_334_720, 4_334_720)
    assert result.axis_label == "GPUs one failed switch may cut off"
    assert result.changes() == []  # top-of-rack on the same switches throughout
    out = result.write(tmp_path / "out")
    assert (out / "sweep.png").exists()


def test_a_blast_radius_is_a_whole_number_of_gpus(lab):
    demand, catalog = lab
    with pytest.raises(InputError, match="whole number of GPUs"):
        sweep(demand, "blast-radius", (1.5,), catalog=catalog)
    with pytest.raises(InputError, match="whole number of GPUs"):
        sweep(demand, "blast-radius", (-1,), catalog=catalog)
