"""The per-number report of an import or remove run: one row per submitted number, as a table, CSV and JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.contracts import (
    ApprovalDict,
    CheckerResultDict,
    InServiceDict,
    LoaResultDict,
    OrderDict,
    PlanChunkDict,
    RemovedDict,
)
from bandwidth_hosted_messaging.reporting import render
from bandwidth_hosted_messaging.statuses import ApprovalDecision, Outcome, is_successful


@dataclass
class ReportRow:
    """One number of a run and what became of it at each step."""

    number: str
    outcome: Outcome
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
        # Every field is a flat value: a shallow copy, not dataclasses.asdict's recursive deep copy (which took
        # about 40 % of the report task's time at 10,000 numbers, measured with cProfile).
        return {**self.__dict__, "outcome": str(self.outcome)}


COLUMNS = [f.name for f in fields(ReportRow)]


def _orders_by_number(orders: Sequence[OrderDict | None]) -> dict[str, TnOrder]:
    by_number: dict[str, TnOrder] = {}
    for data in orders:
        if data:
            order = TnOrder.from_dict(data)
            for number in order.numbers:
                by_number[number] = order
    return by_number


def not_ordered_because(approval: ApprovalDict | None) -> tuple[Outcome, str | None] | None:
    """
    What a planned number that was never ordered ends as, when the approval step held the plan back: a dry run's
    ``would_order``, or ``not_ordered`` with who rejected it and when. ``None`` when the plan went through.
    """
    if not approval:
        return None
    decision = ApprovalDecision(approval["decision"])
    if decision.orders:
        return None
    if decision is ApprovalDecision.DRY_RUN:
        return Outcome.WOULD_ORDER, "dry run: not ordered"
    if decision is ApprovalDecision.TIMED_OUT:
        return Outcome.NOT_ORDERED, f"nobody approved the orders in time (until {approval.get('at')})"
    return (
        Outcome.NOT_ORDERED,
        f"the orders were rejected by {approval.get('by') or 'an approver'} at {approval.get('at')}",
    )


def _hold_back(row: ReportRow, held: tuple[Outcome, str | None] | None) -> None:
    if held is not None and row.customer_order_id is not None and row.order_id is None:
        row.outcome, row.error_description = held


def build_import_rows(
    numbers: Sequence[str],
    checker: CheckerResultDict | None,
    plan: Sequence[PlanChunkDict] | None,
    orders: Sequence[OrderDict | None],
    loas: Sequence[LoaResultDict | None],
    verification: InServiceDict | None,
    approval: ApprovalDict | None = None,
) -> list[ReportRow]:
    """Join what each step recorded into one row per number, in the order the numbers were given."""
    held = not_ordered_because(approval)
    rejected = {r["number"]: r for r in (checker or {"rejected": []})["rejected"]}
    planned = {n: chunk["customer_order_id"] for chunk in plan or [] for n in chunk["numbers"]}
    by_number = _orders_by_number(orders)
    loa_by_order = {loa["order_id"]: loa.get("file_name") for loa in loas if loa}
    in_service = set(verification["in_service"]) if verification else set()
    already = set(verification["already_in_service"]) if verification else set()
    verified = verification is not None
    rows = []
    for number in numbers:
        row = ReportRow(number=number, outcome=Outcome.NOT_ORDERED)
        if number in rejected:
            row.checker_code = str(rejected[number]["code"]) if rejected[number]["code"] is not None else None
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
        _hold_back(row, held)
        rows.append(row)
    return rows


def build_remove_rows(
    numbers: Sequence[str],
    plan: Sequence[PlanChunkDict] | None,
    orders: Sequence[OrderDict | None],
    verification: RemovedDict | None,
    approval: ApprovalDict | None = None,
) -> list[ReportRow]:
    """One row per number of a remove run: removed, remove_failed (with Bandwidth's code), still in service."""
    held = not_ordered_because(approval)
    planned = {n: chunk["customer_order_id"] for chunk in plan or [] for n in chunk["numbers"]}
    by_number = _orders_by_number(orders)
    removed = set(verification["removed"]) if verification else set()
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
        _hold_back(row, held)
        rows.append(row)
    return rows


def summarize(rows: Sequence[ReportRow]) -> dict[str, int]:
    counts = Counter(str(r.outcome) for r in rows)
    return {"total": len(rows), **dict(sorted(counts.items()))}


def failed_rows(rows: Sequence[ReportRow]) -> list[ReportRow]:
    return [r for r in rows if not is_successful(r.outcome)]


def to_csv(rows: Sequence[ReportRow]) -> str:
    return render.to_csv((r.to_dict() for r in rows), COLUMNS)


#: The columns of the task log's table.
TABLE_COLUMNS = (
    "number",
    "outcome",
    "checker_code",
    "order_id",
    "order_status",
    "error_code",
    "loa_file",
    "in_service",
)


def to_table(rows: Sequence[ReportRow], limit: int = 200) -> str:
    """A fixed-width text table for the task log (failures first, at most ``limit`` rows)."""
    return render.to_table(
        [r.to_dict() for r in rows], TABLE_COLUMNS, first=lambda r: not is_successful(r["outcome"]), limit=limit
    )
