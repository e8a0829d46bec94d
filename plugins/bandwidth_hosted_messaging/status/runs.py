"""The import and remove runs as the metadata database holds them (read-only), for the status page."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX, IMPORT_DAG, REMOVE_DAG, REPORT_TASK_ID
from bandwidth_hosted_messaging.reporting.times import iso

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEFAULT_RUNS = 200
#: Run states whose report is not written yet.
ACTIVE_STATES = frozenset({"queued", "running"})


def _time(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def _report_dags_clause():
    from airflow.models.dagrun import DagRun
    from sqlalchemy import or_

    return or_(DagRun.dag_id.in_([IMPORT_DAG, REMOVE_DAG]), DagRun.dag_id.startswith(BATCH_DAG_PREFIX, autoescape=True))


def _run_dict(row: Any) -> dict[str, Any]:
    run_type = str(getattr(row.run_type, "value", row.run_type))
    state = str(getattr(row.state, "value", row.state)) if row.state is not None else None
    return {
        "dag_id": row.dag_id,
        "run_id": row.run_id,
        "state": state,
        "run_type": run_type,
        "triggered_by": row.triggering_user_name or run_type,
        "triggering_user_name": row.triggering_user_name,
        "run_after": _time(row.run_after),
        "start_date": _time(row.start_date),
        "end_date": _time(row.end_date),
    }


def _run_columns():
    from airflow.models.dagrun import DagRun

    return (
        DagRun.dag_id,
        DagRun.run_id,
        DagRun.state,
        DagRun.run_type,
        DagRun.triggering_user_name,
        DagRun.run_after,
        DagRun.start_date,
        DagRun.end_date,
    )


def list_runs(
    session: Session, *, dag_ids: Iterable[str] | None = None, limit: int = DEFAULT_RUNS
) -> list[dict[str, Any]]:
    """The newest runs of the import and remove DAGs (``dag_ids``: only those), newest first."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    query = select(*_run_columns()).where(_report_dags_clause())
    if dag_ids is not None:
        query = query.where(DagRun.dag_id.in_(list(dag_ids)))
    query = query.order_by(DagRun.run_after.desc(), DagRun.id.desc()).limit(limit)
    return [_run_dict(row) for row in session.execute(query)]


def get_run(session: Session, dag_id: str, run_id: str) -> dict[str, Any] | None:
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    row = session.execute(select(*_run_columns()).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)).first()
    return _run_dict(row) if row is not None else None


_LABELS: dict[tuple[str, str], str | None] = {}


def subscriber_names(session: Session, run_ids: Sequence[str]) -> dict[str, str | None]:
    """The subscriber name each manual import run was triggered with (from its conf; cached: confs do not change)."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    missing = [r for r in run_ids if (IMPORT_DAG, r) not in _LABELS]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        query = select(DagRun.run_id, DagRun.conf).where(DagRun.dag_id == IMPORT_DAG, DagRun.run_id.in_(chunk))
        for run_id, conf in session.execute(query):
            name = conf.get("subscriber_name") if isinstance(conf, dict) else None
            _LABELS[(IMPORT_DAG, run_id)] = str(name) if name else None
    return {r: _LABELS.get((IMPORT_DAG, r)) for r in run_ids}


def report_from_xcom(session: Session, dag_id: str, run_id: str) -> dict[str, Any] | None:
    """The ``report`` task's return value (the report, as the run returned it), if the database has it."""
    from airflow.models.xcom import XComModel

    query = XComModel.get_many(
        run_id=run_id, key="return_value", task_ids=REPORT_TASK_ID, dag_ids=dag_id, map_indexes=-1, limit=1
    )
    row = session.scalars(query).first()
    if row is None:
        return None
    value = XComModel.deserialize_value(row)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) and isinstance(value.get("rows"), list) else None
