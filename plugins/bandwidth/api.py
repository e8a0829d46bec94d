"""
The Bandwidth Numbers API v1 as data: one function per call, each returning an :class:`ApiCall`
(method, account-relative path, query, body) with the parser of its answer.

The sync and async hooks execute these; neither builds URLs nor reads XML itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

from bandwidth import bwxml
from bandwidth.exceptions import BandwidthApiError, BandwidthXmlError, ErrorDetail
from bandwidth.models import (
    CheckerResult,
    ImportTnOrderRequest,
    InServicePage,
    LoaFile,
    NumberError,
    OrderHistoryEntry,
    OrderSummary,
    ProcessingStatus,
    SipPeer,
    Site,
    Subscription,
    TnOrder,
)

T = TypeVar("T")

XML_CONTENT_TYPE = "application/xml; charset=utf-8"
CHECKER_MAX_NUMBERS = 5000
ORDER_MAX_NUMBERS = 5000
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
IMPORT_ORDER_ROOTS = ("ImportTnOrdersResponse", "ImportTnOrderResponse", "ImportTnOrder")
REMOVE_ORDER_ROOTS = ("RemoveImportedTnOrdersResponse", "RemoveImportedTnOrderResponse", "RemoveImportedTnOrder")
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


@dataclass(frozen=True)
class ApiResponse:
    """An HTTP answer, independent of the client library that received it."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class ApiCall(Generic[T]):
    """
    One request to the account's API and how to read its answer.

    :param idempotent: safe to re-send after the request may have reached Bandwidth (a lost answer).
        Creating calls are not: the hook retries them only when Bandwidth surely did not act
        (429, connection refused); callers make them idempotent with a look-up by CustomerOrderId.
    :param ok_statuses: statuses handed to ``parse`` rather than raised (e.g. 404 of a single-number check).
    """

    method: str
    path: str
    parse: Callable[[ApiResponse], T]
    params: Sequence[tuple[str, str]] = ()
    body: bytes | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = True
    ok_statuses: frozenset[int] = frozenset()

    @property
    def label(self) -> str:
        return f"{self.method} /{self.path}"


# --------------------------------------------------------------------------------------------- errors


def error_details(content: Any) -> list[ErrorDetail]:
    """Read error shapes 1 (``ResponseStatus``) and 2 (``Errors`` repeated under the root)."""
    details: list[ErrorDetail] = []
    status = bwxml.child(content, "ResponseStatus")
    if status is not None:
        code = bwxml.text(bwxml.child(status, "ErrorCode"))
        if code and code != "0":
            details.append(ErrorDetail(code, bwxml.text(bwxml.child(status, "Description"))))
    for err in bwxml.as_list(bwxml.child(content, "Errors")):
        if isinstance(err, Mapping) and bwxml.child(err, "Code") is not None:
            details.append(ErrorDetail(bwxml.text(bwxml.child(err, "Code")), bwxml.text(bwxml.child(err, "Description"))))
        else:
            for inner in bwxml.as_list(bwxml.child(err, "Error")):
                details.append(
                    ErrorDetail(bwxml.text(bwxml.child(inner, "Code")), bwxml.text(bwxml.child(inner, "Description")))
                )
    return details


def raise_for_response(call: ApiCall[Any], response: ApiResponse) -> None:
    """Raise :class:`BandwidthApiError` for an error status, or a 2xx carrying a non-zero ``ErrorCode``."""
    request_id = response.header("X-Request-Id") or response.header("Request-Id")
    if response.status in call.ok_statuses:
        return
    if 200 <= response.status < 300:
        if not response.body.strip() or not response.body.lstrip().startswith(b"<"):
            return
        try:
            _, content = bwxml.root_of(bwxml.parse_xml(response.body))
        except BandwidthXmlError as err:
            raise BandwidthApiError(f"{call.label}: unreadable answer ({err})", status=response.status) from None
        status = bwxml.child(content, "ResponseStatus")
        code = bwxml.text(bwxml.child(status, "ErrorCode")) if status is not None else None
        if code and code != "0":
            raise BandwidthApiError(
                call.label, status=response.status, errors=error_details(content), request_id=request_id
            )
        return
    errors: list[ErrorDetail] = []
    excerpt = None
    body = response.body.strip()
    if body.startswith(b"<"):
        try:
            _, content = bwxml.root_of(bwxml.parse_xml(body))
            errors = error_details(content)
        except BandwidthXmlError:
            excerpt = body[:200].decode("utf-8", "replace")
    elif body:
        excerpt = body[:200].decode("utf-8", "replace")
    raise BandwidthApiError(call.label, status=response.status, errors=errors, request_id=request_id, excerpt=excerpt)


