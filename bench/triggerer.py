"""
The triggerer with 10,000 orders waited on at once (``--waiting-orders``): its memory and CPU per waiting order.

Running 10,000 mapped sensors through the executor would cost 10,000 task processes (hours on two cores) before a
single trigger ran, so the benchmark builds the state those sensors leave behind and lets the real triggerer do the
rest: the orders are created in the sandbox (and held PROCESSING), then, for a run of ``hosted_messaging_import``,
as many ``import_order.wait`` task instances are written DEFERRED, each linked to its own ``TnOrderTrigger`` row
(classpath and encrypted kwargs as ``TnOrderSensor.defer()`` writes them: the product's default 60 s poll
interval, callbacks on, ``checked_at`` the sensor's own read, here spread over one poll interval as waits deferred
at different times leave them). The DAG is paused for the phase so the scheduler leaves the run alone, and the
triggerer's ``[triggerer] capacity`` is raised above the count (its default is 1,000 triggers). The triggerer picks
the triggers up in its usual batches, instantiates them and polls the sandbox; the benchmark waits until every
order has been read once, then samples the triggerer's process tree (RSS and PSS, /proc; CPU as utime + stime over
the window) for a window of one poll interval.

Per waiting order: the growth over the idle triggerer (sampled before) of the whole tree (supervisor, trigger
runner, log server) and of the trigger runner alone (the process that holds the triggers), divided by the count.
The triggerer is restarted first, so what earlier phases left in its heap does not hide part of the growth, and
runs then removes 20 waits before its idle sample, so its one-off costs (the first trigger's imports, the first
connection fetched) are not counted as growth per wait.

Airflow's floor: then, in a triggerer restarted again, the same count of deferred task instances, each on the
standard provider's ``DateTimeTrigger`` (no HTTP, no state of ours), measured the same way once the tree stops
growing, over a 30 s window (nothing of theirs polls). What a waiting task
costs the triggerer whatever its trigger; ours above it is what our trigger adds.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.airflow import SandboxAdmin, tree_figures
from bench.common import ACCOUNT_ID, PASSWORD, PYTHON, ROOT, USERNAME, log, numbers
from bench.sequential import _order_xml
from bench.walltime import DAG_ID, WAIT_TASK, import_conf

POLL_INTERVAL = 60.0
WAITING_ORDERS = 10_000
#: Memory per waiting order, KB: the tree's RSS growth over the idle triggerer, per wait.
TARGET_KB_PER_WAIT = 10.0


def create_orders(sandbox_url: str, count: int, npa: int) -> list[str]:
    """``count`` one-number import orders, created through the API (Basic auth), 8 at a time."""
    url = f"{sandbox_url}/api/accounts/{ACCOUNT_ID}/importTnOrders"
    session = requests.Session()
    session.auth = (USERNAME, PASSWORD)
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=8))

    def one(item: tuple[int, str]) -> str:
        index, number = item
        resp = session.post(
            url, data=_order_xml(f"trig-{index}", [number]), headers={"Content-Type": "application/xml"}, timeout=60
        )
        resp.raise_for_status()
        text = resp.text
        return text.split("<OrderId>", 1)[1].split("</OrderId>", 1)[0]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, enumerate(numbers(npa, count))))


INSERT = r"""
import json, sys, time
from sqlalchemy import select
from airflow.models.dag_version import DagVersion
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.models.taskinstance import TaskInstance
from airflow.models.trigger import Trigger
from airflow.utils.session import create_session
from airflow.utils.state import TaskInstanceState
from bandwidth_hosted_messaging.triggers.order import TnOrderTrigger

args = json.loads(sys.stdin.read())
def trigger_for(order_id, index, now, deadline, count, poll):
    if args["kind"] == "baseline":  # Airflow's own: the standard provider's DateTimeTrigger, a day away
        import datetime
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger
        return DateTimeTrigger(moment=datetime.datetime.fromtimestamp(now + 86400, datetime.timezone.utc))
    # as TnOrderSensor.defer() writes it; the sensors' own reads spread over one poll interval
    return TnOrderTrigger(order_id=order_id, bandwidth_conn_id="bandwidth_default", deadline=deadline,
                          poll_interval=poll, order_kind="import", checked_at=now - poll * index / count,
                          wake_on_callback=True, end_from_trigger=True)
