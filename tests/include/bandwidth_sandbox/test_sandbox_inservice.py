"""inserviceNumbers: pagination through next links, 204, filters, single number, totals."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import xmltodict
from sandbox_helpers import Api, parse

from bandwidth_sandbox import Sandbox, SandboxConfig


def _seed(api, n=1203):
    tns = [f"919{i:07d}" for i in range(2000000, 2000000 + n - 3)] + ["3035550100", "3035550101", "3035551200"]
    api.sb.seed(in_service=tns)
    return sorted(tns)


def test_empty_is_204(api):
    r = api("GET", "inserviceNumbers")
    assert r.status_code == 204 and r.content == b""
    assert parse(api("GET", "inserviceNumbers/totals"))["Quantity"]["Count"] == "0"


def test_pagination_follows_next_links(api):
    expected = _seed(api)
    r = api("GET", "inserviceNumbers", params={"page": 1, "size": 500})
    assert r.status_code == 200
    assert "Link=&lt;http://" in r.text and ';rel="next";</next>' in r.text and "&amp;size=500" in r.text
    got: list[str] = []
    pages = 0
    while True:
        doc = parse(r)["TNs"]
        assert doc["TotalCount"] == str(len(expected))
        nums = doc["TelephoneNumbers"]["TelephoneNumber"]
        assert doc["TelephoneNumbers"]["Count"] == str(len(nums))
        got += nums
        pages += 1
        links = doc["Links"]
        assert links["first"].startswith("Link=<") and links["first"].endswith(';rel="first";')
        assert "last" in links
        if pages > 1:
            assert "previous" in links
        if "next" not in links:
            break
        url = links["next"][len("Link=<") : links["next"].index(">")]
        q = parse_qs(urlsplit(url).query)
        assert q["size"] == ["500"] and q["page"] == [str(pages + 1)]
        r = api.session.get(url, timeout=5)
        assert r.status_code == 200
    assert pages == 3 and got == expected
    assert [e["endpoint"] for e in api.sb.requests()] == ["inserviceNumbers.list"] * 3


def test_default_and_max_page_size(api):
    _seed(api)
    doc = parse(api("GET", "inserviceNumbers"))["TNs"]
    assert doc["TelephoneNumbers"]["Count"] == "500"
    assert "size=500" in doc["Links"]["next"]
    assert api("GET", "inserviceNumbers", params={"size": 1000}).status_code == 200
    assert api("GET", "inserviceNumbers", params={"size": 1001}).status_code == 404
    assert api("GET", "inserviceNumbers", params={"page": "x"}).status_code == 404
    assert api("GET", "inserviceNumbers", params={"page": 99}).status_code == 204


def test_filters(api):
    _seed(api)
    api.sb.seed(in_service=[{"tn": "7205550100", "state": "TX"}])
    doc = parse(api("GET", "inserviceNumbers", params={"areacode": "303"}))["TNs"]
    assert doc["TelephoneNumbers"]["TelephoneNumber"] == ["3035550100", "3035550101", "3035551200"]
    assert "areacode=303" in doc["Links"]["first"]
    doc = parse(api("GET", "inserviceNumbers", params={"npanxx": "303555"}))["TNs"]
    assert doc["TotalCount"] == "3"
    doc = parse(api("GET", "inserviceNumbers", params={"state": "TX"}))["TNs"]
    assert doc["TelephoneNumbers"]["TelephoneNumber"] == ["7205550100"]
    assert api("GET", "inserviceNumbers", params={"areacode": "30"}).status_code == 404
    assert api("GET", "inserviceNumbers", params={"ratecenter": "DENVER"}).status_code == 404


def test_imported_numbers_carry_state(api):
    oid = api.order_id(api.create_order(["3035550100"]))
    api.wait_order(oid)
    doc = parse(api("GET", "inserviceNumbers", params={"state": "NC"}))["TNs"]
    assert doc["TelephoneNumbers"]["TelephoneNumber"] == ["3035550100"]


def test_single_and_totals(api):
    _seed(api, 10)
    r = api("GET", "inserviceNumbers/3035550100")
    assert r.status_code == 200 and r.content == b""
    assert api("GET", "inserviceNumbers/3035550999").status_code == 404
    assert parse(api("GET", "inserviceNumbers/totals"))["Quantity"]["Count"] == "10"
    names = [e["endpoint"] for e in api.sb.requests()]
    assert names == ["inserviceNumbers.get", "inserviceNumbers.get", "inserviceNumbers.totals"]


def test_link_base_override():
    with Sandbox(SandboxConfig(link_base="https://dashboard.bandwidth.com:443/v1.0")) as sb:
        api = Api(sb)
        sb.seed(in_service=["3035550100", "3035550101"])
        doc = xmltodict.parse(api("GET", "inserviceNumbers", params={"size": 1}).content)["TNs"]
        assert doc["Links"]["next"] == (
            "Link=<https://dashboard.bandwidth.com:443/v1.0/accounts/9900000/"
            'inserviceNumbers?page=2&size=1>;rel="next";'
        )


def test_inservice_delay():
    with Sandbox(SandboxConfig(order_seconds=0.1, inservice_delay_seconds=100)) as sb:
        api = Api(sb)
        api.wait_order(api.order_id(api.create_order(["3035550100"])))
        assert api("GET", "inserviceNumbers/3035550100").status_code == 404
        sb.advance(101)
        assert api("GET", "inserviceNumbers/3035550100").status_code == 200
