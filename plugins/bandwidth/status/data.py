"""
What the status page shows, read from what the DAGs recorded: the runs in the metadata database, each run's
``report.json`` under :func:`~bandwidth.artifacts.report_base` (through ``ObjectStoragePath``, so any
object store works; the report XCom when the file is missing) and the ledger of hosted numbers. Never Bandwidth.

Speed: a :class:`ReportStore` lists the report files once per :data:`SCAN_INTERVAL` seconds (one ``find`` call)
and parses a file again only when its size or modification time changed. Each run is kept as a small digest
(summary, counts, number → outcome); the last few full reports are kept for the run detail. So after its first
read, a 10,000-number run is filtered, paged and served in milliseconds. :func:`page_load` is what the page
requests when it opens a run, for benchmarks.

Everything here returns plain JSON-ready dicts; :mod:`bandwidth.status.api` only adds HTTP and auth.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bandwidth import ledger as ledger_module
from bandwidth.artifacts import run_folder_name
from bandwidth.ledger import BATCH_DAG_PREFIX, HEALTH_DAG, IMPORT_DAG, LOSSES_FILE, REMOVE_DAG, iso, is_import_dag
from bandwidth.report import COLUMNS, Outcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from airflow.sdk import ObjectStoragePath

log = logging.getLogger(__name__)

REPORT_FILE = "report.json"
#: The task whose return value is the report (XCom fallback when ``report.json`` is missing).
REPORT_TASK_ID = "report"
#: Seconds between two listings of the report folder (requests in between reuse the last one).
SCAN_INTERVAL = 1.0
#: Full reports (every row) kept in memory for the run detail and CSV.
FULL_REPORTS_KEPT = 6
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
DEFAULT_RUNS = 200

#: Outcomes of numbers whose order went through (an LOA was due for them).
_ORDERED_OK = frozenset({Outcome.IN_SERVICE, Outcome.NOT_IN_SERVICE})
_ACTIVE_STATES = frozenset({"queued", "running"})


@dataclass(frozen=True)
class Category:
    """A count on the overview: which outcomes it adds up, and how it looks (``ok``, ``info``, ``warn``, ``bad``)."""

    key: str
    label: str
    outcomes: tuple[str, ...]
    tone: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "tone": self.tone}


#: The overview's counts, in the order shown. ``loa_missing`` and ``lost`` are not outcomes: ``loa_missing``
#: counts numbers whose order went through but whose order has no LOA file; ``lost`` counts numbers this run
#: imported that a health run found lost since (from the ledger).
CATEGORIES: tuple[Category, ...] = (
    Category("in_service", "In service", (Outcome.IN_SERVICE, Outcome.ALREADY_IN_SERVICE), "ok"),
    Category("rejected", "Rejected by the checker", (Outcome.REJECTED,), "info"),
    Category("order_failed", "Failed in the order", (Outcome.ORDER_FAILED,), "bad"),
    Category("not_ordered", "Not ordered", (Outcome.NOT_ORDERED,), "bad"),
    Category("loa_missing", "LOA missing", (), "warn"),
    Category("not_in_service", "Not in service after the grace period", (Outcome.NOT_IN_SERVICE,), "bad"),
    Category("removed", "Removed", (Outcome.REMOVED,), "ok"),
    Category(
        "remove_failed", "Remove failed or still in service", (Outcome.REMOVE_FAILED, Outcome.STILL_IN_SERVICE), "bad"
    ),
    Category("lost", "Lost since", (), "bad"),
)
_BY_KEY = {c.key: c for c in CATEGORIES}
#: Segments of the per-run bar: every number in exactly one (lost ones are taken out of ``in_service``).
BAR_SEGMENTS = (
    "in_service", "lost", "rejected", "order_failed", "not_ordered", "not_in_service", "removed", "remove_failed"
)
#: Row filters besides the outcomes themselves.
FILTER_ATTENTION, FILTER_LOA_MISSING, FILTER_LOST = "attention", "loa_missing", "lost"
#: ``cat:<category key>``: the outcomes a category adds up (``cat:in_service`` = in service + already in service).
FILTER_CATEGORY = "cat:"


class NotANumber(ValueError):
    """The look-up text is not a 10-digit NANP number."""


# ---- small helpers ------------------------------------------------------------------------------------------


def is_report_dag(dag_id: str) -> bool:
    """An import (manual or batch) or remove DAG: its runs write a per-number report."""
    return is_import_dag(dag_id) or dag_id == REMOVE_DAG


def run_kind(dag_id: str) -> str:
    return "remove" if dag_id == REMOVE_DAG else "import"


def batch_name(dag_id: str) -> str | None:
    return dag_id[len(BATCH_DAG_PREFIX):] if dag_id.startswith(BATCH_DAG_PREFIX) else None


def normalize_number(text: str) -> str:
    """``+1 (303) 555-0100`` → ``3035550100``; anything that is not ten NANP digits raises :class:`NotANumber`."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", digits):
        raise NotANumber(f"{text!r} is not a 10-digit North American number")
    return digits


