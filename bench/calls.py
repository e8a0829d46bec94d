"""
API calls of one pipeline run, per endpoint, against the minimum for its batch.

The minimum (what any client must send for the batch, polls apart): one ``importTnChecker`` call per
5,000 numbers, one order per chunk, one LOA upload per order that went through, the in-service pages
needed to see the numbers to verify, and one status read per order. In-service pages: reading the
account's whole in-service list (500 a page, the size the flow asks for; the contract publishes no
maximum), the list filtered by each NPA-NXX exchange of the numbers (each at least as long as the exchange's
numbers to verify), or one look-up per number, whichever is fewest, with the list as large as it was when the
run verified. The first status read of each order counts towards the minimum; every further read is a poll,
counted apart and checked against the poll schedule (at most ``2 + ceil(wait / (0.9 × poll_interval))`` per order: the sensor's own read, the
trigger's first, then one per interval with its ±10 % jitter).

Callbacks and the site check. A run that relies on Bandwidth's callbacks must know its subscription is there
when it orders: Bandwidth never tells a client that a subscription was deleted or ran out, and an order made
without one loses every callback (its wait then ends only at the safety poll). So the minimum counts one read of
the subscriptions per run with callbacks, except when the subscription the previous run kept has called back since
that run's subscription step (then it is known to be there, as ``hooks.subscription_memory`` has it; the sandbox's
delivery log is the evidence, and lost callbacks leave none). Once per connection, on its first run, the minimum also counts the
setup any client following the contract makes: the site and SIP-peer check before the first order (the
contract's advice) and the creation of the subscription. A later run that checks the site again, or that lists
the subscriptions more than once, pays extras. OAuth2 token requests go to the identity service, not the
rate-limited Numbers API: they are counted and shown, and kept out of the ratio.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from typing import Any

from bench.common import parse_time

CHECKER_MAX = 5000
PAGE_SIZE = 500
POLL = "importTnOrders.get"
TOKEN = "token"
TARGET_RATIO = 1.1


def minimum(
    size: int,
    orders: list[dict[str, Any]],
    in_service_at_verify: int,
    to_verify: int,
    *,
    callbacks: bool = False,
    first_run: bool = False,
    subscription_known: bool = False,
    exchange_pages: int | None = None,
) -> dict[str, int]:
    """
    The minimum calls for the batch, by kind.

    :param callbacks: the run relies on Bandwidth's callbacks: one read of the subscriptions, unless
        ``subscription_known``.
    :param first_run: the first run of the connection: the site and SIP-peer check, and (with callbacks) the
        subscription's creation.
    :param subscription_known: the subscription kept by the previous run has called back since
        (``walltime.subscription_known``): it is known to be there, and reading it again is not required.
    :param exchange_pages: the fewest pages of the in-service list filtered by the numbers' NPA-NXX exchanges
        (``walltime.exchange_pages``), a third way to see them.
    """
    through = [o for o in orders if o["status"] in ("COMPLETE", "PARTIAL")]
    pages = max(1, math.ceil(in_service_at_verify / PAGE_SIZE))
    out = {
        "importTnChecker": math.ceil(size / CHECKER_MAX),
        "importTnOrders.create": len(orders),
        "loas.upload": len(through),
        "inserviceNumbers": max(1, min(pages, to_verify, exchange_pages or pages)),
        "status_reads": len(orders),
    }
    if callbacks and not subscription_known:
        out["subscriptions.list"] = 1
    if first_run:
        out |= {"sites.get": 1, "sippeers.list": 1}
        if callbacks:
            out["subscriptions.create"] = 1
    return out


def poll_bound(order: dict[str, Any], gets: list[float], poll_interval: float) -> int:
    """Most status reads the schedule allows for one order: from its first read to its final status."""
    final = parse_time(order.get("final_at"))
    if not gets or final is None:
        return 0
    wait = max(0.0, final - gets[0])
    return 2 + math.ceil(wait / (0.9 * poll_interval))


def analyse(run: dict[str, Any]) -> dict[str, Any]:
    """Per-endpoint counts, the minimum, the ratio, tokens and polls of one run (from ``walltime.run_batch``)."""
    entries = run["requests"]
    by_endpoint = Counter(e["endpoint"] for e in entries)
    orders = run["orders"]
    order_ids = {o["order_id"] for o in orders}
    gets: dict[str, list[float]] = {oid: [] for oid in order_ids}
    for e in entries:
        if e["endpoint"] == POLL:
            oid = e["path"].rstrip("/").rsplit("/", 1)[-1]
            if oid in gets:
                gets[oid].append(parse_time(e["time"]))
    for times in gets.values():
        times.sort()
    lists = sorted(parse_time(e["time"]) for e in entries if e["endpoint"] == "inserviceNumbers.list")
    singles = by_endpoint.get("inserviceNumbers.get", 0)
    first_verify = (
        lists[0]
        if lists
        else min((parse_time(e["time"]) for e in entries if e["endpoint"] == "inserviceNumbers.get"), default=None)
    )
    timeline = run["in_service_timeline"]
    in_service_then = bisect.bisect_right(timeline, first_verify) if first_verify is not None else 0
    to_verify = run["numbers_to_verify"]
    mins = minimum(
        run["size"],
        orders,
        in_service_then,
        to_verify,
        callbacks=bool(run.get("callbacks")),
        first_run=bool(run.get("first_run_of_connection")),
        subscription_known=bool(run.get("subscription_known")),
        exchange_pages=run.get("exchange_pages_to_verify"),
    )
    polls = by_endpoint.get(POLL, 0)
    tokens = by_endpoint.get(TOKEN, 0)
    api_calls = sum(by_endpoint.values()) - tokens
    # The first status read of each order is the one the minimum counts; every further read is a poll.
    status_reads = sum(1 for times in gets.values() if times)
    counted = api_calls - polls + status_reads
    minimum_total = sum(mins.values())
    bounds = {o["order_id"]: poll_bound(o, gets[o["order_id"]], run["poll_interval"]) for o in orders}
    per_order = [
        {"order_id": oid, "reads": len(gets[oid]), "bound": bounds[oid]}
        for oid in sorted(order_ids, key=lambda x: gets[x][0] if gets[x] else 0.0)
    ]
    extras = {
        k: by_endpoint.get(k, 0) - mins.get(k, 0)
        for k in (
            "sites.get",
            "sippeers.list",
            "subscriptions.list",
            "subscriptions.create",
            "subscriptions.update",
            "importTnOrders.list",
            "loas.list",
        )
    }
    return {
        "by_endpoint": dict(sorted(by_endpoint.items())),
        "total": sum(by_endpoint.values()),
        "api_calls_excluding_tokens": api_calls,
        "calls_excluding_polls": counted,
        "token_calls": tokens,
        "minimum": mins,
        "minimum_total": minimum_total,
        "ratio": round(counted / minimum_total, 3) if minimum_total else None,
        "ratio_with_tokens": round((counted + tokens) / minimum_total, 3) if minimum_total else None,
        "extras": {k: v for k, v in extras.items() if v > 0},
        "in_service_pages_read": len(lists),
        "in_service_single_reads": singles,
        "in_service_list_size_at_verify": in_service_then,
        "numbers_to_verify": to_verify,
        "polls": polls - status_reads,
        "status_reads": polls,
        "reads_per_order": per_order,
        "polls_within_schedule": all(p["reads"] <= p["bound"] for p in per_order),
        "max_reads_per_order": max((p["reads"] for p in per_order), default=0),
    }
