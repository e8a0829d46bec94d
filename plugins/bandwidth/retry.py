"""When to retry a Bandwidth call and how long to wait first (shared by the sync and async hooks)."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """
    Bounded retries with exponential backoff and full jitter.

    :param max_attempts: attempts in all, the first included.
    :param base_delay: first backoff in seconds.
    :param max_delay: cap of a computed backoff.
    :param max_rate_limit_wait: the longest a 429's reset time may make us wait in one go.
    """

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_rate_limit_wait: float = 300.0

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def delay(self, attempt: int, status: int | None, headers: Mapping[str, str] | None) -> float:
        """Delay before the next attempt after a retryable answer (or none: ``status`` is ``None``)."""
        if status == 429 and headers is not None:
            wait = rate_limit_wait(headers)
            if wait is not None:
                return min(wait, self.max_rate_limit_wait)
        return self.backoff(attempt)


def rate_limit_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """
    Seconds to wait after a 429, from ``Retry-After`` (wins) or ``X-RateLimit-Reset``.

    ``X-RateLimit-Reset`` is epoch seconds; above 1e12 it is epoch milliseconds; below 1e9 a delta.
    Returns ``None`` when neither header is usable.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    now = time.time() if now is None else now
    retry_after = lowered.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                return max(0.0, parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = lowered.get("x-ratelimit-reset")
    if reset:
        try:
            value = float(reset)
        except ValueError:
            return None
        if value > 1e12:
            value /= 1000.0
        if value < 1e9:
            return max(0.0, value)
        return max(0.0, value - now)
    return None