def search_digits(text: str | None) -> str:
    """The digits to search for in numbers (a leading country code 1 of an 11-digit entry dropped)."""
    digits = re.sub(r"\D", "", text or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _time(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def loa_missing(dag_id: str, row: Mapping[str, Any]) -> bool:
    """The number's import order went through, yet no LOA file is recorded for that order."""
    ordered = row.get("outcome") in _ORDERED_OK and bool(row.get("order_id"))
    return is_import_dag(dag_id) and ordered and not row.get("loa_file")


def counts_of(dag_id: str, outcomes: Counter, loa_missing_count: int, lost_count: int) -> dict[str, int]:
    counts = {c.key: sum(outcomes.get(o, 0) for o in c.outcomes) for c in CATEGORIES}
    counts["loa_missing"], counts["lost"] = loa_missing_count, lost_count
    return counts


def bar_of(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The run's bar: one segment per category with numbers in it (lost ones out of ``in_service``)."""
    values = {key: counts.get(key, 0) for key in BAR_SEGMENTS}
    values["in_service"] = max(0, values["in_service"] - values["lost"])
    return [{"key": k, "count": v, "tone": _BY_KEY[k].tone} for k, v in values.items() if v]


def needs_attention(counts: Mapping[str, int], state: str | None) -> bool:
    """Red flag on the overview: the run failed, or some number did not end as it should, or was lost."""
    bad = any(counts.get(c.key, 0) for c in CATEGORIES if c.tone in ("bad", "warn"))
    return bad or state == "failed"


# ---- the reports --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunDigest:
    """What the overview, the ledger and the look-up need of one run's report (not its rows)."""

    dag_id: str
    run_id: str
    folder: str
    finished_at: str | None
    summary: dict[str, int]
    outcomes: dict[str, str]
    loa_missing: int
    duplicates: int

    @property
    def total(self) -> int:
        return len(self.outcomes)


def digest(report: Mapping[str, Any], dag_id: str, folder: str) -> RunDigest:
    rows = report.get("rows") or ()
    return RunDigest(
        dag_id=str(report.get("dag_id") or dag_id),
        run_id=str(report.get("run_id") or folder),
        folder=folder,
        finished_at=report.get("finished_at"),
        summary=dict(report.get("summary") or {}),
        outcomes={str(r.get("number")): str(r.get("outcome")) for r in rows},
        loa_missing=sum(1 for r in rows if loa_missing(dag_id, r)),
        duplicates=len(report.get("duplicates") or ()),
    )


def _signature(info: Mapping[str, Any]) -> tuple:
    changed = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("updated")
    return (info.get("size"), str(changed), info.get("ETag") or info.get("etag"))


class ReportStore:
    """
    The reports under ``base`` (default :func:`~bandwidth.artifacts.report_base`), cached.

    Thread-safe: the API server answers requests from a thread pool.

    :param base: the report folder (any object-storage URL).
    :param scan_interval: seconds between two listings of the folder.
    :param full_reports: how many full reports (every row) to keep.
    """

    def __init__(self, base: ObjectStoragePath | None = None, *, scan_interval: float = SCAN_INTERVAL,
                 full_reports: int = FULL_REPORTS_KEPT) -> None:
        self._base = base
        self.scan_interval = scan_interval
        self.full_reports = full_reports
        self._lock = threading.RLock()
        self._scanned_at = float("-inf")
        self._files: dict[tuple[str, str, str], tuple] = {}  # (dag folder, run folder, file) -> signature
        self._digests: dict[tuple[str, str], RunDigest] = {}
        self._losses: dict[str, dict[str, Any]] = {}  # health run folder -> losses.json
        self._full: OrderedDict[tuple[str, str], tuple[tuple, dict[str, Any]]] = OrderedDict()
        self._generation = 0
        self._ledger: tuple[int, ledger_module.Ledger] | None = None

    @property
    def base(self) -> ObjectStoragePath:
        if self._base is None:
            from bandwidth.artifacts import report_base

            self._base = report_base()
        return self._base

    # -- listing and parsing ------------------------------------------------------------------------------------
    def _list(self) -> dict[tuple[str, str, str], tuple]:
        base = self.base
        root = base.path.rstrip("/") + "/"
        try:
            listing = base.fs.find(base.path, detail=True, maxdepth=3)
        except FileNotFoundError:
            return {}
        found = {}
        for name, info in listing.items():
            name = name.split("://", 1)[-1]
            if not name.startswith(root) or info.get("type") not in (None, "file"):
                continue
            parts = name[len(root):].split("/")
            if len(parts) != 3:
                continue
            dag_id, folder, file = parts
            if (file == REPORT_FILE and is_report_dag(dag_id)) or (dag_id == HEALTH_DAG and file == LOSSES_FILE):
                found[(dag_id, folder, file)] = _signature(info)
        return found

    def _read_json(self, dag_id: str, folder: str, file: str) -> dict[str, Any] | None:
        path = self.base / dag_id / folder / file
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            log.warning("Status page: skipping %s (%s)", path, err)
            return None
        return data if isinstance(data, dict) else None

    def refresh(self, force: bool = False) -> None:
        """List the folder again (at most every ``scan_interval`` seconds) and read what changed."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._scanned_at < self.scan_interval:
                return
            files = self._list()
            changed = False
            for key in set(self._files) - set(files):
                dag_id, folder, file = key
                if file == REPORT_FILE:
                    self._digests.pop((dag_id, folder), None)
                else:
                    self._losses.pop(folder, None)
                changed = True
            for key, signature in files.items():
                if self._files.get(key) == signature:
                    continue
                dag_id, folder, file = key
                data = self._read_json(dag_id, folder, file)
                if file == REPORT_FILE:
                    if data is None:
                        self._digests.pop((dag_id, folder), None)
                    else:
                        self._digests[(dag_id, folder)] = digest(data, dag_id, folder)
                        self.remember((dag_id, folder), signature, data)  # the detail will want it next
                elif data is not None:
                    data.setdefault("dag_id", dag_id)
                    data.setdefault("run_id", folder)
                    self._losses[folder] = data
                changed = True
            self._files = files
            self._scanned_at = time.monotonic()
            if changed:
                self._generation += 1

    # -- reading ------------------------------------------------------------------------------------------------
    def digests(self) -> list[RunDigest]:
        self.refresh()
        with self._lock:
            return list(self._digests.values())

    def digest_of(self, dag_id: str, run_id: str) -> RunDigest | None:
        self.refresh()
        with self._lock:
            return self._digests.get((dag_id, run_folder_name(run_id)))

    def losses(self) -> list[dict[str, Any]]:
        self.refresh()
        with self._lock:
            return list(self._losses.values())

    def report(self, dag_id: str, run_id: str) -> dict[str, Any] | None:
        """The full ``report.json`` of a run (every row), or ``None`` when there is none."""
        self.refresh()
        key = (dag_id, run_folder_name(run_id))
        with self._lock:
            signature = self._files.get((*key, REPORT_FILE))
            if signature is None:
                return None
            cached = self._full.get(key)
            if cached is not None and cached[0] == signature:
                self._full.move_to_end(key)
                return cached[1]
        data = self._read_json(*key, REPORT_FILE)
        if data is None or data.get("run_id", run_id) != run_id:
            return None
        self.remember(key, signature, data)
        return data

    def remember(self, key: tuple[str, str], signature: tuple, report: dict[str, Any]) -> None:
        """Keep a full report (LRU) under ``key`` while its ``signature`` holds."""
        with self._lock:
            self._full[key] = (signature, report)
            self._full.move_to_end(key)
            while len(self._full) > self.full_reports:
                self._full.popitem(last=False)

    def cached(self, key: tuple[str, str], signature: tuple) -> dict[str, Any] | None:
        with self._lock:
            hit = self._full.get(key)
            return hit[1] if hit is not None and hit[0] == signature else None

    def ledger(self) -> ledger_module.Ledger:
        """The ledger of hosted numbers, folded from the digests (rebuilt only when a report changed)."""
        self.refresh()
        with self._lock:
            if self._ledger is not None and self._ledger[0] == self._generation:
                return self._ledger[1]
            generation = self._generation
            sources: list[Mapping[str, Any]] = [
                {
                    "dag_id": d.dag_id,
                    "run_id": d.run_id,
                    "finished_at": d.finished_at,
                    "rows": [{"number": n, "outcome": o} for n, o in d.outcomes.items()
                             if o in ledger_module.IMPORTED_OUTCOMES or o == Outcome.REMOVED],
                }
                for d in self._digests.values()
            ]
            sources += list(self._losses.values())
        built = ledger_module.build_ledger(sources)
        with self._lock:
            self._ledger = (generation, built)
        return built

    def lost_by_run(self) -> dict[tuple[str, str], set[str]]:
        """``{(dag_id, run_id): numbers}``: the numbers each run imported that are lost now."""
        lost: dict[tuple[str, str], set[str]] = {}
        for record in self.ledger().with_status(ledger_module.LOST):
            lost.setdefault((record.imported.dag_id, record.imported.run_id), set()).add(record.number)
        return lost


_STORE: ReportStore | None = None
_STORE_LOCK = threading.Lock()


def store() -> ReportStore:
    """The process's store of the configured ``report_base``."""
    global _STORE
    with _STORE_LOCK:
        if _STORE is None:
            _STORE = ReportStore()
        return _STORE


# ---- the runs in the metadata database ---------------------------------------------------------------------


def _report_dags_clause():
    from sqlalchemy import or_

    from airflow.models.dagrun import DagRun

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

    return (DagRun.dag_id, DagRun.run_id, DagRun.state, DagRun.run_type, DagRun.triggering_user_name,
            DagRun.run_after, DagRun.start_date, DagRun.end_date)


def list_runs(
    session: Session, *, dag_ids: Iterable[str] | None = None, limit: int = DEFAULT_RUNS
) -> list[dict[str, Any]]:
    """The newest runs of the import and remove DAGs (``dag_ids``: only those), newest first."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun

    query = select(*_run_columns()).where(_report_dags_clause())
    if dag_ids is not None:
        query = query.where(DagRun.dag_id.in_(list(dag_ids)))
    query = query.order_by(DagRun.run_after.desc(), DagRun.id.desc()).limit(limit)
    return [_run_dict(row) for row in session.execute(query)]


def get_run(session: Session, dag_id: str, run_id: str) -> dict[str, Any] | None:
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun

    row = session.execute(select(*_run_columns()).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)).first()
    return _run_dict(row) if row is not None else None


_LABELS: dict[tuple[str, str], str | None] = {}


def subscriber_names(session: Session, run_ids: Sequence[str]) -> dict[str, str | None]:
    """The subscriber name each manual import run was triggered with (from its conf; cached: confs do not change)."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun

    missing = [r for r in run_ids if (IMPORT_DAG, r) not in _LABELS]
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        query = select(DagRun.run_id, DagRun.conf).where(DagRun.dag_id == IMPORT_DAG, DagRun.run_id.in_(chunk))
        for run_id, conf in session.execute(query):
            name = conf.get("subscriber_name") if isinstance(conf, dict) else None
            _LABELS[(IMPORT_DAG, run_id)] = str(name) if name else None
    return {r: _LABELS.get((IMPORT_DAG, r)) for r in run_ids}


def report_from_xcom(session: Session, dag_id: str, run_id: str) -> dict[str, Any] | None:
    """The ``report`` task's return value (the report, as the run returned it), if the database has it."""
    from airflow.models.xcom import XComModel

    query = XComModel.get_many(run_id=run_id, key="return_value", task_ids=REPORT_TASK_ID, dag_ids=dag_id,
                               map_indexes=-1, limit=1)
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


def label_of(dag_id: str, subscriber: str | None = None) -> str:
    """What the overview's "Batch" column says: the batch name, the form's subscriber, or the removal."""
    if dag_id == REMOVE_DAG:
        return "removal"
    return batch_name(dag_id) or (f"{subscriber} (form)" if subscriber else "form")


# ---- what the page asks for ---------------------------------------------------------------------------------


def overview(session: Session, *, readable: set[str] | None = None, limit: int = DEFAULT_RUNS,
             reports: ReportStore | None = None) -> dict[str, Any]:
    """
    Every import and remove run (newest first, at most ``limit``): batch, when, who triggered it, its state,
    the counts per category and its bar. Runs whose report exists but whose DAG run is no longer in the
    database are listed too (state ``None``).

    :param readable: the DAG ids the user may read (``None``: all).
    """
    reports = reports or store()
    digests = {(d.dag_id, d.run_id): d for d in reports.digests() if readable is None or d.dag_id in readable}
    dag_ids = sorted(d for d in readable if is_report_dag(d)) if readable is not None else None
    runs = list_runs(session, dag_ids=dag_ids, limit=limit)
    seen = {(r["dag_id"], r["run_id"]) for r in runs}
    for key, d in digests.items():
        if key not in seen:
            runs.append({"dag_id": d.dag_id, "run_id": d.run_id, "state": None, "run_type": None, "triggered_by": None,
                         "triggering_user_name": None, "run_after": d.finished_at, "start_date": None,
                         "end_date": d.finished_at})
    runs.sort(key=lambda r: r["run_after"] or "", reverse=True)
    runs = runs[:limit]
    names = subscriber_names(session, [r["run_id"] for r in runs if r["dag_id"] == IMPORT_DAG])
    lost = reports.lost_by_run()
    out = []
    for run in runs:
        d = digests.get((run["dag_id"], run["run_id"]))
        item = {**run, "kind": run_kind(run["dag_id"]), "batch": label_of(run["dag_id"], names.get(run["run_id"]))}
        if d is None:
            item.update(has_report=False, total=None, finished_at=None, counts=None, bar=[],
                        attention=run["state"] == "failed")
        else:
            counts = counts_of(d.dag_id, Counter(d.outcomes.values()), d.loa_missing,
                               len(lost.get((d.dag_id, d.run_id), ())))
            item.update(has_report=True, total=d.total, finished_at=d.finished_at, counts=counts, bar=bar_of(counts),
                        attention=needs_attention(counts, run["state"]))
        out.append(item)
    return {"categories": [c.to_dict() for c in CATEGORIES], "runs": out, "limit": limit}


def _full_report(session: Session, dag_id: str, run_id: str, run: Mapping[str, Any] | None,
                 reports: ReportStore) -> tuple[dict[str, Any] | None, str | None]:
    report = reports.report(dag_id, run_id)
    if report is not None:
        return report, "artefact"
    if run is None or run["state"] in _ACTIVE_STATES:
        return None, None
    key, signature = (dag_id, "xcom:" + run_id), ("xcom", run["end_date"])
    report = reports.cached(key, signature)
    if report is None:
        report = report_from_xcom(session, dag_id, run_id)
        if report is not None:
            reports.remember(key, signature, report)
    return (report, "xcom") if report is not None else (None, None)


def filter_rows(dag_id: str, rows: Sequence[Mapping[str, Any]], *, outcome: str | None = None, q: str | None = None,
                lost: set[str] | frozenset[str] = frozenset()) -> list[Mapping[str, Any]]:
    """
    The rows matching an outcome filter and a number search.

    :param outcome: an outcome (``in_service``, ``order_failed``...), ``cat:<category>`` (its outcomes),
        ``attention`` (every row that did not end as it should, an LOA missing or lost), ``loa_missing`` or
        ``lost``; empty: all.
    :param q: digits to find in the number (``+1``, dashes, spaces are ignored).
    """
    digits = search_digits(q)
    if outcome == FILTER_ATTENTION:
        def keep(r):
            return (r.get("outcome") not in Outcome.SUCCESSFUL or loa_missing(dag_id, r) or r.get("number") in lost)
    elif outcome == FILTER_LOA_MISSING:
        def keep(r):
            return loa_missing(dag_id, r)
    elif outcome == FILTER_LOST:
        def keep(r):
            return r.get("number") in lost
    elif outcome and outcome.startswith(FILTER_CATEGORY) and outcome[len(FILTER_CATEGORY):] in _BY_KEY:
        wanted = frozenset(_BY_KEY[outcome[len(FILTER_CATEGORY):]].outcomes)

        def keep(r):
            return r.get("outcome") in wanted
    elif outcome:
        def keep(r):
            return r.get("outcome") == outcome
    else:
        def keep(r):
            return True
    return [r for r in rows if keep(r) and (not digits or digits in str(r.get("number", "")))]


def run_detail(session: Session, dag_id: str, run_id: str, *, outcome: str | None = None, q: str | None = None,
               offset: int = 0, limit: int = DEFAULT_PAGE_SIZE, reports: ReportStore | None = None) -> dict[str, Any]:
    """
    One run: its state, counts, and one page of its per-number rows (filtered by outcome, searched by number).
    ``report`` is ``None`` (with ``reason``) when the DAG writes no report, the run has not written it yet, or
    never did.
    """
    reports = reports or store()
    run = get_run(session, dag_id, run_id)
    categories = [c.to_dict() for c in CATEGORIES]
    base: dict[str, Any] = {"dag_id": dag_id, "run_id": run_id, "run": run, "categories": categories}
    if not is_report_dag(dag_id):
        return {**base, "report": None, "reason": "not_a_report_dag",
                "message": f"No report for this run: {dag_id} is not an import or remove DAG."}
    names = subscriber_names(session, [run_id]) if dag_id == IMPORT_DAG else {}
    base.update(kind=run_kind(dag_id), batch=label_of(dag_id, names.get(run_id)))
    report, source = _full_report(session, dag_id, run_id, run, reports)
    if report is None:
        if run is not None and run["state"] in _ACTIVE_STATES:
            reason, message = "not_yet", "No report for this run yet: it is still running."
        elif run is None:
            reason, message = "unknown_run", "No report for this run: no such run."
        else:
            reason, message = "missing", "No report for this run: it ended before its report task wrote one."
        return {**base, "report": None, "reason": reason, "message": message}
    rows = report.get("rows") or []
    lost = reports.lost_by_run().get((dag_id, run_id), set())
    outcomes = Counter(r.get("outcome") for r in rows)
    counts = counts_of(dag_id, outcomes, sum(1 for r in rows if loa_missing(dag_id, r)), len(lost))
    matched = filter_rows(dag_id, rows, outcome=outcome, q=q, lost=lost)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset))
    page = [{**r, "lost": r.get("number") in lost, "loa_missing": loa_missing(dag_id, r)}
            for r in matched[offset:offset + limit]]
    return {
        **base,
        "report": {"source": source, "finished_at": report.get("finished_at"), "summary": report.get("summary") or {}},
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


def run_csv(session: Session, dag_id: str, run_id: str, *, outcome: str | None = None, q: str | None = None,
            reports: ReportStore | None = None) -> str | None:
    """The run's rows (filtered as on the page) as CSV with the report's columns; ``None`` without a report."""
    reports = reports or store()
    if not is_report_dag(dag_id):
        return None
    report, _ = _full_report(session, dag_id, run_id, get_run(session, dag_id, run_id), reports)
    if report is None:
        return None
    lost = reports.lost_by_run().get((dag_id, run_id), set())
    rows = filter_rows(dag_id, report.get("rows") or [], outcome=outcome, q=q, lost=lost)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})
    return out.getvalue()


