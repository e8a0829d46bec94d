"""Read a ``bandwidth`` Airflow connection into plain settings, with clear errors for bad ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://dashboard.bandwidth.com/api"
DEFAULT_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ATTEMPTS = 6
AUTH_TYPES = ("basic", "oauth2")


@dataclass(frozen=True)
class ConnectionSettings:
    """
    Everything the hook needs from a connection.

    :param base_url: the v1 API base, e.g. ``https://dashboard.bandwidth.com/api``.
    :param account_id: Bandwidth account id (connection extra ``account_id``).
    :param auth_type: ``basic`` (API user) or ``oauth2`` (client credentials).
    :param login: username (basic) or client id (oauth2).
    :param password: password (basic) or client secret (oauth2). Never logged.
    :param token_url: OAuth2 token endpoint.
    :param timeout: seconds per request.
    :param max_attempts: attempts per call for retryable failures (connection errors, 5xx, 429).
    """

    base_url: str
    account_id: str
    auth_type: str
    login: str
    password: str
    token_url: str = DEFAULT_TOKEN_URL
    timeout: float = DEFAULT_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def __repr__(self) -> str:  # keep the secret out of any repr
        return (
            f"ConnectionSettings(base_url={self.base_url!r}, account_id={self.account_id!r}, "
            f"auth_type={self.auth_type!r}, login={self.login!r}, password='***')"
        )

    @property
    def account_url(self) -> str:
        return f"{self.base_url}/accounts/{self.account_id}"

    @classmethod
    def from_connection(cls, conn: Any) -> ConnectionSettings:
        """
        Build settings from an Airflow ``Connection``.

        ``host`` is the API base: a full URL (``https://dashboard.bandwidth.com/api``), or a host name with
        ``port``, ``schema`` (the path, e.g. ``api``) and extra ``scheme`` (default ``https``).
        """
        extra = conn.extra_dejson or {}
        conn_id = conn.conn_id
        base_url = _base_url(conn.host, conn.port, conn.schema, extra.get("scheme"))
        if "/api/v2" in base_url:
            log.warning("Connection %s points at the v2 (early access) API; this hook speaks v1", conn_id)
        account_id = str(extra.get("account_id") or "").strip()
        if not account_id:
            raise ValueError(f"Bandwidth connection {conn_id!r}: extra 'account_id' is required")
        auth_type = str(extra.get("auth_type") or "oauth2").strip().lower()
        if auth_type not in AUTH_TYPES:
            raise ValueError(f"Bandwidth connection {conn_id!r}: auth_type must be one of {AUTH_TYPES}")
        if not conn.login or not conn.password:
            what = "client id and secret" if auth_type == "oauth2" else "username and password"
            raise ValueError(f"Bandwidth connection {conn_id!r}: {what} are required (login and password)")
        return cls(
            base_url=base_url,
            account_id=account_id,
            auth_type=auth_type,
            login=conn.login,
            password=conn.password,
            token_url=str(extra.get("token_url") or DEFAULT_TOKEN_URL),
            timeout=float(extra.get("timeout") or DEFAULT_TIMEOUT),
            max_attempts=max(1, int(extra.get("max_attempts") or DEFAULT_MAX_ATTEMPTS)),
        )


def _base_url(host: str | None, port: int | None, schema: str | None, scheme: str | None) -> str:
    if not host:
        return DEFAULT_BASE_URL
    host = host.strip().rstrip("/")
    if "://" in host:
        url = host
        if port and f":{port}" not in url:
            head, _, tail = url.partition("://")
            netloc, slash, rest = tail.partition("/")
            url = f"{head}://{netloc}:{port}{slash}{rest}"
    else:
        url = f"{scheme or 'https'}://{host}" + (f":{port}" if port else "")
        if schema:
            url = f"{url}/{schema.strip('/')}"
    return url.rstrip("/")
