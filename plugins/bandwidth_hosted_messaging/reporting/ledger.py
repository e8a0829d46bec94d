"""
The ledger of hosted numbers: every number this project imported and has not removed since, with the losses the
health runs noticed. Plain functions, no network, no database.

This module holds the **folding rules** (:func:`apply`, the table below) and the **file folding** of the reports
(:func:`read_reports`, :func:`build_ledger`). Since issue 18 the live record is the hosted-number inventory, a
real database (:mod:`bandwidth_hosted_messaging.inventory`): every reader (the health DAG, the status page, the
CSV export) asks it, and it folds each number's events with the same :func:`apply`. The file folding here is
kept as the **backfill path** only: ``airflow bandwidth inventory backfill`` builds the inventory from every
report under the report base, and the tests compare the two.

Sources, all under :func:`~bandwidth.artifacts.report_base` (read through ``ObjectStoragePath``, so any
object store works), one folder per run:

- ``hosted_messaging_import/<run>/report.json`` and ``import_batch_<name>/<run>/report.json``: rows with outcome
  ``in_service`` or ``already_in_service`` are imports;
- ``hosted_messaging_remove/<run>/report.json``: rows with outcome ``removed`` are removals;
- ``hosted_numbers_health/<run>/losses.json``: the numbers that health run found lost, and when. (Its
  ``report.json`` has one row per checked number; the ledger reads only this small file, so a daily check of
  tens of thousands of numbers does not make every later read slower.)

Everything is folded in time order (the report's ``finished_at``; a report written before that field existed
counts at its file's modification time), number by number:

==========================  ==============================================================================
import                      not hosted (new, removed or lost) → ``hosted``; this import is kept as the one
                            that brought it in. An import of a number already hosted changes nothing.
remove                      ``hosted`` or ``lost`` → ``removed``
health loss                 ``hosted`` → ``lost`` (noticed then)
==========================  ==============================================================================

Anything else (rejected, failed, still in service, a removal of a number this project never imported) leaves
the ledger as it was. The health run checks the ``hosted`` numbers only: removed ones are gone on purpose and
lost ones were reported when noticed; a lost number stays ``lost`` until it is removed or imported again (a
re-import that finds it already in service counts, so re-running its batch restores it).

``NumberRecord.to_dict()`` is what the status page shows of a number: its status, the import (``at``,
``dag_id``, ``run_id``, outcome, order id), the removal and the loss (``at`` = when the health run noticed it,
and the ``MESSAGING_LOST`` event that named it, if one did).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.constants import (
    BATCH_DAG_PREFIX,
    HEALTH_DAG,
    IMPORT_DAG,
    LOSSES_JSON,
    REMOVE_DAG,
    REPORT_JSON,
)
from bandwidth_hosted_messaging.reporting.times import EPOCH, iso, parse_time
from bandwidth_hosted_messaging.statuses import EventKind, NumberStatus, Outcome, is_imported

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

log = logging.getLogger(__name__)


def is_import_dag(dag_id: str) -> bool:
    return dag_id == IMPORT_DAG or dag_id.startswith(BATCH_DAG_PREFIX)


# ---- the model ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRef:
    """A run that did something to a number, and when (ISO 8601 UTC)."""

    dag_id: str
    run_id: str
    at: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class NumberRecord:
    """
    One number this project imported.

    :param status: ``hosted``, ``removed`` or ``lost``.
    :param imported: the run that imported it (the one that started its current stay; ``at`` its report time).
    :param import_outcome: ``in_service`` or ``already_in_service`` in that run.
    :param removed: the remove run, when ``removed``.
    :param lost: the health run that noticed the loss, ``at`` = when it noticed, when ``lost``.
    :param lost_event: when ``MESSAGING_LOST`` named it (event time, else when it was recorded), if it did.
    :param imported_order_id: the import order that brought it in, when the report row names it.
    """

    number: str
    status: NumberStatus
    imported: RunRef
    import_outcome: str
    removed: RunRef | None = None
    lost: RunRef | None = None
    lost_event: str | None = None
    imported_order_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "status": str(self.status),
            "imported": {**self.imported.to_dict(), "outcome": self.import_outcome, "order_id": self.imported_order_id},
            "removed": self.removed.to_dict() if self.removed else None,
            "lost": {**self.lost.to_dict(), "messaging_lost_event": self.lost_event} if self.lost else None,
        }


@dataclass
class Ledger:
    """Every number this project imported, by number; ``reports_read`` counts the report files folded in."""

    numbers: dict[str, NumberRecord] = field(default_factory=dict)
    reports_read: int = 0

    def get(self, number: str) -> NumberRecord | None:
        return self.numbers.get(number)

    def with_status(self, status: NumberStatus) -> list[NumberRecord]:
        return [r for n, r in sorted(self.numbers.items()) if r.status == status]

    def hosted(self) -> list[str]:
        """The numbers to check: imported, not removed since, not known lost (sorted)."""
        return [r.number for r in self.with_status(NumberStatus.HOSTED)]

    def imports(self) -> dict[str, RunRef]:
        """``{number: the import that brought it in}``, for every number (what a health report's rows name)."""
        return {n: r.imported for n, r in self.numbers.items()}

    def counts(self) -> dict[str, int]:
        counts = {str(status): 0 for status in NumberStatus}
        for record in self.numbers.values():
            counts[str(record.status)] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: counts by status and one entry per number (sorted), for a status page."""
        return {
            "counts": self.counts(),
            "reports_read": self.reports_read,
            "numbers": [self.numbers[n].to_dict() for n in sorted(self.numbers)],
        }


# ---- folding reports ------------------------------------------------------------------------------------


def _report_time(report: Mapping[str, Any]) -> datetime:
    moment = parse_time(report.get("finished_at"))
    if moment is None:
        log.warning(
            "Report of %s %s has no readable finished_at: counted first", report.get("dag_id"), report.get("run_id")
        )
        return EPOCH
    return moment


def apply(
    numbers: dict[str, NumberRecord],
    kind: EventKind,
    number: str,
    ref: RunRef,
    outcome: str | None,
    *,
    lost_event: str | None = None,
    order_id: str | None = None,
) -> None:
    """
    Fold one event of one number into ``numbers`` (by the table above). The inventory folds each number's
    events with this too, in the same order (time, then the order they were recorded in).

    :param kind: an import run's row, a remove run's row, or a health run's loss.
    :param ref: the run, ``at`` = its report time (for a loss: when the health run noticed it).
    :param outcome: the row's outcome (a loss has none).
    """
    record = numbers.get(number)
    if kind is EventKind.IMPORT:
        if is_imported(outcome) and (record is None or record.status != NumberStatus.HOSTED):
            numbers[number] = NumberRecord(number, NumberStatus.HOSTED, ref, str(outcome), imported_order_id=order_id)
    elif kind is EventKind.REMOVE:
        if outcome == Outcome.REMOVED and record is not None and record.status != NumberStatus.REMOVED:
            record.status, record.removed = NumberStatus.REMOVED, ref
    elif kind is EventKind.LOSS and record is not None and record.status == NumberStatus.HOSTED:
        record.status, record.lost, record.lost_event = NumberStatus.LOST, ref, lost_event


def build_ledger(reports: Iterable[Mapping[str, Any]]) -> Ledger:
    """
    Fold reports (the parsed ``report.json`` of import and remove runs, the ``losses.json`` of health runs;
    each with ``dag_id``, ``run_id``, ``finished_at``) into the ledger, in time order, whatever order they come in.
    """
    ledger = Ledger()
    ordered = sorted(reports, key=_report_time)
    ledger.reports_read = len(ordered)
    numbers = ledger.numbers
    for report in ordered:
        dag_id, run_id = str(report.get("dag_id") or ""), str(report.get("run_id") or "")
        at = report.get("finished_at") or iso(EPOCH)
        if is_import_dag(dag_id) or dag_id == REMOVE_DAG:
            kind = EventKind.IMPORT if is_import_dag(dag_id) else EventKind.REMOVE
            ref = RunRef(dag_id, run_id, at)
            for row in report.get("rows") or ():
                order_id = row.get("order_id")
                number = canonical(str(row.get("number")))
                apply(numbers, kind, number, ref, row.get("outcome"), order_id=str(order_id) if order_id else None)
        elif dag_id == HEALTH_DAG:
            for loss in report.get("lost") or ():
                ref = RunRef(dag_id, run_id, loss.get("noticed_at") or at)
                number = canonical(str(loss.get("number")))
                apply(numbers, EventKind.LOSS, number, ref, None, lost_event=loss.get("messaging_lost_event"))
    return ledger


def _ledger_folders(base: ObjectStoragePath) -> Iterator[tuple[ObjectStoragePath, str]]:
    """(dag folder, the file each of its runs holds for the ledger)."""
    if not base.exists():
        return
    for folder in base.iterdir():
        if is_import_dag(folder.name) or folder.name == REMOVE_DAG:
            yield folder, REPORT_JSON
        elif folder.name == HEALTH_DAG:
            yield folder, LOSSES_JSON


def read_reports(base: ObjectStoragePath | None = None) -> Iterator[dict[str, Any]]:
    """
    (The backfill path.) Yield what the ledger needs from every run under ``base`` (default
    :func:`report_base`): each import and remove run's ``report.json`` and each health run's ``losses.json``,
    ``finished_at`` filled in from the file's modification time where the report predates it. Unreadable files
    are logged and skipped.
    """
    if base is None:
        from bandwidth_hosted_messaging.reporting.storage import report_base

        base = report_base()
    for folder, name in _ledger_folders(base):
        for path in folder.glob(f"*/{name}"):
            try:
                report = json.loads(path.read_text())
            except (OSError, ValueError) as err:
                log.warning("Ledger: skipping %s (%s)", path, err)
                continue
            if not isinstance(report, dict):
                log.warning("Ledger: skipping %s (not a JSON object)", path)
                continue
            report.setdefault("dag_id", folder.name)
            if parse_time(report.get("finished_at")) is None:
                report["finished_at"] = _modified_at(path)
            yield report


def _modified_at(path: ObjectStoragePath) -> str | None:
    try:
        info = path.stat()
        mtime = info.get("mtime") or info.get("LastModified") or info.get("last_modified")
    except (OSError, AttributeError):
        return None
    if isinstance(mtime, datetime):
        return iso(mtime)
    return iso(datetime.fromtimestamp(float(mtime), UTC)) if mtime is not None else None


def read_ledger(base: ObjectStoragePath | None = None) -> Ledger:
    """
    The ledger as the reports under ``base`` (default :func:`report_base`) tell it: what a backfill of the
    inventory yields (no reader uses this any more: they ask the inventory).
    """
    return build_ledger(read_reports(base))
