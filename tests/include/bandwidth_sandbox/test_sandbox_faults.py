"""Fault injection: 429 (Retry-After, X-RateLimit-Reset), 5xx bodies, reset, drop_response, latency, down."""

from __future__ import annotations

import time

import pytest
import requests
from sandbox_helpers import Api, order_xml, parse

from bandwidth_sandbox import Sandbox, SandboxConfig


def fresh(api, method, path, **kw):
    """A request on a new connection (no keep-alive reuse after a reset)."""
    kw.setdefault("timeout", 5)
    if isinstance(kw.get("data"), str):
        kw["data"] = kw["data"].encode()
    return requests.request(method, f"{api.url}/{path}", auth=api.session.auth, **kw)


def test_429_retry_after_count(api):
    api.sb.set_faults([{"kind": "429", "path": "inserviceNumbers", "count": 2, "retry_after": 3}])
    for _ in range(2):
        r = fresh(api, "GET", "inserviceNumbers")
        assert r.status_code == 429 and r.headers["Retry-After"] == "3" and r.content == b""
        assert "X-RateLimit-Reset" not in r.headers
    assert fresh(api, "GET", "inserviceNumbers").status_code == 204
    assert fresh(api, "GET", "sites").status_code == 200
    log = api.sb.requests()
    assert [e["fault"] for e in log] == ["429", "429", None, None]
    assert log[0]["status"] == 429 and log[0]["endpoint"] == "inserviceNumbers.list"


def test_429_reset_header(api):
    api.sb.set_faults([{"kind": "429", "count": 1, "retry_after": 74, "reset_header": True}])
    r = fresh(api, "GET", "sites")
    assert r.status_code == 429 and "Retry-After" not in r.headers
    reset = int(r.headers["X-RateLimit-Reset"])
    assert 70 <= reset - time.time() <= 76


def test_method_filter_and_rate(api):
    api.sb.set_faults([{"kind": "5xx", "status": 502, "method": "POST", "rate": 1.0, "body": "empty"}])
    assert fresh(api, "GET", "sites").status_code == 200
    r = fresh(api, "POST", "importTnOrders", data=order_xml(["3035550100"]))
    assert r.status_code == 502 and r.content == b""
    assert api.sb.orders() == []
    api.sb.set_faults([{"kind": "429", "rate": 0.0}])
    assert fresh(api, "GET", "sites").status_code == 200


@pytest.mark.parametrize("body,ctype", [("html", "text/html"), ("xml", "application/xml"), ("empty", None)])
def test_5xx_bodies(api, body, ctype):
    api.sb.set_faults([{"kind": "5xx", "status": 503, "body": body, "count": 1}])
    r = fresh(api, "GET", "sites")
    assert r.status_code == 503
    if ctype:
        assert r.headers["Content-Type"].startswith(ctype)
        assert r.content
    else:
        assert r.content == b""
    if body == "xml":
        assert parse(r)["ErrorResponse"]["ResponseStatus"]["ErrorCode"] == "503"


def test_reset_gives_connection_error(api):
    api.sb.set_faults([{"kind": "reset", "count": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        fresh(api, "GET", "sites")
    assert fresh(api, "GET", "sites").status_code == 200
    assert api.sb.requests()[0]["fault"] == "reset" and api.sb.requests()[0]["status"] is None


def test_drop_response_after_acting(api):
    api.sb.set_faults([{"kind": "drop_response", "path": "importTnOrders$", "method": "POST", "count": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        fresh(api, "POST", "importTnOrders", data=order_xml(["3035550100"], coid="lost-1"))
    orders = api.sb.orders()
    assert len(orders) == 1 and orders[0]["customer_order_id"] == "lost-1"
    doc = parse(fresh(api, "GET", "importTnOrders", params={"customerOrderId": "lost-1"}))
    assert doc["ImportTnOrders"]["TotalCount"] == "1"
    entry = api.sb.requests()[0]
    assert entry["fault"] == "drop_response" and entry["status"] == 201


def test_latency(api):
    api.sb.set_faults([{"kind": "latency", "seconds": 0.4, "path": "sites", "count": 1}])
    start = time.monotonic()
    assert fresh(api, "GET", "sites").status_code == 200
    assert time.monotonic() - start >= 0.4
    with pytest.raises(requests.exceptions.Timeout):
        api.sb.set_faults([{"kind": "latency", "seconds": 0.5}])
        fresh(api, "GET", "sites", timeout=0.1)


def test_down_window(api):
    api.sb.set_faults([{"kind": "down", "seconds": 30}])
    for path in ("sites", "importTnOrders"):
        with pytest.raises(requests.exceptions.ConnectionError):
            fresh(api, "GET", path)
    assert requests.get(f"{api.sb.root_url}/_sandbox/requests", timeout=5).status_code == 200
    api.sb.advance(31)
    assert fresh(api, "GET", "sites").status_code == 200


def test_admin_and_token_excluded_unless_named(api):
    api.sb.set_faults([{"kind": "5xx", "status": 500}])
    assert requests.get(f"{api.sb.root_url}/_sandbox/orders", timeout=5).status_code == 200
    tok = requests.post(
        api.sb.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    )
    assert tok.status_code == 200
    api.sb.set_faults([{"kind": "429", "path": "oauth2/token", "retry_after": 1}])
    tok = requests.post(
        api.sb.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    )
    assert tok.status_code == 429


def test_faults_admin_endpoints_and_cli_config(api):
    root = api.sb.root_url
    r = requests.post(f"{root}/_sandbox/faults", json=[{"kind": "429", "count": 1}], timeout=5)
    assert r.status_code == 200 and r.json()[0]["kind"] == "429"
    assert requests.get(f"{root}/_sandbox/faults", timeout=5).json()[0]["remaining"] == 1
    assert fresh(api, "GET", "sites").status_code == 429
    assert requests.delete(f"{root}/_sandbox/faults", timeout=5).json() == []
    assert requests.post(f"{root}/_sandbox/faults", json=[{"kind": "bogus"}], timeout=5).status_code == 400
    with (
        Sandbox(SandboxConfig(faults=[{"kind": "reset", "count": 1}])) as sb,
        pytest.raises(requests.exceptions.ConnectionError),
    ):
        requests.get(f"{sb.base_url}/accounts/9900000/sites", auth=api.session.auth, timeout=5)


def test_reset_on_keepalive_session(api):
    assert api("GET", "sites").status_code == 200
    api.sb.set_faults([{"kind": "reset", "count": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        api("GET", "sites")
    assert api("GET", "sites").status_code == 200


def test_many_concurrent_polls():
    from concurrent.futures import ThreadPoolExecutor

    with Sandbox(SandboxConfig(order_seconds=0.2)) as sb:
        api = Api(sb)
        oid = api.order_id(api.create_order(["3035550100"]))
        url = f"{api.url}/importTnOrders/{oid}"

        def poll(_):
            return requests.get(url, auth=api.session.auth, timeout=20).status_code

        with ThreadPoolExecutor(max_workers=100) as pool:
            codes = list(pool.map(poll, range(1200)))
        assert codes.count(200) == 1200
