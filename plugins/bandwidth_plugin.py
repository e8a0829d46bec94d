"""The ``bandwidth`` Airflow plugin: mounts the Bandwidth callback receiver on the API server at ``/bandwidth``."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from bandwidth.callbacks import app


class BandwidthPlugin(AirflowPlugin):
    """Serve ``POST /bandwidth/callbacks`` (Bandwidth's order notifications and account events)."""

    name = "bandwidth"
    fastapi_apps = [{"app": app, "url_prefix": "/bandwidth", "name": "Bandwidth callbacks"}]
