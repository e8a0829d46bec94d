"""OAuth2 client-credentials tokens for Bandwidth, cached per process until shortly before expiry."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from bandwidth.exceptions import BandwidthApiError

#: Refresh this many seconds before the token expires.
REFRESH_MARGIN = 60.0
DEFAULT_EXPIRES_IN = 3600.0
TOKEN_FORM = {"grant_type": "client_credentials"}


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float

    def fresh(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self.expires_at - REFRESH_MARGIN


class TokenCache:
    """
    Tokens keyed by (token URL, client id, secret), shared by every hook in the process.

    A triggerer waiting on a thousand orders then asks for one token, not a thousand.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, int], Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(token_url: str, client_id: str, secret: str) -> tuple[str, str, int]:
        return (token_url, client_id, hash(secret))

    def get(self, key: tuple[str, str, int]) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        return token.value if token is not None and token.fresh() else None

    def put(self, key: tuple[str, str, int], value: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[key] = Token(value, time.monotonic() + expires_in)

    def drop(self, key: tuple[str, str, int]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TOKENS = TokenCache()


def parse_token_response(status: int, body: bytes, token_url: str) -> tuple[str, float]:
    """Read ``access_token`` and ``expires_in`` from the token endpoint's answer."""
    if status != 200:
        raise BandwidthApiError(f"OAuth2 token request to {token_url} refused", status=status)
    try:
        data = json.loads(body)
        token = str(data["access_token"])
    except (ValueError, KeyError, TypeError):
        raise BandwidthApiError(f"OAuth2 token endpoint {token_url} gave no access_token", status=status) from None
    try:
        expires_in = float(data.get("expires_in") or DEFAULT_EXPIRES_IN)
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    return token, expires_in
