"""
The Bandwidth hook for operators, imported when a task runs: a DAG file that lays our operators never imports
``requests`` (Airflow parses each DAG file again in every task process, so its imports are paid per task).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


def bandwidth_hook(bandwidth_conn_id: str) -> BandwidthHook:
    """A :class:`~bandwidth_hosted_messaging.hooks.bandwidth.BandwidthHook` on ``bandwidth_conn_id``."""
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook

    return BandwidthHook(bandwidth_conn_id)
