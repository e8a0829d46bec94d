"""
Build the inventory from the report files (``airflow bandwidth inventory backfill``): every import and remove run's
``report.json`` and every health run's ``losses.json`` under the report base, read by the ledger's file folding
(:func:`~bandwidth_hosted_messaging.reporting.ledger.read_reports`), written as runs. The result is the ledger
those files give (:func:`~bandwidth_hosted_messaging.reporting.ledger.build_ledger`): the tests compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bandwidth_hosted_messaging.inventory.inventory import Inventory
from bandwidth_hosted_messaging.inventory.runs import RunRecord, run_record
from bandwidth_hosted_messaging.reporting.ledger import read_reports

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath


@dataclass(frozen=True)
class BackfillResult:
    """Runs written, their events, the numbers folded, and the reports skipped (dry runs)."""

    runs: int
    events: int
    numbers: int
    skipped: int


def backfill(
    inventory: Inventory | None = None, base: ObjectStoragePath | None = None, *, replace: bool = False
) -> BackfillResult:
    """
    Write every run under ``base`` (default: the report base) into ``inventory`` (default: the configured one),
    in one transaction. Runs already written are written again (the same rows); runs the inventory has and the
    files do not are kept, unless ``replace``.

    :param replace: empty the inventory first: it then holds exactly what the files say.
    """
    inventory = inventory or Inventory.configured()
    runs: list[RunRecord] = []
    skipped = 0
    for report in read_reports(base):
        run = run_record(report)
        if run is None:
            skipped += 1
        else:
            runs.append(run)
    result = inventory.write_runs(runs, replace=replace)
    return BackfillResult(result.runs, result.events, result.numbers, skipped)
