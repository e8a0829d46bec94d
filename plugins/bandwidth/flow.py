"""
The functions that lay the task chains: :func:`build_import_flow` (``hosted_messaging_import`` and every
batch DAG) and :func:`build_remove_flow` (``hosted_messaging_remove``). Call them inside ``with DAG(...)``.

    validate_request ─┬─ ensure_subscription ─────────────┐
                      └─ check_importability ── plan_orders ── import_order[i]: create ── wait ── upload_loa
                                              verify_in_service (all done) ── report (all done)

    validate_request ── ensure_subscription ── plan_orders ── remove_order[i]: create ── wait
                                              verify_removed (all done) ── report (all done)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import task_group
from bandwidth.operators import (
    CheckImportabilityOperator,
    CreateImportTnOrderOperator,
    CreateRemoveImportedTnOrderOperator,
    EnsureSubscriptionOperator,
    ImportReportOperator,
    PlanOrdersOperator,
    RemoveReportOperator,
    UploadLoaOperator,
    ValidateImportRequestOperator,
    ValidateRemoveRequestOperator,
    VerifyInServiceOperator,
    VerifyRemovedOperator,
)
from bandwidth.sensors import DEFAULT_WAIT_TIMEOUT, ImportTnOrderSensor, RemoveImportedTnOrderSensor

#: Retries for every API task; the delay between them is ``[core] default_task_retry_delay``, doubled each time.
DEFAULT_ARGS: dict[str, Any] = {
    "retries": 3,
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}

ORDER_GROUP = "import_order"
REMOVE_GROUP = "remove_order"


def build_import_flow(
    *,
    values: dict[str, Any] | None = None,
    bandwidth_conn_id: str = "bandwidth_default",
    callback_conn_id: str = "bandwidth_callback",
    poll_interval: float | str = 60.0,
    grace_period: float | str = 300.0,
    wait_timeout: float | str = DEFAULT_WAIT_TIMEOUT,
) -> ImportReportOperator:
    """
    Add the import tasks to the current DAG and return the final report task.

    :param values: the request fields; ``None`` reads them from the run's Params (the manual DAG).
    :param bandwidth_conn_id: Bandwidth connection (may be a template such as ``{{ params.bandwidth_conn_id }}``).
    :param callback_conn_id: connection of the callback URL and credentials.
    :param poll_interval: seconds between status polls while waiting on an order.
    :param grace_period: seconds to wait for completed numbers to appear in service.
    :param wait_timeout: seconds after which waiting on an order fails.
    """
    validate = ValidateImportRequestOperator(task_id="validate_request", values=values, retries=0)
    subscribe = EnsureSubscriptionOperator(
        task_id="ensure_subscription", bandwidth_conn_id=bandwidth_conn_id, callback_conn_id=callback_conn_id
    )
    check = CheckImportabilityOperator(
        task_id="check_importability", request=validate.output, bandwidth_conn_id=bandwidth_conn_id
    )
    plan = PlanOrdersOperator(task_id="plan_orders", request=validate.output, checker=check.output, retries=0)

    @task_group(group_id=ORDER_GROUP)
    def import_order(chunk: dict[str, Any]) -> None:
        create = CreateImportTnOrderOperator(
            task_id="create", chunk=chunk, request=validate.output, bandwidth_conn_id=bandwidth_conn_id
        )
        wait = ImportTnOrderSensor(
            task_id="wait",
            order_id=create.output,
            bandwidth_conn_id=bandwidth_conn_id,
            poke_interval=poll_interval,
            timeout=wait_timeout,
            deferrable=True,
        )
        UploadLoaOperator(
            task_id="upload_loa", order=wait.output, loa=validate.output["loa"], bandwidth_conn_id=bandwidth_conn_id
        )

    orders = import_order.expand(chunk=plan.output)
    verify = VerifyInServiceOperator(
        task_id="verify_in_service",
        order_task_id=f"{ORDER_GROUP}.wait",
        checker_task_id=check.task_id,
        bandwidth_conn_id=bandwidth_conn_id,
        grace_period=grace_period,
    )
    report = ImportReportOperator(
        task_id="report",
        request_task_id=validate.task_id,
        checker_task_id=check.task_id,
        plan_task_id=plan.task_id,
        order_task_id=f"{ORDER_GROUP}.wait",
        loa_task_id=f"{ORDER_GROUP}.upload_loa",
        verify_task_id="verify_in_service",
        retries=0,
    )
    validate >> [subscribe, check]
    subscribe >> plan
    orders >> verify >> report
    return report


def build_remove_flow(
    *,
    values: dict[str, Any] | None = None,
    bandwidth_conn_id: str = "bandwidth_default",
    callback_conn_id: str = "bandwidth_callback",
    poll_interval: float | str = 60.0,
    grace_period: float | str = 300.0,
    wait_timeout: float | str = DEFAULT_WAIT_TIMEOUT,
) -> RemoveReportOperator:
    """Add the remove tasks to the current DAG and return the final report task (arguments as the import's)."""
    validate = ValidateRemoveRequestOperator(task_id="validate_request", values=values, retries=0)
    subscribe = EnsureSubscriptionOperator(
        task_id="ensure_subscription",
        order_type="removeImportedTnOrders",
        bandwidth_conn_id=bandwidth_conn_id,
        callback_conn_id=callback_conn_id,
    )
    plan = PlanOrdersOperator(task_id="plan_orders", request=validate.output, retries=0)

    @task_group(group_id=REMOVE_GROUP)
    def remove_order(chunk: dict[str, Any]) -> None:
        create = CreateRemoveImportedTnOrderOperator(task_id="create", chunk=chunk, bandwidth_conn_id=bandwidth_conn_id)
        RemoveImportedTnOrderSensor(
            task_id="wait",
            order_id=create.output,
            bandwidth_conn_id=bandwidth_conn_id,
            poke_interval=poll_interval,
            timeout=wait_timeout,
            deferrable=True,
        )

    orders = remove_order.expand(chunk=plan.output)
    verify = VerifyRemovedOperator(
        task_id="verify_removed",
        order_task_id=f"{REMOVE_GROUP}.wait",
        bandwidth_conn_id=bandwidth_conn_id,
        grace_period=grace_period,
    )
    report = RemoveReportOperator(
        task_id="report",
        request_task_id=validate.task_id,
        plan_task_id=plan.task_id,
        order_task_id=f"{REMOVE_GROUP}.wait",
        verify_task_id=verify.task_id,
        retries=0,
    )
    validate >> subscribe >> plan
    orders >> verify >> report
    return report