def _content(response: ApiResponse, *roots: str) -> Any:
    """
    The content of an answer's root element, checking the answer is the document expected: an XML
    Content-Type (or none) and, when ``roots`` are given, one of those root names (case-insensitive).
    A proxy's HTML page or another document never passes for an empty answer.
    """
    content_type = (response.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and "xml" not in content_type:
        raise BandwidthApiError(f"unexpected answer of Content-Type {content_type!r}", status=response.status,
                                excerpt=response.body[:200].decode("utf-8", "replace"))
    try:
        name, content = bwxml.root_of(bwxml.parse_xml(response.body))
    except BandwidthXmlError as err:
        raise BandwidthApiError(f"unreadable answer ({err})", status=response.status) from None
    if roots and name.lower() not in {r.lower() for r in roots}:
        raise BandwidthApiError(f"unexpected answer: <{name}> where <{'> or <'.join(roots)}> was expected", status=response.status)
    return content


def _location_id(response: ApiResponse) -> str | None:
    location = response.header("Location")
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


# --------------------------------------------------------------------------------------------- sites


def list_sites() -> ApiCall[list[Site]]:
    def parse(response: ApiResponse) -> list[Site]:
        sites = bwxml.path(_content(response, "SitesResponse"), "Sites", "Site")
        return [Site(bwxml.text(bwxml.child(s, "Id")) or "", bwxml.text(bwxml.child(s, "Name"))) for s in bwxml.as_list(sites)]

    return ApiCall("GET", "sites", parse)


def get_site(site_id: str) -> ApiCall[Site | None]:
    def parse(response: ApiResponse) -> Site | None:
        if response.status == 404:
            return None
        site = bwxml.child(_content(response, "SiteResponse"), "Site")
        return Site(bwxml.text(bwxml.child(site, "Id")) or site_id, bwxml.text(bwxml.child(site, "Name")))

    return ApiCall("GET", f"sites/{quote(site_id)}", parse, ok_statuses=frozenset({404}))


def list_sip_peers(site_id: str) -> ApiCall[list[SipPeer]]:
    def parse(response: ApiResponse) -> list[SipPeer]:
        peers = bwxml.path(_content(response, "TNSipPeersResponse", "SipPeersResponse"), "SipPeers", "SipPeer")
        return [
            SipPeer(
                bwxml.text(bwxml.child(p, "PeerId")) or "",
                bwxml.text(bwxml.child(p, "PeerName")),
                (bwxml.text(bwxml.child(p, "IsDefaultPeer")) or "").lower() == "true",
            )
            for p in bwxml.as_list(peers)
        ]

    return ApiCall("GET", f"sites/{quote(site_id)}/sippeers", parse)


# --------------------------------------------------------------------------------------------- subscriptions


def _subscription(node: Any) -> Subscription:
    callback = bwxml.child(node, "CallbackSubscription") or {}
    expiry = bwxml.text(bwxml.child(callback, "Expiry"))
    return Subscription(
        subscription_id=bwxml.text(bwxml.child(node, "SubscriptionId")) or "",
        order_type=bwxml.text(bwxml.child(node, "OrderType", "EventType")) or "",
        url=bwxml.text(bwxml.child(callback, "URL")),
        username=bwxml.text(bwxml.path(callback, "CallbackCredentials", "BasicAuthentication", "Username")),
        expiry=int(expiry) if expiry and expiry.lstrip("-").isdigit() else None,
        status=bwxml.text(bwxml.child(callback, "Status")),
        order_id=bwxml.text(bwxml.child(node, "OrderId")),
    )


def _parse_subscriptions(response: ApiResponse) -> list[Subscription]:
    content = _content(response, "SubscriptionsResponse", "SubscriptionResponse")
    wrapped = bwxml.child(content, "Subscriptions")
    nodes = bwxml.child(wrapped, "Subscription") if wrapped is not None else bwxml.child(content, "Subscription")
    return [_subscription(n) for n in bwxml.as_list(nodes)]


def _subscription_body(order_type: str, url: str, username: str | None, password: str | None, expiry: int) -> bytes:
    """An order subscription (``<OrderType>``), or an account-event one (``<EventType>MESSAGING_LOST``)."""
    callback: dict[str, Any] = {"URL": url, "Expiry": str(expiry)}
    if username and password:
        callback["CallbackCredentials"] = {"BasicAuthentication": {"Username": username, "Password": password}}
    element = "EventType" if order_type.upper() in ACCOUNT_EVENT_TYPES else "OrderType"
    return bwxml.to_xml("Subscription", {element: order_type, "CallbackSubscription": callback})


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
    order_type: str, url: str, username: str | None, password: str | None, expiry: int
) -> ApiCall[str]:
    def parse(response: ApiResponse) -> str:
        sub_id = _location_id(response)
        if not sub_id:
            raise BandwidthApiError("POST /subscriptions: no Location header in the answer", status=response.status)
        return sub_id

    body = _subscription_body(order_type, url, username, password, expiry)
    return ApiCall("POST", "subscriptions", parse, body=body, content_type=XML_CONTENT_TYPE, idempotent=False)


