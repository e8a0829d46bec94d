"""
Remember, for a day, that a connection's site and SIP peer passed the check, so a run need not read them again
(``[bandwidth] site_check_memory_hours``, default 24; 0 turns the memory off).

One Airflow Variable, ``bandwidth_site_checks`` (JSON ``{"<conn>|<site>|<peer>": <expires at, epoch s>}``): it
holds no secret, only ids. It is a cache, never the truth: an order of the connection that fails, or an order
Bandwidth refuses, drops every memory of that connection at once, so the next run checks again. Two runs writing
at once may lose one entry: the cost is one more check.
"""

from __future__ import annotations

import logging
import time

from bandwidth_hosted_messaging.hooks.variable_cache import JsonVariableCache

VARIABLE = "bandwidth_site_checks"
DEFAULT_HOURS = 24.0
_CACHE = JsonVariableCache(VARIABLE, "Site checks passed (a cache)")


def memory_seconds() -> float:
    """How long a passed check is remembered (0: not at all)."""
    from airflow.sdk import conf

    return max(0.0, conf.getfloat("bandwidth", "site_check_memory_hours", fallback=DEFAULT_HOURS)) * 3600.0


log = logging.getLogger(__name__)


def _key(conn_id: str, site_id: str, sip_peer_id: str | None) -> str:
    return f"{conn_id}|{site_id}|{sip_peer_id or 'default'}"


def _read() -> dict[str, float]:
    data = _CACHE.read()
    try:
        return {k: float(v) for k, v in data.items()}
    except (TypeError, ValueError):
        return {}


def _write(data: dict[str, float]) -> None:
    now = time.time()
    _CACHE.write({k: v for k, v in data.items() if v > now})


def remembered(conn_id: str, site_id: str, sip_peer_id: str | None) -> bool:
    """The check of this site and SIP peer on this connection passed less than a day ago."""
    if memory_seconds() <= 0:
        return False
    return _read().get(_key(conn_id, site_id, sip_peer_id), 0.0) > time.time()


def remember(conn_id: str, site_id: str, sip_peer_id: str | None) -> None:
    seconds = memory_seconds()
    if seconds <= 0:
        return
    data = _read()
    data[_key(conn_id, site_id, sip_peer_id)] = time.time() + seconds
    _write(data)


def forget(conn_id: str) -> None:
    """Drop every remembered check of ``conn_id`` (an order failed: its site may be why)."""
    if memory_seconds() > 0 and _CACHE.forget_connection(conn_id):
        log.info("Forgot the remembered site checks of connection %s", conn_id)
