"""
The hosted-number inventory on SQLite and PostgreSQL: the migrations from an empty database, each kind of run
reflected (an import, a re-run, a removal, a loss, a re-import), the same result as the ledger of the same reports
in any order, a writer killed inside its transaction leaving nothing of its run, and two writers at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from bandwidth_hosted_messaging.constants import INVENTORY_VERSION_TABLE
from bandwidth_hosted_messaging.inventory import database
from bandwidth_hosted_messaging.inventory.inventory import Inventory
from bandwidth_hosted_messaging.inventory.runs import run_record
from bandwidth_hosted_messaging.inventory.schema import metadata, number_events
from bandwidth_hosted_messaging.reporting.ledger import build_ledger

IMPORT, BATCH, REMOVE, HEALTH = (
    "hosted_messaging_import",
    "import_batch_acme",
    "hosted_messaging_remove",
    "hosted_numbers_health",
)
A, B, C, D, E = (f"+1303555010{i}" for i in range(5))


def report(dag_id, run_id, at, rows=(), lost=None, **fields):
    data = {"dag_id": dag_id, "run_id": run_id, "finished_at": at, **fields}
    if lost is not None:
        data["lost"] = lost
    else:
        data["rows"] = [{"number": n, "outcome": o, "order_id": order} for n, o, order in rows]
    return data


def write(inventory, data):
    return inventory.write_run(run_record(data))


def as_dicts(ledger):
    return {number: record.to_dict() for number, record in ledger.numbers.items()}


def events_in(inventory) -> int:
    with inventory.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(number_events)).scalar()


# ---- the schema ---------------------------------------------------------------------------------------------


def test_the_migrations_build_the_schema_from_an_empty_database(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = database.engine_for(db_url)
    assert database.current_revision(engine) is None
    assert database.upgrade(engine) == database.head_revision() == "0001"
    assert database.upgrade(engine) == "0001"  # at the head already: nothing to do
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert tables == {"hosted_numbers", "number_events", "inventory_runs", "bandwidth_inventory_version"}
        assert "alembic_version" not in tables  # never Airflow's version table
        # what the migrations built is what the code reads and writes through
        context = MigrationContext.configure(conn, opts={"version_table": INVENTORY_VERSION_TABLE})
        assert compare_metadata(context, metadata) == []
        indexes = {i["name"] for t in ("hosted_numbers", "number_events") for i in inspect(conn).get_indexes(t)}
        assert {
            "ix_hosted_numbers_status_number",
            "ix_hosted_numbers_imported_run",
            "ix_number_events_number",
        } <= indexes


def test_a_first_use_brings_the_schema_up_by_itself(db_url):
    inventory = Inventory(db_url)
    assert inventory.counts() == {"hosted": 0, "removed": 0, "lost": 0}
    assert database.current_revision(inventory.engine) == "0001"


# ---- runs, one after another ----------------------------------------------------------------------------------


def test_an_import_a_rerun_a_removal_a_loss_and_a_reimport_are_each_reflected(db_url):
    inventory = Inventory(db_url)

    first = report(
        IMPORT,
        "manual__1",
        "2026-01-01T00:00:00.000Z",
        [(A, "in_service", "o-1"), (B, "in_service", "o-1"), (C, "rejected", None)],
    )
    assert write(inventory, first).events == 3
    a = inventory.get(A)
    assert (a.status, a.imported.run_id, a.imported.at, a.imported_order_id) == (
        "hosted",
        "manual__1",
        "2026-01-01T00:00:00.000Z",
        "o-1",
    )
    assert inventory.get(C) is None  # rejected: never brought in, but in its history
    assert [(e["kind"], e["outcome"]) for e in inventory.events_of(C)] == [("import", "rejected")]

    # the report task retried: the same rows, however often
    before = as_dicts(inventory.ledger())
    write(inventory, first)
    write(inventory, first)
    assert as_dicts(inventory.ledger()) == before and events_in(inventory) == 3

    # the run cleared and run again, its report different: its old rows are replaced
    rerun = report(
        IMPORT, "manual__1", "2026-01-01T01:00:00.000Z", [(A, "in_service", "o-1"), (B, "order_failed", "o-1")]
    )
    write(inventory, rerun)
    assert inventory.get(B) is None and inventory.events_of(C) == [] and events_in(inventory) == 2
    assert inventory.get(A).imported.at == "2026-01-01T01:00:00.000Z"

    # a batch finds A already in service: A keeps the import that brought it in
    batch = report(
        BATCH, "scheduled__2", "2026-01-02T00:00:00.000Z", [(A, "already_in_service", None), (D, "in_service", "o-2")]
    )
    write(inventory, batch)
    assert (inventory.get(A).imported.dag_id, inventory.get(A).imported.run_id) == (IMPORT, "manual__1")
    assert inventory.get(D).imported.dag_id == BATCH

    removal = report(
        REMOVE,
        "manual__3",
        "2026-01-03T00:00:00.000Z",
        [(A, "removed", "r-1"), (E, "removed", "r-1"), (D, "remove_failed", "r-1")],
    )
    write(inventory, removal)
    a = inventory.get(A)
    assert (a.status, a.removed.run_id, a.removed.at) == ("removed", "manual__3", "2026-01-03T00:00:00.000Z")
    assert inventory.get(E) is None and inventory.get(D).status == "hosted"  # E was never ours; D stayed

    loss = report(
        HEALTH,
        "scheduled__4",
        "2026-01-04T00:00:05.000Z",
        lost=[{"number": D, "noticed_at": "2026-01-04T00:00:00.000Z", "messaging_lost_event": "2026-01-03T23:00:00Z"}],
    )
    write(inventory, loss)
    d = inventory.get(D)
    assert (d.status, d.lost.run_id, d.lost.at, d.lost_event) == (
        "lost",
        "scheduled__4",
        "2026-01-04T00:00:00.000Z",
        "2026-01-03T23:00:00Z",
    )
    assert inventory.numbers_to_check().numbers == []  # removed and lost numbers are not checked
    rerun_check = inventory.numbers_to_check((HEALTH, "scheduled__4"))  # but that health run, re-run, checks D again
    assert (rerun_check.numbers, rerun_check.oldest_import) == ([D], "2026-01-02T00:00:00.000Z")
    assert inventory.lost_counts() == {(BATCH, "scheduled__2"): 1}
    assert inventory.lost_of_run(BATCH, "scheduled__2") == {D} and inventory.lost_of_run(IMPORT, "manual__1") == set()
    assert inventory.counts() == {"hosted": 0, "removed": 1, "lost": 1}

    reimport = report(
        IMPORT, "manual__5", "2026-01-05T00:00:00.000Z", [(A, "in_service", "o-5"), (D, "already_in_service", None)]
    )
    write(inventory, reimport)
    a, d = inventory.get(A), inventory.get(D)
    assert (a.status, a.imported.run_id, a.imported_order_id, a.removed) == ("hosted", "manual__5", "o-5", None)
    assert (d.status, d.imported.run_id, d.lost, d.lost_event) == ("hosted", "manual__5", None, None)  # a new stay
    assert inventory.numbers_to_check() == type(rerun_check)([A, D], "2026-01-05T00:00:00.000Z")
    assert [e["kind"] for e in inventory.events_of(D)] == ["import", "remove", "loss", "import"]
    assert inventory.imports_of([A, B, D]) == {n: inventory.get(n).imported for n in (A, D)}

    # the same as the ledger of the same reports, and the same in whatever order the runs are written
    runs = [rerun, batch, removal, loss, reimport]
    expected = as_dicts(build_ledger(runs))
    assert as_dicts(inventory.ledger()) == expected
    inventory.write_runs([run_record(r) for r in reversed(runs)], replace=True)
    assert as_dicts(inventory.ledger()) == expected
    assert [r["run_id"] for r in inventory.runs()] == [
        "manual__1",
        "scheduled__2",
        "manual__3",
        "scheduled__4",
        "manual__5",
    ]

    text = "".join(inventory.export_csv())
    lines = text.splitlines()
    assert lines[0].startswith("number,status,imported_dag_id,imported_run_id,imported_order_id,import_outcome")
    assert [line.split(",")[:2] for line in lines[1:]] == [[A, "hosted"], [D, "hosted"]]
    assert "".join(inventory.export_csv(status="removed")).count("\n") == 1
    assert "".join(inventory.export_csv(dag_ids=[BATCH])).count("\n") == 1  # both were brought in by manual__5


def test_a_dry_run_and_a_foreign_dag_record_nothing():
    dry = report(IMPORT, "manual__dry", "2026-01-01T00:00:00.000Z", [(A, "would_order", None)], dry_run=True)
    assert run_record(dry) is None
    assert (
        run_record(report("bandwidth_notifications", "x", "2026-01-01T00:00:00.000Z", [(A, "in_service", None)]))
        is None
    )


# ---- a writer killed, two writers at once -----------------------------------------------------------------------

#: A writer in a process of its own: it writes one report as a run. With ``hold`` it stops inside its transaction,
#: right after its first rows went in (writing ``<name>.held`` to say so), until ``<name>.release`` exists.
#: ``<name>.writing`` says it is about to begin its write.
WRITER = """
import json, os, sys, time
from sqlalchemy import event
from bandwidth_hosted_messaging.inventory.inventory import Inventory
from bandwidth_hosted_messaging.inventory.runs import run_record

