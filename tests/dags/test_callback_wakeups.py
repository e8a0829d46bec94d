"""
The wait woken by Bandwidth's callback, in ``dag.test()`` on both API versions: the sandbox calls back the real
callback receiver (uvicorn on loopback, the same app the API server mounts), which puts the final status on the
order asset's wake-up ring in the metadata database; the trigger, run inline by ``dag.test()``, reads that ring
through the Task SDK and ends its 900-second wait at once, with one read of the order after the callback.
"""

from __future__ import annotations

import json

import pytest
from airflow.sdk import DagRunState

from tests.dags.conftest import API_CONNECTIONS, deployed_with
from tests.dags_helpers import api_calls, base_conf, report_of
from tests.receiver_server import serve_receiver

CALLBACK_USER, CALLBACK_PASSWORD = "bw-callback", "cb-wake-Pa55-7f3e"


@pytest.fixture(scope="module")
def receiver_url(airflow_db):
    with pytest.MonkeyPatch.context() as mp, serve_receiver() as url:
        conn = {"conn_type": "http", "host": url, "login": CALLBACK_USER, "password": CALLBACK_PASSWORD}
        mp.setenv("AIRFLOW_CONN_BANDWIDTH_CALLBACK", json.dumps(conn))
        mp.delenv("BANDWIDTH_CALLBACK_CONN_ID", raising=False)
        yield url


@pytest.fixture(scope="module")
def import_dag(airflow_db, api_version, receiver_url):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS[api_version]):
        bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import")


def order_reads(bw, order_id):
    return [r for r in api_calls(bw) if r["method"] == "GET" and r["path"].rstrip("/").endswith(order_id)]


def test_the_callback_ends_a_900_second_wait_with_one_read_after_it(import_dag, bw):
    bw.seed(config={"order_seconds": 3.0})  # still open when the sensor reads it: the wait defers
    dr = import_dag.test(run_conf=base_conf(["+13035550160"], poll_interval=900))
    assert dr.state == DagRunState.SUCCESS
    (row,) = report_of(dr)["rows"]
    assert row["outcome"] == "in_service"
    assert bw.wait_callbacks()
    delivered = [c for c in bw.callbacks() if c["order_id"] == row["order_id"] and c["status"] == "COMPLETE"]
    assert delivered and delivered[-1]["http_status"] == 200, bw.callbacks()
    assert len(order_reads(bw, row["order_id"])) == 2  # the sensor's, then the trigger's after the callback
