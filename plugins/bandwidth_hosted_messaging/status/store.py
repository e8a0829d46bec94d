"""
The runs' reports as the status page reads them, cached: a :class:`ReportStore` lists the report files under
``report_base()`` (through ``ObjectStoragePath``, so any object store works) once per :data:`SCAN_INTERVAL` seconds
(one ``find`` call) and parses a file again only when its size or modification time changed. Each run is kept as a
small digest (summary, counts per outcome); the last few full reports are kept for the run detail. So after
its first read, a 10,000-number run is filtered, paged and served in milliseconds.

Which numbers are hosted, removed or lost, and a number's history, are not read here: the hosted-number inventory
answers them (:mod:`bandwidth_hosted_messaging.inventory`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.constants import REPORT_JSON
from bandwidth_hosted_messaging.reporting.storage import run_folder_name
from bandwidth_hosted_messaging.status.categories import is_report_dag, tally

#: Each outcome's count and how many rows owe an LOA (:func:`~.categories.tally`).
Tally = tuple[Counter[str], int]

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

log = logging.getLogger(__name__)

#: Seconds between two listings of the report folder (requests in between reuse the last one).
SCAN_INTERVAL = 1.0
#: Full reports (every row) kept in memory for the run detail and CSV.
FULL_REPORTS_KEPT = 6


@dataclass(frozen=True)
class RunDigest:
    """What the overview needs of one run's report (not its rows)."""

    dag_id: str
    run_id: str
    folder: str
    finished_at: str | None
    summary: dict[str, int]
    #: How many numbers ended with each outcome.
    outcomes: Counter[str]
    loa_missing: int
    duplicates: int

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


def in_one_form(report: dict[str, Any]) -> dict[str, Any]:
    """The report with every row's number (and duplicate) in E.164: reports written before held ten digits."""
    for row in report.get("rows") or ():
        if isinstance(row, dict) and row.get("number") is not None:
            row["number"] = canonical(str(row["number"]))
    if isinstance(report.get("duplicates"), list):
        report["duplicates"] = [canonical(str(n)) for n in report["duplicates"]]
    for loss in report.get("lost") or ():
        if isinstance(loss, dict) and loss.get("number") is not None:
            loss["number"] = canonical(str(loss["number"]))
    return report


def digest(report: Mapping[str, Any], dag_id: str, folder: str) -> RunDigest:
    outcomes, missing = tally(dag_id, report.get("rows") or ())
    return RunDigest(
        dag_id=str(report.get("dag_id") or dag_id),
        run_id=str(report.get("run_id") or folder),
        folder=folder,
        finished_at=report.get("finished_at"),
        summary=dict(report.get("summary") or {}),
        outcomes=outcomes,
        loa_missing=missing,
        duplicates=len(report.get("duplicates") or ()),
    )


def _signature(info: Mapping[str, Any]) -> tuple:
    changed = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("updated")
    return (info.get("size"), str(changed), info.get("ETag") or info.get("etag"))


