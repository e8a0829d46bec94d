"""The application: resolve a request, apply auth, dispatch, render errors, log."""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import admin, auth, endpoints
from .callbacks import CallbackDispatcher
from .clock import Clock, iso
from .config import SandboxConfig
from .errors import ApiError, response_status
from .faults import FaultRule, Faults
from .http_types import Request, Response
from .reqlog import RequestLog, body_text
from .routing import (
    Route,
    Router,
    account_path,
    is_admin_path,
    is_token_path,
    path_version,
    split_path,
    v2_account_path,
)
from .state import State
from .xmlio import XmlError

UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic realm="Bandwidth"'}


@dataclass
class Resolved:
    area: str  # "admin" | "token" | "api" | "unknown"
    name: str
    route: Route | None = None
    params: dict[str, str] = field(default_factory=dict)
    prefix: str = "/api"
    account_id: str | None = None
    path_known: bool = False
    version: int | None = None  # 1 or 2 for API paths; None for the token, admin and unknown roots

    @property
    def protected(self) -> bool:
        """Admin and token routes: faults hit them only when a rule's ``path`` names them."""
        return self.area in ("admin", "token")


class SandboxApp:
    def __init__(self, cfg: SandboxConfig, log_stream: TextIO | None = None) -> None:
        self.clock = Clock()
        self.state = State(cfg, self.clock)
        self.faults = Faults(self.clock, cfg.fault_seed)
        self.faults.set(list(cfg.faults))
        self.reqlog = RequestLog(cfg.request_log_max)
        self.callbacks = CallbackDispatcher(self.state)
        self.state.listeners.append(self.callbacks.on_events)
        self.api = Router()
        endpoints.register(self.api)
        self.api_v2 = Router()
        endpoints.register_v2(self.api_v2)
        self.admin = Router()
        admin.register(self.admin)
        self.log_stream = log_stream

    # ---- control (also used by the admin endpoints and the Sandbox object) -----------------

    def reset(self) -> None:
        self.state.reset()
        self.clock.reset()
        self.faults = Faults(self.clock, self.state.cfg.fault_seed)
        self.faults.set(list(self.state.cfg.faults))
        self.reqlog.clear()
        self.callbacks.drop_pending()
        self.callbacks.clear_log()

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ValueError("seed body must be a JSON object")
        result = self.state.seed(data)
        if "faults" in (data.get("config") or {}):
            self.set_faults(list(self.state.cfg.faults))
        return result

    def set_faults(self, rules: list[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        """A list of rules, or ``{"rules": [...], "seed": N}`` to also re-seed the ``rate`` RNG."""
        if isinstance(rules, dict):
            return self.faults.set(list(rules.get("rules") or []), seed=rules.get("seed"))
        return self.faults.set(rules)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.state.tick()

    # ---- request handling -------------------------------------------------------------------

    def resolve(self, method: str, path: str) -> Resolved:
        segments = split_path(path)
        if is_admin_path(segments):
            route, params, known = self.admin.match(method, segments[1:])
            return Resolved("admin", route.name if route else "admin.unknown", route, params, path_known=known)
        if is_token_path(segments):
            return Resolved("token", "token")
        version = path_version(segments)
        located = v2_account_path(segments)
        router = self.api_v2
        if located is None:
            located, router = account_path(segments), self.api
        if located is None:
            return Resolved("unknown", "unknown", version=version)
        prefix, account_id, rest = located
        route, params, known = router.match(method, rest)
        name = route.name if route else "unknown"
        return Resolved("api", name, route, params, prefix, account_id, known, version=version)

    def handle(self, req: Request, resolved: Resolved) -> Response:
        try:
            return self._handle(req, resolved)
        except ApiError as exc:
            node = exc.node()
            if node is None:
                return Response.empty(exc.status, exc.headers)
            return Response.xml(node, exc.status, exc.headers)
        except XmlError as exc:
            return Response.xml(("ErrorResponse", [response_status(1010, f"Invalid XML: {exc}")]), 400)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            if resolved.area == "admin":
                return Response.json({"error": str(exc)}, 400)
            return self._internal_error(exc)
        except Exception as exc:
            return self._internal_error(exc)

    def _internal_error(self, exc: BaseException) -> Response:
        traceback.print_exception(exc, file=sys.stderr)
        return Response.xml(("ErrorResponse", [response_status(1000, f"Internal sandbox error: {exc}")]), 500)

    def _handle(self, req: Request, resolved: Resolved) -> Response:
        if resolved.area == "admin":
            if resolved.route is None:
                return Response.json({"error": "not found"}, 405 if resolved.path_known else 404)
            return resolved.route.handler(self, req, **resolved.params)
        if resolved.area == "token":
            if req.method != "POST":
                return Response.json({"error": "method not allowed"}, 405)
            return auth.token(self.state, req)
        if resolved.area == "unknown":
            return Response.xml(("ErrorResponse", [response_status(404, f"No resource at {req.path}")]), 404)
        req.prefix, req.account_id = resolved.prefix, resolved.account_id
        req.version = resolved.version or 1
        principal = auth.authenticate(self.state, req)
        if principal is None:
            return Response.empty(401, UNAUTHORIZED_HEADERS)
        req.principal = principal
        if resolved.account_id != self.state.cfg.account_id:
            return Response.empty(403)
        if resolved.route is None:
            status = 405 if resolved.path_known else 404
            return Response.xml(("ErrorResponse", [response_status(status, f"No {req.method} at {req.path}")]), status)
        self.state.tick()
        return resolved.route.handler(self, req, **resolved.params)

    def fault_response(self, rule: FaultRule) -> Response:
        if rule.kind == "429":
            headers: dict[str, str] = {}
            wait = rule.retry_after if rule.retry_after is not None else 1.0
            if rule.reset_header:
                headers["X-RateLimit-Reset"] = str(int(time.time() + wait + 0.999))
            elif rule.retry_after is not None:
                headers["Retry-After"] = str(
                    int(rule.retry_after) if rule.retry_after == int(rule.retry_after) else rule.retry_after
                )
            return Response.empty(429, headers)
        status = rule.status
        if rule.kind == "respond":
            return Response(status, rule.text.encode(), rule.content_type)
        if rule.body == "empty":
            return Response.empty(status)
        if rule.body == "xml":
            return Response.xml(("ErrorResponse", [response_status(status, "Service temporarily unavailable")]), status)
        html = (
            f"<html><head><title>{status} Service Unavailable</title></head><body>"
            f"<h1>{status} Service Unavailable</h1><p>upstream connect error</p></body></html>"
        )
        return Response(status, html.encode(), "text/html; charset=utf-8")

    # ---- logging ----------------------------------------------------------------------------

    def record(self, req: Request, resolved: Resolved, status: int | None, fault: str | None, started: float) -> None:
        elapsed_ms = round((time.time() - started) * 1000, 1)
        if self.log_stream is not None:
            extra = f" fault={fault}" if fault else ""
            print(
                f"{iso(time.time())} {req.method} {req.path}{'?' + req.query if req.query else ''} -> "
                f"{status if status is not None else '---'} [{resolved.name}]{extra} {elapsed_ms}ms",
                file=self.log_stream,
                flush=True,
            )
        if resolved.area == "admin":
            return
        if resolved.area == "token":
            grant = "grant_type=client_credentials" if b"client_credentials" in req.body else "<form>"
            body = grant if req.body else ""
        else:
            body = body_text(req.body, req.header("content-type"), int(self.state.cfg.log_body_max))
        self.reqlog.add(
            {
                "time": iso(started),
                "method": req.method,
                "path": req.path,
                "endpoint": resolved.name,
                "query": req.query,
                "params": {k: v if len(v) > 1 else v[0] for k, v in req.params.items()},
                "account_id": resolved.account_id,
                "status": status,
                "auth": auth.auth_kind(req),
                "content_type": req.header("content-type"),
                "body": body,
                "body_bytes": len(req.body),
                "fault": fault,
                "duration_ms": elapsed_ms,
                "version": resolved.version,
            }
        )
