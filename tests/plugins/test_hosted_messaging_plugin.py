"""
The ``bandwidth`` plugin as Airflow loads it: cheap to import, and mounted by the real API server app.

Each check runs in a fresh interpreter so that Airflow's plugin manager (which imports every ``.py`` file of
the plugins folder) cannot leak modules into the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

IMPORT_PROBE = """
import json, socket, sys

def refuse(*args, **kwargs):
    raise AssertionError("importing the plugin touched the network")

socket.socket.connect = refuse
socket.create_connection = refuse
sys.path.insert(0, sys.argv[1])
import hosted_messaging_plugin
import airflow.settings

plugin = hosted_messaging_plugin.BandwidthPlugin
(entry,) = plugin.fastapi_apps
pool = airflow.settings.engine.pool
print(json.dumps({
    "name": plugin.name,
    "url_prefix": entry["url_prefix"],
    "app_name": entry["name"],
    "routes": sorted(r.path for r in entry["app"].routes),
    "asset_manager_imported": "airflow.assets.manager" in sys.modules,
    "db_connections": pool.checkedin() + pool.checkedout(),
}))
"""

API_SERVER_PROBE = """
import base64, json, sys
from airflow import plugins_manager
from airflow.api_fastapi.app import create_app
from fastapi.testclient import TestClient

client = TestClient(create_app())
xml = {"Content-Type": "application/xml"}
no_auth = client.post("/bandwidth/callbacks", content=b"<Notification/>", headers=xml)
token = base64.b64encode(b"cb-user:cb-password").decode()
auth = {**xml, "Authorization": "Basic " + token}
bad_body = client.post("/bandwidth/callbacks", content=b"<Notification>", headers=auth)
print(json.dumps({
    "plugins": [p["name"] for p in plugins_manager.get_fastapi_plugins()[0]],
    "no_auth": [no_auth.status_code, no_auth.headers.get("www-authenticate")],
    "bad_body": bad_body.status_code,
    "xml_module": getattr(sys.modules.get("xml"), "__file__", None),
}))
"""


def run_probe(code: str, *args: str) -> dict:
    env = {
        **os.environ,
        "AIRFLOW_CONN_BANDWIDTH_CALLBACK": json.dumps(
            {"conn_type": "http", "login": "cb-user", "password": "cb-password"}
        ),
    }
    env.pop("BANDWIDTH_CALLBACK_CONN_ID", None)
    cmd = [sys.executable, "-c", code, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_plugin_is_cheap_and_touches_neither_network_nor_db():
    result = run_probe(IMPORT_PROBE, str(ROOT / "plugins"))
    assert result["name"] == "bandwidth"
    assert (result["url_prefix"], result["app_name"]) == ("/bandwidth", "Bandwidth callbacks")
    assert "/callbacks" in result["routes"]
    assert result["asset_manager_imported"] is False
    assert result["db_connections"] == 0


@pytest.fixture(scope="module")
def api_server_probe(airflow_db) -> dict:
    return run_probe(API_SERVER_PROBE)


def test_the_api_server_mounts_the_callback_route_with_the_basic_challenge(api_server_probe):
    assert "Bandwidth callbacks" in api_server_probe["plugins"]
    assert api_server_probe["no_auth"] == [401, 'Basic realm="bandwidth"']
    assert api_server_probe["bad_body"] == 400


def test_loading_plugins_leaves_the_standard_library_xml_package_alone(api_server_probe):
    # the plugin manager imports every .py file of the plugins folder as a top-level module unless
    # plugins/.airflowignore excludes it: the bandwidth package is installed, so it is excluded there
    assert api_server_probe["xml_module"] and "plugins" not in Path(api_server_probe["xml_module"]).parts
