"""The defaults every flow's DAG shares."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

#: Retries for every API task; the delay between them is ``[core] default_task_retry_delay``, doubled each time.
DEFAULT_ARGS: dict[str, Any] = {
    "retries": 3,
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}
#: Every DAG of this project carries these tags.
TAGS = ["bandwidth", "hosted-messaging"]
