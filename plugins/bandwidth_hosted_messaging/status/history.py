"""
A number across runs, for the status page's look-up: its status in the hosted-number inventory now and every run
that had it (the inventory's events of the number: one indexed query each, no report file read).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.client.numbers import normalize_number
from bandwidth_hosted_messaging.reporting.rows import COLUMNS
from bandwidth_hosted_messaging.reporting.times import EPOCH, parse_time
from bandwidth_hosted_messaging.status.categories import label_of, run_kind
from bandwidth_hosted_messaging.statuses import EventKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.inventory.inventory import Inventory


def normalize_lookup(text: str) -> str:
    """The number a person typed into the look-up (any punctuation), or :class:`InvalidNumber`."""
    return normalize_number(re.sub(r"[^\d+]", "", text or ""))


def default_inventory() -> Inventory:
    """The deployment's inventory (the ``bandwidth_inventory`` connection, else the SQLite file)."""
    from bandwidth_hosted_messaging.inventory.inventory import Inventory

    return Inventory.configured()


def _entry(number: str, event: dict[str, Any]) -> dict[str, Any]:
    if event["kind"] == EventKind.LOSS:
        return {
            "event": "lost",
            "dag_id": event["dag_id"],
            "run_id": event["run_id"],
            "at": event["noticed_at"] or event["at"],
            "outcome": "lost",
            "messaging_lost_event": event["lost_event"],
        }
    row = {**event["detail"], "number": number, "outcome": event["outcome"]}
    return {
        "event": run_kind(event["dag_id"]),
        "dag_id": event["dag_id"],
        "run_id": event["run_id"],
        "at": event["at"],
        "outcome": event["outcome"],
        "batch": label_of(event["dag_id"]),
        "row": {k: row.get(k) for k in COLUMNS},
    }


def number_history(
    number: str, *, readable: set[str] | None = None, inventory: Inventory | None = None
) -> dict[str, Any]:
    """
    A number across runs: its inventory status now (hosted, removed, lost; the import that brought it in), and
    every run that had it (import, remove: outcome and the row's details; health: when it was found lost),
    oldest first. Only runs of DAGs in ``readable`` (``None``: all); the status only if its import's DAG is.

    :raises InvalidNumber: when ``number`` is not a North American number.
    """
    inventory = inventory or default_inventory()
    number = normalize_lookup(number)
    history = [
        _entry(number, event)
        for event in inventory.events_of(number)
        if readable is None or event["dag_id"] in readable
    ]
    history.sort(key=lambda e: parse_time(e.get("at")) or EPOCH)
    record = inventory.get(number)
    visible = record is not None and (readable is None or record.imported.dag_id in readable)
    current = record.to_dict() if record is not None and visible else None
    return {"number": number, "ledger": current, "history": history}
