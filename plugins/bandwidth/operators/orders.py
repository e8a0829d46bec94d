"""Plan orders in chunks and create them idempotently."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator
from bandwidth import api
from bandwidth.exceptions import BandwidthApiError
from bandwidth.hooks import BandwidthHook
from bandwidth.models import ImportTnOrderRequest, ServiceAddress, TnOrder
from bandwidth.validation import customer_order_id


class PlanOrdersOperator(BaseOperator):
    """
    Split the numbers to order into chunks of at most ``chunk_size``, each with a deterministic
    CustomerOrderId (same run, same chunk → same id), for dynamic task mapping.

    :param request: the validated request (``chunk_size``, ``customer_order_id_prefix``, ``numbers``).
    :param checker: the checker's result; its importable numbers are ordered. Without it, the request's.
    """

    template_fields = ("request", "checker")

    def __init__(self, *, request: Any, checker: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request = request
        self.checker = checker

    def execute(self, context: Any) -> list[dict[str, Any]]:
        run_key = f"{context['dag'].dag_id}/{context['run_id']}"
        numbers = self.checker["importable"] if self.checker is not None else self.request["numbers"]
        chunks = api.chunked(numbers, int(self.request["chunk_size"]))
        plan = [
            {
                "index": i,
                "customer_order_id": customer_order_id(self.request["customer_order_id_prefix"], run_key, i, chunk),
                "numbers": chunk,
            }
            for i, chunk in enumerate(chunks)
        ]
        self.log.info("Planned %d order(s) for %d number(s)", len(plan), len(numbers))
        return plan


class _CreateOrderOperator(BaseOperator):
    """
    Create one order idempotently: a retry never makes a second order.

    Before creating, look for the order this task already made: first in the task state store (written
    right after creation), then, on a retry, by CustomerOrderId (a worker may have died between the
    create and the store). If the create call's answer is lost (no answer, 5xx), look it up at once
    before failing, so neither this try nor the next repeats the order.
    """

    template_fields = ("chunk", "bandwidth_conn_id")
    kind = "import"

    def __init__(self, *, chunk: Any, bandwidth_conn_id: str = BandwidthHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chunk = chunk
        self.bandwidth_conn_id = bandwidth_conn_id

    def _create(self, hook: BandwidthHook, context: Any) -> TnOrder:
        raise NotImplementedError

    def _list(self, hook: BandwidthHook, cid: str) -> list[Any]:
        raise NotImplementedError

    def _find(self, hook: BandwidthHook, cid: str) -> str | None:
        found = [s for s in self._list(hook, cid) if s.customer_order_id == cid]
        if len(found) > 1:
            self.log.warning("%d orders carry CustomerOrderId %s; using the oldest", len(found), cid)
        found.sort(key=lambda s: s.order_date or "")
        return found[0].order_id if found else None

    def execute(self, context: Any) -> str:
        cid = self.chunk["customer_order_id"]
        numbers = self.chunk["numbers"]
        context["ti"].xcom_push(key="customer_order_id", value=cid)
        store = context.get("task_state_store")
        order_id = store.get("order_id") if store is not None else None
        if order_id:
            self.log.info("Reusing %s order %s (task state store) for %s", self.kind, order_id, cid)
            return order_id
        hook = BandwidthHook(self.bandwidth_conn_id)
        # A first try cannot have created anything yet: only a retry (or a cleared task) looks up first.
        order_id = self._find(hook, cid) if context["ti"].try_number > 1 else None
        if order_id:
            self.log.info("Reusing %s order %s found by CustomerOrderId %s", self.kind, order_id, cid)
        else:
            try:
                order_id = self._create(hook, context).order_id
            except BandwidthApiError as err:
                if err.status is not None and err.status < 500:
                    raise
                self.log.warning("Create of %s got no answer (%s); looking the order up", cid, err)
                order_id = self._find(hook, cid)
                if not order_id:
                    raise
            self.log.info("Created %s order %s (%s, %d numbers)", self.kind, order_id, cid, len(numbers))
        if store is not None:
            store.set("order_id", order_id)
        return order_id


class CreateImportTnOrderOperator(_CreateOrderOperator):
    """
    Create the ``importTnOrders`` order of one chunk, idempotently (see :class:`_CreateOrderOperator`).

    :param chunk: ``{"customer_order_id", "numbers"}`` from :class:`PlanOrdersOperator` (templated).
    :param request: the validated request (subscriber, address, site, LOA person).
    """

    template_fields = ("chunk", "request", "bandwidth_conn_id")

    def __init__(self, *, request: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request = request

    def _list(self, hook: BandwidthHook, cid: str) -> list[Any]:
        return hook.list_import_orders(customerOrderId=cid)

    def _create(self, hook: BandwidthHook, context: Any) -> TnOrder:
        r = self.request
        return hook.create_import_order(
            ImportTnOrderRequest(
                customer_order_id=self.chunk["customer_order_id"],
                site_id=r["site_id"],
                sip_peer_id=r.get("sip_peer_id"),
                subscriber_name=r["subscriber_name"],
                service_address=ServiceAddress(
                    house_number=r["house_number"],
                    street_name=r["street_name"],
                    city=r["city"],
                    state_code=r["state_code"],
                    zip=r["zip"],
                    county=r.get("county"),
                ),
                loa_authorizing_person=r["loa_authorizing_person"],
                numbers=list(self.chunk["numbers"]),
            )
        )


class CreateRemoveImportedTnOrderOperator(_CreateOrderOperator):
    """Create the ``removeImportedTnOrders`` order of one chunk, idempotently."""

    kind = "remove"

    def _list(self, hook: BandwidthHook, cid: str) -> list[Any]:
        return hook.list_remove_orders(customerOrderId=cid)

    def _create(self, hook: BandwidthHook, context: Any) -> TnOrder:
        return hook.create_remove_order(self.chunk["customer_order_id"], list(self.chunk["numbers"]))
