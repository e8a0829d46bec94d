"""
A small run of ``make bench``'s measurements: the figures are all there and sane (nothing is timed).

The parse measurement on two files; the pipeline on real components (LocalExecutor, SQLite) for 100
numbers with short orders, beside the plain sequential script; the API-call analysis of that run.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_parse_figures_for_each_file_and_batch_count(tmp_path):
    from bench import parse

    figures = parse.measure(
        reps=1,
        cold_reps=1,
        workdir=tmp_path,
        files=["hosted_messaging_import.py", "import_batches.py"],
        batch_counts=(1, 3),
    )
    assert figures["import_airflow_sdk_ms"] > 0
    for count, dags in (("1", 1), ("3", 3)):
        files = figures["batch_files"][count]["files"]
        assert set(files) == {"hosted_messaging_import.py", "import_batches.py"}
        assert files["import_batches.py"]["dags"] == dags and files["import_batches.py"]["import_errors"] == 0
        assert files["hosted_messaging_import.py"]["dags"] == 1
        assert all(f["parse_ms"] > f["above_airflow_ms"] for f in files.values())
    assert figures["worst_file_50_batches"]["batch_files"] == 3


def test_quick_bench_prints_every_figure_of_a_pipeline_run(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--skip-parse", "--skip-triggerer", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    figures = json.loads(out.stdout)
    assert figures == json.loads((tmp_path / "last.json").read_text())
    assert "| numbers | orders | wall s |" in out.stderr and "| target | measured | pass |" in out.stderr

    run = figures["batches"]["100"]
    assert run["numbers"] == 100 and run["orders"] == 1
    # 3 % rejected by the checker; the one order is PARTIAL with its seeded failure; the rest in service.
    assert run["report_summary"] == {"total": 100, "in_service": 96, "rejected": 3, "order_failed": 1}
    assert run["order_statuses"] == {"PARTIAL": 1}
    assert run["wall_seconds"] > run["floor_seconds"] >= figures["config"]["sandbox_order_seconds"]
    assert run["sequential"]["in_service"] == run["sequential"]["expected_in_service"] == 96

    calls = run["calls"]
    assert calls["by_endpoint"]["importTnChecker"] == 1 and calls["by_endpoint"]["importTnOrders.create"] == 1
    assert calls["by_endpoint"]["loas.upload"] == 1
    assert calls["minimum"] == {
        "importTnChecker": 1,
        "importTnOrders.create": 1,
        "loas.upload": 1,
        "inserviceNumbers": 1,
        "status_reads": 1,
    }
    assert calls["calls_excluding_polls"] >= calls["minimum_total"] == 5
    assert calls["status_reads"] == calls["polls"] + 1 and calls["polls_within_schedule"]
    assert run["slots"]["slots_held_while_waiting"] == 0 and run["slots"]["max_waits_deferred_at_once"] == 1

    names = {t["target"] for t in figures["targets"]}
    assert any("polls per order" in n for n in names) and any("worker slots" in n for n in names)
    assert all(isinstance(t["pass"], bool) for t in figures["targets"])

    # The resume latency: every wait deferred; with callbacks, one read after the callback (poll: 900 s);
    # with callbacks lost, the safety poll ended every wait.
    on, lost = figures["resume"]["callbacks"], figures["resume"]["callbacks_lost"]
    assert on["poll_interval_seconds"] == 900 and on["run_state"] == lost["run_state"] == "success"
    assert on["waits_measured"] == on["orders"] == 3 and on["reads_per_order_max"] == 2
    assert 0 < on["resume_latency_median_seconds"] <= on["resume_latency_p95_seconds"]
    assert lost["waits_measured"] == lost["orders"] == 3 and lost["callbacks_dropped"] > 0
    assert lost["reads_per_order_max"] >= 2  # the sensor's read, then the safety poll's
    assert any("resume latency" in n for n in names)
