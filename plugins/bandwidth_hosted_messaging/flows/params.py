"""The Params forms of the manual DAGs: the fields both the import and the remove form have, defined once."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param

from bandwidth_hosted_messaging.constants import CALLBACK_CONN_ID, DEFAULT_CONN_ID, MAX_BATCH_NUMBERS, ORDER_MAX_NUMBERS

#: A NANP number as people write it: +1, dashes, dots, spaces, parentheses (the validator normalises it).
NANP_NUMBER = r"^\s*(\+?1[\s.\-]?)?\(?[2-9][0-9]{2}\)?[\s.\-]?[2-9][0-9]{2}[\s.\-]?[0-9]{4}\s*$"


def numbers_param(description: str) -> Param:
    return Param(
        type="array",
        items={"type": "string", "pattern": NANP_NUMBER},
        minItems=1,
        maxItems=MAX_BATCH_NUMBERS,
        title="Telephone numbers",
        description=description,
    )


def order_params(prefix: str, grace_description: str) -> dict[str, Param]:
    """CustomerOrderId prefix, chunk size, connections and waiting: the same in every order form."""
    return {
        "customer_order_id_prefix": Param(
            prefix,
            type="string",
            pattern=r"^[A-Za-z0-9\- ]+$",
            maxLength=18,
            title="Customer order id prefix",
            description=(
                "Letters, digits, dashes, spaces; each order's CustomerOrderId is this plus a run/chunk suffix."
            ),
        ),
        "chunk_size": Param(
            1000,
            type="integer",
            minimum=1,
            maximum=ORDER_MAX_NUMBERS,
            title="Numbers per order",
            description="Orders are created in chunks of this size (one mapped task each).",
        ),
        "bandwidth_conn_id": Param(
            DEFAULT_CONN_ID, type="string", title="Bandwidth connection", description="Connection id of type Bandwidth."
        ),
        "callback_conn_id": Param(
            CALLBACK_CONN_ID,
            type="string",
            title="Callback connection",
            description="Public callback URL and the Basic credentials Bandwidth will send.",
        ),
        "poll_interval": Param(
            60,
            type="number",
            exclusiveMinimum=0,
            title="Poll interval (s)",
            description="Seconds between order status polls while waiting.",
        ),
        "grace_period": Param(300, type="number", minimum=0, title="Grace period (s)", description=grace_description),
        "wait_timeout": Param(
            7 * 24 * 3600,
            type="number",
            exclusiveMinimum=0,
            title="Give up waiting after (s)",
            description=(
                "How long to wait for Bandwidth to finish an order (default 7 days; Bandwidth advises against "
                "short waits)."
            ),
        ),
    }


#: The flow arguments every manual DAG takes from its Params.
FLOW_TEMPLATES: dict[str, Any] = {
    "bandwidth_conn_id": "{{ params.bandwidth_conn_id }}",
    "callback_conn_id": "{{ params.callback_conn_id }}",
    "poll_interval": "{{ params.poll_interval }}",
    "grace_period": "{{ params.grace_period }}",
    "wait_timeout": "{{ params.wait_timeout }}",
}
