"""
Where a run stands while it is still going (its report is written only at the end): the plan, each order's latest
status as the waits and Bandwidth's callbacks saw it, and the numbers per state so far. Read from what the tasks
recorded so far, never from Bandwidth:

- the steps: the run's task instances and their states (a deferred wait: since when its trigger waits);
- ``validate_request``'s request (how many numbers), ``check_importability``'s answer (checked, rejected),
  ``approve_orders``' plan (its chunks: numbers per order, XCom ``plan``) and decision;
- per order (one mapped task group each): ``create``'s order id, the ``wait``'s first check (XCom ``checked``)
  and final order (XCom ``order``), ``upload_loa``'s result;
- the callbacks recorded on the order kind's asset (:func:`~.tasks.callbacks_for`).

:func:`run_progress` is what ``GET api/progress`` answers; :func:`progress_summary` the overview's bar of a running
run (no per-order reads).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.constants import (
    APPROVAL_TASK_ID,
    IMPORT_ORDER_GROUP,
    PLAN_KEY,
    REMOVE_DAG,
    REMOVE_ORDER_GROUP,
    REPORT_TASK_ID,
)
from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time, utc_now
from bandwidth_hosted_messaging.status.tasks import TaskState, XComValue, callbacks_for, task_states, xcoms
from bandwidth_hosted_messaging.statuses import OrderKind, ProcessingStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: The XCom key under which the wait records what its first read of the order said (before it defers).
CHECKED_KEY = "checked"
#: Orders listed in one answer (the counts always cover every order).
MAX_ORDERS_LISTED = 500
#: How often the page asks again while a run is going, seconds.
REFRESH_SECONDS = 3
#: Task instance states of a step that is doing something now.
#: ``awaiting_input``: a human-in-the-loop task (the approval) waiting for its answer (Airflow 3.1+).
ACTIVE_TI_STATES = frozenset(
    {"running", "deferred", "awaiting_input", "queued", "up_for_retry", "up_for_reschedule", "restarting"}
)
#: What ``upload_loa`` returns when the order holds its LOA.
LOA_DONE = frozenset({"uploaded", "already_present"})


@dataclass(frozen=True)
class Step:
    """One step of a flow: its task id (a mapped one inside the order group) and what the page calls it."""

    task_id: str
    label: str
    active_label: str


@dataclass(frozen=True)
class Flow:
    """The task ids of the import or the remove flow (``flows/import_flow.py``, ``flows/remove_flow.py``)."""

    kind: str
    group: str
    checker: str | None
    verify: str
    loa: bool

    validate = "validate_request"
    subscribe = "ensure_subscription"
    approval = APPROVAL_TASK_ID
    report = REPORT_TASK_ID

    @property
    def asset(self) -> tuple[str, str]:
        """The name and URI of the asset the callbacks of this kind of order are recorded on (URI as stored)."""
        from bandwidth_hosted_messaging.assets import ORDER_KIND_ASSETS

        asset = ORDER_KIND_ASSETS[OrderKind(self.kind)]
        return asset.name, asset.uri

    @property
    def create(self) -> str:
        return f"{self.group}.create"

    @property
    def wait(self) -> str:
        return f"{self.group}.wait"

    @property
    def upload_loa(self) -> str | None:
        return f"{self.group}.upload_loa" if self.loa else None

    def steps(self) -> list[Step]:
        steps = [
            Step(self.validate, "Validate the request", "Validating the request"),
            Step(self.subscribe, "Callback subscription", "Checking the callback subscription"),
        ]
        if self.checker:
            steps.append(Step(self.checker, "Check site and numbers", "Checking the site and the numbers"))
        steps += [
            Step(self.approval, "Plan and approve", "Waiting for approval"),
            Step(self.create, "Create the orders", "Creating the orders"),
            Step(self.wait, "Wait on Bandwidth", "Waiting on Bandwidth"),
        ]
        if self.upload_loa:
            steps.append(Step(self.upload_loa, "Upload the LOA", "Uploading the LOA"))
        verb = "in service" if self.kind == "import" else "removed"
        steps += [
            Step(self.verify, f"Verify {verb}", f"Verifying the numbers are {verb}"),
            Step(self.report, "Report", "Writing the report"),
        ]
        return steps


IMPORT_FLOW = Flow("import", IMPORT_ORDER_GROUP, "check_importability", "verify_in_service", True)
REMOVE_FLOW = Flow("remove", REMOVE_ORDER_GROUP, None, "verify_removed", False)


def flow_of(dag_id: str) -> Flow:
    return REMOVE_FLOW if dag_id == REMOVE_DAG else IMPORT_FLOW


def _value(
    found: Mapping[tuple[str, int, str], XComValue], task_id: str | None, key: str = "return_value", i: int = -1
):
    hit = found.get((task_id, i, key)) if task_id else None
    return hit.value if hit is not None else None


def _later(a: tuple[str | None, ...] | None, b: tuple[str | None, ...] | None) -> tuple[str | None, ...] | None:
    """Of two ``(at, ...)`` sightings, the later one (a missing time counts as the oldest)."""
    if a is None or b is None:
        return a or b
    return b if (parse_time(b[0]) or EPOCH) >= (parse_time(a[0]) or EPOCH) else a


def _steps(flow: Flow, tis: Sequence[TaskState]) -> list[dict[str, Any]]:
    by_task: dict[str, list[TaskState]] = {}
    for ti in tis:
        by_task.setdefault(ti.task_id, []).append(ti)
    out = []
    for step in flow.steps():
        found = by_task.pop(step.task_id, [])
        out.append(_step_dict(step.task_id, step.label, step.active_label, found))
    for task_id, found in by_task.items():  # a step this page does not know yet: shown under its task id
        out.append(_step_dict(task_id, task_id, task_id, found))
    return out


def _step_dict(task_id: str, label: str, active_label: str, tis: Sequence[TaskState]) -> dict[str, Any]:
    mapped = [t for t in tis if t.map_index >= 0]
    states = Counter(t.state or "none" for t in tis)
    if not tis:
        state = None
    elif not mapped:
        state = tis[0].state
    elif any(s in ACTIVE_TI_STATES for s in states):
        state = "running" if "running" in states else next(s for s in states if s in ACTIVE_TI_STATES)
    elif all(t.finished for t in tis):
        state = "failed" if states.get("failed") else "success" if states.get("success") else tis[0].state
    else:
        state = "scheduled"
    starts = [t.start_date for t in tis if t.start_date]
    ends = [t.end_date for t in tis if t.end_date]
    return {
        "task_id": task_id,
        "label": label,
        "active_label": active_label,
        "state": state,
        "active": any(s in ACTIVE_TI_STATES for s in states),
        "mapped": len(mapped) if mapped else None,
        "states": dict(states) if mapped else None,
        "start_date": min(starts) if starts else None,
        "end_date": max(ends) if ends and all(t.finished for t in tis) else None,
        "deferred_since": min((t.deferred_since for t in tis if t.deferred_since), default=None),
    }


def _bar(counts: Mapping[str, int | None], total: int | None) -> list[dict[str, Any]]:
    """The progress bar: done (completed, failed), waiting on Bandwidth, rejected; the rest is to come."""
    segments = [
        ("completed", "ok"),
        ("failed", "bad"),
        ("waiting", "info"),
        ("rejected", "muted"),
    ]
    bar: list[dict[str, Any]] = [
        {"key": k, "count": int(counts.get(k) or 0), "tone": t} for k, t in segments if counts.get(k)
    ]
    if total:
        rest = total - sum(int(s["count"]) for s in bar)
        if rest > 0:
            bar.append({"key": "pending", "count": rest, "tone": "none"})
    return bar


def run_progress(
    session: Session,
    dag_id: str,
    run_id: str,
    *,
    state: str | None = None,
    orders: bool = True,
) -> dict[str, Any]:
    """
    Where the run stands: its steps, the plan and each order's latest status (``orders``), the counts so far.

    Counts are ``None`` while the step that knows them has not answered (``checked`` and ``rejected`` before the
    checker; ``planned`` before the plan). Removals have no checker and no LOA: those counts stay ``None``.

    :param state: the run's state (as :func:`~.runs.get_run` read it), passed through.
    :param orders: also list the orders (with the callbacks recorded for them); the overview needs only counts.
    """
    flow = flow_of(dag_id)
    tis = task_states(session, dag_id, run_id)
    task_ids = [flow.validate, flow.approval, flow.create, flow.wait]
    task_ids += [t for t in (flow.checker, flow.upload_loa, flow.verify) if t]
    found = xcoms(session, dag_id, run_id, task_ids, keys=["return_value", "approval", PLAN_KEY, "order", CHECKED_KEY])

    request = _value(found, flow.validate)
    total = len(request.get("numbers") or []) if isinstance(request, Mapping) else None
    checker = _value(found, flow.checker)
    plan = _value(found, flow.approval, PLAN_KEY)
    plan = plan if isinstance(plan, list) else None
    approval = _value(found, flow.approval, "approval")
    tis_by = {(t.task_id, t.map_index): t for t in tis}

    counts: dict[str, int | None] = {
        "total": total,
        "checked": None,
        "rejected": None,
        "planned": None,
        "ordered": 0,
        "completed": 0,
        "failed": 0,
        "waiting": 0,
        "loa_uploaded": 0 if flow.loa else None,
    }
    if isinstance(checker, Mapping):
        rejected = len(checker.get("rejected") or [])
        counts["checked"] = len(checker.get("importable") or []) + rejected
        counts["rejected"] = rejected
    if plan is not None:
        counts["planned"] = sum(len(c.get("numbers") or []) for c in plan if isinstance(c, Mapping))

    order_rows: list[dict[str, Any]] = []
    for i, chunk in enumerate(plan or []):
        if not isinstance(chunk, Mapping):
            continue
        size = len(chunk.get("numbers") or [])
        create_ti, wait_ti = tis_by.get((flow.create, i)), tis_by.get((flow.wait, i))
        loa_ti = tis_by.get((flow.upload_loa, i)) if flow.upload_loa else None
        order_id = _value(found, flow.create, i=i) or _value(found, flow.wait, "order_id", i)
        final = _value(found, flow.wait, "order", i) or _value(found, flow.wait, i=i)
        final = final if isinstance(final, Mapping) and final.get("status") else None
        checked = _value(found, flow.wait, CHECKED_KEY, i)
        loa = _value(found, flow.upload_loa, i=i) if flow.upload_loa else None
        row: dict[str, Any] = {
            "index": chunk.get("index", i),
            "customer_order_id": chunk.get("customer_order_id"),
            "numbers": size,
            "order_id": order_id,
            "create_state": create_ti.state if create_ti else None,
            "wait_state": wait_ti.state if wait_ti else None,
            "waiting_since": wait_ti.deferred_since if wait_ti else None,
            "loa_state": loa_ti.state if loa_ti else None,
            "loa_file": loa.get("file_name") if isinstance(loa, Mapping) else None,
            "loa_status": loa.get("status") if isinstance(loa, Mapping) else None,
            "completed": None,
            "failed": None,
        }
        # The latest sighting of the order's status: the order made, the wait's first read, the final order.
        latest: tuple[str | None, ...] | None = None
        if order_id:
            counts["ordered"] = (counts["ordered"] or 0) + size
            latest = (create_ti.end_date if create_ti else None, "created", "create")
        if isinstance(checked, Mapping) and checked.get("status"):
            latest = _later(latest, (checked.get("at"), str(checked["status"]), "wait"))
        done = 0
        order = _order(final)
        if order is not None and final is not None:
            failed_numbers = len(order.failed_numbers()) if order.status.is_final else 0
            completed = len(order.completed_numbers())
            row["completed"], row["failed"] = completed, failed_numbers
            if order.status.is_final:
                counts["completed"] = (counts["completed"] or 0) + completed
                counts["failed"] = (counts["failed"] or 0) + failed_numbers
                done = completed + failed_numbers
            at = final.get("last_modified_date") or (wait_ti.end_date if wait_ti else None)
            latest = _later(latest, (at, order.status.value, "wait"))
            if isinstance(loa, Mapping) and loa.get("status") in LOA_DONE:
                counts["loa_uploaded"] = (counts["loa_uploaded"] or 0) + completed
        elif (create_ti and create_ti.state == "failed") or (wait_ti and wait_ti.state == "failed"):
            counts["failed"] = (counts["failed"] or 0) + size  # no order, or no final answer: not ordered
            row["failed"] = size
            done = size
        if order_id and not done:
            counts["waiting"] = (counts["waiting"] or 0) + size
        if latest is not None:
            row["status_at"], row["status"], row["status_source"] = latest
        else:
            row["status_at"] = row["status"] = row["status_source"] = None
        order_rows.append(row)

    if orders and order_rows:
        seen = callbacks_for(session, flow.asset, [r["order_id"] for r in order_rows if r["order_id"]])
        for row in order_rows:
            callback = seen.get(row["order_id"] or "")
            if callback is None:
                continue
            row["callbacks"] = callback.count
            if row["status_source"] == "wait" and _is_final(row["status"]):
                continue  # the wait's final read is the truth; a later callback only repeats it
            latest = _later(
                (row["status_at"], row["status"], row["status_source"]), (callback.at, callback.status, "callback")
            )
            row["status_at"], row["status"], row["status_source"] = latest  # type: ignore[misc]

    steps = _steps(flow, tis)
    active = [s for s in steps if s["active"]]
    finished = (counts["completed"] or 0) + (counts["failed"] or 0) + (counts["rejected"] or 0)
    percent = round(100 * finished / total) if total else None
    approval_step = next((s for s in steps if s["task_id"] == flow.approval), None)
    result: dict[str, Any] = {
        "dag_id": dag_id,
        "run_id": run_id,
        "state": state,
        "kind": flow.kind,
        "stage": " · ".join(s["active_label"] for s in active) or None,
        "counts": counts,
        "bar": _bar(counts, total),
        "percent": percent,
        "approval": {
            "state": approval_step["state"] if approval_step else None,
            **(dict(approval) if isinstance(approval, Mapping) else {}),
        },
        "orders_total": len(order_rows),
        "refresh_seconds": REFRESH_SECONDS,
        "updated_at": utc_now(),
    }
    if orders:
        result["steps"] = steps
        result["orders"] = order_rows[:MAX_ORDERS_LISTED]
    return result


def _order(value: Mapping[str, Any] | None) -> TnOrder | None:
    try:
        return TnOrder.from_dict(value) if value is not None else None
    except (KeyError, TypeError, ValueError):  # an unknown status: the wait fails on it, the page shows the row
        return None


def _is_final(status: str | None) -> bool:
    try:
        return ProcessingStatus(str(status).upper()).is_final
    except ValueError:
        return False


def progress_summary(session: Session, dag_id: str, run_id: str, state: str | None = None) -> dict[str, Any]:
    """What the overview shows of a running run: its stage, counts and bar."""
    return run_progress(session, dag_id, run_id, state=state, orders=False)
