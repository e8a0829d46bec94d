"""
``make bench``'s measurements without Airflow's components, in a small run: the task start cost (a batch DAG task
and the EmptyOperator baseline) and the scale figures for batches of 1,000 and 2,000 numbers; the figures are all
there and sane (nothing is timed). Without a pipeline, resume or triggerer phase the bench starts no Airflow.
"""

from __future__ import annotations

import pytest

from tests.bench.quick import run_quick_bench

pytestmark = pytest.mark.integration


def test_quick_bench_without_airflow_prints_the_start_cost_and_scale_figures(tmp_path):
    figures, _ = run_quick_bench(tmp_path, "pipeline", "resume", "triggerer")
    assert "start_airflow" not in figures["seconds"] and not (tmp_path / "airflow-home").exists()
    assert "batches" not in figures and "resume" not in figures
    names = {t["target"] for t in figures["targets"]}

    # The task start cost: forked as the LocalExecutor forks a task process, up to execute().
    cost = figures["start_cost"]
    assert cost["baseline"]["operator"] == "EmptyOperator"
    assert cost["batch_task"]["operator"] == cost["manual_task"]["operator"] == "ValidateRequestOperator"
    assert all(0 < cost[k]["min_ms"] <= cost[k]["start_ms"] <= cost[k]["max_ms"] for k in ("baseline", "batch_task"))
    assert cost["batch_over_baseline_ratio"] > 0 and isinstance(cost["pass"], bool)
    assert cost["shape_floor_task"]["operator"] == "EmptyOperator" and cost["shape_floor_task"]["start_ms"] > 0
    assert cost["batch_above_shape_floor_ms"] == round(
        cost["batch_task"]["start_ms"] - cost["shape_floor_task"]["start_ms"], 1
    )
    assert any("task start to execute()" in n for n in names)

    # Scale: every task's largest XCom, each step's peak RSS, the report and the status page, at each size.
    sc = figures["scale"]
    assert sc["sizes"] == [1000, 2000] and sc["baseline_rss_mb"] > 0
    for size in ("1000", "2000"):
        f = sc["per_size"][size]
        assert f["largest_xcom"]["task"] == "report" and f["report_seconds"] > 0
        assert f["status_page"]["rows_total"] == int(size) and f["status_page"]["rows_on_page"] == 100
        assert f["status_page"]["cold_ms"] > 0 and f["status_page"]["warm_ms"] > 0
        assert f["xcoms"]["import_order.wait"]["values"] == 1  # one order of up to 5,000 numbers
        assert all(f["xcoms"][t]["bytes_per_number"] > 0 for t in ("validate_request", "approve_orders", "report"))
        assert all(s["maxrss_mb"] > 0 and s["seconds"] >= 0 for s in f["steps"].values())
    assert set(sc["xcom_growth"]) >= {"validate_request", "check_importability", "report"}
    assert all(r > 0 for r in sc["xcom_growth"].values()) and all(r > 0 for r in sc["rss_growth"].values())
    assert any("report task writes 2,000 rows" in n for n in names) and any("status page" in n for n in names)
