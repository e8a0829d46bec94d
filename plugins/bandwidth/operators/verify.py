"""Verify that the numbers the orders completed are in service (import) or out of it (remove)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from airflow.sdk import BaseOperator, TriggerRule
from bandwidth.hooks import BandwidthHook
from bandwidth.models import TnOrder
from bandwidth.report import ALREADY_ON_BANDWIDTH


class _VerifyOperator(BaseOperator):
    """
    Check the numbers the (mapped) orders completed against ``/inserviceNumbers``, checking the ones not
    settled yet again every ``recheck_interval`` seconds until ``grace_period`` has passed. Runs when its
    upstream tasks are done, whatever their state, so the orders that did go through are verified.

    :param order_task_id: the (mapped) sensor whose ``order`` XComs hold the final orders.
    """

    template_fields = ("bandwidth_conn_id", "grace_period", "recheck_interval")

    def __init__(
        self,
        *,
        order_task_id: str,
        bandwidth_conn_id: str = BandwidthHook.default_conn_name,
        grace_period: float | str = 300.0,
        recheck_interval: float | str = 15.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        self.order_task_id = order_task_id
        self.bandwidth_conn_id = bandwidth_conn_id
        self.grace_period = grace_period
        self.recheck_interval = recheck_interval

    def completed_numbers(self, context: Any) -> list[str]:
        orders = [o for o in context["ti"].xcom_pull(task_ids=[self.order_task_id], key="order") or [] if o]
        return [n for o in orders for n in TnOrder.from_dict(o).completed_numbers()]

    def settle(self, numbers: Sequence[str], found: set[str], settled: Callable[[str, set[str]], bool], hook: BandwidthHook) -> set[str]:
        """Re-check the unsettled numbers until all are settled or the grace period is over; return ``found``."""
        deadline = time.monotonic() + float(self.grace_period)
        pending = [n for n in numbers if not settled(n, found)]
        while pending and time.monotonic() < deadline:
            self.log.info("%d number(s) not settled yet; checking again in %ss", len(pending), self.recheck_interval)
            time.sleep(min(float(self.recheck_interval), max(0.0, deadline - time.monotonic())))
            now_in_service = hook.find_in_service(pending)
            found = (found - set(pending)) | now_in_service
            pending = [n for n in pending if not settled(n, found)]
        return found


class VerifyInServiceOperator(_VerifyOperator):
    """
    Confirm every number the import orders completed is in service; those still missing after the grace
    period are reported, never ignored. Numbers the checker refused as already on Bandwidth (19006) are
    looked up too, so a re-run reports them as already in service.

    :param checker_task_id: the checker task.
    """

    def __init__(self, *, checker_task_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checker_task_id = checker_task_id

    def execute(self, context: Any) -> dict[str, Any]:
        expected = self.completed_numbers(context)
        candidates: list[str] = []
        if self.checker_task_id:
            checker = context["ti"].xcom_pull(task_ids=self.checker_task_id) or {}
            candidates = [r["number"] for r in checker.get("rejected", []) if str(r["code"]) == ALREADY_ON_BANDWIDTH]
        hook = BandwidthHook(self.bandwidth_conn_id)
        found = hook.find_in_service(expected + candidates)
        found = self.settle(expected, found, lambda n, f: n in f, hook)
        result = {
            "in_service": [n for n in expected if n in found],
            "missing": [n for n in expected if n not in found],
            "already_in_service": [n for n in candidates if n in found],
        }
        self.log.info(
            "In service: %d of %d ordered number(s); %d missing after the grace period; %d already on Bandwidth",
            len(result["in_service"]),
            len(expected),
            len(result["missing"]),
            len(result["already_in_service"]),
        )
        return result


class VerifyRemovedOperator(_VerifyOperator):
    """Confirm every number the remove orders completed has left the in-service list (after the grace period)."""

    def execute(self, context: Any) -> dict[str, Any]:
        expected = self.completed_numbers(context)
        hook = BandwidthHook(self.bandwidth_conn_id)
        found = self.settle(expected, hook.find_in_service(expected), lambda n, f: n not in f, hook)
        result = {"removed": [n for n in expected if n not in found], "still_in_service": [n for n in expected if n in found]}
        self.log.info(
            "Out of service: %d of %d removed number(s); %d still in service after the grace period",
            len(result["removed"]),
            len(expected),
            len(result["still_in_service"]),
        )
        return result
