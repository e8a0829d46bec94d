"""How a finished order reads in a log line: its failed numbers with their codes, and its outcome."""

from __future__ import annotations

from typing import Any

from bandwidth_hosted_messaging.client.models import TnOrder
from bandwidth_hosted_messaging.reporting.render import first_n
from bandwidth_hosted_messaging.statuses import ProcessingStatus


def describe_failures(order: TnOrder) -> str:
    """``3035550101 (5016 The SiteId submitted is invalid), ...`` for an order's failed numbers."""
    failed = order.failed_numbers()
    parts = (f"{n} ({err.code} {err.description})".replace("( ", "(") for n, err in failed.items())
    return first_n(parts, total=len(failed)) or "no per-number errors given"


def log_success(log: Any, order: TnOrder) -> None:
    """The line of a COMPLETE order, or the warning of a PARTIAL one naming its failed numbers (``log``: a task's
    or a trigger's logger)."""
    if order.status is ProcessingStatus.PARTIAL:
        log.warning(
            "Order %s ended PARTIAL: %d number(s) went through; failed: %s",
            order.order_id,
            len(order.completed_numbers()),
            describe_failures(order),
        )
    else:
        log.info("Order %s COMPLETE: %d number(s)", order.order_id, len(order.completed_numbers()))
