"""The request log served by ``GET /_sandbox/requests``."""

from __future__ import annotations

import re
import threading
from collections import deque
from typing import Any

TEXTUAL = ("xml", "json", "text", "form", "html")
PASSWORD = re.compile(r"(<Password>)(.*?)(</Password>)", re.IGNORECASE | re.DOTALL)


def body_text(body: bytes, content_type: str | None, limit: int) -> str:
    if not body:
        return ""
    ctype = (content_type or "").lower()
    if ctype and not any(t in ctype for t in TEXTUAL):
        return f"<{len(body)} bytes {ctype.split(';')[0]}>"
    try:
        text = body[:limit].decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(body)} bytes {ctype.split(';')[0] or 'binary'}>"
    text = PASSWORD.sub(r"\1***\3", text)
    if len(body) > limit:
        text += f"...[truncated, {len(body)} bytes]"
    return text


class RequestLog:
    def __init__(self, max_entries: int = 10000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
