"""v2 ("Universal Platform") beside v1: /api/v2 paths, /messaging orders, E.164 everywhere, 1022 for ten
digits, v2 in-service filter names, NumberFormat on subscriptions and deliveries, one state for both
versions, the version in the request log."""

from __future__ import annotations

import pytest
import requests
import xmltodict
from sandbox_helpers import ACCOUNT, USER, Api, order_xml, parse, wait_for

from bandwidth_sandbox import Sandbox, SandboxConfig

IMPORTS = "importTnOrders/messaging"
REMOVES = "removeImportedTnOrders/messaging"
DELIVERY_FORCE_LIST = ("TelephoneNumber",)


class ApiV2(Api):
    """The same client on the v2 base (``/api/v2/accounts/{id}``)."""

    def __init__(self, sb: Sandbox, auth=USER) -> None:
        super().__init__(sb, auth)
        self.url = f"{sb.v2_base_url}/accounts/{ACCOUNT}"

    def create_order(self, tns, **kw):
        return self("POST", IMPORTS, data=order_xml(tns, **kw))


@pytest.fixture
def v2(sandbox):
    client = ApiV2(sandbox)
    yield client
    client.session.close()


def checker_xml(tns):
    return (
        "<ImportTnCheckerPayload><TelephoneNumbers>"
        + "".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in tns)
        + "</TelephoneNumbers></ImportTnCheckerPayload>"
    )


def remove_xml(tns, coid=None):
    return (
        "<RemoveImportedTnOrder>"
        + (f"<CustomerOrderId>{coid}</CustomerOrderId>" if coid else "")
        + "<TelephoneNumbers>"
        + "".join(f"<TelephoneNumber>{tn}</TelephoneNumber>" for tn in tns)
        + "</TelephoneNumbers></RemoveImportedTnOrder>"
    )


def sub_xml(url, kind="<OrderType>importtnorders</OrderType>", number_format=None):
    fmt = f"<NumberFormat>{number_format}</NumberFormat>" if number_format else ""
    return f"<Subscription>{kind}{fmt}<CallbackSubscription><URL>{url}</URL></CallbackSubscription></Subscription>"


def create_sub(client, url, **kw):
    r = client("POST", "subscriptions", data=sub_xml(url, **kw))
    assert r.status_code == 201, r.text
    return r.headers["Location"].rsplit("/", 1)[-1]


