"""The run notifiers the import, remove and batch DAGs carry, as the deployer or the batch file sets them."""

from __future__ import annotations

import pytest
import yaml

from bandwidth_hosted_messaging.flows.batch_dags import batch_dag
from bandwidth_hosted_messaging.flows.notifications import run_notifiers
from bandwidth_hosted_messaging.inputs.batch_file import load_batch
from bandwidth_hosted_messaging.inputs.notify import NotifyTargets
from bandwidth_hosted_messaging.notifiers import RunNotifier
from tests.conftest import ROOT
from tests.dags_helpers import batch_fields


def channels(notifier: RunNotifier) -> tuple:
    return notifier.smtp_conn_id, notifier.email_to, notifier.slack_webhook_conn_id, notifier.on_failure


def test_with_nothing_set_a_dag_gets_no_callback():
    assert run_notifiers() == {}
    assert run_notifiers(NotifyTargets(smtp_conn_id="ops_smtp")) == {}  # a connection and nobody to write to


def test_the_deployers_settings_give_a_failure_and_a_success_callback(monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__NOTIFY_SMTP_CONN_ID", "ops_smtp")
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__NOTIFY_EMAIL_TO", "ops@example.com")
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__NOTIFY_SLACK_WEBHOOK_CONN_ID", "ops_slack")
    callbacks = run_notifiers()
    (failure,), (success,) = callbacks["on_failure_callback"], callbacks["on_success_callback"]
    assert channels(failure) == ("ops_smtp", ["ops@example.com"], "ops_slack", True)
    assert channels(success) == ("ops_smtp", ["ops@example.com"], "ops_slack", False)


def test_slack_alone_is_enough():
    (failure,) = run_notifiers(NotifyTargets(slack_webhook_conn_id="ops_slack"))["on_failure_callback"]
    assert channels(failure) == (None, [], "ops_slack", True)


def test_a_batch_dag_carries_its_batch_files_notifiers(tmp_path):
    path = tmp_path / "team.yaml"
    notify = {"smtp_conn_id": "team_smtp", "email_to": "team@example.com"}
    path.write_text(yaml.safe_dump(batch_fields(name="team", numbers=["+13035550100"], notify=notify)))
    dag = batch_dag(load_batch(path))
    (failure,) = dag.on_failure_callback
    assert channels(failure) == ("team_smtp", ["team@example.com"], None, True) and failure.batch == "team"
    assert dag.has_on_failure_callback and dag.has_on_success_callback


@pytest.mark.parametrize(
    "dag_file, dag_id",
    [
        ("hosted_messaging_import.py", "hosted_messaging_import"),
        ("hosted_messaging_remove.py", "hosted_messaging_remove"),
    ],
)
def test_the_manual_dags_carry_no_callback_by_default_and_the_deployers_when_set(
    airflow_db, monkeypatch, dag_file, dag_id
):
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags" / dag_file)).get_dag(dag_id)
    assert dag.on_failure_callback is None and dag.on_success_callback is None
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__NOTIFY_SLACK_WEBHOOK_CONN_ID", "ops_slack")
    dag = DagBag(dag_folder=str(ROOT / "dags" / dag_file)).get_dag(dag_id)
    assert [channels(n) for n in dag.on_failure_callback] == [(None, [], "ops_slack", True)]
