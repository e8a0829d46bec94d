"""
One import batch through the real components: trigger ``hosted_messaging_import`` through the REST API as
the UI does, watch its task instances until the run ends, and collect what the other measurements need:
the wall time from the trigger to the end of ``report``, the sandbox's own processing time of the same
orders (the floor), the worker slots the order waits held, and the sandbox's request log of the run.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench import startcost
from bench.airflow import SandboxAdmin, components_cpu
from bench.common import (
    CHECKER_REJECT_SUFFIXES,
    LOA_FILE,
    SITE_ID,
    SUBSCRIBER,
    log,
    numbers,
    order_failures,
    parse_time,
)

DAG_ID = "hosted_messaging_import"
WAIT_TASK = "import_order.wait"
SUBSCRIBE_TASK = "ensure_subscription"
#: A wait task running this long without a break holds a worker slot while waiting (execute() only reads
#: the order once and defers; resuming only turns the trigger's event into the result).
HOLDING_SECONDS = 10.0
SAMPLE_SECONDS = 2.0
FINISHED = ("success", "failed", "upstream_failed", "skipped")


def import_conf(
    batch: list[str], *, prefix: str, chunk_size: int, poll_interval: float, grace_period: float
) -> dict[str, Any]:
    """Every Param of the UI form."""
    return {
        "numbers": batch,
        **SUBSCRIBER,
        "site_id": SITE_ID,
        "sip_peer_id": None,
        "loa_file": str(LOA_FILE),
        "rejection_policy": "skip",
        "customer_order_id_prefix": prefix,
        "chunk_size": chunk_size,
        "poll_interval": poll_interval,
        "grace_period": grace_period,
    }


def _tis(af: Any, run_id: str) -> list[dict[str, Any]]:
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=1000"
    return af.api("GET", path).json()["task_instances"]


def run_prefix(size: int, npa: int) -> str:
    """The CustomerOrderId prefix of a run of ``size`` numbers from ``npa``: unique per run, its orders are found by
    it (``PREFIX-...``)."""
    return f"b{size}-{npa}"


def orders_of_run(admin: SandboxAdmin, prefix: str) -> list[dict[str, Any]]:
    """The sandbox's orders of the run whose CustomerOrderIds start with ``prefix`` (:func:`run_prefix`)."""
    return [o for o in admin.orders() if (o.get("customer_order_id") or "").startswith(f"{prefix}-")]


