"""The async trigger that waits, in the triggerer, for a Bandwidth order to reach a final status."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from bandwidth_hosted_messaging.client.errors import BandwidthApiError, BandwidthError, ConnectionConfigError
from bandwidth_hosted_messaging.client.retry import RetryPolicy
from bandwidth_hosted_messaging.contracts import OrderEventDict
from bandwidth_hosted_messaging.hooks.bandwidth_async import BandwidthAsyncHook
from bandwidth_hosted_messaging.statuses import OrderKind, UnknownStatusError

#: Consecutive non-transient API errors (401, 403, 404, ...) after which the wait gives up.
MAX_PERMANENT_ERRORS = 5
#: aiohttp closes a connection idle this long (its ``keepalive_timeout``): longer sleeps reuse nothing.
KEEPALIVE_SECONDS = 15.0
#: Each poll's own retries; the polling loop itself is the outer retry.
POLL_RETRY_POLICY = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=10.0)


def _is_transient(err: BandwidthApiError) -> bool:
    return err.status is None or err.status == 429 or err.status >= 500


class TnOrderTrigger(BaseTrigger):
    """
    Poll ``GET /{importTnOrders|removeImportedTnOrders}/{orderId}`` until the order's status is final or the
    deadline passes.

    Yields exactly one event: ``{"status": "final", "order": {...}}``, ``{"status": "timeout", ...}`` or
    ``{"status": "error", "message": ...}``. Network blips, 5xx and 429 never end the wait; an unknown
    ProcessingStatus ends it at once, loudly.

    :param order_id: the order to wait for.
    :param order_kind: ``import`` or ``remove`` (:class:`~bandwidth_hosted_messaging.statuses.OrderKind`).
    :param bandwidth_conn_id: the Bandwidth connection.
    :param deadline: absolute epoch seconds after which the wait ends with a timeout event.
    :param poll_interval: seconds between polls (a little jitter is added).
    """

    def __init__(
        self,
        order_id: str,
        bandwidth_conn_id: str,
        deadline: float,
        poll_interval: float = 60.0,
        order_kind: str = OrderKind.IMPORT,
    ) -> None:
        super().__init__()
        self.order_id = order_id
        self.order_kind = OrderKind(order_kind)
        self.bandwidth_conn_id = bandwidth_conn_id
        self.deadline = float(deadline)
        self.poll_interval = float(poll_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "order_id": self.order_id,
                "order_kind": self.order_kind.value,
                "bandwidth_conn_id": self.bandwidth_conn_id,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        permanent_errors = 0
        last_status: str | None = None
        last_error = ""
        async with BandwidthAsyncHook(self.bandwidth_conn_id, retry_policy=POLL_RETRY_POLICY) as hook:
            while True:
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
                except (
                    BandwidthError
                ) as err:  # an unreadable answer: maybe a proxy's glitch, but never loop on it forever
                    last_error = str(err)
                    permanent_errors += 1
                    self.log.warning(
                        "Order %s: unreadable answer %d/%d: %s",
                        self.order_id,
                        permanent_errors,
                        MAX_PERMANENT_ERRORS,
                        err,
                    )
                else:
                    permanent_errors = 0
                    if order.status.value != last_status:
                        self.log.info("Order %s is %s", self.order_id, order.status.value)
                        last_status = order.status.value
                    if order.status.is_final:
                        yield TriggerEvent(
                            OrderEventDict(status="final", order_id=self.order_id, order=order.to_dict())
                        )
                        return
                if permanent_errors >= MAX_PERMANENT_ERRORS:
                    yield TriggerEvent(OrderEventDict(status="error", order_id=self.order_id, message=last_error))
                    return
                remaining = self.deadline - time.time()
                if remaining <= 0:
                    yield TriggerEvent(
                        OrderEventDict(status="timeout", order_id=self.order_id, last_status=last_status)
                    )
                    return
                if self.poll_interval > KEEPALIVE_SECONDS:
                    # Hold no connection while asleep: aiohttp would drop it unused after its keep-alive anyway,
                    # and a thousand waiting orders' sessions and buffers would sit in the triggerer's memory.
                    await hook.close()
                await asyncio.sleep(min(remaining, self.poll_interval * random.uniform(0.9, 1.1)))
