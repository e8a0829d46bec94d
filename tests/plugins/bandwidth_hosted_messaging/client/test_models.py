"""The client's plain data: which numbers of an order failed or went through, JSON round trips, checker results."""

from __future__ import annotations

import json

import pytest

from bandwidth_hosted_messaging.client.models import CheckerResult, NumberError, TnOrder
from bandwidth_hosted_messaging.statuses import ProcessingStatus, UnknownStatusError

NUMBERS = ("+13035550100", "+13035550101", "+13035550102")
BAD_SITE = NumberError("5016", "The SiteId submitted is invalid", ("+13035550101",))


def order(status, errors=(), numbers=NUMBERS, **kw):
    return TnOrder(order_id="o-1", status=ProcessingStatus(status), numbers=numbers, errors=tuple(errors), **kw)


def test_a_complete_order_has_no_failed_numbers_and_completes_all_of_them():
    done = order("COMPLETE")
    assert done.failed_numbers() == {}
    assert done.completed_numbers() == NUMBERS


def test_a_partial_order_fails_only_the_numbers_its_errors_name():
    partial = order("PARTIAL", [BAD_SITE])
    assert partial.failed_numbers() == {"+13035550101": BAD_SITE}
    assert partial.completed_numbers() == ("+13035550100", "+13035550102")


def test_an_error_naming_several_numbers_fails_each_of_them():
    err = NumberError("7518", "Number is not eligible", ("+13035550100", "+13035550102"))
    partial = order("PARTIAL", [err])
    assert partial.failed_numbers() == {"+13035550100": err, "+13035550102": err}
    assert partial.completed_numbers() == ("+13035550101",)


def test_in_a_failed_order_the_order_level_error_applies_to_every_number_without_its_own():
    general = NumberError("5020", "No default SIP peer")
    failed = order("FAILED", [BAD_SITE, general])
    assert failed.failed_numbers() == {"+13035550100": general, "+13035550101": BAD_SITE, "+13035550102": general}
    assert failed.completed_numbers() == ()


@pytest.mark.parametrize("status", ["FAILED", "EXCEPTION"])
def test_a_failed_order_without_any_error_fails_every_number_naming_the_status(status):
    failed = order(status).failed_numbers()
    assert set(failed) == set(NUMBERS)
    assert {(e.code, e.description) for e in failed.values()} == {("", f"order ended {status}")}


@pytest.mark.parametrize("status", ["RECEIVED", "PROCESSING"])
def test_an_open_order_completes_no_number_yet(status):
    still_open = order(status)
    assert still_open.completed_numbers() == ()
    assert still_open.failed_numbers() == {}


def test_to_dict_is_plain_json_and_from_dict_rebuilds_the_same_order():
    original = order(
        "PARTIAL",
        [BAD_SITE, NumberError("5020", "")],
        customer_order_id="test-abc-0000-def",
        order_create_date="2026-01-02T03:04:05.678Z",
        last_modified_date="2026-01-02T03:04:09.000Z",
    )
    data = original.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "PARTIAL"
    assert data["numbers"] == list(NUMBERS)
    assert data["errors"][0] == {
        "code": "5016",
        "description": "The SiteId submitted is invalid",
        "numbers": ["+13035550101"],
    }
    assert TnOrder.from_dict(data) == original
    assert TnOrder.from_dict(json.loads(json.dumps(data))) == original


def test_from_dict_reads_the_status_case_insensitively_and_fills_missing_fields():
    rebuilt = TnOrder.from_dict({"order_id": "o-2", "status": "complete"})
    assert rebuilt == TnOrder("o-2", ProcessingStatus.COMPLETE)
    assert rebuilt.numbers == () and rebuilt.errors == ()


def test_from_dict_refuses_an_unknown_status():
    with pytest.raises(UnknownStatusError):
        TnOrder.from_dict({"order_id": "o-3", "status": "ON_HOLD"})


def test_number_error_from_dict_turns_a_numeric_code_into_text_and_a_missing_description_empty():
    assert NumberError.from_dict({"code": 19006, "description": None}) == NumberError("19006", "", ())


def test_checker_result_maps_each_rejected_number_to_its_error():
    in_service = NumberError("19006", "already in service", ("+13035550199", "+13035550299"))
    blocked = NumberError("19005", "blocked", ("+13035550105",))
    result = CheckerResult(("+13035550100",), (in_service, blocked))
    assert result.rejected_numbers() == {
        "+13035550199": in_service,
        "+13035550299": in_service,
        "+13035550105": blocked,
    }
    assert CheckerResult(("+13035550100",)).rejected_numbers() == {}


def test_checker_results_merge_keeping_the_order_of_both():
    first = CheckerResult(("+13035550100",), (NumberError("19006", "x", ("+13035550199",)),))
    second = CheckerResult(("+13035550101", "+13035550102"), (NumberError("19005", "y", ("+13035550105",)),))
    merged = first.merge(second)
    assert merged.importable == ("+13035550100", "+13035550101", "+13035550102")
    assert list(merged.rejected_numbers()) == ["+13035550199", "+13035550105"]
    assert CheckerResult(()).merge(first) == first
