"""A number across runs, for the status page's look-up: its ledger status now and every run that had it."""

from __future__ import annotations

import re
from typing import Any

from bandwidth_hosted_messaging.client.numbers import normalize_number
from bandwidth_hosted_messaging.constants import HEALTH_DAG
from bandwidth_hosted_messaging.reporting.rows import COLUMNS
from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time
from bandwidth_hosted_messaging.status.categories import label_of, run_kind
from bandwidth_hosted_messaging.status.store import ReportStore, store


def normalize_lookup(text: str) -> str:
    """The number a person typed into the look-up (any punctuation), or :class:`InvalidNumber`."""
    return normalize_number(re.sub(r"[^\d+]", "", text or ""))


def number_history(
    number: str, *, readable: set[str] | None = None, reports: ReportStore | None = None
) -> dict[str, Any]:
    """
    A number across runs: its ledger status now (hosted, removed, lost; the import that brought it in), and
    every run that had it (import, remove: outcome and the row's details; health: when it was found lost),
    oldest first.

    :raises InvalidNumber: when ``number`` is not a North American number.
    """
    reports = reports or store()
    number = normalize_lookup(number)
    history: list[dict[str, Any]] = []
    for d in reports.digests():
        if number not in d.outcomes or (readable is not None and d.dag_id not in readable):
            continue
        entry: dict[str, Any] = {
            "event": run_kind(d.dag_id),
            "dag_id": d.dag_id,
            "run_id": d.run_id,
            "at": d.finished_at,
            "outcome": d.outcomes[number],
            "batch": label_of(d.dag_id),
        }
        full = reports.report(d.dag_id, d.run_id)
        row = next((r for r in (full or {}).get("rows") or () if r.get("number") == number), None)
        if row is not None:
            entry["row"] = {k: row.get(k) for k in COLUMNS}
        history.append(entry)
    for losses in reports.losses():
        if readable is not None and HEALTH_DAG not in readable:
            break
        for loss in losses.get("lost") or ():
            if loss.get("number") == number:
                history.append(
                    {
                        "event": "lost",
                        "dag_id": losses.get("dag_id"),
                        "run_id": losses.get("run_id"),
                        "at": loss.get("noticed_at") or losses.get("finished_at"),
                        "outcome": "lost",
                        "messaging_lost_event": loss.get("messaging_lost_event"),
                    }
                )
    history.sort(key=lambda e: parse_time(e.get("at")) or EPOCH)
    record = reports.ledger().get(number)
    visible = record is not None and (readable is None or record.imported.dag_id in readable)
    current = record.to_dict() if record is not None and visible else None
    return {"number": number, "ledger": current, "history": history}
