"""Verify that the numbers the orders completed are in service (import) or out of it (remove)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context, TriggerRule

from bandwidth_hosted_messaging.constants import ALREADY_ON_BANDWIDTH, DEFAULT_CONN_ID
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import CheckerResultDict, InServiceDict, RemovedDict
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


def recheck_seconds(grace_period: float, recheck_interval: float | str | None) -> float:
    """Seconds between the checks of unsettled numbers: as given, or a tenth of the grace period, 1 to 15 s."""
    if recheck_interval is not None and recheck_interval != "":
        return float(recheck_interval)
    return min(15.0, max(1.0, grace_period / 10))


class VerifyNumbersOperator(BaseOperator):
    """
    Check the numbers the (mapped) orders completed against ``/inserviceNumbers``: in service after an import,
    out of it after a removal. The ones not settled yet are checked again every ``recheck_interval`` seconds
    until ``grace_period`` has passed; those still unsettled are reported, never ignored. Runs when its upstream
    tasks are done, whatever their state, so the orders that did go through are verified.

    After an import, numbers the checker refused as already on Bandwidth (19006) are looked up too, so a re-run
    reports them as already in service.

    :param order_kind: ``import`` (returns ``InServiceDict``) or ``remove`` (returns ``RemovedDict``).
    :param order_task_id: the (mapped) sensor whose ``order`` XComs hold the final orders.
    :param checker_task_id: the checker task (imports only).
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    :param grace_period: seconds to wait for the numbers to settle (templated).
    :param recheck_interval: seconds between checks while waiting (templated); default a tenth of the grace
        period, from 1 to 15 s (300 s: every 15 s; 20 s: every 2 s).
    """

    template_fields = ("bandwidth_conn_id", "grace_period", "recheck_interval")
    operator_extra_links = REPORT_LINKS

    def __init__(
        self,
        *,
        order_task_id: str,
        order_kind: str = OrderKind.IMPORT,
        checker_task_id: str | None = None,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        grace_period: float | str = 300.0,
        recheck_interval: float | str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        self.order_task_id = order_task_id
        self.order_kind = OrderKind(order_kind)
        self.checker_task_id = checker_task_id
        self.bandwidth_conn_id = bandwidth_conn_id
        self.grace_period = grace_period
        self.recheck_interval = recheck_interval

    def execute(self, context: Context) -> InServiceDict | RemovedDict:
        # What only the task needs is imported when it runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.client.models import TnOrder
        from bandwidth_hosted_messaging.contracts import pulled

        ti = context["ti"]
        orders = [pulled(o) for o in ti.xcom_pull(task_ids=[self.order_task_id], key="order") or [] if o]
        expected = [n for o in orders for n in TnOrder.from_dict(o).completed_numbers()]
        wanted_in_service = self.order_kind is OrderKind.IMPORT
        candidates: list[str] = []
        if wanted_in_service and self.checker_task_id:
            checker: CheckerResultDict | None = ti.xcom_pull(task_ids=self.checker_task_id)
            rejected = checker["rejected"] if checker else []
            candidates = [r["number"] for r in rejected if str(r["code"]) == ALREADY_ON_BANDWIDTH]
        hook = bandwidth_hook(self.bandwidth_conn_id)
        found = self._settle(hook, expected, hook.find_in_service(expected + candidates), wanted_in_service)
        settled = [n for n in expected if (n in found) == wanted_in_service]
        unsettled = [n for n in expected if (n in found) != wanted_in_service]
        if wanted_in_service:
            already = [n for n in candidates if n in found]
            self.log.info(
                "In service: %d of %d ordered number(s); %d missing after the grace period; %d already on Bandwidth",
                len(settled),
                len(expected),
                len(unsettled),
                len(already),
            )
            imported: InServiceDict = {"in_service": settled, "missing": unsettled, "already_in_service": already}
            return imported
        self.log.info(
            "Out of service: %d of %d removed number(s); %d still in service after the grace period",
            len(settled),
            len(expected),
            len(unsettled),
        )
        removed: RemovedDict = {"removed": settled, "still_in_service": unsettled}
        return removed

    def _settle(self, hook: BandwidthHook, numbers: list[str], found: set[str], wanted_in_service: bool) -> set[str]:
        """Re-check the unsettled numbers until all are settled or the grace period is over; return ``found``."""
        grace = float(self.grace_period)
        interval = recheck_seconds(grace, self.recheck_interval)
        deadline = time.monotonic() + grace
        pending = [n for n in numbers if (n in found) != wanted_in_service]
        while pending and time.monotonic() < deadline:
            self.log.info("%d number(s) not settled yet; checking again in %ss", len(pending), interval)
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
            found = (found - set(pending)) | hook.find_in_service(pending)
            pending = [n for n in pending if (n in found) != wanted_in_service]
        return found
