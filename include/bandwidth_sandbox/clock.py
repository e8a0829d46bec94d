"""Wall clock with an adjustable offset (``Sandbox.advance``) and Bandwidth's date format."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += float(seconds)

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


def iso(ts: float) -> str:
    """Epoch seconds -> ``2020-02-04T14:09:07.824Z``."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_date(text: str, end_of_day: bool = False) -> float:
    """``yyyy-MM-dd`` (start or end of that UTC day) or an ISO 8601 timestamp -> epoch seconds."""
    text = text.strip()
    if len(text) == 10:
        dt = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        return dt.timestamp() + (86400 - 0.001 if end_of_day else 0.0)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
