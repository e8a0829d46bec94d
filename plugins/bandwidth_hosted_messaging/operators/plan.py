"""Plan the orders of a run: chunks of numbers, each with a deterministic CustomerOrderId."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context

from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import CheckerResultDict, PlanChunkDict, RemoveRequestDict


class PlanOrdersOperator(BaseOperator):
    """
    Split the numbers to order into chunks of at most ``chunk_size``, each with a deterministic
    CustomerOrderId (same run, same chunk → same id), for dynamic task mapping.

    :param request: the validated request (``chunk_size``, ``customer_order_id_prefix``, ``numbers``; templated).
    :param checker: the checker's result; its importable numbers are ordered. Without it, the request's.
    """

    template_fields = ("request", "checker")
    operator_extra_links = REPORT_LINKS

    def __init__(self, *, request: Any, checker: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request: RemoveRequestDict = request
        self.checker: CheckerResultDict | None = checker

    def execute(self, context: Context) -> list[PlanChunkDict]:
        # What only the task needs is imported when it runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.client.numbers import chunked
        from bandwidth_hosted_messaging.inputs.request import customer_order_id

        run_key = f"{context['dag'].dag_id}/{context['run_id']}"
        numbers = self.checker["importable"] if self.checker is not None else self.request["numbers"]
        prefix = self.request["customer_order_id_prefix"]
        plan: list[PlanChunkDict] = [
            {"index": i, "customer_order_id": customer_order_id(prefix, run_key, i, chunk), "numbers": chunk}
            for i, chunk in enumerate(chunked(numbers, int(self.request["chunk_size"])))
        ]
        self.log.info("Planned %d order(s) for %d number(s)", len(plan), len(numbers))
        return plan
