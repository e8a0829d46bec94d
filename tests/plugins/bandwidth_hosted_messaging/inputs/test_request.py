"""validate_import_request / validate_remove_request: normalised requests, and errors that name the field."""

from __future__ import annotations

import re

import pytest

from bandwidth_hosted_messaging.constants import MAX_BATCH_NUMBERS
from bandwidth_hosted_messaging.inputs.errors import RequestError
from bandwidth_hosted_messaging.inputs.request import (
    CUSTOMER_ORDER_ID_MAX,
    PREFIX_MAX,
    customer_order_id,
    validate_import_request,
    validate_remove_request,
)
from tests.dags_helpers import SAMPLE_LOA


def import_values(**overrides):
    values = {
        "numbers": ["+1 (303) 555-0100", "303.555.0101"],
        "subscriber_name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "co",
        "zip": "80202",
        "loa_authorizing_person": "Jane Doe",
        "site_id": "14413",
        "customer_order_id_prefix": "acme",
        "loa_file": SAMPLE_LOA,
    }
    values.update(overrides)
    return values


def field_error(validate, values) -> RequestError:
    with pytest.raises(RequestError) as info:
        validate(values)
    assert str(info.value).startswith(f"{info.value.field}: ")
    return info.value


# ------------------------------------------------------------------------------------------- import


def test_a_valid_import_request_is_normalised():
    request = validate_import_request(import_values(sip_peer_id=" 521952 ", county=" ", rejection_policy="FAIL"))
    assert request.numbers == ["+13035550100", "+13035550101"]
    assert request.duplicates == []
    assert request.state_code == "CO"
    assert request.sip_peer_id == "521952"
    assert request.county is None
    assert request.rejection_policy == "fail"
    assert request.chunk_size == 1000
    assert request.customer_order_id_prefix == "acme"


def test_the_import_request_carries_the_checked_loa_file():
    loa = validate_import_request(import_values()).to_dict()["loa"]
    assert loa["file_name"] == "sample-loa.pdf"
    assert loa["content_type"] == "application/pdf"
    assert loa["size"] > 0
    assert loa["location"] == SAMPLE_LOA


def test_without_the_loa_check_only_the_location_is_kept_and_the_file_is_not_read(tmp_path):
    missing = str(tmp_path / "nowhere.pdf")
    assert validate_import_request(import_values(loa_file=missing), check_loa=False).loa == {"location": missing}


def test_defaults_skip_rejections_and_prefix_import():
    request = validate_import_request(import_values(customer_order_id_prefix=None, rejection_policy=None))
    assert request.rejection_policy == "skip"
    assert request.customer_order_id_prefix == "import"


def test_duplicates_are_listed_once_per_extra_copy_and_the_numbers_keep_their_first_order():
    request = validate_import_request(
        import_values(numbers=["+13035550101", "303-555-0100", "+13035550101", "+13035550101", "(303) 555-0100"])
    )
    assert request.numbers == ["+13035550101", "+13035550100"]
    assert request.duplicates == ["+13035550101", "+13035550101", "+13035550100"]


def test_numbers_may_come_as_one_text_split_on_commas_semicolons_and_lines():
    request = validate_import_request(import_values(numbers="3035550100, 3035550101;3035550102\n\n3035550103"))
    assert request.numbers == ["+13035550100", "+13035550101", "+13035550102", "+13035550103"]


@pytest.mark.parametrize("numbers", [None, [], ["", "  "], ""])
def test_no_numbers_is_an_error_naming_numbers(numbers):
    err = field_error(validate_import_request, import_values(numbers=numbers))
    assert err.field == "numbers"
    assert "at least one number is required" in str(err)


def test_bad_numbers_are_named_with_the_first_five_quoted_then_how_many_more():
    bad = [f"12{i}" for i in range(7)]
    err = field_error(validate_import_request, import_values(numbers=["+13035550100", *bad]))
    assert err.field == "numbers"
    for shown in bad[:5]:
        assert repr(shown) in str(err)
    assert repr(bad[5]) not in str(err)
    assert str(err).endswith("; and 2 more")


