"""
Read what Bandwidth POSTs to our callback URL: order ``Notification`` documents and account events.

Fields are read by element name, case-insensitively, in any order; optional ones may be missing. The
XML itself is parsed by :func:`~bandwidth_hosted_messaging.client.xmlio.parse_xml` (no DOCTYPE, no entities, size cap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bandwidth_hosted_messaging.client.errors import BandwidthXmlError
from bandwidth_hosted_messaging.client.xmlio import as_list, child, parse_xml, root_of, text, texts

#: How deep to look for ``EventType`` / ``ImpactedTelephoneNumbers`` in an account event.
_MAX_DEPTH = 4


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

    :raises BandwidthXmlError: the body is not safe, well-formed XML, or is neither kind of notification.
    """
    root, content = root_of(parse_xml(body))
    shown = root[:64]  # the name came from outside: keep log lines short
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
        order_type=order_type,
        order_id=order_id,
        status=status.upper() if status else None,
        subscription_id=_leaf(node, "SubscriptionId"),
        customer_order_id=_leaf(node, "CustomerOrderId"),
        message=_leaf(node, "Message"),
        note=_leaf(node, "Note"),
        last_modified_date=_leaf(node, "LastModifiedDate"),
    )


def _account_event(node: Mapping[str, Any], event_type: str) -> AccountEvent:
    impacted = _find(node, "ImpactedTelephoneNumbers")
    if impacted is None:
        impacted = _find(node, "TelephoneNumbers")
    numbers: list[str] = []
    for group in as_list(impacted):
        found = child(group, "TelephoneNumber") if isinstance(group, Mapping) else group
        numbers.extend(n for n in texts(found) if n not in numbers)
    return AccountEvent(
        event_type=event_type.upper(),
        numbers=tuple(numbers),
        account_id=_first_text(_find(node, "AccountId")),
        subscription_id=_first_text(_find(node, "SubscriptionId")),
        event_time=_first_text(_find(node, "EventTime", "EventDate", "Timestamp", "LastModifiedDate")),
        message=_first_text(_find(node, "Message", "Description")),
    )


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
