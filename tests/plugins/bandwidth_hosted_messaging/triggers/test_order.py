"""The order triggers, run for real with asyncio against the sandbox."""

from __future__ import annotations

import asyncio
import time

import pytest

from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.statuses import OrderKind
from bandwidth_hosted_messaging.triggers.order import TnOrderTrigger


def create_order(numbers, cid):
    return BandwidthHook("bandwidth_default").create_import_order(
        ImportTnOrderRequest(
            customer_order_id=cid,
            site_id="14413",
            subscriber_name="Acme Dental",
            service_address=ServiceAddress("900", "Main St", "Denver", "CO", "80202"),
            loa_authorizing_person="Jane Doe",
            numbers=list(numbers),
        )
    )


def run_trigger(trigger, timeout=30):
    async def first_event():
        events = []
        async for event in trigger.run():
            events.append(event.payload)
        return events

    events = asyncio.run(asyncio.wait_for(first_event(), timeout))
    assert len(events) == 1, events
    return events[0]


@pytest.mark.parametrize("kind", list(OrderKind))
def test_serialize_round_trip(kind):
    trigger = TnOrderTrigger(
        order_id="o-1", bandwidth_conn_id="bw", deadline=1_900_000_000.5, poll_interval=30, order_kind=kind
    )
    classpath, kwargs = trigger.serialize()
    module, name = classpath.rsplit(".", 1)
    rebuilt = getattr(__import__(module, fromlist=[name]), name)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    assert classpath == "bandwidth_hosted_messaging.triggers.order.TnOrderTrigger"
    assert kwargs["order_kind"] == kind.value
    assert all(v is None or isinstance(v, str | int | float) for v in kwargs.values())


def test_yields_one_final_event_with_the_order(bw):
    order = create_order(["+13035550100", "+13035550198"], "trigger-final")
    event = run_trigger(TnOrderTrigger(order.order_id, "bandwidth_oauth", time.time() + 60, poll_interval=0.2))
    assert event["status"] == "final"
    assert event["order"]["status"] == "PARTIAL"
    assert event["order"]["errors"][0]["numbers"] == ["+13035550198"]


def test_transient_errors_do_not_end_the_wait(bw):
    order = create_order(["+13035550100"], "trigger-transient")
    bw.set_faults(
        [
            {"kind": "429", "path": "importTnOrders/", "method": "GET", "count": 4, "retry_after": 0.05},
            {"kind": "5xx", "status": 503, "path": "importTnOrders/", "method": "GET", "count": 4},
            {"kind": "reset", "path": "importTnOrders/", "method": "GET", "count": 4},
        ]
    )
    event = run_trigger(TnOrderTrigger(order.order_id, "bandwidth_default", time.time() + 60, poll_interval=0.1))
    assert event["status"] == "final" and event["order"]["status"] == "COMPLETE"


def test_a_down_api_does_not_end_the_wait(bw):
    order = create_order(["+13035550100"], "trigger-down")
    bw.set_faults([{"kind": "down", "seconds": 2}])
    event = run_trigger(TnOrderTrigger(order.order_id, "bandwidth_default", time.time() + 60, poll_interval=0.2))
    assert event["status"] == "final"
    assert any(r.get("fault") for r in bw.requests() if r["endpoint"] == "importTnOrders.get")


def test_deadline_gives_a_timeout_event(bw):
    order = create_order(["+13035550100"], "trigger-deadline")
    bw.force_status(order.order_id, "PROCESSING")
    bw.seed(config={"order_seconds": 3600})
    event = run_trigger(TnOrderTrigger(order.order_id, "bandwidth_default", time.time() + 1, poll_interval=0.2))
    assert event == {
        "status": "timeout",
        "order_id": order.order_id,
        "last_status": event["last_status"],
    }
    assert event["last_status"] in ("RECEIVED", "PROCESSING")


def test_unknown_status_ends_the_wait_loudly(bw):
    order = create_order(["+13035550100"], "trigger-unknown")
    bw.force_status(order.order_id, "ON_HOLD")
    event = run_trigger(TnOrderTrigger(order.order_id, "bandwidth_default", time.time() + 60, poll_interval=0.1))
    assert event["status"] == "error" and "ON_HOLD" in event["message"]


def test_a_missing_order_ends_the_wait_after_repeated_404s(bw):
    missing = "00000000-0000-4000-8000-000000000000"
    event = run_trigger(TnOrderTrigger(missing, "bandwidth_default", time.time() + 60, poll_interval=0.05))
    assert event["status"] == "error" and "404" in event["message"]


@pytest.mark.slow
def test_a_several_minute_outage_does_not_end_the_wait(long_outage):
    """The real trigger, polling every 5 s, meets a 3-minute outage and still fires when the order completes."""
    import json

    long_outage.wait(timeout=420)
    out = long_outage.log_path.read_text()
    assert long_outage.returncode == 0, out[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["event"]["status"] == "final" and result["event"]["order"]["status"] == "COMPLETE", result
    assert result["outage_seconds"] >= 180
    assert result["polls_refused_during_outage"] >= 20, result  # it kept polling through the outage
    assert result["waited_seconds"] >= result["outage_seconds"]