def test_more_numbers_than_a_batch_holds_is_an_error_naming_numbers():
    err = field_error(validate_remove_request, {"numbers": ["+13035550100"] * (MAX_BATCH_NUMBERS + 1)})
    assert err.field == "numbers"
    assert f"exceed the batch limit of {MAX_BATCH_NUMBERS}" in str(err)


@pytest.mark.parametrize(
    "overrides, field, why",
    [
        ({"state_code": None}, "state_code", "is required"),
        ({"state_code": "Colorado"}, "state_code", "not a two-letter state code"),
        ({"state_code": "C0"}, "state_code", "not a two-letter state code"),
        ({"zip": ""}, "zip", "is required"),
        ({"zip": "8020"}, "zip", "is not a ZIP code"),
        ({"zip": "80202-12"}, "zip", "is not a ZIP code"),
        ({"site_id": None}, "site_id", "is required"),
        ({"site_id": "site-1"}, "site_id", "is not a numeric site id"),
        ({"sip_peer_id": "peer"}, "sip_peer_id", "is not a numeric SIP peer id"),
        ({"customer_order_id_prefix": "a" * (PREFIX_MAX + 1)}, "customer_order_id_prefix", f"at most {PREFIX_MAX}"),
        ({"customer_order_id_prefix": "acme_dental"}, "customer_order_id_prefix", "only letters, digits, dashes"),
        ({"chunk_size": "many"}, "chunk_size", "must be a whole number"),
        ({"chunk_size": "5001"}, "chunk_size", "between 1 and 5000"),
        ({"chunk_size": -3}, "chunk_size", "between 1 and 5000"),
        ({"rejection_policy": "ignore"}, "rejection_policy", "must be one of"),
        ({"subscriber_name": "x" * 46}, "subscriber_name", "is 46 characters; at most 45"),
        ({"subscriber_name": "   "}, "subscriber_name", "is required"),
        ({"house_number": None}, "house_number", "is required"),
        ({"street_name": ""}, "street_name", "is required"),
        ({"city": None}, "city", "is required"),
        ({"loa_authorizing_person": ""}, "loa_authorizing_person", "is required"),
        ({"loa_file": None}, "loa_file", "is required"),
    ],
)
def test_each_invalid_import_field_is_named_in_the_error(overrides, field, why):
    err = field_error(validate_import_request, import_values(**overrides))
    assert err.field == field
    assert why in err.reason


def test_a_subscriber_name_of_exactly_45_characters_is_accepted():
    assert validate_import_request(import_values(subscriber_name="x" * 45)).subscriber_name == "x" * 45


@pytest.mark.parametrize("zip_code", ["80202", "80202-1234", "802021234"])
def test_zip_codes_of_five_or_nine_digits_are_accepted(zip_code):
    assert validate_import_request(import_values(zip=zip_code)).zip == zip_code


def test_a_missing_loa_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__LOA_ROOTS", str(tmp_path))
    missing = tmp_path / "missing.pdf"
    err = field_error(validate_import_request, import_values(loa_file=str(missing)))
    assert err.field == "loa_file"
    assert "does not exist" in err.reason
    assert str(missing) in err.reason


def test_an_loa_file_of_an_unsupported_type_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__LOA_ROOTS", str(tmp_path))
    exe = tmp_path / "loa.exe"
    exe.write_bytes(b"MZ")
    err = field_error(validate_import_request, import_values(loa_file=str(exe)))
    assert err.field == "loa_file"
    assert "'loa.exe' is not an accepted LOA type" in err.reason
    assert ".pdf" in err.reason


