"""
A Bandwidth connection saved through Airflow's API, as the UI's form saves it, reads back unmasked and works
(issue 13, L14): Airflow masks every field whose name contains "token", so the old ``token_url`` came back as
``***`` and the form saved that. Run in a fresh interpreter: the API server app loads the plugins folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bandwidth_hosted_messaging.client.errors import ConnectionConfigError
from bandwidth_hosted_messaging.client.settings import ConnectionSettings

ROOT = Path(__file__).resolve().parents[3]
URL = "http://127.0.0.1:8089/api/v1/oauth2/token"

PROBE = """
import json, sys
from airflow.api_fastapi.app import create_app, get_auth_manager
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
from fastapi.testclient import TestClient

client = TestClient(create_app())
token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
auth = {"Authorization": f"Bearer {token}"}
extra = {"account_id": "9900000", "auth_type": "oauth2", "oauth_url": sys.argv[1], "token_url": sys.argv[1]}
body = {"connection_id": "bw_form", "conn_type": "bandwidth", "host": "http://127.0.0.1:8089/api",
        "login": "client-id", "password": "client-secret", "extra": json.dumps(extra)}
client.delete("/api/v2/connections/bw_form", headers=auth)
created = client.post("/api/v2/connections", json=body, headers=auth)
read = client.get("/api/v2/connections/bw_form", headers=auth)
print(json.dumps({"created": created.status_code, "read": read.status_code, "extra": read.json().get("extra")}))
"""


def test_a_connection_saved_through_the_api_keeps_its_oauth_url_unmasked(airflow_db):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, URL], capture_output=True, text=True, env=os.environ.copy(), cwd=ROOT, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (seen["created"], seen["read"]) == (201, 200)
    extra = json.loads(seen["extra"])
    assert extra["oauth_url"] == URL  # what the form shows and saves again: the URL itself
    assert extra["token_url"] == "***"  # the old field name: masked, which is why it was renamed


class _Conn:
    conn_id, conn_type, host, port, schema, login, password = "bw", "bandwidth", None, None, None, "id", "secret"

    def __init__(self, extra):
        self.extra_dejson = extra


def test_the_old_token_url_is_still_read_and_a_masked_url_is_refused_clearly():
    assert ConnectionSettings.from_connection(_Conn({"account_id": "1", "token_url": URL})).token_url == URL
    with pytest.raises(ConnectionConfigError, match="oauth_url must be an http"):
        ConnectionSettings.from_connection(_Conn({"account_id": "1", "token_url": "***"}))
    with pytest.raises(ConnectionConfigError, match="of type 'http'; a connection of type 'bandwidth'"):
        ConnectionSettings.from_connection(type("Http", (_Conn,), {"conn_type": "http"})({"account_id": "1"}))