class ReportStore:
    """
    The reports under ``base`` (default :func:`~bandwidth_hosted_messaging.reporting.storage.report_base`), cached.

    Thread-safe: the API server answers requests from a thread pool.

    :param base: the report folder (any object-storage URL).
    :param scan_interval: seconds between two listings of the folder.
    :param full_reports: how many full reports (every row) to keep.
    """

    def __init__(
        self,
        base: ObjectStoragePath | None = None,
        *,
        scan_interval: float = SCAN_INTERVAL,
        full_reports: int = FULL_REPORTS_KEPT,
    ) -> None:
        self._base = base
        self.scan_interval = scan_interval
        self.full_reports = full_reports
        self._lock = threading.RLock()
        self._scanned_at = float("-inf")
        self._files: dict[tuple[str, str, str], tuple] = {}  # (dag folder, run folder, file) -> signature
        self._digests: dict[tuple[str, str], RunDigest] = {}
        #: key -> (signature, full report, its tally once counted)
        self._full: OrderedDict[tuple[str, str], tuple[tuple, dict[str, Any], Tally | None]] = OrderedDict()

    @property
    def base(self) -> ObjectStoragePath:
        if self._base is None:
            from bandwidth_hosted_messaging.reporting.storage import report_base

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
            parts = name[len(root) :].split("/")
            if len(parts) != 3:
                continue
            dag_id, folder, file = parts
            if file == REPORT_JSON and is_report_dag(dag_id):
                found[(dag_id, folder, file)] = _signature(info)
        return found

    def _read_json(self, dag_id: str, folder: str, file: str) -> dict[str, Any] | None:
        path = self.base / dag_id / folder / file
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            log.warning("Status page: skipping %s (%s)", path, err)
            return None
        return in_one_form(data) if isinstance(data, dict) else None

    def refresh(self, force: bool = False) -> None:
        """List the folder again (at most every ``scan_interval`` seconds) and read what changed."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._scanned_at < self.scan_interval:
                return
            files = self._list()
            for dag_id, folder, _ in set(self._files) - set(files):
                self._digests.pop((dag_id, folder), None)
            for key, signature in files.items():
                if self._files.get(key) == signature:
                    continue
                dag_id, folder, file = key
                data = self._read_json(dag_id, folder, file)
                if data is None:
                    self._digests.pop((dag_id, folder), None)
                else:
                    run = self._digests[(dag_id, folder)] = digest(data, dag_id, folder)
                    # the detail will want it next, with the counts just made
                    self.remember((dag_id, folder), signature, data, (run.outcomes, run.loa_missing))
            self._files = files
            self._scanned_at = time.monotonic()

    # -- reading ------------------------------------------------------------------------------------------------
    def digests(self) -> list[RunDigest]:
        self.refresh()
        with self._lock:
            return list(self._digests.values())

    def digest_of(self, dag_id: str, run_id: str) -> RunDigest | None:
        self.refresh()
        with self._lock:
            digest = self._digests.get((dag_id, run_folder_name(run_id)))
        return digest if digest is not None and digest.run_id == run_id else None

    def report(self, dag_id: str, run_id: str) -> dict[str, Any] | None:
        """The full ``report.json`` of a run (every row), or ``None`` when there is none."""
        self.refresh()
        key = (dag_id, run_folder_name(run_id))
        with self._lock:
            signature = self._files.get((*key, REPORT_JSON))
            if signature is None:
                return None
            cached = self._full.get(key)
            if cached is not None and cached[0] == signature and cached[1].get("run_id", run_id) == run_id:
                self._full.move_to_end(key)
                return cached[1]
        data = self._read_json(*key, REPORT_JSON)
        if data is None or data.get("run_id", run_id) != run_id:
            return None
        self.remember(key, signature, data)
        return data

    def remember(
        self, key: tuple[str, str], signature: tuple, report: dict[str, Any], tallied: Tally | None = None
    ) -> None:
        """Keep a full report (LRU) under ``key`` while its ``signature`` holds (with its tally, when known)."""
        with self._lock:
            self._full[key] = (signature, report, tallied)
            self._full.move_to_end(key)
            while len(self._full) > self.full_reports:
                self._full.popitem(last=False)

    def cached(self, key: tuple[str, str], signature: tuple) -> dict[str, Any] | None:
        with self._lock:
            hit = self._full.get(key)
            return hit[1] if hit is not None and hit[0] == signature else None

    def tally(self, dag_id: str, report: Mapping[str, Any]) -> Tally:
        """
        :func:`~.categories.tally` of ``report``'s rows, counted once per report this store keeps: a report the
        folder's listing read comes with the counts its digest made (a 100,000-row run is not counted twice on
        its first page); any other is counted here and kept with it.
        """
        with self._lock:
            entry = next(((k, e) for k, e in self._full.items() if e[1] is report), None)
        if entry is not None and entry[1][2] is not None:
            return entry[1][2]
        counted = tally(dag_id, report.get("rows") or ())
        if entry is not None:
            with self._lock:
                key, (signature, kept, _) = entry
                if self._full.get(key, (None, None))[1] is kept:
                    self._full[key] = (signature, kept, counted)
        return counted


_STORE: ReportStore | None = None
_STORE_LOCK = threading.Lock()


def store() -> ReportStore:
    """The process's store of the configured ``report_base``."""
    global _STORE
    with _STORE_LOCK:
        if _STORE is None:
            _STORE = ReportStore()
        return _STORE
