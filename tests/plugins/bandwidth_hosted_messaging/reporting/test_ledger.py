"""The ledger of hosted numbers, read from report files laid out as the import, remove and health runs write them."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime

import pytest
from airflow.sdk import ObjectStoragePath

from bandwidth_hosted_messaging.reporting.health import build_health_rows, messaging_lost_since_import
from bandwidth_hosted_messaging.reporting.ledger import build_ledger, read_ledger
from bandwidth_hosted_messaging.statuses import NumberStatus

HOSTED, REMOVED, LOST = NumberStatus.HOSTED, NumberStatus.REMOVED, NumberStatus.LOST


@pytest.fixture
def base(tmp_path) -> ObjectStoragePath:
    return ObjectStoragePath(f"file://{tmp_path}/reports")


def write(base, dag_id, run_id, at, rows=None, lost=None, name="report.json"):
    """A run's file where the run writes it: report.json (rows) or, for a health run, losses.json (lost)."""
    folder = base / dag_id / run_id
    folder.mkdir(parents=True, exist_ok=True)
    data = {"dag_id": dag_id, "run_id": run_id}
    if at is not None:
        data["finished_at"] = at
    if rows is not None:
        data["rows"] = [{"number": n, "outcome": o} for n, o in rows]
    if lost is not None:
        data["lost"] = lost
    path = folder / name
    path.write_text(json.dumps(data))
    return path


def test_the_ledger_follows_imports_removals_losses_and_reimports_across_runs(base):
    # Written in a different order than they happened: the ledger sorts by each report's time.
    write(
        base, "hosted_messaging_import", "manual__5", "2026-01-05T00:00:00.000Z", rows=[("+13035550100", "in_service")]
    )
    write(
        base,
        "hosted_messaging_import",
        "manual__1",
        "2026-01-01T00:00:00.000Z",
        rows=[
            ("+13035550100", "in_service"),
            ("+13035550101", "in_service"),
            ("+13035550102", "rejected"),
            ("+13035550103", "order_failed"),
            ("+13035550106", "not_in_service"),
        ],
    )
    write(
        base,
        "import_batch_acme",
        "scheduled__2",
        "2026-01-02T00:00:00.000Z",
        rows=[("+13035550101", "already_in_service"), ("+13035550104", "already_in_service")],
    )
    write(
        base,
        "hosted_messaging_remove",
        "manual__3",
        "2026-01-03T00:00:00.000Z",
        rows=[("+13035550100", "removed"), ("+13035550105", "removed"), ("+13035550101", "remove_failed")],
    )
    write(
        base,
        "hosted_numbers_health",
        "scheduled__4",
        "2026-01-04T00:00:01.000Z",
        name="losses.json",
        lost=[
            {
                "number": "+13035550104",
                "noticed_at": "2026-01-04T00:00:00.000Z",
                "messaging_lost_event": "2026-01-03T23:59:00Z",
            }
        ],
    )
    write(
        base,
        "hosted_numbers_health",
        "scheduled__6",
        "2026-01-06T00:00:00.000Z",
        name="losses.json",
        lost=[{"number": "+13035550104", "noticed_at": "2026-01-06T00:00:00.000Z"}],
    )
    write(base, "hosted_numbers_health", "scheduled__4", "2026-01-04T00:00:01.000Z", rows=[("+13035550101", "lost")])
    write(base, "bandwidth_notifications", "x", "2026-01-01T00:00:00.000Z", rows=[("+13035550199", "in_service")])
    (base / "hosted_messaging_import" / "broken").mkdir()
    (base / "hosted_messaging_import" / "broken" / "report.json").write_text("{not json")

    ledger = read_ledger(base)
    assert ledger.reports_read == 6  # health report.json and foreign DAGs are not read; the broken file is skipped
    assert ledger.hosted() == ["+13035550100", "+13035550101"]
    assert ledger.counts() == {HOSTED: 2, REMOVED: 0, LOST: 1}
    assert (
        ledger.get("+13035550102") is None and ledger.get("+13035550105") is None and ledger.get("+13035550106") is None
    )

    again = ledger.get("+13035550100")  # imported, removed, imported again: a new stay
    assert (again.status, again.imported.run_id, again.removed) == (HOSTED, "manual__5", None)
    kept = ledger.get("+13035550101")  # the batch re-run found it already in service: still the first import
    assert (kept.imported.dag_id, kept.imported.run_id) == ("hosted_messaging_import", "manual__1")
    assert kept.import_outcome == "in_service"
    lost = ledger.get("+13035550104")
    assert lost.status == LOST and lost.imported.dag_id == "import_batch_acme"
    assert lost.to_dict() == {
        "number": "+13035550104",
        "status": "lost",
        "imported": {
            "dag_id": "import_batch_acme",
            "run_id": "scheduled__2",
            "at": "2026-01-02T00:00:00.000Z",
            "outcome": "already_in_service",
            "order_id": None,
        },
        "removed": None,
        "lost": {
            "dag_id": "hosted_numbers_health",
            "run_id": "scheduled__4",
            "at": "2026-01-04T00:00:00.000Z",
            "messaging_lost_event": "2026-01-03T23:59:00Z",
        },  # first noticed; later losses change nothing
    }
    page = ledger.to_dict()
    assert page["counts"] == {"hosted": 2, "removed": 0, "lost": 1}
    assert [n["number"] for n in page["numbers"]] == ["+13035550100", "+13035550101", "+13035550104"]
    json.dumps(page)


