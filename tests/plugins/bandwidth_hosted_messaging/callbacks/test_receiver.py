"""
The Bandwidth callback receiver, served by uvicorn on loopback, fed by the sandbox and by hand-made requests.

Events land in the real (SQLite) Airflow metadata database; the ``bandwidth_notifications`` DAG is parsed and
synced into it first so its assets exist, as the dag-processor would do.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bandwidth_hosted_messaging.assets import IMPORT_TN_ORDERS, MESSAGING_LOST, REMOVE_IMPORTED_TN_ORDERS
from bandwidth_hosted_messaging.callbacks.receiver import MAX_BODY_BYTES
from bandwidth_sandbox import Sandbox, SandboxConfig
from tests.receiver_server import serve_receiver

ROOT = Path(__file__).resolve().parents[4]
CALLBACK_USER = "bw-callback"
CALLBACK_PASSWORD = "cb-Pa55-not-in-logs-7f3e"
XML = {"Content-Type": "application/xml; charset=utf-8"}
AUTH = (CALLBACK_USER, CALLBACK_PASSWORD)

ORDER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<ImportTnOrder><CustomerOrderId>{coid}</CustomerOrderId><SiteId>14413</SiteId>
<Subscriber><Name>Acme Dental</Name><ServiceAddress><HouseNumber>900</HouseNumber><StreetName>Main St</StreetName>
<City>Denver</City><StateCode>CO</StateCode><Zip>80202</Zip></ServiceAddress></Subscriber>
<LoaAuthorizingPerson>Jane Doe</LoaAuthorizingPerson>
<TelephoneNumbers>{tns}</TelephoneNumbers></ImportTnOrder>"""


def notification(order_id: str, status: str = "COMPLETE", order_type: str = "importtnorders", **fields: str) -> bytes:
    """A Notification as Bandwidth sends it (optional fields as keyword arguments)."""
    parts = [
        "<SubscriptionId>sub-1</SubscriptionId>",
        f"<OrderType>{order_type}</OrderType>",
        f"<OrderId>{order_id}</OrderId>",
        f"<Status>{status}</Status>",
        *(f"<{name}>{value}</{name}>" for name, value in fields.items()),
    ]
    return f'<?xml version="1.0"?><Notification>{"".join(parts)}</Notification>'.encode()


def messaging_lost(numbers: list[str], root: str = "AccountEvent", when: str = "2026-01-02T03:04:05Z") -> bytes:
    tns = "".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in numbers)
    return (
        f"<{root}><AccountId>9900000</AccountId><EventType>MESSAGING_LOST</EventType><EventTime>{when}</EventTime>"
        f"<ImpactedTelephoneNumbers>{tns}</ImpactedTelephoneNumbers></{root}>"
    ).encode()


def events_on(asset, **match) -> list[dict]:
    """Extras of the events recorded on ``asset`` whose extra contains ``match``."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        extras = session.scalars(
            select(AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == asset.name)
            .order_by(AssetEvent.id)
        ).all()
    return [e for e in extras if all(e.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def callback_connection() -> Iterator[None]:
    """The ``bandwidth_callback`` connection (as the API server would read it, from the environment)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "AIRFLOW_CONN_BANDWIDTH_CALLBACK",
            json.dumps({"conn_type": "http", "login": CALLBACK_USER, "password": CALLBACK_PASSWORD}),
        )
        mp.delenv("BANDWIDTH_CALLBACK_CONN_ID", raising=False)
        yield


