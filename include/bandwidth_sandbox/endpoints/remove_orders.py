"""removeImportedTnOrders: create, get, list, history."""

from __future__ import annotations

from typing import Any

from .. import xmlio
from ..clock import iso
from ..errors import ApiError, errors_shape3
from ..http_types import Request, Response
from ..models import REMOVE, Order
from ..routing import Router
from ..v2 import V2, collection, number_out, version_of
from ..validation import check_customer_order_id, is_uuid, request_numbers
from .checker import require_import_enabled
from .order_queries import history_node, list_node

ERROR_ROOT = "RemoveImportedTnOrderResponse"
REPORT_ROOT = "RemoveImportedTnOrdersReportResponse"


def order_children(order: Order, show: Any = str) -> list[Any]:
    """``show`` writes each telephone number (``v2.number_out``: E.164 in v2 answers)."""
    return [
        ("CustomerOrderId", order.customer_order_id) if order.customer_order_id else None,
        ("OrderCreateDate", iso(order.created_at)),
        ("AccountId", order.account_id),
        ("CreatedByUser", order.created_by),
        ("OrderId", order.order_id),
        ("LastModifiedDate", iso(order.last_modified)),
        xmlio.numbers_node("TelephoneNumbers", map(show, order.numbers)),
        ("ProcessingStatus", order.status),
        errors_shape3(order.errors, show) if order.errors else ("Errors", None),
    ]


def create(ctx: Any, req: Request) -> Response:
    require_import_enabled(ctx, ERROR_ROOT)
    root = xmlio.parse(req.body)
    cfg = ctx.state.cfg
    coid = xmlio.text(root, "CustomerOrderId")
    tns, number_errors = request_numbers(req, root, cfg, cfg.order_max_numbers)
    errors = check_customer_order_id(coid, cfg) + number_errors
    if errors:
        raise ApiError(400, ERROR_ROOT, shape=2, errors=errors, prefix=[("ProcessingStatus", "FAILED")])
    order = ctx.state.create_order(REMOVE, req.principal or "", tns, customer_order_id=coid or None)
    with ctx.state.locked():
        children = order_children(order, number_out(req))
    if str(cfg.create_response_form).lower() == "flat":
        node = (ERROR_ROOT, children)
    else:
        node = ("RemoveImportedTnOrdersResponse", [("RemoveImportedTnOrder", children)])
    location = f"{req.account_url}/{collection(req, 'removeImportedTnOrders')}/{order.order_id}"
    return Response.xml(node, 201, {"Location": location})


def _order_or_error(ctx: Any, req: Request, order_id: str) -> Order:
    if not is_uuid(order_id):
        if version_of(req) == V2:  # v2's example: a Description and no ErrorCode
            raise ApiError(400, REPORT_ROOT, description="The resource does not exist", omit_code=True)
        raise ApiError(400, REPORT_ROOT, 1008, f"'{order_id}' is not a valid UUID")
    order = ctx.state.get_order(REMOVE, order_id)
    if order is None:
        raise ApiError(404, REPORT_ROOT, 5004, f"Remove imported TN order '{order_id}' not found")
    return order


def get(ctx: Any, req: Request, orderId: str) -> Response:
    with ctx.state.locked():
        node = ("RemoveImportedTnOrder", order_children(_order_or_error(ctx, req, orderId), number_out(req)))
    return Response.xml(node)


def list_all(ctx: Any, req: Request) -> Response:
    with ctx.state.locked():
        node = list_node(
            ctx,
            req,
            ctx.state.list_orders(REMOVE),
            "RemoveImportedTnOrders",
            "RemoveImportedTnOrderSummary",
            "remove_imported_tn_orders",
        )
    return Response.xml(node)


def history(ctx: Any, req: Request, orderId: str) -> Response:
    with ctx.state.locked():
        node = history_node(_order_or_error(ctx, req, orderId))
    return Response.xml(node)


def register(router: Router) -> None:
    router.add("POST", "removeImportedTnOrders", "removeImportedTnOrders.create", create)
    router.add("GET", "removeImportedTnOrders", "removeImportedTnOrders.list", list_all)
    router.add("GET", "removeImportedTnOrders/{orderId}", "removeImportedTnOrders.get", get)
    router.add("GET", "removeImportedTnOrders/{orderId}/history", "removeImportedTnOrders.history", history)