def test_a_removal_then_a_reimport_then_a_removal_and_reports_without_a_time(base):
    write(
        base, "hosted_messaging_import", "manual__1", "2026-02-01T00:00:00.000Z", rows=[("+13035550110", "in_service")]
    )
    write(base, "hosted_messaging_remove", "manual__2", "2026-02-02T00:00:00.000Z", rows=[("+13035550110", "removed")])
    old = write(base, "hosted_messaging_import", "manual__old", None, rows=[("+13035550111", "in_service")])
    os.utime(old.path, (1_700_000_000, 1_700_000_000))  # written before reports carried finished_at
    ledger = read_ledger(base)
    removed = ledger.get("+13035550110")
    assert (removed.status, removed.removed.run_id) == (REMOVED, "manual__2")
    assert removed.removed.dag_id == "hosted_messaging_remove"
    assert ledger.hosted() == ["+13035550111"]
    assert ledger.get("+13035550111").imported.at == "2023-11-14T22:13:20.000Z"


def test_a_missing_report_folder_is_an_empty_ledger(base):
    ledger = read_ledger(base)
    assert (ledger.hosted(), ledger.reports_read, ledger.counts()) == ([], 0, {"hosted": 0, "removed": 0, "lost": 0})


def test_a_messaging_lost_event_is_noted_but_only_the_in_service_list_makes_a_number_lost():
    ledger = build_ledger(
        [
            {
                "dag_id": "hosted_messaging_import",
                "run_id": "r1",
                "finished_at": "2026-03-01T12:00:00.000Z",
                "rows": [
                    {"number": n, "outcome": "in_service"} for n in ("+13035550120", "+13035550121", "+13035550122")
                ],
            },
        ]
    )
    events = [
        {"recorded_at": "2026-03-01T11:00:00.000Z", "event_time": None, "numbers": ["+13035550120"]},  # an earlier stay
        {
            "recorded_at": "2026-03-02T08:00:00.000Z",
            "event_time": "2026-03-02T07:59:00Z",
            "numbers": ["+13035550121", "+13035550199"],
        },
    ]
    noted = messaging_lost_since_import(events, ledger.imports(), ledger.hosted())
    assert noted == {"+13035550121": "2026-03-02T07:59:00Z"}
    rows = {
        r.number: r
        for r in build_health_rows(ledger.hosted(), ["+13035550120", "+13035550121"], noted, ledger.imports())
    }
    assert (rows["+13035550120"].outcome, rows["+13035550120"].in_service) == ("in_service", True)
    # Issue 13, M8: a forged or mistaken MESSAGING_LOST is a signal, not a loss, while Bandwidth lists it in service.
    assert (rows["+13035550121"].outcome, rows["+13035550121"].in_service) == ("in_service", True)
    assert rows["+13035550121"].messaging_lost_event == "2026-03-02T07:59:00Z"
    assert (rows["+13035550122"].outcome, rows["+13035550122"].in_service) == ("lost", False)
    assert (
        rows["+13035550122"].imported_by_run == "r1" and rows["+13035550122"].imported_at == "2026-03-01T12:00:00.000Z"
    )


def test_tens_of_thousands_of_numbers_are_read_in_well_under_a_few_seconds(base):
    numbers = [f"303{n:07d}" for n in range(40_000)]
    for i in range(40):
        at = datetime(2026, 4, 1, i // 24, i % 24, tzinfo=UTC).isoformat().replace("+00:00", ".000Z")
        chunk = numbers[i * 1000 : (i + 1) * 1000]
        write(base, "import_batch_big", f"run_{i}", at, rows=[(n, "in_service") for n in chunk])
    removed = [(n, "removed") for n in numbers[:5000]]
    write(base, "hosted_messaging_remove", "rm", "2026-04-03T00:00:00.000Z", rows=removed)
    for day in range(60):  # two months of daily health runs
        write(
            base,
            "hosted_numbers_health",
            f"scheduled__{day}",
            f"2026-04-{1 + day % 28:02d}T23:00:00.000Z",
            name="losses.json",
            lost=[],
        )
    started = time.perf_counter()
    ledger = read_ledger(base)
    elapsed = time.perf_counter() - started
    assert len(ledger.hosted()) == 35_000 and ledger.counts()[REMOVED] == 5000
    assert elapsed < 5, elapsed


def test_numbers_of_reports_written_in_ten_digits_match_those_written_in_e164():
    """Issue 14: reports from before E.164 held ten digits; the ledger folds both into one number."""
    ledger = build_ledger(
        [
            {
                "dag_id": "hosted_messaging_import",
                "run_id": "old",
                "finished_at": "2026-11-01T12:00:00.000Z",
                "rows": [{"number": "3035550170", "outcome": "in_service"}],
            },
            {
                "dag_id": "hosted_messaging_remove",
                "run_id": "new",
                "finished_at": "2026-12-01T12:00:00.000Z",
                "rows": [{"number": "+13035550170", "outcome": "removed"}],
            },
        ]
    )
    assert list(ledger.numbers) == ["+13035550170"]
    assert ledger.get("+13035550170").status == REMOVED and ledger.get("+13035550170").imported.run_id == "old"
