"""What the sync and async Bandwidth hooks share: the connection they read and their retry bounds."""

from __future__ import annotations

from airflow.sdk.bases.hook import BaseHook

from bandwidth_hosted_messaging.client.retry import RetryPolicy
from bandwidth_hosted_messaging.client.settings import ConnectionSettings
from bandwidth_hosted_messaging.constants import CONN_TYPE, DEFAULT_CONN_ID

#: When Bandwidth retires username/password API users (Basic auth).
BASIC_DECOMMISSIONED_ON = "2026-12-02"
#: Connections already warned about in this process.
_WARNED_BASIC: set[str] = set()


class BandwidthBaseHook(BaseHook):
    """
    A hook of a ``bandwidth`` connection.

    :param bandwidth_conn_id: the connection id.
    :param retry_policy: override the retry bounds (by default the connection's ``max_attempts`` and
        ``retry_delay``).
    :param max_attempts: at most this many attempts per call, whatever the connection allows.
    """

    conn_name_attr = "bandwidth_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = "Bandwidth"

    def __init__(
        self,
        bandwidth_conn_id: str = DEFAULT_CONN_ID,
        retry_policy: RetryPolicy | None = None,
        max_attempts: int | None = None,
    ) -> None:
        super().__init__()
        self.bandwidth_conn_id = bandwidth_conn_id
        self._retry_policy = retry_policy
        self._max_attempts = max_attempts
        self._settings: ConnectionSettings | None = None

    def _policy(self, settings: ConnectionSettings) -> RetryPolicy:
        if self._retry_policy is not None:
            return self._retry_policy
        attempts = min(settings.max_attempts, self._max_attempts or settings.max_attempts)
        return RetryPolicy(max_attempts=attempts, base_delay=settings.retry_delay)

    def _loaded(self, settings: ConnectionSettings) -> ConnectionSettings:
        """Keep the connection's settings; warn once per process (one task) of a connection still on Basic."""
        if settings.auth_type == "basic" and self.bandwidth_conn_id not in _WARNED_BASIC:
            _WARNED_BASIC.add(self.bandwidth_conn_id)
            self.log.warning(
                "Bandwidth connection %r uses Basic auth (an API user): Bandwidth decommissions username/password "
                "API users on %s. Switch it to OAuth2: auth_type oauth2, with an OAuth2 client id and secret "
                "(Bandwidth App: Account > API credentials) as login and password.",
                self.bandwidth_conn_id,
                BASIC_DECOMMISSIONED_ON,
            )
        self._settings = settings
        return settings