def update_subscription(
    subscription_id: str, order_type: str, url: str, username: str | None, password: str | None, expiry: int
) -> ApiCall[None]:
    body = _subscription_body(order_type, url, username, password, expiry)
    return ApiCall(
        "PUT", f"subscriptions/{quote(subscription_id)}", lambda r: None, body=body, content_type=XML_CONTENT_TYPE
    )


def delete_subscription(subscription_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"subscriptions/{quote(subscription_id)}", lambda r: None)


# --------------------------------------------------------------------------------------------- importTnChecker


def _number_errors(nodes: Any) -> tuple[NumberError, ...]:
    return tuple(
        NumberError(
            bwxml.text(bwxml.child(n, "Code")) or "",
            bwxml.text(bwxml.child(n, "Description")) or "",
            tuple(bwxml.texts(bwxml.path(n, "TelephoneNumbers", "TelephoneNumber"))),
        )
        for n in bwxml.as_list(nodes)
        if isinstance(n, Mapping)
    )


def check_importability(numbers: Sequence[str], site_id: str | None = None, sip_peer_id: str | None = None) -> ApiCall[CheckerResult]:
    if not numbers:
        raise ValueError("importTnChecker needs at least one number")
    if len(numbers) > CHECKER_MAX_NUMBERS:
        raise ValueError(f"importTnChecker takes at most {CHECKER_MAX_NUMBERS} numbers, got {len(numbers)}")

    def parse(response: ApiResponse) -> CheckerResult:
        payload = bwxml.child(_content(response, "ImportTnCheckerResponse"), "ImportTnCheckerPayload") or {}
        importable = bwxml.texts(bwxml.path(payload, "TelephoneNumbers", "TelephoneNumber"))
        rejected = _number_errors(bwxml.path(payload, "ImportTnErrors", "ImportTnError"))
        return CheckerResult(tuple(importable), rejected)

    content: dict[str, Any] = {"TelephoneNumbers": bwxml.numbers_element(numbers)}
    if site_id:
        content["SiteId"] = site_id
    if sip_peer_id:
        content["SipPeerId"] = sip_peer_id
    body = bwxml.to_xml("ImportTnCheckerPayload", content)
    return ApiCall("POST", "importTnChecker", parse, body=body, content_type=XML_CONTENT_TYPE)


# --------------------------------------------------------------------------------------------- orders


def _order(content: Any, element: str, location_id: str | None = None) -> TnOrder:
    node = bwxml.child(content, element)
    if not isinstance(node, Mapping):
        node = content
    order_id = bwxml.text(bwxml.child(node, "OrderId")) or location_id
    if not order_id:
        raise BandwidthApiError(f"{element} without an OrderId")
    return TnOrder(
        order_id=order_id,
        status=ProcessingStatus.parse(bwxml.text(bwxml.child(node, "ProcessingStatus"))),
        customer_order_id=bwxml.text(bwxml.child(node, "CustomerOrderId", "CustomerOrderID")),
        numbers=tuple(bwxml.texts(bwxml.path(node, "TelephoneNumbers", "TelephoneNumber"))),
        errors=_number_errors(bwxml.child(bwxml.child(node, "Errors"), "Error")),
        order_create_date=bwxml.text(bwxml.child(node, "OrderCreateDate")),
        last_modified_date=bwxml.text(bwxml.child(node, "LastModifiedDate")),
    )


