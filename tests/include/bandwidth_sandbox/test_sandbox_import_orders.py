"""importTnOrders: create shapes, validation errors, progression to every final status, list, history."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sandbox_helpers import ACCOUNT, USER, Api, order_xml, parse

from bandwidth_sandbox import Sandbox, SandboxConfig

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_wrapped_201(api):
    r = api.create_order(["3035550100", "3035550101"], coid="run-7 chunk-1")
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert r.text.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    order = parse(r)["ImportTnOrdersResponse"]["ImportTnOrder"]
    assert r.headers["Location"] == f"{api.url}/importTnOrders/{order['OrderId']}"
    assert order["ProcessingStatus"] == "RECEIVED"
    assert order["CustomerOrderId"] == "run-7 chunk-1"
    assert order["AccountId"] == ACCOUNT and order["CreatedByUser"] == "sandbox-user"
    assert order["SiteId"] == "14413" and order["SipPeerId"] == "521952"  # the site's default peer
    assert order["Subscriber"]["Name"] == "Acme Corp"
    assert order["Subscriber"]["ServiceAddress"]["StateCode"] == "NC"
    assert order["TelephoneNumbers"]["TelephoneNumber"] == ["3035550100", "3035550101"]
    assert ISO.match(order["OrderCreateDate"]) and ISO.match(order["LastModifiedDate"])
    assert order["Errors"] == [None]
    assert "<Errors/>" in r.text
    assert re.match(r"^[0-9a-f-]{36}$", order["OrderId"])


def test_create_flat_form_and_initial_processing():
    with Sandbox(SandboxConfig(create_response_form="flat", initial_status="PROCESSING")) as sb:
        api = Api(sb)
        r = api.create_order(["3035550100"])
        root = parse(r)["ImportTnOrderResponse"]
        assert root["ProcessingStatus"] == "PROCESSING" and root["OrderId"]


def test_request_elements_any_order_and_customer_order_id_spelling(api):
    body = (
        "<ImportTnOrder><TelephoneNumbers><TelephoneNumber>3035550100</TelephoneNumber></TelephoneNumbers>"
        "<SiteId>14413</SiteId><LoaType>CARRIER</LoaType><LoaAuthorizingPerson>J</LoaAuthorizingPerson>"
        "<Subscriber><ServiceAddress><Zip>1</Zip><StateCode>CO</StateCode><City>D</City>"
        "<StreetName>S</StreetName><HouseNumber>1</HouseNumber></ServiceAddress><Name>N</Name></Subscriber>"
        "<CustomerOrderID>abc</CustomerOrderID></ImportTnOrder>"
    )
    r = api("POST", "importTnOrders", data=body)
    assert r.status_code == 201, r.text
    order = parse(r)["ImportTnOrdersResponse"]["ImportTnOrder"]
    assert order["CustomerOrderId"] == "abc" and order["LoaType"] == "CARRIER"


def _errors(r):
    root = parse(r)["ImportTnOrderResponse"]
    assert root["ProcessingStatus"] == "FAILED"
    return {e["Code"]: e["Description"] for e in root["Errors"]}


def test_create_validation_errors(api):
    r = api("POST", "importTnOrders", data="<ImportTnOrder><TelephoneNumbers/></ImportTnOrder>")
    assert r.status_code == 400
    codes = _errors(r)
    assert "1003" in codes and "7309" in codes
    assert _errors(api.create_order(["12"]))["7201"].endswith("12")
    assert "1011" in _errors(api.create_order(["3035550100"], name="x" * 46))
    assert "1011" in _errors(api.create_order(["3035550100"], coid="c" * 41))
    assert "1010" in _errors(api.create_order(["3035550100"], coid="bad_chars!"))
    assert "7309" in _errors(api.create_order(["3035550100"], site="5001"))
    assert "7310" in _errors(api.create_order(["3035550100"], site="14414"))
    assert "7312" in _errors(api.create_order(["3035550100"], peer="999"))
    assert "7203" in _errors(api.create_order(["3035550100", "3035550100"]))
    assert api.create_order(["3035550100"], site="14414", peer="521960").status_code == 201
    assert api.create_order(["3035550101"], peer="521953").status_code == 201


def test_over_limit_400():
    with Sandbox(SandboxConfig(order_max_numbers=3)) as sb:
        r = Api(sb).create_order([f"303555010{i}" for i in range(4)])
        assert r.status_code == 400 and "7314" in _errors(r)


def test_progression_complete_with_history():
    # A long order moved on by the sandbox's clock: no real-time window for a loaded machine to miss.
    with Sandbox(SandboxConfig(order_seconds=60, tick_seconds=0.02)) as sb:
        api = Api(sb)
        try:
            _check_progression_and_history(api)
        finally:
            api.session.close()


def _check_progression_and_history(api):
    r = api.create_order(["3035550100", "3035550101"])
    oid = api.order_id(r)

    def status():
        return parse(api("GET", f"importTnOrders/{oid}"))["ImportTnOrder"]["ProcessingStatus"]

    seen = [status()]
    api.sb.advance(21)  # past a third of the order's 60 s: processing
    seen.append(status())
    api.sb.advance(40)  # past its end: complete
    seen.append(status())
    assert seen == ["RECEIVED", "PROCESSING", "COMPLETE"]
    hist = parse(api("GET", f"importTnOrders/{oid}/history"))["OrderHistoryWrapper"]["OrderHistory"]
    assert [h["Status"] for h in hist] == ["received", "processing", "complete"]
    assert hist[0]["Note"] == "Import TN order has been received by the system."
    assert all(ISO.match(h["OrderDate"]) for h in hist)
    assert api("GET", "inserviceNumbers/3035550100").status_code == 200


def test_get_live_element_order_and_404(api):
    oid = api.order_id(api.create_order(["3035550100"]))
    r = api("GET", f"importTnOrders/{oid}")
    assert r.text.index("<Errors/>") < r.text.index("<SipPeerId>")
    addr = parse(r)["ImportTnOrder"]["Subscriber"]["ServiceAddress"]
    assert addr["Country"] == "United States" and addr["AddressType"] == "Service"
    assert api("GET", "importTnOrders/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api("GET", "importTnOrders/nope/history").status_code == 404


def test_partial_with_per_number_errors(api):
    api.sb.seed(order_failures={"3035550101": 7518})
    oid = api.order_id(api.create_order(["3035550100", "3035550101", "3035550198"]))
    order = api.wait_order(oid)
    assert order["ProcessingStatus"] == "PARTIAL"
    errors = order["Errors"][0]["Error"]
    assert errors[0]["Code"] == "7518" and errors[0]["Description"] == "Telephone number not active"
    assert errors[0]["TelephoneNumbers"]["TelephoneNumber"] == ["3035550101", "3035550198"]
    assert api("GET", "inserviceNumbers/3035550100").status_code == 200
    assert api("GET", "inserviceNumbers/3035550101").status_code == 404


def test_failed_all_numbers(api):
    oid = api.order_id(api.create_order(["3035550198", "3035550298"]))
    order = api.wait_order(oid)
    assert order["ProcessingStatus"] == "FAILED"
    assert order["Errors"][0]["Error"][0]["Code"] == "7518"


def test_exception_status(api):
    api.sb.seed(order_failures={"3035550102": "EXCEPTION"})
    oid = api.order_id(api.create_order(["3035550100", "3035550102"]))
    assert api.wait_order(oid)["ProcessingStatus"] == "EXCEPTION"
    assert api("GET", "inserviceNumbers/3035550100").status_code == 404


def test_invalid_site_fail_mode_5016():
    with Sandbox(SandboxConfig(order_seconds=0.2, invalid_site_mode="fail")) as sb:
        api = Api(sb)
        r = api.create_order(["3035550100", "3035550101"], site="5001")
        assert r.status_code == 201
        order = api.wait_order(api.order_id(r))
        assert order["ProcessingStatus"] == "FAILED"
        err = order["Errors"][0]["Error"][0]
        assert err["Code"] == "5016" and err["Description"] == "The SiteId submitted is invalid"
        assert err["TelephoneNumbers"]["TelephoneNumber"] == ["3035550100", "3035550101"]
        nodefault = api.wait_order(api.order_id(api.create_order(["3035550102"], site="14414")))
        assert nodefault["Errors"][0]["Error"][0]["Code"] == "5020"


def test_conflicts_7205_and_7206(api):
    api.sb.seed(in_service=["3035550150"])
    first = api.order_id(api.create_order(["3035550100"]))
    second = api.order_id(api.create_order(["3035550100", "3035550150", "3035550101"]))
    assert api.wait_order(first)["ProcessingStatus"] == "COMPLETE"
    order = api.wait_order(second)
    assert order["ProcessingStatus"] == "PARTIAL"
    codes = {e["Code"]: e["TelephoneNumbers"]["TelephoneNumber"] for e in order["Errors"][0]["Error"]}
    assert codes == {"7205": ["3035550100"], "7206": ["3035550150"]}
    third = api.order_id(api.create_order(["3035550101"]))
    assert api.wait_order(third)["Errors"][0]["Error"][0]["Code"] == "7206"


def test_duplicate_customer_order_id_accepted_and_list_filters(api):
    a = api.order_id(api.create_order(["3035550100"], coid="same"))
    b = api.order_id(api.create_order(["3035550101"], coid="same"))
    api.wait_order(a), api.wait_order(b)
    c = api.order_id(api.create_order(["3035550198"], coid="other"))
    api.wait_order(c)
    doc = parse(api("GET", "importTnOrders", params={"customerOrderId": "same"}))["ImportTnOrders"]
    assert doc["TotalCount"] == "2"
    assert {s["OrderId"] for s in doc["ImportTnOrderSummary"]} == {a, b}
    summary = doc["ImportTnOrderSummary"][0]
    assert list(summary) == [
        "accountId",
        "CountOfTNs",
        "CustomerOrderId",
        "userId",
        "lastModifiedDate",
        "OrderDate",
        "OrderType",
        "OrderStatus",
        "OrderId",
    ]
    assert summary["OrderType"] == "import_tn_orders" and summary["OrderStatus"] == "COMPLETE"
    doc = parse(api("GET", "importTnOrders", params=[("status", "complete"), ("status", "failed")]))
    assert doc["ImportTnOrders"]["TotalCount"] == "3"
    doc = parse(api("GET", "importTnOrders", params={"status": "failed"}))
    assert [s["OrderId"] for s in doc["ImportTnOrders"]["ImportTnOrderSummary"]] == [c]
    doc = parse(api("GET", "importTnOrders", params={"tn": "3035550101"}))
    assert doc["ImportTnOrders"]["ImportTnOrderSummary"][0]["OrderId"] == b
    today = datetime.now(UTC).date()
    doc = parse(api("GET", "importTnOrders", params={"createdDateFrom": str(today), "createdDateTo": str(today)}))
    assert doc["ImportTnOrders"]["TotalCount"] == "3"
    tomorrow = today + timedelta(days=1)
    doc = parse(api("GET", "importTnOrders", params={"createdDateFrom": f"{tomorrow}T00:00:00.000Z"}))
    assert doc["ImportTnOrders"]["TotalCount"] == "0"
    doc = parse(api("GET", "importTnOrders", params={"loaType": "carrier"}))
    assert doc["ImportTnOrders"]["TotalCount"] == "0"
    r = api("GET", "importTnOrders", params={"status": "bogus"})
    assert r.status_code == 400
    assert parse(r)["ImportTnOrders"]["ResponseStatus"]["ErrorCode"] == "15518"
    assert api("GET", "importTnOrders", params={"createdDateFrom": "yesterday"}).status_code == 400


def test_list_capped_at_order_list_max():
    with Sandbox(SandboxConfig(order_list_max=2)) as sb:
        api = Api(sb)
        for i in range(3):
            api.create_order([f"30355501{i:02d}"])
        doc = parse(api("GET", "importTnOrders"))["ImportTnOrders"]
        assert doc["TotalCount"] == "3" and len(doc["ImportTnOrderSummary"]) == 2


def test_forced_status_and_admin_orders(api):
    oid = api.order_id(api.create_order(["3035550100"]))
    r = requests.post(f"{api.sb.root_url}/_sandbox/orders/{oid}/status", json={"status": "EXCEPTION"}, timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "EXCEPTION"
    assert parse(api("GET", f"importTnOrders/{oid}"))["ImportTnOrder"]["ProcessingStatus"] == "EXCEPTION"
    dump = requests.get(f"{api.sb.root_url}/_sandbox/orders", timeout=5).json()
    assert dump[0]["order_id"] == oid and dump[0]["frozen"] is True
    hold = api.order_id(api.create_order(["3035550101"]))
    requests.post(f"{api.sb.root_url}/_sandbox/orders/{hold}/status", json={"status": "PROCESSING"}, timeout=5)
    time.sleep(0.5)
    assert parse(api("GET", f"importTnOrders/{hold}"))["ImportTnOrder"]["ProcessingStatus"] == "PROCESSING"


@pytest.mark.parametrize("n", [10000])
def test_large_order_body(n):
    with Sandbox(SandboxConfig(order_seconds=0.2, order_max_numbers=10000)) as sb:
        api = Api(sb)
        tns = [f"303{i:07d}" for i in range(2000000, 2000000 + n)]
        r = api.create_order(tns)
        assert r.status_code == 201
        order = api.wait_order(api.order_id(r))
        assert order["ProcessingStatus"] == "PARTIAL"  # the numbers ending in 98 fail
        assert len(sb.requests()[0]["body"]) <= 64 * 1024 + 100
        totals = parse(api("GET", "inserviceNumbers/totals"))["Quantity"]["Count"]
        assert int(totals) == n - n // 100


def test_advance_moves_orders(api):
    api.sb.seed(config={"order_seconds": 1000})
    oid = api.order_id(api.create_order(["3035550100"]))
    assert parse(api("GET", f"importTnOrders/{oid}"))["ImportTnOrder"]["ProcessingStatus"] == "RECEIVED"
    api.sb.advance(1001)
    assert parse(api("GET", f"importTnOrders/{oid}"))["ImportTnOrder"]["ProcessingStatus"] == "COMPLETE"


def test_basic_and_requests_with_bearer_create(sandbox):
    tok = requests.post(
        sandbox.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    ).json()["access_token"]
    r = requests.post(
        f"{sandbox.base_url}/accounts/{ACCOUNT}/importTnOrders",
        data=order_xml(["3035550100"]),
        headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/xml"},
        timeout=5,
    )
    assert r.status_code == 201
    assert parse(r)["ImportTnOrdersResponse"]["ImportTnOrder"]["CreatedByUser"] == "sandbox-client-id"
    assert USER  # basic stays valid alongside tokens
