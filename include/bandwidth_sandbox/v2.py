"""The v2 ("Universal Platform") boundary: E.164 numbers in and out, ``/messaging`` order paths.

The state keeps every NANP number as ten digits (the v1 form); v2 requests are converted on the way in
and v2 answers on the way out, so one account state serves both versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

V1 = 1
V2 = 2

#: Collections whose v2 paths gain ``/messaging`` straight after the collection segment.
MESSAGING_COLLECTIONS = ("importtnorders", "removeimportedtnorders")

E164_NANP = re.compile(r"^\+1(\d{10})$")
LEGACY_NANP = re.compile(r"^1?(\d{10})$")  # ten digits, or eleven with the country code but no "+"

#: Subscription ``NumberFormat`` values.
E164 = "E164"
LEGACY = "LEGACY"
NUMBER_FORMATS = (E164, LEGACY)

NOT_E164_CODE = 1022
NOT_E164_TEXT = "Retry request with all E.164 formatted phone numbers"


def to_e164(tn: str) -> str:
    """Internal (ten digits) -> ``+1NXXNXXXXXX``; anything else (already ``+…``, garbage) unchanged."""
    return f"+1{tn}" if len(tn) == 10 and tn.isdigit() else tn


def to_internal(tn: str) -> str:
    """``+1`` plus ten digits, ten digits, or ``1`` plus ten digits -> ten digits; anything else unchanged."""
    m = E164_NANP.match(tn) or LEGACY_NANP.match(tn)
    return m.group(1) if m else tn


def is_legacy_form(tn: str) -> bool:
    """A NANP number written without ``+1``: refused by v2's import endpoints (1022)."""
    return LEGACY_NANP.match(tn) is not None


def split_numbers(raw: Iterable[str]) -> tuple[list[str], list[str]]:
    """v2 request numbers -> (internal numbers, the ones that were not E.164 but NANP digits)."""
    internal: list[str] = []
    legacy: list[str] = []
    for tn in raw:
        if is_legacy_form(tn):
            legacy.append(tn)
        internal.append(to_internal(tn))
    return internal, legacy


def not_e164_error(legacy: list[str]) -> tuple[int, str]:
    shown = ", ".join(legacy[:20]) + (" ..." if len(legacy) > 20 else "")
    return NOT_E164_CODE, f"Telephone number(s) {shown} not in E.164 format. {NOT_E164_TEXT}"


def version_of(req: Any) -> int:
    return int(getattr(req, "version", V1) or V1)


def number_out(req: Any) -> Callable[[str], str]:
    """How numbers leave in an answer to ``req``: E.164 on v2, as stored (ten digits) on v1."""
    return to_e164 if version_of(req) == V2 else _same


def number_in(req: Any, tn: str) -> str:
    """A number from a v2 query or path (E.164, or leniently ten digits) -> internal; v1: unchanged."""
    return to_internal(tn) if version_of(req) == V2 else tn


def collection(req: Any, name: str) -> str:
    """``importTnOrders`` -> ``importTnOrders/messaging`` on v2 (for Location headers)."""
    return f"{name}/messaging" if version_of(req) == V2 and name.lower() in MESSAGING_COLLECTIONS else name


def v2_pattern(pattern: tuple[str, ...]) -> tuple[str, ...]:
    """A v1 route pattern -> its v2 pattern (``/messaging`` after the import and remove collections)."""
    if pattern and pattern[0].lower() in MESSAGING_COLLECTIONS:
        return (pattern[0], "messaging", *pattern[1:])
    return pattern


def from_e164(tn: str) -> str:
    """``+1NXXNXXXXXX`` -> ten digits; anything else (ten digits, international ``+…``) unchanged."""
    m = E164_NANP.match(tn)
    return m.group(1) if m else tn


def format_numbers(tns: Iterable[str], number_format: str) -> list[str]:
    """Numbers for a callback delivery: E164 = ``+1…``; LEGACY = +1 numbers as ten digits, all others
    (international) in E.164 as they are."""
    return [to_e164(tn) if number_format == E164 else from_e164(tn) for tn in tns]


def normalize_format(value: str | None) -> str | None:
    """``e164`` / ``E.164`` / ``legacy`` -> ``E164`` / ``LEGACY``; None if absent; anything else as given."""
    if value is None:
        return None
    key = value.strip().upper().replace(".", "").replace("-", "").replace("_", "")
    return key if key in NUMBER_FORMATS else value


def _same(tn: str) -> str:
    return tn
