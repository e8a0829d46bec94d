"""
Webhook-first waits on real components (api-server with our callback receiver, scheduler, dag-processor,
triggerer, LocalExecutor, embedded SQLite, the sandbox as a process): a callback ends the wait within seconds,
with one read of the order after it; with callbacks lost, the safety poll ends it; an api-server restarted
between an order's creation and its callback still wakes the wait.

The safety poll is 900 s (the default) in the callback scenarios, and every run here must end within a few
minutes: a run that ends at all ended by its callback.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.deployment.helpers import held_orders_airflow, running
from tests.deployment.test_reliability import (
    DAG_ID,
    complete_all_orders,
    conf,
    run_state,
    sandbox,
    task_instances,
    trigger,
    wait_for,
)

pytestmark = pytest.mark.integration

RUN_TIMEOUT = 120
DEADLINE_SECONDS = 15
FINAL = ("COMPLETE", "PARTIAL", "FAILED", "EXCEPTION")


@pytest.fixture(scope="module")
def local_airflow(tmp_path_factory, airflow_db_template):
    # the Deadline Alert 15 s after a run is queued (the default is 24 h)
    af = held_orders_airflow(
        tmp_path_factory.mktemp("airflow-home"),
        airflow_db_template,
        AIRFLOW__BANDWIDTH__DEADLINE_HOURS=str(DEADLINE_SECONDS / 3600),
    )
    with running(af, timeout=150):
        yield af


def order_reads(af, order_ids):
    """GETs of each order as the sandbox logged them (the sensor's, the trigger's and any retry's)."""
    reads = dict.fromkeys(order_ids, 0)
    for entry in sandbox(af, "GET", "requests"):
        if entry["method"] != "GET":
            continue
        for order_id in order_ids:
            if entry["path"].rstrip("/").endswith(order_id):
                reads[order_id] += 1
    return reads


def open_orders(af, prefix):
    return [o for o in sandbox(af, "GET", "orders") if (o.get("customer_order_id") or "").startswith(prefix)]


def start_waiting_run(af, numbers, prefix, **fields):
    """Trigger a run and return it once its orders exist and every wait is deferred."""
    run_id = trigger(af, conf(numbers, prefix) | fields)

    def deferred():
        waits = [ti for ti in task_instances(af, run_id) if ti["task_id"].endswith(".wait")]
        return len(waits) == len(numbers) and all(ti["state"] == "deferred" for ti in waits)

    wait_for(af, "every wait deferred", deferred)
    orders = open_orders(af, prefix)
    assert len(orders) == len(numbers)
    return run_id, [o["order_id"] for o in orders]


def wait_success_times(af, run_id):
    return [ti["end_date"] for ti in task_instances(af, run_id) if ti["task_id"].endswith(".wait")]


def triggerer_log(af):
    """Every task, trigger and component log of this Airflow."""
    folders = (af.home / "logs", af.log_dir)
    return "\n".join(p.read_text(errors="replace") for f in folders for p in f.rglob("*") if p.is_file())


def test_the_home_started_from_the_sessions_migrated_database_without_migrating(local_airflow, airflow_db_template):
    assert not (local_airflow.log_dir / "db-migrate.log").exists()
    assert (local_airflow.home / "airflow.db").stat().st_size >= airflow_db_template.stat().st_size


def test_a_callback_ends_the_wait_with_one_read_after_it(local_airflow):
    af = local_airflow
    sandbox(af, "DELETE", "requests")
    run_id, order_ids = start_waiting_run(af, ["+13035550201", "+13035550202"], "cbwake", poll_interval=900)
    before = order_reads(af, order_ids)
    assert all(n == 1 for n in before.values()), before  # the sensor's one read before it deferred
    complete_all_orders(af)  # each change is notified to the callback receiver
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id), timeout=RUN_TIMEOUT) == "success"
    after = order_reads(af, order_ids)
    assert all(n == 2 for n in after.values()), after  # one read after the callback, no poll
    assert "a callback came; reading the order" in triggerer_log(af)


def test_duplicate_late_and_unknown_callbacks_change_nothing(local_airflow):
    """After the run: the same COMPLETE again, a PROCESSING after it, a callback for an order nobody waits on."""
    af = local_airflow
    order_id = open_orders(af, "cbwake")[0]["order_id"]
    url = f"{af.url}/bandwidth/callbacks"
    auth = ("bandwidth", (af.home / ".callback_password").read_text().strip())
    for oid, status in ((order_id, "COMPLETE"), (order_id, "PROCESSING"), ("no-such-order-7f3e", "COMPLETE")):
        body = (
            '<?xml version="1.0"?><Notification><SubscriptionId>s</SubscriptionId>'
            f"<OrderType>importtnorders</OrderType><OrderId>{oid}</OrderId><Status>{status}</Status></Notification>"
        )
        resp = requests.post(url, data=body, auth=auth, headers={"Content-Type": "application/xml"}, timeout=30)
        assert resp.status_code == 200
    # a new run still waits on its own order and is woken by its own callback
    run_id, order_ids = start_waiting_run(af, ["+13035550203"], "cbwake2", poll_interval=900)
    complete_all_orders(af)
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id), timeout=RUN_TIMEOUT) == "success"
    assert order_reads(af, order_ids) == {order_ids[0]: 2}


def test_callbacks_lost_the_safety_poll_ends_the_wait(local_airflow):
    af = local_airflow
    sandbox(af, "POST", "callbacks/drop", json={"drop": True})
    try:
        run_id, order_ids = start_waiting_run(af, ["+13035550204"], "cblost", poll_interval=5)
        complete_all_orders(af)
        assert wait_for(af, "the run to end", lambda: run_state(af, run_id), timeout=RUN_TIMEOUT) == "success"
        assert sandbox(af, "POST", "callbacks/drop", json={"drop": True})["dropped"] >= 1
        assert order_reads(af, order_ids)[order_ids[0]] >= 2  # the sensor's read, then the poll's
    finally:
        sandbox(af, "POST", "callbacks/drop", json={"drop": False})


def test_api_server_restarted_before_the_callback_still_wakes_the_wait(local_airflow):
    af = local_airflow
    run_id, order_ids = start_waiting_run(af, ["+13035550205"], "cbrestart", poll_interval=900)
    af.restart("api-server")
    wait_for(af, "the api-server back", lambda: _up(af))
    complete_all_orders(af)
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id), timeout=RUN_TIMEOUT) == "success"
    assert order_reads(af, order_ids) == {order_ids[0]: 2}


def _up(af) -> bool:
    try:
        return requests.get(f"{af.url}/api/v2/version", timeout=2).ok
    except requests.RequestException:
        time.sleep(0.5)
        return False


def test_a_run_still_waiting_at_its_deadline_raises_the_alert_and_keeps_waiting(local_airflow):
    """The Deadline Alert names the run; the wait is not failed by it and ends with its callback after."""
    af = local_airflow
    run_id, _ = start_waiting_run(af, ["+13035550206"], "cbdeadline", poll_interval=900)
    alert = f"run {run_id} of DAG {DAG_ID} is not done"
    wait_for(af, "the deadline alert", lambda: alert in triggerer_log(af), timeout=DEADLINE_SECONDS + 90)
    assert run_state(af, run_id) is None  # still running: the alert does not fail it
    complete_all_orders(af)
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id), timeout=RUN_TIMEOUT) == "success"
