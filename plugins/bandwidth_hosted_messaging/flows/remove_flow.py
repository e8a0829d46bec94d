"""
:func:`build_remove_flow` lays the removal's task chain (``hosted_messaging_remove``). Call it inside
``with DAG(...)``::

    validate_request ── ensure_subscription ── approve_orders ── remove_order[i]: create ── wait
                        verify_removed (all done) ── report (all done)

``approve_orders`` plans the orders, then asks a person to confirm the removal (``[bandwidth]
remove_approval_threshold``, default 1: every removal), or, in a dry run, removes nothing.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import task_group

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.constants import (
    APPROVAL_TASK_ID,
    DEFAULT_POLL_INTERVAL,
    REMOVE_ORDER_GROUP,
    REPORT_TASK_ID,
)
from bandwidth_hosted_messaging.operators.approval import APPROVAL_RETRY, ApproveOrdersOperator
from bandwidth_hosted_messaging.operators.orders import CreateTnOrderOperator
from bandwidth_hosted_messaging.operators.report import REPORT_RETRIES, ReportOperator
from bandwidth_hosted_messaging.operators.request import ValidateRequestOperator
from bandwidth_hosted_messaging.operators.subscriptions import EnsureSubscriptionOperator
from bandwidth_hosted_messaging.operators.verify import VerifyNumbersOperator
from bandwidth_hosted_messaging.sensors.order import TnOrderSensor
from bandwidth_hosted_messaging.statuses import OrderKind


def build_remove_flow(
    *,
    values: dict[str, Any] | None = None,
    bandwidth_conn_id: str | None = None,
    callback_conn_id: str | None = None,
    poll_interval: float | str = DEFAULT_POLL_INTERVAL,
    grace_period: float | str = 300.0,
    wait_timeout: float | str | None = None,
) -> ReportOperator:
    """Add the remove tasks to the current DAG and return the final report task (arguments as the import's)."""
    kind = OrderKind.REMOVE
    bandwidth_conn_id = bandwidth_conn_id or config.bandwidth_conn_id()
    callback_conn_id = callback_conn_id or config.callback_conn_id()
    validate = ValidateRequestOperator(task_id="validate_request", order_kind=kind, values=values, retries=0)
    subscribe = EnsureSubscriptionOperator(
        task_id="ensure_subscription",
        order_type=kind.order_type,
        bandwidth_conn_id=bandwidth_conn_id,
        callback_conn_id=callback_conn_id,
        request=validate.output,
    )
    approve = ApproveOrdersOperator(
        task_id=APPROVAL_TASK_ID, order_kind=kind, request=validate.output, **APPROVAL_RETRY
    )

    @task_group(group_id=REMOVE_ORDER_GROUP)
    def remove_order(chunk: dict[str, Any]) -> None:
        create = CreateTnOrderOperator(
            task_id="create", order_kind=kind, chunk=chunk, bandwidth_conn_id=bandwidth_conn_id
        )
        TnOrderSensor(
            task_id="wait",
            order_kind=kind,
            order_id=create.output,
            bandwidth_conn_id=bandwidth_conn_id,
            poke_interval=poll_interval,
            timeout=wait_timeout,
            deferrable=True,
        )

    orders = remove_order.expand(chunk=approve.output)
    verify = VerifyNumbersOperator(
        task_id="verify_removed",
        order_kind=kind,
        order_task_id=f"{REMOVE_ORDER_GROUP}.wait",
        bandwidth_conn_id=bandwidth_conn_id,
        grace_period=grace_period,
    )
    report = ReportOperator(
        task_id=REPORT_TASK_ID,
        order_kind=kind,
        request_task_id=validate.task_id,
        order_task_id=f"{REMOVE_ORDER_GROUP}.wait",
        verify_task_id=verify.task_id,
        approval_task_id=approve.task_id,
        # A failed number fails it at once (no retry); an error writing the inventory (its database unreachable)
        # is retried: the report files and the inventory's rows are written again, the same.
        retries=REPORT_RETRIES,
    )
    validate >> subscribe >> approve
    orders >> verify >> report
    return report
