"""Read a ``bandwidth`` Airflow connection into plain settings, with clear errors for bad ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bandwidth_hosted_messaging.client.errors import ConnectionConfigError
from bandwidth_hosted_messaging.client.versions import DIALECTS, ApiVersion, Dialect, version_of
from bandwidth_hosted_messaging.constants import CONN_TYPE

log = logging.getLogger(__name__)

#: The current platform (Numbers API v2); ``https://dashboard.bandwidth.com/api`` is v1.
DEFAULT_BASE_URL = "https://api.bandwidth.com/api/v2"
DEFAULT_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ATTEMPTS = 6
#: The first backoff before a retry, in seconds (it doubles with each attempt, with jitter, up to 30 s).
DEFAULT_RETRY_DELAY = 1.0
#: Bounds of ``retry_delay``: a shorter first backoff would hammer a Bandwidth that is struggling.
RETRY_DELAY_BOUNDS = (0.01, 60.0)
AUTH_TYPES = ("basic", "oauth2")
#: The connection extra naming the OAuth2 token endpoint, and the name it had before (still read).
OAUTH_URL_FIELD = "oauth_url"
LEGACY_OAUTH_URL_FIELD = "token_url"


@dataclass(frozen=True)
class ConnectionSettings:
    """
    Everything the hook needs from a connection.

    :param base_url: the API base: ``https://api.bandwidth.com/api/v2`` (v2) or ``https://dashboard.bandwidth.com/api``
        (v1); its path decides the version.
    :param account_id: Bandwidth account id (connection extra ``account_id``).
    :param auth_type: ``basic`` (API user) or ``oauth2`` (client credentials).
    :param login: username (basic) or client id (oauth2).
    :param password: password (basic) or client secret (oauth2). Never logged.
    :param token_url: OAuth2 token endpoint.
    :param timeout: seconds per request.
    :param max_attempts: attempts per call for retryable failures (connection errors, 5xx, 429).
    :param retry_delay: the first backoff in seconds (doubled with each attempt, with jitter); a 429's reset
        time wins over it.
    """

    base_url: str
    account_id: str
    auth_type: str
    login: str
    password: str
    token_url: str = DEFAULT_TOKEN_URL
    timeout: float = DEFAULT_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_delay: float = DEFAULT_RETRY_DELAY

    def __repr__(self) -> str:  # keep the secret out of any repr
        return (
            f"ConnectionSettings(base_url={self.base_url!r}, account_id={self.account_id!r}, "
            f"auth_type={self.auth_type!r}, login={self.login!r}, password='***')"
        )

    @property
    def api_version(self) -> ApiVersion:
        """The API version the base path names (``/api/v2``: v2; ``/api``, ``/api/v1``, ``/v1.0``: v1)."""
        return version_of(self.base_url) or ApiVersion.V1

    @property
    def dialect(self) -> Dialect:
        return DIALECTS[self.api_version]

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
        conn_id = conn.conn_id
        conn_type = str(getattr(conn, "conn_type", None) or "")
        if conn_type != CONN_TYPE:
            raise ConnectionConfigError(
                f"Bandwidth connection {conn_id!r} is of type {conn_type or 'none'!r}; a connection of type "
                f"{CONN_TYPE!r} is required"
            )
        extra = conn.extra_dejson or {}
        base_url = _checked_url(conn_id, "host", _base_url(conn.host, conn.port, conn.schema, extra.get("scheme")))
        if version_of(base_url) is None:
            raise ConnectionConfigError(
                f"Bandwidth connection {conn_id!r}: the API base path must be /api/v2 (Numbers API v2) or /api, "
                f"/api/v1, /v1.0 (v1); got {urlsplit(base_url).path or '/'!r}"
            )
        account_id = str(extra.get("account_id") or "").strip()
        if not account_id:
            raise ConnectionConfigError(f"Bandwidth connection {conn_id!r}: extra 'account_id' is required")
        auth_type = str(extra.get("auth_type") or "oauth2").strip().lower()
        if auth_type not in AUTH_TYPES:
            raise ConnectionConfigError(f"Bandwidth connection {conn_id!r}: auth_type must be one of {AUTH_TYPES}")
        if not conn.login or not conn.password:
            what = "client id and secret" if auth_type == "oauth2" else "username and password"
            raise ConnectionConfigError(f"Bandwidth connection {conn_id!r}: {what} are required (login and password)")
        # ``oauth_url``: Airflow masks every extra whose name contains "token", so a form field ``token_url`` came
        # back from the UI as ``***``; the old name is still read.
        token_url = str(extra.get(OAUTH_URL_FIELD) or extra.get(LEGACY_OAUTH_URL_FIELD) or DEFAULT_TOKEN_URL)
        try:
            timeout = float(extra.get("timeout") or DEFAULT_TIMEOUT)
            max_attempts = max(1, int(extra.get("max_attempts") or DEFAULT_MAX_ATTEMPTS))
            retry_delay = float(extra.get("retry_delay") or DEFAULT_RETRY_DELAY)
        except (TypeError, ValueError):
            raise ConnectionConfigError(
                f"Bandwidth connection {conn_id!r}: timeout, max_attempts and retry_delay must be numbers"
            ) from None
        low, high = RETRY_DELAY_BOUNDS
        if not low <= retry_delay <= high:
            raise ConnectionConfigError(
                f"Bandwidth connection {conn_id!r}: retry_delay must be between {low} and {high} seconds"
            )
        return cls(
            base_url=base_url,
            account_id=account_id,
            auth_type=auth_type,
            login=conn.login,
            password=conn.password,
            token_url=_checked_url(conn_id, OAUTH_URL_FIELD, token_url),
            timeout=timeout,
            max_attempts=max_attempts,
            retry_delay=retry_delay,
        )


def _checked_url(conn_id: str, field_name: str, url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; a clear error naming the field otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectionConfigError(
            f"Bandwidth connection {conn_id!r}: {field_name} must be an http(s) URL such as "
            f"https://api.bandwidth.com/api/v1/oauth2/token; got {url[:80]!r}"
        )
    return url


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
