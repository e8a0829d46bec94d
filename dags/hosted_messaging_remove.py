"""
Remove imported numbers from Bandwidth (the reverse of ``hosted_messaging_import``): trigger it from the
UI with the form.

create removeImportedTnOrders orders (one mapped task per chunk) → wait in the triggerer → verify the
numbers left the in-service list → per-number report.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param
from bandwidth.flow import DEFAULT_ARGS, build_remove_flow

NANP_NUMBER = r"^\s*(\+?1[\s.\-]?)?\(?[2-9][0-9]{2}\)?[\s.\-]?[2-9][0-9]{2}[\s.\-]?[0-9]{4}\s*$"

with DAG(
    dag_id="hosted_messaging_remove",
    description="Remove imported numbers from Bandwidth",
    schedule=None,
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["bandwidth", "hosted-messaging"],
    doc_md=__doc__,
    params={
        "numbers": Param(
            type="array",
            items={"type": "string", "pattern": NANP_NUMBER},
            minItems=1,
            title="Telephone numbers",
            description="One per line; numbers imported earlier. +1, dashes and spaces are fine.",
        ),
        "customer_order_id_prefix": Param(
            "remove",
            type="string",
            pattern=r"^[A-Za-z0-9\- ]+$",
            maxLength=18,
            title="Customer order id prefix",
            description="Letters, digits, dashes, spaces; each order's CustomerOrderId is this plus a run/chunk suffix.",
        ),
        "chunk_size": Param(1000, type="integer", minimum=1, maximum=5000, title="Numbers per order"),
        "bandwidth_conn_id": Param("bandwidth_default", type="string", title="Bandwidth connection", description="Connection id of type Bandwidth."),
        "callback_conn_id": Param("bandwidth_callback", type="string", title="Callback connection", description="Public callback URL and the Basic credentials Bandwidth will send."),
        "poll_interval": Param(60, type="number", exclusiveMinimum=0, title="Poll interval (s)"),
        "grace_period": Param(300, type="number", minimum=0, title="Grace period (s)", description="How long to wait for removed numbers to leave the in-service list."),
        "wait_timeout": Param(7 * 24 * 3600, type="number", exclusiveMinimum=0, title="Give up waiting after (s)", description="How long to wait for Bandwidth to finish an order (default 7 days; Bandwidth advises against short waits)."),
    },
) as dag:
    build_remove_flow(
        bandwidth_conn_id="{{ params.bandwidth_conn_id }}",
        callback_conn_id="{{ params.callback_conn_id }}",
        poll_interval="{{ params.poll_interval }}",
        grace_period="{{ params.grace_period }}",
        wait_timeout="{{ params.wait_timeout }}",
    )