@pytest.fixture(scope="module")
def notifications_dag(airflow_db):
    """Parse dags/bandwidth_notifications.py and sync it to the DB (what the dag-processor does): the assets exist."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    dag_file = ROOT / "dags" / "bandwidth_notifications.py"
    bag = DagBag(dag_folder=dag_file, bundle_path=ROOT / "dags", bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag.get_dag("bandwidth_notifications")


@pytest.fixture(scope="module")
def receiver(callback_connection, notifications_dag) -> Iterator[str]:
    """The callback app under uvicorn on a free loopback port, mounted at /bandwidth as the API server does."""
    with serve_receiver() as url:
        yield url


@pytest.fixture(scope="module")
def fast_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(order_seconds=0.3)) as sb:
        yield sb


def post(url: str, body: bytes, auth=AUTH, headers=XML, **kw) -> requests.Response:
    return requests.post(url, data=body, auth=auth, headers=headers, timeout=10, **kw)


def subscribe(sb: Sandbox, order_type: str, url: str) -> None:
    cfg = sb.config
    body = (
        f"<Subscription><OrderType>{order_type}</OrderType><CallbackSubscription><URL>{url}</URL>"
        f"<CallbackCredentials><BasicAuthentication><Username>{CALLBACK_USER}</Username>"
        f"<Password>{CALLBACK_PASSWORD}</Password></BasicAuthentication></CallbackCredentials>"
        f"</CallbackSubscription></Subscription>"
    )
    resp = requests.post(
        f"{sb.base_url}/accounts/{cfg.account_id}/subscriptions",
        data=body,
        auth=(cfg.username, cfg.password),
        headers=XML,
        timeout=10,
    )
    assert resp.status_code == 201, resp.text


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def test_sandbox_deliveries_pass_the_basic_challenge_and_become_asset_events(fast_sandbox, receiver):
    sb = fast_sandbox
    cfg = sb.config
    subscribe(sb, "importtnorders", receiver)
    subscribe(sb, "removeImportedTnOrders", receiver)
    account = f"{sb.base_url}/accounts/{cfg.account_id}"
    sandbox_auth = (cfg.username, cfg.password)

    resp = requests.post(
        f"{account}/importTnOrders",
        data=ORDER_XML.format(coid="cb-e2e-1", tns="<TelephoneNumber>3035550140</TelephoneNumber>"),
        auth=sandbox_auth,
        headers=XML,
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    import_id = resp.headers["Location"].rsplit("/", 1)[-1]
    wait_for(lambda: events_on(IMPORT_TN_ORDERS, order_id=import_id, status="COMPLETE"))

    resp = requests.post(
        f"{account}/removeImportedTnOrders",
        data=b"<RemoveImportedTnOrder><CustomerOrderId>cb-e2e-rm</CustomerOrderId><TelephoneNumbers>"
        b"<TelephoneNumber>3035550140</TelephoneNumber></TelephoneNumbers></RemoveImportedTnOrder>",
        auth=sandbox_auth,
        headers=XML,
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    remove_id = resp.headers["Location"].rsplit("/", 1)[-1]
    wait_for(lambda: events_on(REMOVE_IMPORTED_TN_ORDERS, order_id=remove_id, status="COMPLETE"))
    assert sb.wait_callbacks()

    # The challenge end to end: every notification was sent without credentials, refused with 401, re-sent with them.
    deliveries = [d for d in sb.callbacks() if d["order_id"] in (import_id, remove_id)]
    by_notification: dict[tuple, list] = {}
    for d in deliveries:
        attempt = (d["attempt"], d["with_auth"], d["http_status"])
        by_notification.setdefault((d["order_id"], d["status"]), []).append(attempt)
    assert {key[1] for key in by_notification} >= {"PROCESSING", "COMPLETE"}
    for attempts in by_notification.values():
        assert sorted(attempts) == [(1, False, 401), (2, True, 200)]

    imported = events_on(IMPORT_TN_ORDERS, order_id=import_id)
    assert [e["status"] for e in imported] == ["PROCESSING", "COMPLETE"]
    complete = imported[-1]
    assert complete["order_type"].lower() == "importtnorders"
    assert complete["customer_order_id"] == "cb-e2e-1"
    assert complete["subscription_id"] and complete["last_modified_date"]
    assert set(complete) == {
        "order_id",
        "order_type",
        "status",
        "customer_order_id",
        "message",
        "note",
        "subscription_id",
        "last_modified_date",
    }
    removed = events_on(REMOVE_IMPORTED_TN_ORDERS, order_id=remove_id)
    assert [e["status"] for e in removed] == ["PROCESSING", "COMPLETE"]
    assert removed[-1]["customer_order_id"] == "cb-e2e-rm"


def test_a_repeated_notification_is_recorded_once_and_late_ones_still_count(receiver):
    order_id = str(uuid.uuid4())
    complete = notification(order_id, "COMPLETE", CustomerOrderId="dup-1", LastModifiedDate="2026-01-01T00:00:01Z")
    for _ in range(3):
        assert post(receiver, complete).status_code == 200
    # Out of order: PROCESSING arrives after COMPLETE; it is a different notification and is kept.
    processing = notification(order_id, "processing", CustomerOrderId="dup-1", LastModifiedDate="2026-01-01T00:00:00Z")
    assert post(receiver, processing).status_code == 200
    assert post(receiver, processing).status_code == 200

    events = events_on(IMPORT_TN_ORDERS, order_id=order_id)
    assert [e["status"] for e in events] == ["COMPLETE", "PROCESSING"]
    assert events[0] == {
        "order_id": order_id,
        "order_type": "importtnorders",
        "status": "COMPLETE",
        "customer_order_id": "dup-1",
        "message": None,
        "note": None,
        "subscription_id": "sub-1",
        "last_modified_date": "2026-01-01T00:00:01Z",
    }


def test_concurrent_copies_of_one_notification_make_one_event(receiver):
    order_id = str(uuid.uuid4())
    body = notification(order_id, "PARTIAL", LastModifiedDate="2026-01-01T00:00:02.000Z")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(post(receiver, body).status_code)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert results == [200] * 6
    assert len(events_on(IMPORT_TN_ORDERS, order_id=order_id)) == 1


RECORD_IN_ANOTHER_PROCESS = """
import sys
from bandwidth_hosted_messaging.callbacks.recording import record_notification
from bandwidth_hosted_messaging.callbacks.notifications import parse_notification
print(record_notification(parse_notification(sys.stdin.buffer.read())))
"""


def test_another_api_server_process_sees_the_recorded_notification_as_a_duplicate(receiver):
    order_id = str(uuid.uuid4())
    body = notification(order_id, "EXCEPTION", LastModifiedDate="2026-01-01T00:00:03.000Z")
    assert post(receiver, body).status_code == 200
    other_worker = subprocess.run(
        [sys.executable, "-c", RECORD_IN_ANOTHER_PROCESS],
        input=body,
        capture_output=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert other_worker.returncode == 0, other_worker.stderr.decode()[-2000:]
    assert other_worker.stdout.decode().split()[-1] == "duplicate"
    assert len(events_on(IMPORT_TN_ORDERS, order_id=order_id)) == 1


def test_fields_are_read_by_name_in_any_order_and_case(receiver):
    order_id = str(uuid.uuid4())
    body = (
        f"<notification><note>LOA received</note><STATUS>Complete</STATUS><orderid>{order_id}</orderid>"
        f"<Message>Remove order processed</Message><ordertype>removeImportedTnOrders</ordertype></notification>"
    ).encode()
    assert post(receiver, body, headers={"Content-Type": "text/xml; charset=ISO-8859-1"}).status_code == 200
    (event,) = events_on(REMOVE_IMPORTED_TN_ORDERS, order_id=order_id)
    assert (event["status"], event["note"], event["message"]) == ("COMPLETE", "LOA received", "Remove order processed")
    assert event["customer_order_id"] is None and event["subscription_id"] is None


def test_no_credentials_get_the_basic_challenge(receiver):
    resp = post(receiver, notification(str(uuid.uuid4())), auth=None)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="bandwidth"'


@pytest.mark.parametrize(
    "auth",
    [(CALLBACK_USER, "wrong-password"), ("mallory", CALLBACK_PASSWORD), ("mallory", "wrong-password")],
    ids=["wrong-password", "wrong-username", "both-wrong"],
)
def test_wrong_credentials_are_refused_and_the_password_never_logged(receiver, caplog, auth):
    order_id = str(uuid.uuid4())
    with caplog.at_level(logging.DEBUG):
        resp = post(receiver, notification(order_id), auth=auth)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="bandwidth"'
    refusals = [r.getMessage() for r in caplog.records if "wrong credentials" in r.getMessage()]
    assert len(refusals) == 1 and "127.0.0.1" in refusals[0]
    assert "mallory" not in caplog.text and CALLBACK_USER not in caplog.text
    assert auth[1] not in caplog.text and CALLBACK_PASSWORD not in caplog.text
    assert events_on(IMPORT_TN_ORDERS, order_id=order_id) == []


def test_a_malformed_authorization_header_gets_the_challenge(receiver):
    for header in ("Bearer abc", "Basic !!!not-base64!!!", "Basic " + "bm8tY29sb24="):
        resp = requests.post(receiver, data=notification("x"), headers={**XML, "Authorization": header}, timeout=10)
        assert resp.status_code == 401 and resp.headers["WWW-Authenticate"] == 'Basic realm="bandwidth"'


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Notification><OrderType>importtnorders</OrderType><OrderId>&lol2;</OrderId></Notification>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE n [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Notification><OrderType>importtnorders</OrderType><OrderId>&xxe;</OrderId></Notification>"""


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (b"<Notification><OrderId>1</OrderId>", XML, 400),
        (b"not xml at all", XML, 400),
        (b"", XML, 400),
        (BILLION_LAUGHS, XML, 400),
        (XXE, XML, 400),
        (b"<Other><OrderType>importtnorders</OrderType><OrderId>1</OrderId></Other>", XML, 400),
        (b"<Notification><OrderType>importtnorders</OrderType></Notification>", XML, 400),
        (b"<Notification><Status>COMPLETE</Status></Notification>", XML, 400),
        (b"<Notification>" + b"<Note>x</Note>" * (MAX_BODY_BYTES // 13) + b"</Notification>", XML, 413),
        (notification("json-1"), {"Content-Type": "application/json"}, 415),
        (notification("json-2"), {}, 415),
    ],
    ids=[
        "unclosed",
        "not-xml",
        "empty",
        "billion-laughs",
        "xxe",
        "wrong-root",
        "no-order-id",
        "neither-kind",
        "oversized",
        "json",
        "no-content-type",
    ],
)
def test_bad_bodies_are_refused_and_the_app_keeps_serving(receiver, caplog, body, headers, expected):
    with caplog.at_level(logging.WARNING, logger="bandwidth_hosted_messaging.callbacks"):
        resp = post(receiver, body, headers=headers)
    assert resp.status_code == expected
    assert any(r.name == "bandwidth_hosted_messaging.callbacks" and "refused" in r.getMessage() for r in caplog.records)
    order_id = str(uuid.uuid4())
    assert post(receiver, notification(order_id)).status_code == 200
    assert len(events_on(IMPORT_TN_ORDERS, order_id=order_id)) == 1


