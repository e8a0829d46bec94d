"""The wake-up ring's format and the callback watch's decisions, on real rings (no Airflow needed)."""

from __future__ import annotations

import asyncio
import json

import pytest

from bandwidth_hosted_messaging.statuses import OrderKind
from bandwidth_hosted_messaging.triggers.callback_watch import CLOCK_SLACK_SECONDS, CallbackWatch, _Kind, _Wait
from bandwidth_hosted_messaging.triggers.wake_ring import RING_SIZE, Ring, wakes


def ring_of(*entries, size=RING_SIZE):
    ring = Ring.parse(None)
    for order_id, status, at in entries:
        ring = ring.append(order_id, status, at, size=size)
    return ring


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("COMPLETE", True),
        ("partial", True),
        ("FAILED", True),
        ("EXCEPTION", True),
        ("PROCESSING", False),
        ("RECEIVED", False),
        ("SOMETHING_NEW", True),
    ],
)
def test_final_and_unknown_statuses_wake_a_wait(status, expected):
    assert wakes(status) is expected


def test_a_ring_survives_json_and_keeps_the_last_entries():
    ring = ring_of(*((f"o-{i}", "COMPLETE", 1000.0 + i) for i in range(7)), size=5)
    again = Ring.parse(json.loads(json.dumps(ring.to_value())))
    assert again == ring
    assert again.seq == 7
    assert [w.order_id for w in again.recent] == ["o-2", "o-3", "o-4", "o-5", "o-6"]


def test_a_full_ring_stays_under_airflows_64_kb_value_policy():
    ring = ring_of(*((f"{i:08d}-aaaa-bbbb-cccc-dddddddddddd", "COMPLETE", 1_764_590_000.123) for i in range(999)))
    assert len(json.dumps(ring.to_value())) < 65535


def test_unreadable_values_are_an_empty_ring():
    for value in (None, "x", [], {"seq": "1", "recent": [["bad"], [1, "o", "COMPLETE", "not a time"]]}):
        assert Ring.parse(value).recent == ()


def test_after_is_complete_only_when_nothing_was_trimmed_unseen():
    ring = ring_of(*((f"o-{i}", "COMPLETE", float(i)) for i in range(1, 11)), size=4)  # keeps seq 7..10
    newer, complete = ring.after(8)
    assert [w.seq for w in newer] == [9, 10] and complete
    newer, complete = ring.after(6)
    assert [w.seq for w in newer] == [7, 8, 9, 10] and complete
    newer, complete = ring.after(5)  # seq 6 was trimmed before anyone saw it
    assert not complete
    assert ring.after(10) == ([], True)
    newer, complete = ring.after(50)  # the ring restarted (its entry was deleted)
    assert not complete


def watch_with(kind_state):
    watch = CallbackWatch(interval=1)
    watch._kinds[OrderKind.IMPORT] = kind_state
    return watch


def test_a_new_wait_wakes_for_a_final_callback_recorded_since_its_sensor_read():
    ring = ring_of(("o-1", "PROCESSING", 100.0), ("o-1", "COMPLETE", 105.0), ("o-2", "COMPLETE", 90.0))
    woken, asleep, old = (_Wait(asyncio.Event(), since=101.0) for _ in range(3))
    CallbackWatch._check_new("o-1", woken, ring)
    CallbackWatch._check_new("o-3", asleep, ring)  # nobody called back for o-3
    old.since = 90.0 + CLOCK_SLACK_SECONDS + 50  # o-2's callback came long before its sensor read
    CallbackWatch._check_new("o-2", old, ring)
    assert woken.event.is_set() and not asleep.event.is_set() and not old.event.is_set()


def test_a_new_wait_older_than_the_ring_reads_its_order_anyway():
    ring = ring_of(*((f"o-{i}", "COMPLETE", 1000.0 + i) for i in range(10)), size=3)
    wait = _Wait(asyncio.Event(), since=500.0)
    CallbackWatch._check_new("o-x", wait, ring)
    assert wait.event.is_set()


def test_a_processing_callback_after_complete_does_not_wake_again():
    state = _Kind(waits={"o-1": _Wait(asyncio.Event(), since=0.0, checked=True)})
    ring = ring_of(("o-1", "PROCESSING", 10.0))
    CallbackWatch._wake(state, ring.recent[-1])
    assert not state.waits["o-1"].event.is_set()
    CallbackWatch._wake(state, ring_of(("o-1", "COMPLETE", 11.0)).recent[-1])
    assert state.waits["o-1"].event.is_set()


def test_a_callback_for_an_order_nobody_waits_on_is_ignored():
    state = _Kind(waits={"o-1": _Wait(asyncio.Event(), since=0.0, checked=True)})
    CallbackWatch._wake(state, ring_of(("o-9", "COMPLETE", 1.0)).recent[-1])
    assert not state.waits["o-1"].event.is_set()


def test_the_watch_runs_only_while_someone_waits_and_survives_a_failing_read():
    async def scenario():
        watch = CallbackWatch(interval=0.1)
        event = watch.watch(OrderKind.IMPORT, "o-1", since=0.0)
        await asyncio.sleep(0.35)  # outside a task runner the SDK read fails: logged, retried, no crash
        running = not watch._task.done()
        watch.forget(OrderKind.IMPORT, "o-1")
        await asyncio.sleep(0.3)
        return event.is_set(), running, watch._task.done(), watch.waiting

    assert asyncio.run(scenario()) == (False, True, True, 0)
