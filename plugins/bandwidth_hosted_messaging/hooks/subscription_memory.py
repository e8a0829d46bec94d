"""
Remember the callback subscription a run kept, so the next run need not list the subscriptions while that
subscription is known valid (``[bandwidth] subscription_memory_hours``, default 24; 0 turns the memory off).

Known valid means all of:

- the same key: connection id, its account (API base and account id), order type, callback URL and callback
  username. Never the password, nor a hash of it: Bandwidth never echoes it, so a list cannot see a changed
  password either; what a changed password does is make our receiver refuse Bandwidth's deliveries, and a refused
  delivery is never recorded, so it can give no proof of life (below) and the next run lists, sees the refusal in
  the subscription's ``Status`` and re-sends the credentials, as it always did;
- the subscriptions were listed (or this one created or updated) less than the memory's hours ago;
- the subscription's expiry (absolute, from the seconds remaining the list gave) is still more than half the
  configured expiry away, so the renewal rule is never skipped;
- proof of life: the callback receiver recorded a callback carrying this ``SubscriptionId`` after the memory was
  last written (listed, or relied on by a run). Each run that relies on it needs a newer callback, which the
  previous run's orders normally bring.

One Airflow Variable, ``bandwidth_subscriptions`` (JSON ``{key: {"id", "checked", "expires", "since"}}``): ids,
URLs, usernames and times, no secret. The proof of life is the receiver's entry :data:`SEEN_KEY` in the asset
state store of the order type's asset (``{subscription id: epoch s}``), read through the Task SDK.

It is a cache, never the truth. A different key is never used (and listing for a key drops the other URLs and
usernames of its connection, account and order type); a failed subscription call, or a wait that its safety poll
ended although its order went final long enough before for a callback to arrive (:func:`callback_missed`), drops
every memory of the connection. What nothing but a list could show: a subscription deleted after its last
callback; the next run relies on it once, its waits end at their safety poll, which drops the memory. Failing to
read or write costs one more list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bandwidth_hosted_messaging.hooks.variable_cache import JsonVariableCache

VARIABLE = "bandwidth_subscriptions"
_CACHE = JsonVariableCache(VARIABLE, "Subscriptions known valid (a cache)")
#: The asset state store key where the callback receiver notes the last callback of each subscription.
SEEN_KEY = "bandwidth_subscriptions_seen"
#: Subscriptions noted there (the most recent callbacks win); about 60 bytes each as JSON.
SEEN_SIZE = 50
DEFAULT_HOURS = 24.0
#: A wait whose order Bandwidth last modified this long before the safety poll read it final, with no callback
#: meanwhile, counts as a callback missed.
CALLBACK_LATE_SECONDS = 60.0

log = logging.getLogger(__name__)


def memory_seconds() -> float:
    """How long a listed subscription is remembered (0: not at all)."""
    from airflow.sdk import conf

    return max(0.0, conf.getfloat("bandwidth", "subscription_memory_hours", fallback=DEFAULT_HOURS)) * 3600.0


def key(conn_id: str, account_url: str, order_type: str, url: str, username: str | None) -> str:
    return "|".join((conn_id, account_url.rstrip("/"), order_type.lower(), url.rstrip("/"), username or ""))


@dataclass(frozen=True)
class Remembered:
    """A remembered subscription: its id, when it was listed, when it expires, when the memory was last written."""

    subscription_id: str
    checked: float
    expires: float
    since: float

    def unusable(self, expiry: int, last_callback: float | None, now: float | None = None) -> str | None:
        """Why this memory must not be used (``None``: known valid); ``expiry`` is the configured one, seconds."""
        now = time.time() if now is None else now
        if now - self.checked >= memory_seconds():
            return f"listed {now - self.checked:.0f} s ago, longer than the memory keeps it"
        if self.expires - now < expiry // 2:
            return f"it expires in {self.expires - now:.0f} s, under half of {expiry} s"
        if last_callback is None or last_callback <= self.since:
            return "no callback from it since the memory was written"
        return None


def _read() -> dict[str, dict[str, Any]]:
    return {k: dict(v) for k, v in _CACHE.read().items() if isinstance(v, Mapping)}


def recall(memory_key: str) -> Remembered | None:
    """The memory of ``memory_key``, whatever its age (``None``: none, unreadable, or the memory is off)."""
    if memory_seconds() <= 0:
        return None
    entry = _read().get(memory_key) or {}
    try:
        return Remembered(str(entry["id"]), float(entry["checked"]), float(entry["expires"]), float(entry["since"]))
    except (TypeError, KeyError, ValueError):
        return None


def remember(memory_key: str, subscription_id: str, expires: float) -> None:
    """The subscriptions were just listed and ``subscription_id`` kept: drop the other URLs and usernames."""
    seconds = memory_seconds()
    if seconds <= 0:
        return
    now = time.time()
    prefix = "|".join(memory_key.split("|", 3)[:3]) + "|"  # the connection, account and order type
    data = {
        k: v for k, v in _read().items() if not k.startswith(prefix) and now - float(v.get("checked") or 0) < seconds
    }
    data[memory_key] = {"id": subscription_id, "checked": now, "expires": expires, "since": now}
    _CACHE.write(data)


def relied_on(memory_key: str, entry: Remembered) -> None:
    """A run relies on the memory: the next one needs a callback newer than now."""
    data = _read()
    data[memory_key] = {
        "id": entry.subscription_id,
        "checked": entry.checked,
        "expires": entry.expires,
        "since": time.time(),
    }
    _CACHE.write(data)


def forget(conn_id: str, why: str) -> None:
    """Drop every remembered subscription of ``conn_id``."""
    if memory_seconds() > 0 and _CACHE.forget_connection(conn_id):
        log.info("Forgot the remembered subscriptions of connection %s: %s", conn_id, why)


def callback_missed(conn_id: str, order_id: str, last_modified: str | None, now: float | None = None) -> bool:
    """
    A safety poll read ``order_id`` final and no callback came for it: when Bandwidth last modified it at least
    :data:`CALLBACK_LATE_SECONDS` before, its callback is lost or its subscription gone: forget the connection's
    subscriptions (and return ``True``). Sooner, or without a date, nothing can be concluded.
    """
    if memory_seconds() <= 0 or not last_modified:
        return False
    try:
        modified = datetime.fromisoformat(last_modified.strip()).timestamp()
    except ValueError:
        return False
    late = (time.time() if now is None else now) - modified
    if late < CALLBACK_LATE_SECONDS:
        return False
    forget(conn_id, f"order {order_id} went final {late:.0f} s before its safety poll read it, and no callback came")
    return True


def noted(stored: Any, subscription_id: str, at: float) -> dict[str, float]:
    """The receiver's :data:`SEEN_KEY` value with ``subscription_id`` called back at ``at`` (the newest kept)."""
    seen: dict[str, float] = {}
    if isinstance(stored, Mapping):
        for sub_id, when in stored.items():
            if isinstance(when, int | float):
                seen[str(sub_id)] = float(when)
    seen[subscription_id] = max(at, seen.get(subscription_id, 0.0))
    newest = sorted(seen.items(), key=lambda item: item[1])[-SEEN_SIZE:]
    return {sub_id: round(when, 3) for sub_id, when in newest}


def last_callback(asset_name: str, subscription_id: str) -> float | None:
    """When the receiver last recorded a callback of ``subscription_id`` on ``asset_name`` (from a task)."""
    from airflow.sdk.execution_time.context import AssetStateStoreAccessor

    try:
        stored = AssetStateStoreAccessor(name=asset_name).get(SEEN_KEY)
    except Exception as err:  # no asset yet, or the API is unreachable: no proof of life
        log.info("Cannot read the callbacks of subscription %s (%s)", subscription_id, type(err).__name__)
        return None
    when = stored.get(subscription_id) if isinstance(stored, Mapping) else None
    return float(when) if isinstance(when, int | float) else None