def test_an_oversized_chunked_body_is_cut_off(receiver):
    def chunks():
        for _ in range(20):
            yield b"<Note>" + b"x" * 8000 + b"</Note>"

    resp = requests.post(receiver, data=chunks(), auth=AUTH, headers=XML, timeout=10)
    assert resp.status_code == 413


def test_without_the_connection_every_callback_gets_503(receiver, caplog, monkeypatch):
    monkeypatch.setenv("BANDWIDTH_CALLBACK_CONN_ID", "bandwidth_callback_not_defined")
    order_id = str(uuid.uuid4())
    with caplog.at_level(logging.ERROR, logger="bandwidth_hosted_messaging.callbacks"):
        assert post(receiver, notification(order_id)).status_code == 503
        assert post(receiver, notification(order_id), auth=None).status_code == 503
    assert "'bandwidth_callback_not_defined' is not defined" in caplog.text
    assert events_on(IMPORT_TN_ORDERS, order_id=order_id) == []


def test_the_connection_id_can_be_overridden(receiver, monkeypatch):
    monkeypatch.setenv("BANDWIDTH_CALLBACK_CONN_ID", "other_callback")
    other = {"conn_type": "http", "login": "u2", "password": "p2"}
    monkeypatch.setenv("AIRFLOW_CONN_OTHER_CALLBACK", json.dumps(other))
    assert post(receiver, notification(str(uuid.uuid4()))).status_code == 401
    assert post(receiver, notification(str(uuid.uuid4())), auth=("u2", "p2")).status_code == 200


