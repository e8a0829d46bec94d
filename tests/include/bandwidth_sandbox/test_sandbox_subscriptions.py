"""Subscriptions CRUD and callback delivery (Basic-auth challenge, no retry)."""

from __future__ import annotations

import time

import requests
from sandbox_helpers import parse, wait_for


def sub_xml(url, order_type="importtnorders", expiry=None, user=None, password=None, order_id=None):
    creds = ""
    if user is not None or password is not None:
        creds = (
            "<CallbackCredentials><BasicAuthentication>"
            + (f"<Username>{user}</Username>" if user is not None else "")
            + (f"<Password>{password}</Password>" if password is not None else "")
            + "</BasicAuthentication></CallbackCredentials>"
        )
    return (
        f"<Subscription><OrderType>{order_type}</OrderType>"
        + (f"<OrderId>{order_id}</OrderId>" if order_id else "")
        + f"<CallbackSubscription><URL>{url}</URL>"
        + (f"<Expiry>{expiry}</Expiry>" if expiry is not None else "")
        + creds
        + "</CallbackSubscription></Subscription>"
    )


def create_sub(api, *args, **kw):
    r = api("POST", "subscriptions", data=sub_xml(*args, **kw))
    assert r.status_code == 201, r.text
    assert r.content == b""
    return r.headers["Location"].rsplit("/", 1)[-1]


