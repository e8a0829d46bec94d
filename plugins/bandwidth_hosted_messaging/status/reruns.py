"""
"Re-run failed numbers" from the status page: a new run of the same import DAG that orders again the numbers a
finished run's report lists as ``order_failed``, ``not_ordered`` or ``not_in_service``.

The contract with the import flow (``validate_request`` reads it): the new run's conf is

- for ``hosted_messaging_import``: the source run's conf (the same form fields) plus
  ``"retry_failed_of_run": "<source run_id>"`` (replacing any earlier one);
- for a batch DAG (``import_batch_*``, no form): ``{"retry_failed_of_run": "<source run_id>"}``.

The flow then replaces the numbers with the source run's failed ones. The run is created by Airflow's own
:func:`airflow.api.common.trigger_dag.trigger_dag` (Params validated, Deadline Alerts registered, as the REST API
does), in the request's session, with the user as its triggering user. Who may do it is :mod:`.api`'s business
(trigger permission on the DAG).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX, IMPORT_DAG
from bandwidth_hosted_messaging.reporting.ledger import is_import_dag
from bandwidth_hosted_messaging.reporting.times import iso

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: The conf key (and the import form's field) naming the run whose failed numbers a run orders again.
RETRY_KEY = "retry_failed_of_run"
#: The run states after which a run's report is final.
FINISHED_STATES = frozenset({"success", "failed"})
#: Re-runs listed on a source run's page.
MAX_RERUNS_LISTED = 50


class RerunRefused(Exception):
    """The run cannot be re-run (not an import, not finished, nothing failed); ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def retried_outcomes() -> frozenset[str]:
    """The outcomes a re-run orders again (the import flow's own list)."""
    from bandwidth_hosted_messaging.reporting.retry_failed import RETRIED_OUTCOMES

    return frozenset(str(o) for o in RETRIED_OUTCOMES)


def failed_numbers(report: Mapping[str, Any] | None) -> list[str]:
    """The numbers of a report a re-run would order again, in the report's order."""
    wanted = retried_outcomes()
    return [str(r.get("number")) for r in (report or {}).get("rows") or () if r.get("outcome") in wanted]


def rerun_conf(dag_id: str, source_run_id: str, source_conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """The conf of a re-run of ``source_run_id`` (see the module's contract)."""
    if dag_id.startswith(BATCH_DAG_PREFIX):
        return {RETRY_KEY: source_run_id}
    conf = dict(source_conf or {})
    conf[RETRY_KEY] = source_run_id
    return conf


def run_conf(session: Session, dag_id: str, run_id: str) -> dict[str, Any] | None:
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    conf = session.scalar(select(DagRun.conf).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
    return dict(conf) if isinstance(conf, Mapping) else None


def source_run_of(session: Session, dag_id: str, run_id: str) -> str | None:
    """The run this run re-runs the failed numbers of (its conf's ``retry_failed_of_run``), read in the database."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    value = session.scalar(
        select(DagRun.conf[RETRY_KEY].as_string()).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
    )
    return str(value) if value else None


def reruns_of(session: Session, dag_id: str, run_id: str, since: Any = None) -> list[dict[str, Any]]:
    """The runs of ``dag_id`` whose conf names ``run_id`` as ``retry_failed_of_run``, oldest first."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    query = select(DagRun.run_id, DagRun.state, DagRun.run_after).where(
        DagRun.dag_id == dag_id, DagRun.run_id != run_id, DagRun.conf[RETRY_KEY].as_string() == run_id
    )
    if since is not None:
        query = query.where(DagRun.run_after >= since)
    query = query.order_by(DagRun.run_after, DagRun.id).limit(MAX_RERUNS_LISTED)
    found = []
    for row in session.execute(query):
        state = str(getattr(row.state, "value", row.state)) if row.state is not None else None
        found.append({"run_id": row.run_id, "state": state, "run_after": iso(row.run_after) if row.run_after else None})
    return found


def run_after_of(session: Session, dag_id: str, run_id: str) -> Any:
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    return session.scalar(select(DagRun.run_after).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))


def check_rerunnable(dag_id: str, run: Mapping[str, Any] | None, report: Mapping[str, Any] | None) -> list[str]:
    """
    The numbers a re-run of this run would order, or :class:`RerunRefused` saying why there is none to start.
    """
    if not is_import_dag(dag_id):
        raise RerunRefused(f"{dag_id} is not an import DAG: only import runs can re-run their failed numbers", 400)
    if run is None:
        raise RerunRefused("No such run", 404)
    if run.get("state") not in FINISHED_STATES:
        raise RerunRefused(f"The run is {run.get('state')}: its failed numbers can be re-run once it has finished")
    if report is None:
        raise RerunRefused("The run wrote no report: there are no failed numbers to re-run")
    numbers = failed_numbers(report)
    if not numbers:
        raise RerunRefused("No number of this run ended order_failed, not_ordered or not_in_service")
    return numbers


def trigger_rerun(
    session: Session, dag_id: str, source_run_id: str, *, user_name: str | None
) -> tuple[str, dict[str, Any]]:
    """
    Start the re-run of ``source_run_id`` through Airflow (Params validated); return its run id and conf.

    :raises RerunRefused: the DAG cannot be triggered (unknown, paused runs are fine, import errors, manual runs
        not allowed) or refused the conf (its Params).
    """
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.exceptions import DagNotFound, DagRunAlreadyExists
    from airflow.models.dag import DagModel
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import select

    model = session.scalar(select(DagModel).where(DagModel.dag_id == dag_id, ~DagModel.is_stale))
    if model is None:
        raise RerunRefused(f"DAG {dag_id} is not (or no longer) deployed", 404)
    if model.has_import_errors:
        raise RerunRefused(f"DAG {dag_id} has import errors and cannot be triggered", 400)
    conf = rerun_conf(dag_id, source_run_id, run_conf(session, dag_id, source_run_id) if dag_id == IMPORT_DAG else None)
    try:
        run = trigger_dag(
            dag_id,
            triggered_by=DagRunTriggeredByType.UI,
            triggering_user_name=user_name,
            conf=conf,
            note=f"Re-run of the failed numbers of {source_run_id}"[:1000],
            session=session,
        )
    except DagNotFound as err:
        raise RerunRefused(str(err), 404) from None
    except DagRunAlreadyExists as err:
        raise RerunRefused(f"A run with this id already exists: {err}", 409) from None
    except ValueError as err:  # ParamValidationError is one: the DAG's Params refused the conf
        raise RerunRefused(f"Airflow refused the run: {err}", 400) from None
    if run is None:
        raise RerunRefused(f"Airflow created no run of {dag_id}", 500)
    session.flush()
    return run.run_id, conf
