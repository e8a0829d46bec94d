"""Admin API and the request log."""

from __future__ import annotations

import requests
from sandbox_helpers import order_xml


def test_request_log_contents(api):
    api("GET", "importTnOrders", params=[("status", "complete"), ("status", "failed"), ("tn", "3035550100")])
    api("POST", "importTnOrders", data=order_xml(["3035550100"]))
    requests.get(f"{api.url}/sites", timeout=5)
    log = requests.get(f"{api.sb.root_url}/_sandbox/requests", timeout=5).json()
    assert log == api.sb.requests()
    first, second, third = log
    assert first["method"] == "GET" and first["path"] == "/api/accounts/9900000/importTnOrders"
    assert first["endpoint"] == "importTnOrders.list" and first["status"] == 200 and first["auth"] == "basic"
    assert first["query"] == "status=complete&status=failed&tn=3035550100"
    assert first["params"]["status"] == ["complete", "failed"]
    assert second["endpoint"] == "importTnOrders.create" and second["status"] == 201
    assert "<TelephoneNumber>3035550100</TelephoneNumber>" in second["body"]
    assert third["auth"] == "none" and third["status"] == 401
    assert all(e["time"].endswith("Z") for e in log)
    assert "sandbox-password" not in str(log)
    assert requests.delete(f"{api.sb.root_url}/_sandbox/requests", timeout=5).status_code == 200
    assert api.sb.requests() == []


def test_body_truncated(api):
    big = order_xml([f"303{i:07d}" for i in range(2000000, 2005000)])
    assert len(big) > 64 * 1024
    api("POST", "importTnOrders", data=big)
    body = api.sb.requests()[0]["body"]
    assert "truncated" in body and len(body) < 64 * 1024 + 100


def test_seed_reset_config(api):
    root = api.sb.root_url
    r = requests.post(
        f"{root}/_sandbox/seed",
        json={
            "checker_rejects": {"3035550100": 19005},
            "order_failures": {"3035550101": 7518},
            "in_service": ["3035550199"],
            "config": {"order_seconds": 5},
        },
        timeout=5,
    )
    assert r.status_code == 200
    assert requests.get(f"{root}/_sandbox/config", timeout=5).json()["order_seconds"] == 5
    assert api("GET", "inserviceNumbers/3035550199").status_code == 200
    api("POST", "importTnOrders", data=order_xml(["3035550100"]))
    assert len(requests.get(f"{root}/_sandbox/orders", timeout=5).json()) == 1
    assert requests.post(f"{root}/_sandbox/seed", json={"config": {"nope": 1}}, timeout=5).status_code == 400
    assert requests.post(f"{root}/_sandbox/reset", timeout=5).status_code == 200
    assert requests.get(f"{root}/_sandbox/orders", timeout=5).json() == []
    assert requests.get(f"{root}/_sandbox/config", timeout=5).json()["order_seconds"] == 0.3
    assert api("GET", "inserviceNumbers/3035550199").status_code == 404
    assert api.sb.requests()[-1]["endpoint"] == "inserviceNumbers.get"
    assert (
        requests.post(f"{root}/_sandbox/orders/nope/status", json={"status": "COMPLETE"}, timeout=5).status_code == 404
    )
    assert requests.get(f"{root}/_sandbox/health", timeout=5).json()["ok"] is True
