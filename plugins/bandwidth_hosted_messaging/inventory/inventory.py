"""
The inventory's reads and writes (:class:`Inventory`): a run written as a whole, in one transaction, and the
indexed questions the health DAG and the status page ask.

A write (:meth:`Inventory.write_runs`), in one transaction serialised with every other writer
(:func:`.database.write_transaction`):

1. the run's events are upserted (unique per dag, run, number, kind: a retried report task updates the same rows,
   keeping their insertion order), and events of the run no longer in its report are deleted;
2. the run is recorded in ``inventory_runs``;
3. every number the run touched (now or before) is folded again from all its events, in time order (the run's
   report time, then the order the events were recorded in), with the ledger's rules
   (:func:`~bandwidth_hosted_messaging.reporting.ledger.apply`), and its ``hosted_numbers`` row replaced.

So the result does not depend on the order runs are written in, nor on how often: the same as the ledger folded
from the report files.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import InterfaceError, OperationalError

from bandwidth_hosted_messaging.inventory.database import (
    InventoryUnavailable,
    engine_for,
    ensure_schema,
    inventory_url,
    redacted,
    write_transaction,
)
from bandwidth_hosted_messaging.inventory.runs import RunRecord
from bandwidth_hosted_messaging.inventory.schema import hosted_numbers, inventory_runs, number_events
from bandwidth_hosted_messaging.reporting.ledger import Ledger, NumberRecord, RunRef, apply
from bandwidth_hosted_messaging.reporting.times import iso
from bandwidth_hosted_messaging.statuses import EventKind, NumberStatus

log = logging.getLogger(__name__)

#: Numbers per ``IN (...)`` (well under SQLite's and PostgreSQL's parameter limits).
CHUNK = 500
#: The columns of the CSV export (one row per number the project ever imported).
EXPORT_COLUMNS = [c.name for c in hosted_numbers.columns]
_TIMES = frozenset({"imported_at", "removed_at", "lost_at"})


@dataclass(frozen=True)
class WriteResult:
    """What a write did: runs written, their events, the numbers folded again."""

    runs: int
    events: int
    numbers: int


@dataclass(frozen=True)
class Selection:
    """
    The numbers a health run checks (sorted), and the oldest import among them (ISO 8601, ``None`` when there is
    no number): ``MESSAGING_LOST`` events before it are about an earlier stay of every one of them.
    """

    numbers: list[str]
    oldest_import: str | None


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _ref(dag_id: str | None, run_id: str | None, at: datetime | None) -> RunRef | None:
    return RunRef(dag_id, run_id, iso(at)) if dag_id and run_id and at is not None else None


def _record(row: Row[Any]) -> NumberRecord:
    imported = RunRef(row.imported_dag_id, row.imported_run_id, iso(row.imported_at))
    return NumberRecord(
        number=row.number,
        status=NumberStatus(row.status),
        imported=imported,
        import_outcome=row.import_outcome,
        removed=_ref(row.removed_dag_id, row.removed_run_id, row.removed_at),
        lost=_ref(row.lost_dag_id, row.lost_run_id, row.lost_at),
        lost_event=row.lost_event,
        imported_order_id=row.imported_order_id,
    )


def _time(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(UTC)


def _row_of(record: NumberRecord) -> dict[str, Any]:
    removed, lost = record.removed, record.lost
    return {
        "number": record.number,
        "status": str(record.status),
        "imported_dag_id": record.imported.dag_id,
        "imported_run_id": record.imported.run_id,
        "imported_order_id": record.imported_order_id,
        "import_outcome": record.import_outcome,
        "imported_at": _time(record.imported.at),
        "removed_dag_id": removed.dag_id if removed else None,
        "removed_run_id": removed.run_id if removed else None,
        "removed_at": _time(removed.at) if removed else None,
        "lost_dag_id": lost.dag_id if lost else None,
        "lost_run_id": lost.run_id if lost else None,
        "lost_at": _time(lost.at) if lost else None,
        "lost_event": record.lost_event,
    }


def _upsert(conn: Connection, table: Any, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` of every other column, on SQLite and PostgreSQL."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:
        raise InventoryUnavailable(f"the inventory runs on SQLite or PostgreSQL, not {conn.dialect.name}")
    statement = insert(table)
    updated = {c: statement.excluded[c] for c in rows[0] if c not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updated), rows)


class Inventory:
    """
    The hosted-number inventory in the database at ``url`` (see :mod:`bandwidth_hosted_messaging.inventory`).
    Every method brings the schema to the head first (once per process). Thread-safe (the engine pools).

    :param url: an SQLAlchemy URL; :meth:`configured` gives the deployment's.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = engine_for(url)

    @classmethod
    def configured(cls, conn_id: str | None = None) -> Inventory:
        """The inventory of the ``bandwidth_inventory`` connection (``[bandwidth] inventory_conn_id``)."""
        return cls(inventory_url(conn_id))

    def __repr__(self) -> str:
        return f"Inventory({redacted(self.url)})"

    def ready(self) -> Inventory:
        ensure_schema(self.engine)
        return self

    def _read(self) -> _Reading:
        """A connection for reading (the schema brought up first)."""
        self.ready()
        return _Reading(self)

    # ---- writing ---------------------------------------------------------------------------------------------

    def write_run(self, run: RunRecord) -> WriteResult:
        """Write one run as a whole (see the module's docstring); a retry or re-run writes the same rows."""
        return self.write_runs([run])

    def write_runs(self, runs: Iterable[RunRecord], *, replace: bool = False) -> WriteResult:
        """
        Write several runs in one transaction (the numbers they touched folded once, at the end).

        :param replace: empty the inventory first (in the same transaction): it then holds these runs only.
        """
        self.ready()
        written = events = 0
        touched: set[str] = set()
        try:
            with write_transaction(self.engine) as conn:
                if replace:
                    for table in (hosted_numbers, number_events, inventory_runs):
                        conn.execute(delete(table))
                now = datetime.now(UTC)
                for run in runs:
                    touched |= _put_run(conn, run, now)
                    written, events = written + 1, events + len(run.events)
                _fold(conn, sorted(touched))
        except (OperationalError, InterfaceError) as err:
            raise InventoryUnavailable(f"{self!r}: {err.orig or err}") from err
        return WriteResult(written, events, len(touched))

    # ---- reading ---------------------------------------------------------------------------------------------

    def get(self, number: str) -> NumberRecord | None:
        """One number's record (``None``: never imported)."""
        with self._read() as conn:
            row = conn.execute(select(hosted_numbers).where(hosted_numbers.c.number == number)).first()
        return _record(row) if row is not None else None

    def counts(self) -> dict[str, int]:
        """Numbers per status (every status, 0 included)."""
        counts = {str(s): 0 for s in NumberStatus}
        with self._read() as conn:
            query = select(hosted_numbers.c.status, func.count()).group_by(hosted_numbers.c.status)
            for status, count in conn.execute(query):
                counts[status] = count
        return counts

    def lost_counts(self) -> dict[tuple[str, str], int]:
        """``{(dag_id, run_id): n}``: how many of the numbers each run brought in are lost now."""
        h = hosted_numbers.c
        query = (
            select(h.imported_dag_id, h.imported_run_id, func.count())
            .where(h.status == NumberStatus.LOST.value)
            .group_by(h.imported_dag_id, h.imported_run_id)
        )
        with self._read() as conn:
            return {(dag_id, run_id): n for dag_id, run_id, n in conn.execute(query)}

    def lost_of_run(self, dag_id: str, run_id: str) -> set[str]:
        """The numbers a run brought in that are lost now."""
        h = hosted_numbers.c
        query = select(h.number).where(
            h.imported_dag_id == dag_id, h.imported_run_id == run_id, h.status == NumberStatus.LOST.value
        )
        with self._read() as conn:
            return set(conn.execute(query).scalars())

    def numbers_to_check(self, health_run: tuple[str, str] | None = None) -> Selection:
        """
        What a health run checks: the ``hosted`` numbers, plus those ``health_run`` (dag_id, run_id) itself found
        lost (a cleared and re-run health run checks them again). Sorted.
        """
        h = hosted_numbers.c
        hosted = h.status == NumberStatus.HOSTED.value
        own_losses = None
        if health_run is not None:
            lost = h.status == NumberStatus.LOST.value
            own_losses = lost & (h.lost_dag_id == health_run[0]) & (h.lost_run_id == health_run[1])
        with self._read() as conn:
            numbers = list(conn.execute(select(h.number).where(hosted).order_by(h.number)).scalars())
            oldest = conn.execute(select(func.min(h.imported_at)).where(hosted)).scalar()
            if own_losses is not None:
                again = list(conn.execute(select(h.number).where(own_losses).order_by(h.number)).scalars())
                if again:
                    numbers = list(heapq.merge(numbers, again))
                    oldest_again = conn.execute(select(func.min(h.imported_at)).where(own_losses)).scalar()
                    oldest = min(filter(None, (oldest, oldest_again)))
        return Selection(numbers, _iso(_aware(oldest)))

    def imports_of(self, numbers: Iterable[str]) -> dict[str, RunRef]:
        """``{number: the import that brought it in}`` for those of ``numbers`` the inventory has."""
        h = hosted_numbers.c
        wanted = sorted(set(numbers))
        found: dict[str, RunRef] = {}
        with self._read() as conn:
            for chunk in _chunks(wanted):
                query = select(h.number, h.imported_dag_id, h.imported_run_id, h.imported_at).where(h.number.in_(chunk))
                for number, dag_id, run_id, at in conn.execute(query):
                    found[number] = RunRef(dag_id, run_id, iso(at))
        return found

    def events_of(self, number: str) -> list[dict[str, Any]]:
        """Every event of one number, in the order they are folded: what the number's history shows."""
        e = number_events.c
        query = (
            select(e.kind, e.dag_id, e.run_id, e.outcome, e.at, e.order_id, e.noticed_at, e.lost_event, e.detail)
            .where(e.number == number)
            .order_by(e.at, e.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "kind": row.kind,
                "dag_id": row.dag_id,
                "run_id": row.run_id,
                "outcome": row.outcome,
                "at": iso(row.at),
                "order_id": row.order_id,
                "noticed_at": _iso(row.noticed_at),
                "lost_event": row.lost_event,
                "detail": json.loads(row.detail) if row.detail else {},
            }
            for row in rows
        ]

    def ledger(self) -> Ledger:
        """Every number's record, as a :class:`Ledger` (for comparisons and small inventories: it reads all)."""
        ledger = Ledger()
        with self._read() as conn:
            for row in conn.execute(select(hosted_numbers).order_by(hosted_numbers.c.number)):
                ledger.numbers[row.number] = _record(row)
            ledger.reports_read = conn.execute(select(func.count()).select_from(inventory_runs)).scalar() or 0
        return ledger

    def runs(self) -> list[dict[str, Any]]:
        """Every run written, oldest report first."""
        r = inventory_runs.c
        with self._read() as conn:
            rows = conn.execute(select(inventory_runs).order_by(r.finished_at, r.dag_id, r.run_id)).all()
        return [
            {**row._asdict(), "finished_at": iso(row.finished_at), "written_at": iso(row.written_at)} for row in rows
        ]

    def export_csv(
        self, *, dag_ids: Iterable[str] | None = None, status: str | None = None, batch: int = 5000
    ) -> Iterator[str]:
        """
        The inventory as CSV (:data:`EXPORT_COLUMNS`, times in ISO 8601 UTC), in number order, streamed in pieces
        of ``batch`` rows.

        :param dag_ids: only the numbers imported by these DAGs (``None``: all).
        :param status: only the numbers of this status.
        """
        h = hosted_numbers.c
        query = select(hosted_numbers).order_by(h.number)
        if dag_ids is not None:
            query = query.where(h.imported_dag_id.in_(sorted(set(dag_ids))))
        if status:
            query = query.where(h.status == NumberStatus(status).value)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        with self._read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            for rows in result.partitions():
                for row in rows:
                    writer.writerow([_cell(name, value) for name, value in zip(EXPORT_COLUMNS, row, strict=True)])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()


