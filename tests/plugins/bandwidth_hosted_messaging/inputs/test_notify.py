"""Who hears about a run: the deployer's [bandwidth] notify_* settings and a batch file's ``notify`` over them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bandwidth_hosted_messaging.inputs.batch_file import load_batch
from bandwidth_hosted_messaging.inputs.errors import BatchFileError, RequestError
from bandwidth_hosted_messaging.inputs.notify import NotifyTargets, configured_targets
from tests.dags_helpers import batch_fields

GOOD = batch_fields(name="notified", numbers=["+13035550100"])


@pytest.fixture
def deployed(monkeypatch):
    """Set ``[bandwidth] notify_*`` as a deployer would (environment)."""

    def deploy(**settings: str) -> None:
        for key, value in settings.items():
            monkeypatch.setenv(f"AIRFLOW__BANDWIDTH__NOTIFY_{key.upper()}", value)

    return deploy


def batch_with(tmp_path: Path, notify) -> Path:
    path = tmp_path / "notified.yaml"
    path.write_text(yaml.safe_dump({**GOOD, "notify": notify}))
    return path


def refusal(path: Path) -> BatchFileError:
    with pytest.raises(BatchFileError) as info:
        load_batch(path)
    return info.value


def test_nothing_is_set_by_default(tmp_path):
    assert configured_targets() == NotifyTargets()
    assert not configured_targets().any
    assert load_batch(batch_with(tmp_path, None)).notify == NotifyTargets()


def test_the_configuration_sets_every_channel(deployed):
    deployed(smtp_conn_id="ops_smtp", email_to="ops@example.com, oncall@example.com", slack_webhook_conn_id="ops_slack")
    targets = configured_targets()
    assert targets == NotifyTargets("ops_smtp", ("ops@example.com", "oncall@example.com"), "ops_slack")
    assert targets.email and targets.slack


def test_an_smtp_connection_without_recipients_sends_no_email(deployed):
    deployed(smtp_conn_id="ops_smtp")
    assert not configured_targets().email and not configured_targets().any


def test_a_malformed_setting_names_the_configuration_key_not_the_value(deployed):
    deployed(smtp_conn_id="ops_smtp", email_to="ops@example.com,not-an-address")
    with pytest.raises(RequestError) as info:
        configured_targets()
    assert info.value.field == "[bandwidth] notify_email_to"
    assert "entry 2: not an email address" in str(info.value) and "not-an-address" not in str(info.value)


def test_recipients_without_an_smtp_connection_are_refused(deployed):
    deployed(email_to="ops@example.com")
    with pytest.raises(RequestError, match=r"notify_email_to: needs an SMTP connection"):
        configured_targets()


def test_a_batch_file_sets_its_own_channels(tmp_path):
    notify = {
        "smtp_conn_id": "team_smtp",
        "email_to": ["a@example.com", "b@example.org"],
        "slack_webhook_conn_id": "team_slack",
    }
    batch = load_batch(batch_with(tmp_path, notify))
    assert batch.notify == NotifyTargets("team_smtp", ("a@example.com", "b@example.org"), "team_slack")


def test_a_batch_file_keeps_the_configurations_fields_it_leaves_out_and_null_turns_one_off(tmp_path, deployed):
    deployed(smtp_conn_id="ops_smtp", email_to="ops@example.com", slack_webhook_conn_id="ops_slack")
    assert load_batch(batch_with(tmp_path, None)).notify == NotifyTargets("ops_smtp", ("ops@example.com",), "ops_slack")
    own = load_batch(batch_with(tmp_path, {"email_to": "owner@example.com", "slack_webhook_conn_id": None})).notify
    assert own == NotifyTargets("ops_smtp", ("owner@example.com",), None)
    assert not load_batch(batch_with(tmp_path, {"email_to": None, "slack_webhook_conn_id": None})).notify.any


@pytest.mark.parametrize(
    "notify, field, rule",
    [
        ("ops@example.com", "notify", "must be a mapping (smtp_conn_id, email_to, slack_webhook_conn_id)"),
        ({"webhook": "x"}, "notify.webhook", "is not a notify field"),
        ({"smtp_conn_id": "smtp default!"}, "notify.smtp_conn_id", "is not a connection id"),
        ({"slack_webhook_conn_id": 7}, "notify.slack_webhook_conn_id", "is not a connection id"),
        (
            {"smtp_conn_id": "s", "email_to": ["ok@example.com", "Jane <jane@example.com>"]},
            "notify.email_to",
            "entry 2: not an email address",
        ),
        (
            {"smtp_conn_id": "s", "email_to": {"to": "a@example.com"}},
            "notify.email_to",
            "must be an email address or a list",
        ),
        (
            {"smtp_conn_id": "s", "email_to": [f"u{i}@example.com" for i in range(51)]},
            "notify.email_to",
            "holds more than 50",
        ),
        ({"email_to": ["a@example.com"]}, "notify.email_to", "needs an SMTP connection"),
    ],
)
def test_a_bad_notify_field_is_named_with_its_rule_and_never_its_value(tmp_path, notify, field, rule):
    path = batch_with(tmp_path, notify)
    err = refusal(path)
    assert err.field == field
    assert rule in err.reason
    assert str(path) in str(err)
    assert "jane@example.com" not in str(err) and "smtp default!" not in str(err)


def test_an_inherited_bad_setting_names_the_configuration_key(tmp_path, deployed):
    deployed(smtp_conn_id="bad id")
    assert refusal(batch_with(tmp_path, {"email_to": "a@example.com"})).field == "[bandwidth] notify_smtp_conn_id"