def test_messaging_lost_is_recorded_on_its_asset_once(receiver):
    numbers = ["+13035550177", "+13035550178"]
    assert post(receiver, messaging_lost(numbers)).status_code == 200
    assert post(receiver, messaging_lost(list(reversed(numbers)), root="Notification")).status_code == 200  # same event
    later = messaging_lost(["+13035550177"], when="2026-01-03T00:00:00Z")
    assert post(receiver, later).status_code == 200

    events = [e for e in events_on(MESSAGING_LOST, event_type="MESSAGING_LOST") if "+13035550177" in e["numbers"]]
    assert [e["numbers"] for e in events] == [numbers, ["+13035550177"]]
    assert events[0]["account_id"] == "9900000" and events[0]["event_time"] == "2026-01-02T03:04:05Z"


def test_unknown_order_types_and_events_are_acknowledged_but_not_recorded(receiver):
    assert post(receiver, notification("p-1", order_type="portins")).status_code == 200
    assert post(receiver, b"<Event><EventType>SOMETHING_ELSE</EventType></Event>").status_code == 200


def test_an_event_queues_the_notifications_dag_and_its_task_logs_each_extra(receiver, notifications_dag, caplog):
    from airflow.models.asset import AssetDagRunQueue, AssetModel, DagScheduleAssetReference
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select, update

    with create_session() as session:
        scheduled_on = session.scalars(
            select(AssetModel.name)
            .join(DagScheduleAssetReference, DagScheduleAssetReference.asset_id == AssetModel.id)
            .where(DagScheduleAssetReference.dag_id == "bandwidth_notifications")
        ).all()
    assert set(scheduled_on) == {IMPORT_TN_ORDERS.name, REMOVE_IMPORTED_TN_ORDERS.name, MESSAGING_LOST.name}
    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == "bandwidth_notifications").values(is_paused=False))
    try:
        assert post(receiver, notification(str(uuid.uuid4()), "FAILED")).status_code == 200
        with create_session() as session:
            queued = session.scalars(
                select(AssetModel.name)
                .join(AssetDagRunQueue, AssetDagRunQueue.asset_id == AssetModel.id)
                .where(AssetDagRunQueue.target_dag_id == "bandwidth_notifications")
            ).all()
        assert IMPORT_TN_ORDERS.name in queued
    finally:
        with create_session() as session:
            session.execute(update(DagModel).where(DagModel.dag_id == "bandwidth_notifications").values(is_paused=True))

    class Event:
        timestamp = "2026-01-01T00:00:00Z"
        extra = {"order_id": "o-1", "status": "COMPLETE"}

    task = notifications_dag.get_task("log_notifications")
    with caplog.at_level(logging.INFO):
        assert task.python_callable(triggering_asset_events={IMPORT_TN_ORDERS: [Event(), Event()]}) == 2
    assert "'order_id': 'o-1'" in caplog.text


