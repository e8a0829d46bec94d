"""
Remove imported numbers from Bandwidth (the reverse of ``hosted_messaging_import``): trigger it from the
UI with the form.

create removeImportedTnOrders orders (one mapped task per chunk) → wait in the triggerer → verify the
numbers left the in-service list → per-number report.
"""

from __future__ import annotations

from airflow.sdk import DAG
from bandwidth.flow import DEFAULT_ARGS, build_remove_flow
from bandwidth.params import FLOW_TEMPLATES, numbers_param, order_params

with DAG(
    dag_id="hosted_messaging_remove",
    description="Remove imported numbers from Bandwidth",
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["bandwidth", "hosted-messaging"],
    doc_md=__doc__,
    params={
        "numbers": numbers_param("One per line; numbers imported earlier. +1, dashes and spaces are fine."),
        **order_params("remove", "How long to wait for removed numbers to leave the in-service list."),
    },
) as dag:
    build_remove_flow(**FLOW_TEMPLATES)