def test_an_empty_loa_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__LOA_ROOTS", str(tmp_path))
    empty = tmp_path / "loa.pdf"
    empty.write_bytes(b"")
    err = field_error(validate_import_request, import_values(loa_file=str(empty)))
    assert err.field == "loa_file"
    assert err.reason.endswith("is empty")


def test_the_first_invalid_field_is_reported_when_several_are_invalid():
    err = field_error(validate_import_request, import_values(state_code="Colorado", zip="x", site_id="y"))
    assert err.field == "state_code"


# ------------------------------------------------------------------------------------------- remove


def test_a_valid_remove_request_needs_only_numbers():
    request = validate_remove_request({"numbers": ["303-555-0100", "+13035550100"]})
    assert request.to_dict() == {
        "numbers": ["+13035550100"],
        "duplicates": ["+13035550100"],
        "customer_order_id_prefix": "remove",
        "chunk_size": 1000,
        "dry_run": False,
    }


@pytest.mark.parametrize(
    "values, field",
    [
        ({"numbers": []}, "numbers"),
        ({"numbers": ["555-0100"]}, "numbers"),
        ({"numbers": ["+13035550100"], "customer_order_id_prefix": "rm/1"}, "customer_order_id_prefix"),
        ({"numbers": ["+13035550100"], "chunk_size": "5001"}, "chunk_size"),
        ({"numbers": ["+13035550100"], "chunk_size": "ten"}, "chunk_size"),
    ],
)
def test_each_invalid_remove_field_is_named_in_the_error(values, field):
    assert field_error(validate_remove_request, values).field == field


def test_a_remove_request_ignores_the_import_only_fields():
    request = validate_remove_request({"numbers": ["+13035550100"], "state_code": "nowhere", "loa_file": None})
    assert request.numbers == ["+13035550100"]


# ------------------------------------------------------------------------------------------- CustomerOrderId


def test_customer_order_id_is_deterministic_for_the_same_run_chunk_and_numbers():
    numbers = ["+13035550100", "+13035550101"]
    first = customer_order_id("acme", "dag/run-1", 3, numbers)
    assert first == customer_order_id("acme", "dag/run-1", 3, list(numbers))
    assert re.fullmatch(r"acme-[0-9a-f]{8}-0003-[0-9a-f]{6}", first)


@pytest.mark.parametrize(
    "change",
    [
        {"run_key": "dag/run-2"},
        {"index": 4},
        {"numbers": ["+13035550100", "+13035550102"]},
        {"numbers": ["+13035550101", "+13035550100"]},
    ],
)
def test_customer_order_id_differs_for_another_run_chunk_or_numbers(change):
    args = {"prefix": "acme", "run_key": "dag/run-1", "index": 3, "numbers": ["+13035550100", "+13035550101"]}
    assert customer_order_id(**args) != customer_order_id(**{**args, **change})


def test_customer_order_id_with_the_longest_prefix_fits_bandwidths_40_characters_and_pattern():
    prefix = "A 1-" + "z" * (PREFIX_MAX - 4)
    request = validate_remove_request({"numbers": ["+13035550100"], "customer_order_id_prefix": prefix})
    for index in (0, 9999, 49_999):
        cid = customer_order_id(request.customer_order_id_prefix, "x" * 300, index, ["+13035550100"] * 5000)
        assert len(cid) <= CUSTOMER_ORDER_ID_MAX
        assert re.fullmatch(r"[A-Za-z0-9 \-]+", cid)


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_dry_run_must_be_true_or_false(value):
    err = field_error(validate_remove_request, {"numbers": ["3035550100"], "dry_run": value})
    assert err.field == "dry_run" and "true or false" in str(err)


def test_a_dry_run_and_a_source_run_are_carried_in_the_import_request():
    request = validate_import_request(import_values(dry_run=True, retry_failed_of_run="manual__1"), check_loa=False)
    assert request.to_dict()["dry_run"] is True and request.to_dict()["retry_failed_of_run"] == "manual__1"
