"""
The fault matrix: the real import DAG against the sandbox's fault injection. The batch must complete
with exactly one order per chunk, or fail loudly and clearly where it cannot.
"""

from __future__ import annotations

import threading
import time

import pytest
from airflow.sdk import DagRunState, TaskInstanceState

from tests.dags_helpers import api_calls, base_conf, report_of, task_states

NUMBERS = [f"30355501{i:02d}" for i in range(6)]
#: (method, path) of every endpoint the import calls: each gets its own faults first, then a random storm
ENDPOINTS = [
    ("GET", "sites/[0-9]+$"),
    ("GET", "sippeers$"),
    ("POST", "importTnChecker$"),
    ("POST", "importTnOrders$"),
    ("GET", "importTnOrders/[0-9a-f-]+$"),
    ("POST", "loas$"),
    ("GET", "inserviceNumbers"),
]


def storm(*kinds: dict, rate: float) -> dict:
    """Each kind once on every endpoint, then each at ``rate`` on any request."""
    rules = [{**kind, "method": m, "path": p, "count": 1} for kind in kinds for m, p in ENDPOINTS]
    rules += [{**kind, "rate": rate} for kind in kinds]
    return {"rules": rules, "seed": 7}


@pytest.fixture(scope="module")
def import_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import")


def orders_created(bw) -> int:
    return len([o for o in bw.orders() if o.get("kind", "import") == "import"])


def assert_one_order_per_chunk_and_all_in_service(dr, bw, chunks=3):
    assert dr.state == DagRunState.SUCCESS, task_states(dr)
    assert report_of(dr)["summary"] == {"total": len(NUMBERS), "in_service": len(NUMBERS)}
    assert orders_created(bw) == chunks
    assert len([r for r in api_calls(bw, "importTnOrders.create") if r["status"] == 201]) == chunks


def test_429_storm_on_every_endpoint_including_the_triggers_polling(import_dag, bw):
    bw.seed(config={"order_seconds": 2})
    bw.set_faults(storm({"kind": "429", "retry_after": 0.1}, rate=0.3))
    dr = import_dag.test(run_conf=base_conf(NUMBERS, chunk_size=2))
    assert_one_order_per_chunk_and_all_in_service(dr, bw)
    limited = {r["endpoint"] for r in api_calls(bw) if r["status"] == 429}
    assert limited >= {
        "sites.get",
        "sippeers.list",
        "importTnChecker",
        "importTnOrders.create",
        "importTnOrders.get",
        "loas.upload",
        "inserviceNumbers.list",
    }


def test_429_storm_with_x_ratelimit_reset(import_dag, bw):
    bw.set_faults(storm({"kind": "429", "reset_header": True, "retry_after": 1}, rate=0.2))
    dr = import_dag.test(run_conf=base_conf(NUMBERS, chunk_size=2))
    assert_one_order_per_chunk_and_all_in_service(dr, bw)


def test_5xx_bursts_and_connection_resets_on_every_endpoint(import_dag, bw):
    bw.seed(config={"order_seconds": 2})
    bw.set_faults(storm({"kind": "5xx", "status": 503}, {"kind": "reset"}, rate=0.1))
    dr = import_dag.test(run_conf=base_conf(NUMBERS, chunk_size=2))
    assert_one_order_per_chunk_and_all_in_service(dr, bw)
    for fault in ("5xx", "reset"):
        hit = {r["endpoint"] for r in api_calls(bw) if r["fault"] == fault}
        assert hit >= {"sites.get", "importTnChecker", "importTnOrders.create", "importTnOrders.get", "loas.upload"}, (
            fault,
            hit,
        )


def test_lost_create_responses_in_every_chunk_still_make_one_order_each(import_dag, bw):
    bw.set_faults([{"kind": "drop_response", "path": "importTnOrders(/messaging)?$", "method": "POST", "count": 3}])
    dr = import_dag.test(run_conf=base_conf(NUMBERS, chunk_size=2))
    assert_one_order_per_chunk_and_all_in_service(dr, bw)
    assert len(api_calls(bw, "importTnOrders.create")) == 3


def test_api_down_during_the_wait_then_back(import_dag, bw):
    bw.seed(config={"order_seconds": 4})

    def take_it_down_once_ordered():
        deadline = time.time() + 60
        while not bw.orders() and time.time() < deadline:
            time.sleep(0.05)
        bw.set_faults([{"kind": "down", "seconds": 8}])

    threading.Thread(target=take_it_down_once_ordered, daemon=True).start()
    dr = import_dag.test(run_conf=base_conf(NUMBERS[:2], poll_interval=0.5))
    assert dr.state == DagRunState.SUCCESS, task_states(dr)
    down = [r for r in api_calls(bw, "importTnOrders.get") if r["fault"] == "down"]
    assert down, "the wait never met the outage"


def force_status_when_ordered(bw, status):
    def run():
        deadline = time.time() + 60
        while not bw.orders() and time.time() < deadline:
            time.sleep(0.05)
        bw.force_status(bw.orders()[0]["order_id"], status)

    threading.Thread(target=run, daemon=True).start()


def test_unknown_processing_status_is_a_loud_failure_not_an_endless_wait(import_dag, bw, capfd):
    bw.seed(config={"order_seconds": 3600})
    force_status_when_ordered(bw, "ON_HOLD")
    dr = import_dag.test(run_conf=base_conf(NUMBERS[:1]))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["import_order.wait[0]"] == TaskInstanceState.FAILED
    assert "unknown ProcessingStatus 'ON_HOLD'" in capfd.readouterr().out


def test_deadline_passing_fails_clearly_naming_the_open_order(import_dag, bw, capfd):
    bw.seed(config={"order_seconds": 3600})
    dr = import_dag.test(run_conf=base_conf(NUMBERS[:1], wait_timeout=2))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["import_order.wait[0]"] == TaskInstanceState.FAILED
    order_id = bw.orders()[0]["order_id"]
    assert f"Order {order_id} still open" in capfd.readouterr().out
    assert report_of(dr)["rows"][0]["outcome"] == "not_ordered" or report_of(dr)["rows"][0]["order_id"] is None


def test_hostile_answers_while_waiting_fail_clearly(import_dag, bw, capfd):
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ImportTnOrder>&x;</ImportTnOrder>'
    )
    bw.set_faults([{"kind": "respond", "path": "importTnOrders/[0-9a-f-]+$", "method": "GET", "text": xxe}])
    dr = import_dag.test(run_conf=base_conf(NUMBERS[:1], poll_interval=0.1))
    assert dr.state == DagRunState.FAILED
    out = capfd.readouterr().out
    assert "DOCTYPE or entity declaration is refused" in out
    assert "root:x:0:0" not in out
