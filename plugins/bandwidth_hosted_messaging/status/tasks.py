"""
What a run's tasks recorded, as the metadata database holds it (read-only), for the status page: the task
instances and their states, the XComs the page reads while a run is still going, the callbacks recorded on the
order assets, and why a task failed (from its log, the only place Airflow 3.3 keeps a task's error).

Airflow's models are imported inside the functions: the plugin file that imports the status page is loaded by
every Airflow process.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.contracts import pulled
from bandwidth_hosted_messaging.reporting.times import iso

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Task instance states that will change again.
UNFINISHED_TI_STATES = frozenset(
    {
        None,
        "none",
        "scheduled",
        "queued",
        "running",
        "deferred",
        "awaiting_input",  # a human-in-the-loop task (the approval) waiting for its answer
        "up_for_retry",
        "up_for_reschedule",
        "restarting",
    }
)
#: The longest error text shown for a failed task.
MAX_ERROR_CHARS = 500
#: Order ids per ``IN (...)`` clause.
_IN_CHUNK = 500


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: object, limit: int) -> str:
    """``value`` on one line (control characters and line or bidi separators become spaces), cut to ``limit``."""
    cleaned = _UNSAFE.sub(" ", str(value))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _time(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def _state(value: Any) -> str | None:
    return str(getattr(value, "value", value)) if value is not None else None


@dataclass(frozen=True)
class TaskState:
    """One task instance of a run, as the page needs it."""

    task_id: str
    map_index: int
    state: str | None
    try_number: int
    start_date: str | None
    end_date: str | None
    #: When the task's trigger was created: the wait in the triggerer began (deferred tasks only).
    deferred_since: str | None

    @property
    def finished(self) -> bool:
        return self.state not in UNFINISHED_TI_STATES

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "map_index": self.map_index,
            "state": self.state,
            "try_number": self.try_number,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "deferred_since": self.deferred_since,
        }


def task_states(session: Session, dag_id: str, run_id: str) -> list[TaskState]:
    """Every task instance of the run (mapped ones by index), with the creation time of a deferred one's trigger."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import Trigger
    from sqlalchemy import select

    query = (
        select(
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.state,
            TaskInstance.try_number,
            TaskInstance.start_date,
            TaskInstance.end_date,
            Trigger.created_date,
        )
        .outerjoin(Trigger, Trigger.id == TaskInstance.trigger_id)
        .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        .order_by(TaskInstance.task_id, TaskInstance.map_index)
    )
    return [
        TaskState(
            task_id=row.task_id,
            map_index=row.map_index,
            state=_state(row.state),
            try_number=row.try_number or 0,
            start_date=_time(row.start_date),
            end_date=_time(row.end_date),
            deferred_since=_time(row.created_date) if _state(row.state) == "deferred" else None,
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class XComValue:
    value: Any
    timestamp: str | None


def xcoms(
    session: Session, dag_id: str, run_id: str, task_ids: Iterable[str], keys: Iterable[str] | None = None
) -> dict[tuple[str, int, str], XComValue]:
    """
    ``{(task_id, map_index, key): value}`` of the run's XComs of ``task_ids`` (``keys``: only those), each as the
    task pushed it (a value the triggerer pushed, stored as its JSON text, read back).
    """
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    query = select(XComModel).where(
        XComModel.dag_id == dag_id, XComModel.run_id == run_id, XComModel.task_id.in_(list(task_ids))
    )
    if keys is not None:
        query = query.where(XComModel.key.in_(list(keys)))
    found: dict[tuple[str, int, str], XComValue] = {}
    for row in session.scalars(query):
        try:
            value = pulled(XComModel.deserialize_value(row))
        except Exception as err:  # one unreadable XCom must not take the page down
            log.warning("Status page: unreadable XCom %s[%s] %s: %s", row.task_id, row.map_index, row.key, err)
            continue
        found[(row.task_id, row.map_index, row.key)] = XComValue(value, _time(row.timestamp))
    return found


@dataclass(frozen=True)
class CallbackSeen:
    """The latest callback recorded for an order (an asset event of its order kind's asset)."""

    order_id: str
    status: str | None
    at: str | None
    count: int


def callbacks_for(
    session: Session, asset_name_uri: tuple[str, str], order_ids: Iterable[str]
) -> dict[str, CallbackSeen]:
    """
    The latest callback Bandwidth sent for each order, as the callback receiver recorded it (asset events on the
    order kind's asset, ``extra.order_id``). Every final-status callback that woke a wait (the wake-up ring) is
    one of these events, recorded in the same transaction; the events also hold the statuses before the final
    one.
    """
    from airflow.models.asset import AssetEvent, AssetModel
    from sqlalchemy import select

    ids = sorted({str(o) for o in order_ids if o})
    if not ids:
        return {}
    name, uri = asset_name_uri
    asset_id = session.scalar(select(AssetModel.id).where(AssetModel.name == name, AssetModel.uri == uri))
    if asset_id is None:
        return {}
    order_key = AssetEvent.extra["order_id"].as_string()
    seen: dict[str, CallbackSeen] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        query = (
            select(AssetEvent.extra, AssetEvent.timestamp)
            .where(AssetEvent.asset_id == asset_id, order_key.in_(ids[start : start + _IN_CHUNK]))
            .order_by(AssetEvent.timestamp, AssetEvent.id)
        )
        for extra, timestamp in session.execute(query):
            extra = extra if isinstance(extra, Mapping) else {}
            order_id = str(extra.get("order_id") or "")
            status = extra.get("status")
            before = seen.get(order_id)
            seen[order_id] = CallbackSeen(
                order_id=order_id,
                status=clean_text(status, 64) if status else (before.status if before else None),
                at=_time(timestamp),
                count=(before.count if before else 0) + 1,
            )
    return seen


# ---- why a task failed --------------------------------------------------------------------------------------

#: Anything that could carry a secret in an error text, masked before it is shown (the task log is already
#: masked by Airflow's secrets masker; this is a second net for what it could not know).
_SECRETS = [
    (re.compile(r"(?i)\b(authorization|proxy-authorization)\s*[:=]\s*\S+(\s+\S+)?"), r"\1: ***"),
    (re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    (
        re.compile(r"(?i)\b(password|passwd|secret|client_secret|token|api[_-]?key)(\s*[:=]\s*)[^\s,;&'\"}]+"),
        r"\1\2***",
    ),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"), r"\1***@"),
]


def redact(text: str) -> str:
    """``text`` with credentials masked: auth headers, ``password=…`` pairs, user:password in URLs."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _error_of(detail: Any) -> str | None:
    """The exception's ``Type: message`` from a log line's ``error_detail`` (the last exception of the chain)."""
    if isinstance(detail, list) and detail:
        detail = detail[-1]
    if not isinstance(detail, Mapping):
        return None
    kind, value = detail.get("exc_type"), detail.get("exc_value")
    if not value and not kind:
        return None
    if value and (not kind or str(kind).startswith("Airflow")):
        return str(value)  # our tasks fail with AirflowFailException("field: what is wrong"): the text says it all
    return f"{kind}: {value}" if kind and value else str(value or kind)


_FAILURES: OrderedDict[tuple[str, str, str, int, int], str | None] = OrderedDict()
_FAILURES_LOCK = threading.Lock()
_FAILURES_KEPT = 256


def failure_text(
    session: Session, dag_id: str, run_id: str, task_id: str, map_index: int, try_number: int
) -> str | None:
    """
    The error a failed task instance ended with, read from its log (``Task failed with exception``), masked and
    cut to :data:`MAX_ERROR_CHARS`; ``None`` when the log cannot be read or holds no exception. A finished try's
    answer is cached.
    """
    key = (dag_id, run_id, task_id, map_index, try_number)
    with _FAILURES_LOCK:
        if key in _FAILURES:
            return _FAILURES[key]
    text = _read_failure(session, dag_id, run_id, task_id, map_index, try_number)
    with _FAILURES_LOCK:
        _FAILURES[key] = text
        while len(_FAILURES) > _FAILURES_KEPT:
            _FAILURES.popitem(last=False)
    return text


def _read_failure(
    session: Session, dag_id: str, run_id: str, task_id: str, map_index: int, try_number: int
) -> str | None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import Trigger
    from airflow.utils.log.log_reader import TaskLogReader
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    try:
        reader = TaskLogReader()
        if not reader.supports_read or try_number < 1:
            return None
        ti = session.scalar(
            select(TaskInstance)
            .where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == task_id,
                TaskInstance.map_index == map_index,
            )
            .join(TaskInstance.dag_run)
            .options(joinedload(TaskInstance.dag_run))
            .options(joinedload(TaskInstance.trigger).joinedload(Trigger.triggerer_job))
            .options(joinedload(TaskInstance.dag_model))
        )
        if ti is None:
            return None
        messages, _ = reader.read_log_chunks(ti, try_number, {})  # type: ignore[typeddict-item]
        error = None
        for message in messages:
            extra = getattr(message, "model_extra", None) or {}
            found = _error_of(extra.get("error_detail"))
            if found:
                error = found  # the last one: the exception the task ended with
    except Exception as err:  # a log store that cannot be read: say which task failed, without its text
        log.warning("Status page: cannot read the log of %s %s %s: %s", dag_id, run_id, task_id, err)
        return None
    if not error:
        return None
    return clean_text(redact(error), MAX_ERROR_CHARS)
