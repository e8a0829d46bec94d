"""Subscriptions: create, list, get, full-overwrite update, delete."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from .. import xmlio
from ..errors import ApiError
from ..http_types import Request, Response
from ..models import Subscription
from ..routing import Router
from ..v2 import NUMBER_FORMATS, V2, normalize_format, version_of

ROOT = "SubscriptionResponse"


def _invalid(code: int, description: str | None = None) -> ApiError:
    return ApiError(404, ROOT, code, description)


def parse_subscription(ctx: Any, req: Request, subscription_id: str) -> Subscription:
    root = xmlio.parse(req.body)
    order_type = xmlio.text(root, "OrderType")
    event_type = (xmlio.text(root, "EventType") or "").strip().upper() or None
    if not order_type and not event_type:
        raise _invalid(14500)
    number_format = xmlio.text(root, "NumberFormat") or None
    if version_of(req) == V2 and number_format is not None:
        number_format = normalize_format(number_format)
        if number_format not in NUMBER_FORMATS:
            raise _invalid(1010, f"NumberFormat '{number_format}' must be E164 or LEGACY")
    now = ctx.state.now()
    sub = Subscription(
        subscription_id=subscription_id,
        order_type="" if event_type else order_type,
        created_at=now,
        expires_at=now + ctx.state.cfg.subscription_default_expiry,
        order_id=None if event_type else xmlio.text(root, "OrderId") or None,
        number_format=number_format,
        event_type=event_type,
        api_version=version_of(req),
    )
    callback = xmlio.child(root, "CallbackSubscription")
    email = xmlio.child(root, "EmailSubscription")
    if callback is None and email is None:
        raise _invalid(14503)
    if callback is not None:
        url = xmlio.text(callback, "URL") or ""
        if not url:
            raise _invalid(14503)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise _invalid(14506, f"Callback URL '{url}' is invalid")
        sub.url = url
        expiry = xmlio.text(callback, "Expiry")
        if expiry:
            try:
                seconds = int(expiry)
            except ValueError:
                raise _invalid(14507) from None
            if seconds <= 0:
                raise _invalid(14507)
            sub.expires_at = now + seconds
        creds = xmlio.child(callback, "CallbackCredentials")
        basic = xmlio.child(creds, "BasicAuthentication")
        if basic is not None:
            username = xmlio.text(basic, "Username") or ""
            password = xmlio.text(basic, "Password") or ""
            if bool(username) != bool(password):
                raise _invalid(14505)
            sub.username = username or None
            sub.password = password or None
        sub.public_key = xmlio.text(creds, "PublicKey") or None
    else:
        address = xmlio.text(email, "Email") or ""
        if not address:
            raise _invalid(14503, "Email is required")
        sub.email = address
        sub.digest_requested = xmlio.text(email, "DigestRequested") or None
        expiry = xmlio.text(email, "Expiry")
        if expiry and expiry.isdigit() and int(expiry) > 0:
            sub.expires_at = now + int(expiry)
    return sub


def _number_format(req: Request | None, sub: Subscription) -> str | None:
    """v2 answers always name the format in effect; v1 answers as ever (the body's value, if any), plus the
    format in effect when it is not v1's implicit LEGACY (a subscription written through v2)."""
    if req is not None and version_of(req) == V2:
        return sub.effective_number_format
    if sub.number_format:
        return sub.number_format
    return None if sub.api_version != V2 else sub.effective_number_format


def subscription_node(ctx: Any, sub: Subscription, req: Request | None = None) -> tuple:
    remaining = max(0, int(sub.expires_at - ctx.state.now()))
    kind = ("EventType", sub.event_type) if sub.event_type else ("OrderType", sub.order_type)
    parts: list[Any] = [("SubscriptionId", sub.subscription_id), kind]
    if sub.order_id:
        parts.append(("OrderId", sub.order_id))
    number_format = _number_format(req, sub)
    if number_format:
        parts.append(("NumberFormat", number_format))
    if sub.url:
        callback: list[Any] = [("URL", sub.url), ("Expiry", remaining), ("Status", sub.status)]
        if sub.username:
            callback.append(("CallbackCredentials", [("BasicAuthentication", [("Username", sub.username)])]))
        parts.append(("CallbackSubscription", callback))
    else:
        email: list[Any] = [("Email", sub.email), ("Expiry", remaining)]
        if sub.digest_requested:
            email.append(("DigestRequested", sub.digest_requested))
        parts.append(("EmailSubscription", email))
    return ("Subscription", parts)


def create(ctx: Any, req: Request) -> Response:
    sub = parse_subscription(ctx, req, str(uuid.uuid4()))
    state = ctx.state
    with state.locked():
        if state.cfg.reject_duplicate_subscriptions and state.find_duplicate_subscription(sub):
            raise ApiError(409, ROOT, 16008)
        state.subscriptions[sub.subscription_id] = sub
    return Response.empty(201, {"Location": f"{req.account_url}/subscriptions/{sub.subscription_id}"})


def _get_or_404(ctx: Any, subscription_id: str) -> Subscription:
    ctx.state.prune_subscriptions()
    sub = ctx.state.subscriptions.get(subscription_id)
    if sub is None:
        raise ApiError(404, ROOT, 16000, f"Subscription '{subscription_id}' not found")
    return sub


def list_all(ctx: Any, req: Request) -> Response:
    ctx.state.prune_subscriptions()
    with ctx.state.locked():
        subs = sorted(ctx.state.subscriptions.values(), key=lambda s: s.created_at)
        nodes = [subscription_node(ctx, s, req) for s in subs]
    return Response.xml(("SubscriptionsResponse", [("Subscriptions", nodes)]))


def get_one(ctx: Any, req: Request, subscriptionId: str) -> Response:
    with ctx.state.locked():
        node = subscription_node(ctx, _get_or_404(ctx, subscriptionId), req)
    return Response.xml(("SubscriptionsResponse", [("Subscriptions", [node])]))


def update(ctx: Any, req: Request, subscriptionId: str) -> Response:
    _get_or_404(ctx, subscriptionId)
    new = parse_subscription(ctx, req, subscriptionId)
    state = ctx.state
    with state.locked():
        old = _get_or_404(ctx, subscriptionId)
        if state.cfg.reject_duplicate_subscriptions and state.find_duplicate_subscription(new, ignore=subscriptionId):
            raise ApiError(409, ROOT, 16008)
        new.created_at = old.created_at
        state.subscriptions[subscriptionId] = new
    return Response.empty(200)


def delete(ctx: Any, req: Request, subscriptionId: str) -> Response:
    with ctx.state.locked():
        _get_or_404(ctx, subscriptionId)
        del ctx.state.subscriptions[subscriptionId]
    return Response.empty(200)


def register(router: Router) -> None:
    router.add("POST", "subscriptions", "subscriptions.create", create)
    router.add("GET", "subscriptions", "subscriptions.list", list_all)
    router.add("GET", "subscriptions/{subscriptionId}", "subscriptions.get", get_one)
    router.add("PUT", "subscriptions/{subscriptionId}", "subscriptions.update", update)
    router.add("DELETE", "subscriptions/{subscriptionId}", "subscriptions.delete", delete)
