"""
More than one of everything (issue 13): an import of 10,000 numbers on PostgreSQL + Celery with two schedulers,
two triggerers, two Celery workers and the callback receiver on the api-server. One of each is SIGKILLed while
the orders are being made and waited on. The run completes, the sandbox holds exactly one order per chunk, and
every number is in the report. ``make test-ha`` runs it (about 5 minutes here); ``.ci/run`` calls it.
"""

from __future__ import annotations

import json
import signal
import time
from collections import Counter

import pytest
import redis
import requests

from bandwidth_hosted_messaging.reporting.storage import run_folder_name
from tests.dags_helpers import base_conf, e164
from tests.deployment.helpers import load_launcher

pytestmark = [pytest.mark.integration, pytest.mark.ha]

DAG_ID = "hosted_messaging_import"
REDIS_DB = 12
CHUNK = 1000
RUN_TIMEOUT = 900


def ten_thousand_numbers() -> list[str]:
    """10,000 distinct numbers the sandbox imports cleanly (it rejects ...99 and fails ...98 on purpose)."""
    numbers = []
    i = 0
    while len(numbers) < 10_000:
        if i % 100 not in (98, 99):
            numbers.append(f"720{200 + i // 10000}{i % 10000:04d}")
        i += 1
    return numbers


def conf(numbers: list[str]) -> dict:
    return base_conf(numbers, customer_order_id_prefix="ha", chunk_size=CHUNK, poll_interval=2, grace_period=60)


@pytest.fixture(scope="module")
def airflow_ha(postgres_url, tmp_path_factory):
    af = load_launcher().LocalAirflow(
        tmp_path_factory.mktemp("airflow-ha-home"),
        port=0,
        sandbox_port=0,
        db=postgres_url,
        celery_broker=f"redis://127.0.0.1:6379/{REDIS_DB}",
        parallelism=3,
        order_seconds=25,
        replicas=2,
        extra_env={
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
            "AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD": "0",  # 10,000 numbers, unattended
            # what a crash costs before the survivors take over: missed heartbeats of a task, a triggerer, a scheduler
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "15",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "3",
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "8",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "10",
            "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "5",
            # a task the killed Celery worker had already taken from Redis stays QUEUED until Redis's visibility
            # timeout (hours): the scheduler queues it again after this long instead (default 600 s)
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "30",
        },
    )
    try:
        af.start(timeout=240)
    except BaseException:
        print(af.logs_tails())
        raise
    try:
        yield af
    finally:
        af.stop()
        broker = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        for key in broker.scan_iter(f"*{af.celery_queue}*"):
            broker.delete(key)


def sandbox_orders(af) -> list[dict]:
    return requests.get(f"{af.sandbox_url}/_sandbox/orders", timeout=10).json()


def test_ten_thousand_numbers_survive_one_of_each_component_killed(airflow_ha):
    af = airflow_ha
    numbers = ten_thousand_numbers()
    run = af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf(numbers)}).json()
    run_id = run["dag_run_id"]
    killed: list[str] = []
    deadline = time.monotonic() + RUN_TIMEOUT
    state = None
    while time.monotonic() < deadline:
        state = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        if state in ("success", "failed"):
            break
        if not killed and len(sandbox_orders(af)) >= 2:  # orders being made and waited on: crash one of each
            for name in ("scheduler", "triggerer", "celery-worker"):
                af.kill(name, signal.SIGKILL)
                killed.append(name)
        af.check_alive()
        time.sleep(2)
    assert killed == ["scheduler", "triggerer", "celery-worker"], "the run ended before the crash"
    assert state == "success", af.logs_tails()

    orders = [o for o in sandbox_orders(af) if o.get("customer_order_id", "").startswith("ha-")]
    per_id = Counter(o["customer_order_id"] for o in orders)
    assert len(per_id) == len(numbers) // CHUNK and set(per_id.values()) == {1}, per_id  # zero duplicate orders

    report = json.loads((af.home / "bandwidth_reports" / DAG_ID / run_folder_name(run_id) / "report.json").read_text())
    rows = report["rows"]
    assert len(rows) == len(numbers) and {r["number"] for r in rows} == set(e164(numbers))
    assert report["summary"] == {"total": len(numbers), "in_service": len(numbers)}
