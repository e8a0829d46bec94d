"""
The run notifications: :class:`RunNotifier` tells people that an import or remove run failed, or finished and
needs attention, by email (the smtp provider's ``SmtpHook``) and on Slack (the slack provider's
``SlackWebhookNotifier``). The DAGs get it as ``on_failure_callback`` / ``on_success_callback``
(:func:`~bandwidth_hosted_messaging.flows.notifications.run_notifiers`), which Airflow's DAG processor calls when
the run ends.

The message (:func:`run_message`) names the DAG, the batch and the run, gives the count per outcome from the run's
report (the ``report`` task's XCom; its ``report.json`` where no XCom can be read) and links the run's "Hosted
messaging" page and its Airflow page under ``[api] base_url``. It holds connection ids at most, never a
connection's password, token or webhook URL. Nothing in it is rendered as a template: it carries Bandwidth's texts
and a subscriber's name.

A finished run needs attention when a number did not end as it should (failed in its order, not ordered, not in
service, not removed) or an ordered number has no LOA recorded: the status page's red flag. Numbers the checker
rejected under the ``skip`` policy alone do not (the report lists them by design).

Cheap to import (a DAG file imports it): the providers are imported only when a message is sent.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from airflow.sdk.bases.notifier import BaseNotifier

from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX, REMOVE_DAG, REPORT_JSON, REPORT_TASK_ID
from bandwidth_hosted_messaging.contracts import pulled
from bandwidth_hosted_messaging.reporting.links import run_page_url
from bandwidth_hosted_messaging.statuses import Outcome, is_ordered_ok, is_successful

#: How the message names each outcome (in this order); an outcome not listed here is shown by its key.
OUTCOME_LABELS: dict[str, str] = {
    Outcome.IN_SERVICE: "In service",
    Outcome.ALREADY_IN_SERVICE: "Already in service",
    Outcome.REJECTED: "Rejected by the checker",
    Outcome.ORDER_FAILED: "Failed in the order",
    Outcome.NOT_ORDERED: "Not ordered",
    Outcome.NOT_IN_SERVICE: "Not in service after the grace period",
    Outcome.REMOVED: "Removed",
    Outcome.REMOVE_FAILED: "Remove failed",
    Outcome.STILL_IN_SERVICE: "Still in service",
}
LOA_MISSING_LABEL = "LOA missing"

log = logging.getLogger(__name__)


# ---- URLs -------------------------------------------------------------------------------------------------
def airflow_base_url() -> str:
    """``[api] base_url`` without a trailing slash or any user:password part; ``""`` when it is not set."""
    from airflow.sdk import conf

    raw = (conf.get("api", "base_url", fallback="") or "").strip().rstrip("/")
    parts = urlsplit(raw)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def airflow_run_url(base_url: str, dag_id: str, run_id: str) -> str:
    """The run's page in the Airflow UI: ``{base_url}/dags/{dag_id}/runs/{run_id}``."""
    return f"{base_url}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


# ---- the message ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunMessage:
    """What one notification says: its subject, and its body as plain text, Slack mrkdwn and email HTML."""

    subject: str
    text: str
    slack: str
    html: str
    needs_attention: bool
    counts: dict[str, int] = field(default_factory=dict)


def _loa_missing(row: Mapping[str, Any]) -> bool:
    return is_ordered_ok(row.get("outcome")) and bool(row.get("order_id")) and not row.get("loa_file")


def loa_missing_count(rows: Sequence[Mapping[str, Any]]) -> int:
    """Numbers whose import order went through but whose order has no LOA file recorded."""
    return sum(1 for r in rows if _loa_missing(r))


def attention_count(rows: Sequence[Mapping[str, Any]]) -> int:
    """Numbers that did not end as they should, or lack their LOA."""
    return sum(1 for r in rows if not is_successful(r.get("outcome")) or _loa_missing(r))


def outcome_counts(report: Mapping[str, Any]) -> dict[str, int]:
    """``{label: count}`` of a report, in :data:`OUTCOME_LABELS` order, then ``LOA missing`` when any."""
    summary = {k: v for k, v in (report.get("summary") or {}).items() if k != "total" and v}
    counts = {OUTCOME_LABELS[k]: summary.pop(k) for k in list(OUTCOME_LABELS) if k in summary}
    counts.update({k.replace("_", " ").capitalize(): v for k, v in sorted(summary.items())})
    missing = loa_missing_count(report.get("rows") or [])
    if missing:
        counts[LOA_MISSING_LABEL] = missing
    return counts


