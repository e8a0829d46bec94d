"""
Telephone numbers as this package holds them: E.164 (``+1NXXNXXXXXX``), one normaliser for every input (ten digits,
eleven starting with 1, ``+1``, punctuation), converted only at the client's edge (:mod:`.versions`). Also chunks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_PUNCTUATION = re.compile(r"[\s\-().]")
#: A number already in the one form (what every report and XCom written by this package holds).
_E164 = re.compile(r"\+1[2-9][0-9]{2}[2-9][0-9]{6}")


class InvalidNumber(ValueError):
    """Not a North American (NANP) telephone number; the message says why, quoting the input."""


def normalize_number(raw: Any) -> str:
    """
    Return a NANP number in E.164 (``+13035550100``).

    Accepts ``+1``, a leading ``1``, dashes, dots, spaces and parentheses. Raises :class:`InvalidNumber` for
    anything else, including an 11-digit number that does not start with 1.
    """
    text = _PUNCTUATION.sub("", str(raw).strip())
    if text.startswith("+"):
        if not text.startswith("+1"):
            raise InvalidNumber(f"{raw!r} is not a +1 (North American) number")
        text = text[2:]
    elif len(text) == 11 and text.startswith("1"):
        text = text[1:]
    if not text.isdigit() or not text.isascii():
        raise InvalidNumber(f"{raw!r} is not a telephone number")
    if len(text) != 10:
        raise InvalidNumber(f"{raw!r} is not a 10-digit North American number")
    if text[0] in "01" or text[3] in "01":
        raise InvalidNumber(
            f"{raw!r} is not a valid North American number (area code and exchange cannot start with 0 or 1)"
        )
    return f"+1{text}"


def canonical(number: str) -> str:
    """
    A number as Bandwidth gave it (ten digits from v1 or a LEGACY subscription, ``+1…`` from v2), in the one form
    this package holds numbers in. A value that is no NANP number is returned as it came (it is reported, not lost).
    """
    if isinstance(number, str) and _E164.fullmatch(number):
        return number  # the common case, ten times cheaper than normalising (a report holds 100,000 of them)
    try:
        return normalize_number(number)
    except InvalidNumber:
        return str(number)


def search_digits(text: str | None) -> str:
    """The digits to look for in numbers (a leading country code 1 of an 11-digit entry dropped)."""
    digits = re.sub(r"\D", "", text or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """Split ``items`` into lists of at most ``size``."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