class _Records(logging.Handler):
    """Every record of the loggers it is attached to, formatted with its traceback (if any)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not any(r is record for r in self.records):  # attached to a logger and its ancestors: once each
            self.records.append(record)

    def texts(self) -> list[str]:
        return [self.format(r) for r in self.records]


@pytest.fixture
def all_logs() -> Iterator[_Records]:
    """Records of our loggers and of uvicorn's (which does not propagate to the root logger caplog watches)."""
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "bandwidth_hosted_messaging")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
    logging.getLogger("bandwidth_hosted_messaging").setLevel(logging.DEBUG)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_a_client_disconnecting_mid_body_ends_quietly_without_a_traceback(receiver, all_logs):
    from urllib.parse import urlsplit

    url = urlsplit(receiver)
    credentials = base64.b64encode(f"{CALLBACK_USER}:{CALLBACK_PASSWORD}".encode()).decode()
    head = (
        f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Basic {credentials}\r\n"
        "Content-Type: application/xml\r\nContent-Length: 5000\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"<Notification>" + b"x" * 86)  # 100 of the 5000 bytes announced
        time.sleep(0.3)  # the app is reading the body when the client goes
    # Wait for the app to be done with it: a line about the disconnect, or (before the fix) a traceback.
    wait_for(lambda: any("disconnected" in r.getMessage() or r.exc_info for r in all_logs.records))

    order_id = str(uuid.uuid4())
    assert post(receiver, notification(order_id)).status_code == 200  # the server still answers
    assert len(events_on(IMPORT_TN_ORDERS, order_id=order_id)) == 1
    texts = all_logs.texts()
    assert not any("Traceback" in t or "Exception in ASGI application" in t for t in texts), texts
    assert not any(r.exc_info for r in all_logs.records)
    disconnected = [r for r in all_logs.records if "disconnected" in r.getMessage()]
    assert len(disconnected) == 1 and disconnected[0].levelno == logging.WARNING
    assert "\n" not in disconnected[0].getMessage() and len(disconnected[0].getMessage()) < 200


def test_a_failed_login_never_logs_the_submitted_username(receiver, caplog, all_logs):
    with caplog.at_level(logging.DEBUG):
        resp = post(receiver, notification(str(uuid.uuid4())), auth=("hunter2-secret", "wrong-password"))
    assert resp.status_code == 401
    texts = all_logs.texts() + [r.getMessage() for r in caplog.records]
    assert not any("hunter2-secret" in t for t in texts), texts
    assert "hunter2-secret" not in caplog.text
    (refusal,) = [r.getMessage() for r in all_logs.records if "wrong credentials" in r.getMessage()]
    assert refusal == "Bandwidth callback refused: wrong credentials from 127.0.0.1"


FORGED = "\n2026-12-01 INFO forged"
#: Line breaks of every kind: LF, CR (as a character reference: XML turns a literal CR into LF), TAB, NEL, U+2028.
LINE_BREAKS = ("\n", "\r", "\t", "\x85", "\u2028", "\u2029")


def test_control_characters_in_a_notification_cannot_forge_a_log_line(receiver, all_logs):
    order_id = str(uuid.uuid4())
    body = notification(
        order_id,
        status="COMPLETE" + FORGED,
        Message="Order processed" + FORGED + "&#13;2026-12-01 INFO cr\tend\x85nel\u2028ls",
        Note="LOA received" + FORGED,
    )
    assert post(receiver, body).status_code == 200

    (event,) = events_on(IMPORT_TN_ORDERS, order_id=order_id)
    for field in ("status", "message", "note"):
        assert not any(c in event[field] for c in LINE_BREAKS), (field, event[field])
    assert event["message"] == "Order processed 2026-12-01 INFO forged 2026-12-01 INFO cr end nel ls"
    assert event["status"] == "COMPLETE 2026-12-01 INFO FORGED"
    logged = [r.getMessage() for r in all_logs.records]
    assert any(order_id in m for m in logged), logged
    assert not any(c in m for m in logged for c in LINE_BREAKS), logged


def test_a_10000_character_note_is_stored_truncated(receiver):
    order_id = str(uuid.uuid4())
    body = notification(order_id, Note="n" * 10_000, Message="m" * 10_000, LastModifiedDate="d" * 10_000)
    assert post(receiver, body).status_code == 200
    (event,) = events_on(IMPORT_TN_ORDERS, order_id=order_id)
    assert event["note"] == "n" * 255 + "…"
    assert event["message"] == "m" * 255 + "…"
    assert event["last_modified_date"] == "d" * 255 + "…"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("OrderId", "../../x"),
        ("OrderId", "a" * 300),
        ("OrderId", "a" * 65),
        ("OrderId", "abc\n2026-12-01 INFO forged"),
        ("OrderId", "abc def"),
        ("SubscriptionId", "../../x"),
        ("SubscriptionId", "s" * 300),
        ("CustomerOrderId", "../../x"),
        ("CustomerOrderId", "c" * 300),
    ],
    ids=[
        "order-id-path",
        "order-id-300-chars",
        "order-id-65-chars",
        "order-id-newline",
        "order-id-space",
        "subscription-id-path",
        "subscription-id-300-chars",
        "customer-order-id-path",
        "customer-order-id-300-chars",
    ],
)
def test_an_id_of_an_unsafe_shape_or_length_is_refused_and_nothing_recorded(receiver, all_logs, field, value):
    order_id = value if field == "OrderId" else str(uuid.uuid4())
    parts = {"OrderId": order_id, "SubscriptionId": "sub-1", "CustomerOrderId": "coid-1", field: value}
    body = (
        "<Notification><OrderType>importtnorders</OrderType><Status>COMPLETE</Status>"
        + "".join(f"<{name}>{text}</{name}>" for name, text in parts.items())
        + "</Notification>"
    ).encode()
    assert post(receiver, body).status_code == 400
    assert events_on(IMPORT_TN_ORDERS, order_id=order_id) == []
    key = {"OrderId": "order_id", "SubscriptionId": "subscription_id", "CustomerOrderId": "customer_order_id"}[field]
    assert events_on(IMPORT_TN_ORDERS, **{key: value}) == []
    (refusal,) = [r.getMessage() for r in all_logs.records if "refused" in r.getMessage()]
    assert field in refusal and "\n" not in refusal and len(refusal) < 300


