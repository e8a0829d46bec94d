"""
The Airflow plugins of this project, on the API server:

- ``bandwidth``: the Bandwidth callback receiver at ``/bandwidth``;
- ``bandwidth_status``: the operators' view, "Hosted messaging" in the UI's navigation and a tab on every DAG
  run, an iframe of the page at ``/bandwidth-status/`` (its JSON API behind Airflow's login).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from bandwidth_hosted_messaging.callbacks.receiver import app
from bandwidth_hosted_messaging.constants import CALLBACK_PREFIX
from bandwidth_hosted_messaging.status import api as status_api


class BandwidthPlugin(AirflowPlugin):
    """Serve ``POST /bandwidth/callbacks`` (Bandwidth's order notifications and account events)."""

    name = "bandwidth"
    fastapi_apps = [{"app": app, "url_prefix": CALLBACK_PREFIX, "name": "Bandwidth callbacks"}]


class BandwidthStatusPlugin(AirflowPlugin):
    """The import status page: every import/remove run, its per-number rows, a number's history."""

    name = "bandwidth_status"
    fastapi_apps = [{"app": status_api.app, "url_prefix": status_api.PREFIX, "name": "Hosted messaging status"}]
    external_views = [
        {
            "name": "Hosted messaging",
            "href": f"{status_api.PREFIX}/",
            "destination": "nav",
            "url_route": "hosted-messaging",
            "nav_top_level": True,
            "icon": f"{status_api.PREFIX}/static/icon.svg",
        },
        {
            # On every DAG run (Airflow offers no per-DAG filter): the page says when a run has no report.
            "name": "Hosted messaging",
            "href": f"{status_api.PREFIX}/?dag_id={{DAG_ID}}&run_id={{RUN_ID}}&tab=1",
            "destination": "dag_run",
            "url_route": "hosted-messaging-run",
        },
    ]
