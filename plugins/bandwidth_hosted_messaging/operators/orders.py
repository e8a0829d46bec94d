"""Create one import or remove order idempotently: a retry never makes a second order."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, Context

from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID, ORDER_URL_KEY
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import ORDER_LINKS
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, TnOrder
    from bandwidth_hosted_messaging.contracts import OrderDetailsDict, PlanChunkDict
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


def import_order_request(request: OrderDetailsDict, chunk: PlanChunkDict) -> ImportTnOrderRequest:
    """The ``ImportTnOrder`` of one chunk: its numbers and the run's order details (or its whole request)."""
    from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress

    return ImportTnOrderRequest(
        customer_order_id=chunk["customer_order_id"],
        site_id=request["site_id"],
        sip_peer_id=request.get("sip_peer_id"),
        subscriber_name=request["subscriber_name"],
        service_address=ServiceAddress(
            house_number=request["house_number"],
            street_name=request["street_name"],
            city=request["city"],
            state_code=request["state_code"],
            zip=request["zip"],
            county=request.get("county"),
        ),
        loa_authorizing_person=request["loa_authorizing_person"],
        numbers=list(chunk["numbers"]),
    )


class CreateTnOrderOperator(BaseOperator):
    """
    Create the ``importTnOrders`` or ``removeImportedTnOrders`` order of one chunk, idempotently.

    Before creating, look for the order this task already made: first in the task state store (written right
    after creation, with the CustomerOrderId and numbers it was made for: a cleared run whose chunk now holds
    other numbers never reuses it), then, on a retry, by CustomerOrderId (a worker may have died between the
    create and the store). If the create call's answer is lost (no answer, 5xx), look it up at once before
    failing, so neither this try nor the next repeats the order. Returns the order id.

    :param chunk: ``{"index", "customer_order_id", "numbers"}``, one chunk of ``approve_orders``' plan (templated).
    :param order_kind: ``import`` or ``remove``.
    :param request: the run's order details (``validate_request``'s XCom ``order_details``: subscriber, address,
        site, LOA person; or the whole validated request); not used to remove.
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    """

    template_fields = ("chunk", "request", "bandwidth_conn_id")
    operator_extra_links = ORDER_LINKS

    def __init__(
        self,
        *,
        chunk: Any,
        order_kind: str = OrderKind.IMPORT,
        request: Any = None,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.chunk: PlanChunkDict = chunk
        self.order_kind = OrderKind(order_kind)
        self.request: OrderDetailsDict | None = request
        self.bandwidth_conn_id = bandwidth_conn_id

    def _create(self, hook: BandwidthHook) -> TnOrder:
        if self.order_kind is OrderKind.REMOVE:
            return hook.create_remove_order(self.chunk["customer_order_id"], list(self.chunk["numbers"]))
        if self.request is None:
            raise ValueError(
                "an import order needs the order details of the validated request (validate_request's XCom "
                "order_details): clear the run from validate_request"
            )
        return hook.create_import_order(import_order_request(self.request, self.chunk))

    def _find(self, hook: BandwidthHook, cid: str) -> str | None:
        found = [s for s in hook.list_orders(self.order_kind, customerOrderId=cid) if s.customer_order_id == cid]
        if len(found) > 1:
            self.log.warning("%d orders carry CustomerOrderId %s; using the oldest", len(found), cid)
        found.sort(key=lambda s: s.order_date or "")
        return found[0].order_id if found else None

    def execute(self, context: Context) -> str:
        # What only the task needs is imported when it runs: every task process parses the DAG file again.
        from bandwidth_hosted_messaging.client.errors import BandwidthApiError
        from bandwidth_hosted_messaging.hooks import site_memory

        kind = self.order_kind.value
        cid = self.chunk["customer_order_id"]
        context["ti"].xcom_push(key="customer_order_id", value=cid)
        store = context.get("task_state_store")
        remembered = self._remembered(store.get("order") if store is not None else None)
        hook = bandwidth_hook(self.bandwidth_conn_id)
        if remembered:
            self.log.info("Reusing %s order %s (task state store) for %s", kind, remembered, cid)
            self._show(context, hook, remembered)
            return remembered
        # A first try cannot have created anything yet: only a retry (or a cleared task) looks up first.
        order_id = self._find(hook, cid) if context["ti"].try_number > 1 else None
        if order_id:
            self.log.info("Reusing %s order %s found by CustomerOrderId %s", kind, order_id, cid)
        else:
            try:
                order_id = self._create(hook).order_id
            except BandwidthApiError as err:
                if err.status is not None and err.status < 500:
                    site_memory.forget(self.bandwidth_conn_id)  # refused: the site may be why
                    raise
                self.log.warning("Create of %s got no answer (%s); looking the order up", cid, err)
                order_id = self._find(hook, cid)
                if not order_id:
                    raise
            self.log.info("Created %s order %s (%s, %d numbers)", kind, order_id, cid, len(self.chunk["numbers"]))
        if store is not None:  # first, right after the create: a crash from here on never forgets the order
            store.set("order", {"order_id": order_id, "customer_order_id": cid, "numbers": self._numbers_key()})
        self._show(context, hook, order_id)
        return order_id

    def _show(self, context: Context, hook: BandwidthHook, order_id: str) -> None:
        """Log the order's API resource and push it for the "Bandwidth order" link."""
        url = hook.order_url(self.order_kind, order_id)
        context["ti"].xcom_push(key=ORDER_URL_KEY, value=url)
        self.log.info("Bandwidth %s order %s: %s", self.order_kind.value, order_id, url)

    def _numbers_key(self) -> str:
        return hashlib.sha256(",".join(self.chunk["numbers"]).encode()).hexdigest()

    def _remembered(self, kept: Any) -> str | None:
        """The order this task made for this very chunk (same CustomerOrderId, same numbers), if it made one."""
        if not isinstance(kept, dict) or not kept.get("order_id"):
            return None
        if (
            kept.get("customer_order_id") != self.chunk["customer_order_id"]
            or kept.get("numbers") != self._numbers_key()
        ):
            self.log.warning(
                "The remembered order %s was made for CustomerOrderId %s, another chunk than %s: not reused",
                kept["order_id"],
                kept.get("customer_order_id"),
                self.chunk["customer_order_id"],
            )
            return None
        return str(kept["order_id"])
