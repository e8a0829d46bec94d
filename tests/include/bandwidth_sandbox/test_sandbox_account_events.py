"""Account events: POST /_sandbox/lose takes numbers out of service and notifies MESSAGING_LOST subscriptions."""

from __future__ import annotations

import time

import requests
import xmltodict
from sandbox_helpers import parse


def subscribe(api, url, kind="<EventType>MESSAGING_LOST</EventType>", user="cb-user", password="cb-pass"):
    body = (
        f"<Subscription>{kind}<CallbackSubscription><URL>{url}</URL><CallbackCredentials><BasicAuthentication>"
        f"<Username>{user}</Username><Password>{password}</Password></BasicAuthentication></CallbackCredentials>"
        "</CallbackSubscription></Subscription>"
    )
    r = api("POST", "subscriptions", data=body)
    assert r.status_code == 201, r.text
    return r.headers["Location"].rsplit("/", 1)[-1]


def lose(sb, numbers):
    return requests.post(f"{sb.root_url}/_sandbox/lose", json={"numbers": numbers}, timeout=5)


def test_lost_numbers_leave_service_and_only_event_subscriptions_are_notified_after_the_challenge(api, receiver):
    receiver.mode = "challenge"
    event_sub = subscribe(api, receiver.url)
    subscribe(api, receiver.url + "/orders", kind="<OrderType>importtnorders</OrderType>")
    listed = parse(api("GET", "subscriptions"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"]
    by_id = {s["SubscriptionId"]: s for s in listed}
    assert by_id[event_sub]["EventType"] == "MESSAGING_LOST" and "OrderType" not in by_id[event_sub]
    api.sb.seed(in_service=["3035550100", "3035550101"])

    r = lose(api.sb, ["3035550100", "3035550177"])
    assert r.status_code == 200 and r.json() == {"lost": ["3035550100"], "not_in_service": ["3035550177"]}
    assert api("GET", "inserviceNumbers/3035550100").status_code == 404
    assert api("GET", "inserviceNumbers/3035550101").status_code == 200
    assert api.sb.wait_callbacks()

    assert [h["path"] for h in receiver.hits] == ["/bandwidth/callbacks"] * 2  # challenged, then re-sent
    assert receiver.hits[0]["auth"] is None and receiver.hits[1]["auth"].startswith("Basic ")
    body = receiver.hits[1]["body"]
    assert body.startswith('<?xml version="1.0"?><Notification>')
    doc = xmltodict.parse(body, force_list=("TelephoneNumber",))["Notification"]
    assert doc == {
        "SubscriptionId": event_sub,
        "EventType": "MESSAGING_LOST",
        "ImpactedTelephoneNumbers": {"TelephoneNumber": ["3035550100"]},
    }
    log = api.sb.callbacks()
    assert [(e["attempt"], e["with_auth"], e["http_status"]) for e in log] == [(1, False, 401), (2, True, 200)]
    assert all(e["event_type"] == "MESSAGING_LOST" and e["numbers"] == ["3035550100"] for e in log)
    assert all(e["order_id"] is None and e["order_type"] is None for e in log)


def test_a_failed_event_delivery_is_never_retried(sandbox, api, receiver):
    receiver.mode = "fail"
    subscribe(api, receiver.url)
    sandbox.seed(in_service=["3035550102", "3035550103"])
    assert sandbox.lose(["3035550102", "3035550103"]) == {"lost": ["3035550102", "3035550103"], "not_in_service": []}
    assert sandbox.wait_callbacks()
    time.sleep(0.3)
    assert len(receiver.hits) == 1 and "<TelephoneNumber>3035550103</TelephoneNumber>" in receiver.hits[0]["body"]


def test_nothing_in_service_nothing_notified_and_removing_never_reports_a_loss(api, receiver):
    subscribe(api, receiver.url)
    assert api.sb.lose(["3035550104"]) == {"lost": [], "not_in_service": ["3035550104"]}
    api.sb.seed(in_service=["3035550105"])
    r = api(
        "POST",
        "removeImportedTnOrders",
        data="<RemoveImportedTnOrder><TelephoneNumbers><TelephoneNumber>3035550105</TelephoneNumber>"
        "</TelephoneNumbers></RemoveImportedTnOrder>",
    )
    assert r.status_code == 201
    api.wait_order(api.order_id(r), path="removeImportedTnOrders")
    assert api.sb.wait_callbacks()
    assert receiver.hits == []


def test_lose_needs_a_list_of_numbers(sandbox):
    for body in ({}, {"numbers": []}, {"numbers": "3035550100"}):
        r = requests.post(f"{sandbox.root_url}/_sandbox/lose", json=body, timeout=5)
        assert r.status_code == 400 and "numbers" in r.json()["error"]


def test_event_subscriptions_need_an_event_or_order_type_and_duplicates_are_refused(api):
    subscribe(api, "https://ok.example/cb")
    r = api(
        "POST",
        "subscriptions",
        data="<Subscription><EventType>messaging_lost</EventType><CallbackSubscription>"
        "<URL>https://ok.example/cb</URL></CallbackSubscription></Subscription>",
    )
    assert r.status_code == 409
    # the same URL for orders is another subscription
    subscribe(api, "https://ok.example/cb", kind="<OrderType>importtnorders</OrderType>")
    r = api(
        "POST",
        "subscriptions",
        data="<Subscription><CallbackSubscription><URL>https://ok.example/x</URL>"
        "</CallbackSubscription></Subscription>",
    )
    assert r.status_code == 404 and parse(r)["SubscriptionResponse"]["ResponseStatus"]["ErrorCode"] == "14500"
