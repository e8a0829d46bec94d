"""The subscription memory's rules without Airflow: when a remembered subscription may be used, the receiver's
notes of each subscription's last callback, and when a wait's safety poll counts as a callback missed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bandwidth_hosted_messaging.hooks import subscription_memory as memory
from bandwidth_hosted_messaging.hooks.subscription_memory import Remembered

NOW = 1_800_000_000.0
EXPIRY = 30 * 86400


@pytest.fixture(autouse=True)
def memory_on(monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS", "24")


def entry(checked_ago=60.0, expires_in=EXPIRY - 60.0, written_ago=60.0) -> Remembered:
    return Remembered("sub-1", NOW - checked_ago, NOW + expires_in, NOW - written_ago)


def test_known_valid_takes_a_callback_after_the_memory_was_written():
    assert entry().unusable(EXPIRY, NOW - 30, NOW) is None
    assert entry().unusable(EXPIRY, NOW - 90, NOW) == "no callback from it since the memory was written"
    assert entry().unusable(EXPIRY, None, NOW) == "no callback from it since the memory was written"


def test_a_listing_older_than_the_memory_or_an_expiry_under_half_is_not_used(monkeypatch):
    assert "longer than the memory keeps it" in entry(checked_ago=86400).unusable(EXPIRY, NOW, NOW)
    assert "under half" in entry(expires_in=EXPIRY // 2 - 1).unusable(EXPIRY, NOW, NOW)
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS", "0")
    assert memory.recall("any|key") is None
    assert "longer than the memory keeps it" in entry().unusable(EXPIRY, NOW, NOW)


def test_the_key_tells_urls_and_usernames_apart_and_ignores_case_and_trailing_slashes():
    a = memory.key("bw", "https://api.example/api/accounts/1/", "importTnOrders", "https://af/cb/", "user")
    assert a == "bw|https://api.example/api/accounts/1|importtnorders|https://af/cb|user"
    assert a != memory.key("bw", "https://api.example/api/accounts/1", "importtnorders", "https://af/cb", "other")
    assert a != memory.key("bw", "https://api.example/api/accounts/1", "importtnorders", "https://af2/cb", "user")


def test_the_receiver_notes_keep_the_newest_subscriptions_and_never_go_back():
    notes: dict = {}
    for i in range(memory.SEEN_SIZE + 5):
        notes = memory.noted(notes, f"sub-{i}", NOW + i)
    assert len(notes) == memory.SEEN_SIZE and "sub-0" not in notes and notes[f"sub-{memory.SEEN_SIZE + 4}"]
    assert memory.noted(notes, "sub-10", NOW - 999)["sub-10"] == NOW + 10  # a late delivery never goes back
    assert memory.noted({"x": "junk", "y": None}, "sub-1", NOW) == {"sub-1": NOW}


def test_a_safety_poll_counts_as_a_callback_missed_a_minute_after_the_order_went_final(monkeypatch):
    modified = "2027-01-15T08:00:00.000Z"
    at = datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()
    assert not memory.callback_missed("bw", "o-1", modified, now=at + memory.CALLBACK_LATE_SECONDS - 1)
    assert memory.callback_missed("bw", "o-1", modified, now=at + memory.CALLBACK_LATE_SECONDS)
    assert not memory.callback_missed("bw", "o-1", None, now=at + 3600)
    assert not memory.callback_missed("bw", "o-1", "not a date", now=at + 3600)
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SUBSCRIPTION_MEMORY_HOURS", "0")
    assert not memory.callback_missed("bw", "o-1", modified, now=at + 3600)
