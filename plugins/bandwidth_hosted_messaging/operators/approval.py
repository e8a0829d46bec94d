"""Plan the orders, and ask a person to approve them before any is created (Airflow's human-in-the-loop step)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

# The base class is a parse-time need; the provider has no lighter module holding it (operators.hitl imports its
# trigger, a few milliseconds of every parse).
from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Context

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.constants import PLAN_KEY
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS, persist_links
from bandwidth_hosted_messaging.statuses import ApprovalDecision, OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import (
        ApprovalDict,
        CheckerResultDict,
        ImportRequestDict,
        PlanChunkDict,
        RemoveRequestDict,
    )

APPROVE = "Approve"
REJECT = "Reject"
#: Orders listed in the approval's body; the rest are counted.
BODY_ORDERS = 20
#: One quick retry: Airflow 3.3.2 can mark a task FAILED when it is resumed within seconds of parking (a stale
#: executor event of the parking workload, apache/airflow#67287); the retry asks again, nothing is ordered twice.
APPROVAL_RETRY: dict[str, Any] = {"retries": 1, "retry_delay": timedelta(seconds=5), "retry_exponential_backoff": 0}


class ApproveOrdersOperator(HITLOperator):
    """
    Plan the run's orders (:func:`~bandwidth_hosted_messaging.operators.plan.plan_orders`: chunks with
    deterministic CustomerOrderIds), then let them through, or hold them for a person's approval in Airflow's
    Required Actions. Planning is part of this step, not a task of its own: one task fewer for every run to schedule.

    Pushes the whole plan under XCom key ``plan`` and its
    :class:`~bandwidth_hosted_messaging.contracts.ApprovalDict` under ``approval``, and returns the chunks the run
    goes on to order (for dynamic task mapping):

    - a dry run orders nothing and asks nobody (``dry_run``);
    - fewer planned numbers than ``approval_threshold``, or a threshold of 0, order without asking (``not_needed``);
    - otherwise the task waits (no worker slot) with the plan in its body: *Approve* orders it; *Reject*, or no
      answer within ``response_timeout`` (the default option is *Reject*), orders nothing (``rejected``,
      ``timed_out``). The report then lists each number as not ordered, with who decided and when.

    :param request: the validated request (templated).
    :param checker: the checker's result: its importable numbers are planned, its rejected ones shown (templated;
        imports only; without it, the request's numbers are planned).
    :param order_kind: ``import`` or ``remove``.
    :param approval_threshold: ask when a run would order at least this many numbers; 0 never asks. Set by whoever
        deploys the DAG; ``None`` reads ``[bandwidth] approval_threshold`` (or ``remove_approval_threshold``) when
        the task runs.
    :param response_timeout: how long to wait for an answer; ``None`` reads ``[bandwidth] approval_timeout_hours``
        when the task runs.
    """

    template_fields = ("request", "checker")
    operator_extra_links = REPORT_LINKS

    def __init__(
        self,
        *,
        request: Any,
        checker: Any = None,
        order_kind: str = OrderKind.IMPORT,
        approval_threshold: int | None = None,
        response_timeout: timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        self.order_kind = OrderKind(order_kind)
        verb = "import" if self.order_kind is OrderKind.IMPORT else "remove"
        super().__init__(
            subject=f"Approve the {verb} orders of this run?",
            options=[APPROVE, REJECT],
            defaults=REJECT,
            multiple=False,
            response_timeout=response_timeout,
            **kwargs,
        )
        self.plan: list[PlanChunkDict] = []
        self.request: ImportRequestDict | RemoveRequestDict = request
        self.checker: CheckerResultDict | None = checker
        self.approval_threshold = approval_threshold

    def _threshold(self) -> int:
        if self.approval_threshold is not None:
            return int(self.approval_threshold)
        return config.approval_threshold(self.order_kind)

    def _numbers(self) -> int:
        return sum(len(chunk["numbers"]) for chunk in self.plan)

    def _decide(self, context: Context, decision: ApprovalDecision, **more: Any) -> list[PlanChunkDict]:
        approval: ApprovalDict = {
            "decision": decision.value,
            "numbers": self._numbers(),
            "orders": len(self.plan),
            "threshold": self._threshold(),
            "by": more.get("by"),
            "at": more.get("at"),
        }
        context["ti"].xcom_push(key="approval", value=approval)
        return list(self.plan) if decision.orders else []

    def _plan(self, context: Context) -> None:
        """Plan the orders (the same plan at every try and when the task resumes: it is deterministic)."""
        from bandwidth_hosted_messaging.operators.plan import plan_orders

        self.plan = plan_orders(self.request, self.checker, f"{context['dag'].dag_id}/{context['run_id']}")

    def execute(self, context: Context) -> Any:
        persist_links(context, self)
        self._plan(context)
        context["ti"].xcom_push(key=PLAN_KEY, value=self.plan)
        numbers = self._numbers()
        self.log.info("Planned %d order(s) for %d number(s)", len(self.plan), numbers)
        if self.request.get("dry_run"):
            self.log.info("Dry run: %d number(s) in %d order(s) would be ordered; none is", numbers, len(self.plan))
            return self._decide(context, ApprovalDecision.DRY_RUN)
        threshold = self._threshold()
        if threshold <= 0 or numbers < threshold:
            self.log.info(
                "%d number(s) to order, under the approval threshold (%d): no approval needed", numbers, threshold
            )
            return self._decide(context, ApprovalDecision.NOT_NEEDED)
        if self.response_timeout is None:
            self.response_timeout = timedelta(hours=config.approval_timeout_hours())
        self.subject = f"Approve {self.order_kind.value} orders for {numbers:,} numbers?"
        self.body = self._body(numbers)
        self.log.info(
            "%d number(s) to order, at or over the approval threshold (%d): waiting for approval", numbers, threshold
        )
        if context["ti"].try_number > 1:
            self.log.warning(
                "An earlier try of this approval ended before its answer was read (Airflow marks a task resumed within "
                "seconds of pausing as failed): asking again"
            )
        return super().execute(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> list[PlanChunkDict]:
        self._plan(context)
        payload = super().execute_complete(context, event)
        chosen = payload["chosen_options"]
        user = payload.get("responded_by_user") or {}
        at = payload["responded_at"]
        at_text = at.isoformat() if hasattr(at, "isoformat") else str(at)
        by = (user.get("name") or user.get("id")) if isinstance(user, dict) else None
        if event.get("timedout"):
            self.log.warning("Nobody answered the approval in time: nothing is ordered")
            return self._decide(context, ApprovalDecision.TIMED_OUT, at=at_text)
        if chosen == [APPROVE]:
            self.log.info("Approved by %s at %s", by, at_text)
            return self._decide(context, ApprovalDecision.APPROVED, by=by, at=at_text)
        self.log.warning("Rejected by %s at %s: nothing is ordered", by, at_text)
        return self._decide(context, ApprovalDecision.REJECTED, by=by, at=at_text)

    def _body(self, numbers: int) -> str:
        from bandwidth_hosted_messaging.reporting.render import first_n

        request: dict[str, Any] = dict(self.request)
        lines = [f"**{numbers:,} numbers** in **{len(self.plan)} {self.order_kind.value} order(s)**."]
        if self.order_kind is OrderKind.IMPORT:
            peer = request.get("sip_peer_id") or "the site's default"
            loa: dict[str, Any] = dict(request.get("loa") or {})
            lines.append(
                f"Site **{request.get('site_id')}**, SIP peer {peer}; subscriber {request.get('subscriber_name')}."
            )
            lines.append(f"LOA file: `{loa.get('file_name') or loa.get('location')}`.")
        rejected = list(self.checker["rejected"]) if self.checker else []
        if rejected:
            shown = first_n((f"{r['number']} ({r['code']})" for r in rejected), total=len(rejected))
            lines.append(f"Rejected by the checker, not ordered: {len(rejected)}: {shown}.")
        lines += ["", "| Order | CustomerOrderId | Numbers | First number |", "|---|---|---|---|"]
        for chunk in self.plan[:BODY_ORDERS]:
            first = chunk["numbers"][0] if chunk["numbers"] else ""
            lines.append(f"| {chunk['index']} | {chunk['customer_order_id']} | {len(chunk['numbers'])} | {first} |")
        if len(self.plan) > BODY_ORDERS:
            lines.append(f"| … | and {len(self.plan) - BODY_ORDERS} more order(s) | | |")
        lines += ["", "*Reject*, or no answer in time, orders nothing."]
        return "\n".join(lines)