def _cell(name: str, value: Any) -> Any:
    if name in _TIMES:
        return iso(value) if value is not None else ""
    return "" if value is None else value


def _aware(moment: Any) -> datetime | None:
    """A ``MIN()`` of a time column: SQLite gives it as text, without the column's type."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _Reading:
    """
    ``with inventory._read() as conn``: a connection; a database that cannot be reached (or stays locked)
    raises :class:`InventoryUnavailable`.
    """

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._conn: Connection | None = None

    def __enter__(self) -> Connection:
        try:
            self._conn = self.inventory.engine.connect()
        except (OperationalError, InterfaceError) as err:
            raise InventoryUnavailable(f"{self.inventory!r} unreachable: {err.orig or err}") from err
        return self._conn

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> None:
        if self._conn is not None:
            self._conn.close()
        if isinstance(error, (OperationalError, InterfaceError)):
            raise InventoryUnavailable(f"{self.inventory!r}: {error.orig or error}") from error


# ---- the write, step by step -------------------------------------------------------------------------------------


def _put_run(conn: Connection, run: RunRecord, now: datetime) -> set[str]:
    """Upsert a run's events and its ``inventory_runs`` row; the numbers it touches (now or before)."""
    e = number_events.c
    mine = (e.dag_id == run.dag_id) & (e.run_id == run.run_id)
    before = set(conn.execute(select(e.number, e.kind).where(mine)).tuples())
    now_keys = {(ev.number, str(ev.kind)) for ev in run.events}
    stale = sorted(before - now_keys)
    for start in range(0, len(stale), CHUNK):
        conn.execute(delete(number_events).where(mine, tuple_(e.number, e.kind).in_(stale[start : start + CHUNK])))
    rows = [
        {
            "number": ev.number,
            "kind": str(ev.kind),
            "dag_id": run.dag_id,
            "run_id": run.run_id,
            "outcome": ev.outcome,
            "at": run.finished_at,
            "order_id": ev.order_id,
            "noticed_at": ev.noticed_at,
            "lost_event": ev.lost_event,
            "detail": ev.detail,
        }
        for ev in run.events
    ]
    for start in range(0, len(rows), CHUNK * 4):
        _upsert(conn, number_events, ("dag_id", "run_id", "number", "kind"), rows[start : start + CHUNK * 4])
    _upsert(
        conn,
        inventory_runs,
        ("dag_id", "run_id"),
        [
            {
                "dag_id": run.dag_id,
                "run_id": run.run_id,
                "kind": str(run.kind),
                "finished_at": run.finished_at,
                "written_at": now,
                "events": len(run.events),
            }
        ],
    )
    return {number for number, _ in before} | {number for number, _ in now_keys}


def _fold(conn: Connection, numbers: Sequence[str]) -> None:
    """Fold each number's events again (time order, then recorded order) and replace its ``hosted_numbers`` row."""
    e = number_events.c
    for chunk in _chunks(numbers):
        query = (
            select(e.number, e.kind, e.dag_id, e.run_id, e.outcome, e.at, e.order_id, e.noticed_at, e.lost_event)
            .where(e.number.in_(chunk))
            .order_by(e.number, e.at, e.id)
        )
        folded: dict[str, NumberRecord] = {}
        for row in conn.execute(query):
            kind = EventKind(row.kind)
            at = row.noticed_at if kind is EventKind.LOSS and row.noticed_at is not None else row.at
            ref = RunRef(row.dag_id, row.run_id, iso(at))
            apply(folded, kind, row.number, ref, row.outcome, lost_event=row.lost_event, order_id=row.order_id)
        conn.execute(delete(hosted_numbers).where(hosted_numbers.c.number.in_(chunk)))
        if folded:
            conn.execute(hosted_numbers.insert(), [_row_of(r) for r in folded.values()])
