"""
One request to Bandwidth as data (:class:`ApiCall`), its answer independent of the HTTP library
(:class:`ApiResponse`), and how an answer becomes a result or a :class:`BandwidthApiError`.

The sync and async hooks send these; neither builds URLs nor reads XML itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bandwidth_hosted_messaging.client import xmlio
from bandwidth_hosted_messaging.client.errors import BandwidthApiError, BandwidthXmlError, ErrorDetail

T = TypeVar("T")

XML_CONTENT_TYPE = "application/xml; charset=utf-8"


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
    status = xmlio.child(content, "ResponseStatus")
    if status is not None:
        code = xmlio.text(xmlio.child(status, "ErrorCode"))
        if code and code != "0":
            details.append(ErrorDetail(code, xmlio.text(xmlio.child(status, "Description"))))
    for err in xmlio.as_list(xmlio.child(content, "Errors")):
        if isinstance(err, Mapping) and xmlio.child(err, "Code") is not None:
            details.append(
                ErrorDetail(xmlio.text(xmlio.child(err, "Code")), xmlio.text(xmlio.child(err, "Description")))
            )
        else:
            for inner in xmlio.as_list(xmlio.child(err, "Error")):
                details.append(
                    ErrorDetail(xmlio.text(xmlio.child(inner, "Code")), xmlio.text(xmlio.child(inner, "Description")))
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
            _, content = xmlio.root_of(xmlio.parse_xml(response.body))
        except BandwidthXmlError as err:
            raise BandwidthApiError(f"{call.label}: unreadable answer ({err})", status=response.status) from None
        status = xmlio.child(content, "ResponseStatus")
        code = xmlio.text(xmlio.child(status, "ErrorCode")) if status is not None else None
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
            _, content = xmlio.root_of(xmlio.parse_xml(body))
            errors = error_details(content)
        except BandwidthXmlError:
            excerpt = body[:200].decode("utf-8", "replace")
    elif body:
        excerpt = body[:200].decode("utf-8", "replace")
    raise BandwidthApiError(call.label, status=response.status, errors=errors, request_id=request_id, excerpt=excerpt)


def content_of(response: ApiResponse, *roots: str) -> Any:
    """
    The content of an answer's root element, checking the answer is the document expected: an XML
    Content-Type (or none) and, when ``roots`` are given, one of those root names (case-insensitive).
    A proxy's HTML page or another document never passes for an empty answer.
    """
    content_type = (response.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and "xml" not in content_type:
        raise BandwidthApiError(
            f"unexpected answer of Content-Type {content_type!r}",
            status=response.status,
            excerpt=response.body[:200].decode("utf-8", "replace"),
        )
    try:
        name, content = xmlio.root_of(xmlio.parse_xml(response.body))
    except BandwidthXmlError as err:
        raise BandwidthApiError(f"unreadable answer ({err})", status=response.status) from None
    if roots and name.lower() not in {r.lower() for r in roots}:
        raise BandwidthApiError(
            f"unexpected answer: <{name}> where <{'> or <'.join(roots)}> was expected", status=response.status
        )
    return content


def location_id(response: ApiResponse) -> str | None:
    location = response.header("Location")
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


def finish(call: ApiCall[T], response: ApiResponse) -> T:
    """The result of a final answer: its parsed content, or :class:`BandwidthApiError` for an error."""
    raise_for_response(call, response)
    return call.parse(response)


def no_answer(call: ApiCall[Any], err: BaseException, attempts: int) -> BandwidthApiError:
    """The error of a call that got no answer after ``attempts`` tries (names the error type, never its text)."""
    return BandwidthApiError(f"{call.label}: no answer ({type(err).__name__}) after {attempts} attempt(s)")
