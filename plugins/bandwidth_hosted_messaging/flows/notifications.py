"""
The run notifications of the import, batch and remove DAGs, as DAG arguments::

    with DAG(dag_id=..., **run_notifiers()):            # [bandwidth] notify_* (the manual DAGs)
    with DAG(dag_id=..., **run_notifiers(batch.notify, batch=batch.name)):   # a batch file's ``notify``

Whoever deploys the DAG chooses the connections and recipients (configuration, batch files), never the person
triggering a run. With none set, the DAG gets no callback at all.
"""

from __future__ import annotations

from typing import Any

from bandwidth_hosted_messaging.inputs.notify import NotifyTargets, configured_targets


def run_notifiers(targets: NotifyTargets | None = None, *, batch: str | None = None) -> dict[str, Any]:
    """
    ``on_failure_callback`` and ``on_success_callback`` for a DAG (a :class:`RunNotifier` each), or ``{}`` when
    no channel is set. The success callback sends only when the run needs attention.

    :param targets: where the messages go; default the deployer's ``[bandwidth] notify_*`` settings.
    :param batch: the batch file's name, for batch DAGs.
    """
    targets = configured_targets() if targets is None else targets
    if not targets.any:
        return {}
    from bandwidth_hosted_messaging.notifiers import RunNotifier  # only a DAG that notifies needs it

    kwargs: dict[str, Any] = {
        "smtp_conn_id": targets.smtp_conn_id if targets.email else None,
        "email_to": list(targets.email_to) if targets.email else [],
        "slack_webhook_conn_id": targets.slack_webhook_conn_id,
        "batch": batch,
    }
    return {
        "on_failure_callback": [RunNotifier(on_failure=True, **kwargs)],
        "on_success_callback": [RunNotifier(on_failure=False, **kwargs)],
    }