def _order_list_params(filters: Mapping[str, Any]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for key, value in filters.items():
        if key not in ORDER_LIST_FILTERS:
            raise ValueError(f"unknown order list filter {key!r}; known: {', '.join(ORDER_LIST_FILTERS)}")
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        params.extend((key, str(v)) for v in values)
    return params


def _parse_summaries(root: str, element: str) -> Callable[[ApiResponse], list[OrderSummary]]:
    def parse(response: ApiResponse) -> list[OrderSummary]:
        if not response.body.strip():
            return []
        rows = []
        for s in bwxml.as_list(bwxml.child(_content(response, root), element)):
            count = bwxml.text(bwxml.child(s, "CountOfTNs"))
            rows.append(
                OrderSummary(
                    order_id=bwxml.text(bwxml.child(s, "OrderId")) or "",
                    status=(bwxml.text(bwxml.child(s, "OrderStatus")) or "").upper(),
                    customer_order_id=bwxml.text(bwxml.child(s, "CustomerOrderId")),
                    count_of_tns=int(count) if count and count.isdigit() else None,
                    order_date=bwxml.text(bwxml.child(s, "OrderDate")),
                )
            )
        return rows

    return parse


def _parse_history(response: ApiResponse) -> list[OrderHistoryEntry]:
    return [
        OrderHistoryEntry(
            bwxml.text(bwxml.child(h, "OrderDate")),
            bwxml.text(bwxml.child(h, "Note")),
            bwxml.text(bwxml.child(h, "Author")),
            bwxml.text(bwxml.child(h, "Status")),
        )
        for h in bwxml.as_list(bwxml.child(_content(response, "OrderHistoryWrapper"), "OrderHistory"))
    ]


def create_import_order(order: ImportTnOrderRequest) -> ApiCall[TnOrder]:
    if not order.numbers:
        raise ValueError("an import order needs at least one number")
    if len(order.numbers) > ORDER_MAX_NUMBERS:
        raise ValueError(f"an import order takes at most {ORDER_MAX_NUMBERS} numbers, got {len(order.numbers)}")
    body = bwxml.to_xml("ImportTnOrder", order.to_xml())
    return ApiCall(
        "POST",
        "importTnOrders",
        lambda r: _order(_content(r, *IMPORT_ORDER_ROOTS), "ImportTnOrder", _location_id(r)),
        body=body,
        content_type=XML_CONTENT_TYPE,
        idempotent=False,
    )


def get_import_order(order_id: str) -> ApiCall[TnOrder]:
    return ApiCall("GET", f"importTnOrders/{quote(order_id)}", lambda r: _order(_content(r, *IMPORT_ORDER_ROOTS), "ImportTnOrder", order_id))


def list_import_orders(**filters: Any) -> ApiCall[list[OrderSummary]]:
    return ApiCall("GET", "importTnOrders", _parse_summaries("ImportTnOrders", "ImportTnOrderSummary"), params=_order_list_params(filters))


def get_import_order_history(order_id: str) -> ApiCall[list[OrderHistoryEntry]]:
    return ApiCall("GET", f"importTnOrders/{quote(order_id)}/history", _parse_history)


def create_remove_order(customer_order_id: str, numbers: Sequence[str]) -> ApiCall[TnOrder]:
    if not numbers:
        raise ValueError("a remove order needs at least one number")
    if len(numbers) > ORDER_MAX_NUMBERS:
        raise ValueError(f"a remove order takes at most {ORDER_MAX_NUMBERS} numbers, got {len(numbers)}")
    body = bwxml.to_xml(
        "RemoveImportedTnOrder",
        {"CustomerOrderId": customer_order_id, "TelephoneNumbers": bwxml.numbers_element(numbers)},
    )
    return ApiCall(
        "POST",
        "removeImportedTnOrders",
        lambda r: _order(_content(r, *REMOVE_ORDER_ROOTS), "RemoveImportedTnOrder", _location_id(r)),
        body=body,
        content_type=XML_CONTENT_TYPE,
        idempotent=False,
    )


def get_remove_order(order_id: str) -> ApiCall[TnOrder]:
    return ApiCall(
        "GET", f"removeImportedTnOrders/{quote(order_id)}", lambda r: _order(_content(r, *REMOVE_ORDER_ROOTS), "RemoveImportedTnOrder", order_id)
    )


def list_remove_orders(**filters: Any) -> ApiCall[list[OrderSummary]]:
    return ApiCall(
        "GET", "removeImportedTnOrders", _parse_summaries("RemoveImportedTnOrders", "RemoveImportedTnOrderSummary"), params=_order_list_params(filters)
    )


def get_remove_order_history(order_id: str) -> ApiCall[list[OrderHistoryEntry]]:
    return ApiCall("GET", f"removeImportedTnOrders/{quote(order_id)}/history", _parse_history)


# --------------------------------------------------------------------------------------------- LOA files


def loa_content_type(file_name: str) -> str:
    """The Content-Type Bandwidth accepts for an LOA file, from its extension."""
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    try:
        return LOA_CONTENT_TYPES[suffix]
    except KeyError:
        allowed = ", ".join(sorted(LOA_CONTENT_TYPES))
        raise ValueError(f"LOA file {file_name!r} has an unsupported type; allowed: {allowed}") from None


def upload_loa(order_id: str, content: bytes, content_type: str, document_type: str = "LOA") -> ApiCall[str]:
    if document_type not in DOCUMENT_TYPES:
        raise ValueError(f"documentType must be one of {DOCUMENT_TYPES}")
    if content_type not in LOA_CONTENT_TYPES.values():
        raise ValueError(f"LOA content type {content_type!r} is not accepted by Bandwidth")

    def parse(response: ApiResponse) -> str:
        body = response.body.strip()
        if body.startswith(b"<"):
            content_ = _content(response, "fileUploadResponse")
            result = bwxml.text(bwxml.child(content_, "resultCode"))
            if result and result != "0":
                raise BandwidthApiError(
                    f"POST /importTnOrders/{order_id}/loas",
                    status=response.status,
                    errors=[ErrorDetail(result, bwxml.text(bwxml.child(content_, "resultMessage")))],
                )
            name = bwxml.text(bwxml.child(content_, "filename", "FileName"))
            if name:
                return name
        name = _location_id(response)
        if not name:
            raise BandwidthApiError(f"POST /importTnOrders/{order_id}/loas: no file name in the answer")
        return name

    return ApiCall(
        "POST",
        f"importTnOrders/{quote(order_id)}/loas",
        parse,
        params=[("documentType", document_type)],
        body=content,
        content_type=content_type,
        idempotent=False,
    )


def list_loas(order_id: str) -> ApiCall[list[LoaFile]]:
    def parse(response: ApiResponse) -> list[LoaFile]:
        content = _content(response, "fileListResponse")
        files = [
            LoaFile(
                bwxml.text(bwxml.child(f, "FileName")) or "",
                bwxml.text(bwxml.path(f, "FileMetaData", "DocumentType")),
            )
            for f in bwxml.as_list(bwxml.child(content, "fileData"))
        ]
        files += [LoaFile(name) for name in bwxml.texts(bwxml.child(content, "fileNames"))]
        return files

    return ApiCall("GET", f"importTnOrders/{quote(order_id)}/loas", parse, params=[("metadata", "true")])


def get_loa_metadata(order_id: str, file_id: str) -> ApiCall[LoaFile]:
    def parse(response: ApiResponse) -> LoaFile:
        content = _content(response, "FileMetaData")
        return LoaFile(bwxml.text(bwxml.child(content, "DocumentName")) or file_id, bwxml.text(bwxml.child(content, "DocumentType")))

    return ApiCall("GET", f"importTnOrders/{quote(order_id)}/loas/{quote(file_id)}/metadata", parse)


# --------------------------------------------------------------------------------------------- in service


def _link_query(link: str | None) -> str | None:
    """Take only the query string of a ``Link=<url>;rel="next";`` value (its host may differ from ours)."""
    if not link:
        return None
    url = link.strip()
    if "<" in url and ">" in url:
        url = url[url.index("<") + 1 : url.index(">")]
    return urlsplit(url).query or None


def list_in_service_numbers(query: str | None = None, page_size: int = 500, **filters: Any) -> ApiCall[InServicePage]:
    """
    One page of in-service numbers: the first (``page=1``) or the one a ``next`` link's query names.
    """
    params = parse_qsl(query) if query else [("page", "1"), ("size", str(page_size))]
    if not query:
        params += [(k, str(v)) for k, v in filters.items() if v is not None]

    def parse(response: ApiResponse) -> InServicePage:
        if response.status == 204 or not response.body.strip():
            return InServicePage((), 0, None)
        content = _content(response, "TNs")
        total = bwxml.text(bwxml.child(content, "TotalCount"))
        return InServicePage(
            tuple(bwxml.texts(bwxml.path(content, "TelephoneNumbers", "TelephoneNumber"))),
            int(total) if total and total.isdigit() else None,
            _link_query(bwxml.text(bwxml.path(content, "Links", "next"))),
        )

    return ApiCall("GET", "inserviceNumbers", parse, params=params)


def is_in_service(number: str) -> ApiCall[bool]:
    return ApiCall("GET", f"inserviceNumbers/{quote(number)}", lambda r: r.status == 200, ok_statuses=frozenset({404}))


def count_in_service_numbers() -> ApiCall[int]:
    def parse(response: ApiResponse) -> int:
        count = bwxml.text(bwxml.child(_content(response, "Quantity"), "Count"))
        return int(count) if count and count.isdigit() else 0

    return ApiCall("GET", "inserviceNumbers/totals", parse)


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """Split ``items`` into lists of at most ``size``."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def unique(items: Iterable[str]) -> list[str]:
    """Keep the first occurrence of each item, in order."""
    return list(dict.fromkeys(items))
