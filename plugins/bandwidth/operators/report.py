"""Write the per-number report of an import or remove run, then fail the run if any number did not end as it should."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from airflow.sdk import BaseOperator, TriggerRule
from airflow.sdk.exceptions import AirflowFailException
from bandwidth import report
from bandwidth.artifacts import report_folder


class _ReportOperator(BaseOperator):
    """
    Build one row per submitted number from what each step recorded; log it as a table, write it as CSV
    and JSON (paths logged), return it as the run's final XCom, then fail if any number did not end as
    it should. Runs when its upstream tasks are done, whatever their state.

    The ``*_task_id`` arguments name the tasks whose XComs are read (mapped ones give all their indexes).
    """

    what_failed = "did not end as expected"

    def __init__(self, *, request_task_id: str, plan_task_id: str, order_task_id: str, verify_task_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        self.request_task_id = request_task_id
        self.plan_task_id = plan_task_id
        self.order_task_id = order_task_id
        self.verify_task_id = verify_task_id

    def _rows(self, ti: Any, request: dict[str, Any]) -> list[report.ReportRow]:
        raise NotImplementedError

    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        request = ti.xcom_pull(task_ids=self.request_task_id)
        if not request:
            raise AirflowFailException("No validated request: see the validate_request task's log")
        rows = self._rows(ti, request)
        summary = report.summarize(rows)
        result = {
            "dag_id": context["dag"].dag_id,
            "run_id": context["run_id"],
            "summary": summary,
            "duplicates": request.get("duplicates", []),
            "rows": [r.to_dict() for r in rows],
        }
        self._write(context, rows, result)
        self.log.info("Per-number report (%s):\n%s", summary, report.to_table(rows))
        self.log.info("Report written to %s", ", ".join(result["artifacts"].values()))
        failed = report.failed_rows(rows)
        if failed:
            ti.xcom_push(key="return_value", value=result)
            shown = ", ".join(f"{r.number} ({r.outcome}{' ' + r.error_code if r.error_code else ''})" for r in failed[:20])
            more = f" and {len(failed) - 20} more" if len(failed) > 20 else ""
            raise AirflowFailException(f"{len(failed)} number(s) {self.what_failed}: {shown}{more}")
        return result

    def _write(self, context: Any, rows: list[report.ReportRow], result: dict[str, Any]) -> None:
        """Write report.csv and report.json (which lists both paths under ``artifacts``)."""
        folder = report_folder(context["dag"].dag_id, context["run_id"])
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = folder / "report.csv", folder / "report.json"
        result["artifacts"] = {"csv": str(csv_path), "json": str(json_path)}
        result["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        csv_path.write_text(report.to_csv(rows))
        json_path.write_text(report.to_json(result))


class ImportReportOperator(_ReportOperator):
    """
    The report of an import run (see :class:`_ReportOperator`). Fails if any number that was ordered did
    not end in service; numbers the checker rejected under the ``skip`` policy are reported, not failed.
    """

    what_failed = "did not end in service"

    def __init__(self, *, checker_task_id: str, loa_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checker_task_id = checker_task_id
        self.loa_task_id = loa_task_id

    def _rows(self, ti: Any, request: dict[str, Any]) -> list[report.ReportRow]:
        return report.build_import_rows(
            numbers=request["numbers"],
            checker=ti.xcom_pull(task_ids=self.checker_task_id),
            plan=ti.xcom_pull(task_ids=self.plan_task_id),
            orders=ti.xcom_pull(task_ids=[self.order_task_id], key="order") or [],
            loas=ti.xcom_pull(task_ids=[self.loa_task_id]) or [],
            verification=ti.xcom_pull(task_ids=self.verify_task_id),
        )


class RemoveReportOperator(_ReportOperator):
    """The report of a remove run: fails if any number was not removed (see :class:`_ReportOperator`)."""

    what_failed = "were not removed"

    def _rows(self, ti: Any, request: dict[str, Any]) -> list[report.ReportRow]:
        return report.build_remove_rows(
            numbers=request["numbers"],
            plan=ti.xcom_pull(task_ids=self.plan_task_id),
            orders=ti.xcom_pull(task_ids=[self.order_task_id], key="order") or [],
            verification=ti.xcom_pull(task_ids=self.verify_task_id),
        )
