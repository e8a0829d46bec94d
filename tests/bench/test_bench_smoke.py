"""
A small run of ``make bench``'s measurements on real components: the figures are all there and sane (nothing is
timed).

The pipeline on real components (LocalExecutor, SQLite) for 100 numbers with short orders, beside the sequential
and the concurrent scripts; the API-call analysis of that run; the resume latency. The measurements without
Airflow's components are in modules of their own, outside this module's unit of work (``tests/conftest.py``), so
another worker runs them meanwhile: the parse in ``test_bench_parse.py``, the task start cost and the scale figures
in ``test_bench_offline.py``.
"""

from __future__ import annotations

import pytest

from tests.bench.quick import run_quick_bench

pytestmark = pytest.mark.integration


def test_quick_bench_prints_every_figure_of_a_pipeline_run(tmp_path):
    figures, stderr = run_quick_bench(tmp_path, "triggerer", "start-cost", "scale")
    assert "| numbers | orders | wall s |" in stderr and "| target | measured | pass |" in stderr

    run = figures["batches"]["100"]
    assert run["numbers"] == 100 and run["orders"] == 1
    # 3 % rejected by the checker; the one order is PARTIAL with its seeded failure; the rest in service.
    assert run["report_summary"] == {"total": 100, "in_service": 96, "rejected": 3, "order_failed": 1}
    assert run["order_statuses"] == {"PARTIAL": 1}
    assert run["wall_seconds"] > run["floor_seconds"] >= figures["config"]["sandbox_order_seconds"]
    assert run["sequential"]["in_service"] == run["sequential"]["expected_in_service"] == 96
    # The concurrent script: same batch size, its own numbers, every order at once.
    con = run["concurrent"]
    assert con["in_service"] == con["expected_in_service"] == 96 and con["orders"] == 1
    assert con["calls"]["importTnOrders.create"] == 1 and con["calls"]["loas.upload"] == 1
    assert run["concurrent_wall_seconds"] > 0
    assert run["over_concurrent_seconds"] == round(run["wall_seconds"] - run["concurrent_wall_seconds"], 1)
    # Each task's start to execute(), read from its log: every task of the run has one.
    start = run["start_cost"]
    assert start["task_instances"] >= 9 and 0 < start["median_ms"] <= start["max_ms"]  # the run's 9 tasks
    assert {"validate_request", "import_order.create", "report"} <= set(start["by_task_median_ms"])

    calls = run["calls"]
    assert calls["by_endpoint"]["importTnChecker"] == 1 and calls["by_endpoint"]["importTnOrders.create"] == 1
    assert calls["by_endpoint"]["loas.upload"] == 1
    # The warm-up run before it was the connection's first: it checked the site and created the subscription,
    # so this run's minimum holds neither; the subscription list only if its callbacks did not show it alive.
    warm = figures["warm_up"]
    assert warm["numbers"] == 1 and warm["run_state"] == "success" and warm["wall_seconds"] > warm["floor_seconds"]
    assert {row[0] for row in warm["timeline"]} >= {"validate_request", "import_order.wait", "report"}
    assert "a warm-up run (1 number, the first after Airflow started" in stderr
    basics = {
        "importTnChecker": 1,
        "importTnOrders.create": 1,
        "loas.upload": 1,
        "inserviceNumbers": 1,
        "status_reads": 1,
    }
    assert calls["minimum"] in (basics, basics | {"subscriptions.list": 1})
    assert calls["by_endpoint"].get("sites.get", 0) == calls["by_endpoint"].get("subscriptions.create", 0) == 0
    assert calls["calls_excluding_polls"] >= calls["minimum_total"] == len(calls["minimum"])
    assert calls["status_reads"] == calls["polls"] + 1 and calls["polls_within_schedule"]
    assert run["slots"]["slots_held_while_waiting"] == 0 and run["slots"]["max_waits_deferred_at_once"] == 1

    names = {t["target"] for t in figures["targets"]}
    assert any("polls per order" in n for n in names) and any("worker slots" in n for n in names)
    assert any("wall <= sandbox processing time + 10 s" in n for n in names)
    assert any("concurrent script" in n for n in names) and not any("sequential" in n for n in names)
    assert all(isinstance(t["pass"], bool) for t in figures["targets"])

    # The resume latency: every wait deferred; with callbacks, one read after the callback (poll: 900 s);
    # with callbacks lost, the safety poll ended every wait.
    on, lost = figures["resume"]["callbacks"], figures["resume"]["callbacks_lost"]
    assert on["poll_interval_seconds"] == 900 and on["run_state"] == lost["run_state"] == "success"
    assert on["waits_measured"] == on["orders"] == 3 and on["reads_per_order_min"] == on["reads_per_order_max"] == 2
    assert 0 < on["resume_latency_median_seconds"] <= on["resume_latency_p95_seconds"]
    assert lost["waits_measured"] == lost["orders"] == 3 and lost["callbacks_dropped"] > 0
    assert lost["reads_per_order_max"] >= 2  # the sensor's read, then the safety poll's
    assert any("resume latency" in n for n in names)
    assert "start_cost" not in figures and "scale" not in figures  # test_bench_offline.py's
