"""
Read what Bandwidth POSTs to our callback URL: order ``Notification`` documents and account events.

Fields are read by element name, case-insensitively, in any order; optional ones may be missing. The
XML itself is parsed by :func:`~bandwidth_hosted_messaging.client.xmlio.parse_xml` (no DOCTYPE, no entities, size cap).

Everything read comes from outside and ends up in asset events and log lines, so it is bounded here: ids
(``OrderId``, ``SubscriptionId``, ``CustomerOrderId``, ``AccountId``) must be short and of a safe shape or the
document is refused; telephone numbers must look like ones and their count is capped; every free-text value
goes through :func:`clean_text` (control characters and line separators become spaces, then it is cut).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

from bandwidth_hosted_messaging.client.errors import BandwidthXmlError
from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.client.xmlio import as_list, child, parse_xml, root_of, text, texts

#: How deep to look for ``EventType`` / ``ImpactedTelephoneNumbers`` in an account event.
_MAX_DEPTH = 4

#: Longest id accepted (Bandwidth's order and subscription ids are 36-character UUIDs).
MAX_ID_CHARS = 64
#: Longest free-text value recorded or logged; a longer one is cut and ends in "…".
MAX_TEXT_CHARS = 256
#: Longest ``OrderType`` / ``EventType`` / ``Status`` kept.
MAX_NAME_CHARS = 64
#: Most telephone numbers one account event may carry.
MAX_NUMBERS = 5000
#: Longest telephone number (E.164: a ``+`` and at most 15 digits).
MAX_NUMBER_CHARS = 16

_ID = re.compile(r"[A-Za-z0-9_-]+")
#: Bandwidth's CustomerOrderId also allows spaces (ours: letters, digits, "-" and " "), never leading or trailing.
_CUSTOMER_ORDER_ID = re.compile(r"[A-Za-z0-9_-]+(?: [A-Za-z0-9_-]+)*")
_NUMBER = re.compile(r"\+?[0-9]+")
#: C0 and C1 controls (CR, LF, TAB, ESC, NEL, ...), DEL, Unicode line/paragraph separators, bidi controls, BOM.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """
    ``value`` as a string safe for a log line or an asset event: every control character and line separator
    (CR, LF, TAB, other C0/C1, U+2028/U+2029, bidi controls) replaced by a space, then cut to ``limit``
    characters (the last one "…" when cut).
    """
    cleaned = _UNSAFE.sub(" ", str(value))
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


class NotificationError(BandwidthXmlError):
    """A well-formed document that is not a notification we can read."""


@dataclass(frozen=True)
class OrderNotification:
    """One order status change (or note) notified for an import or remove-imported order."""

    order_type: str
    order_id: str
    status: str | None
    subscription_id: str | None = None
    customer_order_id: str | None = None
    message: str | None = None
    note: str | None = None
    last_modified_date: str | None = None

    def extra(self) -> dict[str, Any]:
        """The asset event extra (every key present, ``None`` when Bandwidth did not send it)."""
        return {
            "order_id": self.order_id,
            "order_type": self.order_type,
            "status": self.status,
            "customer_order_id": self.customer_order_id,
            "message": self.message,
            "note": self.note,
            "subscription_id": self.subscription_id,
            "last_modified_date": self.last_modified_date,
        }

    def summary(self) -> str:
        """One short line for the logs."""
        return clean_text(f"{self.order_type} order {self.order_id} {self.status}")

    @staticmethod
    def dedupe_key(extra: Mapping[str, Any]) -> tuple:
        """What makes two notifications the same: order type, order id, status, modification date, note."""
        return (
            str(extra.get("order_type") or "").lower(),
            str(extra.get("order_id") or "").lower(),
            str(extra.get("status") or "").upper(),
            extra.get("last_modified_date"),
            extra.get("note"),
        )


@dataclass(frozen=True)
class AccountEvent:
    """An account event such as ``MESSAGING_LOST`` (hosted numbers that lost messaging to another account)."""

    event_type: str
    numbers: tuple[str, ...]
    account_id: str | None = None
    subscription_id: str | None = None
    event_time: str | None = None
    message: str | None = None

    def extra(self) -> dict[str, Any]:
        """The asset event extra."""
        return {
            "event_type": self.event_type,
            "numbers": list(self.numbers),
            "account_id": self.account_id,
            "subscription_id": self.subscription_id,
            "event_time": self.event_time,
            "message": self.message,
        }

    def summary(self) -> str:
        """One short line for the logs."""
        return clean_text(f"{self.event_type} for {len(self.numbers)} number(s)")

    @staticmethod
    def dedupe_key(extra: Mapping[str, Any]) -> tuple:
        """What makes two account events the same: type, numbers (any order), event time."""
        return (
            str(extra.get("event_type") or "").upper(),
            tuple(sorted(extra.get("numbers") or ())),
            extra.get("event_time"),
        )


def parse_notification(body: bytes) -> OrderNotification | AccountEvent:
    """
    Parse a callback body.

    A ``Notification`` root with an ``OrderId`` is an order notification; otherwise a document carrying an
    ``EventType`` (under any root, at most a few levels down) is an account event.

    :raises BandwidthXmlError: the body is not safe, well-formed XML, is neither kind of notification, or carries
        an id or telephone number of the wrong shape or too many numbers.
    """
    root, content = root_of(parse_xml(body))
    shown = clean_text(root, MAX_NAME_CHARS)  # the name came from outside: keep log lines short and single
    if not isinstance(content, Mapping):
        raise NotificationError(f"<{shown}> has no child elements")
    if root.lower() == "notification" and child(content, "OrderId") is not None:
        return _order_notification(content)
    event_type = _first_text(_find(content, "EventType"))
    if event_type:
        return _account_event(content, event_type)
    if root.lower() != "notification":
        raise NotificationError(f"unexpected root <{shown}>: expected <Notification>")
    raise NotificationError("<Notification> carries neither OrderId nor EventType")


def _order_notification(node: Mapping[str, Any]) -> OrderNotification:
    order_type = _leaf(node, "OrderType")
    order_id = _leaf(node, "OrderId")
    if not order_type or not order_id:
        raise NotificationError("<Notification> needs both OrderType and OrderId")
    status = _leaf(node, "Status")
    return OrderNotification(
        order_type=clean_text(order_type, MAX_NAME_CHARS),
        order_id=_checked_id("OrderId", order_id),
        status=clean_text(status.upper(), MAX_NAME_CHARS) if status else None,
        subscription_id=_checked_id("SubscriptionId", _leaf(node, "SubscriptionId")),
        customer_order_id=_checked_id("CustomerOrderId", _leaf(node, "CustomerOrderId"), _CUSTOMER_ORDER_ID),
        message=_free_text(_leaf(node, "Message")),
        note=_free_text(_leaf(node, "Note")),
        last_modified_date=_free_text(_leaf(node, "LastModifiedDate")),
    )


def _account_event(node: Mapping[str, Any], event_type: str) -> AccountEvent:
    impacted = _find(node, "ImpactedTelephoneNumbers")
    if impacted is None:
        impacted = _find(node, "TelephoneNumbers")
    numbers: dict[str, None] = {}  # in order, once each
    for group in as_list(impacted):
        found = child(group, "TelephoneNumber") if isinstance(group, Mapping) else group
        for number in texts(found):
            numbers[_checked_number(number)] = None
            if len(numbers) > MAX_NUMBERS:
                raise NotificationError(f"account event refused: more than {MAX_NUMBERS} telephone numbers")
    return AccountEvent(
        event_type=clean_text(event_type.upper(), MAX_NAME_CHARS),
        numbers=tuple(numbers),
        account_id=_checked_id("AccountId", _first_text(_find(node, "AccountId"))),
        subscription_id=_checked_id("SubscriptionId", _first_text(_find(node, "SubscriptionId"))),
        event_time=_free_text(_first_text(_find(node, "EventTime", "EventDate", "Timestamp", "LastModifiedDate"))),
        message=_free_text(_first_text(_find(node, "Message", "Description"))),
    )


@overload
def _checked_id(name: str, value: str, shape: re.Pattern[str] = ...) -> str: ...
@overload
def _checked_id(name: str, value: str | None, shape: re.Pattern[str] = ...) -> str | None: ...
def _checked_id(name: str, value: str | None, shape: re.Pattern[str] = _ID) -> str | None:
    """``value`` if it is a short id of a safe shape (``None`` stays ``None``); else the document is refused."""
    if value is None:
        return None
    if len(value) > MAX_ID_CHARS or not shape.fullmatch(value):
        raise NotificationError(
            f"{name} refused: {clean_text(value, 40)!r} ({len(value)} characters) is not an id of at most "
            f"{MAX_ID_CHARS} letters, digits, '-' and '_'"
        )
    return value


def _checked_number(value: str) -> str:
    """
    ``value`` in this package's form of numbers if it looks like a telephone number (digits, optionally a leading
    ``+``); else refused. Ten digits (a v1 or LEGACY subscription) and E.164 (a v2 one) come out the same.
    """
    if len(value) > MAX_NUMBER_CHARS or not _NUMBER.fullmatch(value):
        raise NotificationError(
            f"account event refused: {clean_text(value, 40)!r} is not a telephone number "
            f"(digits with an optional leading '+', at most {MAX_NUMBER_CHARS} characters)"
        )
    return canonical(value)


def _free_text(value: str | None) -> str | None:
    """A free-text field, cleaned and bounded by :func:`clean_text` (``None`` stays ``None``)."""
    return None if value is None else clean_text(value).strip() or None


def _leaf(node: Mapping[str, Any], name: str) -> str | None:
    """The text of a direct child."""
    return _first_text(child(node, name))


def _first_text(value: Any) -> str | None:
    """The text of a leaf element; a repeated element counts by its first occurrence."""
    values = as_list(value)
    return text(values[0]) if values else None


def _find(node: Any, *names: str, depth: int = 0) -> Any:
    """The first element named one of ``names`` (case-insensitively): this level first, then each child's."""
    if depth > _MAX_DEPTH:
        return None
    found = child(node, *names) if isinstance(node, Mapping) else None
    if found is not None:
        return found
    children = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
    for value in children:
        if isinstance(value, (Mapping, list)):
            found = _find(value, *names, depth=depth + 1)
            if found is not None:
                return found
    return None
