"""
OAuth2 client credentials for Bandwidth: the token request, reading its answer, and the process-wide cache.

The hooks only send :func:`token_request` with their HTTP library and hand the answer to
:func:`read_token_response`; everything else about tokens is here.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from bandwidth_hosted_messaging.client.errors import BandwidthApiError
from bandwidth_hosted_messaging.client.settings import ConnectionSettings
from bandwidth_hosted_messaging.constants import USER_AGENT

#: Refresh this many seconds before the token expires.
REFRESH_MARGIN = 60.0
DEFAULT_EXPIRES_IN = 3600.0

TokenKey = tuple[str, str, int]


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float

    def fresh(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self.expires_at - REFRESH_MARGIN


class TokenCache:
    """
    Tokens keyed by (token URL, client id, hash of the secret), shared by every hook in the process.

    A triggerer waiting on a thousand orders then asks for one token, not a thousand.
    """

    def __init__(self) -> None:
        self._tokens: dict[TokenKey, Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(settings: ConnectionSettings) -> TokenKey:
        return (settings.token_url, settings.login, hash(settings.password))

    def get(self, key: TokenKey) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        return token.value if token is not None and token.fresh() else None

    def put(self, key: TokenKey, value: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[key] = Token(value, time.monotonic() + expires_in)


TOKENS = TokenCache()


@dataclass(frozen=True)
class TokenRequest:
    """``POST url`` with the client-credentials form, the client id and secret as Basic auth."""

    url: str
    client_id: str
    client_secret: str = field(repr=False)
    form: tuple[tuple[str, str], ...] = (("grant_type", "client_credentials"),)
    headers: tuple[tuple[str, str], ...] = (("User-Agent", USER_AGENT), ("Accept", "application/json"))


def token_request(settings: ConnectionSettings) -> TokenRequest:
    return TokenRequest(settings.token_url, settings.login, settings.password)


def token_failure(request: TokenRequest, err: BaseException) -> BandwidthApiError:
    """The error of a token request that got no answer (names the error type, never its text)."""
    return BandwidthApiError(f"OAuth2 token request to {request.url} failed: {type(err).__name__}")


def read_token_response(request: TokenRequest, status: int, body: bytes) -> tuple[str, float]:
    """Read ``access_token`` and ``expires_in`` from the token endpoint's answer."""
    if status != 200:
        raise BandwidthApiError(f"OAuth2 token request to {request.url} refused", status=status)
    try:
        data = json.loads(body)
        token = str(data["access_token"])
    except (ValueError, KeyError, TypeError):
        raise BandwidthApiError(f"OAuth2 token endpoint {request.url} gave no access_token", status=status) from None
    try:
        expires_in = float(data.get("expires_in") or DEFAULT_EXPIRES_IN)
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    return token, expires_in