def run_label(dag_id: str, batch: str | None = None, subscriber: str | None = None) -> str:
    """``batch acme_dental``, ``removal``, ``Acme Dental (form)``: what the run was, as the status page says."""
    if batch or dag_id.startswith(BATCH_DAG_PREFIX):
        return f"batch {batch or dag_id[len(BATCH_DAG_PREFIX) :]}"
    if dag_id == REMOVE_DAG:
        return "removal"
    return f"{subscriber} (form)" if subscriber else "form"


def _approval_line(report: Mapping[str, Any]) -> str | None:
    approval = report.get("approval")
    if not isinstance(approval, Mapping) or approval.get("decision") not in ("rejected", "timed_out"):
        return None
    what = "rejected" if approval["decision"] == "rejected" else "not given in time"
    by = f" by {approval['by']}" if approval.get("by") else ""
    at = f" at {approval['at']}" if approval.get("at") else ""
    return f"Approval {what}{by}{at}: nothing was ordered."


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run_message(
    *,
    dag_id: str,
    run_id: str,
    failed: bool,
    report: Mapping[str, Any] | None,
    base_url: str = "",
    batch: str | None = None,
    subscriber: str | None = None,
    failed_task: str | None = None,
) -> RunMessage:
    """
    The notification of a finished run.

    :param failed: the run failed (else it succeeded, and the message says whether it needs attention).
    :param report: the run's report (the ``report`` task's return value), ``None`` when it wrote none.
    :param base_url: ``[api] base_url`` (``""``: the links are paths from the Airflow server's root).
    :param batch: the batch file's name (batch DAGs).
    :param subscriber: the form's subscriber name (manual imports).
    :param failed_task: the task that failed the run, if known.
    """
    label = run_label(dag_id, batch, subscriber)
    rows = (report or {}).get("rows") or []
    attention = attention_count(rows)
    needs_attention = failed or attention > 0
    total = int(((report or {}).get("summary") or {}).get("total", len(rows)))
    counts = outcome_counts(report) if report else {}
    state = "failed" if failed else ("needs attention" if needs_attention else "succeeded")
    dry = " (dry run)" if report and report.get("dry_run") else ""
    subject = f"Hosted messaging: {label}{dry} {state}: {dag_id} run {run_id}"
    if attention:
        subject += f" ({attention} of {total} numbers need attention)"

    intro = [f"The run {run_id} of {dag_id} ({label}{dry}) {state}."]
    if failed and failed_task:
        intro.append(f"Failed task: {failed_task}.")
    approval = _approval_line(report) if report else None
    if approval:
        intro.append(approval)
    if report:
        numbers = f"Numbers: {total}" + (f", {attention} needing attention" if attention else "")
    else:
        numbers = "No per-number report was written: the run stopped before its report (see the failed task's log)."
    page = run_page_url(dag_id, run_id, base_url=base_url)
    airflow_run = airflow_run_url(base_url, dag_id, run_id)
    hint = "" if base_url else " (a path on the Airflow server: set [api] base_url for full links)"

    text = [*intro, numbers, *(f"  {name}: {count}" for name, count in counts.items())]
    text += [f"Hosted messaging page: {page}{hint}", f"Airflow run: {airflow_run}"]

    slack = [f"*{_slack_escape(subject)}*", *(_slack_escape(line) for line in [*intro, numbers])]
    slack += [f"• {_slack_escape(name)}: {count}" for name, count in counts.items()]
    slack += [f"<{page}|Hosted messaging page>{_slack_escape(hint)}", f"<{airflow_run}|Airflow run>"]

    esc = html.escape
    body = [*(f"<p>{esc(line)}</p>" for line in [*intro, numbers])]
    if counts:
        body.append("<table>")
        body += [f"<tr><td>{esc(name)}</td><td>{count}</td></tr>" for name, count in counts.items()]
        body.append("</table>")
    body.append(f'<p><a href="{esc(page)}">Hosted messaging page</a>{esc(hint)}: {esc(page)}</p>')
    body.append(f'<p><a href="{esc(airflow_run)}">Airflow run</a>: {esc(airflow_run)}</p>')
    return RunMessage(
        subject=subject,
        text="\n".join(text),
        slack="\n".join(slack),
        html="\n".join(body),
        needs_attention=needs_attention,
        counts=counts,
    )


# ---- the notifier -----------------------------------------------------------------------------------------
def _report(value: Any) -> dict[str, Any] | None:
    value = pulled(value)
    return value if isinstance(value, dict) and isinstance(value.get("rows"), list) else None


