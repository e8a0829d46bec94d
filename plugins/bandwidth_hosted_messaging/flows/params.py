"""The Params forms of the manual DAGs: the fields both the import and the remove form have, defined once."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param

from bandwidth_hosted_messaging.config import min_poll_interval, wait_long_stop_seconds
from bandwidth_hosted_messaging.constants import (
    DEFAULT_POLL_INTERVAL,
    MAX_BATCH_NUMBERS,
    MAX_GRACE_PERIOD,
    MAX_POLL_INTERVAL,
    MAX_WAIT_TIMEOUT,
    ORDER_MAX_NUMBERS,
)

#: The form's section of the fields that shape how a run talks to Bandwidth, collapsed under the business fields.
TECHNICAL = "Technical settings"

#: The JSON Schema draft the forms' fields declare. Airflow checks a Param's schema against its draft's meta-schema
#: each time it resolves the Param (jsonschema's ``validate``): for every task's context and, several times per
#: task, in every serialisation of the DAG. Without ``$schema`` that is draft 2020-12, whose meta-schema is about
#: three times as slow to check; draft 7 has every keyword the forms use.
SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"


def form_params(params: dict[str, Param]) -> dict[str, Param]:
    """``params`` (a DAG's ``params=``), each schema declaring :data:`SCHEMA_DRAFT` unless it names a draft."""
    for param in params.values():
        param.schema.setdefault("$schema", SCHEMA_DRAFT)
    return params


def numbers_param(description: str) -> Param:
    """
    The numbers field. It has no pattern: the first task checks each number and refuses a bad one in plain words
    ("entry 3: '303555' is not a 10-digit North American number"), before any API call; a schema pattern would
    show the person a regular expression instead.
    """
    return Param(
        type="array",
        items={"type": "string", "minLength": 1},
        minItems=1,
        maxItems=MAX_BATCH_NUMBERS,
        title="Telephone numbers",
        description=description,
    )


def dry_run_param() -> Param:
    return Param(
        False,
        type="boolean",
        title="Dry run",
        description=(
            "Check and plan only: validate, check the site and the numbers, plan the orders and write the report "
            "(outcome would_order). Nothing is ordered, no LOA is uploaded, no subscription is changed."
        ),
    )


def order_params(prefix: str, grace_description: str) -> dict[str, Param]:
    """
    CustomerOrderId prefix, chunk size and waiting: the same in every order form. The connections are not here:
    whoever deploys the DAG chooses them (:mod:`~bandwidth_hosted_messaging.config`), never the person triggering.
    """
    return {
        "customer_order_id_prefix": Param(
            prefix,
            section=TECHNICAL,
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
            section=TECHNICAL,
            type="integer",
            minimum=1,
            maximum=ORDER_MAX_NUMBERS,
            title="Numbers per order",
            description="Orders are created in chunks of this size (one mapped task each).",
        ),
        "poll_interval": Param(
            DEFAULT_POLL_INTERVAL,
            section=TECHNICAL,
            type="number",
            minimum=min_poll_interval(),
            maximum=MAX_POLL_INTERVAL,
            title="Safety poll (s)",
            description=(
                "Bandwidth's callback ends the wait on an order within seconds; this poll reads the order anyway "
                "every so many seconds, in case a callback is lost (Bandwidth never re-sends one)."
            ),
        ),
        "grace_period": Param(
            300,
            section=TECHNICAL,
            type="number",
            minimum=0,
            maximum=MAX_GRACE_PERIOD,
            title="Grace period (s)",
            description=grace_description,
        ),
        "wait_timeout": Param(
            int(wait_long_stop_seconds()),
            section=TECHNICAL,
            type="number",
            minimum=min_poll_interval(),
            maximum=MAX_WAIT_TIMEOUT,
            title="Long stop (s)",
            description=(
                "Give up waiting on an order after this long (default 30 days). Bandwidth gives no processing "
                "time and advises against timeouts: a slow run raises its deadline alert instead of failing."
            ),
        ),
    }


#: The flow arguments every manual DAG takes from its Params (numbers of seconds only: never a connection).
FLOW_TEMPLATES: dict[str, Any] = {
    "poll_interval": "{{ params.poll_interval }}",
    "grace_period": "{{ params.grace_period }}",
    "wait_timeout": "{{ params.wait_timeout }}",
}
