"""
The rows of a health run's report: one per checked hosted number, ``in_service`` or ``lost`` (with the
``MESSAGING_LOST`` event that named it, if one did, and the import that brought it in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from bandwidth_hosted_messaging.reporting import render
from bandwidth_hosted_messaging.reporting.ledger import RunRef
from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time
from bandwidth_hosted_messaging.statuses import HealthOutcome


@dataclass
class HealthRow:
    """
    One checked number in a health report.

    :param outcome: ``in_service`` or ``lost``.
    :param in_service: what ``/inserviceNumbers`` said.
    :param messaging_lost_event: when a ``MESSAGING_LOST`` event named it since its import (event time, else
        when it was recorded), if one did.
    """

    number: str
    outcome: HealthOutcome
    in_service: bool
    messaging_lost_event: str | None = None
    imported_at: str | None = None
    imported_by_dag: str | None = None
    imported_by_run: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        return data


HEALTH_COLUMNS = [f.name for f in fields(HealthRow)]


def messaging_lost_since_import(
    events: Iterable[Mapping[str, Any]], imports: Mapping[str, RunRef], numbers: Iterable[str]
) -> dict[str, str]:
    """
    ``{number: when}`` for each of ``numbers`` named by a ``MESSAGING_LOST`` event recorded after the import
    that brought it in (the latest such event). An event older than the import is about an earlier stay.

    :param events: ``{"recorded_at", "event_time", "numbers"}`` (``recorded_at``: the asset event's timestamp).
    :param imports: the import that brought each number in (the inventory's, for the numbers the events name).
    """
    wanted = set(numbers)
    noted: dict[str, tuple[datetime, str]] = {}
    for event in events:
        recorded = parse_time(event.get("recorded_at"))
        if recorded is None:
            continue
        when = str(event.get("event_time") or event.get("recorded_at"))
        for number in event.get("numbers") or ():
            ref = imports.get(number)
            if number not in wanted or ref is None:
                continue
            imported = parse_time(ref.at) or EPOCH
            if recorded > imported and (number not in noted or recorded > noted[number][0]):
                noted[number] = (recorded, when)
    return {n: when for n, (_, when) in noted.items()}


def build_health_rows(
    checked: Sequence[str], in_service: Iterable[str], lost_events: Mapping[str, str], imports: Mapping[str, RunRef]
) -> list[HealthRow]:
    """
    One row per checked number: ``lost`` if ``/inserviceNumbers`` no longer lists it, else ``in_service``; with
    the import that brought it in. A ``MESSAGING_LOST`` event that named it since its import is noted on the row,
    but never makes it lost on its own: the event is a signal (forged or mistaken ones reach the callback URL
    too), Bandwidth's in-service list is the truth.
    """
    found = set(in_service)
    rows = []
    for number in checked:
        event = lost_events.get(number)
        row = HealthRow(
            number=number,
            outcome=HealthOutcome.LOST if number not in found else HealthOutcome.IN_SERVICE,
            in_service=number in found,
            messaging_lost_event=event,
        )
        ref = imports.get(number)
        if ref is not None:
            row.imported_at, row.imported_by_dag, row.imported_by_run = ref.at, ref.dag_id, ref.run_id
        rows.append(row)
    return rows


def health_csv(rows: Sequence[HealthRow]) -> str:
    return render.to_csv((r.to_dict() for r in rows), HEALTH_COLUMNS)


#: The columns of the task log's table.
HEALTH_TABLE_COLUMNS = ("number", "outcome", "in_service", "messaging_lost_event", "imported_at", "imported_by_run")


def health_table(rows: Sequence[HealthRow], limit: int = 200) -> str:
    """A fixed-width text table for the task log (lost numbers first, at most ``limit`` rows)."""
    return render.to_table(
        [r.to_dict() for r in rows],
        HEALTH_TABLE_COLUMNS,
        first=lambda r: r["outcome"] == HealthOutcome.LOST,
        limit=limit,
    )