def test_crud(api):
    sid = create_sub(api, "https://example.com/cb", user="u", password="secret-pw")
    doc = parse(api("GET", "subscriptions"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"]
    assert len(doc) == 1
    sub = doc[0]
    assert sub["SubscriptionId"] == sid and sub["OrderType"] == "importtnorders"
    cb = sub["CallbackSubscription"]
    assert cb["URL"] == "https://example.com/cb" and cb["Status"] == "READY"
    assert 86390 <= int(cb["Expiry"]) <= 86400
    assert cb["CallbackCredentials"]["BasicAuthentication"] == {"Username": "u"}
    one = api("GET", f"subscriptions/{sid}")
    assert "secret-pw" not in one.text and "Password" not in one.text
    assert parse(one)["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0]["SubscriptionId"] == sid
    r = api("PUT", f"subscriptions/{sid}", data=sub_xml("https://example.com/other", expiry=600))
    assert r.status_code == 200
    cb = parse(api("GET", f"subscriptions/{sid}"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0][
        "CallbackSubscription"
    ]
    assert cb["URL"] == "https://example.com/other" and int(cb["Expiry"]) <= 600
    assert "CallbackCredentials" not in cb  # PUT overwrites fully
    assert api("DELETE", f"subscriptions/{sid}").status_code == 200
    r = api("GET", f"subscriptions/{sid}")
    assert r.status_code == 404
    assert parse(r)["SubscriptionResponse"]["ResponseStatus"]["ErrorCode"] == "16000"
    assert api("DELETE", f"subscriptions/{sid}").status_code == 404
    assert api("PUT", f"subscriptions/{sid}", data=sub_xml("https://x.example")).status_code == 404
    names = [e["endpoint"] for e in api.sb.requests()]
    assert names[:5] == [
        "subscriptions.create",
        "subscriptions.list",
        "subscriptions.get",
        "subscriptions.update",
        "subscriptions.get",
    ]
    assert "secret-pw" not in str(api.sb.requests())


def test_validation_and_duplicates(api):
    def code(r):
        return parse(r)["SubscriptionResponse"]["ResponseStatus"]["ErrorCode"]

    r = api("POST", "subscriptions", data=sub_xml(""))
    assert r.status_code == 404 and code(r) == "14503"
    r = api("POST", "subscriptions", data=sub_xml("ftp://nope"))
    assert r.status_code == 404 and code(r) == "14506"
    r = api("POST", "subscriptions", data=sub_xml("https://ok.example", user="only"))
    assert r.status_code == 404 and code(r) == "14505"
    create_sub(api, "https://ok.example")
    r = api("POST", "subscriptions", data=sub_xml("https://ok.example"))
    assert r.status_code == 409 and code(r) == "16008"


def test_expiry_counts_down_and_expires(api):
    sid = create_sub(api, "https://ok.example", expiry=100)
    api.sb.advance(40)
    cb = parse(api("GET", f"subscriptions/{sid}"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0][
        "CallbackSubscription"
    ]
    assert 55 <= int(cb["Expiry"]) <= 60
    api.sb.advance(61)
    assert api("GET", f"subscriptions/{sid}").status_code == 404


def test_callbacks_delivered_for_each_status_change(api, receiver):
    sid = create_sub(api, receiver.url)
    create_sub(api, receiver.url + "/remove", order_type="removeImportedTnOrders")
    oid = api.order_id(api.create_order(["3035550100"], coid="cb-1"))
    api.wait_order(oid)
    assert api.sb.wait_callbacks()
    statuses = [h["body"] for h in receiver.hits]
    assert len(statuses) == 2 and "<Status>PROCESSING</Status>" in statuses[0]
    body = receiver.hits[-1]["body"]
    assert body.startswith('<?xml version="1.0"?><Notification>')
    for part in (
        f"<SubscriptionId>{sid}</SubscriptionId>",
        "<OrderType>importtnorders</OrderType>",
        f"<OrderId>{oid}</OrderId>",
        "<CustomerOrderId>cb-1</CustomerOrderId>",
        "<Status>COMPLETE</Status>",
        "<Message>",
    ):
        assert part in body
    assert receiver.hits[-1]["content_type"] == "application/xml; charset=utf-8"
    assert all(h["path"] == "/bandwidth/callbacks" for h in receiver.hits)
    log = api.sb.callbacks()
    assert [(e["status"], e["attempt"], e["with_auth"], e["http_status"]) for e in log] == [
        ("PROCESSING", 1, False, 200),
        ("COMPLETE", 1, False, 200),
    ]
    assert log[0]["subscription_id"] == sid and log[0]["order_id"] == oid and log[0]["url"] == receiver.url
    cb = parse(api("GET", f"subscriptions/{sid}"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0]
    assert cb["CallbackSubscription"]["Status"] == "200 OK"
    assert requests.get(f"{api.sb.root_url}/_sandbox/callbacks", timeout=5).json() == log


def test_basic_auth_challenge_then_credentials(api, receiver):
    receiver.mode = "challenge"
    create_sub(api, receiver.url, user="cb-user", password="cb-pass")
    api.wait_order(api.order_id(api.create_order(["3035550100"])))
    assert api.sb.wait_callbacks()
    auths = [h["auth"] for h in receiver.hits]
    assert auths[0] is None and auths[1].startswith("Basic ")
    assert len(receiver.hits) == 4  # two statuses, each challenged once
    log = api.sb.callbacks()
    assert [(e["attempt"], e["with_auth"], e["http_status"]) for e in log[:2]] == [(1, False, 401), (2, True, 200)]


def test_no_second_attempt_without_www_authenticate(api, receiver):
    receiver.mode = "challenge_no_header"
    sid = create_sub(api, receiver.url, user="cb-user", password="cb-pass")
    api.wait_order(api.order_id(api.create_order(["3035550100"])))
    assert api.sb.wait_callbacks()
    assert len(receiver.hits) == 2 and all(h["auth"] is None for h in receiver.hits)
    cb = parse(api("GET", f"subscriptions/{sid}"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0]
    assert cb["CallbackSubscription"]["Status"] == "401 Unauthorized"


def test_failed_delivery_never_retried(api, receiver):
    receiver.mode = "fail"
    create_sub(api, receiver.url)
    create_sub(api, "http://127.0.0.1:9/unreachable")
    api.wait_order(api.order_id(api.create_order(["3035550100"])))
    assert api.sb.wait_callbacks()
    time.sleep(0.3)
    assert len(receiver.hits) == 2
    log = api.sb.callbacks()
    assert sorted(e["http_status"] or 0 for e in log) == [0, 0, 500, 500]
    assert all(e["attempt"] == 1 for e in log)
    assert all(e["error"] for e in log if e["http_status"] is None)


def test_order_id_filter_and_remove_notifications(api, receiver):
    first = api.order_id(api.create_order(["3035550100"]))
    create_sub(api, receiver.url, order_id="11111111-1111-1111-1111-111111111111")
    api.wait_order(first)
    api.sb.wait_callbacks()
    assert receiver.hits == []
    create_sub(api, receiver.url, order_type="REMOVEIMPORTEDTNORDERS")
    api(
        "POST",
        "removeImportedTnOrders",
        data="<RemoveImportedTnOrder><TelephoneNumbers><TelephoneNumber>3035550100</TelephoneNumber>"
        "</TelephoneNumbers></RemoveImportedTnOrder>",
    )
    assert wait_for(lambda: len(receiver.hits) == 2)
    assert "<OrderType>removeImportedTnOrders</OrderType>" in receiver.hits[-1]["body"]
    assert "<Status>COMPLETE</Status>" in receiver.hits[-1]["body"]
    assert "<CustomerOrderId>" not in receiver.hits[-1]["body"]


def test_delivery_does_not_block_requests(api, receiver):
    import threading

    gate = threading.Event()
    original = receiver.server.RequestHandlerClass.do_POST

    def slow(handler):
        gate.wait(3)
        original(handler)

    receiver.server.RequestHandlerClass.do_POST = slow
    create_sub(api, receiver.url)
    oid = api.order_id(api.create_order(["3035550100"]))
    start = time.monotonic()
    assert api.wait_order(oid)["ProcessingStatus"] == "COMPLETE"
    assert time.monotonic() - start < 2
    gate.set()
