"""
The URLs between the status page and the Airflow UI, built in one place.

- :func:`run_page_url`: the "Hosted messaging" page of one run, ``{base_url}/bandwidth-status/?dag_id=…&run_id=…``.
  That URL is stable: the page reads exactly these two query parameters (plus optional filters: ``outcome``,
  ``q``, ``offset``), so an operator extra link, a notification or a log line may print it.
- :func:`airflow_run_url`, :func:`airflow_task_url`: the run's and a task instance's pages in the Airflow UI
  (``/dags/{dag_id}/runs/{run_id}``, ``…/tasks/{task_id}[/mapped/{map_index}]``; the task's page opens on its log).
- :func:`run_tab_url`: the run's "Hosted messaging" tab inside the Airflow UI.

``base_url`` defaults to ``[api] base_url`` (without a trailing slash); when that is not set, the URLs are paths
from the server's root (``/bandwidth-status/?…``), which a browser on the Airflow UI resolves on its own origin.

Cheap to import: only the standard library and :mod:`~bandwidth_hosted_messaging.constants` (Airflow's
configuration is read inside :func:`airflow_base_url`, only when no ``base_url`` is given).
"""

from __future__ import annotations

from urllib.parse import quote

#: The ``url_route`` of the plugin's tab on every DAG run (``plugins/hosted_messaging_plugin.py``).
RUN_TAB_ROUTE = "hosted-messaging-run"


def airflow_base_url() -> str:
    """``[api] base_url`` without its trailing slash; ``""`` when it is not set."""
    from airflow.configuration import conf

    return (conf.get("api", "base_url", fallback="") or "").rstrip("/")


def root_path() -> str:
    """The path Airflow is served under (``[api] base_url``'s path, ``""`` at the root): for links in the page."""
    from urllib.parse import urlsplit

    return urlsplit(airflow_base_url()).path.rstrip("/")


def _base(base_url: str | None) -> str:
    return (airflow_base_url() if base_url is None else base_url).rstrip("/")


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def run_page_url(dag_id: str, run_id: str, base_url: str | None = None) -> str:
    """
    The status page of one run: ``{base_url}/bandwidth-status/?dag_id={dag_id}&run_id={run_id}``.

    The one definition is :func:`bandwidth_hosted_messaging.reporting.links.run_page_url` (the operators' "Hosted
    messaging report" extra link uses it, and the operators may not import this package); this is it, for the page.

    :param dag_id: the import, batch or remove DAG.
    :param run_id: the DAG run.
    :param base_url: the Airflow API server's URL (default ``[api] base_url``; ``""``: a path from the root).
    """
    from bandwidth_hosted_messaging.reporting.links import run_page_url as page_url

    return page_url(dag_id, run_id, base_url)


def airflow_run_url(dag_id: str, run_id: str, base_url: str | None = None) -> str:
    """The run's page in the Airflow UI: ``{base_url}/dags/{dag_id}/runs/{run_id}``."""
    return f"{_base(base_url)}/dags/{_segment(dag_id)}/runs/{_segment(run_id)}"


def airflow_task_url(dag_id: str, run_id: str, task_id: str, map_index: int = -1, base_url: str | None = None) -> str:
    """A task instance's page in the Airflow UI (it opens on the task's log)."""
    url = f"{airflow_run_url(dag_id, run_id, base_url)}/tasks/{_segment(task_id)}"
    return f"{url}/mapped/{int(map_index)}" if map_index is not None and int(map_index) >= 0 else url


def run_tab_url(dag_id: str, run_id: str, base_url: str | None = None) -> str:
    """The run's "Hosted messaging" tab inside the Airflow UI (the page of :func:`run_page_url`, framed)."""
    return f"{airflow_run_url(dag_id, run_id, base_url)}/plugin/{RUN_TAB_ROUTE}"
