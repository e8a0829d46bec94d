"""TnOrderSensor: what each trigger event becomes, the failure message, and deferring only when needed."""

from __future__ import annotations

import re
import time

import pytest
from airflow.sdk import PokeReturnValue
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout, TaskDeferred
from structlog.testing import capture_logs

from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, NumberError, ServiceAddress, TnOrder
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.reporting.order_outcome import describe_failures
from bandwidth_hosted_messaging.sensors.order import TnOrderSensor
from bandwidth_hosted_messaging.statuses import OrderKind, ProcessingStatus
from bandwidth_hosted_messaging.triggers.order import TnOrderTrigger
from tests.plugins.bandwidth_hosted_messaging.task_context import TaskStateStore, make_context

A, B, C = "+13035550100", "+13035550101", "+13035550102"


def sensor(order_id="o-1", **kw):
    kw.setdefault("deferrable", True)
    return TnOrderSensor(task_id="wait", order_id=order_id, **kw)


def order_dict(status, errors=(), numbers=(A, B, C)):
    return TnOrder(
        "o-1", ProcessingStatus(status), "cid-1", tuple(numbers), tuple(NumberError(*e) for e in errors)
    ).to_dict()


def final(status, errors=()):
    return {"status": "final", "order_id": "o-1", "order": order_dict(status, errors)}


def create_import_order(numbers=(A,), cid="sensor-test"):
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


# ----------------------------------------------------------------------------------- execute_complete


def test_a_complete_event_returns_the_order_and_pushes_it_under_order():
    context = make_context()
    result = sensor().execute_complete(context, final("COMPLETE"))
    assert result == order_dict("COMPLETE")
    assert context["ti"].pushed("order") == result


def test_a_partial_event_returns_the_order_and_logs_the_failed_numbers():
    context = make_context()
    event = final("PARTIAL", [("7518", "Number is not eligible", (B,))])
    with capture_logs() as logs:
        result = sensor().execute_complete(context, event)
    assert result["status"] == "PARTIAL"
    assert context["ti"].pushed("order") == result
    warnings = [entry["event"] for entry in logs if entry["log_level"] == "warning"]
    assert warnings == [f"Order o-1 ended PARTIAL: 2 number(s) went through; failed: {B} (7518 Number is not eligible)"]


@pytest.mark.parametrize("status", ["FAILED", "EXCEPTION"])
def test_a_failed_event_fails_the_task_naming_the_numbers_and_codes(status):
    context = make_context()
    event = final(status, [("5016", "The SiteId submitted is invalid", (A,)), ("5020", "No SIP peer", ())])
    with pytest.raises(AirflowFailException) as info:
        sensor().execute_complete(context, event)
    message = str(info.value)
    assert message.startswith(f"Order o-1 ended {status}: ")
    assert f"{A} (5016 The SiteId submitted is invalid)" in message
    assert f"{B} (5020 No SIP peer)" in message
    assert f"{C} (5020 No SIP peer)" in message
    assert context["ti"].pushed("order")["status"] == status


def test_a_timeout_event_fails_with_airflow_sensor_timeout_naming_the_last_status():
    with pytest.raises(AirflowSensorTimeout) as info:
        sensor(timeout=120).execute_complete(
            make_context(), {"status": "timeout", "order_id": "o-1", "last_status": "PROCESSING"}
        )
    assert str(info.value) == "Order o-1 still open (PROCESSING) at the deadline, 120s after the wait began"


def test_a_timeout_event_without_a_last_status_says_it_is_unknown():
    with pytest.raises(AirflowSensorTimeout, match=r"still open \(status unknown\)"):
        sensor().execute_complete(make_context(), {"status": "timeout", "order_id": "o-1", "last_status": None})


def test_an_error_event_raises_a_retryable_airflow_exception_with_its_message():
    with pytest.raises(AirflowException) as info:
        sensor().execute_complete(make_context(), {"status": "error", "message": "unknown ProcessingStatus 'ON_HOLD'"})
    assert type(info.value) is AirflowException
    assert str(info.value) == "Waiting for order o-1 failed: unknown ProcessingStatus 'ON_HOLD'"


@pytest.mark.parametrize("event", [None, {}, {"order_id": "o-1"}])
def test_an_empty_event_raises_airflow_exception(event):
    with pytest.raises(AirflowException, match="the trigger sent no usable event") as info:
        sensor().execute_complete(make_context(), event)
    assert type(info.value) is AirflowException


