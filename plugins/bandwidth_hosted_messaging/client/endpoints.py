"""
The Bandwidth Numbers API as data: one function per call, each returning an :class:`~.calls.ApiCall`
(method, account-relative path, query, body) with the parser of its answer. Import and remove orders
share their functions, parameterised by :class:`~bandwidth_hosted_messaging.statuses.OrderKind`.

Calls whose wire form differs between v1 and v2 take a ``dialect`` (:mod:`.versions`): numbers are written as the
version takes them and read back in either form (:func:`~.numbers.canonical`); order paths gain ``/messaging`` on v2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from bandwidth_hosted_messaging.client import xmlio
from bandwidth_hosted_messaging.client.calls import XML_CONTENT_TYPE, ApiCall, ApiResponse, content_of, location_id
from bandwidth_hosted_messaging.client.errors import BandwidthApiError, ErrorDetail
from bandwidth_hosted_messaging.client.models import (
    CheckerResult,
    ImportTnOrderRequest,
    InServicePage,
    LoaFile,
    NumberError,
    OrderHistoryEntry,
    OrderSummary,
    SipPeer,
    Site,
    Subscription,
    TnOrder,
)
from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.client.versions import V1, Dialect
from bandwidth_hosted_messaging.constants import CHECKER_MAX_NUMBERS, ORDER_MAX_NUMBERS
from bandwidth_hosted_messaging.statuses import OrderKind, ProcessingStatus

LOA_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".csv": "text/csv",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DOCUMENT_TYPES = ("LOA", "INVOICE", "CSR", "OTHER")
#: Account events one subscribes to with ``<EventType>`` instead of ``<OrderType>``.
ACCOUNT_EVENT_TYPES = frozenset({"MESSAGING_LOST"})
ORDER_LIST_FILTERS = (
    "customerOrderId",
    "tn",
    "status",
    "loaType",
    "createdDateFrom",
    "createdDateTo",
    "modifiedDateFrom",
    "modifiedDateTo",
)
# --------------------------------------------------------------------------------------------- sites


def list_sites() -> ApiCall[list[Site]]:
    def parse(response: ApiResponse) -> list[Site]:
        sites = xmlio.path(content_of(response, "SitesResponse"), "Sites", "Site")
        return [
            Site(xmlio.text(xmlio.child(s, "Id")) or "", xmlio.text(xmlio.child(s, "Name")))
            for s in xmlio.as_list(sites)
        ]

    return ApiCall("GET", "sites", parse)


def get_site(site_id: str) -> ApiCall[Site | None]:
    def parse(response: ApiResponse) -> Site | None:
        if response.status == 404:
            return None
        site = xmlio.child(content_of(response, "SiteResponse"), "Site")
        return Site(xmlio.text(xmlio.child(site, "Id")) or site_id, xmlio.text(xmlio.child(site, "Name")))

    return ApiCall("GET", f"sites/{quote(site_id)}", parse, ok_statuses=frozenset({404}))


def list_sip_peers(site_id: str) -> ApiCall[list[SipPeer]]:
    def parse(response: ApiResponse) -> list[SipPeer]:
        peers = xmlio.path(content_of(response, "TNSipPeersResponse", "SipPeersResponse"), "SipPeers", "SipPeer")
        return [
            SipPeer(
                xmlio.text(xmlio.child(p, "PeerId")) or "",
                xmlio.text(xmlio.child(p, "PeerName")),
                (xmlio.text(xmlio.child(p, "IsDefaultPeer")) or "").lower() == "true",
            )
            for p in xmlio.as_list(peers)
        ]

    return ApiCall("GET", f"sites/{quote(site_id)}/sippeers", parse)


# --------------------------------------------------------------------------------------------- subscriptions


def _subscription(node: Any) -> Subscription:
    callback = xmlio.child(node, "CallbackSubscription") or {}
    expiry = xmlio.text(xmlio.child(callback, "Expiry"))
    return Subscription(
        subscription_id=xmlio.text(xmlio.child(node, "SubscriptionId")) or "",
        order_type=xmlio.text(xmlio.child(node, "OrderType", "EventType")) or "",
        url=xmlio.text(xmlio.child(callback, "URL")),
        username=xmlio.text(xmlio.path(callback, "CallbackCredentials", "BasicAuthentication", "Username")),
        expiry=int(expiry) if expiry and expiry.lstrip("-").isdigit() else None,
        status=xmlio.text(xmlio.child(callback, "Status")),
        order_id=xmlio.text(xmlio.child(node, "OrderId")),
        number_format=xmlio.text(xmlio.child(node, "NumberFormat")),
    )


def _parse_subscriptions(response: ApiResponse) -> list[Subscription]:
    content = content_of(response, "SubscriptionsResponse", "SubscriptionResponse")
    wrapped = xmlio.child(content, "Subscriptions")
    nodes = xmlio.child(wrapped, "Subscription") if wrapped is not None else xmlio.child(content, "Subscription")
    return [_subscription(n) for n in xmlio.as_list(nodes)]


def _subscription_body(
    order_type: str, url: str, username: str | None, password: str | None, expiry: int, dialect: Dialect
) -> bytes:
    """
    An order subscription (``<OrderType>``), or an account-event one (``<EventType>MESSAGING_LOST``), always with
    an explicit ``NumberFormat`` (E164 on v2, LEGACY on v1: the numbers of its deliveries).
    """
    callback: dict[str, Any] = {"URL": url, "Expiry": str(expiry)}
    if username and password:
        callback["CallbackCredentials"] = {"BasicAuthentication": {"Username": username, "Password": password}}
    element = "EventType" if order_type.upper() in ACCOUNT_EVENT_TYPES else "OrderType"
    content = {element: order_type, "NumberFormat": dialect.number_format, "CallbackSubscription": callback}
    return xmlio.to_xml("Subscription", content)


def list_subscriptions() -> ApiCall[list[Subscription]]:
    return ApiCall("GET", "subscriptions", _parse_subscriptions)


def get_subscription(subscription_id: str) -> ApiCall[Subscription | None]:
    def parse(response: ApiResponse) -> Subscription | None:
        if response.status == 404:
            return None
        found = _parse_subscriptions(response)
        return found[0] if found else None

    return ApiCall("GET", f"subscriptions/{quote(subscription_id)}", parse, ok_statuses=frozenset({404}))


def create_subscription(
    order_type: str, url: str, username: str | None, password: str | None, expiry: int, *, dialect: Dialect = V1
) -> ApiCall[str]:
    def parse(response: ApiResponse) -> str:
        sub_id = location_id(response)
        if not sub_id:
            raise BandwidthApiError("POST /subscriptions: no Location header in the answer", status=response.status)
        return sub_id

    body = _subscription_body(order_type, url, username, password, expiry, dialect)
    return ApiCall("POST", "subscriptions", parse, body=body, content_type=XML_CONTENT_TYPE, idempotent=False)


def update_subscription(
    subscription_id: str,
    order_type: str,
    url: str,
    username: str | None,
    password: str | None,
    expiry: int,
    *,
    dialect: Dialect = V1,
) -> ApiCall[None]:
    body = _subscription_body(order_type, url, username, password, expiry, dialect)
    return ApiCall(
        "PUT", f"subscriptions/{quote(subscription_id)}", lambda r: None, body=body, content_type=XML_CONTENT_TYPE
    )


def delete_subscription(subscription_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"subscriptions/{quote(subscription_id)}", lambda r: None)


# --------------------------------------------------------------------------------------------- importTnChecker


def _number_errors(nodes: Any) -> tuple[NumberError, ...]:
    return tuple(
        NumberError(
            xmlio.text(xmlio.child(n, "Code")) or "",
            xmlio.text(xmlio.child(n, "Description")) or "",
            tuple(canonical(t) for t in xmlio.texts(xmlio.path(n, "TelephoneNumbers", "TelephoneNumber"))),
        )
        for n in xmlio.as_list(nodes)
        if isinstance(n, Mapping)
    )


def check_importability(
    numbers: Sequence[str], site_id: str | None = None, sip_peer_id: str | None = None, *, dialect: Dialect = V1
) -> ApiCall[CheckerResult]:
    if not numbers:
        raise ValueError("importTnChecker needs at least one number")
    if len(numbers) > CHECKER_MAX_NUMBERS:
        raise ValueError(f"importTnChecker takes at most {CHECKER_MAX_NUMBERS} numbers, got {len(numbers)}")

    def parse(response: ApiResponse) -> CheckerResult:
        payload = xmlio.child(content_of(response, "ImportTnCheckerResponse"), "ImportTnCheckerPayload") or {}
        importable = xmlio.texts(xmlio.path(payload, "TelephoneNumbers", "TelephoneNumber"))
        rejected = _number_errors(xmlio.path(payload, "ImportTnErrors", "ImportTnError"))
        return CheckerResult(tuple(canonical(n) for n in importable), rejected)

    content: dict[str, Any] = {"TelephoneNumbers": xmlio.numbers_element(dialect.numbers(numbers))}
    if site_id:
        content["SiteId"] = site_id
    if sip_peer_id:
        content["SipPeerId"] = sip_peer_id
    body = xmlio.to_xml("ImportTnCheckerPayload", content)
    return ApiCall("POST", "importTnChecker", parse, body=body, content_type=XML_CONTENT_TYPE)


# --------------------------------------------------------------------------------------------- orders


def _order(content: Any, element: str, location_id: str | None = None) -> TnOrder:
    node = xmlio.child(content, element)
    if not isinstance(node, Mapping):
        node = content
    order_id = xmlio.text(xmlio.child(node, "OrderId")) or location_id
    if not order_id:
        raise BandwidthApiError(f"{element} without an OrderId")
    return TnOrder(
        order_id=order_id,
        status=ProcessingStatus.parse(xmlio.text(xmlio.child(node, "ProcessingStatus"))),
        customer_order_id=xmlio.text(xmlio.child(node, "CustomerOrderId", "CustomerOrderID")),
        numbers=tuple(canonical(n) for n in xmlio.texts(xmlio.path(node, "TelephoneNumbers", "TelephoneNumber"))),
        errors=_number_errors(xmlio.child(xmlio.child(node, "Errors"), "Error")),
        order_create_date=xmlio.text(xmlio.child(node, "OrderCreateDate")),
        last_modified_date=xmlio.text(xmlio.child(node, "LastModifiedDate")),
    )


def _order_list_params(filters: Mapping[str, Any], dialect: Dialect) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for key, value in filters.items():
        if key not in ORDER_LIST_FILTERS:
            raise ValueError(f"unknown order list filter {key!r}; known: {', '.join(ORDER_LIST_FILTERS)}")
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        params.extend((key, dialect.number(str(v)) if key == "tn" else str(v)) for v in values)
    return params


def _parse_summaries(root: str, element: str) -> Callable[[ApiResponse], list[OrderSummary]]:
    def parse(response: ApiResponse) -> list[OrderSummary]:
        if not response.body.strip():
            return []
        rows = []
        for s in xmlio.as_list(xmlio.child(content_of(response, root), element)):
            count = xmlio.text(xmlio.child(s, "CountOfTNs"))
            rows.append(
                OrderSummary(
                    order_id=xmlio.text(xmlio.child(s, "OrderId")) or "",
                    status=(xmlio.text(xmlio.child(s, "OrderStatus")) or "").upper(),
                    customer_order_id=xmlio.text(xmlio.child(s, "CustomerOrderId")),
                    count_of_tns=int(count) if count and count.isdigit() else None,
                    order_date=xmlio.text(xmlio.child(s, "OrderDate")),
                )
            )
        return rows

    return parse


def _parse_history(response: ApiResponse) -> list[OrderHistoryEntry]:
    return [
        OrderHistoryEntry(
            xmlio.text(xmlio.child(h, "OrderDate")),
            xmlio.text(xmlio.child(h, "Note")),
            xmlio.text(xmlio.child(h, "Author")),
            xmlio.text(xmlio.child(h, "Status")),
        )
        for h in xmlio.as_list(xmlio.child(content_of(response, "OrderHistoryWrapper"), "OrderHistory"))
    ]


@dataclass(frozen=True)
class OrderResource:
    """Where one kind of order lives in the API and how its documents are named."""

    path: str
    element: str
    roots: tuple[str, ...]
    list_root: str
    summary_element: str


ORDER_RESOURCES: dict[OrderKind, OrderResource] = {
    OrderKind.IMPORT: OrderResource(
        "importTnOrders",
        "ImportTnOrder",
        ("ImportTnOrdersResponse", "ImportTnOrderResponse", "ImportTnOrder"),
        "ImportTnOrders",
        "ImportTnOrderSummary",
    ),
    OrderKind.REMOVE: OrderResource(
        "removeImportedTnOrders",
        "RemoveImportedTnOrder",
        ("RemoveImportedTnOrdersResponse", "RemoveImportedTnOrderResponse", "RemoveImportedTnOrder"),
        "RemoveImportedTnOrders",
        "RemoveImportedTnOrderSummary",
    ),
}


def _create_order(
    kind: OrderKind, content: Mapping[str, Any], numbers: Sequence[str], dialect: Dialect
) -> ApiCall[TnOrder]:
    if not numbers:
        raise ValueError(f"an {kind.value} order needs at least one number")
    if len(numbers) > ORDER_MAX_NUMBERS:
        raise ValueError(f"an {kind.value} order takes at most {ORDER_MAX_NUMBERS} numbers, got {len(numbers)}")
    resource = ORDER_RESOURCES[kind]
    return ApiCall(
        "POST",
        dialect.order_path(resource.path),
        lambda r: _order(content_of(r, *resource.roots), resource.element, location_id(r)),
        body=xmlio.to_xml(resource.element, content),
        content_type=XML_CONTENT_TYPE,
        idempotent=False,
    )


def create_import_order(order: ImportTnOrderRequest, *, dialect: Dialect = V1) -> ApiCall[TnOrder]:
    content = order.to_xml()
    content["TelephoneNumbers"] = xmlio.numbers_element(dialect.numbers(order.numbers))
    return _create_order(OrderKind.IMPORT, content, order.numbers, dialect)


def create_remove_order(customer_order_id: str, numbers: Sequence[str], *, dialect: Dialect = V1) -> ApiCall[TnOrder]:
    content = {
        "CustomerOrderId": customer_order_id,
        "TelephoneNumbers": xmlio.numbers_element(dialect.numbers(numbers)),
    }
    return _create_order(OrderKind.REMOVE, content, numbers, dialect)


def get_order(kind: OrderKind, order_id: str, *, dialect: Dialect = V1) -> ApiCall[TnOrder]:
    resource = ORDER_RESOURCES[kind]
    return ApiCall(
        "GET",
        f"{dialect.order_path(resource.path)}/{quote(order_id)}",
        lambda r: _order(content_of(r, *resource.roots), resource.element, order_id),
    )


def list_orders(kind: OrderKind, *, dialect: Dialect = V1, **filters: Any) -> ApiCall[list[OrderSummary]]:
    resource = ORDER_RESOURCES[kind]
    return ApiCall(
        "GET",
        dialect.order_path(resource.path),
        _parse_summaries(resource.list_root, resource.summary_element),
        params=_order_list_params(filters, dialect),
    )


def get_order_history(kind: OrderKind, order_id: str, *, dialect: Dialect = V1) -> ApiCall[list[OrderHistoryEntry]]:
    path = dialect.order_path(ORDER_RESOURCES[kind].path)
    return ApiCall("GET", f"{path}/{quote(order_id)}/history", _parse_history)


# --------------------------------------------------------------------------------------------- LOA files


def _loas_path(order_id: str, dialect: Dialect) -> str:
    return f"{dialect.order_path(ORDER_RESOURCES[OrderKind.IMPORT].path)}/{quote(order_id)}/loas"


def upload_loa(
    order_id: str, content: bytes, content_type: str, document_type: str = "LOA", *, dialect: Dialect = V1
) -> ApiCall[str]:
    if document_type not in DOCUMENT_TYPES:
        raise ValueError(f"documentType must be one of {DOCUMENT_TYPES}")
    if content_type not in LOA_CONTENT_TYPES.values():
        raise ValueError(f"LOA content type {content_type!r} is not accepted by Bandwidth")

    def parse(response: ApiResponse) -> str:
        body = response.body.strip()
        if body.startswith(b"<"):
            content_ = content_of(response, "fileUploadResponse")
            result = xmlio.text(xmlio.child(content_, "resultCode"))
            if result and result != "0":
                raise BandwidthApiError(
                    f"POST /importTnOrders/{order_id}/loas",
                    status=response.status,
                    errors=[ErrorDetail(result, xmlio.text(xmlio.child(content_, "resultMessage")))],
                )
            name = xmlio.text(xmlio.child(content_, "filename", "FileName"))
            if name:
                return name
        name = location_id(response)
        if not name:
            raise BandwidthApiError(f"POST /importTnOrders/{order_id}/loas: no file name in the answer")
        return name

    return ApiCall(
        "POST",
        _loas_path(order_id, dialect),
        parse,
        params=[("documentType", document_type)],
        body=content,
        content_type=content_type,
        idempotent=False,
    )


def list_loas(order_id: str, *, dialect: Dialect = V1) -> ApiCall[list[LoaFile]]:
    def parse(response: ApiResponse) -> list[LoaFile]:
        content = content_of(response, "fileListResponse")
        files = [
            LoaFile(
                xmlio.text(xmlio.child(f, "FileName")) or "",
                xmlio.text(xmlio.path(f, "FileMetaData", "DocumentType")),
            )
            for f in xmlio.as_list(xmlio.child(content, "fileData"))
        ]
        files += [LoaFile(name) for name in xmlio.texts(xmlio.child(content, "fileNames"))]
        return files

    return ApiCall("GET", _loas_path(order_id, dialect), parse, params=[("metadata", "true")])


def get_loa_metadata(order_id: str, file_id: str, *, dialect: Dialect = V1) -> ApiCall[LoaFile]:
    def parse(response: ApiResponse) -> LoaFile:
        content = content_of(response, "FileMetaData")
        return LoaFile(
            xmlio.text(xmlio.child(content, "DocumentName")) or file_id,
            xmlio.text(xmlio.child(content, "DocumentType")),
        )

    return ApiCall("GET", f"{_loas_path(order_id, dialect)}/{quote(file_id)}/metadata", parse)


# --------------------------------------------------------------------------------------------- in service


def _link_query(link: str | None) -> str | None:
    """Take only the query string of a ``Link=<url>;rel="next";`` value (its host may differ from ours)."""
    if not link:
        return None
    url = link.strip()
    if "<" in url and ">" in url:
        url = url[url.index("<") + 1 : url.index(">")]
    return urlsplit(url).query or None


def list_in_service_numbers(
    query: str | None = None, page_size: int = 500, *, dialect: Dialect = V1, **filters: Any
) -> ApiCall[InServicePage]:
    """
    One page of in-service numbers: the first (``page=1``) or the one a ``next`` link's query names.
    """
    params = parse_qsl(query) if query else [("page", "1"), ("size", str(page_size))]
    if not query:
        params += [(dialect.in_service_filter(k), str(v)) for k, v in filters.items() if v is not None]

    def parse(response: ApiResponse) -> InServicePage:
        if response.status == 204 or not response.body.strip():
            return InServicePage((), 0, None)
        content = content_of(response, "TNs")
        total = xmlio.text(xmlio.child(content, "TotalCount"))
        return InServicePage(
            tuple(canonical(n) for n in xmlio.texts(xmlio.path(content, "TelephoneNumbers", "TelephoneNumber"))),
            int(total) if total and total.isdigit() else None,
            _link_query(xmlio.text(xmlio.path(content, "Links", "next"))),
        )

    return ApiCall("GET", "inserviceNumbers", parse, params=params)


def is_in_service(number: str, *, dialect: Dialect = V1) -> ApiCall[bool]:
    path = f"inserviceNumbers/{quote(dialect.number(number), safe='')}"  # v2's "+" as %2B
    return ApiCall("GET", path, lambda r: r.status == 200, ok_statuses=frozenset({404}))


def count_in_service_numbers() -> ApiCall[int]:
    def parse(response: ApiResponse) -> int:
        count = xmlio.text(xmlio.child(content_of(response, "Quantity"), "Count"))
        return int(count) if count and count.isdigit() else 0

    return ApiCall("GET", "inserviceNumbers/totals", parse)