with create_session() as session:
    run = session.scalar(select(DagRun).where(DagRun.dag_id == args["dag_id"], DagRun.run_id == args["run_id"]))
    version = DagVersion.get_latest_version(args["dag_id"], session=session)
    task = SerializedDagModel.get_dag(args["dag_id"], session=session).get_task(args["task_id"])
    now = time.time()
    deadline = now + 7 * 24 * 3600
    count, poll = len(args["order_ids"]), args["poll_interval"]
    for index, order_id in enumerate(args["order_ids"]):
        trigger = Trigger.from_object(trigger_for(order_id, index, now, deadline, count, poll))
        session.add(trigger)
        session.flush()
        ti = TaskInstance(task, dag_version_id=version.id, run_id=run.run_id, map_index=index, state=TaskInstanceState.DEFERRED)
        ti.try_number = 1
        ti.trigger_id = trigger.id
        ti.next_method = "execute_complete"
        ti.next_kwargs = {}
        session.add(ti)
print(json.dumps({"inserted": len(args["order_ids"])}))
"""


#: Remove the phase's deferred task instances and every trigger (the triggerer cancels what it was running).
CLEAR = r"""
import json, sys
from sqlalchemy import delete
from airflow.models.taskinstance import TaskInstance
from airflow.models.trigger import Trigger
from airflow.utils.session import create_session

args = json.loads(sys.stdin.read())
with create_session() as session:
    tis = session.execute(delete(TaskInstance).where(TaskInstance.dag_id == args["dag_id"],
                          TaskInstance.run_id == args["run_id"], TaskInstance.task_id == args["task_id"]))
    triggers = session.execute(delete(Trigger))
print(json.dumps({"task_instances": tis.rowcount, "triggers": triggers.rowcount}))
"""

#: Triggers a triggerer has taken (``trigger.triggerer_id`` set).
ASSIGNED = r"""
from sqlalchemy import func, select
from airflow.models.trigger import Trigger
from airflow.utils.session import create_session
with create_session() as session:
    print(session.scalar(select(func.count()).select_from(Trigger).where(Trigger.triggerer_id.is_not(None))))
"""


def _sample(pid: int) -> dict[str, float]:
    return tree_figures(pid)


def _waits(run_id: str) -> dict[str, str]:
    """The phase's deferred task instances: the wait task of ``run_id`` (for INSERT and CLEAR)."""
    return {"dag_id": DAG_ID, "run_id": run_id, "task_id": WAIT_TASK}