def run_batch(
    af: Any,
    admin: SandboxAdmin,
    size: int,
    *,
    npa: int,
    chunk_size: int,
    poll_interval: float,
    timeout: float = 420.0,
    seed_failures: bool = True,
    first_run: bool = False,
    on_sample: Callable[[list[dict[str, Any]]], None] | None = None,
) -> dict[str, Any]:
    """
    Import ``size`` numbers; return the run's figures and its part of the sandbox's request log.

    ``seed_failures`` makes 1 % of the numbers of every third order fail inside it (those orders end PARTIAL).
    ``first_run``: the first run on this Airflow's Bandwidth connection (it checks the site and creates the
    callback subscription; :mod:`bench.calls` counts those in its minimum). A later run lists the subscriptions
    unless :func:`subscription_known` (also in the minimum). ``on_sample`` is called with the run's task instances
    at every sample.
    """
    batch = numbers(npa, size)
    prefix = run_prefix(size, npa)
    known = not first_run and subscription_known(af, admin)
    failures = order_failures(batch, chunk_size) if seed_failures else {}
    admin.seed({"order_failures": failures})
    admin.clear_requests()
    conf = import_conf(batch, prefix=prefix, chunk_size=chunk_size, poll_interval=poll_interval, grace_period=60)
    log(f"pipeline: {size} numbers, chunk {chunk_size}, poll every {poll_interval}s")
    cpu_before = components_cpu(af)
    triggered = time.time()
    run = af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}).json()
    run_id = run["dag_run_id"]
    samples: list[tuple[float, list[dict[str, Any]]]] = []
    deadline = time.monotonic() + timeout
    while True:  # one REST call a sample: the bench must not load the api-server it measures
        af.check_alive()
        now = time.time()
        tis = _tis(af, run_id)
        samples.append(
            (now, [{"task_id": t["task_id"], "map_index": t["map_index"], "state": t["state"]} for t in tis])
        )
        if on_sample is not None:
            on_sample(tis)
        if any(t["task_id"] == "report" and t["state"] in FINISHED for t in tis):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} of {size} numbers: no report after {timeout:.0f}s")
        time.sleep(max(0.0, SAMPLE_SECONDS - (time.time() - now)))
    while (state := af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]) not in FINISHED:
        time.sleep(0.5)
    cpu_after = components_cpu(af)
    tis = _tis(af, run_id)
    by_task = {(t["task_id"], t["map_index"]): t for t in tis}
    report_ti = by_task[("report", -1)]
    report_end = parse_time(report_ti["end_date"])
    report = af.api(
        "GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/report/xcomEntries/return_value"
    ).json()["value"]
    entries = [e for e in admin.requests() if e.get("auth") == "bearer" or e.get("endpoint") == "token"]
    orders = orders_of_run(admin, prefix)
    already = [n for n in batch if any(n.endswith(s) for s, c in CHECKER_REJECT_SUFFIXES.items() if c == 19006)]
    return {
        "size": size,
        "run_id": run_id,
        "state": state,
        "chunk_size": chunk_size,
        "poll_interval": poll_interval,
        "first_run_of_connection": first_run,
        "subscription_known": known,
        # The launcher always configures the callback connection: every run relies on Bandwidth's callbacks.
        "callbacks": True,
        "triggered_at": triggered,
        "wall_seconds": round(report_end - triggered, 1),
        "report_summary": report.get("summary"),
        "seeded_order_failures": len(failures),
        # The verify step looks up the numbers the orders completed and those refused as already on Bandwidth.
        "numbers_to_verify": sum(len(o["succeeded"]) for o in orders) + len(already),
        "exchange_pages_to_verify": exchange_pages([n for o in orders for n in o["succeeded"]] + already),
        "task_states": dict(Counter(t["state"] for t in tis)),
        "task_tries": {f"{t['task_id']}[{t['map_index']}]": t["try_number"] for t in tis if t["try_number"] > 1},
        "timeline": timeline(tis, triggered),
        "start_cost": startcost.from_task_logs(af.home, DAG_ID, run_id, tis),
        "cpu_seconds": {k: round(cpu_after[k] - cpu_before.get(k, 0.0), 1) for k in cpu_after},
        "floor": floor(orders, admin.config()),
        "slots": slots(samples, poll_interval),
        "orders": orders,
        "requests": entries,
        "in_service_timeline": in_service_timeline(admin),
    }


def subscription_known(af: Any, admin: SandboxAdmin) -> bool:
    """
    Whether the run about to start need not list the subscriptions, on the bench's own evidence of what
    ``hooks.subscription_memory`` requires: the last import run's ``ensure_subscription`` succeeded (it kept or
    created the subscription, or relied on it), and since it ended the sandbox delivered an ``importtnorders``
    callback that our receiver took (HTTP 200). Its other conditions hold in a bench, which lasts hours, not the
    memory's day, on a subscription of 30 days. Lost callbacks (``drop_callbacks``) leave no such delivery.
    """
    runs = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?order_by=-start_date&limit=1").json()["dag_runs"]
    if not runs:
        return False
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{runs[0]['dag_run_id']}/taskInstances/{SUBSCRIBE_TASK}"
    ensure = af.api("GET", path).json()
    ended = parse_time(ensure.get("end_date")) if ensure.get("state") == "success" else None
    if ended is None:
        return False
    return any(
        c.get("order_type") == "importtnorders" and c.get("http_status") == 200 and (parse_time(c["time"]) or 0) > ended
        for c in admin.callbacks()
    )


