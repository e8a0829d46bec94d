"""
The subscription kept by a run is not listed again while it is known valid (``[bandwidth]
subscription_memory_hours``): same connection, URL and username, listed less than a day ago, more than half its
expiry left, and a callback from it recorded by our receiver since. The sandbox calls back the real callback
receiver (uvicorn on loopback), which notes each subscription's callbacks in the order asset's state store; a
stale memory never lets a changed URL, a changed username, an expiry running out or a dead subscription through.
"""

from __future__ import annotations

import json

import pytest
from airflow.sdk import DagRunState

from tests.dags.conftest import API_CONNECTIONS, deployed_with
from tests.dags_helpers import api_calls, base_conf
from tests.receiver_server import serve_receiver

CALLBACK_USER, CALLBACK_PASSWORD = "bw-callback", "cb-memory-Pa55-2c9d"


@pytest.fixture(scope="module")
def receivers(airflow_db):
    """Two callback receivers (two public URLs of the same API server, as after a move)."""
    with serve_receiver() as first, serve_receiver() as second:
        yield first, second


@pytest.fixture(scope="module")
def import_dag(airflow_db, sandbox):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS["v1"]):
        bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import")


@pytest.fixture
def callback_to(monkeypatch, receivers):
    """Point the callback connection at a URL (the first receiver to begin with)."""

    def point(url: str, login: str = CALLBACK_USER, expiry: int | None = None) -> None:
        conn = {"conn_type": "http", "host": url, "login": login, "password": CALLBACK_PASSWORD}
        if expiry:
            conn["extra"] = {"expiry": expiry}
        monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_CALLBACK", json.dumps(conn))

    monkeypatch.delenv("BANDWIDTH_CALLBACK_CONN_ID", raising=False)
    point(receivers[0])
    return point


@pytest.fixture
def memory_on(monkeypatch):
    from airflow.models.variable import Variable

    from bandwidth_hosted_messaging.hooks.subscription_memory import VARIABLE

    Variable.delete(VARIABLE)
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS", "24")
    yield
    Variable.delete(VARIABLE)


def remembered() -> dict:
    from airflow.models.variable import Variable

    from bandwidth_hosted_messaging.hooks.subscription_memory import VARIABLE

    return json.loads(Variable.get(VARIABLE, default_var=None) or "{}")


def run(dag, bw, number: str, **conf):
    """One import run from an empty request log; its subscription calls by endpoint, in order."""
    bw.clear_requests()
    dr = dag.test(run_conf=base_conf([number], **conf))
    assert dr.state == DagRunState.SUCCESS
    return [r["endpoint"] for r in api_calls(bw) if r["endpoint"].startswith("subscriptions")]


def ours(url: str) -> list:
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

    return [s for s in BandwidthHook().list_subscriptions() if s.url == url and s.order_type == "importtnorders"]


def called_back(bw, subscription_id: str) -> bool:
    """The sandbox delivered a callback of ``subscription_id`` and our receiver took it (200)."""
    assert bw.wait_callbacks()
    return any(c["subscription_id"] == subscription_id and c["http_status"] == 200 for c in bw.callbacks())


def test_a_subscription_that_called_back_since_is_not_listed_again(
    import_dag, bw, memory_on, callback_to, receivers, capfd
):
    assert run(import_dag, bw, "+13035550110") == ["subscriptions.list", "subscriptions.create"]
    (sub,) = ours(receivers[0])
    assert called_back(bw, sub.subscription_id)  # the first run's order: a callback after the memory was written
    capfd.readouterr()
    assert run(import_dag, bw, "+13035550111", dry_run=True) == []  # read-only: leaves the proof for the next run
    out = capfd.readouterr().out
    assert f"Subscription {sub.subscription_id} for {sub.url} known valid (checked " in out
    assert "): not listing subscriptions" in out
    assert run(import_dag, bw, "+13035550112") == []


def test_a_changed_callback_url_lists_again_and_subscribes_the_new_url(
    import_dag, bw, memory_on, callback_to, receivers
):
    first, second = receivers
    run(import_dag, bw, "+13035550120")
    (old,) = ours(first)
    assert called_back(bw, old.subscription_id)
    callback_to(second)
    assert run(import_dag, bw, "+13035550121") == ["subscriptions.list", "subscriptions.create"]
    (new,) = ours(second)
    assert new.subscription_id != old.subscription_id and new.username == CALLBACK_USER
    assert [entry["id"] for entry in remembered().values()] == [new.subscription_id]  # the old URL's memory dropped


