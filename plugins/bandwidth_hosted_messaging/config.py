"""
What whoever deploys the DAGs sets, in Airflow's configuration (section ``[bandwidth]``, or the environment
``AIRFLOW__BANDWIDTH__<KEY>``), never in a trigger form:

======================  ==================================================================================
``conn_id``             the Bandwidth connection of the manual DAGs (default ``bandwidth_default``)
``callback_conn_id``    the connection of the callback URL and credentials (default ``bandwidth_callback``)
``min_poll_interval``   the shortest safety poll a form or batch file may ask for, seconds (default 1)
``loa_roots``           where LOA files may come from: local folders and object-storage prefixes, comma
                        separated (default: the project's ``include/loa`` and each batch folder's ``loa/``)
``report_base``         where reports are written (see :mod:`.reporting.storage`)
======================  ==================================================================================

The trigger form never names a connection: a user who may trigger a run must not be able to send another
connection's credentials to Bandwidth.
"""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import conf

from bandwidth_hosted_messaging.constants import CALLBACK_CONN_ID, DEFAULT_CONN_ID

SECTION = "bandwidth"
DEFAULT_MIN_POLL_INTERVAL = 1.0


def bandwidth_conn_id() -> str:
    return conf.get(SECTION, "conn_id", fallback=DEFAULT_CONN_ID) or DEFAULT_CONN_ID


def callback_conn_id() -> str:
    return conf.get(SECTION, "callback_conn_id", fallback=CALLBACK_CONN_ID) or CALLBACK_CONN_ID


def min_poll_interval() -> float:
    return conf.getfloat(SECTION, "min_poll_interval", fallback=DEFAULT_MIN_POLL_INTERVAL)


def default_loa_root() -> Path:
    """The project's ``include/loa`` (beside the DAGs folder), where the sample LOA lives."""
    dags_folder = conf.get("core", "dags_folder", fallback="") or "dags"
    return Path(dags_folder).resolve().parent / "include" / "loa"


def loa_roots() -> list[str]:
    """The configured LOA roots (local folders or URL prefixes); the project's ``include/loa`` when none is set."""
    configured = conf.get(SECTION, "loa_roots", fallback="") or ""
    roots = [r.strip() for r in configured.replace("\n", ",").split(",") if r.strip()]
    return roots or [str(default_loa_root())]
