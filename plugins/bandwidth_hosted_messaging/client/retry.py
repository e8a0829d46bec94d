"""
When to retry a Bandwidth call and how long to wait first: one pure decision (:func:`decide`) that the sync
and async hooks share. Each hook's loop only sends, asks :func:`decide`, and sleeps.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bandwidth_hosted_messaging.client.calls import ApiCall, ApiResponse

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


class Action(Enum):
    """What a hook does next with a call."""

    #: The answer is final: hand it to :func:`~.calls.finish` (which raises for an error status).
    FINISH = "finish"
    #: Wait :attr:`Decision.delay` seconds, then send again (the next attempt).
    RETRY = "retry"
    #: Send again at once with a new OAuth2 token (a 401: the token expired early or was revoked).
    REFRESH_TOKEN = "refresh_token"
    #: No answer, and sending again could act twice or the attempts are spent: raise :func:`~.calls.no_answer`.
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Decision:
    action: Action
    delay: float = 0.0


def decide(
    call: ApiCall[Any],
    policy: RetryPolicy,
    attempt: int,
    *,
    response: ApiResponse | None = None,
    not_sent: bool = False,
    can_refresh_token: bool = False,
) -> Decision:
    """
    What to do after attempt ``attempt`` (from 1) of ``call``: its ``response``, or none (a connection error
    or timeout; ``not_sent``: the request surely never reached Bandwidth).

    Without a response, only calls safe to re-send are retried, or any call that surely never reached
    Bandwidth. With one, a 401 is re-sent once with a new token (``can_refresh_token``), 429 is always retried
    (Bandwidth refused without acting) and 5xx only for calls safe to re-send. Attempts are bounded by
    ``policy.max_attempts``; a final error answer is FINISH, so that its codes are raised.
    """
    if response is None:
        if attempt < policy.max_attempts and (call.idempotent or not_sent):
            return Decision(Action.RETRY, policy.backoff(attempt))
        return Decision(Action.GIVE_UP)
    if response.status == 401 and can_refresh_token:
        return Decision(Action.REFRESH_TOKEN)
    retryable = response.status == 429 or (response.status in RETRYABLE_STATUSES and call.idempotent)
    if retryable and attempt < policy.max_attempts:
        return Decision(Action.RETRY, policy.delay(attempt, response.status, response.headers))
    return Decision(Action.FINISH)
