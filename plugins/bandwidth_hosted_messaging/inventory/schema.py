"""
The inventory's tables, as SQLAlchemy Core. The migrations (:mod:`.migrations`) create them; this module is what
the code reads and writes through (a test checks the two agree on every backend).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Lengths: an E.164 number, Airflow's DAG and run ids, an outcome or status, an order id, an event time.
NUMBER, ID, WORD, ORDER_ID, MOMENT = 16, 250, 32, 64, 64


class UtcDateTime(TypeDecorator[datetime]):
    """A UTC time: ``timestamptz`` on PostgreSQL, naive UTC on SQLite; always read back aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # an SQLite value written by hand
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

hosted_numbers = Table(
    "hosted_numbers",
    metadata,
    Column("number", String(NUMBER), primary_key=True),
    Column("status", String(WORD), nullable=False),
    Column("imported_dag_id", String(ID), nullable=False),
    Column("imported_run_id", String(ID), nullable=False),
    Column("imported_order_id", String(ORDER_ID)),
    Column("import_outcome", String(WORD), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("removed_dag_id", String(ID)),
    Column("removed_run_id", String(ID)),
    Column("removed_at", UtcDateTime),
    Column("lost_dag_id", String(ID)),
    Column("lost_run_id", String(ID)),
    Column("lost_at", UtcDateTime),
    Column("lost_event", String(MOMENT)),
    # the health DAG's selection (status = 'hosted' in number order) and the counts by status, from the index alone
    Index("ix_hosted_numbers_status_number", "status", "number"),
    # the numbers one run imported (the page's lost numbers of a run)
    Index("ix_hosted_numbers_imported_run", "imported_dag_id", "imported_run_id", "status"),
)

number_events = Table(
    "number_events",
    metadata,
    # the order events of the same time were recorded in
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("number", String(NUMBER), nullable=False),
    Column("kind", String(WORD), nullable=False),
    Column("dag_id", String(ID), nullable=False),
    Column("run_id", String(ID), nullable=False),
    Column("outcome", String(WORD), nullable=False),
    #: the run's report time: what events are folded in order of
    Column("at", UtcDateTime, nullable=False),
    #: an import: its order (the one that brings the number in, when this import does)
    Column("order_id", String(ORDER_ID)),
    #: a loss: when the health run noticed it, and the MESSAGING_LOST event that named it
    Column("noticed_at", UtcDateTime),
    Column("lost_event", String(MOMENT)),
    #: the report row (JSON), shown in the number's history
    Column("detail", Text),
    # a retried report task writes the same rows; also the index of a run's events
    UniqueConstraint("dag_id", "run_id", "number", "kind", name="uq_number_events_run_number_kind"),
    # a number's events in the order they are folded
    Index("ix_number_events_number", "number", "at", "id"),
)

inventory_runs = Table(
    "inventory_runs",
    metadata,
    Column("dag_id", String(ID), primary_key=True),
    Column("run_id", String(ID), primary_key=True),
    Column("kind", String(WORD), nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("written_at", UtcDateTime, nullable=False),
    Column("events", Integer, nullable=False),
)
