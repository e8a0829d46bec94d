"""
Write the per-number report of an import or remove run, record it in the hosted-number inventory, then fail the run
if any number did not end as it should.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context, TriggerRule
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.constants import APPROVAL_TASK_ID, ORDER_URL_KEY, PLAN_KEY, REPORT_CSV, REPORT_JSON
from bandwidth_hosted_messaging.reporting.links import REPORT_LINKS
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import ApprovalDict, ReportDict
    from bandwidth_hosted_messaging.reporting import rows

#: Retries of a report task: never for a failed number (that fails it at once), for an error writing the
#: inventory (its database unreachable), whose retry writes the same files and rows again.
REPORT_RETRIES = 2


class ReportOperator(BaseOperator):
    """
    Build one row per submitted number from what each step recorded; log it as a table, write it as CSV and JSON
    (paths logged), record the run in the hosted-number inventory (one transaction; not a dry run), return it as
    the run's final XCom, then fail if any number did not end as it should. Runs when its upstream tasks are done,
    whatever their state.

    The files come first: they are the run's artefact even when the inventory's database cannot be reached. Then
    the task fails with that error (not silently), and its retry writes the same files and the same rows again.

    An import run fails if a number that was ordered did not end in service (numbers the checker rejected under
    the ``skip`` policy are reported, not failed); a remove run fails if a number was not removed.

    The ``*_task_id`` arguments name the tasks whose XComs are read (mapped ones give all their indexes).

    :param order_kind: ``import`` or ``remove``.
    :param checker_task_id: the checker (imports only).
    :param loa_task_id: the LOA upload (imports only).
    :param approval_task_id: the step that planned the orders (XCom ``plan``) and let them through or not
        (``approval``): a dry run's numbers end ``would_order``, a rejected plan's ``not_ordered`` with who rejected
        it and when (the report's ``approval``).
    """

    operator_extra_links = REPORT_LINKS

    def __init__(
        self,
        *,
        request_task_id: str,
        order_task_id: str,
        verify_task_id: str,
        order_kind: str = OrderKind.IMPORT,
        checker_task_id: str | None = None,
        loa_task_id: str | None = None,
        approval_task_id: str = APPROVAL_TASK_ID,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        self.order_kind = OrderKind(order_kind)
        self.request_task_id = request_task_id
        self.order_task_id = order_task_id
        self.verify_task_id = verify_task_id
        self.checker_task_id = checker_task_id
        self.loa_task_id = loa_task_id
        self.approval_task_id = approval_task_id

    def _order_urls(self, context: Context) -> dict[str, str]:
        """Each order's API resource, as the waits pushed it: the page shows it beside the order id."""
        urls = context["ti"].xcom_pull(task_ids=[self.order_task_id], key=ORDER_URL_KEY) or []
        return {url.rsplit("/", 1)[-1]: url for url in urls if isinstance(url, str)}

    def _approval(self, context: Context) -> ApprovalDict | None:
        return context["ti"].xcom_pull(task_ids=self.approval_task_id, key="approval")

    def _rows(self, context: Context, numbers: list[str], approval: ApprovalDict | None) -> list[rows.ReportRow]:
        from bandwidth_hosted_messaging.contracts import pulled
        from bandwidth_hosted_messaging.reporting import rows

        ti = context["ti"]
        plan = ti.xcom_pull(task_ids=self.approval_task_id, key=PLAN_KEY)
        orders = [pulled(o) for o in ti.xcom_pull(task_ids=[self.order_task_id], key="order") or []]
        verification = ti.xcom_pull(task_ids=self.verify_task_id)
        if self.order_kind is OrderKind.REMOVE:
            return rows.build_remove_rows(numbers, plan, orders, verification, approval)
        checker = ti.xcom_pull(task_ids=self.checker_task_id) if self.checker_task_id else None
        loas = (ti.xcom_pull(task_ids=[self.loa_task_id]) or []) if self.loa_task_id else []
        return rows.build_import_rows(numbers, checker, plan, orders, loas, verification, approval)

    def execute(self, context: Context) -> ReportDict:
        # What only the task needs is imported when it runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.reporting import render, rows
        from bandwidth_hosted_messaging.reporting.storage import run_files
        from bandwidth_hosted_messaging.reporting.times import utc_now

        ti = context["ti"]
        request = ti.xcom_pull(task_ids=self.request_task_id)
        if not request:
            raise AirflowFailException(f"No validated request: see the {self.request_task_id} task's log")
        approval = self._approval(context)
        report_rows = self._rows(context, request["numbers"], approval)
        dag_id, run_id = context["dag"].dag_id, context["run_id"]
        csv_path, json_path = run_files(dag_id, run_id, REPORT_CSV, REPORT_JSON)
        result: ReportDict = {
            "dag_id": dag_id,
            "run_id": run_id,
            "summary": rows.summarize(report_rows),
            "duplicates": request.get("duplicates", []),
            "rows": [r.to_dict() for r in report_rows],
            "artifacts": {"csv": str(csv_path), "json": str(json_path)},
            "finished_at": utc_now(),
            "dry_run": bool(request.get("dry_run")),
            "approval": approval,
            "retry_failed_of_run": request.get("retry_failed_of_run"),
            "order_urls": self._order_urls(context),
        }
        csv_path.write_text(rows.to_csv(report_rows))
        json_path.write_text(render.to_json(result))
        self.log.info("Per-number report (%s):\n%s", result["summary"], rows.to_table(report_rows))
        self.log.info("Report written to %s, %s", csv_path, json_path)
        record_in_inventory(result, self.log)
        failed = rows.failed_rows(report_rows)
        if failed:
            ti.xcom_push(key="return_value", value=result)
            what = "did not end in service" if self.order_kind is OrderKind.IMPORT else "were not removed"
            shown = first_failed(failed)
            raise AirflowFailException(f"{len(failed)} number(s) {what}: {shown}")
        return result


def record_in_inventory(report: Any, log: Any) -> None:
    """Write a run's report (or a health run's losses) into the hosted-number inventory; a dry run writes nothing."""
    from bandwidth_hosted_messaging.inventory.inventory import Inventory
    from bandwidth_hosted_messaging.inventory.runs import run_record

    run = run_record(report)
    if run is None:
        log.info("Inventory: nothing to record (a dry run orders nothing)")
        return
    inventory = Inventory.configured()
    result = inventory.write_run(run)
    log.info("Inventory %s: %d event(s) of this run, %d number(s) folded", inventory, result.events, result.numbers)


def first_failed(failed: list[rows.ReportRow]) -> str:
    """``3035550101 (order_failed 5016), ... and N more``."""
    from bandwidth_hosted_messaging.reporting import render

    parts = (f"{r.number} ({r.outcome}{' ' + r.error_code if r.error_code else ''})" for r in failed)
    return render.first_n(parts, total=len(failed))