def test_ids_of_the_right_shape_are_accepted(receiver):
    order_id = str(uuid.uuid4())
    body = notification(order_id, CustomerOrderId="Acme Dental 2026-01", LastModifiedDate="2026-01-01T00:00:09Z")
    assert post(receiver, body).status_code == 200
    (event,) = events_on(IMPORT_TN_ORDERS, order_id=order_id)
    assert event["customer_order_id"] == "Acme Dental 2026-01" and event["subscription_id"] == "sub-1"
    assert post(receiver, notification("a" * 64, LastModifiedDate="2026-01-01T00:00:09Z")).status_code == 200


def test_account_event_numbers_must_look_like_telephone_numbers_and_are_bounded(receiver, monkeypatch):
    from bandwidth_hosted_messaging.callbacks import notifications

    def lost_events() -> int:
        return len(events_on(MESSAGING_LOST, event_type="MESSAGING_LOST"))

    before = lost_events()
    for bad in ("3035550x77", "+1303555017799999", "303-555-0177", "\u0663\u0660\u0663", "3035550177\nforged"):
        assert post(receiver, messaging_lost([bad], when="2026-02-01T00:00:00Z")).status_code == 400, bad
    monkeypatch.setattr(notifications, "MAX_NUMBERS", 3)
    four = ["+13035550191", "+13035550192", "+13035550193", "+13035550194"]
    assert post(receiver, messaging_lost(four, when="2026-02-01T00:00:01Z")).status_code == 400
    assert lost_events() == before
    assert post(receiver, messaging_lost(["+13035550191", *four[1:3]], when="2026-02-01T00:00:02Z")).status_code == 200
    assert lost_events() == before + 1


