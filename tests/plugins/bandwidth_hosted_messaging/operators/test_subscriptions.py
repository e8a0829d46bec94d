"""EnsureSubscriptionOperator against the sandbox: reuse, update, de-duplicate, create only when none matches."""

from __future__ import annotations

import json

import pytest

from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.operators.subscriptions import EnsureSubscriptionOperator

URL = "https://airflow.example.test/bandwidth/callbacks"


@pytest.fixture
def callback_conn(monkeypatch):
    def set_conn(login="bw-callback", password="cb-secret", expiry=None):
        extra = {"expiry": expiry} if expiry else {}
        monkeypatch.setenv(
            "AIRFLOW_CONN_BANDWIDTH_CALLBACK",
            json.dumps({"conn_type": "http", "host": URL, "login": login, "password": password, "extra": extra}),
        )

    set_conn()
    return set_conn


def ensure(order_type="importtnorders"):
    return EnsureSubscriptionOperator(task_id="ensure_subscription", order_type=order_type).execute({})


def ours(order_type="importtnorders"):
    return [
        s for s in BandwidthHook().list_subscriptions() if s.url == URL and s.order_type.lower() == order_type.lower()
    ]


def endpoints(bw):
    return [r["endpoint"] for r in bw.requests() if r["endpoint"].startswith("subscriptions")]


def test_creates_once_then_reuses_without_writing(bw, callback_conn):
    first = ensure()
    second = ensure()
    assert first == second
    assert endpoints(bw) == ["subscriptions.list", "subscriptions.create", "subscriptions.list"]
    assert [s.subscription_id for s in ours()] == [first]
    assert ours()[0].username == "bw-callback"


def test_updates_when_the_callback_username_changed(bw, callback_conn):
    sub_id = ensure()
    callback_conn(login="new-user")
    assert ensure() == sub_id
    assert endpoints(bw)[-1] == "subscriptions.update"
    assert ours()[0].username == "new-user"


def test_updates_when_the_expiry_runs_low(bw, callback_conn):
    callback_conn(expiry=60)
    sub_id = ensure()
    callback_conn(expiry=3600)
    assert ensure() == sub_id
    assert endpoints(bw)[-1] == "subscriptions.update"


def test_deletes_duplicates_left_by_others(bw, callback_conn):
    hook = BandwidthHook()
    bw.seed(config={"reject_duplicate_subscriptions": False})
    a = hook.create_subscription("importtnorders", URL, "bw-callback", "cb-secret", 86400 * 30)
    hook.create_subscription("importtnorders", URL, "bw-callback", "cb-secret", 86400 * 30)
    assert ensure() == a
    assert [s.subscription_id for s in ours()] == [a]


def test_import_and_remove_subscriptions_are_separate(bw, callback_conn):
    assert ensure("importtnorders") != ensure("removeImportedTnOrders")
    assert len(ours("importtnorders")) == len(ours("removeImportedTnOrders")) == 1


def test_without_a_callback_connection_nothing_is_called(bw, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_BANDWIDTH_CALLBACK", raising=False)
    assert ensure() is None
    assert endpoints(bw) == []


def test_messaging_lost_is_subscribed_as_an_account_event(bw, callback_conn):
    sub_id = ensure("MESSAGING_LOST")
    assert (
        "<EventType>MESSAGING_LOST</EventType>"
        in [r for r in bw.requests() if r["endpoint"] == "subscriptions.create"][0]["body"]
    )
    assert ensure("MESSAGING_LOST") == sub_id
    assert [s.subscription_id for s in ours("MESSAGING_LOST")] == [sub_id]
