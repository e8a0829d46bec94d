"""Shared by import and remove orders: list filters, summaries, history."""

from __future__ import annotations

from typing import Any

from ..clock import iso, parse_date
from ..errors import ApiError
from ..http_types import Request
from ..models import Order
from ..v2 import V2, number_in, version_of

LISTABLE_STATUSES = ("RECEIVED", "PROCESSING", "COMPLETE", "PARTIAL", "FAILED")


def _date(req: Request, name: str, root: str, end_of_day: bool) -> float | None:
    value = req.param(name)
    if value is None or value == "":
        return None
    try:
        return parse_date(value, end_of_day=end_of_day)
    except ValueError:
        raise ApiError(400, root, 15501, f"Invalid date '{value}' for {name}") from None


def filter_orders(ctx: Any, req: Request, orders: list[Order], root: str) -> list[Order]:
    statuses: set[str] = set()
    for raw in req.param_all("status"):
        for value in raw.split(","):
            value = value.strip().upper()
            if value not in LISTABLE_STATUSES:
                raise ApiError(
                    400,
                    root,
                    15518,
                    f"Invalid status '{value.lower()}'; one of " + ", ".join(s.lower() for s in LISTABLE_STATUSES),
                )
            statuses.add(value)
    customer_order_id = req.param("customerOrderId")
    tn = req.param("tn")
    if tn:  # v2: E.164 (an unencoded "+" arrives as a space and matches nothing)
        tn = number_in(req, tn)
    loa_type = req.param("loaType")
    if loa_type and version_of(req) == V2 and loa_type.upper() == "ALL":
        loa_type = None
    created_from = _date(req, "createdDateFrom", root, False)
    created_to = _date(req, "createdDateTo", root, True)
    modified_from = _date(req, "modifiedDateFrom", root, False)
    modified_to = _date(req, "modifiedDateTo", root, True)
    if (
        created_from is None
        and created_to is None
        and modified_from is None
        and modified_to is None
        and not tn
        and not customer_order_id
    ):
        created_from = ctx.state.now() - 86400 * ctx.state.cfg.order_search_window_days
    out = []
    for o in orders:
        if statuses and o.status not in statuses:
            continue
        if customer_order_id is not None and (o.customer_order_id or "") != customer_order_id:
            continue
        if tn and tn not in o.numbers:
            continue
        if loa_type and (o.loa_type or "").upper() != loa_type.upper():
            continue
        if created_from is not None and o.created_at < created_from:
            continue
        if created_to is not None and o.created_at > created_to:
            continue
        if modified_from is not None and o.last_modified < modified_from:
            continue
        if modified_to is not None and o.last_modified > modified_to:
            continue
        out.append(o)
    out.sort(key=lambda o: o.created_at, reverse=True)
    return out


def summary_node(name: str, order: Order, order_type: str) -> tuple:
    return (
        name,
        [
            ("accountId", order.account_id),
            ("CountOfTNs", len(order.numbers)),
            ("CustomerOrderId", order.customer_order_id) if order.customer_order_id else None,
            ("userId", order.created_by),
            ("lastModifiedDate", iso(order.last_modified)),
            ("OrderDate", iso(order.created_at)),
            ("OrderType", order_type),
            ("OrderStatus", order.status),
            ("OrderId", order.order_id),
        ],
    )


def list_node(ctx: Any, req: Request, orders: list[Order], root: str, item: str, order_type: str) -> tuple:
    matched = filter_orders(ctx, req, orders, root)
    limit = int(ctx.state.cfg.order_list_max)
    return (root, [("TotalCount", len(matched))] + [summary_node(item, o, order_type) for o in matched[:limit]])


def history_node(order: Order) -> tuple:
    return (
        "OrderHistoryWrapper",
        [
            (
                "OrderHistory",
                [("OrderDate", iso(h.time)), ("Note", h.note), ("Author", h.author), ("Status", h.status.lower())],
            )
            for h in order.history
        ],
    )
