"""
:func:`build_health_flow` lays the health check's tasks (``hosted_numbers_health``); :func:`health_schedule`
is its schedule. Call it inside ``with DAG(...)``::

    check_hosted_numbers ── report          ensure_subscription (MESSAGING_LOST, on its own branch)
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable

from bandwidth_hosted_messaging.assets import MESSAGING_LOST
from bandwidth_hosted_messaging.inputs.health_config import HealthConfig
from bandwidth_hosted_messaging.operators.health import CheckHostedNumbersOperator, HealthReportOperator
from bandwidth_hosted_messaging.operators.report import REPORT_RETRIES
from bandwidth_hosted_messaging.operators.subscriptions import EnsureSubscriptionOperator


def health_schedule(config: HealthConfig) -> Asset | AssetOrTimeSchedule:
    """On the config's schedule *and* at once on every ``MESSAGING_LOST`` event; events only when it has none."""
    if config.schedule is None:
        return MESSAGING_LOST
    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(config.schedule, timezone=config.timezone), assets=MESSAGING_LOST
    )


def build_health_flow(bandwidth_conn_id: str) -> HealthReportOperator:
    """Add the health check's tasks to the current DAG and return its report task (connection: the config file's)."""
    check = CheckHostedNumbersOperator(task_id="check_hosted_numbers", bandwidth_conn_id=bandwidth_conn_id)
    report = HealthReportOperator(task_id="report", check_task_id=check.task_id, retries=REPORT_RETRIES)
    check >> report
    # So that Bandwidth's MESSAGING_LOST events reach the callback receiver and start this DAG at once;
    # on its own branch: the check never waits for it.
    EnsureSubscriptionOperator(
        task_id="ensure_subscription", order_type="MESSAGING_LOST", bandwidth_conn_id=bandwidth_conn_id
    )
    return report
