"""
A cache in one Airflow Variable holding a JSON object whose keys start with a connection id (``"<conn_id>|..."``):
what the site and the subscription memories keep (:mod:`.site_memory`, :mod:`.subscription_memory`). It holds ids
and times, never a secret. A cache is never the truth: failing to read it remembers nothing, failing to write it
costs one more check, and both only log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


class JsonVariableCache:
    """
    :param variable: the Variable's key.
    :param description: the Variable's description (shown in the UI's Variables list).
    """

    def __init__(self, variable: str, description: str) -> None:
        self.variable = variable
        self.description = description

    def read(self) -> dict[str, Any]:
        """The cached object (``{}``: no such Variable, unreadable JSON, or the API unreachable)."""
        from airflow.sdk import Variable

        try:
            raw = Variable.get(self.variable, default=None)
            data = json.loads(raw) if isinstance(raw, str) else raw
        except Exception:
            return {}
        return {str(k): v for k, v in data.items()} if isinstance(data, Mapping) else {}

    def write(self, data: Mapping[str, Any]) -> None:
        from airflow.sdk import Variable

        try:
            Variable.set(self.variable, json.dumps(dict(data), sort_keys=True), description=self.description)
        except Exception as err:
            log.warning("Could not write the cache %s (%s)", self.variable, type(err).__name__)

    def forget_connection(self, conn_id: str) -> bool:
        """Drop every entry of ``conn_id``; ``True`` when there was one."""
        data = self.read()
        kept = {k: v for k, v in data.items() if not k.startswith(f"{conn_id}|")}
        if kept == data:
            return False
        self.write(kept)
        return True