@pytest.mark.parametrize(
    "event", [{"status": "done"}, {"status": "final"}, {"status": "final", "order": "o-1"}], ids=str
)
def test_an_unknown_event_raises_airflow_exception(event):
    context = make_context()
    with pytest.raises(AirflowException, match="the trigger sent an unknown event") as info:
        sensor().execute_complete(context, event)
    assert type(info.value) is AirflowException
    assert context["ti"].pushed("order") is None


# ----------------------------------------------------------------------------------- describe_failures


def test_describe_failures_lists_at_most_twenty_then_how_many_more():
    numbers = tuple(f"30355501{i:02d}" for i in range(25))
    order = TnOrder("o-1", ProcessingStatus.FAILED, numbers=numbers, errors=(NumberError("7518", "not eligible"),))
    text = describe_failures(order)
    assert text.count("(7518 not eligible)") == 20
    assert text.startswith("3035550100 (7518 not eligible), 3035550101 (7518 not eligible)")
    assert "3035550119 (7518 not eligible) and 5 more" in text
    assert "+13035550120" not in text


def test_describe_failures_of_a_failed_order_without_codes_names_the_status():
    order = TnOrder("o-1", ProcessingStatus.EXCEPTION, numbers=(A,))
    assert describe_failures(order) == f"{A} (order ended EXCEPTION)"


def test_describe_failures_of_an_order_without_failures_says_so():
    assert describe_failures(TnOrder("o-1", ProcessingStatus.COMPLETE, numbers=(A,))) == "no per-number errors given"


# ----------------------------------------------------------------------------------- execute / poke (sandbox)


def test_execute_on_an_order_already_final_returns_it_without_deferring(bw):
    order = create_import_order([A, B])
    bw.force_status(order.order_id, "COMPLETE")
    context = make_context()
    result = sensor(order.order_id, bandwidth_conn_id="bandwidth_default").execute(context)
    assert result["order_id"] == order.order_id
    assert result["status"] == "COMPLETE"
    assert sorted(result["numbers"]) == [A, B]
    assert context["ti"].pushed("order") == result
    assert context["ti"].pushed("order_id") == order.order_id
    assert context["task_state_store"].get("deadline") is None


def test_execute_on_an_order_already_failed_fails_without_deferring(bw):
    order = create_import_order([A])
    bw.force_status(order.order_id, "FAILED")
    with pytest.raises(AirflowFailException, match=re.escape(f"Order {order.order_id} ended FAILED: {A} ")):
        sensor(order.order_id).execute(make_context())


@pytest.mark.parametrize("kind", list(OrderKind))
def test_execute_on_an_open_order_defers_to_a_trigger_of_the_same_kind(bw, kind):
    if kind is OrderKind.IMPORT:
        order = create_import_order([A])
    else:
        bw.seed(in_service=[A])
        order = BandwidthHook("bandwidth_default").create_remove_order("sensor-remove", [A])
    context = make_context()
    before = time.time()
    with pytest.raises(TaskDeferred) as info:
        sensor(order.order_id, order_kind=kind, poke_interval="2.5", timeout="600").execute(context)
    deferred = info.value
    trigger = deferred.trigger
    assert isinstance(trigger, TnOrderTrigger)
    assert trigger.order_kind is kind
    assert trigger.order_id == order.order_id
    assert trigger.bandwidth_conn_id == "bandwidth_default"
    assert trigger.poll_interval == 2.5
    assert before + 600 <= trigger.deadline <= time.time() + 600
    assert deferred.method_name == "execute_complete"
    assert context["task_state_store"].get("deadline") == trigger.deadline
    assert context["ti"].pushed("order_id") == order.order_id


def test_a_retry_keeps_the_deadline_of_the_first_try(bw):
    order = create_import_order([A])
    first_deadline = time.time() + 30
    store = TaskStateStore(deadline=first_deadline)
    with pytest.raises(TaskDeferred) as info:
        sensor(order.order_id, timeout=600).execute(make_context(try_number=2, store=store))
    assert info.value.trigger.deadline == first_deadline
    assert store.get("deadline") == first_deadline


def test_poke_is_false_while_open_and_done_with_the_order_once_final(bw):
    order = create_import_order([A])
    waiting = sensor(order.order_id, deferrable=False)
    context = make_context()
    assert waiting.poke(context) is False
    bw.force_status(order.order_id, "COMPLETE")
    done = waiting.poke(context)
    assert isinstance(done, PokeReturnValue)
    assert done.is_done is True
    assert done.xcom_value["status"] == "COMPLETE"
    assert context["ti"].pushed("order") == done.xcom_value
