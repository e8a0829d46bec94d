"""A connection's retry settings: ``max_attempts`` and ``retry_delay`` (the first backoff)."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client.errors import ConnectionConfigError
from bandwidth_hosted_messaging.client.settings import DEFAULT_RETRY_DELAY, ConnectionSettings
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook


class _Conn:
    conn_id, conn_type, port, schema, login, password = "bw", "bandwidth", None, None, "id", "secret"
    host = "https://api.bandwidth.com/api/v2"

    def __init__(self, **extra):
        self.extra_dejson = {"account_id": "9900000", **extra}


def test_the_first_backoff_is_one_second_unless_the_connection_says_otherwise():
    assert ConnectionSettings.from_connection(_Conn()).retry_delay == DEFAULT_RETRY_DELAY == 1.0
    assert ConnectionSettings.from_connection(_Conn(retry_delay="0.25")).retry_delay == 0.25


@pytest.mark.parametrize("value", ["soon", 0.001, 61])
def test_an_unusable_retry_delay_is_refused_naming_the_field(value):
    with pytest.raises(ConnectionConfigError, match="retry_delay"):
        ConnectionSettings.from_connection(_Conn(retry_delay=value))


def test_the_hook_backs_off_from_the_connections_delay_and_a_caller_may_only_cap_its_attempts():
    settings = ConnectionSettings.from_connection(_Conn(retry_delay=0.2, max_attempts=5))
    policy = BandwidthHook("bw")._policy(settings)
    assert (policy.base_delay, policy.max_attempts) == (0.2, 5)
    assert 0.1 <= policy.backoff(1) <= 0.2 and 0.2 <= policy.backoff(2) <= 0.4
    capped = BandwidthHook("bw", max_attempts=3)._policy(settings)
    assert (capped.base_delay, capped.max_attempts) == (0.2, 3)
    assert BandwidthHook("bw", max_attempts=9)._policy(settings).max_attempts == 5
