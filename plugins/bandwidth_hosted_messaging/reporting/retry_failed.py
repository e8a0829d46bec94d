"""The numbers of a finished run to order again: those its report lists as failed, not ordered or not in service."""

from __future__ import annotations

import json

from bandwidth_hosted_messaging.constants import REPORT_JSON
from bandwidth_hosted_messaging.reporting.storage import report_folder
from bandwidth_hosted_messaging.statuses import Outcome

#: The outcomes a re-run orders again.
RETRIED_OUTCOMES = frozenset({Outcome.ORDER_FAILED, Outcome.NOT_ORDERED, Outcome.NOT_IN_SERVICE})


def failed_numbers_of(dag_id: str, run_id: str) -> list[str] | None:
    """
    The numbers of run ``run_id`` of ``dag_id`` that ended ``order_failed``, ``not_ordered`` or ``not_in_service``,
    in the report's order; ``None`` when the run has no report.
    """
    path = report_folder(dag_id, run_id) / REPORT_JSON
    try:
        report = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return [str(row["number"]) for row in report.get("rows", []) if row.get("outcome") in RETRIED_OUTCOMES]
