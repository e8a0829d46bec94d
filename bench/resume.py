"""
Resume latency of the order waits, with Bandwidth's callbacks on and with callbacks lost.

One import run per mode, through the real components, with one number per order (so ``orders`` waits):

- **callbacks**: the sandbox calls back on every status change; the safety poll is the default 900 s, so a wait
  that ends sooner was woken by its callback.
- **callbacks lost**: the sandbox drops every callback (``POST /_sandbox/callbacks/drop``) and the safety poll
  is ``lost_poll_interval``: the poll alone must end every wait.

The orders are held open (the sandbox's orders last an hour) until every wait of the run has deferred, then
completed at once (``POST /_sandbox/orders/{id}/status``): every wait is measured however slow the machine is to
reach it, and none ends at its first read.

Per order: the resume latency, from the sandbox's final status of the order (the time of its last history entry)
to the end of its wait task (a COMPLETE order ends it from the triggerer); and the reads of the order (``GET`` of
the order in the sandbox's request log: the sensor's read before it deferred, then the trigger's). Median and p95
over the orders.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from bench import walltime
from bench.airflow import SandboxAdmin
from bench.common import log, numbers, parse_time, rejected_by_checker

DAG_ID = walltime.DAG_ID
WAIT_TASK = walltime.WAIT_TASK
SAFETY_POLL = 900.0


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def wait_order_ids(af: Any, run_id: str, count: int) -> dict[int, str]:
    """map_index → order id, from each wait task's ``order_id`` XCom."""
    found = {}
    for index in range(count):
        path = f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{WAIT_TASK}/xcomEntries/order_id"
        resp = af.api("GET", path, params={"map_index": index}, check=False)
        if resp.ok:
            found[index] = resp.json()["value"]
    return found


#: How long the sandbox's orders last while a mode's run is measured: until :func:`release_when_deferred` ends them.
HOLD_SECONDS = 3600.0


def release_when_deferred(admin: SandboxAdmin, prefix: str, waits: int) -> Callable[[list[dict[str, Any]]], None]:
    """A ``run_batch`` sampler: once the ``waits`` wait tasks are all deferred (or done: a wait that failed must not
    hold the others for an hour), complete the run's open orders, once."""
    released = False

    def on_sample(tis: list[dict[str, Any]]) -> None:
        nonlocal released
        states = [t["state"] for t in tis if t["task_id"] == WAIT_TASK]
        if released or len(states) < waits or not all(s == "deferred" or s in walltime.FINISHED for s in states):
            return
        released = True
        for order in walltime.orders_of_run(admin, prefix):
            if not order["finalized"]:
                admin.force_status(order["order_id"], "COMPLETE")

    return on_sample


def final_time(order: dict[str, Any]) -> float | None:
    """When the sandbox gave the order its final status (a forced one is not at its planned ``final_at``)."""
    if not order.get("finalized") or not order.get("history"):
        return None
    return parse_time(order["history"][-1]["time"])


def one_mode(af: Any, admin: SandboxAdmin, *, orders: int, npa: int, poll_interval: float) -> dict[str, Any]:
    waits = sum(1 for n in numbers(npa, orders) if not rejected_by_checker(n))  # one number an order
    release = release_when_deferred(admin, walltime.run_prefix(orders, npa), waits)
    run = walltime.run_batch(
        af, admin, orders, npa=npa, chunk_size=1, poll_interval=poll_interval, seed_failures=False, on_sample=release
    )
    by_order = {o["order_id"]: o for o in run["orders"]}
    ends = {row[1]: row[3] for row in run["timeline"] if row[0] == WAIT_TASK}
    latencies, reads = [], []
    for index, order_id in wait_order_ids(af, run["run_id"], len(by_order)).items():
        order = by_order.get(order_id)
        final_at = final_time(order) if order else None
        if final_at is None or ends.get(index) is None:
            continue
        latencies.append(run["triggered_at"] + ends[index] - final_at)
        reads.append(
            sum(1 for r in run["requests"] if r["method"] == "GET" and r["path"].rstrip("/").endswith(order_id))
        )
    return {
        "poll_interval_seconds": poll_interval,
        "orders": len(by_order),
        "waits_measured": len(latencies),
        "run_state": run["state"],
        "wall_seconds": run["wall_seconds"],
        "resume_latency_median_seconds": round(statistics.median(latencies), 2) if latencies else None,
        "resume_latency_p95_seconds": round(p95(latencies), 2) if latencies else None,
        "resume_latency_max_seconds": round(max(latencies), 2) if latencies else None,
        "reads_per_order_median": statistics.median(reads) if reads else None,
        "reads_per_order_max": max(reads) if reads else None,
        "reads_per_order_min": min(reads) if reads else None,
    }


def measure(af: Any, admin: SandboxAdmin, *, orders: int = 10, lost_poll_interval: float = 60.0) -> dict[str, Any]:
    """Both modes, side by side, with the orders held until every wait has deferred (no other run may be ordering
    meanwhile: its orders would be held too). At most about 900 orders (a run's task instances are read 1,000 at a
    time)."""
    configured = admin.config()
    admin.seed({"config": {"order_seconds": HOLD_SECONDS}})
    try:
        return _both(af, admin, orders=orders, lost_poll_interval=lost_poll_interval)
    finally:
        admin.seed({"config": {"order_seconds": configured["order_seconds"]}})


def _both(af: Any, admin: SandboxAdmin, *, orders: int, lost_poll_interval: float) -> dict[str, Any]:
    log(f"resume: {orders} orders with callbacks (safety poll {SAFETY_POLL:.0f}s)")
    with_callbacks = one_mode(af, admin, orders=orders, npa=720, poll_interval=SAFETY_POLL)
    log(f"resume: {orders} orders with callbacks lost (safety poll {lost_poll_interval:.0f}s)")
    dropped_before = admin.drop_callbacks(True)
    try:
        lost = one_mode(af, admin, orders=orders, npa=721, poll_interval=lost_poll_interval)
    finally:
        dropped = admin.drop_callbacks(False) - dropped_before
    lost["callbacks_dropped"] = dropped
    return {"callbacks": with_callbacks, "callbacks_lost": lost}
