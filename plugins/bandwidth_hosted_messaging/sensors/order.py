"""The sensor that waits for a Bandwidth import or remove order to reach its final status."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, Context, PokeReturnValue, XComArg, conf
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.assets import ORDER_KIND_ASSETS
from bandwidth_hosted_messaging.constants import DEFAULT_CONN_ID, DEFAULT_POLL_INTERVAL, ORDER_URL_KEY
from bandwidth_hosted_messaging.hooks.lazy import bandwidth_hook
from bandwidth_hosted_messaging.reporting.links import ORDER_LINKS, persist_links
from bandwidth_hosted_messaging.statuses import OrderKind

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.client.models import TnOrder
    from bandwidth_hosted_messaging.contracts import OrderDict
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


class TnOrderSensor(BaseSensorOperator):
    """
    Wait until a Bandwidth import or remove order's ``ProcessingStatus`` is final.

    Checks once; if the order is not final yet and ``deferrable`` is on, hands the wait to a
    :class:`~bandwidth_hosted_messaging.triggers.order.TnOrderTrigger` in the triggerer (no worker slot is held),
    which Bandwidth's callback for the order wakes within seconds; a safety poll every ``poke_interval`` catches
    a lost callback. The order's callback asset is the task's inlet, so the callback receiver can record on it.
    COMPLETE and PARTIAL succeed (the failed numbers of a PARTIAL order are logged and kept in the ``order`` XCom
    for the report); FAILED and EXCEPTION fail the task naming the numbers and codes. The order is pushed under
    XCom key ``order`` in every case.

    :param order_id: the order id (templated).
    :param order_kind: ``import`` (``importTnOrders``) or ``remove`` (``removeImportedTnOrders``).
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param poke_interval: seconds between safety polls, in the trigger or in poke mode (templated).
    :param timeout: the long stop: seconds from the first try after which the wait fails, counted across retries
        (templated; default ``[bandwidth] wait_long_stop_days``, 30 days).
    :param wake_on_callback: let callbacks wake the wait (default ``[bandwidth] callback_wakeups``, on).
    """

    template_fields = ("order_id", "bandwidth_conn_id", "poke_interval", "wait_timeout")
    operator_extra_links = ORDER_LINKS
    ui_color = "#e8f1ff"

    def __init__(
        self,
        *,
        order_id: str | XComArg,
        order_kind: str = OrderKind.IMPORT,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool | None = None,
        poke_interval: float | str = DEFAULT_POLL_INTERVAL,
        timeout: float | str | None = None,
        wake_on_callback: bool | None = None,
        **kwargs: Any,
    ) -> None:
        kind = OrderKind(order_kind)
        kwargs.setdefault("inlets", [ORDER_KIND_ASSETS[kind]])
        super().__init__(**kwargs)
        self.poke_interval = poke_interval  # type: ignore[assignment]  # may be a template; coerced in execute
        self.wait_timeout = config.wait_long_stop_seconds() if timeout is None else timeout
        self.order_id: str = order_id  # type: ignore[assignment]  # an XComArg is resolved before execute
        self.order_kind = kind
        self.wake_on_callback = config.callback_wakeups() if wake_on_callback is None else wake_on_callback
        self.bandwidth_conn_id = bandwidth_conn_id
        if deferrable is None:
            deferrable = conf.getboolean("operators", "default_deferrable", fallback=False)
        self.deferrable = deferrable
        self._bandwidth_hook: BandwidthHook | None = None

    def _hook(self) -> BandwidthHook:
        if self._bandwidth_hook is None:
            self._bandwidth_hook = bandwidth_hook(self.bandwidth_conn_id)
        return self._bandwidth_hook

    def _get(self) -> TnOrder:
        return self._hook().get_order(self.order_kind, self.order_id)

    def _deadline(self, context: Context) -> float:
        """The absolute deadline, fixed at the first try and kept in the task state store across retries."""
        store = context.get("task_state_store")
        kept = store.get("deadline") if store is not None else None
        if isinstance(kept, int | float):
            return float(kept)
        deadline = time.time() + self.timeout
        if store is not None:
            store.set("deadline", deadline)
        return deadline

    def execute(self, context: Context) -> Any:
        self.poke_interval = float(self.poke_interval)
        self.timeout = float(self.wait_timeout)
        context["ti"].xcom_push(key="order_id", value=self.order_id)
        context["ti"].xcom_push(key=ORDER_URL_KEY, value=self._hook().order_url(self.order_kind, self.order_id))
        persist_links(context, self)
        if not self.deferrable:
            return super().execute(context)
        checked_at = time.time()  # before the read: a callback recorded during it still wakes the trigger
        order = self._get()
        self.log.info("Order %s is %s", self.order_id, order.status.value)
        self._record_check(context, order)
        if order.status.is_final:
            return self._finish(context, order)
        deadline = self._deadline(context)
        self.log.info(
            "Waiting in the triggerer: %s; safety poll every %.0f s",
            "a callback for the order wakes the wait" if self.wake_on_callback else "callbacks off",
            self.poke_interval,
        )
        # The trigger (and the order model, the outcome's wording) are imported when the task runs, not when a DAG
        # file is parsed: every task process parses its DAG file again.
        from bandwidth_hosted_messaging.triggers.order import TnOrderTrigger

        self.defer(
            trigger=TnOrderTrigger(
                order_id=self.order_id,
                order_kind=self.order_kind,
                bandwidth_conn_id=self.bandwidth_conn_id,
                deadline=deadline,
                poll_interval=self.poke_interval,
                checked_at=checked_at,
                wake_on_callback=self.wake_on_callback,
                end_from_trigger=True,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(0.0, deadline - time.time()) + 3600),
        )

    def poke(self, context: Context) -> bool | PokeReturnValue:
        order = self._get()
        self.log.info("Order %s is %s", self.order_id, order.status.value)
        self._record_check(context, order)
        if not order.status.is_final:
            return False
        return PokeReturnValue(is_done=True, xcom_value=self._finish(context, order))

    def _record_check(self, context: Context, order: TnOrder) -> None:
        """Push what this read of the order said (XCom ``checked``): the status page shows it meanwhile."""
        from bandwidth_hosted_messaging.reporting.times import utc_now

        context["ti"].xcom_push(key="checked", value={"status": order.status.value, "at": utc_now()})

    def execute_complete(self, context: Context, event: Mapping[str, Any] | None = None) -> OrderDict:
        """Turn the trigger's event into the task's result (or a clear failure)."""
        if not event or "status" not in event:
            raise AirflowException(f"Order {self.order_id}: the trigger sent no usable event: {event!r}")
        if event["status"] == "final" and isinstance(event.get("order"), Mapping):
            from bandwidth_hosted_messaging.client.models import TnOrder

            return self._finish(context, TnOrder.from_dict(event["order"]))
        if event["status"] == "timeout":
            raise AirflowSensorTimeout(
                f"Order {self.order_id} still open ({event.get('last_status') or 'status unknown'}) at the deadline, "
                f"{float(self.wait_timeout):.0f}s after the wait began"
            )
        if event["status"] == "error":
            raise AirflowException(f"Waiting for order {self.order_id} failed: {event.get('message')}")
        raise AirflowException(f"Order {self.order_id}: the trigger sent an unknown event: {event!r}")

    def _finish(self, context: Context, order: TnOrder) -> OrderDict:
        from bandwidth_hosted_messaging.hooks import site_memory
        from bandwidth_hosted_messaging.reporting.order_outcome import describe_failures, log_success

        data = order.to_dict()
        context["ti"].xcom_push(key="order", value=data)
        if order.status.is_failure:
            site_memory.forget(self.bandwidth_conn_id)  # the site may be why: the next run checks it again
            raise AirflowFailException(f"Order {order.order_id} ended {order.status.value}: {describe_failures(order)}")
        log_success(self.log, order)
        return data
