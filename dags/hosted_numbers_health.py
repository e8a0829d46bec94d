"""
Check that the numbers this project hosts for messaging are still in service, daily and at once when Bandwidth
reports ``MESSAGING_LOST``.

ask the hosted-number inventory (numbers imported and not removed since, not known lost) → check them all against
``/inserviceNumbers`` (pages or single look-ups, whichever takes fewer calls) → per-number report (``in_service`` /
``lost``; ``MESSAGING_LOST`` events that named a number are noted), the losses recorded in the inventory → fail
naming the lost.

Schedule, time zone and connection come from ``include/health.yaml`` (the connection defaults to
``[bandwidth] conn_id``) (env ``BANDWIDTH_HEALTH_CONFIG`` names
another file); ``schedule: null`` leaves only the events.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.sdk import DAG

from bandwidth_hosted_messaging.constants import HEALTH_CONFIG_ENV, HEALTH_DAG
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.health_flow import build_health_flow, health_schedule
from bandwidth_hosted_messaging.inputs.health_config import load_health_config

CONFIG_FILE = Path(os.environ.get(HEALTH_CONFIG_ENV) or Path(__file__).resolve().parents[1] / "include" / "health.yaml")
config = load_health_config(CONFIG_FILE)

with DAG(
    dag_id=HEALTH_DAG,
    description="Check that hosted numbers are still in service; report the lost ones",
    schedule=health_schedule(config),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    doc_md=__doc__,
) as dag:
    build_health_flow(bandwidth_conn_id=config.bandwidth_conn_id)
