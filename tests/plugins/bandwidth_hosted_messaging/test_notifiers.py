"""
The run notification: its message (pure), and RunNotifier sending it through the smtp and slack providers to a real
SMTP server and a real HTTP server on loopback. The callback's context is built as Airflow's is, with a stand-in for
the task instance that only answers ``xcom_pull`` with the run's report.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys

import pytest

from bandwidth_hosted_messaging.notifiers import RunNotifier, airflow_base_url, run_message
from tests.notify_servers import SLACK_TOKEN, SMTP_PASSWORD, free_port, smtp_server, webhook_server

BASE = "https://airflow.example.com"


def row(number: str, outcome: str, **fields) -> dict:
    return {"number": number, "outcome": outcome, "order_id": None, "loa_file": None, **fields}


def report(*rows: dict, **extra) -> dict:
    summary: dict[str, int] = {"total": len(rows)}
    for r in rows:
        summary[r["outcome"]] = summary.get(r["outcome"], 0) + 1
    return {"dag_id": "d", "run_id": "r", "summary": summary, "rows": list(rows), **extra}


IN_SERVICE = row("+13035550100", "in_service", order_id="o-1", loa_file="o-1.pdf")
FAILED = row("+13035550101", "order_failed", order_id="o-1", error_code="5016")
REJECTED = row("+13035550102", "rejected", checker_code="19005")
NO_LOA = row("+13035550103", "in_service", order_id="o-2")


# ---- the message ----------------------------------------------------------------------------------------
def test_a_failed_run_names_the_batch_the_run_the_counts_and_the_links():
    m = run_message(
        dag_id="import_batch_acme",
        run_id="manual__2026-12-01T10:00:00+00:00",
        failed=True,
        report=report(IN_SERVICE, FAILED, REJECTED),
        base_url=BASE,
        failed_task="report",
    )
    assert m.subject == (
        "Hosted messaging: batch acme failed: import_batch_acme run manual__2026-12-01T10:00:00+00:00 "
        "(1 of 3 numbers need attention)"
    )
    assert m.counts == {"In service": 1, "Rejected by the checker": 1, "Failed in the order": 1}
    page = f"{BASE}/bandwidth-status/?dag_id=import_batch_acme&run_id=manual__2026-12-01T10%3A00%3A00%2B00%3A00"
    run = f"{BASE}/dags/import_batch_acme/runs/manual__2026-12-01T10%3A00%3A00%2B00%3A00"
    assert m.text.splitlines() == [
        "The run manual__2026-12-01T10:00:00+00:00 of import_batch_acme (batch acme) failed.",
        "Failed task: report.",
        "Numbers: 3, 1 needing attention",
        "  In service: 1",
        "  Rejected by the checker: 1",
        "  Failed in the order: 1",
        f"Hosted messaging page: {page}",
        f"Airflow run: {run}",
    ]
    assert f"<{page}|Hosted messaging page>" in m.slack and "• Failed in the order: 1" in m.slack
    assert f'<a href="{html.escape(page)}">' in m.html and "<td>Failed in the order</td><td>1</td>" in m.html
    assert m.needs_attention


def test_a_clean_run_and_one_with_only_rejected_numbers_need_no_attention():
    for rows in ([IN_SERVICE], [IN_SERVICE, REJECTED], [row("+13035550100", "removed")]):
        assert not run_message(dag_id="d", run_id="r", failed=False, report=report(*rows)).needs_attention


def test_a_missing_loa_or_a_failed_number_in_a_successful_run_needs_attention():
    m = run_message(dag_id="hosted_messaging_import", run_id="r", failed=False, report=report(IN_SERVICE, NO_LOA))
    assert m.needs_attention and "needs attention" in m.subject and "(1 of 2 numbers need attention)" in m.subject
    assert m.counts == {"In service": 2, "LOA missing": 1}
    still = run_message(
        dag_id="hosted_messaging_remove", run_id="r", failed=False, report=report(row("+1", "still_in_service"))
    )
    assert still.needs_attention and "removal needs attention" in still.subject


def test_a_run_without_a_report_says_so_and_links_by_path_without_a_base_url():
    m = run_message(dag_id="hosted_messaging_import", run_id="r1", failed=True, report=None, subscriber="Acme Dental")
    assert m.subject == "Hosted messaging: Acme Dental (form) failed: hosted_messaging_import run r1"
    assert "No per-number report was written" in m.text
    assert "Hosted messaging page: /bandwidth-status/?dag_id=hosted_messaging_import&run_id=r1 (a path" in m.text


def test_a_rejected_approval_and_a_dry_run_are_said():
    approval = {"decision": "rejected", "by": "Jane", "at": "2026-12-01T10:00:00Z"}
    m = run_message(dag_id="d", run_id="r", failed=True, report=report(row("+1", "not_ordered"), approval=approval))
    assert "Approval rejected by Jane at 2026-12-01T10:00:00Z: nothing was ordered." in m.text
    dry = run_message(
        dag_id="import_batch_b", run_id="r", failed=False, report=report(row("+1", "would_order"), dry_run=True)
    )
    assert not dry.needs_attention and "batch b (dry run)" in dry.subject
    assert "Would order: 1" in dry.text  # an outcome without a label of ours is shown by its key


def test_outside_text_is_escaped_for_html_and_slack():
    m = run_message(dag_id="hosted_messaging_import", run_id="r", failed=True, report=None, subscriber="<b>A&B</b>")
    assert "<b>" not in m.html and "&lt;b&gt;A&amp;B&lt;/b&gt;" in m.html
    assert "<b>" not in m.slack and "&lt;b&gt;A&amp;B&lt;/b&gt;" in m.slack


def test_the_base_url_loses_any_credentials(monkeypatch):
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://admin:s3cret@airflow.example.com:8443/")
    assert airflow_base_url() == "https://airflow.example.com:8443"
    monkeypatch.delenv("AIRFLOW__API__BASE_URL")
    assert airflow_base_url() == ""


# ---- sending ----------------------------------------------------------------------------------------------
class _Dag:
    dag_id = "import_batch_acme"


class _ReportTi:
    """What the callback's task instance answers for the report task's XCom."""

    task_id = "report"

    def __init__(self, value):
        self.value = value

    def xcom_pull(self, task_ids=None, map_indexes=None, **kwargs):
        assert (task_ids, map_indexes) == ("report", -1)
        return self.value


def context(value, subscriber="{{ conn.notify_smtp.password }}") -> dict:
    return {"dag": _Dag(), "run_id": "manual__1", "ti": _ReportTi(value), "params": {"subscriber_name": subscriber}}


@pytest.fixture(scope="module")
def servers():
    with smtp_server() as smtp, webhook_server() as slack, pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_NOTIFY_SMTP", json.dumps(smtp.connection()))
        mp.setenv("AIRFLOW_CONN_NOTIFY_SLACK", json.dumps(slack.connection()))
        mp.setenv("AIRFLOW__API__BASE_URL", BASE)
        yield smtp, slack


@pytest.fixture
def sent(servers):
    for sink in servers:
        sink.clear()
    return servers


def notifier(on_failure=True, **kwargs) -> RunNotifier:
    channels = {"smtp_conn_id": "notify_smtp", "email_to": ["ops@example.com"], "slack_webhook_conn_id": "notify_slack"}
    return RunNotifier(on_failure=on_failure, batch="acme", **{**channels, **kwargs})


def test_the_failure_callback_sends_the_email_and_the_slack_message(sent):
    smtp, slack = sent
    notifier()(context(report(IN_SERVICE, FAILED)))  # called as Airflow calls a callback
    (mail,) = smtp.mails
    assert mail.rcpt_tos == ["ops@example.com"] and "batch acme failed" in mail.subject
    assert "<td>Failed in the order</td><td>1</td>" in html.unescape(mail.body)
    (post,) = slack.posts
    assert post["path"] == f"/{SLACK_TOKEN}" and "• Failed in the order: 1" in post["json"]["text"]
    for secret in (SMTP_PASSWORD, SLACK_TOKEN):
        assert secret not in mail.raw and secret not in post["body"]


def test_the_report_may_come_back_as_json_text(sent):
    smtp, _ = sent
    notifier()(context(json.dumps(report(FAILED))))
    assert "<td>Failed in the order</td><td>1</td>" in html.unescape(smtp.mails[0].body)


def test_the_success_callback_sends_only_when_the_run_needs_attention(sent):
    smtp, slack = sent
    notifier(on_failure=False)(context(report(IN_SERVICE, REJECTED)))
    assert smtp.mails == [] and slack.posts == []
    notifier(on_failure=False)(context(report(IN_SERVICE, NO_LOA)))
    assert len(smtp.mails) == 1 and len(slack.posts) == 1 and "needs attention" in smtp.mails[0].subject


def test_nothing_in_the_message_is_rendered_as_a_template(sent):
    _, slack = sent
    manual = {**context(report(FAILED), subscriber="{{ 7 * 7 }} {{ conn.notify_smtp.password }}")}
    manual["dag"] = type("Dag", (), {"dag_id": "hosted_messaging_import"})()
    RunNotifier(on_failure=True, slack_webhook_conn_id="notify_slack")(manual)
    (post,) = slack.posts
    assert "{{ 7 * 7 }} {{ conn.notify_smtp.password }} (form) failed" in post["json"]["text"]
    assert "49" not in post["json"]["text"] and SMTP_PASSWORD not in post["body"]


def test_one_channel_failing_does_not_stop_the_other_and_the_error_holds_no_secret(sent, monkeypatch):
    smtp, slack = sent
    closed = {"conn_type": "smtp", "host": "127.0.0.1", "port": free_port(), "login": "u", "password": SMTP_PASSWORD}
    closed["extra"] = {
        "from_email": "a@example.com",
        "disable_ssl": True,
        "disable_tls": True,
        "retry_limit": 0,
        "timeout": 2,
    }
    monkeypatch.setenv("AIRFLOW_CONN_CLOSED_SMTP", json.dumps(closed))
    with pytest.raises(RuntimeError, match="Could not send the run notification by email") as info:
        notifier(smtp_conn_id="closed_smtp")(context(report(FAILED)))
    assert SMTP_PASSWORD not in str(info.value)
    assert len(slack.posts) == 1 and smtp.mails == []


def test_building_the_notifiers_imports_no_provider_and_no_http_client():
    code = (
        "import sys\n"
        "from bandwidth_hosted_messaging.flows.notifications import run_notifiers\n"
        "from bandwidth_hosted_messaging.inputs.notify import NotifyTargets\n"
        "run_notifiers(NotifyTargets('s', ('a@example.com',), 'w'))\n"
        "heavy = ('airflow.providers.smtp.hooks', 'airflow.providers.smtp.notifications', 'airflow.providers.slack.hooks',\n"
        "         'airflow.providers.slack.notifications', 'slack_sdk', 'aiosmtplib', 'aiohttp', 'requests')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_provider_registers_the_notifier(airflow_db):
    from airflow.providers_manager import ProvidersManager

    assert "bandwidth_hosted_messaging.notifiers.RunNotifier" in ProvidersManager().notification