url, path, hold, name = sys.argv[1], sys.argv[2], sys.argv[3] == "hold", sys.argv[4]
inventory = Inventory(url).ready()
held = []

@event.listens_for(inventory.engine, "after_cursor_execute")
def stop_inside_the_transaction(conn, cursor, statement, parameters, context, executemany):
    if hold and not held and statement.lstrip().upper().startswith("INSERT INTO NUMBER_EVENTS"):
        held.append(1)
        open(name + ".held", "w").write("in the transaction")
        while not os.path.exists(name + ".release"):
            time.sleep(0.02)

run = run_record(json.loads(open(path).read()))
open(name + ".writing", "w").write("about to write")
started = time.monotonic()
result = inventory.write_run(run)
print(json.dumps({"waited": time.monotonic() - started, "events": result.events}))
"""


def start_writer(tmp_path, url, data, hold=False, name="writer"):
    path, base = tmp_path / f"{name}.json", tmp_path / name
    path.write_text(json.dumps(data))
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(path), "hold" if hold else "-", str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    return proc, base


def wait_for(marker: Path, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"the writer never wrote {marker.name}"
        time.sleep(0.05)


def many(prefix: str, count: int, outcome: str):
    return [(f"+1{prefix}{i:04d}", outcome, "o-big") for i in range(count)]


def test_a_report_task_killed_inside_its_transaction_leaves_nothing_of_its_run(db_url, tmp_path):
    inventory = Inventory(db_url).ready()
    write(inventory, report(IMPORT, "manual__before", "2026-01-01T00:00:00.000Z", [(A, "in_service", "o-1")]))
    big = report(BATCH, "scheduled__killed", "2026-01-02T00:00:00.000Z", many("720555", 3000, "in_service"))
    proc, base = start_writer(tmp_path, db_url, big, hold=True)
    wait_for(Path(f"{base}.held"), proc)  # its first 2,000 events are in, uncommitted
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert [r["run_id"] for r in inventory.runs()] == ["manual__before"]
    assert events_in(inventory) == 1 and inventory.get("+17205550000") is None
    assert inventory.counts() == {"hosted": 1, "removed": 0, "lost": 0}
    # nothing left locked: the retried report task writes the whole run
    assert write(inventory, big).events == 3000
    assert inventory.counts()["hosted"] == 3001


def test_two_report_tasks_writing_at_once_are_serialised_and_both_count(db_url, tmp_path):
    """
    One writer holds its transaction; the other, meanwhile, writes a later run on the same numbers. It waits (SQLite:
    no "database is locked"), then folds the first one's import: the numbers end removed. Had it not waited, it
    would have folded a removal of numbers it saw no import of.
    """
    inventory = Inventory(db_url).ready()
    numbers = many("303666", 50, "in_service")
    imported = report(IMPORT, "manual__a", "2026-01-01T00:00:00.000Z", numbers)
    removed = report(REMOVE, "manual__b", "2026-01-02T00:00:00.000Z", [(n, "removed", "r-1") for n, _, _ in numbers])
    first, first_base = start_writer(tmp_path, db_url, imported, hold=True, name="first")
    wait_for(Path(f"{first_base}.held"), first)
    second, second_base = start_writer(tmp_path, db_url, removed, name="second")
    wait_for(Path(f"{second_base}.writing"), second)
    time.sleep(1.5)
    assert second.poll() is None  # waiting for the first writer, not failed
    Path(f"{first_base}.release").write_text("go on")
    out_second, err_second = second.communicate(timeout=120)
    out_first, err_first = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), (err_first[-2000:], err_second[-2000:])
    assert json.loads(out_second)["waited"] > 1.5  # it went on only after the first writer's commit
    assert inventory.counts() == {"hosted": 0, "removed": 50, "lost": 0}
    assert {r.removed.run_id for r in inventory.ledger().numbers.values()} == {"manual__b"}
    assert as_dicts(inventory.ledger()) == as_dicts(build_ledger([imported, removed]))


def test_an_unreachable_database_is_reported_as_such(tmp_path):
    from bandwidth_hosted_messaging.inventory.database import InventoryUnavailable

    down = Inventory("postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(InventoryUnavailable, match="unreachable"):
        down.counts()
    with pytest.raises(InventoryUnavailable):
        write(down, report(IMPORT, "manual__1", "2026-01-01T00:00:00.000Z", [(A, "in_service", None)]))
