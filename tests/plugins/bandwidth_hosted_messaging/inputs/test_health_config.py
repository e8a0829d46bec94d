"""The health check's config file: its connection is the deployer's, with or without the file."""

from __future__ import annotations

from bandwidth_hosted_messaging.inputs.health_config import load_health_config


def test_without_a_config_file_the_deployers_connection_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__CONN_ID", "bandwidth_v2")
    assert load_health_config(tmp_path / "missing.yaml").bandwidth_conn_id == "bandwidth_v2"
    (tmp_path / "empty.yaml").write_text("")
    assert load_health_config(tmp_path / "empty.yaml").bandwidth_conn_id == "bandwidth_v2"
    (tmp_path / "named.yaml").write_text("bandwidth_conn_id: bandwidth_oauth\n")
    assert load_health_config(tmp_path / "named.yaml").bandwidth_conn_id == "bandwidth_oauth"
