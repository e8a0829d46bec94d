"""Plain data the client returns: orders, checker results, subscriptions, LOA files, sites.

Everything here is JSON-friendly through ``to_dict``/``from_dict`` so it can travel in XCom and
trigger events without pickling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bandwidth_hosted_messaging.contracts import NumberErrorDict, OrderDict
from bandwidth_hosted_messaging.statuses import ProcessingStatus


@dataclass(frozen=True)
class NumberError:
    """Bandwidth's code and description for a group of telephone numbers."""

    code: str
    description: str
    numbers: tuple[str, ...] = ()

    def to_dict(self) -> NumberErrorDict:
        return {"code": self.code, "description": self.description, "numbers": list(self.numbers)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumberError:
        return cls(str(data["code"]), str(data.get("description") or ""), tuple(data.get("numbers") or ()))


@dataclass(frozen=True)
class CheckerResult:
    """What ``importTnChecker`` said: the importable numbers and the rejected ones with their codes."""

    importable: tuple[str, ...]
    rejected: tuple[NumberError, ...] = ()

    def rejected_numbers(self) -> dict[str, NumberError]:
        """Map each rejected number to its error."""
        return {n: err for err in self.rejected for n in err.numbers}

    def merge(self, other: CheckerResult) -> CheckerResult:
        return CheckerResult(self.importable + other.importable, self.rejected + other.rejected)


@dataclass(frozen=True)
class TnOrder:
    """An import or remove order as Bandwidth holds it."""

    order_id: str
    status: ProcessingStatus
    customer_order_id: str | None = None
    numbers: tuple[str, ...] = ()
    errors: tuple[NumberError, ...] = ()
    order_create_date: str | None = None
    last_modified_date: str | None = None

    def failed_numbers(self) -> dict[str, NumberError]:
        """
        Map each number that failed in this order to its error.

        In a FAILED or EXCEPTION order every number failed: those without an error of their own get the
        order-level error (or one naming the status).
        """
        specific = {n: err for err in self.errors for n in err.numbers}
        if not self.status.is_failure:
            return specific
        general = next(
            (e for e in self.errors if not e.numbers),
            NumberError("", f"order ended {self.status.value}"),
        )
        return {n: specific.get(n, general) for n in self.numbers}

    def completed_numbers(self) -> tuple[str, ...]:
        """The numbers that went through: all but the failed ones, and only for COMPLETE/PARTIAL."""
        if not self.status.is_success:
            return ()
        failed = self.failed_numbers()
        return tuple(n for n in self.numbers if n not in failed)

    def to_dict(self) -> OrderDict:
        return {
            "order_id": self.order_id,
            "status": self.status.value,
            "customer_order_id": self.customer_order_id,
            "numbers": list(self.numbers),
            "errors": [e.to_dict() for e in self.errors],
            "order_create_date": self.order_create_date,
            "last_modified_date": self.last_modified_date,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TnOrder:
        return cls(
            order_id=data["order_id"],
            status=ProcessingStatus.parse(data["status"]),
            customer_order_id=data.get("customer_order_id"),
            numbers=tuple(data.get("numbers") or ()),
            errors=tuple(NumberError.from_dict(e) for e in data.get("errors") or ()),
            order_create_date=data.get("order_create_date"),
            last_modified_date=data.get("last_modified_date"),
        )


@dataclass(frozen=True)
class OrderSummary:
    """One row of an order list (``ImportTnOrderSummary`` / ``RemoveImportedTnOrderSummary``)."""

    order_id: str
    status: str
    customer_order_id: str | None = None
    count_of_tns: int | None = None
    order_date: str | None = None


@dataclass(frozen=True)
class OrderHistoryEntry:
    """One entry of an order's history."""

    order_date: str | None
    note: str | None
    author: str | None
    status: str | None


@dataclass(frozen=True)
class Subscription:
    """
    A callback subscription (Bandwidth never echoes the password). ``order_type`` holds the EventType of an
    account-event one.
    """

    subscription_id: str
    order_type: str
    url: str | None = None
    username: str | None = None
    expiry: int | None = None
    status: str | None = None
    order_id: str | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class LoaFile:
    """A file attached to an import order."""

    file_name: str
    document_type: str | None = None


@dataclass(frozen=True)
class InServicePage:
    """One page of ``/inserviceNumbers`` and the query string of its ``next`` link."""

    numbers: tuple[str, ...]
    total_count: int | None = None
    next_query: str | None = None


@dataclass(frozen=True)
class Site:
    site_id: str
    name: str | None = None


@dataclass(frozen=True)
class SipPeer:
    peer_id: str
    name: str | None = None
    is_default: bool = False


@dataclass
class ServiceAddress:
    """The ``ServiceAddress`` of an import order's ``Subscriber``."""

    house_number: str
    street_name: str
    city: str
    state_code: str
    zip: str
    county: str | None = None

    def to_xml(self) -> dict[str, Any]:
        content = {
            "HouseNumber": self.house_number,
            "StreetName": self.street_name,
            "City": self.city,
            "StateCode": self.state_code,
            "Zip": self.zip,
        }
        if self.county:
            content["County"] = self.county
        return content


@dataclass
class ImportTnOrderRequest:
    """What ``POST /importTnOrders`` needs."""

    customer_order_id: str
    site_id: str
    subscriber_name: str
    service_address: ServiceAddress
    loa_authorizing_person: str
    numbers: list[str]
    sip_peer_id: str | None = None
    loa_type: str = "SUBSCRIBER"

    def to_xml(self) -> dict[str, Any]:
        content: dict[str, Any] = {"CustomerOrderId": self.customer_order_id, "SiteId": self.site_id}
        if self.sip_peer_id:
            content["SipPeerId"] = self.sip_peer_id
        content["Subscriber"] = {"Name": self.subscriber_name, "ServiceAddress": self.service_address.to_xml()}
        content["LoaAuthorizingPerson"] = self.loa_authorizing_person
        content["LoaType"] = self.loa_type
        content["TelephoneNumbers"] = {"TelephoneNumber": list(self.numbers)}
        return content
