"""Verify that the numbers the orders completed are in service."""

from __future__ import annotations

import time
from typing import Any

from airflow.sdk import BaseOperator, TriggerRule
from bandwidth.hooks import BandwidthHook
from bandwidth.models import TnOrder
from bandwidth.report import ALREADY_ON_BANDWIDTH


class VerifyInServiceOperator(BaseOperator):
    """
    Confirm every number the orders completed is in ``/inserviceNumbers``.

    Numbers not there yet are checked again every ``recheck_interval`` seconds until ``grace_period`` has
    passed; those still missing are reported (never ignored). Numbers the checker refused as already on
    Bandwidth (19006) are looked up too, so a re-run reports them as already in service. Runs when its
    upstream tasks are done, whatever their state, so the orders that did go through are verified.

    :param order_task_id: the (mapped) sensor whose ``order`` XComs hold the final orders.
    :param checker_task_id: the checker task.
    """

    template_fields = ("bandwidth_conn_id", "grace_period", "recheck_interval")

    def __init__(
        self,
        *,
        order_task_id: str,
        checker_task_id: str | None = None,
        bandwidth_conn_id: str = BandwidthHook.default_conn_name,
        grace_period: float | str = 300.0,
        recheck_interval: float | str = 15.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        self.order_task_id = order_task_id
        self.checker_task_id = checker_task_id
        self.bandwidth_conn_id = bandwidth_conn_id
        self.grace_period = grace_period
        self.recheck_interval = recheck_interval

    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        orders = [o for o in ti.xcom_pull(task_ids=[self.order_task_id], key="order") or [] if o]
        expected = [n for o in orders for n in TnOrder.from_dict(o).completed_numbers()]
        candidates: list[str] = []
        if self.checker_task_id:
            checker = ti.xcom_pull(task_ids=self.checker_task_id) or {}
            candidates = [r["number"] for r in checker.get("rejected", []) if str(r["code"]) == ALREADY_ON_BANDWIDTH]
        hook = BandwidthHook(self.bandwidth_conn_id)
        found = hook.find_in_service(expected + candidates)
        missing = [n for n in expected if n not in found]
        deadline = time.monotonic() + float(self.grace_period)
        while missing and time.monotonic() < deadline:
            self.log.info("%d number(s) not in service yet; checking again in %ss", len(missing), self.recheck_interval)
            time.sleep(min(float(self.recheck_interval), max(0.0, deadline - time.monotonic())))
            found |= hook.find_in_service(missing)
            missing = [n for n in expected if n not in found]
        result = {
            "in_service": [n for n in expected if n in found],
            "missing": missing,
            "already_in_service": [n for n in candidates if n in found],
        }
        self.log.info(
            "In service: %d of %d ordered number(s); %d missing after the grace period; %d already on Bandwidth",
            len(result["in_service"]),
            len(expected),
            len(missing),
            len(result["already_in_service"]),
        )
        return result
