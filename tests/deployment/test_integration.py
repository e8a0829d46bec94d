"""
``hosted_messaging_import`` on real components: PostgreSQL metadata DB, CeleryExecutor on Redis,
api-server (with our callback plugin), scheduler, dag-processor, triggerer, a Celery worker, and the
Bandwidth sandbox, all started as processes by the ``make airflow`` launcher. Triggered through the
REST API as the UI does; everything is checked through the REST API and the sandbox's delivery log.
"""

from __future__ import annotations

import time

import pytest
import redis
import requests

from tests.deployment.helpers import LOADED_MACHINE_ENV, ROOT, load_launcher, running

pytestmark = pytest.mark.integration

DAG_ID = "hosted_messaging_import"
REDIS_DB = 11  # a database of its own on the shared Redis; the queue is per instance too
NUMBERS = ["3032281000", "(303) 228-1001", "+1 303.228.1002"]
EXPECTED = {"+13032281000", "+13032281001", "+13032281002"}  # E.164, however they were typed
RUN_TIMEOUT = 120


def ui_conf() -> dict:
    """Every Param, as the UI's trigger form sends it (defaults included), with fast polling."""
    return {
        "numbers": NUMBERS,
        "subscriber_name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        "county": None,
        "loa_authorizing_person": "Jane Doe",
        "site_id": "14413",
        "sip_peer_id": None,
        "customer_order_id_prefix": "it",
        "loa_file": str(ROOT / "include" / "loa" / "sample-loa.pdf"),
        "rejection_policy": "skip",
        "chunk_size": 2,  # two orders: two mapped waits deferred side by side
        "poll_interval": 900,  # the default safety poll: the run ends within the test's time only by callbacks
        "grace_period": 30,
    }


@pytest.fixture(scope="module")
def local_airflow(postgres_url, inventory_postgres_url, tmp_path_factory):
    """Every component started as our own process; stopped by process group at the end, even on failure."""
    launcher = load_launcher()
    af = launcher.LocalAirflow(
        tmp_path_factory.mktemp("airflow-home"),
        port=0,
        sandbox_port=0,
        db=postgres_url,
        celery_broker=f"redis://127.0.0.1:6379/{REDIS_DB}",
        parallelism=2,
        order_seconds=3600,  # orders never finish by themselves: the test completes them (see import_run)
        # two schedulers, triggerers and workers; each triggerer takes one trigger, so the two waits are shared
        replicas=2,
        extra_env={
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
            "AIRFLOW__TRIGGERER__CAPACITY": "1",
            **LOADED_MACHINE_ENV,
            # the hosted-number inventory in a PostgreSQL database of its own, not beside Airflow's tables
            "AIRFLOW_CONN_BANDWIDTH_INVENTORY": inventory_postgres_url,
        },
    )
    try:
        with running(af, timeout=150):
            yield af
    finally:
        broker = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        for key in broker.scan_iter(f"*{af.celery_queue}*"):
            broker.delete(key)


def release_orders(sandbox_url: str) -> list[str]:
    """Move every sandbox order to PROCESSING, then COMPLETE (each change is notified to the callback URL)."""
    ids = [order["order_id"] for order in requests.get(f"{sandbox_url}/_sandbox/orders", timeout=30).json()]
    for order_id in ids:
        for status in ("PROCESSING", "COMPLETE"):
            resp = requests.post(
                f"{sandbox_url}/_sandbox/orders/{order_id}/status", json={"status": status}, timeout=30
            )
            resp.raise_for_status()
    return ids