def test_account_events_are_read_in_either_number_format():
    """A v1-created (LEGACY) subscription delivers ten digits, a v2 one E.164: both are the same numbers."""
    from bandwidth_hosted_messaging.callbacks.notifications import parse_notification

    body = (
        b"<Notification><EventType>MESSAGING_LOST</EventType><ImpactedTelephoneNumbers>"
        b"<TelephoneNumber>3035550100</TelephoneNumber><TelephoneNumber>+13035550101</TelephoneNumber>"
        b"</ImpactedTelephoneNumbers></Notification>"
    )
    assert parse_notification(body).numbers == ("+13035550100", "+13035550101")


def stored_ring(asset):
    """The wake-up ring as the receiver stored it on ``asset`` (read as the execution API reads it)."""
    from airflow._shared.state import AssetScope
    from airflow.models.asset import AssetModel
    from airflow.state import get_state_backend
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from bandwidth_hosted_messaging.triggers.wake_ring import RING_KEY, Ring

    with create_session() as session:
        asset_id = session.scalar(select(AssetModel.id).where(AssetModel.name == asset.name))
        raw = get_state_backend().get(AssetScope(asset_id=asset_id), RING_KEY, session=session)
    return Ring.parse(json.loads(raw) if raw else None)


def test_final_statuses_go_on_the_wake_up_ring_once_and_others_do_not(receiver):
    order_id = str(uuid.uuid4())
    before = stored_ring(IMPORT_TN_ORDERS).seq
    for status in ("RECEIVED", "PROCESSING", "COMPLETE", "COMPLETE"):  # the last one is a duplicate
        assert post(receiver, notification(order_id, status)).status_code == 200
    ring = stored_ring(IMPORT_TN_ORDERS)
    mine = [w for w in ring.recent if w.order_id == order_id]
    assert [w.status for w in mine] == ["COMPLETE"]
    assert ring.seq == before + 1
    assert abs(mine[0].at - time.time()) < 60
    removal = str(uuid.uuid4())
    assert post(receiver, notification(removal, "FAILED", "removeImportedTnOrders")).status_code == 200
    assert [w.order_id for w in stored_ring(REMOVE_IMPORTED_TN_ORDERS).recent][-1] == removal
    assert removal not in {w.order_id for w in stored_ring(IMPORT_TN_ORDERS).recent}


