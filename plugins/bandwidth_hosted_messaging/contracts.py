"""
What crosses a task boundary, typed: every XCom value the flows push and pull, and the trigger's event.

Plain JSON (``TypedDict``), never pickled objects: XComs and trigger events are serialised as JSON, and a
reader of a task's output knows its shape from here. Imports nothing of the package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, cast


def pulled(value: Any) -> Any:
    """
    An XCom value as a task pulled it. A value the triggerer pushed when it ended a task (``TaskSuccessEvent``
    XComs: the wait's ``order``) comes back from Airflow 3.3.2 as its JSON text, since the triggerer's push
    serialises it twice; read such a text back. Any other value is returned as it is.
    """
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class LoaFileDict(TypedDict):
    """A checked LOA file (XCom key ``loa`` of ``validate_request``)."""

    location: str
    file_name: NotRequired[str]
    content_type: NotRequired[str]
    size: NotRequired[int]


class RemoveRequestDict(TypedDict):
    """A validated remove request (``validate_request`` of the remove flow)."""

    numbers: list[str]
    duplicates: list[str]
    customer_order_id_prefix: str
    chunk_size: int
    #: Plan only: check and plan the orders, create none (no subscription change, no LOA).
    dry_run: NotRequired[bool]
    #: The run whose failed numbers this run orders again (its numbers come from that run's report).
    retry_failed_of_run: NotRequired[str | None]


class OrderDetailsDict(TypedDict):
    """What every import order of a run carries (``validate_request``'s XCom ``order_details``)."""

    subscriber_name: str
    house_number: str
    street_name: str
    city: str
    state_code: str
    zip: str
    county: str | None
    loa_authorizing_person: str
    site_id: str
    sip_peer_id: str | None


#: The fields of :class:`OrderDetailsDict`, in a validated import request too.
ORDER_DETAILS_FIELDS = tuple(OrderDetailsDict.__annotations__)


def order_details(request: Mapping[str, Any]) -> OrderDetailsDict:
    """The order details of a validated import request."""
    return cast(OrderDetailsDict, {field: request.get(field) for field in ORDER_DETAILS_FIELDS})


class ImportRequestDict(RemoveRequestDict, OrderDetailsDict):
    """A validated import request (``validate_request`` of the import flow): numbers unique and normalised."""

    loa: LoaFileDict
    rejection_policy: Literal["skip", "fail"]


class RejectedNumberDict(TypedDict):
    number: str
    code: str | None
    description: str | None


class CheckerResultDict(TypedDict):
    """What ``importTnChecker`` said (``check_importability``)."""

    importable: list[str]
    rejected: list[RejectedNumberDict]


class PlanChunkDict(TypedDict):
    """One order to create (one element of ``approve_orders``' plan, one mapped task group)."""

    index: int
    customer_order_id: str
    numbers: list[str]


class ApprovalDict(TypedDict):
    """How ``approve_orders`` let the plan through (XCom key ``approval``); ``decision`` is an ``ApprovalDecision``."""

    decision: str
    numbers: int
    orders: int
    threshold: int
    by: str | None
    at: str | None


class NumberErrorDict(TypedDict):
    code: str
    description: str
    numbers: list[str]


class OrderDict(TypedDict):
    """An order as Bandwidth holds it (the ``wait`` task's result and XCom key ``order``)."""

    order_id: str
    status: str
    customer_order_id: str | None
    numbers: list[str]
    errors: list[NumberErrorDict]
    order_create_date: str | None
    last_modified_date: str | None


class OrderEventDict(TypedDict):
    """The one event an order trigger yields."""

    status: Literal["final", "timeout", "error"]
    order_id: str
    order: NotRequired[OrderDict]
    last_status: NotRequired[str | None]
    message: NotRequired[str]


class LoaResultDict(TypedDict):
    """What ``upload_loa`` did for one order."""

    order_id: str
    file_name: str | None
    status: Literal["uploaded", "already_present", "skipped"]


class InServiceDict(TypedDict):
    """``verify_in_service``: the ordered numbers found in service, the missing, and those already hosted."""

    in_service: list[str]
    missing: list[str]
    already_in_service: list[str]


class RemovedDict(TypedDict):
    """``verify_removed``: the numbers out of service, and those still in it."""

    removed: list[str]
    still_in_service: list[str]


class ReportDict(TypedDict):
    """A run's report (``report`` task and ``report.json``)."""

    dag_id: str
    run_id: str
    summary: dict[str, int]
    duplicates: list[str]
    rows: list[dict[str, object]]
    artifacts: NotRequired[dict[str, str]]
    finished_at: NotRequired[str]
    dry_run: NotRequired[bool]
    approval: NotRequired[ApprovalDict | None]
    retry_failed_of_run: NotRequired[str | None]
    #: Order id → the order's API resource (``…/accounts/{id}/importTnOrders/{order id}``).
    order_urls: NotRequired[dict[str, str]]