def number_history(
    number: str, *, readable: set[str] | None = None, reports: ReportStore | None = None
) -> dict[str, Any]:
    """
    A number across runs: its ledger status now (hosted, removed, lost; the import that brought it in), and
    every run that had it (import, remove: outcome and the row's details; health: when it was found lost),
    oldest first.

    :raises NotANumber: when ``number`` is not a North American number.
    """
    reports = reports or store()
    number = normalize_number(number)
    history: list[dict[str, Any]] = []
    for d in reports.digests():
        if number not in d.outcomes or (readable is not None and d.dag_id not in readable):
            continue
        entry = {"event": run_kind(d.dag_id), "dag_id": d.dag_id, "run_id": d.run_id, "at": d.finished_at,
                 "outcome": d.outcomes[number], "batch": label_of(d.dag_id)}
        full = reports.report(d.dag_id, d.run_id)
        row = next((r for r in (full or {}).get("rows") or () if r.get("number") == number), None)
        if row is not None:
            entry["row"] = {k: row.get(k) for k in COLUMNS}
        history.append(entry)
    for losses in reports.losses():
        if readable is not None and HEALTH_DAG not in readable:
            break
        for loss in losses.get("lost") or ():
            if loss.get("number") == number:
                history.append({"event": "lost", "dag_id": losses.get("dag_id"), "run_id": losses.get("run_id"),
                                "at": loss.get("noticed_at") or losses.get("finished_at"), "outcome": "lost",
                                "messaging_lost_event": loss.get("messaging_lost_event")})
    history.sort(key=lambda e: ledger_module.parse_time(e.get("at")) or ledger_module.EPOCH)
    record = reports.ledger().get(number)
    visible = record is not None and (readable is None or record.imported.dag_id in readable)
    current = record.to_dict() if visible else None
    return {"number": number, "ledger": current, "history": history}


def page_load(
    dag_id: str, run_id: str, *, reports: ReportStore | None = None, session: Session | None = None
) -> dict[str, Any]:
    """
    What the page requests when a person opens a run (the overview, then the run's first page of rows), as
    the API answers it; for benchmarks: time a cold call (first read of the report) and warm ones.
    """
    if session is None:
        from airflow.utils.session import create_session

        with create_session() as new_session:
            return page_load(dag_id, run_id, reports=reports, session=new_session)
    return {"overview": overview(session, reports=reports), "run": run_detail(session, dag_id, run_id, reports=reports)}