def report_of_run(context: Mapping[str, Any]) -> dict[str, Any] | None:
    """
    The run's report from the callback's context: the ``report`` task's return value (XCom), or, where no XCom
    can be read (``dag.test()`` calls the callbacks after its in-process supervisor is gone), the ``report.json``
    that task wrote. ``None`` when the run wrote none.
    """
    dag_id, run_id = context["dag"].dag_id, context["run_id"]
    try:
        ti = context.get("ti")
        if ti is not None:
            value = ti.xcom_pull(task_ids=REPORT_TASK_ID, map_indexes=-1)
        else:  # a DAG callback whose run had no task instance to name: address the XCom by the run
            from airflow.sdk.execution_time.xcom import XCom

            value = XCom.get_one(key="return_value", dag_id=dag_id, task_id=REPORT_TASK_ID, run_id=run_id, map_index=-1)
        return _report(value)
    except Exception as err:  # no supervisor to ask (dag.test), or it failed: the report file says the same
        log.info("Reading the report file of %s %s (no XCom: %s)", dag_id, run_id, err)
    from bandwidth_hosted_messaging.reporting.storage import report_folder

    path = report_folder(dag_id, run_id) / REPORT_JSON
    return _report(json.loads(path.read_text())) if path.exists() else None


class RunNotifier(BaseNotifier):
    """
    Send a run's notification by email and/or to Slack: always for a failed run, for a finished one only when it
    needs attention.

    :param smtp_conn_id: the SMTP connection (smtp provider); with ``email_to``, email goes out.
    :param email_to: the recipients.
    :param slack_webhook_conn_id: the Slack incoming webhook connection (slack provider, type ``slackwebhook``).
    :param on_failure: this is the run's failure callback (else its success callback).
    :param batch: the batch file's name, for batch DAGs.
    """

    # Nothing is a template: the message holds outside text (Bandwidth's, a subscriber's) that must not be rendered.
    template_fields: Sequence[str] = ()

    def __init__(
        self,
        *,
        smtp_conn_id: str | None = None,
        email_to: Sequence[str] = (),
        slack_webhook_conn_id: str | None = None,
        on_failure: bool = True,
        batch: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id
        self.email_to = list(email_to)
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.on_failure = on_failure
        self.batch = batch

    def __repr__(self) -> str:
        channels = [
            c for c, on in (("email", self.smtp_conn_id and self.email_to), ("slack", self.slack_webhook_conn_id)) if on
        ]
        return f"RunNotifier(on_{'failure' if self.on_failure else 'success'}, {'+'.join(channels) or 'no channel'})"

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        """
        Render nothing: there is no template field. (The base class would still build the DAG's Jinja environment,
        which ``dag.test()``'s serialised DAG in the callback's context does not have.)
        """

    def message(self, context: Mapping[str, Any]) -> RunMessage:
        """The message of the run in ``context`` (a DAG callback's context)."""
        dag_id, run_id = context["dag"].dag_id, context["run_id"]
        try:
            report = report_of_run(context)
        except Exception as err:  # no report is still worth a message about a failed run
            self.log.warning("Could not read the report of %s %s: %s", dag_id, run_id, err)
            report = None
        params = context.get("params") or {}
        ti = context.get("ti")
        return run_message(
            dag_id=dag_id,
            run_id=run_id,
            failed=self.on_failure,
            report=report,
            base_url=airflow_base_url(),
            batch=self.batch,
            subscriber=params.get("subscriber_name") if isinstance(params.get("subscriber_name"), str) else None,
            failed_task=getattr(ti, "task_id", None) if self.on_failure else None,
        )

    def notify(self, context: Any) -> None:
        message = self.message(context)
        if not message.needs_attention:
            self.log.info("Run %s needs no attention: no notification", context["run_id"])
            return
        sent, failed = [], []
        for channel, send in (("email", self._send_email), ("slack", self._send_slack)):
            try:
                if send(message, context):
                    sent.append(channel)
            except Exception as err:
                self.log.error("The %s notification of run %s failed: %s", channel, context["run_id"], err)
                failed.append(channel)
        self.log.info("Notified by %s: %s", ", ".join(sent) or "nothing", message.subject)
        if failed:
            raise RuntimeError(f"Could not send the run notification by {', '.join(failed)} (see the log above)")

    def _send_email(self, message: RunMessage, context: Any) -> bool:
        if not (self.smtp_conn_id and self.email_to):
            return False
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        # The hook, not SmtpNotifier: the subject and body are final text, and the notifier would render its
        # missing fields (the sender, from the connection's ``from_email``) as templates.
        with SmtpHook(smtp_conn_id=self.smtp_conn_id) as smtp:
            smtp.send_email_smtp(to=self.email_to, subject=message.subject, html_content=message.html)
        return True

    def _send_slack(self, message: RunMessage, context: Any) -> bool:
        if not self.slack_webhook_conn_id:
            return False
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        # notify(), not __call__: the text is final, never rendered as a template.
        SlackWebhookNotifier(slack_webhook_conn_id=self.slack_webhook_conn_id, text=message.slack).notify(context)
        return True
