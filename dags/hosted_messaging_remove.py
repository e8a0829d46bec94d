"""
Remove imported numbers from Bandwidth (the reverse of ``hosted_messaging_import``): trigger it from the
UI with the form.

create removeImportedTnOrders orders (one mapped task per chunk) → wait in the triggerer → verify the
numbers left the in-service list → per-number report.
"""

from __future__ import annotations

from airflow.sdk import DAG

from bandwidth_hosted_messaging.constants import REMOVE_DAG
from bandwidth_hosted_messaging.flows.deadline import deadline_alert
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.params import FLOW_TEMPLATES, numbers_param, order_params
from bandwidth_hosted_messaging.flows.remove_flow import build_remove_flow

with DAG(
    dag_id=REMOVE_DAG,
    description="Remove imported numbers from Bandwidth",
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    doc_md=__doc__,
    deadline=deadline_alert(),
    params={
        "numbers": numbers_param("One per line; numbers imported earlier. +1, dashes and spaces are fine."),
        **order_params("remove", "How long to wait for removed numbers to leave the in-service list."),
    },
) as dag:
    build_remove_flow(**FLOW_TEMPLATES)
