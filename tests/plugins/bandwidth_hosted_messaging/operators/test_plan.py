"""plan_orders: chunks of at most chunk_size, each with a CustomerOrderId deterministic per run and chunk."""

from __future__ import annotations

from bandwidth_hosted_messaging.inputs.request import customer_order_id
from bandwidth_hosted_messaging.operators.plan import plan_orders

NUMBERS = [f"30355501{i:02d}" for i in range(5)]
REQUEST = {"numbers": NUMBERS, "duplicates": [], "customer_order_id_prefix": "acme", "chunk_size": 2}


def plan(request=REQUEST, checker=None, run_id="manual__1", dag_id="hosted_messaging_import"):
    return plan_orders(request, checker, f"{dag_id}/{run_id}")


def test_the_numbers_are_split_into_chunks_of_at_most_chunk_size_with_their_index():
    chunks = plan()
    assert [c["index"] for c in chunks] == [0, 1, 2]
    assert [c["numbers"] for c in chunks] == [NUMBERS[0:2], NUMBERS[2:4], NUMBERS[4:]]


def test_each_chunk_gets_the_customer_order_id_of_its_run_index_and_numbers():
    chunks = plan(run_id="manual__2026")
    for chunk in chunks:
        expected = customer_order_id("acme", "hosted_messaging_import/manual__2026", chunk["index"], chunk["numbers"])
        assert chunk["customer_order_id"] == expected
    assert len({c["customer_order_id"] for c in chunks}) == 3


def test_the_same_run_always_plans_the_same_ids():
    assert plan(run_id="manual__a") == plan(run_id="manual__a")


def test_another_run_or_dag_plans_other_ids():
    ids = [c["customer_order_id"] for c in plan(run_id="manual__a")]
    assert ids != [c["customer_order_id"] for c in plan(run_id="manual__b")]
    assert ids != [c["customer_order_id"] for c in plan(run_id="manual__a", dag_id="import_batch_acme")]


def test_with_a_checker_result_only_its_importable_numbers_are_ordered():
    checker = {"importable": [NUMBERS[1], NUMBERS[3]], "rejected": [{"number": NUMBERS[0], "code": "19006"}]}
    chunks = plan(checker=checker)
    assert [c["numbers"] for c in chunks] == [[NUMBERS[1], NUMBERS[3]]]


def test_nothing_importable_plans_no_order():
    assert plan(checker={"importable": [], "rejected": []}) == []


def test_a_chunk_size_given_as_text_is_read_as_a_number():
    chunks = plan(request={**REQUEST, "chunk_size": "4"})
    assert [len(c["numbers"]) for c in chunks] == [4, 1]
