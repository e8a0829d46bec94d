"""
### Remove imported numbers from Bandwidth (the reverse of `hosted_messaging_import`)

Trigger it with the form: the numbers to remove. **Steps.** validate → make sure callbacks reach us → plan the
orders → **confirm**: the run waits in *Required actions* until a person chooses *Approve* (every removal by
default: `[bandwidth] remove_approval_threshold` 1; *Reject* or no answer in `approval_timeout_hours` removes
nothing) → create the `removeImportedTnOrders` orders, one mapped task each → wait for each order's final status
→ verify the numbers left the in-service list → report.

**Dry run**: plan only; nothing is removed. **Outcomes per number**: `removed`, `remove_failed` (Bandwidth's
code), `still_in_service` (after the grace period), `not_ordered` (a step before the order failed, or the removal
was not confirmed), `would_order` (dry run). The run fails if a number was not removed.
"""

from __future__ import annotations

from airflow.sdk import DAG

from bandwidth_hosted_messaging.constants import REMOVE_DAG
from bandwidth_hosted_messaging.flows.deadline import deadline_alert
from bandwidth_hosted_messaging.flows.defaults import DEFAULT_ARGS, TAGS
from bandwidth_hosted_messaging.flows.notifications import run_notifiers
from bandwidth_hosted_messaging.flows.params import (
    FLOW_TEMPLATES,
    dry_run_param,
    form_params,
    numbers_param,
    order_params,
)
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
    **run_notifiers(),
    params=form_params(
        {
            "numbers": numbers_param("One per line; numbers imported earlier. +1, dashes and spaces are fine."),
            "dry_run": dry_run_param(),
            **order_params("remove", "How long to wait for removed numbers to leave the in-service list."),
        }
    ),
) as dag:
    build_remove_flow(**FLOW_TEMPLATES)
