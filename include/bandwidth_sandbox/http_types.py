"""Transport-neutral request and response objects used by the app and the endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from . import xmlio

XML_CONTENT_TYPE = "application/xml; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    host: str = "127.0.0.1"
    scheme: str = "http"
    params: dict[str, list[str]] = field(default_factory=dict)  # lower-cased names
    prefix: str = "/api"
    account_id: str | None = None
    version: int = 1  # API version of the route: 1 (``/api``, ``/v1.0``) or 2 (``/api/v2``)
    auth_kind: str = "none"
    principal: str | None = None

    def __post_init__(self) -> None:
        if not self.params and self.query:
            for key, value in parse_qsl(self.query, keep_blank_values=True):
                self.params.setdefault(key.lower(), []).append(value)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def param(self, name: str) -> str | None:
        values = self.params.get(name.lower())
        return values[0] if values else None

    def param_all(self, name: str) -> list[str]:
        return list(self.params.get(name.lower(), []))

    @property
    def root_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def account_url(self) -> str:
        return f"{self.root_url}{self.prefix}/accounts/{self.account_id}"

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def xml(
        cls, node: Any, status: int = 200, headers: dict[str, str] | None = None, prologue: str | None = xmlio.PROLOGUE
    ) -> Response:
        return cls(status, xmlio.render(node, prologue), XML_CONTENT_TYPE, dict(headers or {}))

    @classmethod
    def empty(cls, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, b"", None, dict(headers or {}))

    @classmethod
    def json(cls, obj: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(obj, indent=1, default=str).encode("utf-8"), "application/json")
