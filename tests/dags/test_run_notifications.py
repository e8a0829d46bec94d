"""
The run notifications on real runs: ``dag.test()`` of a batch DAG against the sandbox, as deployed with
``[bandwidth] notify_*`` and a batch file's ``notify``, with an SMTP server (aiosmtpd) and an HTTP server standing in
for Slack's webhook on loopback.

``dag.test()`` runs the DAG-level callbacks itself: when it marks the run failed or successful,
``DagRun.update_state`` calls ``execute_dag_callbacks`` in the test's process with the context of the task instance
that ended the run, as the DAG processor does from its callback request; the notifier reads the report XCom
through that context's ``ti``. Airflow 3.3.2's ``dag.test()`` cannot build that context for a DAG with a required
Param (it validates the run's Params against its own serialised copy of the DAG and raises before any callback),
so the manual DAGs' notifications are tested on real components (``tests/deployment/test_run_notifications.py``).
"""

from __future__ import annotations

import html
import json

import pytest
import yaml
from airflow.sdk import DagRunState, TaskInstanceState

from bandwidth_hosted_messaging.reporting.links import run_page_url
from tests.dags_helpers import ROOT, batch_fields, report_of, task_states
from tests.notify_servers import FROM_EMAIL, SLACK_TOKEN, SMTP_LOGIN, SMTP_PASSWORD, smtp_server, webhook_server

BASE_URL = "https://airflow.example.com"
OPS = "ops@example.com"
OWNER = "batch-owner@example.com"
NUMBERS = ["+13035550100", "+13035550101"]


def batch(name: str, **fields) -> dict:
    return batch_fields(
        name=name, numbers=NUMBERS, customer_order_id_prefix=name, poll_interval=0.3, grace_period=3, **fields
    )


@pytest.fixture(scope="module")
def servers(airflow_db, sandbox):
    with smtp_server() as smtp, webhook_server() as slack:
        yield smtp, slack


@pytest.fixture(scope="module")
def dags(servers, tmp_path_factory):
    """
    The batch DAGs as deployed with every channel in ``[bandwidth] notify_*``: ``import_batch_notified`` (the
    configuration's targets) and ``import_batch_owned`` (its own recipients, Slack off).
    """
    from airflow.dag_processing.dagbag import DagBag

    smtp, slack = servers
    folder = tmp_path_factory.mktemp("batches")
    (folder / "notified.yaml").write_text(yaml.safe_dump(batch("notified")))
    owned = batch("owned", notify={"email_to": [OWNER], "slack_webhook_conn_id": None})
    (folder / "owned.yaml").write_text(yaml.safe_dump(owned))
    with pytest.MonkeyPatch.context() as mp:  # for the module: dag.test() parses the DAG file again
        mp.setenv("AIRFLOW_CONN_NOTIFY_SMTP", json.dumps(smtp.connection()))
        mp.setenv("AIRFLOW_CONN_NOTIFY_SLACK", json.dumps(slack.connection()))
        mp.setenv("AIRFLOW__API__BASE_URL", BASE_URL)
        mp.setenv("BANDWIDTH_BATCH_FOLDER", str(folder))
        mp.setenv("AIRFLOW__BANDWIDTH__NOTIFY_SMTP_CONN_ID", "notify_smtp")
        mp.setenv("AIRFLOW__BANDWIDTH__NOTIFY_EMAIL_TO", OPS)
        mp.setenv("AIRFLOW__BANDWIDTH__NOTIFY_SLACK_WEBHOOK_CONN_ID", "notify_slack")
        bag = DagBag(dag_folder=str(ROOT / "dags" / "import_batches.py"))
        assert set(bag.dag_ids) == {"import_batch_notified", "import_batch_owned"}, bag.dag_ids
        yield bag


@pytest.fixture
def sent(servers, bw):
    smtp, slack = servers
    smtp.clear()
    slack.clear()
    return smtp, slack


def assert_credential_free(text: str, bw) -> None:
    for secret in (SMTP_PASSWORD, SLACK_TOKEN, bw.config.password, bw.config.client_secret):
        assert secret not in text


