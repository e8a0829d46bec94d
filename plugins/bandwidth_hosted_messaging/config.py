"""
What whoever deploys the DAGs sets, in Airflow's configuration (section ``[bandwidth]``, or the environment
``AIRFLOW__BANDWIDTH__<KEY>``), never in a trigger form:

======================  ==================================================================================
``conn_id``             the Bandwidth connection of the manual DAGs (default ``bandwidth_default``)
``callback_conn_id``    the connection of the callback URL and credentials (default ``bandwidth_callback``)
``inventory_conn_id``   the connection of the hosted-number inventory's database (default
                        ``bandwidth_inventory``; when it is not defined: ``$AIRFLOW_HOME/bandwidth_inventory.db``)
``min_poll_interval``   the shortest safety poll a form or batch file may ask for, seconds (default 1)
``callback_wakeups``    whether Bandwidth's callbacks wake the waits on their orders (default true)
``callback_check_interval``  how often a triggerer looks for new callbacks, seconds (default 1)
``wait_long_stop_days`` after this many days a wait on an order gives up (default 30)
``deadline_alerts``     whether the import and remove DAGs carry their Deadline Alert (default true)
``deadline_hours``      a run whose numbers are not all done this long after it was queued raises its
                        Deadline Alert (default 24; batch files may set their own)
``deadline_callback``   dotted path of the alert's async callback or notifier class (default: log a warning)
``deadline_callback_kwargs``  its keyword arguments, as JSON (default none)
``approval_threshold``  a run that would import at least this many numbers waits for a person's approval
                        before ordering (default 1000; 0 never asks; batch files may set their own)
``remove_approval_threshold``  the same for the remove DAG (default 1: every removal is confirmed)
``approval_timeout_hours``  how long an approval waits for an answer; then nothing is ordered (default 24)
``site_check_memory_hours``  a site and SIP peer that passed the check are not read again for this long
                        (default 24; 0: every run checks; any failed order of the connection forgets them)
``subscription_memory_hours``  the subscriptions are not listed again for this long while the one kept is
                        known valid: same connection, URL and username, more than half its expiry left, and a
                        callback from it since (default 24; 0: every run lists; see
                        :mod:`.hooks.subscription_memory`)
``loa_roots``           where LOA files may come from: local folders and object-storage prefixes, comma
                        separated (default: the project's ``include/loa`` and each batch folder's ``loa/``)
``report_base``         where reports are written (see :mod:`.reporting.storage`)
``notify_smtp_conn_id`` the SMTP connection (type ``smtp``) of the run notifications' email (default none)
``notify_email_to``     who gets that email: addresses, comma separated (default none: no email)
``notify_slack_webhook_conn_id``  the Slack incoming webhook connection (type ``slackwebhook``) of the run
                        notifications (default none: no Slack message)
======================  ==================================================================================

The trigger form never names a connection: a user who may trigger a run must not be able to send another
connection's credentials to Bandwidth.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from airflow.sdk import conf

from bandwidth_hosted_messaging.constants import CALLBACK_CONN_ID, DEFAULT_CONN_ID, INVENTORY_CONN_ID

SECTION = "bandwidth"
DEFAULT_MIN_POLL_INTERVAL = 1.0
DEFAULT_CALLBACK_CHECK_INTERVAL = 1.0
DEFAULT_WAIT_LONG_STOP_DAYS = 30.0
DEFAULT_DEADLINE_HOURS = 24.0
DEFAULT_APPROVAL_THRESHOLD = 1000
DEFAULT_REMOVE_APPROVAL_THRESHOLD = 1
DEFAULT_APPROVAL_TIMEOUT_HOURS = 24.0

T = TypeVar("T")


def bandwidth_conn_id() -> str:
    return conf.get(SECTION, "conn_id", fallback=DEFAULT_CONN_ID) or DEFAULT_CONN_ID


def callback_conn_id() -> str:
    return conf.get(SECTION, "callback_conn_id", fallback=CALLBACK_CONN_ID) or CALLBACK_CONN_ID


def inventory_conn_id() -> str:
    return conf.get(SECTION, "inventory_conn_id", fallback=INVENTORY_CONN_ID) or INVENTORY_CONN_ID


def min_poll_interval() -> float:
    return conf.getfloat(SECTION, "min_poll_interval", fallback=DEFAULT_MIN_POLL_INTERVAL)


def callback_wakeups() -> bool:
    return conf.getboolean(SECTION, "callback_wakeups", fallback=True)


def callback_check_interval() -> float:
    return conf.getfloat(SECTION, "callback_check_interval", fallback=DEFAULT_CALLBACK_CHECK_INTERVAL)


def wait_long_stop_seconds() -> float:
    return conf.getfloat(SECTION, "wait_long_stop_days", fallback=DEFAULT_WAIT_LONG_STOP_DAYS) * 86400.0


def deadline_alerts() -> bool:
    return conf.getboolean(SECTION, "deadline_alerts", fallback=True)


def deadline_hours() -> float:
    return conf.getfloat(SECTION, "deadline_hours", fallback=DEFAULT_DEADLINE_HOURS)


def deadline_callback() -> str:
    return conf.get(SECTION, "deadline_callback", fallback="") or ""


def deadline_callback_kwargs() -> dict[str, object]:
    """The alert callback's keyword arguments (a JSON object); a malformed value is a configuration error."""
    import json

    raw = conf.get(SECTION, "deadline_callback_kwargs", fallback="") or ""
    if not raw.strip():
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError(f"[{SECTION}] deadline_callback_kwargs must be a JSON object, not {type(value).__name__}")
    return value


