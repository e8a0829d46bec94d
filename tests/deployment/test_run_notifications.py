"""
The run notifications of the manual import DAG on real components (api-server, scheduler, dag-processor,
triggerer, LocalExecutor, SQLite, the sandbox as a process), deployed with ``[bandwidth] notify_*``: the
scheduler asks the DAG processor to run the DAG's failure callback, which reads the report XCom through the
execution API and sends through the smtp and slack providers to the test's SMTP server (aiosmtpd) and its HTTP
server standing in for Slack's webhook.

This is the path ``dag.test()`` cannot take for this DAG: Airflow 3.3.2's ``dag.test()`` fails building a DAG
callback's context when the DAG has a required Param (tests/dags/test_run_notifications.py runs the batch DAGs).
"""

from __future__ import annotations

import html
import json

import pytest

from bandwidth_hosted_messaging.reporting.links import run_page_url
from tests.deployment.helpers import LOADED_MACHINE_ENV, load_launcher, running
from tests.deployment.test_reliability import conf, run_state, trigger, wait_for
from tests.notify_servers import SLACK_TOKEN, SMTP_PASSWORD, smtp_server, webhook_server

pytestmark = pytest.mark.integration

DAG_ID = "hosted_messaging_import"
OPS = "ops@example.com"


@pytest.fixture(scope="module")
def servers():
    with smtp_server() as smtp, webhook_server() as slack:
        yield smtp, slack


@pytest.fixture(scope="module")
def local_airflow(servers, tmp_path_factory, airflow_db_template):
    smtp, slack = servers
    af = load_launcher().LocalAirflow(
        tmp_path_factory.mktemp("airflow-home"),
        db_template=airflow_db_template,
        port=0,
        sandbox_port=0,
        parallelism=2,
        order_seconds=1,
        extra_env={
            "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
            **LOADED_MACHINE_ENV,
            "AIRFLOW__BANDWIDTH__NOTIFY_SMTP_CONN_ID": "notify_smtp",
            "AIRFLOW__BANDWIDTH__NOTIFY_EMAIL_TO": OPS,
            "AIRFLOW__BANDWIDTH__NOTIFY_SLACK_WEBHOOK_CONN_ID": "notify_slack",
            "AIRFLOW_CONN_NOTIFY_SMTP": json.dumps(smtp.connection()),
            "AIRFLOW_CONN_NOTIFY_SLACK": json.dumps(slack.connection()),
        },
    )
    with running(af, timeout=150):
        yield af


def test_a_failed_import_run_is_reported_by_email_and_on_slack_from_the_dag_processor(local_airflow, servers):
    af = local_airflow
    smtp, slack = servers
    # …98 fails in its order (the sandbox's rule: 7518); one order of both numbers ends PARTIAL
    run_id = trigger(af, {**conf(["+13035550100", "+13035550198"], "notify"), "chunk_size": 2})
    assert wait_for(af, "the run to end", lambda: run_state(af, run_id)) == "failed"
    wait_for(af, "the email and the Slack message", lambda: smtp.mails and slack.posts, timeout=60)

    page = run_page_url(DAG_ID, run_id, base_url=af.url)  # [api] base_url of the launcher
    (mail,) = smtp.mails
    assert mail.rcpt_tos == [OPS]
    assert mail.subject == (
        f"Hosted messaging: Acme Dental (form) failed: {DAG_ID} run {run_id} (1 of 2 numbers need attention)"
    )
    body = html.unescape(mail.body)
    assert "<td>In service</td><td>1</td>" in body and "<td>Failed in the order</td><td>1</td>" in body
    assert f'<a href="{page}">Hosted messaging page</a>' in body
    (post,) = slack.posts
    assert post["path"] == f"/{SLACK_TOKEN}"
    assert (
        "• Failed in the order: 1" in post["json"]["text"] and f"<{page}|Hosted messaging page>" in post["json"]["text"]
    )
    for text in (mail.raw, post["body"]):
        assert SMTP_PASSWORD not in text and SLACK_TOKEN not in text and "sandbox-client-secret" not in text

    # the DAG processor ran the callback and read the report as an XCom (not the report file)
    def processor_logs() -> str:
        files = (af.home / "logs" / "dag_processor").rglob("hosted_messaging_import.py.log")
        return "".join(p.read_text() for p in files)

    # its line comes after the sends: on a loaded machine the messages may arrive before the log is written
    wait_for(
        af,
        "the DAG processor's log of its notification",
        lambda: "Notified by email, slack" in processor_logs(),
        timeout=60,
    )
    assert "Reading the report file" not in processor_logs()
