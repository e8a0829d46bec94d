"""The ``make airflow`` launcher's settings, without starting anything."""

from __future__ import annotations

import json
import os

import pytest

from tests.deployment.helpers import ROOT, load_launcher

launcher = load_launcher()


def test_port_sets_api_port_base_url_and_execution_api_url_together(tmp_path):
    af = launcher.LocalAirflow(tmp_path, port=0, sandbox_port=0)
    env = af.env()
    assert af.port > 0 and af.url == f"http://127.0.0.1:{af.port}"
    assert env["AIRFLOW__API__PORT"] == str(af.port)
    assert env["AIRFLOW__API__BASE_URL"] == af.url
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == f"{af.url}/execution/"


def test_components_get_our_settings_and_nothing_airflow_from_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__EXECUTOR", "SequentialExecutor")
    monkeypatch.setenv("AIRFLOW_CONN_SOMETHING_ELSE", "http://x")
    env = launcher.LocalAirflow(tmp_path, port=18080, sandbox_port=18089).env()
    assert env["AIRFLOW_HOME"] == str(tmp_path.resolve())
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path.resolve() / 'airflow.db'}"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(ROOT / "dags")
    assert "AIRFLOW_CONN_SOMETHING_ELSE" not in env
    assert env["PATH"] == os.environ["PATH"]
    default = json.loads(env["AIRFLOW_CONN_BANDWIDTH_DEFAULT"])
    assert default["host"] == "http://127.0.0.1:18089/api" and default["extra"]["auth_type"] == "oauth2"
    callback = json.loads(env["AIRFLOW_CONN_BANDWIDTH_CALLBACK"])
    assert callback["host"] == "http://127.0.0.1:18080/bandwidth/callbacks"
    assert callback["login"] and callback["password"]


def test_postgres_url_uses_psycopg2_and_celery_gets_its_own_queue(tmp_path):
    af = launcher.LocalAirflow(
        tmp_path, port=18080, db="postgresql://postgres@127.0.0.1:5432/x", celery_broker="redis://127.0.0.1:6379/11"
    )
    env = af.env()
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://postgres@127.0.0.1:5432/x"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql://postgres@127.0.0.1:5432/x"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] == af.celery_queue


def test_celery_on_sqlite_is_refused(tmp_path):
    with pytest.raises(ValueError, match="PostgreSQL"):
        launcher.LocalAirflow(tmp_path, celery_broker="redis://127.0.0.1:6379/11")
