"""CreateTnOrderOperator against the sandbox: one order per chunk, whatever retries and lost answers happen."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client.errors import BandwidthApiError
from bandwidth_hosted_messaging.contracts import order_details
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.inputs.request import validate_import_request
from bandwidth_hosted_messaging.operators.orders import CreateTnOrderOperator, import_order_request
from bandwidth_hosted_messaging.statuses import OrderKind
from tests.dags_helpers import api_calls, base_conf, e164
from tests.plugins.bandwidth_hosted_messaging.task_context import TaskStateStore, make_context

A, B = "+13035550100", "+13035550101"
REQUEST = validate_import_request(base_conf(numbers=[A, B], sip_peer_id="521953", county="Denver")).to_dict()
#: What the import flow's create tasks pull: validate_request's XCom ``order_details``, no number in it.
DETAILS = order_details(REQUEST)
CHUNK = {"index": 0, "customer_order_id": "test-0a1b2c3d-0000-abcdef", "numbers": [A, B]}


def create(kind="import", chunk=CHUNK, request=DETAILS, try_number=1, store=None):
    context = make_context(task_id="create_order", try_number=try_number, store=store)
    operator = CreateTnOrderOperator(task_id="create_order", chunk=chunk, order_kind=kind, request=request)
    return operator.execute(context), context


def creates(bw, kind="importTnOrders"):
    return api_calls(bw, f"{kind}.create")


def test_the_order_details_hold_no_number_and_make_the_same_order_as_the_whole_request():
    assert "numbers" not in DETAILS and "duplicates" not in DETAILS and "loa" not in DETAILS
    assert import_order_request(DETAILS, CHUNK).to_xml() == import_order_request(REQUEST, CHUNK).to_xml()


def test_import_order_request_carries_the_chunk_and_the_validated_request():
    order = import_order_request(DETAILS, CHUNK)
    assert order.customer_order_id == CHUNK["customer_order_id"]
    assert order.numbers == [A, B]
    assert (order.site_id, order.sip_peer_id) == ("14413", "521953")
    assert order.service_address.to_xml() == {
        "HouseNumber": "900",
        "StreetName": "Main St",
        "City": "Denver",
        "StateCode": "CO",
        "Zip": "80202",
        "County": "Denver",
    }
    assert order.to_xml()["Subscriber"]["Name"] == "Acme Dental"


def test_a_first_try_creates_the_order_once_and_keeps_its_id_in_the_task_state_store(bw):
    order_id, context = create()
    assert len(creates(bw)) == 1
    assert api_calls(bw, "importTnOrders.list") == []
    assert context["task_state_store"].get("order")["order_id"] == order_id
    assert context["ti"].pushed("customer_order_id") == CHUNK["customer_order_id"]
    [made] = [o for o in bw.orders() if o["order_id"] == order_id]
    assert sorted(e164(made["numbers"])) == [A, B]
    assert made["customer_order_id"] == CHUNK["customer_order_id"]


def test_with_an_order_id_in_the_task_state_store_it_is_reused_without_any_call(bw):
    order_id, context = create()
    bw.clear_requests()
    again, _ = create(try_number=2, store=context["task_state_store"])
    assert again == order_id
    assert api_calls(bw) == []


def test_a_retry_finds_the_order_of_an_earlier_try_by_its_customer_order_id(bw):
    order_id, _ = create()
    bw.clear_requests()
    again, context = create(try_number=2)
    assert again == order_id
    assert creates(bw) == []
    [listed] = api_calls(bw, "importTnOrders.list")
    assert listed["params"]["customerorderid"] == CHUNK["customer_order_id"]
    assert context["task_state_store"].get("order")["order_id"] == order_id


def test_a_retry_that_finds_no_earlier_order_creates_one(bw):
    order_id, _ = create(try_number=3)
    assert len(creates(bw)) == 1
    assert [o["order_id"] for o in bw.orders()] == [order_id]


def test_an_order_of_another_chunk_is_not_taken_for_this_one(bw):
    other = {**CHUNK, "customer_order_id": "test-0a1b2c3d-0001-fedcba", "numbers": ["+13035550102"]}
    other_id, _ = create(chunk=other)
    order_id, _ = create(try_number=2)
    assert order_id != other_id
    assert len(creates(bw)) == 2


def test_a_lost_create_answer_is_recovered_by_looking_the_order_up(bw):
    bw.set_faults([{"kind": "drop_response", "path": "importTnOrders$", "method": "POST", "count": 1}])
    order_id, context = create()
    assert len(creates(bw)) == 1
    assert [o["order_id"] for o in bw.orders()] == [order_id]
    assert context["task_state_store"].get("order")["order_id"] == order_id


def test_a_4xx_answer_to_the_create_is_raised_without_a_look_up(bw):
    with pytest.raises(BandwidthApiError) as info:
        create(request={**REQUEST, "site_id": "99999"})
    assert info.value.status == 400
    assert api_calls(bw, "importTnOrders.list") == []
    assert bw.orders() == []


def test_an_import_order_without_its_order_details_is_refused(bw):
    with pytest.raises(ValueError, match="needs the order details of the validated request"):
        create(request=None)
    assert api_calls(bw) == []


def test_the_remove_kind_creates_a_remove_imported_tn_orders_order(bw):
    bw.seed(in_service=[A, B])
    chunk = {"index": 0, "customer_order_id": "remove-0a1b2c3d-0000-abcdef", "numbers": [A, B]}
    order_id, _ = create("remove", chunk=chunk, request=None)
    assert len(creates(bw, "removeImportedTnOrders")) == 1
    assert creates(bw) == []
    removal = BandwidthHook("bandwidth_default").get_order(OrderKind.REMOVE, order_id)
    assert removal.customer_order_id == chunk["customer_order_id"]
    assert sorted(removal.numbers) == [A, B]


def test_a_remove_retry_finds_its_order_among_the_remove_orders(bw):
    bw.seed(in_service=[A])
    chunk = {"index": 0, "customer_order_id": "remove-0a1b2c3d-0000-abcdef", "numbers": [A]}
    order_id, _ = create("remove", chunk=chunk, request=None)
    again, _ = create("remove", chunk=chunk, request=None, try_number=2, store=TaskStateStore())
    assert again == order_id
    assert len(creates(bw, "removeImportedTnOrders")) == 1
    assert len(api_calls(bw, "removeImportedTnOrders.list")) == 1


def test_a_remembered_order_of_another_chunk_is_never_reused_after_a_clear(bw):
    """Issue 13, M7: a cleared run's new chunk 0 holds only the failed number; it must get an order of its own."""
    order_id, context = create()
    failed_only = {"index": 0, "customer_order_id": "test-0a1b2c3d-0000-fedcba", "numbers": [B]}
    again, _ = create(chunk=failed_only, store=context["task_state_store"])
    assert again != order_id
    [made] = [o for o in bw.orders() if o["order_id"] == again]
    assert e164(made["numbers"]) == [B] and made["customer_order_id"] == failed_only["customer_order_id"]
