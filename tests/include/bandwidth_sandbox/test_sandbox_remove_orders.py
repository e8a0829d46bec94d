"""removeImportedTnOrders: create shape, outcomes (5158), list, history, UUID check."""

from __future__ import annotations

from sandbox_helpers import parse


def remove_xml(tns, coid="rm-1"):
    inner = "".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in tns)
    return (
        f"<RemoveImportedTnOrder><CustomerOrderId>{coid}</CustomerOrderId>"
        f"<TelephoneNumbers>{inner}</TelephoneNumbers></RemoveImportedTnOrder>"
    )


def test_remove_flow_partial(api):
    api.wait_order(api.order_id(api.create_order(["3035550100", "3035550101"])))
    assert api("GET", "inserviceNumbers/3035550100").status_code == 200
    r = api("POST", "removeImportedTnOrders", data=remove_xml(["3035550100", "3035550777"]))
    assert r.status_code == 201, r.text
    order = parse(r)["RemoveImportedTnOrdersResponse"]["RemoveImportedTnOrder"]
    assert order["ProcessingStatus"] == "RECEIVED" and order["CustomerOrderId"] == "rm-1"
    assert set(order) >= {
        "OrderCreateDate",
        "AccountId",
        "CreatedByUser",
        "OrderId",
        "LastModifiedDate",
        "TelephoneNumbers",
        "ProcessingStatus",
        "Errors",
    }
    oid = order["OrderId"]
    assert r.headers["Location"].endswith(f"/removeImportedTnOrders/{oid}")
    done = api.wait_order(oid, path="removeImportedTnOrders")
    assert done["ProcessingStatus"] == "PARTIAL"
    err = done["Errors"][0]["Error"][0]
    assert err["Code"] == "5158" and err["Description"] == "Telephone number hasn't been previously imported"
    assert err["TelephoneNumbers"]["TelephoneNumber"] == ["3035550777"]
    assert api("GET", "inserviceNumbers/3035550100").status_code == 404
    assert api("GET", "inserviceNumbers/3035550101").status_code == 200
    hist = parse(api("GET", f"removeImportedTnOrders/{oid}/history"))["OrderHistoryWrapper"]["OrderHistory"]
    assert [h["Status"] for h in hist] == ["received", "processing", "partial"]
    lst = parse(api("GET", "removeImportedTnOrders"))["RemoveImportedTnOrders"]
    assert lst["TotalCount"] == "1"
    summary = lst["RemoveImportedTnOrderSummary"][0]
    assert summary["OrderType"] == "remove_imported_tn_orders" and summary["OrderId"] == oid
    assert (
        parse(api("GET", "removeImportedTnOrders", params={"status": "complete"}))["RemoveImportedTnOrders"][
            "TotalCount"
        ]
        == "0"
    )


def test_remove_complete_and_failed(api):
    api.sb.seed(in_service=["3035550100"])
    ok = parse(api("POST", "removeImportedTnOrders", data=remove_xml(["3035550100"])))
    oid = ok["RemoveImportedTnOrdersResponse"]["RemoveImportedTnOrder"]["OrderId"]
    assert api.wait_order(oid, path="removeImportedTnOrders")["ProcessingStatus"] == "COMPLETE"
    bad = parse(api("POST", "removeImportedTnOrders", data=remove_xml(["3035550100"])))
    oid = bad["RemoveImportedTnOrdersResponse"]["RemoveImportedTnOrder"]["OrderId"]
    assert api.wait_order(oid, path="removeImportedTnOrders")["ProcessingStatus"] == "FAILED"


def test_remove_errors(api):
    r = api("GET", "removeImportedTnOrders/not-a-uuid")
    assert r.status_code == 400
    assert parse(r)["RemoveImportedTnOrdersReportResponse"]["ResponseStatus"]["ErrorCode"] == "1008"
    assert api("GET", "removeImportedTnOrders/00000000-0000-0000-0000-000000000000").status_code == 404
    r = api("POST", "removeImportedTnOrders", data=remove_xml(["123"]))
    assert r.status_code == 400
    assert parse(r)["RemoveImportedTnOrderResponse"]["Errors"][0]["Code"] == "7201"
    names = [e["endpoint"] for e in api.sb.requests()]
    assert names == ["removeImportedTnOrders.get", "removeImportedTnOrders.get", "removeImportedTnOrders.create"]
