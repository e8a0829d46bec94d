"""
The operator extra links of the import and remove tasks: the run's "Hosted messaging" page, and the Bandwidth
order a task made or waits on.

Airflow 3.3 shows a task's extra link from the XCom under the link's ``xcom_key``, which the task runner writes
when the task ends (``get_link`` runs on the worker). A task that waits (a deferred sensor, an approval) or ends
from the triggerer would show nothing meanwhile, so :func:`persist_links` writes them as soon as the task starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from airflow.sdk import BaseOperatorLink, Context, conf

from bandwidth_hosted_messaging.constants import ORDER_URL_KEY, STATUS_PREFIX

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

REPORT_LINK_NAME = "Hosted messaging report"
ORDER_LINK_NAME = "Bandwidth order"


def run_page_url(dag_id: str, run_id: str, base_url: str | None = None) -> str:
    """
    The "Hosted messaging" page of one run: ``{base_url}/bandwidth-status/?dag_id=…&run_id=…``.

    :param base_url: the API server's URL (default ``[api] base_url``; ``""``: a path from the server's root).
    """
    base = (conf.get("api", "base_url", fallback="") or "" if base_url is None else base_url).rstrip("/")
    return f"{base}{STATUS_PREFIX}/?{urlencode({'dag_id': dag_id, 'run_id': run_id})}"


class HostedMessagingReportLink(BaseOperatorLink):
    """The run's page on "Hosted messaging": its plan, progress, per-number report."""

    name = REPORT_LINK_NAME

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        return run_page_url(ti_key.dag_id, ti_key.run_id)


class BandwidthOrderLink(BaseOperatorLink):
    """The API resource of the order the task made or waits on (``…/accounts/{id}/importTnOrders/{order id}``)."""

    name = ORDER_LINK_NAME

    @property
    def xcom_key(self) -> str:
        return ORDER_URL_KEY

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        value = XCom.get_value(ti_key=ti_key, key=ORDER_URL_KEY)
        return value if isinstance(value, str) else ""


#: What every import and remove task shows (the order link is added where there is an order).
REPORT_LINKS = (HostedMessagingReportLink(),)
ORDER_LINKS = (HostedMessagingReportLink(), BandwidthOrderLink())


def persist_links(context: Context, operator: Any) -> None:
    """Write the task's report link now, so that it shows while the task waits (the order link is pushed apart)."""
    ti = context["ti"]
    for link in operator.operator_extra_links:
        if isinstance(link, HostedMessagingReportLink):
            ti.xcom_push(key=link.xcom_key, value=run_page_url(ti.dag_id, ti.run_id))


def report_link_xcoms(dag_id: str, run_id: str) -> dict[str, str]:
    """The report link's XCom, for a task the triggerer ends (no worker writes it then)."""
    return {HostedMessagingReportLink().xcom_key: run_page_url(dag_id, run_id)}