def _wait_taken(af: Any, count: int, deadline: float) -> None:
    """Until the triggerer has taken ``count`` triggers (``ASSIGNED``); past ``deadline`` (monotonic), raise."""
    while int(_python(af, ASSIGNED)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the triggerer took fewer than {count} triggers in time")
        af.check_alive()
        time.sleep(2)


def _python(af: Any, code: str, stdin: dict[str, Any] | None = None) -> str:
    """``code`` in a fresh interpreter with the deployment's environment (its database); its stdout."""
    out = subprocess.run(
        [PYTHON, "-c", code],
        input=json.dumps(stdin or {}),  # on stdin: 10,000 order ids overflow an argument list
        env=af.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"a database step of the triggerer phase failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def _idle(pid: int, seconds: float = 10.0) -> dict[str, Any]:
    """The triggerer's tree with nothing to run: RSS, PSS and CPU over ``seconds``."""
    before = _sample(pid)
    time.sleep(seconds)
    after = tree_figures(pid, detail=True)
    r = runner(after, pid)
    return {
        "rss_mb": round(after["rss_mb"], 1),
        "pss_mb": round(after["pss_mb"], 1),
        "cpu_percent": round(100 * (after["cpu_seconds"] - before["cpu_seconds"]) / seconds, 1),
        "runner_rss_mb": r["rss_mb"],
        "runner_pss_mb": r["pss_mb"],
        "processes": after["per_process"],
    }


def _restart_triggerer(af: Any) -> int:
    """A fresh triggerer (SIGTERM, then the same command): its memory starts from idle again. Its new pid."""
    af.restart("triggerer", signal.SIGTERM)
    pid = af.procs["triggerer"].pid
    deadline = time.monotonic() + 120
    while not any(
        "triggerer" in p["command"] and p["pid"] != pid for p in tree_figures(pid, detail=True)["per_process"]
    ):
        if time.monotonic() > deadline:
            raise TimeoutError("the restarted triggerer started no trigger runner in 120 s")
        af.check_alive()
        time.sleep(1)
    time.sleep(15)  # its start-up imports and first heartbeats settle
    return pid


#: Waits run, then removed, in a fresh triggerer before its idle sample: its one-off costs (the imports a first
#: trigger brings, the first connection fetched, the first log file) are then part of the idle figure, not of the
#: growth per wait.
WARM_UP_WAITS = 20


def _fresh_warm_triggerer(
    af: Any, run_id: str, kind: str, ids: list[str], poll_interval: float, admin: SandboxAdmin | None = None
) -> int:
    """Restart the triggerer, run ``ids``' waits of ``kind`` until one read its order (or 10 s), remove them."""
    pid = _restart_triggerer(af)
    _python(af, INSERT, {**_waits(run_id), "order_ids": ids, "poll_interval": poll_interval, "kind": kind})
    deadline = time.monotonic() + 120 + 1.2 * poll_interval
    _wait_taken(af, len(ids), deadline)
    if admin is None:
        time.sleep(10)
    else:
        wanted = set(ids)
        while time.monotonic() < deadline and not any(
            e["endpoint"] == "importTnOrders.get" and e["path"].rsplit("/", 1)[-1] in wanted for e in admin.requests()
        ):
            time.sleep(2)
    _python(af, CLEAR, _waits(run_id))
    time.sleep(10)  # the triggerer cancels the removed triggers
    return pid


def airflow_floor(af: Any, run_id: str, count: int, window: float = 30.0) -> dict[str, Any]:
    """
    Airflow's own cost of a waiting task: the same count of deferred task instances, each on the standard
    provider's ``DateTimeTrigger`` (a day away; no HTTP, no state), in a fresh triggerer, measured as ours are.
    """
    started = time.monotonic()
    pid = _fresh_warm_triggerer(af, run_id, "baseline", [f"warm-{i}" for i in range(WARM_UP_WAITS)], POLL_INTERVAL)
    idle = _idle(pid)
    ids = [f"baseline-{i}" for i in range(count)]
    _python(af, INSERT, {**_waits(run_id), "order_ids": ids, "poll_interval": POLL_INTERVAL, "kind": "baseline"})
    deadline = time.monotonic() + 240 + 0.06 * count
    _wait_taken(af, count, deadline)
    previous = _sample(pid)["rss_mb"]
    while True:  # the triggers are taken in batches, then created: wait until the tree stops growing
        time.sleep(5)
        now = _sample(pid)["rss_mb"]
        if now - previous < 0.5 or time.monotonic() > deadline:
            break
        previous = now
    first = tree_figures(pid, detail=True)
    t = time.monotonic()
    rss = [first["rss_mb"]]
    while time.monotonic() - t < window:
        time.sleep(5)
        rss.append(_sample(pid)["rss_mb"])
    last = tree_figures(pid, detail=True)
    elapsed = time.monotonic() - t
    last_runner = runner(last, pid)
    cleared = json.loads(_python(af, CLEAR, _waits(run_id)))
    return {
        "trigger": "airflow.providers.standard.triggers.temporal.DateTimeTrigger",
        "waits": count,
        "idle": idle,
        "rss_mb": round(max(rss + [last["rss_mb"]]), 1),
        "runner_rss_mb": last_runner["rss_mb"],
        "rss_per_wait_kb": per_wait_kb(max(rss + [last["rss_mb"]]), idle["rss_mb"], count),
        "runner_rss_per_wait_kb": per_wait_kb(last_runner["rss_mb"], idle["runner_rss_mb"], count),
        "cpu_percent": round(100 * (last["cpu_seconds"] - first["cpu_seconds"]) / elapsed, 1),
        "cleared": cleared,
        "seconds": round(time.monotonic() - started, 1),
    }


def runner(figures: dict[str, Any], root: int) -> dict[str, Any]:
    """The trigger runner: the triggerer's child that runs the triggers (the log server is ``airflow serve-logs``)."""
    children = [p for p in figures["per_process"] if p["pid"] != root and "triggerer" in p["command"]]
    return max(children, key=lambda p: p["rss_mb"], default={"rss_mb": 0.0, "pss_mb": 0.0, "cpu_seconds": 0.0})


def per_wait_kb(now_mb: float, idle_mb: float, count: int) -> float:
    return round(1024 * (now_mb - idle_mb) / count, 1) if count else 0.0


def measure(
    af: Any,
    admin: SandboxAdmin,
    *,
    count: int = WAITING_ORDERS,
    npa: int = 501,
    poll_interval: float = POLL_INTERVAL,
    window: float | None = None,
    floor: bool = True,
) -> dict[str, Any]:
    """
    Put ``count`` orders in the triggerer's hands and measure it while they wait; then, with ``floor``, the same
    count of Airflow's own ``DateTimeTrigger`` waits (:func:`airflow_floor`). Each from a fresh triggerer.
    """
    window = poll_interval + 5 if window is None else window
    started = time.monotonic()
    t = time.monotonic()
    order_ids = create_orders(af.sandbox_url, count + WARM_UP_WAITS, npa)
    with ThreadPoolExecutor(8) as pool:  # held open through the phase (the sandbox's config stays as it is)
        list(pool.map(lambda oid: admin.force_status(oid, "PROCESSING"), order_ids))
    warm_ids, order_ids = order_ids[:WARM_UP_WAITS], order_ids[WARM_UP_WAITS:]
    create_seconds = time.monotonic() - t
    af.api("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": True})
    conf = import_conf(numbers(npa, 1), prefix="trig", chunk_size=1000, poll_interval=poll_interval, grace_period=0)
    run_id = af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}).json()[
        "dag_run_id"
    ]
    # what earlier phases left in its heap would hide part of the growth; a warm-up takes its one-off costs
    pid = _fresh_warm_triggerer(af, run_id, "bandwidth", warm_ids, poll_interval, admin)
    idle = _idle(pid)
    admin.clear_requests()
    t = time.monotonic()
    _python(af, INSERT, {**_waits(run_id), "order_ids": order_ids, "poll_interval": poll_interval, "kind": "bandwidth"})
    inserted_at = time.monotonic()
    insert_seconds = inserted_at - t
    log(
        f"triggerer: {count} deferred waits inserted in {insert_seconds:.1f}s; waiting for the triggerer to read every order"
    )
    wanted = set(order_ids)
    seen: set[str] = set()
    peak_rss = 0.0
    # the first reads come up to 1.1 poll intervals after insertion; building 10,000 triggers takes a while too
    ramp_timeout = 240 + 0.06 * count + 1.2 * poll_interval
    logged = time.monotonic()
    while len(seen) < len(wanted):
        af.check_alive()
        if time.monotonic() - inserted_at > ramp_timeout:
            raise TimeoutError(f"the triggerer read {len(seen)} of {count} orders in {ramp_timeout:.0f}s")
        if time.monotonic() - logged > 30:
            log(f"triggerer: {len(seen)} of {count} orders read so far")
            logged = time.monotonic()
        time.sleep(max(2.0, count / 1000))  # the whole request log each time: less often for 10,000 waits
        peak_rss = max(peak_rss, _sample(pid)["rss_mb"])
        seen |= {e["path"].rsplit("/", 1)[-1] for e in admin.requests() if e["endpoint"] == "importTnOrders.get"}
    ramp_seconds = time.monotonic() - inserted_at
    log(f"triggerer: all {count} orders polled {ramp_seconds:.0f}s after insertion; measuring for {window:.0f}s")
    admin.clear_requests()
    first = tree_figures(pid, detail=True)
    window_started = time.monotonic()
    rss_samples, pss_samples = [first["rss_mb"]], [first["pss_mb"]]
    while time.monotonic() - window_started < window:
        time.sleep(5)
        s = _sample(pid)
        rss_samples.append(s["rss_mb"])
        pss_samples.append(s["pss_mb"])
    last = tree_figures(pid, detail=True)
    elapsed = time.monotonic() - window_started
    polls = [e for e in admin.requests() if e["endpoint"] == "importTnOrders.get"]
    errors = [e for e in polls if e.get("status") != 200]
    tis = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=1&state=deferred").json()
    running = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=1&state=running").json()
    first_runner, last_runner = runner(first, pid), runner(last, pid)
    rss_peak = max(rss_samples + [last["rss_mb"]])
    measured_seconds = time.monotonic() - started
    _python(af, CLEAR, _waits(run_id))
    floor_figures = airflow_floor(af, run_id, count) if floor else None
    ours_kb = per_wait_kb(rss_peak, idle["rss_mb"], count)
    ours_runner_kb = per_wait_kb(last_runner["rss_mb"], idle["runner_rss_mb"], count)
    return {
        "waiting_orders": count,
        "poll_interval": poll_interval,
        "deferred_task_instances": tis["total_entries"],
        "running_task_instances": running["total_entries"],
        "idle": idle,
        "rss_mb": round(rss_peak, 1),
        "rss_mb_median": round(sorted(rss_samples)[len(rss_samples) // 2], 1),
        "pss_mb": round(max(pss_samples + [last["pss_mb"]]), 1),
        "runner_rss_mb": last_runner["rss_mb"],
        "runner_pss_mb": last_runner["pss_mb"],
        "rss_mb_peak_during_start": round(max(peak_rss, max(rss_samples)), 1),
        "rss_per_waiting_order_kb": ours_kb,
        "pss_per_waiting_order_kb": per_wait_kb(max(pss_samples + [last["pss_mb"]]), idle["pss_mb"], count),
        "runner_rss_per_waiting_order_kb": ours_runner_kb,
        "airflow_floor": floor_figures,
        "above_airflow_floor_kb_per_wait": (
            None if floor_figures is None else round(ours_kb - floor_figures["rss_per_wait_kb"], 1)
        ),
        "runner_above_airflow_floor_kb_per_wait": (
            None if floor_figures is None else round(ours_runner_kb - floor_figures["runner_rss_per_wait_kb"], 1)
        ),
        "runner_pss_per_waiting_order_kb": per_wait_kb(last_runner["pss_mb"], idle["runner_pss_mb"], count),
        "target_kb_per_wait": TARGET_KB_PER_WAIT,
        "cpu_percent": round(100 * (last["cpu_seconds"] - first["cpu_seconds"]) / elapsed, 1),
        "runner_cpu_percent": round(
            100 * (last_runner.get("cpu_seconds", 0.0) - first_runner.get("cpu_seconds", 0.0)) / elapsed, 1
        ),
        "processes": last["per_process"],
        "window_seconds": round(elapsed, 1),
        "polls_in_window": len(polls),
        "poll_errors_in_window": len(errors),
        "seconds": {
            "create_orders": round(create_seconds, 1),
            "insert": round(insert_seconds, 1),
            "triggerer_start_all": round(ramp_seconds, 1),
            "ours": round(measured_seconds, 1),
            "total": round(time.monotonic() - started, 1),
        },
        "run_id": run_id,
    }


if __name__ == "__main__":  # pragma: no cover - used through bench.run
    sys.exit("run it through: python -m bench.run")
