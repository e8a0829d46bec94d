"""
Why a finished run ordered nothing, for the "Not ordered" notice of its page: a dry run, a rejected or timed-out
approval, a task that failed before any order (with the error it ended with, from its log, and a link to that
log), or a checker that rejected every number.

Airflow 3.3 keeps no error text on a task instance: the error comes from the task's log (read through Airflow's
own log reader, as the UI reads it), only for users who may read the DAG's task logs; others see which task failed
and the link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time
from bandwidth_hosted_messaging.status.links import airflow_task_url, root_path
from bandwidth_hosted_messaging.status.progress import flow_of
from bandwidth_hosted_messaging.status.tasks import TaskState, failure_text, task_states, xcoms
from bandwidth_hosted_messaging.statuses import Outcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FINISHED_RUN_STATES = frozenset({"success", "failed"})


def _ordered_anything(rows: Sequence[Mapping[str, Any]] | None, tis: Sequence[TaskState], create: str) -> bool:
    if rows is not None:
        return any(r.get("order_id") for r in rows)
    return any(t.task_id == create and t.state == "success" for t in tis)


def not_ordered_reason(
    session: Session,
    dag_id: str,
    run_id: str,
    run: Mapping[str, Any] | None,
    report: Mapping[str, Any] | None,
    *,
    read_logs: bool = True,
) -> dict[str, Any] | None:
    """
    ``{"kind", "message", ...}`` when the finished run ordered nothing, else ``None``.

    ``kind``: ``dry_run``, ``approval`` (``decision``, ``by``, ``at``), ``task_failed`` (``task_id``,
    ``map_index``, ``label``, ``error`` or ``None``, ``log_url``), ``all_rejected``, ``nothing_planned`` or
    ``unknown``.

    :param read_logs: read the failed task's error from its log (the user may read the DAG's task logs).
    """
    if run is None or run.get("state") not in FINISHED_RUN_STATES:
        return None
    flow = flow_of(dag_id)
    rows = report.get("rows") if isinstance(report, Mapping) else None
    rows = rows if isinstance(rows, list) else None
    if rows is not None and any(r.get("order_id") for r in rows):
        return None  # the usual case, answered without reading the task instances
    tis = task_states(session, dag_id, run_id)
    if _ordered_anything(rows, tis, flow.create):
        return None
    if isinstance(report, Mapping) and report.get("dry_run"):
        return {"kind": "dry_run", "message": "Dry run: nothing was ordered, by design."}
    approval = report.get("approval") if isinstance(report, Mapping) else None
    if not isinstance(approval, Mapping):
        approval = xcoms(session, dag_id, run_id, [flow.approval], keys=["approval"]).get(
            (flow.approval, -1, "approval")
        )
        approval = approval.value if approval is not None and isinstance(approval.value, Mapping) else None
    decision = str(approval.get("decision")) if approval else None
    if approval and decision in ("rejected", "timed_out"):
        who, when = approval.get("by") or "an approver", approval.get("at")
        message = (
            f"Nobody approved the orders in time (until {when})."
            if decision == "timed_out"
            else f"The orders were rejected by {who}{f' at {when}' if when else ''}."
        )
        return {"kind": "approval", "message": message, "decision": decision, "by": approval.get("by"), "at": when}
    labels = {step.task_id: step.label for step in flow.steps()}
    order = {step.task_id: i for i, step in enumerate(flow.steps())}
    failed = [t for t in tis if t.state == "failed" and t.task_id != flow.report]
    if failed:
        first = min(failed, key=lambda t: (parse_time(t.end_date) or EPOCH, order.get(t.task_id, 99), t.map_index))
        error = (
            failure_text(session, dag_id, run_id, first.task_id, first.map_index, first.try_number)
            if read_logs
            else None
        )
        label = labels.get(first.task_id, first.task_id)
        where = first.task_id if first.map_index < 0 else f"{first.task_id}[{first.map_index}]"
        message = f"{label} ({where}) failed" + (f": {error}" if error else ": see its log for why.")
        return {
            "kind": "task_failed",
            "message": message,
            "task_id": first.task_id,
            "map_index": first.map_index,
            "label": label,
            "error": error,
            "log_url": airflow_task_url(dag_id, run_id, first.task_id, first.map_index, base_url=root_path()),
            "failed_tasks": len(failed),
        }
    if rows and all(r.get("outcome") in (Outcome.REJECTED, Outcome.ALREADY_IN_SERVICE) for r in rows):
        return {"kind": "all_rejected", "message": "The checker refused every number: there was nothing to order."}
    if rows is not None and not rows:
        return {"kind": "nothing_planned", "message": "The request held no number to order."}
    return {"kind": "unknown", "message": "Nothing was ordered (no task failed): see the run's tasks in Airflow."}
