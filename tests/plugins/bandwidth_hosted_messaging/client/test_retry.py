"""How long to wait after a 429, and backoff bounds."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client.retry import RetryPolicy, rate_limit_wait

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Retry-After": "7"}, 7.0),
        ({"X-RateLimit-Reset": str(int(NOW + 74))}, 74.0),
        ({"X-RateLimit-Reset": str(int((NOW + 30) * 1000))}, 30.0),
        ({"X-RateLimit-Reset": "12"}, 12.0),
        ({"Retry-After": "3", "X-RateLimit-Reset": str(int(NOW + 74))}, 3.0),
        ({"x-ratelimit-reset": str(int(NOW - 5))}, 0.0),
        ({}, None),
        ({"X-RateLimit-Reset": "soon"}, None),
    ],
)
def test_rate_limit_wait(headers, expected):
    assert rate_limit_wait(headers, now=NOW) == expected


def test_rate_limit_wait_is_capped_by_the_policy():
    policy = RetryPolicy(max_rate_limit_wait=10)
    assert policy.delay(1, 429, {"Retry-After": "600"}) == 10


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=1, max_delay=8)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        assert ceiling / 2 <= policy.backoff(attempt) <= ceiling
