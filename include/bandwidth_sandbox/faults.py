"""Fault injection rules: which request gets which misbehaviour."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock

KINDS = ("429", "5xx", "reset", "latency", "drop_response", "down", "respond", "slow_response")


@dataclass
class FaultRule:
    kind: str
    raw: dict[str, Any]
    path: re.Pattern[str] | None = None
    methods: set[str] | None = None
    count: int | None = None
    rate: float | None = None
    retry_after: float | None = None
    reset_header: bool = False
    status: int = 503
    body: str = "html"
    seconds: float = 0.0
    text: str = ""
    content_type: str = "application/xml; charset=utf-8"
    installed_at: float = 0.0
    hits: int = field(default=0)

    def describe(self) -> dict[str, Any]:
        return dict(self.raw, hits=self.hits, remaining=self.count)


def parse_rule(raw: dict[str, Any], now: float) -> FaultRule:
    if not isinstance(raw, dict):
        raise ValueError("each fault rule must be a JSON object")
    kind = str(raw.get("kind", "")).lower()
    if kind in ("500", "502", "503", "504"):
        raw = dict(raw, status=int(kind))
        kind = "5xx"
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {raw.get('kind')!r}; one of {list(KINDS)}")
    methods = raw.get("method")
    if isinstance(methods, str):
        methods = [m for m in re.split(r"[|, ]+", methods) if m]
    rule = FaultRule(kind=kind, raw=dict(raw), installed_at=now)
    if raw.get("path"):
        rule.path = re.compile(str(raw["path"]), re.IGNORECASE)
    if methods:
        rule.methods = {m.upper() for m in methods}
    if raw.get("count") is not None:
        rule.count = int(raw["count"])
    if raw.get("rate") is not None:
        rule.rate = float(raw["rate"])
    if raw.get("retry_after") is not None:
        rule.retry_after = float(raw["retry_after"])
    rule.reset_header = bool(raw.get("reset_header", False))
    rule.status = int(raw.get("status", 503 if kind == "5xx" else 429 if kind == "429" else 0) or 0)
    if kind == "5xx" and not 500 <= rule.status <= 599:
        raise ValueError("5xx fault status must be 500..599")
    if kind == "respond":  # any answer at all: hostile or broken bodies, wrong content types
        rule.status = int(raw.get("status", 200))
        rule.text = str(raw.get("text", ""))
        rule.content_type = str(raw.get("content_type", rule.content_type))
    else:
        rule.body = str(raw.get("body", "html")).lower()
        if rule.body not in ("html", "empty", "xml"):
            raise ValueError("5xx fault body must be html, empty or xml")
    rule.seconds = float(
        raw.get("seconds", 0.5 if kind in ("latency", "slow_response") else 30 if kind == "down" else 0)
    )
    return rule


class Faults:
    def __init__(self, clock: Clock, seed: int | None = 0) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._rules: list[FaultRule] = []
        self._rng = random.Random(seed)

    def set(self, rules: list[dict[str, Any]], seed: int | None = None) -> list[dict[str, Any]]:
        if not isinstance(rules, list):
            raise ValueError("faults must be a JSON list of rule objects")
        now = self._clock.now()
        parsed = [parse_rule(r, now) for r in rules]
        with self._lock:
            self._rules = parsed
            if seed is not None:
                self._rng = random.Random(seed)
        return self.describe()

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.describe() for r in self._rules]

    def match(self, method: str, path: str, protected: bool) -> tuple[float, FaultRule | None]:
        """-> (latency seconds to add, the terminal rule to apply or None).

        ``protected`` requests (admin and token routes) are only hit by rules whose ``path`` matches.
        """
        latency = 0.0
        now = self._clock.now()
        with self._lock:
            for rule in list(self._rules):
                if rule.path is None and protected:
                    continue
                if rule.path is not None and not rule.path.search(path):
                    continue
                if rule.methods and method.upper() not in rule.methods:
                    continue
                if rule.kind == "down":
                    if now >= rule.installed_at + rule.seconds:
                        continue
                elif rule.count is not None and rule.count <= 0:
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                rule.hits += 1
                if rule.count is not None and rule.kind != "down":
                    rule.count -= 1
                if rule.kind == "latency":
                    latency += rule.seconds
                    continue
                return latency, rule
        return latency, None