@pytest.fixture(scope="module")
def import_run(local_airflow):
    """
    Trigger the DAG as the UI does and wait for the end. The sandbox holds every order open until the API
    shows both order waits DEFERRED, then the test completes them: the deferral cannot be skipped by a
    sensor that happened to find its order already final, however slow the machine.
    """
    af = local_airflow
    run = af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": ui_conf()}).json()
    run_id = run["dag_run_id"]
    seen: dict[str, list[str]] = {}
    triggerers: dict[int, int] = {}
    released: list[str] = []
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        af.check_alive()
        run = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()
        tis = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
        for ti in tis:
            states = seen.setdefault(f"{ti['task_id']}[{ti['map_index']}]", [])
            if ti["state"] and (not states or states[-1] != ti["state"]):
                states.append(ti["state"])
        waits = [ti for ti in tis if ti["task_id"] == "import_order.wait" and ti["map_index"] >= 0]
        for ti in waits:
            if ti["state"] == "deferred" and ti.get("triggerer_job"):
                triggerers.setdefault(ti["map_index"], ti["triggerer_job"]["id"])
        if not released and len(triggerers) == 2 and all(ti["state"] == "deferred" for ti in waits):
            released = release_orders(af.sandbox_url)
        if run["state"] in ("success", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return {
        "run": run,
        "run_id": run_id,
        "task_instances": tis,
        "states_seen": seen,
        "released": released,
        "triggerers": triggerers,
    }


def test_import_run_succeeds_on_celery_and_postgres(local_airflow, import_run):
    assert len(import_run["released"]) == 2, f"the waits were never both deferred: {import_run['states_seen']}"
    assert import_run["run"]["state"] == "success", import_run["states_seen"]
    waits = [ti for ti in import_run["task_instances"] if ti["task_id"] == "import_order.wait"]
    assert len(waits) == 2 and all(ti["state"] == "success" for ti in waits)
    health = requests.get(f"{local_airflow.url}/api/v2/monitor/health", timeout=30).json()
    assert health["triggerer"]["status"] == "healthy"


def test_the_report_task_wrote_the_run_into_the_postgresql_inventory(inventory_postgres_url, import_run):
    """The Celery worker's report task wrote the run into the inventory's own database, migrations included."""
    import psycopg2

    conn = psycopg2.connect(inventory_postgres_url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT number, status, imported_run_id FROM hosted_numbers ORDER BY number")
        hosted = cur.fetchall()
        cur.execute("SELECT dag_id, run_id FROM inventory_runs")
        runs = cur.fetchall()
        cur.execute("SELECT version_num FROM bandwidth_inventory_version")
        versions = cur.fetchall()
    finally:
        conn.close()
    assert hosted == [(number, "hosted", import_run["run_id"]) for number in sorted(EXPECTED)]
    assert runs == [(DAG_ID, import_run["run_id"])]
    assert len(versions) == 1


def trigger_runs(home, order_id: str) -> tuple[int, int]:
    """How many times a wait's trigger ran for ``order_id`` (its "starting" lines, in the task's trigger logs) and
    how many of those runs a callback woke (a triggerer writes ``…log.trigger.<job id>.log`` per run)."""
    starts = woken = 0
    for path in (home / "logs" / f"dag_id={DAG_ID}").rglob("*.log.trigger.*.log"):
        text = path.read_text(errors="replace")
        if order_id in text:
            starts += text.count(") starting")
            woken += text.count(f"Order {order_id}: a callback came; reading the order")
    return starts, woken


def test_two_triggerers_shared_the_waits_and_callbacks_woke_both(local_airflow, import_run):
    """Each wait sat on its own triggerer; with a 900 s safety poll, each order was read once before the wait (the
    sensor) and once after its callback by a run of its trigger. Airflow runs a trigger at least once: a triggerer
    that frees a slot may start a trigger that has just fired on the other before its row is cleared (seen on a
    loaded machine), and that run may read the order once more, woken by the same callback, never by a poll."""
    assert len(set(import_run["triggerers"].values())) == 2, import_run["triggerers"]
    reads = dict.fromkeys(import_run["released"], 0)
    for entry in requests.get(f"{local_airflow.sandbox_url}/_sandbox/requests", timeout=30).json():
        for order_id in reads:
            if entry["method"] == "GET" and entry["path"].rstrip("/").endswith(order_id):
                reads[order_id] += 1
    assert reads, reads
    for order_id, count in reads.items():
        starts, woken = trigger_runs(local_airflow.home, order_id)
        # One read by the sensor, then at most one per run of its trigger (a run cancelled once the task has ended
        # may not get to its read), and every run woken by the callback: none by the 900 s poll.
        assert starts >= 1 and woken == starts and 2 <= count <= 1 + starts, (order_id, count, starts, woken)


def test_order_wait_was_deferred_to_the_triggerer(local_airflow, import_run):
    """The task log of each wait shows the deferral and the trigger firing in the triggerer process."""
    for ti in import_run["task_instances"]:
        if ti["task_id"] != "import_order.wait":
            continue
        path = (
            f"/api/v2/dags/{DAG_ID}/dagRuns/{import_run['run_id']}/taskInstances/import_order.wait/logs/"
            f"{ti['try_number']}?map_index={ti['map_index']}"
        )
        log = local_airflow.api("GET", path, headers={"Accept": "application/json"}).json()["content"]
        events = [str(e.get("event", "")) for e in log]
        assert any(e.startswith("Pausing task as DEFERRED") for e in events), events
        # The triggerer writes its part to a log file of its own beside the task's, merged by the API.
        assert any(".log.trigger." in e for e in events), events
        assert "Trigger fired event" in events and "trigger completed" in events, events
        # ... and the task resumed on a worker with the trigger's event.
        assert any(e.startswith("Order ") and " COMPLETE: " in e for e in events), events


def test_report_lists_every_number_in_service(local_airflow, import_run):
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{import_run['run_id']}/taskInstances/report/xcomEntries/return_value"
    report = local_airflow.api("GET", path).json()["value"]
    rows = {row["number"]: row for row in report["rows"]}
    assert set(rows) == EXPECTED
    assert all(row["in_service"] and row["outcome"] == "in_service" for row in rows.values()), rows
    assert report["summary"]["total"] == 3 and report["summary"]["in_service"] == 3


def test_sandbox_callbacks_reached_the_plugin_with_a_basic_challenge(local_airflow, import_run):
    """Each notification: first POST without credentials → 401 from our plugin, the re-send with them → 200."""
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{import_run['run_id']}/taskInstances/report/xcomEntries/return_value"
    order_ids = {row["order_id"] for row in local_airflow.api("GET", path).json()["value"]["rows"]}
    assert len(order_ids) == 2
    url = f"{local_airflow.url}/bandwidth/callbacks"
    deadline = time.monotonic() + 15
    while True:  # deliveries are asynchronous: the final one may still be in flight
        log = requests.get(f"{local_airflow.sandbox_url}/_sandbox/callbacks", timeout=30).json()
        ours = [d for d in log if d["order_id"] in order_ids]
        delivered = {(d["order_id"], d["status"]) for d in ours if d["http_status"] == 200}
        if {(o, "COMPLETE") for o in order_ids} <= delivered or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert ours and all(d["url"] == url for d in ours), ours
    for order_id in order_ids:
        for status in ("PROCESSING", "COMPLETE"):
            attempts = [
                (d["attempt"], d["with_auth"], d["http_status"])
                for d in ours
                if d["order_id"] == order_id and d["status"] == status
            ]
            assert attempts == [(1, False, 401), (2, True, 200)], (order_id, status, ours)


def test_no_secret_in_any_component_or_task_log(local_airflow, import_run):
    """The client secret, the callback password, every OAuth2 token issued and any Authorization value never appear."""
    import base64
    import json as _json

    env = local_airflow.env()
    bandwidth = _json.loads(env["AIRFLOW_CONN_BANDWIDTH_DEFAULT"])
    callback = _json.loads(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"])
    tokens = requests.get(f"{local_airflow.sandbox_url}/_sandbox/tokens", timeout=30).json()
    assert tokens, "no OAuth2 token was issued: the scan would prove nothing"
    secrets = [
        bandwidth["password"],
        callback["password"],
        base64.b64encode(f"{callback['login']}:{callback['password']}".encode()).decode(),
        base64.b64encode(f"{bandwidth['login']}:{bandwidth['password']}".encode()).decode(),
        *tokens,
    ]
    logs = [p for p in local_airflow.home.rglob("*") if p.is_file() and (p.suffix == ".log" or ".log." in p.name)]
    assert any("api-server" in p.name for p in logs) and any("import_order" in str(p) for p in logs), logs
    for path in logs:
        text = path.read_text(errors="replace")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path} holds a secret"
        assert "Authorization: " not in text and "'Authorization'" not in text, path
