"""No credential, token or Authorization header value ever appears in what a run logs."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from airflow.sdk import DagRunState

from tests.dags_helpers import ROOT, base_conf

DAGS = ROOT / "dags"

CALLBACK_PASSWORD = "cb-pass-Zq81xT"


def import_dag_through(conn_id: str, monkeypatch):
    """The import DAG as deployed with ``[bandwidth] conn_id = conn_id`` (the form never names a connection)."""
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW__BANDWIDTH__CONN_ID", conn_id)
    return DagBag(dag_folder=str(DAGS / "hosted_messaging_import.py")).get_dag("hosted_messaging_import")


def secrets_of(bw) -> list[str]:
    from bandwidth_hosted_messaging.client.oauth import TOKENS

    cfg = bw.config
    basic = base64.b64encode(f"{cfg.username}:{cfg.password}".encode()).decode()
    client = base64.b64encode(f"{cfg.client_id}:{cfg.client_secret}".encode()).decode()
    tokens = [t.value for t in TOKENS._tokens.values()]
    return [cfg.password, cfg.client_secret, basic, client, CALLBACK_PASSWORD, *tokens]


def all_logs(capfd) -> str:
    captured = capfd.readouterr()
    files = [p.read_text(errors="replace") for p in Path(os.environ["AIRFLOW_HOME"]).rglob("*.log") if p.is_file()]
    return "\n".join([captured.out, captured.err, *files])


@pytest.mark.parametrize("conn_id", ["bandwidth_default", "bandwidth_oauth", "bandwidth_v2"])
def test_a_whole_import_logs_no_secret(airflow_db, bw, capfd, monkeypatch, conn_id):
    import_dag = import_dag_through(conn_id, monkeypatch)
    assert import_dag.get_task("check_importability").bandwidth_conn_id == conn_id
    monkeypatch.setenv(
        "AIRFLOW_CONN_BANDWIDTH_CALLBACK",
        json.dumps(
            {
                "conn_type": "http",
                "host": "http://127.0.0.1:9/bandwidth/callbacks",
                "login": "bw",
                "password": CALLBACK_PASSWORD,
            }
        ),
    )
    capfd.readouterr()
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550198"]))
    assert dr.state == DagRunState.FAILED  # the PARTIAL number fails the report: every error path logs too
    logs = all_logs(capfd)
    assert "Order" in logs and "importTnChecker" in logs  # the logs were captured
    secrets = secrets_of(bw)
    if conn_id == "bandwidth_oauth":
        assert len(secrets) > 5, "no OAuth2 token was issued"
    leaked = [s for s in secrets if s and s in logs]
    assert leaked == []
    assert "Authorization" not in logs
