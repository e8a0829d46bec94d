"""importTnOrders: create, get, list, history."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from .. import xmlio
from ..clock import iso
from ..errors import ApiError, errors_shape3
from ..http_types import Request, Response
from ..models import IMPORT, Order
from ..routing import Router
from ..v2 import collection, number_out
from ..validation import check_customer_order_id, request_numbers, required
from .checker import require_import_enabled
from .order_queries import history_node, list_node
from .sites import default_peer, find_site

ERROR_ROOT = "ImportTnOrderResponse"
ADDRESS_REQUIRED = ("HouseNumber", "StreetName", "City", "StateCode", "Zip")
ADDRESS_ORDER = (
    "HouseNumber",
    "HouseSuffix",
    "PreDirectional",
    "StreetName",
    "StreetSuffix",
    "PostDirectional",
    "AddressLine2",
    "City",
    "StateCode",
    "Zip",
    "PlusFour",
    "County",
    "Country",
    "AddressType",
)


def _address(addr: ET.Element | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if addr is None:
        return out
    canonical = {n.lower(): n for n in ADDRESS_ORDER}
    for el in addr:
        out[canonical.get(el.tag.lower(), el.tag)] = (el.text or "").strip()
    return out


def _validate(ctx: Any, req: Request, root: ET.Element) -> tuple[list[tuple[int, str]], dict[str, Any]]:
    cfg = ctx.state.cfg
    errors: list[tuple[int, str]] = []
    coid = xmlio.text(root, "CustomerOrderId")
    errors += check_customer_order_id(coid, cfg)
    subscriber = xmlio.child(root, "Subscriber")
    name = xmlio.text(subscriber, "Name")
    errors += required(name, "Subscriber Name")
    if name and len(name) > cfg.subscriber_name_max:
        errors.append((1011, f"Subscriber Name is longer than {cfg.subscriber_name_max} characters"))
    address = _address(xmlio.child(subscriber, "ServiceAddress"))
    for field in ADDRESS_REQUIRED:
        errors += required(address.get(field), f"ServiceAddress {field}")
    state_code = address.get("StateCode")
    if state_code and not (len(state_code) == 2 and state_code.isalpha()):
        errors.append((1010, f"StateCode '{state_code}' must be two letters"))
    loa_person = xmlio.text(root, "LoaAuthorizingPerson")
    errors += required(loa_person, "LoaAuthorizingPerson")
    loa_type = (xmlio.text(root, "LoaType") or "SUBSCRIBER").upper()
    if loa_type not in ("SUBSCRIBER", "CARRIER"):
        errors.append((1010, f"LoaType '{loa_type}' must be SUBSCRIBER or CARRIER"))
    tns, number_errors = request_numbers(req, root, cfg, cfg.order_max_numbers)
    errors += number_errors

    site_id = xmlio.text(root, "SiteId")
    sip_peer = xmlio.text(root, "SipPeerId") or None
    site_problem: int | None = None
    reject = str(cfg.invalid_site_mode).lower() != "fail"
    if not site_id:
        errors.append((7309, "SiteId is required"))
    else:
        site = find_site(ctx, site_id)
        if site is None:
            if reject:
                errors.append((7309, f"SiteId '{site_id}' is invalid"))
            else:
                site_problem = 5016
        elif sip_peer:
            if sip_peer not in {str(p["id"]) for p in site.get("sip_peers", [])}:
                if reject:
                    errors.append((7312, f"SipPeerId '{sip_peer}' is invalid for site '{site_id}'"))
                else:
                    site_problem = 5023
        else:
            peer = default_peer(site)
            if peer is None:
                if reject:
                    errors.append((7310, f"Site '{site_id}' has no default SIP peer; a SipPeerId is required"))
                else:
                    site_problem = 5020
            else:
                sip_peer = str(peer["id"])
    fields = {
        "customer_order_id": coid or None,
        "site_id": site_id,
        "sip_peer_id": sip_peer,
        "subscriber": {"Name": name, "ServiceAddress": address},
        "loa_person": loa_person,
        "loa_type": loa_type,
        "site_problem": site_problem,
    }
    return errors, {"numbers": tns, **fields}


def order_children(order: Order, live_get: bool, show: Any = str) -> list[Any]:
    """``show`` writes each telephone number (``v2.number_out``: E.164 in v2 answers)."""
    address = dict(order.subscriber.get("ServiceAddress") or {})
    if live_get:
        address.setdefault("Country", "United States")
        address.setdefault("AddressType", "Service")
    known = [k for k in ADDRESS_ORDER if k in address] + [k for k in address if k not in ADDRESS_ORDER]
    sip_peer = ("SipPeerId", order.sip_peer_id) if order.sip_peer_id else None
    errors = errors_shape3(order.errors, show) if order.errors else ("Errors", None)
    parts: list[Any] = [
        ("CustomerOrderId", order.customer_order_id) if order.customer_order_id else None,
        ("OrderCreateDate", iso(order.created_at)),
        ("AccountId", order.account_id),
        ("CreatedByUser", order.created_by),
        ("OrderId", order.order_id),
        ("LastModifiedDate", iso(order.last_modified)),
        ("SiteId", order.site_id),
        None if live_get else sip_peer,
        ("Subscriber", [("Name", order.subscriber.get("Name")), ("ServiceAddress", [(k, address[k]) for k in known])]),
        ("LoaAuthorizingPerson", order.loa_person),
        ("LoaType", order.loa_type),
        xmlio.numbers_node("TelephoneNumbers", map(show, order.numbers)),
        ("ProcessingStatus", order.status),
        errors,
        sip_peer if live_get else None,
    ]
    return parts


def create(ctx: Any, req: Request) -> Response:
    require_import_enabled(ctx, ERROR_ROOT)
    root = xmlio.parse(req.body)
    errors, fields = _validate(ctx, req, root)
    if errors:
        raise ApiError(400, ERROR_ROOT, shape=2, errors=errors, prefix=[("ProcessingStatus", "FAILED")])
    numbers = fields.pop("numbers")
    order = ctx.state.create_order(IMPORT, req.principal or "", numbers, **fields)
    with ctx.state.locked():
        children = order_children(order, live_get=False, show=number_out(req))
    if str(ctx.state.cfg.create_response_form).lower() == "flat":
        node = ("ImportTnOrderResponse", children)
    else:
        node = ("ImportTnOrdersResponse", [("ImportTnOrder", children)])
    location = f"{req.account_url}/{collection(req, 'importTnOrders')}/{order.order_id}"
    return Response.xml(node, 201, {"Location": location})


def _order_or_404(ctx: Any, order_id: str) -> Order:
    order = ctx.state.get_order(IMPORT, order_id)
    if order is None:
        raise ApiError(404, ERROR_ROOT, 5004, f"Import TN order '{order_id}' not found")
    return order


def get(ctx: Any, req: Request, orderId: str) -> Response:
    with ctx.state.locked():
        order = _order_or_404(ctx, orderId)
        live = bool(ctx.state.cfg.live_element_order)
        node = ("ImportTnOrder", order_children(order, live_get=live, show=number_out(req)))
    return Response.xml(node)


def list_all(ctx: Any, req: Request) -> Response:
    with ctx.state.locked():
        node = list_node(
            ctx, req, ctx.state.list_orders(IMPORT), "ImportTnOrders", "ImportTnOrderSummary", "import_tn_orders"
        )
    return Response.xml(node)


def history(ctx: Any, req: Request, orderId: str) -> Response:
    with ctx.state.locked():
        node = history_node(_order_or_404(ctx, orderId))
    return Response.xml(node)


def register(router: Router) -> None:
    router.add("POST", "importTnOrders", "importTnOrders.create", create)
    router.add("GET", "importTnOrders", "importTnOrders.list", list_all)
    router.add("GET", "importTnOrders/{orderId}", "importTnOrders.get", get)
    router.add("GET", "importTnOrders/{orderId}/history", "importTnOrders.history", history)
