"""HTTP Basic and Bearer authentication, and the OAuth2 client-credentials token endpoint."""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qsl

from .http_types import Request, Response
from .state import State


def _basic(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def auth_kind(req: Request) -> str:
    scheme = (req.header("authorization") or "").split(" ", 1)[0].lower()
    return scheme if scheme in ("basic", "bearer") else "none"


def authenticate(state: State, req: Request) -> str | None:
    """-> the principal (API username or OAuth client id), or None when not authenticated."""
    header = req.header("authorization") or ""
    scheme, _, value = header.partition(" ")
    cfg = state.cfg
    if scheme.lower() == "basic":
        creds = _basic(value)
        if creds and _same(creds[0], cfg.username) and _same(creds[1], cfg.password):
            return creds[0]
        return None
    if scheme.lower() == "bearer" and value.strip():
        return state.check_token(value.strip())
    return None


def token(state: State, req: Request) -> Response:
    form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    client_id = form.get("client_id")
    client_secret = form.get("client_secret")
    header = req.header("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        creds = _basic(value)
        if creds:
            client_id, client_secret = creds
    grant_type = form.get("grant_type") or req.param("grant_type")
    if grant_type != "client_credentials":
        return Response.json(
            {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}, 400
        )
    cfg = state.cfg
    if not (
        client_id and client_secret and _same(client_id, cfg.client_id) and _same(client_secret, cfg.client_secret)
    ):
        resp = Response.json({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
        resp.headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
        return resp
    access_token, expires_in = state.issue_token(client_id)
    return Response.json({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": ""})