def sub_doc(client, sid):
    return parse(client("GET", f"subscriptions/{sid}"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"][0]


def numbers_of(node):
    return node["TelephoneNumbers"]["TelephoneNumber"]


# ---- 1, 2: paths and auth ---------------------------------------------------------------------


def test_v2_paths_and_auth_with_the_v1_token_endpoint(sandbox, v2):
    assert sandbox.v2_base_url == f"{sandbox.root_url}/api/v2"
    token = requests.post(
        sandbox.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{v2.url}/sites", headers=bearer, timeout=5).status_code == 200
    assert v2("GET", "sites").status_code == 200  # Basic still works
    assert requests.get(f"{v2.url}/sites", timeout=5).status_code == 401
    assert requests.get(f"{sandbox.v2_base_url}/accounts/9900001/sites", auth=USER, timeout=5).status_code == 403
    # unchanged paths
    for path in ("sites/14413", "sites/14413/sippeers", "subscriptions", "inserviceNumbers/totals", IMPORTS, REMOVES):
        assert v2("GET", path).status_code == 200, path
    assert v2("GET", "inserviceNumbers").status_code == 204
    assert v2("POST", "importTnChecker", data=checker_xml(["+13035550100"])).status_code == 200
    # any case, as on v1
    r = requests.get(f"{sandbox.root_url}/API/V2/accounts/{ACCOUNT}/IMPORTTNORDERS/Messaging", auth=USER, timeout=5)
    assert r.status_code == 200 and "ImportTnOrders" in parse(r)


def test_unsuffixed_order_paths_are_404_on_v2(api, v2):
    oid = api.order_id(api.create_order(["3035550100"]))
    api.wait_order(oid)
    for method, path, body in (
        ("POST", "importTnOrders", order_xml(["+13035550101"])),
        ("GET", "importTnOrders", None),
        ("GET", f"importTnOrders/{oid}", None),
        ("GET", f"importTnOrders/{oid}/history", None),
        ("GET", f"importTnOrders/{oid}/loas", None),
        ("POST", "removeImportedTnOrders", remove_xml(["+13035550100"])),
        ("GET", "removeImportedTnOrders", None),
    ):
        r = v2(method, path, data=body)
        assert r.status_code == 404, (method, path)
        assert parse(r)["ErrorResponse"]["ResponseStatus"]["ErrorCode"] == "404"
    assert v2("GET", f"{IMPORTS}/{oid}").status_code == 200
    assert len(api.sb.orders()) == 1  # the refused create made nothing
    # and v1 has no /messaging paths: "messaging" is just an unknown order id there
    assert api("GET", "importTnOrders/messaging").status_code == 404


# ---- 3: E.164 everywhere, one state ---------------------------------------------------------------


def test_import_order_through_v2_is_e164_in_every_answer(v2):
    r = v2.create_order(["+13035550100", "+13035550198"], coid="v2-1")
    assert r.status_code == 201, r.text
    oid = v2.order_id(r)
    assert r.headers["Location"] == f"{v2.url}/importTnOrders/messaging/{oid}"
    assert "/api/v2/accounts/" in r.headers["Location"]
    created = parse(r)["ImportTnOrdersResponse"]["ImportTnOrder"]
    assert numbers_of(created) == ["+13035550100", "+13035550198"]
    order = v2.wait_order(oid, path=IMPORTS)
    assert order["ProcessingStatus"] == "PARTIAL"
    assert numbers_of(order) == ["+13035550100", "+13035550198"]
    (error,) = order["Errors"][0]["Error"]
    assert error["Code"] == "7518" and numbers_of(error) == ["+13035550198"]
    history = parse(v2("GET", f"{IMPORTS}/{oid}/history"))["OrderHistoryWrapper"]["OrderHistory"]
    assert [h["Status"] for h in history] == ["received", "processing", "partial"]

    def listed(**params):
        return parse(v2("GET", IMPORTS, params=params))["ImportTnOrders"]

    found = listed(tn="+13035550100")  # requests sends %2B13035550100
    assert found["TotalCount"] == "1" and found["ImportTnOrderSummary"][0]["OrderId"] == oid
    assert found["ImportTnOrderSummary"][0]["CountOfTNs"] == "2"
    assert listed(tn="3035550100")["TotalCount"] == "1"  # ten digits read leniently in a filter
    assert listed(tn="+13035550111")["TotalCount"] == "0"
    assert listed(customerOrderId="v2-1", loaType="ALL")["TotalCount"] == "1"
    # an unencoded "+" reads as a space: nothing matches
    raw = requests.get(f"{v2.url}/{IMPORTS}?tn=+13035550100", auth=USER, timeout=5)
    assert parse(raw)["ImportTnOrders"]["TotalCount"] == "0"
    # in service, in E.164 (the failed number is not)
    doc = parse(v2("GET", "inserviceNumbers"))["TNs"]
    assert numbers_of(doc) == ["+13035550100"]
    for path in ("inserviceNumbers/%2B13035550100", "inserviceNumbers/+13035550100"):
        r = v2("GET", path)
        assert r.status_code == 200 and r.content == b"", path
    assert v2("GET", "inserviceNumbers/%2B13035550198").status_code == 404
    assert [e["endpoint"] for e in v2.sb.requests()][-2:] == ["inserviceNumbers.get"] * 2


def test_one_state_for_v1_and_v2(api, v2):
    v1_order = api.order_id(api.create_order(["3035550100"], coid="from-v1"))
    v2_order = v2.order_id(v2.create_order(["+13035550101", "+13035550100"], coid="from-v2"))
    # the v1 order's open number conflicts in the v2 order, and each version shows it its own way
    assert numbers_of(v2.wait_order(v1_order, path=IMPORTS)) == ["+13035550100"]
    through_v2 = v2.wait_order(v2_order, path=IMPORTS)
    through_v1 = api.wait_order(v2_order)
    assert through_v2["ProcessingStatus"] == through_v1["ProcessingStatus"] == "PARTIAL"
    assert numbers_of(through_v1) == ["3035550101", "3035550100"]
    assert numbers_of(through_v1["Errors"][0]["Error"][0]) == ["3035550100"]
    assert through_v2["Errors"][0]["Error"][0]["Code"] == "7205"
    assert numbers_of(through_v2["Errors"][0]["Error"][0]) == ["+13035550100"]
    # one account: both lists see both orders, the admin view keeps ten digits
    v1_ids = {s["OrderId"] for s in parse(api("GET", "importTnOrders"))["ImportTnOrders"]["ImportTnOrderSummary"]}
    v2_ids = {s["OrderId"] for s in parse(v2("GET", IMPORTS))["ImportTnOrders"]["ImportTnOrderSummary"]}
    assert v1_ids == v2_ids == {v1_order, v2_order}
    assert sorted(n for o in api.sb.orders() for n in o["numbers"]) == ["3035550100", "3035550100", "3035550101"]
    assert numbers_of(parse(api("GET", "inserviceNumbers"))["TNs"]) == ["3035550100", "3035550101"]
    assert numbers_of(parse(v2("GET", "inserviceNumbers"))["TNs"]) == ["+13035550100", "+13035550101"]
    # numbers imported through either version are in service for the checker of the other
    doc = parse(v2("POST", "importTnChecker", data=checker_xml(["+13035550101", "+13035550102"])))
    payload = doc["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]
    assert numbers_of(payload) == ["+13035550102"]
    assert payload["ImportTnErrors"]["ImportTnError"][0]["Code"] == "19006"
    assert numbers_of(payload["ImportTnErrors"]["ImportTnError"][0]) == ["+13035550101"]
    # an E.164 seed or loss means the same number (the state keeps one form)
    api.sb.seed(in_service=["+17205550100"])
    assert api("GET", "inserviceNumbers/7205550100").status_code == 200
    assert api.sb.lose(["+17205550100"]) == {"lost": ["7205550100"], "not_in_service": []}


def test_checker_v2_answers_and_400s_in_e164(v2):
    r = v2("POST", "importTnChecker", data=checker_xml(["+13035550100", "+13035550199"]))
    assert r.status_code == 200
    payload = parse(r)["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]
    assert numbers_of(payload) == ["+13035550100"]
    rejected = payload["ImportTnErrors"]["ImportTnError"][0]
    assert rejected["Code"] == "19006" and numbers_of(rejected) == ["+13035550199"]
    r = v2("POST", "importTnChecker", data=checker_xml(["+11235550100", "+13035550100", "+13035550100"]))
    assert r.status_code == 400
    errors = {e["Code"]: e["Description"] for e in parse(r)["ImportTnCheckerResponse"]["Errors"]}
    assert errors["7201"] == "+11235550100 is not a valid NANP telephone number"
    assert "+13035550100" in errors["7203"]
    r = v2("POST", "importTnChecker", data=checker_xml(["+13035550100", "+442071838750"]))
    assert [e["Code"] for e in parse(r)["ImportTnCheckerResponse"]["Errors"]] == ["5165"]


# ---- 4: ten digits refused with 1022 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "root", "prefix"),
    [
        ("importTnChecker", checker_xml, "ImportTnCheckerResponse", None),
        (IMPORTS, order_xml, "ImportTnOrderResponse", "FAILED"),
        (REMOVES, remove_xml, "RemoveImportedTnOrderResponse", "FAILED"),
    ],
    ids=["checker", "import", "remove"],
)
@pytest.mark.parametrize("legacy", ["3035550101", "13035550101"], ids=["10-digit", "11-digit"])
def test_ten_digit_numbers_refused_with_1022_on_v2_import_endpoints(v2, path, body, root, prefix, legacy):
    r = v2("POST", path, data=body(["+13035550100", legacy]))
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    doc = xmltodict.parse(r.content, force_list=("Errors",))[root]
    assert doc.get("ProcessingStatus") == prefix
    (error,) = doc["Errors"]  # shape 2: Errors repeated under the root
    assert error["Code"] == "1022"
    assert legacy in error["Description"]
    assert error["Description"].endswith("Retry request with all E.164 formatted phone numbers")
    assert v2.sb.orders() == []
    # v1 is untouched: ten digits are its form
    v1 = Api(v2.sb)
    assert v1("POST", path.split("/")[0], data=body(["3035550100"])).status_code in (200, 201)


def test_ten_digit_refusal_can_be_switched_off(sandbox, v2):
    assert SandboxConfig().v2_refuse_ten_digit is True
    assert SandboxConfig.from_env({"BW_SANDBOX_V2_REFUSE_TEN_DIGIT": "false"}).v2_refuse_ten_digit is False
    r = requests.post(f"{sandbox.root_url}/_sandbox/seed", json={"config": {"v2_refuse_ten_digit": False}}, timeout=5)
    assert r.status_code == 200
    assert requests.get(f"{sandbox.root_url}/_sandbox/config", timeout=5).json()["v2_refuse_ten_digit"] is False
    payload = parse(v2("POST", "importTnChecker", data=checker_xml(["3035550100", "+13035550101"])))
    assert numbers_of(payload["ImportTnCheckerResponse"]["ImportTnCheckerPayload"]) == ["+13035550100", "+13035550101"]
    r = v2.create_order(["3035550100"])
    assert r.status_code == 201
    assert numbers_of(parse(r)["ImportTnOrdersResponse"]["ImportTnOrder"]) == ["+13035550100"]
    assert api_numbers(sandbox) == [["3035550100"]]
    # the same number twice, in both forms, is a duplicate
    r = v2("POST", "importTnChecker", data=checker_xml(["3035550102", "+13035550102"]))
    assert r.status_code == 400 and parse(r)["ImportTnCheckerResponse"]["Errors"][0]["Code"] == "7203"
    assert requests.post(f"{sandbox.root_url}/_sandbox/reset", timeout=5).status_code == 200
    assert v2("POST", "importTnChecker", data=checker_xml(["3035550100"])).status_code == 400


def api_numbers(sb):
    return [o["numbers"] for o in sb.orders()]


# ---- remove orders and LOAs on /messaging ----------------------------------------------------------


def test_remove_orders_on_messaging_paths(api, v2):
    api.sb.seed(in_service=["3035550100"])
    r = v2("POST", REMOVES, data=remove_xml(["+13035550100", "+13035550177"], coid="rm-v2"))
    assert r.status_code == 201, r.text
    rid = v2.order_id(r)
    assert r.headers["Location"] == f"{v2.url}/removeImportedTnOrders/messaging/{rid}"
    assert numbers_of(parse(r)["RemoveImportedTnOrdersResponse"]["RemoveImportedTnOrder"]) == [
        "+13035550100",
        "+13035550177",
    ]
    order = v2.wait_order(rid, path=REMOVES)
    assert order["ProcessingStatus"] == "PARTIAL"
    assert order["Errors"][0]["Error"][0]["Code"] == "5158"
    assert numbers_of(order["Errors"][0]["Error"][0]) == ["+13035550177"]
    assert numbers_of(api.wait_order(rid, path="removeImportedTnOrders")["Errors"][0]["Error"][0]) == ["3035550177"]
    summaries = parse(v2("GET", REMOVES, params={"tn": "+13035550177"}))["RemoveImportedTnOrders"]
    assert summaries["TotalCount"] == "1" and summaries["RemoveImportedTnOrderSummary"][0]["OrderId"] == rid
    assert parse(v2("GET", f"{REMOVES}/{rid}/history"))["OrderHistoryWrapper"]["OrderHistory"][0]["Status"] == (
        "received"
    )
    assert v2("GET", "inserviceNumbers/%2B13035550100").status_code == 404
    # a bad id: v2's example has a Description and no ErrorCode; v1 keeps 1008
    r = v2("GET", f"{REMOVES}/not-a-uuid")
    assert r.status_code == 400
    assert parse(r)["RemoveImportedTnOrdersReportResponse"]["ResponseStatus"] == {
        "Description": "The resource does not exist"
    }
    r = api("GET", "removeImportedTnOrders/not-a-uuid")
    assert parse(r)["RemoveImportedTnOrdersReportResponse"]["ResponseStatus"]["ErrorCode"] == "1008"


def test_loas_on_messaging_paths_share_files_with_v1(api, v2):
    oid = v2.order_id(v2.create_order(["+13035550100"]))
    r = v2("POST", f"{IMPORTS}/{oid}/loas", data=b"%PDF-1.4 loa", headers={"Content-Type": "application/pdf"})
    assert r.status_code == 201, r.text
    file_id = parse(r)["fileUploadResponse"]["filename"]
    assert r.headers["Location"] == f"{v2.url}/importTnOrders/messaging/{oid}/loas/{file_id}"
    listed = parse(v2("GET", f"{IMPORTS}/{oid}/loas"))["fileListResponse"]
    assert listed["fileCount"] == "1" and listed["fileData"][0]["FileName"] == file_id
    assert v2("GET", f"{IMPORTS}/{oid}/loas/{file_id}").content == b"%PDF-1.4 loa"
    meta = parse(v2("GET", f"{IMPORTS}/{oid}/loas/{file_id}/metadata"))["FileMetaData"]
    assert meta["DocumentType"] == "LOA"
    assert api("GET", f"importTnOrders/{oid}/loas/{file_id}").content == b"%PDF-1.4 loa"
    assert v2("DELETE", f"{IMPORTS}/{oid}/loas/{file_id}").status_code == 200
    assert api("GET", f"importTnOrders/{oid}/loas/{file_id}").status_code == 404
    names = [e["endpoint"] for e in v2.sb.requests() if e["version"] == 2]
    assert names == [
        "importTnOrders.create",
        "loas.upload",
        "loas.list",
        "loas.get",
        "loas.metadata.get",
        "loas.delete",
    ]


# ---- 5: in-service filters as v2 names them ----------------------------------------------------------


def test_inservice_v2_filter_names_and_next_links(api, v2):
    api.sb.seed(
        in_service=[
            "3035550100",
            "3035550101",
            "3035561200",
            "7205550100",
            {"tn": "+14165550100", "country": "CAN", "state": "ON"},
        ]
    )

    def tns(client, **params):
        r = client("GET", "inserviceNumbers", params=params)
        return [] if r.status_code == 204 else numbers_of(parse(r)["TNs"])

    assert tns(v2, areaCode="303", countryCodeA3="USA") == ["+13035550100", "+13035550101", "+13035561200"]
    assert tns(v2, npaNxx="303555") == ["+13035550100", "+13035550101"]
    assert tns(v2, npaNxxx="3035561") == ["+13035561200"]
    assert tns(v2, countryCodeA3="CAN") == ["+14165550100"]
    assert tns(v2, areaCode="416", countryCodeA3="USA") == []
    assert len(tns(v2, areacode="303")) == 5  # the v1 spelling is an unknown parameter on v2: ignored
    assert v2("GET", "inserviceNumbers", params={"areaCode": "303"}).status_code == 404  # needs countryCodeA3
    assert v2("GET", "inserviceNumbers", params={"npaNxx": "30355"}).status_code == 404
    assert v2("GET", "inserviceNumbers", params={"startdate": "2020-01-01"}).status_code == 404  # with enddate
    assert len(tns(v2, startdate="2020-01-01", enddate="2999-12-31")) == 5
    # v1 keeps its names (and needs no country)
    assert tns(api, areacode="303") == ["3035550100", "3035550101", "3035561200"]
    assert tns(api, npanxx="303555") == ["3035550100", "3035550101"]

    # next links of a v2 listing point at the v2 path and carry the v2 filter names
    r = v2("GET", "inserviceNumbers", params={"areaCode": "303", "countryCodeA3": "USA", "size": 2})
    links = parse(r)["TNs"]["Links"]
    url = links["next"][len("Link=<") : links["next"].index(">")]
    assert url == f"{v2.url}/inserviceNumbers?page=2&size=2&areaCode=303&countryCodeA3=USA"
    assert numbers_of(parse(v2.session.get(url, timeout=5))["TNs"]) == ["+13035561200"]
    v1_next = parse(api("GET", "inserviceNumbers", params={"size": 2}))["TNs"]["Links"]["next"]
    assert f"{api.url}/inserviceNumbers?page=2&size=2" in v1_next and "/api/v2/" not in v1_next


def test_v2_link_base():
    cfg = SandboxConfig(link_base="https://dashboard.bandwidth.com:443/v1.0", v2_link_base="https://api.example/api/v2")
    with Sandbox(cfg) as sb:
        sb.seed(in_service=["3035550100", "3035550101"])
        v1_links = parse(Api(sb)("GET", "inserviceNumbers", params={"size": 1}))["TNs"]["Links"]
        v2_links = parse(ApiV2(sb)("GET", "inserviceNumbers", params={"size": 1}))["TNs"]["Links"]
        assert v1_links["next"].startswith("Link=<https://dashboard.bandwidth.com:443/v1.0/accounts/9900000/")
        assert (
            v2_links["next"]
            == 'Link=<https://api.example/api/v2/accounts/9900000/inserviceNumbers?page=2&size=1>;rel="next";'
        )


# ---- 6: NumberFormat ------------------------------------------------------------------------------------


def test_number_format_defaults_by_version_and_is_echoed(api, v2):
    through_v2 = create_sub(v2, "https://cb.example/v2")
    through_v1 = create_sub(api, "https://cb.example/v1")
    explicit_legacy = create_sub(v2, "https://cb.example/v2-legacy", number_format="LEGACY")
    explicit_e164 = create_sub(api, "https://cb.example/v1-e164", number_format="E164")
    assert sub_doc(v2, through_v2)["NumberFormat"] == "E164"
    assert sub_doc(api, through_v2)["NumberFormat"] == "E164"
    assert sub_doc(v2, through_v1)["NumberFormat"] == "LEGACY"
    assert "NumberFormat" not in sub_doc(api, through_v1)  # v1 answers exactly as before
    assert sub_doc(v2, explicit_legacy)["NumberFormat"] == "LEGACY"
    assert sub_doc(api, explicit_legacy)["NumberFormat"] == "LEGACY"
    assert sub_doc(api, explicit_e164)["NumberFormat"] == "E164"
    assert sub_doc(v2, explicit_e164)["NumberFormat"] == "E164"
    listed = parse(v2("GET", "subscriptions"))["SubscriptionsResponse"]["Subscriptions"]["Subscription"]
    assert [s["NumberFormat"] for s in listed] == ["E164", "LEGACY", "LEGACY", "E164"]
    created = v2("POST", "subscriptions", data=sub_xml("https://cb.example/v2-lower", number_format="e164"))
    assert sub_doc(v2, created.headers["Location"].rsplit("/", 1)[-1])["NumberFormat"] == "E164"
    assert "/api/v2/accounts/" in created.headers["Location"]
    r = v2("POST", "subscriptions", data=sub_xml("https://cb.example/bad", number_format="DIGITS"))
    assert r.status_code == 404 and parse(r)["SubscriptionResponse"]["ResponseStatus"]["ErrorCode"] == "1010"
    # PUT overwrites fully: an omitted NumberFormat becomes the default of the version that wrote it
    assert (
        v2("PUT", f"subscriptions/{explicit_legacy}", data=sub_xml("https://cb.example/v2-legacy")).status_code == 200
    )
    assert sub_doc(v2, explicit_legacy)["NumberFormat"] == "E164"
    assert api("PUT", f"subscriptions/{through_v2}", data=sub_xml("https://cb.example/v2")).status_code == 200
    assert "NumberFormat" not in sub_doc(api, through_v2) and sub_doc(v2, through_v2)["NumberFormat"] == "LEGACY"


def test_deliveries_carry_numbers_in_the_subscriptions_format(api, v2, receiver):
    events = "<EventType>MESSAGING_LOST</EventType>"
    legacy = create_sub(api, receiver.url + "/v1", kind=events)
    e164 = create_sub(v2, receiver.url + "/v2", kind=events)
    v1_explicit = create_sub(api, receiver.url + "/v1-e164", kind=events, number_format="E164")
    v2_explicit = create_sub(v2, receiver.url + "/v2-legacy", kind=events, number_format="LEGACY")
    orders = create_sub(v2, receiver.url + "/orders")
    api.sb.seed(in_service=["3035550100", "3035550101"])
    assert api.sb.lose(["3035550100", "3035550101"])["lost"] == ["3035550100", "3035550101"]
    assert api.sb.wait_callbacks()
    by_path = {h["path"].rsplit("/", 1)[-1]: h["body"] for h in receiver.hits}
    assert set(by_path) == {"v1", "v2", "v1-e164", "v2-legacy"}

    def impacted(body):
        return xmltodict.parse(body, force_list=DELIVERY_FORCE_LIST)["Notification"]["ImpactedTelephoneNumbers"][
            "TelephoneNumber"
        ]

    assert impacted(by_path["v1"]) == impacted(by_path["v2-legacy"]) == ["3035550100", "3035550101"]
    assert impacted(by_path["v2"]) == impacted(by_path["v1-e164"]) == ["+13035550100", "+13035550101"]
    log = {e["subscription_id"]: e for e in api.sb.callbacks()}
    assert (log[legacy]["number_format"], log[legacy]["numbers"]) == ("LEGACY", ["3035550100", "3035550101"])
    assert (log[e164]["number_format"], log[e164]["numbers"]) == ("E164", ["+13035550100", "+13035550101"])
    assert log[v1_explicit]["number_format"] == "E164" and log[v2_explicit]["number_format"] == "LEGACY"

    # order notifications carry no numbers (as on v1): nothing added, whatever the format
    receiver.hits.clear()
    oid = v2.order_id(v2.create_order(["+13035550102"], coid="cb-v2"))
    v2.wait_order(oid, path=IMPORTS)
    assert api.sb.wait_callbacks()
    assert wait_for(lambda: len(receiver.hits) == 2)
    for hit in receiver.hits:
        assert hit["path"].endswith("/orders")
        assert f"<SubscriptionId>{orders}</SubscriptionId>" in hit["body"]
        assert "<OrderType>importtnorders</OrderType>" in hit["body"] and "TelephoneNumber" not in hit["body"]


# ---- 7: version in the request log --------------------------------------------------------------------


def test_request_log_has_the_version_and_the_same_endpoint_names(sandbox, api, v2):
    requests.post(
        sandbox.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    )
    api.create_order(["3035550100"])
    v2.create_order(["+13035550101"])
    api("GET", "inserviceNumbers")
    v2("GET", "inserviceNumbers", params={"areaCode": "303", "countryCodeA3": "USA"})
    v2("POST", "importTnOrders", data=order_xml(["+13035550102"]))
    requests.get(f"{sandbox.root_url}/nowhere", timeout=5)
    log = requests.get(f"{sandbox.root_url}/_sandbox/requests", timeout=5).json()
    assert log == sandbox.requests()
    assert [(e["endpoint"], e["version"]) for e in log] == [
        ("token", None),
        ("importTnOrders.create", 1),
        ("importTnOrders.create", 2),
        ("inserviceNumbers.list", 1),
        ("inserviceNumbers.list", 2),
        ("unknown", 2),
        ("unknown", None),
    ]
    v2_create = log[2]
    assert v2_create["path"] == f"/api/v2/accounts/{ACCOUNT}/importTnOrders/messaging"
    assert v2_create["status"] == 201 and "<TelephoneNumber>+13035550101</TelephoneNumber>" in v2_create["body"]
    assert log[4]["params"] == {"areacode": "303", "countrycodea3": "USA"}
    assert log[5]["status"] == 404
    keys = {
        "time",
        "method",
        "path",
        "endpoint",
        "query",
        "params",
        "account_id",
        "status",
        "auth",
        "content_type",
        "body",
        "body_bytes",
        "fault",
        "duration_ms",
    }
    assert all(set(e) == keys | {"version"} for e in log)
