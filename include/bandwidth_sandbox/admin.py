"""The unauthenticated admin API under ``/_sandbox/``."""

from __future__ import annotations

import dataclasses
from typing import Any

from .clock import iso
from .http_types import Request, Response
from .models import ALL_STATUSES, Order
from .routing import Router


def order_dict(o: Order) -> dict[str, Any]:
    return {
        "order_id": o.order_id,
        "kind": o.kind,
        "customer_order_id": o.customer_order_id,
        "status": o.status,
        "numbers": list(o.numbers),
        "site_id": o.site_id,
        "sip_peer_id": o.sip_peer_id,
        "created": iso(o.created_at),
        "last_modified": iso(o.last_modified),
        "processing_at": iso(o.t_processing),
        "final_at": iso(o.t_final),
        "frozen": o.frozen,
        "finalized": o.finalized,
        "errors": [{"code": c, "description": d, "numbers": n} for c, d, n in o.errors],
        "succeeded": list(o.succeeded),
        "loas": list(o.loas),
        "history": [{"time": iso(h.time), "status": h.status, "note": h.note} for h in o.history],
    }


def _json_body(req: Request, default: Any) -> Any:
    return req.json() if req.body.strip() else default


def requests_list(app: Any, req: Request) -> Response:
    return Response.json(app.reqlog.list())


def requests_clear(app: Any, req: Request) -> Response:
    app.reqlog.clear()
    return Response.json({"cleared": True})


def callbacks_list(app: Any, req: Request) -> Response:
    return Response.json(app.callbacks.log())


def callbacks_drop(app: Any, req: Request) -> Response:
    """``{"drop": true}`` loses every later callback (as an outage would); ``false`` delivers them again."""
    body = _json_body(req, {})
    if not isinstance(body, dict) or not isinstance(body.get("drop"), bool):
        return Response.json({"error": "drop must be true or false"}, 400)
    app.state.cfg.drop_callbacks = body["drop"]
    return Response.json({"drop": app.state.cfg.drop_callbacks, "dropped": app.callbacks.dropped})


def callbacks_clear(app: Any, req: Request) -> Response:
    app.callbacks.clear_log()
    return Response.json({"cleared": True})


def faults_get(app: Any, req: Request) -> Response:
    return Response.json(app.faults.describe())


def faults_set(app: Any, req: Request) -> Response:
    return Response.json(app.set_faults(_json_body(req, [])))


def faults_clear(app: Any, req: Request) -> Response:
    app.faults.clear()
    return Response.json([])


def reset(app: Any, req: Request) -> Response:
    app.reset()
    return Response.json({"reset": True})


def seed(app: Any, req: Request) -> Response:
    return Response.json(app.seed(_json_body(req, {})))


def tokens_list(app: Any, req: Request) -> Response:
    """Every OAuth2 token issued (a sandbox's fake secrets: tests scan logs for them)."""
    with app.state.locked():
        return Response.json(sorted(app.state.tokens))


def orders_list(app: Any, req: Request) -> Response:
    app.state.tick()
    with app.state.locked():
        return Response.json([order_dict(o) for o in app.state.orders.values()])


def order_get(app: Any, req: Request, orderId: str) -> Response:
    app.state.tick()
    with app.state.locked():
        order = app.state.orders.get(orderId)
        if order is None:
            return Response.json({"error": "not found"}, 404)
        return Response.json(order_dict(order))


def order_status(app: Any, req: Request, orderId: str) -> Response:
    body = _json_body(req, {})
    status = str(body.get("status", "")).upper()
    if status not in ALL_STATUSES:
        return Response.json({"error": f"status must be one of {list(ALL_STATUSES)}"}, 400)
    try:
        order = app.state.force_status(orderId, status)
    except KeyError:
        return Response.json({"error": "not found"}, 404)
    with app.state.locked():
        return Response.json(order_dict(order))


def advance(app: Any, req: Request) -> Response:
    body = _json_body(req, {})
    app.advance(float(body.get("seconds", 0)))
    return Response.json({"now": iso(app.state.now())})


def config_get(app: Any, req: Request) -> Response:
    return Response.json(dataclasses.asdict(app.state.cfg))


def in_service(app: Any, req: Request) -> Response:
    return Response.json([dataclasses.asdict(r) for r in app.state.visible_in_service()])


def lose(app: Any, req: Request) -> Response:
    body = _json_body(req, {})
    numbers = body.get("numbers") if isinstance(body, dict) else None
    if not isinstance(numbers, list) or not numbers:
        return Response.json({"error": "numbers must be a non-empty list"}, 400)
    return Response.json(app.state.lose([str(n) for n in numbers]))


def health(app: Any, req: Request) -> Response:
    return Response.json({"ok": True, "now": iso(app.state.now())})


def register(router: Router) -> None:
    router.add("GET", "requests", "admin.requests", requests_list)
    router.add("DELETE", "requests", "admin.requests.clear", requests_clear)
    router.add("GET", "callbacks", "admin.callbacks", callbacks_list)
    router.add("DELETE", "callbacks", "admin.callbacks.clear", callbacks_clear)
    router.add("POST", "callbacks/drop", "admin.callbacks.drop", callbacks_drop)
    router.add("GET", "faults", "admin.faults", faults_get)
    router.add("POST", "faults", "admin.faults.set", faults_set)
    router.add("PUT", "faults", "admin.faults.set", faults_set)
    router.add("DELETE", "faults", "admin.faults.clear", faults_clear)
    router.add("POST", "reset", "admin.reset", reset)
    router.add("POST", "seed", "admin.seed", seed)
    router.add("GET", "orders", "admin.orders", orders_list)
    router.add("GET", "orders/{orderId}", "admin.orders.get", order_get)
    router.add("POST", "orders/{orderId}/status", "admin.orders.status", order_status)
    router.add("POST", "advance", "admin.advance", advance)
    router.add("GET", "config", "admin.config", config_get)
    router.add("GET", "inservice", "admin.inservice", in_service)
    router.add("POST", "lose", "admin.lose", lose)
    router.add("GET", "health", "admin.health", health)
    router.add("GET", "tokens", "admin.tokens", tokens_list)