def test_a_changed_callback_username_lists_again_and_updates_the_subscription(
    import_dag, bw, memory_on, callback_to, receivers
):
    run(import_dag, bw, "+13035550125")
    (sub,) = ours(receivers[0])
    assert called_back(bw, sub.subscription_id)
    callback_to(receivers[0], login="bw-callback-2")
    assert run(import_dag, bw, "+13035550126") == ["subscriptions.list", "subscriptions.update"]
    assert [s.username for s in ours(receivers[0])] == ["bw-callback-2"]
    assert list(remembered()) == [k for k in remembered() if k.endswith("|bw-callback-2")]


def test_a_subscription_deleted_with_no_callback_since_is_listed_and_recreated(
    import_dag, bw, memory_on, callback_to, receivers
):
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

    bw.seed(config={"drop_callbacks": True})  # no callback reaches us after the memory is written
    run(import_dag, bw, "+13035550130")
    (gone,) = ours(receivers[0])
    assert not called_back(bw, gone.subscription_id)
    BandwidthHook().delete_subscription(gone.subscription_id)  # out of band
    assert run(import_dag, bw, "+13035550131") == ["subscriptions.list", "subscriptions.create"]
    (new,) = ours(receivers[0])
    assert new.subscription_id != gone.subscription_id


def test_a_wait_its_safety_poll_ended_long_after_its_order_went_final_drops_the_memory(
    import_dag, bw, memory_on, callback_to, receivers
):
    """The one thing only a list shows: a subscription deleted after its last callback. The next run relies on it
    once; its order's callback never comes and its safety poll finds the order final long after Bandwidth changed
    it, which drops the memory: the run after lists and recreates the subscription."""
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

    run(import_dag, bw, "+13035550140")
    (gone,) = ours(receivers[0])
    assert called_back(bw, gone.subscription_id)
    BandwidthHook().delete_subscription(gone.subscription_id)  # out of band, after its last callback
    bw.seed(config={"order_seconds": 3.0})  # still open when the sensor reads it: the wait defers
    bw.advance(-120)  # Bandwidth last modified the order two minutes before the poll reads it final
    assert run(import_dag, bw, "+13035550141") == []  # relied on it: the memory could not know
    assert remembered() == {}  # dropped by the wait
    assert run(import_dag, bw, "+13035550142") == ["subscriptions.list", "subscriptions.create"]
    assert [s.subscription_id != gone.subscription_id for s in ours(receivers[0])] == [True]


def test_a_subscription_past_half_its_expiry_is_listed_and_renewed(import_dag, bw, memory_on, callback_to, receivers):
    callback_to(receivers[0], expiry=3600)
    run(import_dag, bw, "+13035550150")
    (sub,) = ours(receivers[0])
    assert called_back(bw, sub.subscription_id)
    callback_to(receivers[0], expiry=86400)  # the remembered expiry is now under half of the configured one
    assert run(import_dag, bw, "+13035550151") == ["subscriptions.list", "subscriptions.update"]
    (renewed,) = ours(receivers[0])
    assert renewed.subscription_id == sub.subscription_id and renewed.expiry > 43200


def test_a_failed_subscription_call_forgets_the_connection(import_dag, bw, memory_on, callback_to, receivers):
    callback_to(receivers[0], expiry=3600)
    run(import_dag, bw, "+13035550160")
    assert called_back(bw, ours(receivers[0])[0].subscription_id) and remembered()
    refusal = (
        "<Response><ResponseStatus><ErrorCode>1001</ErrorCode><Description>no</Description></ResponseStatus></Response>"
    )
    bw.set_faults([{"kind": "respond", "path": "subscriptions/", "method": "PUT", "status": 403, "text": refusal}])
    callback_to(receivers[0], expiry=86400)  # listed, then the renewal fails
    failed = import_dag.test(run_conf=base_conf(["+13035550161"]))
    assert failed.state == DagRunState.FAILED
    assert remembered() == {}


def test_with_the_memory_off_every_run_lists(import_dag, bw, callback_to, receivers, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS", "0")
    assert run(import_dag, bw, "+13035550170") == ["subscriptions.list", "subscriptions.create"]
    assert called_back(bw, ours(receivers[0])[0].subscription_id)
    assert run(import_dag, bw, "+13035550171") == ["subscriptions.list"]
    assert remembered() == {}
