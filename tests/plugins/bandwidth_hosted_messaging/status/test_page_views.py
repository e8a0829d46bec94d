"""
The ``bandwidth_status`` plugin as Airflow loads it: importing it stays cheap, the real API server mounts the page
and its API (401 without a user), and the UI gets the "Hosted messaging" nav entry and the DAG run tab.

In a fresh interpreter, as tests/plugins/test_hosted_messaging_plugin.py does: the plugin manager imports the plugins
folder, which must not leak into this test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import hosted_messaging_plugin
cheap = "airflow.assets.manager" not in sys.modules and "airflow.api_fastapi.core_api.security" not in sys.modules

from airflow import plugins_manager
from airflow.api_fastapi.app import create_app
from fastapi.testclient import TestClient

client = TestClient(create_app())
external_views, _ = plugins_manager._get_ui_plugins()
print(json.dumps({
    "cheap_import": cheap,
    "apps": {p["url_prefix"]: p["name"] for p in plugins_manager.get_fastapi_plugins()[0]},
    "views": [v for v in external_views if v.get("url_route", "").startswith("hosted-messaging")],
    "page": [client.get("/bandwidth-status/").status_code, client.get("/bandwidth-status/static/app.js").status_code],
    "api": [client.get(f"/bandwidth-status/api/{p}").status_code for p in ("runs", "numbers/3035550100")],
    "icon": client.get("/bandwidth-status/static/icon.svg").headers.get("content-type"),
}))
"""


def test_the_api_server_mounts_the_page_and_the_ui_lists_its_views(airflow_db):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "plugins")], capture_output=True, text=True, cwd=ROOT, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["cheap_import"] is True
    assert result["apps"] == {"/bandwidth": "Bandwidth callbacks", "/bandwidth-status": "Hosted messaging status"}
    nav, tab = result["views"]
    assert (nav["name"], nav["destination"], nav["href"], nav["nav_top_level"]) == (
        "Hosted messaging",
        "nav",
        "/bandwidth-status/",
        True,
    )
    assert (tab["name"], tab["destination"]) == ("Hosted messaging", "dag_run")
    assert tab["href"] == "/bandwidth-status/?dag_id={DAG_ID}&run_id={RUN_ID}&tab=1"
    assert result["page"] == [200, 200]
    assert result["api"] == [401, 401]
    assert result["icon"].startswith("image/svg")
