"""The per-number report of an import or remove run: one row per submitted number, as a table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from bandwidth.models import TnOrder

#: Checker code for numbers Bandwidth already serves (an earlier run imported them).
ALREADY_ON_BANDWIDTH = "19006"


class Outcome:
    """Outcomes of one number. ``SUCCESSFUL`` ones do not fail the run."""

    IN_SERVICE = "in_service"
    ALREADY_IN_SERVICE = "already_in_service"
    REJECTED = "rejected"
    ORDER_FAILED = "order_failed"
    NOT_ORDERED = "not_ordered"
    NOT_IN_SERVICE = "not_in_service"
    REMOVED = "removed"
    REMOVE_FAILED = "remove_failed"
    STILL_IN_SERVICE = "still_in_service"

    SUCCESSFUL = frozenset({IN_SERVICE, ALREADY_IN_SERVICE, REJECTED, REMOVED})


@dataclass
class ReportRow:
    number: str
    outcome: str
    checker_code: str | None = None
    checker_description: str | None = None
    order_id: str | None = None
    customer_order_id: str | None = None
    order_status: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    loa_file: str | None = None
    in_service: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


COLUMNS = [f.name for f in fields(ReportRow)]


def _orders_by_number(orders: Sequence[Mapping[str, Any] | None]) -> dict[str, TnOrder]:
    by_number: dict[str, TnOrder] = {}
    for data in orders:
        if data:
            order = TnOrder.from_dict(data)
            for number in order.numbers:
                by_number[number] = order
    return by_number


def build_import_rows(
    numbers: Sequence[str],
    checker: Mapping[str, Any] | None,
    plan: Sequence[Mapping[str, Any]] | None,
    orders: Sequence[Mapping[str, Any] | None],
    loas: Sequence[Mapping[str, Any] | None],
    verification: Mapping[str, Any] | None,
) -> list[ReportRow]:
    """Join what each step recorded into one row per number, in the order the numbers were given."""
    rejected = {r["number"]: r for r in (checker or {}).get("rejected", [])}
    planned = {n: chunk["customer_order_id"] for chunk in plan or [] for n in chunk["numbers"]}
    by_number = _orders_by_number(orders)
    loa_by_order = {l["order_id"]: l.get("file_name") for l in loas if l}
    in_service = set((verification or {}).get("in_service", []))
    already = set((verification or {}).get("already_in_service", []))
    verified = verification is not None
    rows = []
    for number in numbers:
        row = ReportRow(number=number, outcome=Outcome.NOT_ORDERED)
        if number in rejected:
            row.checker_code = str(rejected[number]["code"])
            row.checker_description = rejected[number]["description"]
            row.outcome = Outcome.REJECTED
            if number in already:
                row.outcome, row.in_service = Outcome.ALREADY_IN_SERVICE, True
            rows.append(row)
            continue
        row.customer_order_id = planned.get(number)
        order = by_number.get(number)
        if order is not None:
            row.order_id, row.order_status = order.order_id, order.status.value
            row.customer_order_id = order.customer_order_id or row.customer_order_id
            row.loa_file = loa_by_order.get(order.order_id)
            error = order.failed_numbers().get(number)
            if error is not None:
                row.error_code, row.error_description = error.code or None, error.description
                row.outcome = Outcome.ORDER_FAILED
            elif order.status.is_success:
                row.in_service = (number in in_service) if verified else None
                row.outcome = Outcome.IN_SERVICE if row.in_service else Outcome.NOT_IN_SERVICE
        rows.append(row)
    return rows


def build_remove_rows(
    numbers: Sequence[str],
    plan: Sequence[Mapping[str, Any]] | None,
    orders: Sequence[Mapping[str, Any] | None],
    verification: Mapping[str, Any] | None,
) -> list[ReportRow]:
    """One row per number of a remove run: removed, remove_failed (with Bandwidth's code), still in service."""
    planned = {n: chunk["customer_order_id"] for chunk in plan or [] for n in chunk["numbers"]}
    by_number = _orders_by_number(orders)
    removed = set((verification or {}).get("removed", []))
    verified = verification is not None
    rows = []
    for number in numbers:
        row = ReportRow(number=number, outcome=Outcome.NOT_ORDERED, customer_order_id=planned.get(number))
        order = by_number.get(number)
        if order is not None:
            row.order_id, row.order_status = order.order_id, order.status.value
            row.customer_order_id = order.customer_order_id or row.customer_order_id
            error = order.failed_numbers().get(number)
            if error is not None:
                row.error_code, row.error_description = error.code or None, error.description
                row.outcome = Outcome.REMOVE_FAILED
            elif order.status.is_success:
                row.in_service = (number not in removed) if verified else None
                row.outcome = Outcome.REMOVED if row.in_service is False else Outcome.STILL_IN_SERVICE
        rows.append(row)
    return rows


def summarize(rows: Sequence[ReportRow]) -> dict[str, int]:
    counts = Counter(r.outcome for r in rows)
    return {"total": len(rows), **dict(sorted(counts.items()))}


def failed_rows(rows: Sequence[ReportRow]) -> list[ReportRow]:
    return [r for r in rows if r.outcome not in Outcome.SUCCESSFUL]


def to_csv(rows: Sequence[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in asdict(row).items()})
    return out.getvalue()


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=1, sort_keys=True)


def to_table(rows: Sequence[ReportRow], limit: int = 200) -> str:
    """A fixed-width text table for the task log (the first ``limit`` rows, failures first)."""
    ordered = sorted(rows, key=lambda r: r.outcome in Outcome.SUCCESSFUL)
    shown = ordered[:limit]
    cols = ["number", "outcome", "checker_code", "order_id", "order_status", "error_code", "loa_file", "in_service"]
    cells = [[("" if getattr(r, c) is None else str(getattr(r, c))) for c in cols] for r in shown]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows in the CSV")
    return "\n".join(lines)