def default_loa_root() -> Path:
    """The project's ``include/loa`` (beside the DAGs folder), where the sample LOA lives."""
    dags_folder = conf.get("core", "dags_folder", fallback="") or "dags"
    return Path(dags_folder).resolve().parent / "include" / "loa"


def loa_roots() -> list[str]:
    """The configured LOA roots (local folders or URL prefixes); the project's ``include/loa`` when none is set."""
    configured = conf.get(SECTION, "loa_roots", fallback="") or ""
    roots = [r.strip() for r in configured.replace("\n", ",").split(",") if r.strip()]
    return roots or [str(default_loa_root())]


def approval_threshold(kind: str = "import") -> int:
    """The number of numbers from which a run waits for approval before ordering (0: never)."""
    if kind == "remove":
        return conf.getint(SECTION, "remove_approval_threshold", fallback=DEFAULT_REMOVE_APPROVAL_THRESHOLD)
    return conf.getint(SECTION, "approval_threshold", fallback=DEFAULT_APPROVAL_THRESHOLD)


def approval_timeout_hours() -> float:
    return conf.getfloat(SECTION, "approval_timeout_hours", fallback=DEFAULT_APPROVAL_TIMEOUT_HOURS)


def notify_smtp_conn_id() -> str:
    """The run notifications' SMTP connection id; ``""`` when none is set."""
    return (conf.get(SECTION, "notify_smtp_conn_id", fallback="") or "").strip()


def notify_email_to() -> list[str]:
    """The run notifications' email recipients (``notify_email_to``, comma separated); none by default."""
    raw = conf.get(SECTION, "notify_email_to", fallback="") or ""
    return [a.strip() for a in raw.replace("\n", ",").replace(";", ",").split(",") if a.strip()]


def notify_slack_webhook_conn_id() -> str:
    """The run notifications' Slack incoming webhook connection id; ``""`` when none is set."""
    return (conf.get(SECTION, "notify_slack_webhook_conn_id", fallback="") or "").strip()


class ReadOnce:
    """
    Settings read once: ``read(config.loa_roots)`` asks Airflow's configuration the first time, then returns the same
    value. A DAG file that builds one DAG per batch file reads each setting once, not once per batch (each read of
    Airflow's configuration costs tens of microseconds). A read that fails is not kept: it fails again where used.
    """

    def __init__(self) -> None:
        self._values: dict[Callable[[], Any], Any] = {}

    def __call__(self, setting: Callable[[], T]) -> T:
        try:
            value: T = self._values[setting]
        except KeyError:
            value = self._values[setting] = setting()
        return value
