"""
The Deadline Alert of the import and remove DAGs: word when a run is still not done N hours after it was queued.

Bandwidth gives no processing time for an order and advises against a timeout on the wait, so a slow order does
not fail the run: the wait goes on (until its long stop, ``[bandwidth] wait_long_stop_days``) and this alert
tells someone. Whoever deploys the DAG sets N (``[bandwidth] deadline_hours``, or a batch file's
``deadline_hours``) and the callback (``[bandwidth] deadline_callback``: the dotted path of an async function or
of a notifier class such as the Slack provider's, with ``[bandwidth] deadline_callback_kwargs``). The default
callback, :func:`log_missed_deadline`, logs one warning in the triggerer.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from bandwidth_hosted_messaging import config

log = logging.getLogger(__name__)


def deadline_alert(hours: float | None = None, read: config.ReadOnce | None = None) -> DeadlineAlert | None:
    """
    The alert ``hours`` (default ``[bandwidth] deadline_hours``) after the run was queued; ``None`` when
    ``[bandwidth] deadline_alerts`` is off.

    :param read: the settings, read once for all the DAGs of a DAG file (default: read now).
    """
    read = read or config.ReadOnce()
    if not read(config.deadline_alerts):
        return None
    hours = read(config.deadline_hours) if hours is None else float(hours)
    if hours <= 0:
        raise ValueError(f"deadline_hours must be above 0, not {hours}")
    kwargs: dict[str, Any] = {"hours": hours}
    callback: Any = read(config.deadline_callback)
    if callback:
        kwargs = dict(read(config.deadline_callback_kwargs))
    else:
        callback = log_missed_deadline
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(hours=hours),
        callback=AsyncCallback(callback, kwargs=kwargs),
        name="bandwidth_numbers_not_done",
    )


async def log_missed_deadline(context: dict[str, Any] | None = None, hours: float | None = None) -> str:
    """The default alert: one warning naming the DAG, the run and how long it has been (no secret is known here)."""
    run = (context or {}).get("dag_run") or {}  # the scheduler's DAGRunResponse, as JSON
    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    message = (
        f"Hosted messaging: run {run_id} of DAG {run.get('dag_id', '?')} is not done "
        f"{f'{hours:g}' if hours is not None else '?'} h after it was queued: some numbers are not in service yet. "
        "Its wait goes on; see the Hosted messaging page."
    )
    log.warning(message)
    return message
