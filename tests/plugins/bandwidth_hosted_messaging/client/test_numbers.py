"""The one number normaliser, the digits a search looks for, and chunking."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client.numbers import InvalidNumber, chunked, normalize_number, search_digits


@pytest.mark.parametrize(
    "raw",
    [
        "+13035550100",
        "303-555-0100",
        "(303) 555-0100",
        "303.555.0100",
        "+1 303 555 0100",
        "+13035550100",
        "1-303-555-0100",
        "13035550100",
        "  3035550100\n",
        3035550100,
    ],
)
def test_accepted_forms_normalise_to_ten_digits(raw):
    assert normalize_number(raw) == "+13035550100"


@pytest.mark.parametrize(
    "raw, why",
    [
        ("+443035550100", "is not a +1 (North American) number"),
        ("303555010", "is not a 10-digit North American number"),
        ("303555010012", "is not a 10-digit North American number"),
        ("23035550100", "is not a 10-digit North American number"),
        ("303-555-01OO", "is not a telephone number"),
        ("", "is not a telephone number"),
        ("３０３５５５０１００", "is not a telephone number"),
        ("0305550100", "area code and exchange cannot start with 0 or 1"),
        ("1305550100", "area code and exchange cannot start with 0 or 1"),
        ("3030550100", "area code and exchange cannot start with 0 or 1"),
        ("3031550100", "area code and exchange cannot start with 0 or 1"),
    ],
)
def test_refused_forms_raise_invalid_number_quoting_the_input(raw, why):
    with pytest.raises(InvalidNumber) as info:
        normalize_number(raw)
    assert repr(raw) in str(info.value)
    assert why in str(info.value)


def test_invalid_number_is_a_value_error():
    assert issubclass(InvalidNumber, ValueError)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+1 (303) 555-0100", "3035550100"),
        ("13035550100", "3035550100"),
        ("303-555", "303555"),
        ("23035550100", "23035550100"),
        ("", ""),
        (None, ""),
        ("abc", ""),
    ],
)
def test_search_digits_keeps_digits_and_drops_the_country_code_of_an_eleven_digit_entry(text, expected):
    assert search_digits(text) == expected


def test_chunked_splits_into_lists_of_at_most_size_in_order():
    assert chunked(["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert chunked(("a", "b"), 5) == [["a", "b"]]
    assert chunked([], 3) == []


@pytest.mark.parametrize("size", [0, -1])
def test_chunked_refuses_a_size_below_one(size):
    with pytest.raises(ValueError, match="at least 1"):
        chunked([1, 2], size)
