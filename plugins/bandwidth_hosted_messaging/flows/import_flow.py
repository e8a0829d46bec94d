"""
:func:`build_import_flow` lays the import's task chain (``hosted_messaging_import`` and every batch DAG).
Call it inside ``with DAG(...)``::

    validate_request ─┬─ ensure_subscription ──┐
                      └─ check_importability ──┴─ approve_orders ── import_order[i]: create ── wait ── upload_loa ──
                                                  verify_in_service (all done) ── report (all done)

``approve_orders`` plans the orders (chunks with deterministic CustomerOrderIds), then lets the plan through, holds
it for a person's approval (at least ``approval_threshold`` numbers), or, in a dry run, orders nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import XComArg, task_group

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.constants import (
    APPROVAL_TASK_ID,
    DEFAULT_POLL_INTERVAL,
    IMPORT_ORDER_GROUP,
    ORDER_DETAILS_KEY,
    REPORT_TASK_ID,
)
from bandwidth_hosted_messaging.operators.approval import APPROVAL_RETRY, ApproveOrdersOperator
from bandwidth_hosted_messaging.operators.checker import CheckImportabilityOperator
from bandwidth_hosted_messaging.operators.loa import UploadLoaOperator
from bandwidth_hosted_messaging.operators.orders import CreateTnOrderOperator
from bandwidth_hosted_messaging.operators.report import REPORT_RETRIES, ReportOperator
from bandwidth_hosted_messaging.operators.request import ValidateRequestOperator
from bandwidth_hosted_messaging.operators.subscriptions import EnsureSubscriptionOperator
from bandwidth_hosted_messaging.operators.verify import VerifyNumbersOperator
from bandwidth_hosted_messaging.sensors.order import TnOrderSensor


def build_import_flow(
    *,
    values: dict[str, Any] | None = None,
    bandwidth_conn_id: str | None = None,
    callback_conn_id: str | None = None,
    poll_interval: float | str = DEFAULT_POLL_INTERVAL,
    grace_period: float | str = 300.0,
    wait_timeout: float | str | None = None,
    loa_roots: Sequence[str] | None = None,
    approval_threshold: int | None = None,
    batch_file: str | None = None,
    batch_folder: str | None = None,
    wake_on_callback: bool | None = None,
) -> ReportOperator:
    """
    Add the import tasks to the current DAG and return the final report task.

    :param values: the request fields; ``None`` reads them from the run's Params (the manual DAG).
    :param bandwidth_conn_id: the Bandwidth connection; default ``[bandwidth] conn_id``. Chosen by whoever deploys
        the DAG (DAG file, batch file, configuration), never a template of the trigger form.
    :param callback_conn_id: connection of the callback URL and credentials; default ``[bandwidth] callback_conn_id``.
    :param poll_interval: seconds between safety polls while waiting on an order (callbacks end a wait
        sooner).
    :param grace_period: seconds to wait for completed numbers to appear in service.
    :param wait_timeout: the long stop: seconds after which waiting on an order fails (default
        ``[bandwidth] wait_long_stop_days``).
    :param loa_roots: where the LOA may come from (default ``[bandwidth] loa_roots``).
    :param batch_file: a batch DAG's file, read by ``validate_request`` when it runs (instead of ``values``).
    :param batch_folder: the folder the batch file must lie in.
    :param approval_threshold: a run ordering at least this many numbers waits for approval; 0 never asks
        (default ``[bandwidth] approval_threshold``, read when the step runs). Never a field of the trigger form.
    :param wake_on_callback: let callbacks wake the waits (default ``[bandwidth] callback_wakeups``).
    """
    bandwidth_conn_id = bandwidth_conn_id or config.bandwidth_conn_id()
    callback_conn_id = callback_conn_id or config.callback_conn_id()
    validate = ValidateRequestOperator(
        task_id="validate_request",
        values=values,
        batch_file=batch_file,
        batch_folder=batch_folder,
        loa_roots=loa_roots,
        retries=0,
    )
    subscribe = EnsureSubscriptionOperator(
        task_id="ensure_subscription",
        bandwidth_conn_id=bandwidth_conn_id,
        callback_conn_id=callback_conn_id,
        request=validate.output,
    )
    check = CheckImportabilityOperator(
        task_id="check_importability", request=validate.output, bandwidth_conn_id=bandwidth_conn_id
    )
    approve = ApproveOrdersOperator(
        task_id=APPROVAL_TASK_ID,
        request=validate.output,
        checker=check.output,
        approval_threshold=approval_threshold,
        **APPROVAL_RETRY,
    )

    verify = VerifyNumbersOperator(
        task_id="verify_in_service",
        order_task_id=f"{IMPORT_ORDER_GROUP}.wait",
        checker_task_id=check.task_id,
        bandwidth_conn_id=bandwidth_conn_id,
        grace_period=grace_period,
    )
    report = ReportOperator(
        task_id=REPORT_TASK_ID,
        request_task_id=validate.task_id,
        checker_task_id=check.task_id,
        order_task_id=f"{IMPORT_ORDER_GROUP}.wait",
        loa_task_id=f"{IMPORT_ORDER_GROUP}.upload_loa",
        verify_task_id=verify.task_id,
        approval_task_id=approve.task_id,
        # A failed number fails it at once (no retry); an error writing the inventory (its database unreachable)
        # is retried: the report files and the inventory's rows are written again, the same.
        retries=REPORT_RETRIES,
    )

    @task_group(group_id=IMPORT_ORDER_GROUP)
    def import_order(chunk: dict[str, Any]) -> None:
        create = CreateTnOrderOperator(
            task_id="create",
            chunk=chunk,
            request=XComArg(validate, key=ORDER_DETAILS_KEY),
            bandwidth_conn_id=bandwidth_conn_id,
        )
        wait = TnOrderSensor(
            task_id="wait",
            order_id=create.output,
            bandwidth_conn_id=bandwidth_conn_id,
            poke_interval=poll_interval,
            timeout=wait_timeout,
            deferrable=True,
            wake_on_callback=wake_on_callback,
        )
        upload = UploadLoaOperator(
            task_id="upload_loa",
            order=wait.output,
            loa=XComArg(validate, key="loa"),
            bandwidth_conn_id=bandwidth_conn_id,
            loa_roots=loa_roots,
        )
        # A number is in service once its order is complete, LOA or not: the check starts when the last wait
        # ends, beside the last uploads, and the report waits for both.
        wait >> verify
        upload >> report

    import_order.expand(chunk=approve.output)
    validate >> [subscribe, check]
    subscribe >> approve
    verify >> report
    return report
