"""
How fast the "Hosted messaging" page loads a run: ``bandwidth_hosted_messaging.status.views.page_load`` (the overview, then the
run's first page of rows, as the JSON API answers them) on the largest run under an Airflow home that a
benchmark run left behind (its SQLite DB and reports). Cold: a fresh report cache (the report.json is read);
warm: the cache in place, as the API server holds it.

    AIRFLOW_HOME=.airflow/bench/airflow-home python -m bench.status_page
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def measure(reps: int = 5) -> dict:
    from bandwidth_hosted_messaging.status import store as data
    from bandwidth_hosted_messaging.status import views

    largest = None
    for report_json in Path(os.environ["AIRFLOW_HOME"], "bandwidth_reports").glob("*/*/report.json"):
        size = report_json.stat().st_size
        if largest is None or size > largest[0]:
            largest = (size, json.loads(report_json.read_text()))
    if largest is None:
        raise SystemExit("no report under $AIRFLOW_HOME/bandwidth_reports: run `make bench` first")
    report = largest[1]
    dag_id, run_id, numbers = report["dag_id"], report["run_id"], report["summary"]["total"]
    cold, warm = [], []
    for _ in range(reps):
        store = data.ReportStore()
        started = time.perf_counter()
        answer = views.page_load(dag_id, run_id, reports=store)
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        views.page_load(dag_id, run_id, reports=store)
        warm.append((time.perf_counter() - started) * 1000)
    assert answer["run"], "the run was not found"
    return {
        "numbers": numbers,
        "cold_ms_median": round(statistics.median(cold), 1),
        "warm_ms_median": round(statistics.median(warm), 1),
        "reps": reps,
        "target_ms": 1000,
        "pass": statistics.median(cold) < 1000,
    }


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=1)
    print()
