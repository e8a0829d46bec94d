"""Sensors that wait for a Bandwidth import or remove order to reach its final status."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, ClassVar

from airflow.sdk import BaseSensorOperator, PokeReturnValue, conf
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout
from bandwidth.hooks import BandwidthHook
from bandwidth.models import FAILURE_STATUSES, ProcessingStatus, TnOrder
from bandwidth.triggers import ImportTnOrderTrigger, RemoveImportedTnOrderTrigger, TnOrderTrigger

DEFAULT_WAIT_TIMEOUT = 7 * 24 * 3600.0
MAX_NUMBERS_IN_MESSAGE = 20


def describe_failures(order: TnOrder) -> str:
    """``3035550101 (5016 The SiteId submitted is invalid), ...`` for an order's failed numbers."""
    failed = order.failed_numbers()
    parts = [f"{n} ({err.code} {err.description})".replace("( ", "(") for n, err in list(failed.items())[:MAX_NUMBERS_IN_MESSAGE]]
    if len(failed) > MAX_NUMBERS_IN_MESSAGE:
        parts.append(f"and {len(failed) - MAX_NUMBERS_IN_MESSAGE} more")
    return ", ".join(parts) or "no per-number errors given"


class TnOrderSensor(BaseSensorOperator):
    """
    Wait until a Bandwidth order's ``ProcessingStatus`` is final.

    Checks once; if the order is not final yet and ``deferrable`` is on, hands the wait to a trigger in
    the triggerer (no worker slot is held). COMPLETE and PARTIAL succeed (the failed numbers of a PARTIAL
    order are logged and kept in the ``order`` XCom for the report); FAILED and EXCEPTION fail the task
    naming the numbers and codes. The order is pushed under XCom key ``order`` in every case.

    :param order_id: the order id (templated).
    :param bandwidth_conn_id: the Bandwidth connection (templated).
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param poke_interval: seconds between polls, in the trigger or in poke mode.
    :param timeout: seconds from the first try after which the wait fails, counted across retries (templated).
    """

    template_fields = ("order_id", "bandwidth_conn_id", "poke_interval", "wait_timeout")
    trigger_class: ClassVar[type[TnOrderTrigger]] = ImportTnOrderTrigger
    ui_color = "#e8f1ff"

    def __init__(
        self,
        *,
        order_id: str,
        bandwidth_conn_id: str = BandwidthHook.default_conn_name,
        deferrable: bool | None = None,
        poke_interval: float | str = 60.0,
        timeout: float | str = DEFAULT_WAIT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.poke_interval = poke_interval  # both may be templates; coerced in execute
        self.wait_timeout = timeout
        self.order_id = order_id
        self.bandwidth_conn_id = bandwidth_conn_id
        if deferrable is None:
            deferrable = conf.getboolean("operators", "default_deferrable", fallback=False)
        self.deferrable = deferrable

    def _get(self, hook: BandwidthHook) -> TnOrder:
        return hook.get_import_order(self.order_id)

    def _deadline(self, context: Any) -> float:
        """The absolute deadline, fixed at the first try and kept in the task state store across retries."""
        store = context.get("task_state_store")
        deadline = store.get("deadline") if store is not None else None
        if deadline is None:
            deadline = time.time() + self.timeout
            if store is not None:
                store.set("deadline", deadline)
        return float(deadline)

    def execute(self, context: Any) -> Any:
        self.poke_interval = float(self.poke_interval)
        self.timeout = float(self.wait_timeout)
        context["ti"].xcom_push(key="order_id", value=self.order_id)
        if not self.deferrable:
            return super().execute(context)
        order = self._get(BandwidthHook(self.bandwidth_conn_id))
        self.log.info("Order %s is %s", self.order_id, order.status.value)
        if order.status.is_final:
            return self._finish(context, order)
        deadline = self._deadline(context)
        self.defer(
            trigger=self.trigger_class(
                order_id=self.order_id,
                bandwidth_conn_id=self.bandwidth_conn_id,
                deadline=deadline,
                poll_interval=self.poke_interval,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(0.0, deadline - time.time()) + 3600),
        )

    def poke(self, context: Any) -> bool | PokeReturnValue:
        order = self._get(BandwidthHook(self.bandwidth_conn_id))
        self.log.info("Order %s is %s", self.order_id, order.status.value)
        if not order.status.is_final:
            return False
        return PokeReturnValue(is_done=True, xcom_value=self._finish(context, order))

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
        """Turn the trigger's event into the task's result (or a clear failure)."""
        if not event or "status" not in event:
            raise AirflowException(f"Order {self.order_id}: the trigger sent no usable event: {event!r}")
        if event["status"] == "final":
            return self._finish(context, TnOrder.from_dict(event["order"]))
        if event["status"] == "timeout":
            raise AirflowSensorTimeout(
                f"Order {self.order_id} still open ({event.get('last_status') or 'status unknown'}) at the deadline, "
                f"{float(self.wait_timeout):.0f}s after the wait began"
            )
        raise AirflowException(f"Waiting for order {self.order_id} failed: {event.get('message')}")

    def _finish(self, context: Any, order: TnOrder) -> dict[str, Any]:
        data = order.to_dict()
        context["ti"].xcom_push(key="order", value=data)
        if order.status in FAILURE_STATUSES:
            raise AirflowFailException(f"Order {order.order_id} ended {order.status.value}: {describe_failures(order)}")
        if order.status is ProcessingStatus.PARTIAL:
            self.log.warning(
                "Order %s ended PARTIAL: %d number(s) went through; failed: %s",
                order.order_id,
                len(order.completed_numbers()),
                describe_failures(order),
            )
        else:
            self.log.info("Order %s COMPLETE: %d number(s)", order.order_id, len(order.completed_numbers()))
        return data


class ImportTnOrderSensor(TnOrderSensor):
    """Wait for an ``importTnOrders`` order (see :class:`TnOrderSensor`)."""


class RemoveImportedTnOrderSensor(TnOrderSensor):
    """Wait for a ``removeImportedTnOrders`` order (see :class:`TnOrderSensor`)."""

    trigger_class = RemoveImportedTnOrderTrigger

    def _get(self, hook: BandwidthHook) -> TnOrder:
        return hook.get_remove_order(self.order_id)
