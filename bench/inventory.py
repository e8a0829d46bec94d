"""
The hosted-number inventory at scale (issue 18): an SQLite inventory of 1,000,000 numbers imported by 1,000 runs
(1,000 numbers each; then 10 remove runs take 50,000 of them out and 10 health runs find 10,000 lost), bulk
inserted in a temporary folder; then the questions the page and the health DAG ask, timed:

==============================  ==========  ============================================================
number look-up                  < 50 ms     the page's look-up: the number's status and its history
                                            (``status.history.number_history``), median of 200 numbers
overview counts                 < 300 ms    the numbers per status and the lost numbers of each run (what
                                            the overview counts), median of 5
health selection                < 2 s       the numbers the health DAG checks (``numbers_to_check``: every
                                            hosted one, sorted), median of 3
==============================  ==========  ============================================================

Also shown, with no target: the bulk generation, and one report task's write of a 10,000-number import run into
the full inventory (its events upserted, its numbers folded again).

    .venv/bin/python -m bench.inventory
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RUNS = 1000
PER_RUN = 1000
REMOVE_RUNS, REMOVED_PER_RUN = 10, 5000
HEALTH_RUNS, LOST_PER_RUN = 10, 1000
TARGETS_MS = {"number_lookup": 50.0, "overview_counts": 300.0, "health_selection": 2000.0}
IMPORT, REMOVE, HEALTH = "import_batch_bench", "hosted_messaging_remove", "hosted_numbers_health"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _sqlite_time(moment: datetime) -> str:
    """A time as SQLAlchemy stores a UTC time on SQLite (what the inventory's own writes hold)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _number(i: int) -> str:
    """The ``i``-th number: valid NANP (area 303..., exchanges from 200, 10,000 lines each)."""
    return f"+1{303 + i // 8_000_000}{200 + (i // 10_000) % 800}{i % 10_000:04d}"


def _generate(conn: Any) -> dict[str, int]:
    """Fill the three tables with driver-level bulk inserts (one transaction); what was made."""
    imported_at = [START + timedelta(hours=r) for r in range(RUNS)]
    removed_at = [START + timedelta(hours=RUNS + r) for r in range(REMOVE_RUNS)]
    lost_at = [START + timedelta(hours=RUNS + REMOVE_RUNS + r) for r in range(HEALTH_RUNS)]
    total = RUNS * PER_RUN
    # every 20th number removed (the remove runs in turn), every 100th of the others lost
    removed_by = {i: (i // 20) % REMOVE_RUNS for i in range(0, total, 20)}
    lost_by = {i: (i // 100) % HEALTH_RUNS for i in range(50, total, 100)}
    detail = json.dumps({"order_id": "o", "order_status": "COMPLETE", "in_service": True}, separators=(",", ":"))

    def events() -> Iterator[tuple]:
        for i in range(total):
            run = i // PER_RUN
            yield (_number(i), "import", IMPORT, f"scheduled__{run:04d}", "in_service", _sqlite_time(imported_at[run]),
                   f"o-{run}", None, None, detail)  # fmt: skip
        for i, r in removed_by.items():
            yield (_number(i), "remove", REMOVE, f"manual__rm{r}", "removed", _sqlite_time(removed_at[r]), None, None,
                   None, detail)  # fmt: skip
        for i, r in lost_by.items():
            at = _sqlite_time(lost_at[r])
            yield (_number(i), "loss", HEALTH, f"scheduled__h{r}", "lost", at, None, at, None, None)

    def numbers() -> Iterator[tuple]:
        for i in range(total):
            run = i // PER_RUN
            row = [_number(i), "hosted", IMPORT, f"scheduled__{run:04d}", f"o-{run}", "in_service",
                   _sqlite_time(imported_at[run]), None, None, None, None, None, None, None]  # fmt: skip
            if i in removed_by:
                r = removed_by[i]
                row[1], row[7:10] = "removed", [REMOVE, f"manual__rm{r}", _sqlite_time(removed_at[r])]
            elif i in lost_by:
                r = lost_by[i]
                row[1], row[10:13] = "lost", [HEALTH, f"scheduled__h{r}", _sqlite_time(lost_at[r])]
            yield tuple(row)

    runs = [(IMPORT, f"scheduled__{r:04d}", "import", _sqlite_time(imported_at[r]), PER_RUN) for r in range(RUNS)]
    runs += [
        (REMOVE, f"manual__rm{r}", "remove", _sqlite_time(removed_at[r]), REMOVED_PER_RUN) for r in range(REMOVE_RUNS)
    ]
    runs += [(HEALTH, f"scheduled__h{r}", "health", _sqlite_time(lost_at[r]), LOST_PER_RUN) for r in range(HEALTH_RUNS)]
    written = _sqlite_time(datetime.now(UTC))
    conn.exec_driver_sql(
        "INSERT INTO number_events (number, kind, dag_id, run_id, outcome, at, order_id, noticed_at, lost_event, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(events()),
    )
    conn.exec_driver_sql(
        "INSERT INTO hosted_numbers (number, status, imported_dag_id, imported_run_id, imported_order_id, "
        "import_outcome, imported_at, removed_dag_id, removed_run_id, removed_at, lost_dag_id, lost_run_id, lost_at, "
        "lost_event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(numbers()),
    )
    conn.exec_driver_sql(
        "INSERT INTO inventory_runs (dag_id, run_id, kind, finished_at, written_at, events) VALUES (?, ?, ?, ?, ?, ?)",
        [(*r[:4], written, r[4]) for r in runs],
    )
    return {"numbers": total, "runs": len(runs), "events": total + len(removed_by) + len(lost_by)}


def _timed(fn: Callable[[], Any], reps: int) -> tuple[float, Any]:
    """Median milliseconds of ``reps`` calls, and the last call's answer."""
    times, answer = [], None
    for _ in range(reps):
        started = time.perf_counter()
        answer = fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2), answer


def measure(folder: str | Path | None = None) -> dict[str, Any]:
    """Build the inventory, time the three questions; figures with PASS/FAIL against each target."""
    from bandwidth_hosted_messaging.inventory import database
    from bandwidth_hosted_messaging.inventory.inventory import Inventory
    from bandwidth_hosted_messaging.inventory.runs import run_record
    from bandwidth_hosted_messaging.status.history import number_history

    with tempfile.TemporaryDirectory(prefix="bw-inventory-bench-", dir=folder) as tmp:
        url = f"sqlite:///{tmp}/inventory.db"
        inventory = Inventory(url).ready()
        started = time.perf_counter()
        with database.write_transaction(inventory.engine) as conn:
            made = _generate(conn)
        generate_s = time.perf_counter() - started
        with inventory.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        size_mb = Path(tmp, "inventory.db").stat().st_size / 1e6

        rng = random.Random(18)
        picks = iter([_number(rng.randrange(made["numbers"])) for _ in range(200)])
        lookup_ms, found = _timed(lambda: number_history(next(picks), inventory=inventory), 200)
        assert found["ledger"] is not None and found["history"]
        overview_ms, (counts, lost) = _timed(lambda: (inventory.counts(), inventory.lost_counts()), 5)
        selection_ms, selection = _timed(lambda: inventory.numbers_to_check((HEALTH, "scheduled__next")), 3)
        assert len(selection.numbers) == counts["hosted"]

        rows = [
            {"number": _number(made["numbers"] + i), "outcome": "in_service", "order_id": "o-new"}
            for i in range(10_000)
        ]
        report = {"dag_id": IMPORT, "run_id": "manual__new", "finished_at": "2026-12-01T00:00:00.000Z", "rows": rows}
        started = time.perf_counter()
        inventory.write_run(run_record(report))
        write_ms = (time.perf_counter() - started) * 1000
        database.dispose(url)

    figures = {"number_lookup": lookup_ms, "overview_counts": overview_ms, "health_selection": selection_ms}
    return {
        "inventory": {**made, "counts": counts, "runs_with_lost_numbers": len(lost), "sqlite_mb": round(size_mb, 1)},
        "generate_s": round(generate_s, 1),
        "number_lookup_ms_median": lookup_ms,
        "overview_counts_ms_median": overview_ms,
        "health_selection_ms_median": selection_ms,
        "health_selection_numbers": len(selection.numbers),
        "write_10000_number_run_ms": round(write_ms, 1),
        "targets_ms": TARGETS_MS,
        "results": {k: "PASS" if figures[k] < TARGETS_MS[k] else "FAIL" for k in TARGETS_MS},
        "pass": all(figures[k] < TARGETS_MS[k] for k in TARGETS_MS),
    }


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=1)
    print()