def timeline(tis: list[dict[str, Any]], triggered: float) -> list[list[Any]]:
    """``[task, map_index, start, end]`` of every task instance, seconds after the trigger."""
    rows = []
    for t in tis:
        start, end = parse_time(t.get("start_date")), parse_time(t.get("end_date"))
        rows.append(
            [
                t["task_id"],
                t["map_index"],
                round(start - triggered, 1) if start else None,
                round(end - triggered, 1) if end else None,
            ]
        )
    return sorted(rows, key=lambda r: (r[2] is None, r[2] or 0.0))


def floor(orders: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """
    The sandbox's own processing time of the run's orders. They are processed side by side, so the floor
    is the longest single order (creation → final); from the config too, and the span the run gave them.
    """
    spans = [parse_time(o["final_at"]) - parse_time(o["created"]) for o in orders if o.get("final_at")]
    biggest = max((len(o["numbers"]) for o in orders), default=0)
    configured = float(config["order_seconds"]) + float(config["seconds_per_1000_numbers"]) * biggest / 1000.0
    created = [parse_time(o["created"]) for o in orders]
    finals = [parse_time(o["final_at"]) for o in orders if o.get("final_at")]
    return {
        "orders": len(orders),
        "statuses": dict(Counter(o["status"] for o in orders)),
        "floor_seconds": round(max(spans, default=0.0), 1),
        "configured_seconds": round(configured, 1),
        "first_create_to_last_final_seconds": round(max(finals) - min(created), 1) if finals else None,
        "create_spread_seconds": round(max(created) - min(created), 1) if created else None,
    }


def slots(samples: list[tuple[float, list[dict[str, Any]]]], poll_interval: float) -> dict[str, Any]:
    """
    Worker slots the order waits held. A wait task instance is ``deferred`` (in the triggerer, no slot) or
    ``running`` (a slot: reading the order and deferring, or resuming with the event). Figures: the most
    wait tasks running at once for longer than ``HOLDING_SECONDS`` (held while waiting: 0 when they defer),
    the most deferred at once, and slot-seconds running vs. deferred.
    """
    streak: dict[int, float] = {}
    held_max = deferred_max = running_max = 0
    running_s = deferred_s = 0.0
    previous = None
    for at, tis in samples:
        dt = 0.0 if previous is None else at - previous
        previous = at
        waits = {t["map_index"]: t["state"] for t in tis if t["task_id"] == WAIT_TASK and t["map_index"] >= 0}
        running = [i for i, s in waits.items() if s == "running"]
        deferred = [i for i, s in waits.items() if s == "deferred"]
        for i in list(streak):
            if i not in running:
                del streak[i]
        for i in running:
            streak.setdefault(i, at)
        held = sum(1 for i in running if at - streak[i] >= HOLDING_SECONDS)
        held_max, deferred_max, running_max = (
            max(held_max, held),
            max(deferred_max, len(deferred)),
            max(running_max, len(running)),
        )
        running_s += dt * len(running)
        deferred_s += dt * len(deferred)
    return {
        "slots_held_while_waiting": held_max,
        "max_waits_deferred_at_once": deferred_max,
        "max_waits_running_at_once": running_max,
        "wait_running_slot_seconds": round(running_s, 1),
        "wait_deferred_seconds": round(deferred_s, 1),
        "samples": len(samples),
        "holding_threshold_seconds": HOLDING_SECONDS,
    }


def exchange_pages(numbers: list[str], page_size: int = 500) -> int:
    """The fewest pages of in-service lists filtered by NPA-NXX that can show ``numbers``: one list per exchange,
    each at least as long as the exchange's numbers among them."""
    per_exchange = Counter(n[-10:-4] for n in numbers)
    return sum(math.ceil(count / page_size) for count in per_exchange.values())


def in_service_timeline(admin: SandboxAdmin) -> list[float]:
    """When each in-service number entered service (epoch seconds, sorted): the list's size at any time."""
    return sorted(float(r["since"]) for r in admin.in_service() if r.get("since") is not None)
