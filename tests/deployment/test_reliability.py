"""
Crashes on real components (scheduler, triggerer, LocalExecutor, SQLite, the sandbox as processes): a task
process killed after Bandwidth created its order, and the triggerer killed while it waits on orders.
Nothing is lost and nothing is ordered twice.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.deployment.helpers import ROOT, held_orders_airflow, running

pytestmark = pytest.mark.integration

DAG_ID = "hosted_messaging_import"
RUN_TIMEOUT = 150


def conf(numbers, prefix):
    return {
        "numbers": numbers,
        "subscriber_name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        "loa_authorizing_person": "Jane Doe",
        "site_id": "14413",
        "customer_order_id_prefix": prefix,
        "loa_file": str(ROOT / "include" / "loa" / "sample-loa.pdf"),
        "chunk_size": 1,
        "poll_interval": 1,
        "grace_period": 30,
    }


@pytest.fixture(scope="module")
def local_airflow(tmp_path_factory, airflow_db_template):
    af = held_orders_airflow(
        tmp_path_factory.mktemp("airflow-home"),
        airflow_db_template,
        # a killed triggerer's triggers go to the next one once it has missed its heartbeats this long
        AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD="6",
        # a task whose worker died is failed (and retried) once it has missed its heartbeats this long
        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="10",
        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="2",
    )
    with running(af, timeout=150):
        yield af


def sandbox(af, method, path, **kwargs):
    resp = requests.request(method, f"{af.sandbox_url}/_sandbox/{path}", timeout=30, **kwargs)
    resp.raise_for_status()
    return resp.json() if resp.content else None


def trigger(af, body):
    return af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": body}).json()[
        "dag_run_id"
    ]


def task_instances(af, run_id):
    return af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]


def wait_for(af, what, condition, timeout=RUN_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        af.check_alive()
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def run_state(af, run_id):
    state = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
    return state if state in ("success", "failed") else None


def complete_all_orders(af):
    for order in sandbox(af, "GET", "orders"):
        if order["status"] not in ("COMPLETE", "PARTIAL", "FAILED", "EXCEPTION"):
            sandbox(af, "POST", f"orders/{order['order_id']}/status", json={"status": "COMPLETE"})


def task_processes(ti_id: str) -> list[int]:
    """PIDs of the processes running a task instance (the task runner titles itself with the TI id)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if ti_id in cmdline:
                pids.append(int(proc.name))
    return pids


def test_task_killed_after_bandwidth_created_its_order_reuses_it_on_retry(local_airflow):
    af = local_airflow
    sandbox(af, "DELETE", "requests")
    # Bandwidth acts on the create at once but its answer takes 60 s: the task dies in that window.
    sandbox(
        af,
        "POST",
        "faults",
        json=[
            {
                "kind": "slow_response",
                "path": "importTnOrders(/messaging)?$",
                "method": "POST",
                "count": 1,
                "seconds": 60,
            }
        ],
    )
    run_id = trigger(af, conf(["3032281100"], "kill"))

    def created():
        return [r for r in sandbox(af, "GET", "requests") if r["endpoint"] == "importTnOrders.create"]

    wait_for(af, "the order to be created", created)
    ti = next(t for t in task_instances(af, run_id) if t["task_id"] == "import_order.create")
    pids = wait_for(af, "the task's process", lambda: task_processes(ti["id"]))
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    wait_for(
        af,
        "the order wait",
        lambda: any(
            t["task_id"] == "import_order.wait" and t["state"] in ("deferred", "success")
            for t in task_instances(af, run_id)
        ),
    )
    complete_all_orders(af)
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id)) == "success"
    create = next(t for t in task_instances(af, run_id) if t["task_id"] == "import_order.create")
    assert create["try_number"] >= 2, "the killed try was not retried"
    assert len(created()) == 1, "a retry created a second order"
    assert len([o for o in sandbox(af, "GET", "orders") if "kill-" in (o.get("customer_order_id") or "")]) == 1


def test_triggerer_killed_while_waiting_the_next_one_resumes_and_the_run_completes(local_airflow):
    af = local_airflow
    sandbox(af, "DELETE", "faults")
    run_id = trigger(af, conf(["3032281200", "3032281201"], "trig"))

    def both_deferred():
        waits = [t for t in task_instances(af, run_id) if t["task_id"] == "import_order.wait" and t["map_index"] >= 0]
        return len(waits) == 2 and all(t["state"] == "deferred" for t in waits)

    wait_for(af, "both waits to be deferred", both_deferred)
    af.restart("triggerer")  # SIGKILL: a crash, then a new triggerer process
    time.sleep(8)  # past the old triggerer's health threshold: its triggers are up for grabs
    complete_all_orders(af)
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id)) == "success"
    waits = [t for t in task_instances(af, run_id) if t["task_id"] == "import_order.wait"]
    assert all(t["state"] == "success" and t["try_number"] == 1 for t in waits), waits
