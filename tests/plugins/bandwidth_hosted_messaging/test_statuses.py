"""The status enums: parsing Bandwidth's ProcessingStatus, what is final/success/failure, outcomes, categories."""

from __future__ import annotations

import json

import pytest

from bandwidth_hosted_messaging.statuses import (
    Category,
    OrderKind,
    Outcome,
    ProcessingStatus,
    Tone,
    UnknownStatusError,
    is_imported,
    is_ordered_ok,
    is_successful,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("COMPLETE", ProcessingStatus.COMPLETE),
        ("complete", ProcessingStatus.COMPLETE),
        ("  Partial ", ProcessingStatus.PARTIAL),
        ("received", ProcessingStatus.RECEIVED),
        ("Exception", ProcessingStatus.EXCEPTION),
    ],
)
def test_parse_reads_the_status_case_insensitively_and_ignores_surrounding_spaces(raw, expected):
    assert ProcessingStatus.parse(raw) is expected


@pytest.mark.parametrize("raw", ["CANCELLED", "", None, "COMPLETED"])
def test_parse_of_an_unknown_status_raises_unknown_status_error_quoting_it(raw):
    with pytest.raises(UnknownStatusError) as info:
        ProcessingStatus.parse(raw)
    assert repr(raw) in str(info.value)


def test_unknown_status_error_is_a_value_error():
    assert issubclass(UnknownStatusError, ValueError)


@pytest.mark.parametrize(
    "status, final, success, failure",
    [
        (ProcessingStatus.RECEIVED, False, False, False),
        (ProcessingStatus.PROCESSING, False, False, False),
        (ProcessingStatus.COMPLETE, True, True, False),
        (ProcessingStatus.PARTIAL, True, True, False),
        (ProcessingStatus.FAILED, True, False, True),
        (ProcessingStatus.EXCEPTION, True, False, True),
    ],
)
def test_each_status_is_final_success_or_failure_as_documented(status, final, success, failure):
    assert (status.is_final, status.is_success, status.is_failure) == (final, success, failure)


def test_statuses_compare_equal_to_and_serialise_as_their_strings():
    assert ProcessingStatus.PARTIAL == "PARTIAL"
    assert json.dumps({"s": ProcessingStatus.FAILED}) == '{"s": "FAILED"}'


@pytest.mark.parametrize(
    "outcome, successful, imported, ordered_ok",
    [
        ("in_service", True, True, True),
        ("already_in_service", True, True, False),
        ("rejected", True, False, False),
        ("removed", True, False, False),
        ("order_failed", False, False, False),
        ("not_ordered", False, False, False),
        ("not_in_service", False, False, True),
        ("remove_failed", False, False, False),
        ("still_in_service", False, False, False),
    ],
)
def test_outcome_predicates_accept_plain_strings(outcome, successful, imported, ordered_ok):
    assert (is_successful(outcome), is_imported(outcome), is_ordered_ok(outcome)) == (successful, imported, ordered_ok)
    member = Outcome(outcome)
    assert (is_successful(member), is_imported(member), is_ordered_ok(member)) == (successful, imported, ordered_ok)


def test_outcome_predicates_refuse_an_unknown_string():
    assert not is_successful("success")
    assert not is_imported("IN_SERVICE")
    assert not is_ordered_ok(None)


def test_every_category_has_a_label_a_tone_and_is_shown_in_a_fixed_order():
    assert [c.value for c in Category] == [
        "in_service",
        "rejected",
        "order_failed",
        "not_ordered",
        "loa_missing",
        "not_in_service",
        "removed",
        "remove_failed",
        "would_order",
        "lost",
    ]
    for category in Category:
        assert category.label
        assert isinstance(category.tone, Tone)


@pytest.mark.parametrize(
    "category, outcomes, tone",
    [
        (Category.IN_SERVICE, (Outcome.IN_SERVICE, Outcome.ALREADY_IN_SERVICE), Tone.OK),
        (Category.REJECTED, (Outcome.REJECTED,), Tone.INFO),
        (Category.ORDER_FAILED, (Outcome.ORDER_FAILED,), Tone.BAD),
        (Category.NOT_ORDERED, (Outcome.NOT_ORDERED,), Tone.BAD),
        (Category.LOA_MISSING, (), Tone.WARN),
        (Category.NOT_IN_SERVICE, (Outcome.NOT_IN_SERVICE,), Tone.BAD),
        (Category.REMOVED, (Outcome.REMOVED,), Tone.OK),
        (Category.REMOVE_FAILED, (Outcome.REMOVE_FAILED, Outcome.STILL_IN_SERVICE), Tone.BAD),
        (Category.LOST, (), Tone.BAD),
    ],
)
def test_each_category_counts_its_outcomes_with_its_tone(category, outcomes, tone):
    assert category.outcomes == outcomes
    assert category.tone is tone


def test_every_outcome_is_counted_by_exactly_one_category():
    counted = [o for c in Category for o in c.outcomes]
    assert sorted(counted) == sorted(Outcome)


def test_category_to_dict_gives_key_label_and_tone_as_strings():
    assert Category.REMOVE_FAILED.to_dict() == {
        "key": "remove_failed",
        "label": "Remove failed or still in service",
        "tone": "bad",
    }
    assert json.loads(json.dumps(Category.LOA_MISSING.to_dict())) == {
        "key": "loa_missing",
        "label": "LOA missing",
        "tone": "warn",
    }


def test_order_kind_names_the_order_type_bandwidth_spells():
    assert OrderKind.IMPORT.order_type == "importtnorders"
    assert OrderKind.REMOVE.order_type == "removeImportedTnOrders"
    assert OrderKind("remove") is OrderKind.REMOVE
    with pytest.raises(ValueError):
        OrderKind("port")


def test_only_an_approved_or_unneeded_approval_lets_the_orders_through():
    from bandwidth_hosted_messaging.statuses import ApprovalDecision

    assert {d.value for d in ApprovalDecision if d.orders} == {"approved", "not_needed"}
