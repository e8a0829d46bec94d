"""Authentication: Basic, OAuth2 bearer tokens, 401/403, both base prefixes, case-insensitive paths."""

from __future__ import annotations

import requests
from sandbox_helpers import ACCOUNT, USER, parse

from bandwidth_sandbox import Sandbox, SandboxConfig


def test_basic_auth_ok(sandbox):
    r = requests.get(f"{sandbox.base_url}/accounts/{ACCOUNT}/sites", auth=USER, timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert "SitesResponse" in parse(r)


def test_missing_and_bad_credentials_401(sandbox):
    url = f"{sandbox.base_url}/accounts/{ACCOUNT}/sites"
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=("sandbox-user", "nope"), timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer unknown"}, timeout=5).status_code == 401


def test_other_account_403(sandbox):
    r = requests.get(f"{sandbox.base_url}/accounts/9900001/importTnOrders", auth=USER, timeout=5)
    assert r.status_code == 403


def test_oauth2_token_and_bearer(sandbox):
    r = requests.post(
        sandbox.token_url,
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]
    r = requests.get(
        f"{sandbox.base_url}/accounts/{ACCOUNT}/sites",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    )
    assert r.status_code == 200
    log = sandbox.requests()
    assert log[0]["endpoint"] == "token" and log[0]["auth"] == "basic"
    assert log[1]["auth"] == "bearer"
    assert "sandbox-client-secret" not in str(log)


def test_token_errors(sandbox):
    bad = requests.post(
        sandbox.token_url, data={"grant_type": "client_credentials"}, auth=("sandbox-client-id", "wrong"), timeout=5
    )
    assert bad.status_code == 401
    grant = requests.post(
        sandbox.token_url,
        data={"grant_type": "password"},
        auth=("sandbox-client-id", "sandbox-client-secret"),
        timeout=5,
    )
    assert grant.status_code == 400


def test_expired_token_401():
    with Sandbox(SandboxConfig(token_expires_in=1)) as sb:
        tok = requests.post(
            sb.token_url,
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client-id", "sandbox-client-secret"),
            timeout=5,
        ).json()["access_token"]
        url = f"{sb.base_url}/accounts/{ACCOUNT}/sites"
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}, timeout=5).status_code == 200
        sb.advance(2)
        assert requests.get(url, headers={"Authorization": f"Bearer {tok}"}, timeout=5).status_code == 401


def test_v10_prefix_and_case_insensitive_paths(sandbox):
    root = sandbox.root_url
    r = requests.get(f"{root}/v1.0/accounts/{ACCOUNT}/SITES/14413/SipPeers", auth=USER, timeout=5)
    assert r.status_code == 200
    assert parse(r)["TNSipPeersResponse"]["SipPeers"]["SipPeer"][0]["PeerId"] == "521952"
    r = requests.get(f"{root}/api/accounts/{ACCOUNT}/importtnorders", auth=USER, timeout=5)
    assert r.status_code == 200
    assert sandbox.requests()[-1]["endpoint"] == "importTnOrders.list"


def test_unknown_route_404_and_wrong_method_405(api):
    assert api("GET", "nothingHere").status_code == 404
    assert api("DELETE", "importTnChecker").status_code == 405


def test_env_config(monkeypatch):
    monkeypatch.setenv("BW_SANDBOX_ACCOUNT_ID", "1234567")
    monkeypatch.setenv("BW_SANDBOX_USERNAME", "u")
    monkeypatch.setenv("BW_SANDBOX_PASSWORD", "p")
    monkeypatch.setenv("BW_SANDBOX_ORDER_SECONDS", "0.5")
    monkeypatch.setenv("BW_SANDBOX_FAULTS", '[{"kind": "429", "count": 1}]')
    monkeypatch.setenv("BW_SANDBOX_CHECKER_REJECT_SUFFIXES", "{}")
    cfg = SandboxConfig.from_env()
    assert cfg.account_id == "1234567" and cfg.username == "u" and cfg.order_seconds == 0.5
    assert cfg.faults == [{"kind": "429", "count": 1}] and cfg.checker_reject_suffixes == {}
    with Sandbox(cfg) as sb:
        url = f"{sb.base_url}/accounts/1234567/sites"
        assert requests.get(url, auth=("u", "p"), timeout=5).status_code == 429
        assert requests.get(url, auth=("u", "p"), timeout=5).status_code == 200