def test_each_subscription_s_last_callback_is_noted_for_the_subscription_memory(receiver):
    """Any authenticated callback, a duplicate or a non-final one too, shows its subscription delivers."""
    from bandwidth_hosted_messaging.hooks.subscription_memory import SEEN_KEY

    def seen(asset) -> dict:
        from airflow._shared.state import AssetScope
        from airflow.models.asset import AssetModel
        from airflow.state import get_state_backend
        from airflow.utils.session import create_session
        from sqlalchemy import select

        with create_session() as session:
            asset_id = session.scalar(select(AssetModel.id).where(AssetModel.name == asset.name))
            raw = get_state_backend().get(AssetScope(asset_id=asset_id), SEEN_KEY, session=session)
        return json.loads(raw) if raw else {}

    order_id, sub_id = str(uuid.uuid4()), f"sub-{uuid.uuid4().hex[:8]}"
    processing = notification(order_id, "PROCESSING").replace(b">sub-1<", f">{sub_id}<".encode())
    before = time.time()
    assert post(receiver, processing).status_code == 200
    first = seen(IMPORT_TN_ORDERS)[sub_id]
    assert before <= first <= time.time()
    assert post(receiver, processing).status_code == 200  # a duplicate: noted again
    second = seen(IMPORT_TN_ORDERS)[sub_id]
    assert second >= first
    assert post(receiver, processing, auth=("someone", "else")).status_code == 401  # refused: not noted
    assert seen(IMPORT_TN_ORDERS)[sub_id] == second
    assert sub_id not in seen(REMOVE_IMPORTED_TN_ORDERS)


def test_concurrent_callbacks_of_many_orders_lose_no_ring_entry(receiver):
    """Eight callbacks in parallel in this API server and four in another process: every order is on the ring."""
    in_here = [str(uuid.uuid4()) for _ in range(8)]
    elsewhere = [str(uuid.uuid4()) for _ in range(4)]
    before = stored_ring(IMPORT_TN_ORDERS).seq
    script = RECORD_IN_ANOTHER_PROCESS.replace(
        "print(record_notification(parse_notification(sys.stdin.buffer.read())))",
        "for line in sys.stdin.buffer.read().split(b'\\n'):\n    print(record_notification(parse_notification(line)))",
    )
    other = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda o=o: results.append(post(receiver, notification(o, "COMPLETE")).status_code))
        for o in in_here
    ]
    for t in threads:
        t.start()
    out, err = other.communicate(b"\n".join(notification(o, "FAILED") for o in elsewhere), timeout=60)
    for t in threads:
        t.join(15)
    assert other.returncode == 0, err.decode()[-2000:]
    outcomes = [line for line in out.decode().splitlines() if line in ("recorded", "duplicate", "no_asset", "ignored")]
    assert results == [200] * 8 and outcomes == ["recorded"] * 4
    ring = stored_ring(IMPORT_TN_ORDERS)
    assert {w.order_id for w in ring.recent} >= set(in_here) | set(elsewhere)
    assert ring.seq == before + 12
