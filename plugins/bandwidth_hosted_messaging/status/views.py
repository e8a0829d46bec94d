"""
What the status page shows, as plain JSON-ready dicts: the overview of every import and remove run, one run's
counts and page of rows, and its CSV. It reads only what the DAGs recorded (the runs in the metadata database,
each run's ``report.json`` through the :class:`~.store.ReportStore`, the report XCom when that file is missing,
and the hosted-number inventory for the numbers lost since); never Bandwidth. :mod:`.api` only adds HTTP and auth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.constants import IMPORT_DAG
from bandwidth_hosted_messaging.reporting import render
from bandwidth_hosted_messaging.reporting.rows import COLUMNS
from bandwidth_hosted_messaging.status import links
from bandwidth_hosted_messaging.status.categories import (
    bar_of,
    counts_of,
    filter_rows,
    is_report_dag,
    label_of,
    loa_missing,
    needs_attention,
    run_kind,
)
from bandwidth_hosted_messaging.status.history import default_inventory
from bandwidth_hosted_messaging.status.not_ordered import not_ordered_reason
from bandwidth_hosted_messaging.status.progress import progress_summary, run_progress
from bandwidth_hosted_messaging.status.reruns import (
    RerunRefused,
    check_rerunnable,
    reruns_of,
    run_after_of,
    source_run_of,
)
from bandwidth_hosted_messaging.status.runs import (
    ACTIVE_STATES,
    DEFAULT_RUNS,
    get_run,
    list_runs,
    report_from_xcom,
    subscriber_names,
)
from bandwidth_hosted_messaging.status.store import ReportStore, in_one_form, store
from bandwidth_hosted_messaging.statuses import Category

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bandwidth_hosted_messaging.inventory.inventory import Inventory

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
CATEGORIES = [c.to_dict() for c in Category]


def overview(
    session: Session,
    *,
    readable: set[str] | None = None,
    limit: int = DEFAULT_RUNS,
    reports: ReportStore | None = None,
    inventory: Inventory | None = None,
) -> dict[str, Any]:
    """
    Every import and remove run (newest first, at most ``limit``): batch, when, who triggered it, its state,
    the counts per category (the lost ones from the inventory) and its bar. Runs whose report exists but whose
    DAG run is no longer in the database are listed too (state ``None``).

    :param readable: the DAG ids the user may read (``None``: all).
    """
    reports = reports or store()
    inventory = inventory or default_inventory()
    digests = {(d.dag_id, d.run_id): d for d in reports.digests() if readable is None or d.dag_id in readable}
    dag_ids = sorted(d for d in readable if is_report_dag(d)) if readable is not None else None
    runs = list_runs(session, dag_ids=dag_ids, limit=limit)
    seen = {(r["dag_id"], r["run_id"]) for r in runs}
    for key, digest in digests.items():
        if key not in seen:
            runs.append(
                {
                    "dag_id": digest.dag_id,
                    "run_id": digest.run_id,
                    "state": None,
                    "run_type": None,
                    "triggered_by": None,
                    "triggering_user_name": None,
                    "run_after": digest.finished_at,
                    "start_date": None,
                    "end_date": digest.finished_at,
                }
            )
    runs.sort(key=lambda r: r["run_after"] or "", reverse=True)
    runs = runs[:limit]
    names = subscriber_names(session, [r["run_id"] for r in runs if r["dag_id"] == IMPORT_DAG])
    lost = inventory.lost_counts()
    out = []
    for run in runs:
        d = digests.get((run["dag_id"], run["run_id"]))
        item = {**run, "kind": run_kind(run["dag_id"]), "batch": label_of(run["dag_id"], names.get(run["run_id"]))}
        item["links"] = run_links(run["dag_id"], run["run_id"])
        if d is None:
            item.update(
                has_report=False, total=None, finished_at=None, counts=None, bar=[], attention=run["state"] == "failed"
            )
            if run["state"] in ACTIVE_STATES:
                item["progress"] = progress_summary(session, run["dag_id"], run["run_id"], run["state"])
        else:
            counts = counts_of(d.outcomes, d.loa_missing, lost.get((d.dag_id, d.run_id), 0))
            item.update(
                has_report=True,
                total=d.total,
                finished_at=d.finished_at,
                counts=counts,
                bar=bar_of(counts),
                attention=needs_attention(counts, run["state"]),
            )
        out.append(item)
    return {"categories": CATEGORIES, "runs": out, "limit": limit}


def run_links(dag_id: str, run_id: str) -> dict[str, str]:
    """The run's page here and in the Airflow UI, as paths from the server's root (same origin as the page)."""
    root = links.root_path()
    return {
        "page": links.run_page_url(dag_id, run_id, base_url=root),
        "airflow_run": links.airflow_run_url(dag_id, run_id, base_url=root),
    }


def _reruns(
    session: Session,
    dag_id: str,
    run_id: str,
    run: Mapping[str, Any] | None,
    report: Mapping[str, Any] | None,
    may_trigger: bool | None,
) -> dict[str, Any]:
    """Both directions of "Re-run failed numbers": the run this one re-runs, its re-runs, and whether it can be."""
    root = links.root_path()
    source = source_run_of(session, dag_id, run_id) if run is not None else None
    source = source or (str(report["retry_failed_of_run"]) if report and report.get("retry_failed_of_run") else None)
    since = run_after_of(session, dag_id, run_id) if run is not None else None
    reruns = [
        {**r, "page": links.run_page_url(dag_id, r["run_id"], base_url=root)}
        for r in (reruns_of(session, dag_id, run_id, since) if run is not None else [])
    ]
    out: dict[str, Any] = {
        "of": {"run_id": source, "page": links.run_page_url(dag_id, source, base_url=root)} if source else None,
        "reruns": reruns,
        "may_trigger": may_trigger,
    }
    try:
        numbers = check_rerunnable(dag_id, run, report)
    except RerunRefused as refused:
        out.update(available=False, numbers=0, why_not=str(refused))
    else:
        out.update(available=True, numbers=len(numbers), why_not=None)
    return out


def full_report(
    session: Session, dag_id: str, run_id: str, run: Mapping[str, Any] | None, reports: ReportStore
) -> tuple[dict[str, Any] | None, str | None]:
    report = reports.report(dag_id, run_id)
    if report is not None:
        return report, "artefact"
    if run is None or run["state"] in ACTIVE_STATES:
        return None, None
    key, signature = (dag_id, "xcom:" + run_id), ("xcom", run["end_date"])
    report = reports.cached(key, signature)
    if report is None:
        report = report_from_xcom(session, dag_id, run_id)
        report = in_one_form(report) if report is not None else None
        if report is not None:
            reports.remember(key, signature, report)
    return (report, "xcom") if report is not None else (None, None)


def run_detail(
    session: Session,
    dag_id: str,
    run_id: str,
    *,
    outcome: str | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    reports: ReportStore | None = None,
    may_trigger: bool | None = None,
    may_read_logs: bool = True,
    inventory: Inventory | None = None,
) -> dict[str, Any]:
    """
    One run: its state, counts, and one page of its per-number rows (filtered by outcome, searched by number).
    ``report`` is ``None`` (with ``reason``) when the DAG writes no report, the run has not written it yet, or
    never did. Also: ``links`` (this page, the Airflow run), ``rerun`` (the run it re-runs, its re-runs, whether
    "Re-run failed numbers" is possible), ``not_ordered`` (why a finished run ordered nothing, else ``None``), and
    while the run is going, ``progress`` (:func:`~.progress.run_progress`).

    :param may_trigger: whether the user may trigger the DAG (shown with the re-run action; ``None``: unknown).
    :param may_read_logs: whether the user may read the DAG's task logs (the not-ordered reason quotes a log).
    """
    reports = reports or store()
    run = get_run(session, dag_id, run_id)
    categories = CATEGORIES
    base: dict[str, Any] = {"dag_id": dag_id, "run_id": run_id, "run": run, "categories": categories}
    if not is_report_dag(dag_id):
        return {
            **base,
            "report": None,
            "reason": "not_a_report_dag",
            "message": f"No report for this run: {dag_id} is not an import or remove DAG.",
        }
    names = subscriber_names(session, [run_id]) if dag_id == IMPORT_DAG else {}
    base.update(kind=run_kind(dag_id), batch=label_of(dag_id, names.get(run_id)), links=run_links(dag_id, run_id))
    report, source = full_report(session, dag_id, run_id, run, reports)
    base["rerun"] = _reruns(session, dag_id, run_id, run, report, may_trigger)
    base["not_ordered"] = not_ordered_reason(session, dag_id, run_id, run, report, read_logs=may_read_logs)
    if run is not None and run["state"] in ACTIVE_STATES:
        base["progress"] = run_progress(session, dag_id, run_id, state=run["state"])
    if report is None:
        if run is not None and run["state"] in ACTIVE_STATES:
            reason, message = "not_yet", "No report for this run yet: it is still running (its progress below)."
        elif run is None:
            reason, message = "unknown_run", "No report for this run: no such run."
        else:
            reason, message = "missing", "No report for this run: it ended before its report task wrote one."
        return {**base, "report": None, "reason": reason, "message": message}
    rows = report.get("rows") or []
    lost = (inventory or default_inventory()).lost_of_run(dag_id, run_id)
    outcomes, missing = reports.tally(dag_id, report)
    counts = counts_of(outcomes, missing, len(lost))
    matched = filter_rows(dag_id, rows, outcome=outcome, q=q, lost=lost)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset))
    order_urls = report.get("order_urls") or {}
    page = [
        {
            **r,
            "lost": r.get("number") in lost,
            "loa_missing": loa_missing(dag_id, r),
            "order_url": order_urls.get(r.get("order_id") or ""),
        }
        for r in matched[offset : offset + limit]
    ]
    return {
        **base,
        "report": {
            "source": source,
            "finished_at": report.get("finished_at"),
            "summary": report.get("summary") or {},
            "dry_run": bool(report.get("dry_run")),
            "approval": report.get("approval"),
        },
        "counts": counts,
        "bar": bar_of(counts),
        "attention": needs_attention(counts, run["state"] if run else None),
        "outcomes": [{"outcome": o, "count": n} for o, n in sorted(outcomes.items(), key=lambda x: str(x[0]))],
        "duplicates": list(report.get("duplicates") or []),
        "columns": COLUMNS,
        "total": len(rows),
        "matched": len(matched),
        "offset": offset,
        "limit": limit,
        "rows": page,
    }


def progress_detail(session: Session, dag_id: str, run_id: str) -> dict[str, Any]:
    """
    What the page asks every few seconds while a run is going: the run (its state) and its progress
    (:func:`~.progress.run_progress`); ``active`` turns false once the run has finished (the page then reloads
    the run with its report).
    """
    run = get_run(session, dag_id, run_id)
    active = run is not None and run["state"] in ACTIVE_STATES
    progress = run_progress(session, dag_id, run_id, state=run["state"]) if run and is_report_dag(dag_id) else None
    return {"dag_id": dag_id, "run_id": run_id, "run": run, "active": active, "progress": progress}


def run_csv(
    session: Session,
    dag_id: str,
    run_id: str,
    *,
    outcome: str | None = None,
    q: str | None = None,
    reports: ReportStore | None = None,
    inventory: Inventory | None = None,
) -> str | None:
    """The run's rows (filtered as on the page) as CSV with the report's columns; ``None`` without a report."""
    reports = reports or store()
    if not is_report_dag(dag_id):
        return None
    report, _ = full_report(session, dag_id, run_id, get_run(session, dag_id, run_id), reports)
    if report is None:
        return None
    lost = (inventory or default_inventory()).lost_of_run(dag_id, run_id)
    rows = filter_rows(dag_id, report.get("rows") or [], outcome=outcome, q=q, lost=lost)
    return render.to_csv(rows, COLUMNS)


def page_load(
    dag_id: str,
    run_id: str,
    *,
    reports: ReportStore | None = None,
    session: Session | None = None,
    inventory: Inventory | None = None,
) -> dict[str, Any]:
    """
    What the page requests when a person opens a run (the overview, then the run's first page of rows), as
    the API answers it; for benchmarks: time a cold call (first read of the report) and warm ones.
    """
    if session is None:
        from airflow.utils.session import create_session

        with create_session() as new_session:
            return page_load(dag_id, run_id, reports=reports, session=new_session, inventory=inventory)
    inventory = inventory or default_inventory()
    return {
        "overview": overview(session, reports=reports, inventory=inventory),
        "run": run_detail(session, dag_id, run_id, reports=reports, inventory=inventory),
    }
