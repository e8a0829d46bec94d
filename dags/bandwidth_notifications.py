"""
Runs when Bandwidth calls back: an import or remove order changed status, or hosted numbers lost messaging.

The callback receiver (plugin ``bandwidth``, ``POST /bandwidth/callbacks``) records each notification as an
event on one of the assets below; this DAG logs every triggering event's extra. Hang downstream work here
(or schedule your own DAG on the same assets). Callbacks are a fast signal, not the truth: Bandwidth never
retries a delivery, so fetch the order before acting on it.
"""

from __future__ import annotations

import logging

from airflow.sdk import DAG, task

from bandwidth_hosted_messaging.assets import IMPORT_TN_ORDERS, MESSAGING_LOST, REMOVE_IMPORTED_TN_ORDERS
from bandwidth_hosted_messaging.constants import NOTIFICATIONS_DAG
from bandwidth_hosted_messaging.flows.defaults import TAGS

log = logging.getLogger(__name__)

with DAG(
    dag_id=NOTIFICATIONS_DAG,
    description="Log Bandwidth order notifications and account events recorded by the callback receiver",
    schedule=(IMPORT_TN_ORDERS | REMOVE_IMPORTED_TN_ORDERS | MESSAGING_LOST),
    catchup=False,
    tags=TAGS,
    doc_md=__doc__,
):

    @task
    def log_notifications(triggering_asset_events=None) -> int:
        """Log one line per triggering event; return how many there were."""
        count = 0
        for asset, events in (triggering_asset_events or {}).items():
            for event in events:
                count += 1
                log.info("%s event at %s: %s", asset.name, event.timestamp, event.extra)
        if not count:
            log.info("No triggering asset events (a manual run?)")
        return count

    log_notifications()