def test_a_failed_run_sends_email_and_slack_with_the_counts_and_the_page_link(dags, sent, bw):
    smtp, slack = sent
    bw.seed(order_failures={"+13035550101": 5016})
    dag = dags.get_dag("import_batch_notified")
    dr = dag.test()
    assert dr.state == DagRunState.FAILED
    assert report_of(dr)["summary"] == {"total": 2, "in_service": 1, "order_failed": 1}
    page = run_page_url(dag.dag_id, dr.run_id, base_url=BASE_URL)

    (mail,) = smtp.mails
    assert (mail.mail_from, mail.rcpt_tos) == (FROM_EMAIL, [OPS])
    assert smtp.logins == [(SMTP_LOGIN, SMTP_PASSWORD)]  # sent through the deployer's connection
    assert mail.subject == (
        f"Hosted messaging: batch notified failed: import_batch_notified run {dr.run_id} "
        "(1 of 2 numbers need attention)"
    )
    body = html.unescape(mail.body)
    assert "<td>In service</td><td>1</td>" in body and "<td>Failed in the order</td><td>1</td>" in body
    assert "Failed task: report." in body and "Numbers: 2, 1 needing attention" in body
    assert f'<a href="{page}">Hosted messaging page</a>' in body
    assert f"{BASE_URL}/dags/import_batch_notified/runs/" in body
    assert_credential_free(mail.raw, bw)

    (post,) = slack.posts
    assert post["path"] == f"/{SLACK_TOKEN}"  # the webhook URL: the connection's host and token
    text = post["json"]["text"]
    assert f"import_batch_notified run {dr.run_id}" in text and "failed" in text
    assert "• In service: 1" in text and "• Failed in the order: 1" in text
    assert f"<{page}|Hosted messaging page>" in text
    assert_credential_free(post["body"], bw)


def test_a_clean_run_sends_nothing(dags, sent):
    smtp, slack = sent
    assert dags.get_dag("import_batch_notified").test().state == DagRunState.SUCCESS
    assert smtp.mails == [] and slack.posts == []


def test_numbers_the_checker_rejected_alone_need_no_attention(dags, sent, bw):
    smtp, slack = sent
    bw.seed(checker_rejects={"+13035550101": 19005})
    dr = dags.get_dag("import_batch_notified").test()
    assert dr.state == DagRunState.SUCCESS
    assert report_of(dr)["summary"] == {"total": 2, "in_service": 1, "rejected": 1}
    assert smtp.mails == [] and slack.posts == []


def test_a_successful_run_that_needs_attention_sends(dags, sent, bw):
    smtp, slack = sent
    # Bandwidth refuses every LOA upload: the numbers are in service and the run succeeds, without its LOA.
    bw.set_faults([{"kind": "respond", "path": "loas$", "method": "POST", "status": 400, "text": ""}])
    dag = dags.get_dag("import_batch_notified")
    dr = dag.test()
    assert dr.state == DagRunState.SUCCESS
    assert task_states(dr)["import_order.upload_loa[0]"] == TaskInstanceState.FAILED
    (mail,) = smtp.mails
    assert "batch notified needs attention" in mail.subject and "(2 of 2 numbers need attention)" in mail.subject
    body = html.unescape(mail.body)
    assert "<td>In service</td><td>2</td>" in body and "<td>LOA missing</td><td>2</td>" in body
    assert "Failed task" not in body
    (post,) = slack.posts
    assert "• LOA missing: 2" in post["json"]["text"]
    assert run_page_url(dag.dag_id, dr.run_id, base_url=BASE_URL) in post["json"]["text"]


def test_a_batch_files_notify_fields_choose_its_recipients(dags, sent, bw):
    smtp, slack = sent
    bw.seed(order_failures={"+13035550101": 5016})
    dr = dags.get_dag("import_batch_owned").test()
    assert dr.state == DagRunState.FAILED
    (mail,) = smtp.mails
    assert mail.rcpt_tos == [OWNER]  # the batch's recipients, through the configuration's SMTP connection
    assert "batch owned failed: import_batch_owned" in mail.subject
    assert slack.posts == []  # the batch turned Slack off
