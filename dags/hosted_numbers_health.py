"""
Check that the numbers this project hosts for messaging are still in service, daily and at once when Bandwidth
reports ``MESSAGING_LOST``.

read the ledger (numbers imported and not removed since, from the import/remove runs' reports) → check them
all against ``/inserviceNumbers`` (pages or single look-ups, whichever takes fewer calls) → per-number report
(``in_service`` / ``lost``; ``MESSAGING_LOST`` events that named a number are noted) → fail naming the lost.

Schedule, time zone and connection come from ``include/health.yaml`` (env ``BANDWIDTH_HEALTH_CONFIG`` names
another file); ``schedule: null`` leaves only the events.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import DAG, Param
from bandwidth.flow import DEFAULT_ARGS
from bandwidth.operators import EnsureSubscriptionOperator
from bandwidth.operators.health import (
    CheckHostedNumbersOperator,
    HealthReportOperator,
    health_schedule,
    load_health_config,
)

CONFIG_FILE = Path(
    os.environ.get("BANDWIDTH_HEALTH_CONFIG") or Path(__file__).resolve().parents[1] / "include" / "health.yaml"
)
config = load_health_config(CONFIG_FILE)

with DAG(
    dag_id="hosted_numbers_health",
    description="Check that hosted numbers are still in service; report the lost ones",
    schedule=health_schedule(config),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bandwidth", "hosted-messaging"],
    doc_md=__doc__,
    params={
        "bandwidth_conn_id": Param(
            config.bandwidth_conn_id,
            type="string",
            title="Bandwidth connection",
            description="Connection id of type Bandwidth.",
        ),
    },
) as dag:
    check = CheckHostedNumbersOperator(
        task_id="check_hosted_numbers", bandwidth_conn_id="{{ params.bandwidth_conn_id }}"
    )
    report = HealthReportOperator(task_id="report", check_task_id=check.task_id, retries=0)
    check >> report
    # So that Bandwidth's MESSAGING_LOST events reach the callback receiver and start this DAG at once;
    # on its own branch: the check never waits for it.
    EnsureSubscriptionOperator(
        task_id="ensure_subscription", order_type="MESSAGING_LOST", bandwidth_conn_id="{{ params.bandwidth_conn_id }}"
    )
