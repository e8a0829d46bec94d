"""The package registers the `bandwidth` connection type with Airflow, with a labelled form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_airflow_lists_the_bandwidth_connection_type_with_its_form(airflow_db):
    from airflow.providers_manager import ProvidersManager

    pm = ProvidersManager()
    hook = pm.hooks["bandwidth"]
    assert hook.hook_class_name == "bandwidth_hosted_messaging.hooks.bandwidth.BandwidthHook"
    assert hook.package_name == "airflow-provider-bandwidth-hosted-messaging"
    fields = {name.split("__")[-1] for name in pm.connection_form_widgets if "bandwidth" in name}
    assert {"account_id", "auth_type", "oauth_url", "timeout", "max_attempts"} <= fields
    assert not any("token" in f for f in fields)  # Airflow masks such fields: the form would save "***"
    behaviour = pm.field_behaviours["bandwidth"]
    assert behaviour["relabeling"]["host"].startswith("API base URL (its path picks the version")
    assert "schema" in behaviour["hidden_fields"]


def test_the_cli_lists_it_too(airflow_db):
    airflow = str(Path(sys.executable).parent / "airflow")
    out = subprocess.run(
        [airflow, "providers", "hooks", "--output", "json"], capture_output=True, text=True, check=True
    ).stdout
    rows = json.loads(out[out.index("[") :])
    assert any(row.get("connection_type") == "bandwidth" for row in rows), rows
