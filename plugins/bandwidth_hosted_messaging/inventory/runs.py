"""
A run's report as the inventory records it: one :class:`Event` per number (a row of an import or remove run's
``report.json``, a loss in a health run's ``losses.json``), the run's report time, its kind. Pure functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.constants import HEALTH_DAG, REMOVE_DAG
from bandwidth_hosted_messaging.reporting.ledger import is_import_dag
from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time
from bandwidth_hosted_messaging.statuses import EventKind, RunKind

#: Row fields not kept in an event's ``detail`` (they are its columns).
_COLUMNS_OF_THEIR_OWN = frozenset({"number", "outcome"})


@dataclass(frozen=True)
class Event:
    """
    What one run did to one number.

    :param outcome: the row's outcome (``lost`` for a loss).
    :param order_id: an import's order.
    :param noticed_at: a loss: when the health run noticed it.
    :param lost_event: a loss: the ``MESSAGING_LOST`` event that named the number, if one did.
    :param detail: the report row's other fields, as JSON (the number's history shows them).
    """

    number: str
    kind: EventKind
    outcome: str
    order_id: str | None = None
    noticed_at: datetime | None = None
    lost_event: str | None = None
    detail: str | None = None


@dataclass
class RunRecord:
    """One run as the inventory records it: written as a whole, in one transaction."""

    dag_id: str
    run_id: str
    kind: RunKind
    finished_at: datetime
    events: list[Event] = field(default_factory=list)


def run_kind_of(dag_id: str) -> RunKind | None:
    """The kind of run a DAG's runs are for the inventory (``None``: not one it records)."""
    if is_import_dag(dag_id):
        return RunKind.IMPORT
    if dag_id == REMOVE_DAG:
        return RunKind.REMOVE
    if dag_id == HEALTH_DAG:
        return RunKind.HEALTH
    return None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def run_record(report: Mapping[str, Any]) -> RunRecord | None:
    """
    The inventory's record of a run from what it wrote: an import or remove run's report (every row), a health
    run's ``losses.json`` (every loss). ``None`` for a dry run (its rows are ``would_order``: nothing happened)
    and for a DAG the inventory does not follow. A number given twice counts once (its first row).

    A report without a readable ``finished_at`` counts at the epoch (as the ledger does; :func:`read_reports
    <bandwidth_hosted_messaging.reporting.ledger.read_reports>` fills it from the file's time first).
    """
    dag_id, run_id = str(report.get("dag_id") or ""), str(report.get("run_id") or "")
    kind = run_kind_of(dag_id)
    if kind is None or not run_id or report.get("dry_run"):
        return None
    run = RunRecord(dag_id, run_id, kind, parse_time(report.get("finished_at")) or EPOCH)
    seen: set[str] = set()
    if kind is RunKind.HEALTH:
        for loss in report.get("lost") or ():
            loss = loss if isinstance(loss, Mapping) else {"number": loss}
            number = canonical(str(loss.get("number")))
            if number in seen:
                continue
            seen.add(number)
            run.events.append(
                Event(
                    number,
                    EventKind.LOSS,
                    "lost",
                    noticed_at=parse_time(loss.get("noticed_at")),
                    lost_event=_text(loss.get("messaging_lost_event")),
                )
            )
        return run
    event_kind = EventKind.IMPORT if kind is RunKind.IMPORT else EventKind.REMOVE
    for row in report.get("rows") or ():
        number = canonical(str(row.get("number")))
        if number in seen:
            continue
        seen.add(number)
        detail = {k: v for k, v in row.items() if k not in _COLUMNS_OF_THEIR_OWN}
        run.events.append(
            Event(
                number,
                event_kind,
                str(row.get("outcome") or ""),
                order_id=_text(row.get("order_id")),
                detail=json.dumps(detail, separators=(",", ":"), default=str),
            )
        )
    return run
