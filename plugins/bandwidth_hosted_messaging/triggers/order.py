"""The async trigger that waits, in the triggerer, for a Bandwidth order to reach a final status."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TaskSuccessEvent, TriggerEvent

from bandwidth_hosted_messaging import config
from bandwidth_hosted_messaging.client.errors import BandwidthApiError, BandwidthError, ConnectionConfigError
from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.contracts import OrderEventDict
from bandwidth_hosted_messaging.hooks import subscription_memory
from bandwidth_hosted_messaging.reporting.order_outcome import log_success
from bandwidth_hosted_messaging.statuses import OrderKind, UnknownStatusError
from bandwidth_hosted_messaging.triggers.callback_watch import in_triggerer, watch_for_running_loop

#: Consecutive non-transient API errors (401, 403, 404, ...) after which the wait gives up.
MAX_PERMANENT_ERRORS = 5
#: aiohttp closes a connection idle this long (its ``keepalive_timeout``): longer sleeps reuse nothing.
KEEPALIVE_SECONDS = 15.0
#: Each poll's own attempts (with the connection's backoff); the polling loop itself is the outer retry.
POLL_ATTEMPTS = 3
#: After a failed read, the next one comes this soon (or at the safety poll, if sooner).
ERROR_RETRY_SECONDS = 60.0


def _is_transient(err: BandwidthApiError) -> bool:
    return err.status is None or err.status == 429 or err.status >= 500


class TnOrderTrigger(BaseTrigger):
    """
    Wait for ``GET /{importTnOrders|removeImportedTnOrders}/{orderId}`` to show a final status: woken by
    Bandwidth's callback, with a safety poll every ``poll_interval`` for a callback that never comes.

    A callback recorded by the callback receiver wakes the wait within ``[bandwidth] callback_check_interval``
    (see :mod:`.callback_watch`); the trigger then reads the order once, because a callback is a signal and the
    order is the truth. Bandwidth never retries a delivery, so the safety poll still reads the order every
    ``poll_interval`` seconds (a little jitter is added). When that poll, not a callback, finds the order final
    well after Bandwidth last modified it, the connection's remembered subscriptions are forgotten
    (:func:`~bandwidth_hosted_messaging.hooks.subscription_memory.callback_missed`): the next run lists them.

    Yields exactly one event: ``{"status": "final", "order": {...}}``, ``{"status": "timeout", ...}`` (the long
    stop) or ``{"status": "error", "message": ...}``. Network blips, 5xx and 429 never end the wait; an unknown
    ProcessingStatus ends it at once, loudly.

    :param order_id: the order to wait for.
    :param order_kind: ``import`` or ``remove`` (:class:`~bandwidth_hosted_messaging.statuses.OrderKind`).
    :param bandwidth_conn_id: the Bandwidth connection.
    :param deadline: absolute epoch seconds after which the wait ends with a timeout event (the long stop).
    :param poll_interval: seconds between safety polls.
    :param checked_at: epoch seconds of the sensor's own read just before it deferred: the first poll is due
        ``poll_interval`` after it, and callbacks recorded since then wake the wait. ``None`` reads at once.
    :param wake_on_callback: whether callbacks wake the wait (``False``: polling only).
    :param end_from_trigger: end the task from the triggerer when the order is COMPLETE or PARTIAL
        (``TaskSuccessEvent`` with the order as the task's ``return_value`` and ``order`` XComs), so no worker
        has to start the task again; FAILED, EXCEPTION, errors and the long stop still resume the task, which
        fails naming the numbers. ``dag.test()`` cannot take such an event in Airflow 3.3.2 (it resumes the task
        with the event's state as a string), so a trigger it runs inline always resumes the task.
    """

    def __init__(
        self,
        order_id: str,
        bandwidth_conn_id: str,
        deadline: float,
        poll_interval: float = 900.0,
        order_kind: str = OrderKind.IMPORT,
        checked_at: float | None = None,
        wake_on_callback: bool = True,
        end_from_trigger: bool = False,
    ) -> None:
        super().__init__()
        self.order_id = order_id
        self.order_kind = OrderKind(order_kind)
        self.bandwidth_conn_id = bandwidth_conn_id
        self.deadline = float(deadline)
        self.poll_interval = float(poll_interval)
        self.checked_at = None if checked_at is None else float(checked_at)
        self.wake_on_callback = bool(wake_on_callback)
        self.end_from_trigger = bool(end_from_trigger)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "order_id": self.order_id,
                "order_kind": self.order_kind.value,
                "bandwidth_conn_id": self.bandwidth_conn_id,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
                "checked_at": self.checked_at,
                "wake_on_callback": self.wake_on_callback,
                "end_from_trigger": self.end_from_trigger,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        watch = watch_for_running_loop(config.callback_check_interval()) if self.wake_on_callback else None
        wake = watch.watch(self.order_kind, self.order_id, self.checked_at or time.time()) if watch else None
        try:
            async for event in self._wait(wake):
                yield event
                return
        finally:
            if watch is not None:
                watch.forget(self.order_kind, self.order_id)

    async def _wait(self, wake: asyncio.Event | None) -> AsyncIterator[TriggerEvent]:
        permanent_errors = 0
        woken = False  # a callback for this order came (the safety poll alone ends the waits of lost callbacks)
        last_status: str | None = None
        last_error = ""
        next_read = time.time() if self.checked_at is None else self._next_poll(self.checked_at)
        from bandwidth_hosted_messaging.hooks.bandwidth_async import BandwidthAsyncHook  # aiohttp: in the triggerer

        async with BandwidthAsyncHook(self.bandwidth_conn_id, max_attempts=POLL_ATTEMPTS) as hook:
            while True:
                remaining = self.deadline - time.time()
                if remaining <= 0:
                    yield TriggerEvent(
                        OrderEventDict(status="timeout", order_id=self.order_id, last_status=last_status)
                    )
                    return
                pause = min(remaining, next_read - time.time())
                if pause > 0:
                    if self.poll_interval > KEEPALIVE_SECONDS:
                        # Hold no connection while asleep: aiohttp would drop it unused after its keep-alive
                        # anyway, and a thousand waiting orders' sessions would sit in the triggerer's memory.
                        await hook.close()
                    if await _sleep_or_wake(pause, wake):
                        woken = True
                        self.log.info("Order %s: a callback came; reading the order", self.order_id)
                    elif time.time() < next_read:
                        continue  # the long stop, checked at the top
                next_read = self._next_poll(time.time())
                try:
                    order = await hook.get_order(self.order_kind, self.order_id)
                except (UnknownStatusError, ConnectionConfigError) as err:  # waiting longer cannot mend either
                    yield TriggerEvent(OrderEventDict(status="error", order_id=self.order_id, message=str(err)))
                    return
                except BandwidthApiError as err:
                    last_error = str(err)
                    if _is_transient(err):
                        permanent_errors = 0
                        self.log.warning("Order %s: transient error, still waiting: %s", self.order_id, err)
                    else:
                        permanent_errors += 1
                        self.log.warning(
                            "Order %s: error %d/%d: %s", self.order_id, permanent_errors, MAX_PERMANENT_ERRORS, err
                        )
                    next_read = min(next_read, time.time() + ERROR_RETRY_SECONDS)
                except BandwidthError as err:  # an unreadable answer: maybe a proxy's glitch, never loop on it
                    last_error = str(err)
                    permanent_errors += 1
                    self.log.warning(
                        "Order %s: unreadable answer %d/%d: %s",
                        self.order_id,
                        permanent_errors,
                        MAX_PERMANENT_ERRORS,
                        err,
                    )
                    next_read = min(next_read, time.time() + ERROR_RETRY_SECONDS)
                else:
                    permanent_errors = 0
                    if order.status.value != last_status:
                        self.log.info("Order %s is %s", self.order_id, order.status.value)
                        last_status = order.status.value
                    if order.status.is_final:
                        if wake is not None and not woken:
                            # Its callback is lost or its subscription gone: the next run lists the subscriptions.
                            subscription_memory.callback_missed(
                                self.bandwidth_conn_id, self.order_id, order.last_modified_date
                            )
                        yield self._final_event(order)
                        return
                    del order  # not kept while asleep: an order of 5,000 numbers, times every waiting order
                if permanent_errors >= MAX_PERMANENT_ERRORS:
                    yield TriggerEvent(OrderEventDict(status="error", order_id=self.order_id, message=last_error))
                    return

    def _final_event(self, order: TnOrder) -> TriggerEvent:
        data = order.to_dict()
        if self.end_from_trigger and not order.status.is_failure and in_triggerer():
            log_success(self.log, order)
            xcom: dict[str, Any] = dict(data)
            return TaskSuccessEvent(xcoms={"return_value": xcom, "order": xcom})
        return TriggerEvent(OrderEventDict(status="final", order_id=self.order_id, order=data))

    def _next_poll(self, after: float) -> float:
        return after + self.poll_interval * random.uniform(0.9, 1.1)


async def _sleep_or_wake(seconds: float, wake: asyncio.Event | None) -> bool:
    """Sleep up to ``seconds``; ``True`` when ``wake`` was set first (it is cleared for the next callback)."""
    if wake is None:
        await asyncio.sleep(seconds)
        return False
    try:
        async with asyncio.timeout(seconds):  # in this task: wait_for would wrap the wait in a task of its own
            await wake.wait()
    except TimeoutError:
        return False
    wake.clear()
    return True
