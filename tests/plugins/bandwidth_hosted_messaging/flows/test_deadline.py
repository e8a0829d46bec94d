"""The Deadline Alert the import, remove and batch DAGs carry, as the deployer configures it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bandwidth_hosted_messaging.flows.deadline import deadline_alert, log_missed_deadline
from tests.conftest import ROOT


@pytest.fixture
def alerts_on(monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__DEADLINE_ALERTS", "True")
    for key in ("DEADLINE_HOURS", "DEADLINE_CALLBACK", "DEADLINE_CALLBACK_KWARGS"):
        monkeypatch.delenv(f"AIRFLOW__BANDWIDTH__{key}", raising=False)
    return monkeypatch


def test_by_default_a_warning_24_hours_after_the_run_was_queued(alerts_on):
    alert = deadline_alert()
    assert type(alert.reference).__name__ == "DagRunQueuedAtDeadline"
    assert alert.interval == timedelta(hours=24)
    assert alert.callback.path == "bandwidth_hosted_messaging.flows.deadline.log_missed_deadline"
    assert alert.callback.kwargs == {"hours": 24.0}


def test_the_deployer_sets_the_hours_and_the_callback(alerts_on):
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_HOURS", "6")
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_CALLBACK", "airflow.providers.smtp.notifications.smtp.SmtpNotifier")
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_CALLBACK_KWARGS", '{"to": "ops@example.com"}')
    alert = deadline_alert()
    assert alert.interval == timedelta(hours=6)
    assert alert.callback.path == "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
    assert alert.callback.kwargs == {"to": "ops@example.com"}
    assert deadline_alert(48).interval == timedelta(hours=48)  # a batch file's own


def test_bad_settings_are_refused_when_the_dag_is_built(alerts_on):
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_CALLBACK", "x.y")
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_CALLBACK_KWARGS", "[1]")
    with pytest.raises(ValueError, match="deadline_callback_kwargs must be a JSON object"):
        deadline_alert()
    with pytest.raises(ValueError, match="deadline_hours must be above 0"):
        deadline_alert(0)


def test_off_means_no_alert(alerts_on):
    alerts_on.setenv("AIRFLOW__BANDWIDTH__DEADLINE_ALERTS", "False")
    assert deadline_alert() is None


def test_the_default_callback_names_the_dag_and_run_and_nothing_else():
    context = {"dag_run": {"dag_id": "hosted_messaging_import", "dag_run_id": "manual__1", "conf": {"x": "secret"}}}
    message = asyncio.run(log_missed_deadline(context=context, hours=24.0))
    assert "run manual__1 of DAG hosted_messaging_import is not done 24 h after it was queued" in message
    assert "secret" not in message


@pytest.mark.parametrize(
    "file, dag_id",
    [
        ("hosted_messaging_import.py", "hosted_messaging_import"),
        ("hosted_messaging_remove.py", "hosted_messaging_remove"),
    ],
)
def test_the_manual_dags_carry_the_alert(airflow_db, alerts_on, file, dag_id):
    from airflow.dag_processing.dagbag import DagBag

    deadline = DagBag(dag_folder=str(ROOT / "dags" / file)).get_dag(dag_id).deadline
    alerts = deadline if isinstance(deadline, list) else [deadline]
    assert [a.interval for a in alerts] == [timedelta(hours=24)]
