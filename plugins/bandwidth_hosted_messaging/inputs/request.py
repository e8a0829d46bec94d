"""
Check an import or remove request before any API call: numbers normalised to ten digits, fields in
Bandwidth's formats, the LOA file readable and acceptable. Every error names the field.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bandwidth_hosted_messaging.client.numbers import InvalidNumber, normalize_number
from bandwidth_hosted_messaging.constants import DEFAULT_CHUNK_SIZE, MAX_BATCH_NUMBERS, ORDER_MAX_NUMBERS
from bandwidth_hosted_messaging.inputs.errors import RequestError

if TYPE_CHECKING:
    from bandwidth_hosted_messaging.contracts import ImportRequestDict, LoaFileDict, RemoveRequestDict

REJECTION_POLICIES = ("skip", "fail")
CUSTOMER_ORDER_ID = re.compile(r"^[A-Za-z0-9\- ]+$", re.ASCII)
CUSTOMER_ORDER_ID_MAX = 40
#: Room left for "-<run hash 8>-<chunk 4>-<numbers hash 6>" after the user's prefix.
PREFIX_MAX = CUSTOMER_ORDER_ID_MAX - 22
STATE_CODE = re.compile(r"^[A-Za-z]{2}$", re.ASCII)
ZIP_CODE = re.compile(r"^[0-9]{5}(-?[0-9]{4})?$", re.ASCII)
SITE_ID = re.compile(r"^[0-9]{1,12}$", re.ASCII)
#: The longest text each field may hold. Bandwidth publishes only the Subscriber Name's (45); the others are our
#: own bounds (generous for a US address), not Bandwidth's: change them here if Bandwidth publishes its own.
MAX_LENGTHS = {
    "subscriber_name": 45,
    "house_number": 20,
    "street_name": 100,
    "city": 60,
    "county": 60,
    "loa_authorizing_person": 100,
}
#: Unicode categories never allowed in a text field: control and format characters, line and paragraph
#: separators (they reach Bandwidth as ill-formed XML, or forge lines in logs).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def normalize_numbers(raw: Iterable[Any] | str | None) -> tuple[list[str], list[str]]:
    """Normalise a list of numbers; return ``(unique numbers in order, duplicates removed)``."""
    if raw is None:
        raise RequestError("numbers", "at least one number is required")
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,;\n]", raw)]
    items = [item for item in raw if str(item).strip()]
    if not items:
        raise RequestError("numbers", "at least one number is required")
    if len(items) > MAX_BATCH_NUMBERS:
        raise RequestError("numbers", f"{len(items)} numbers exceed the batch limit of {MAX_BATCH_NUMBERS}")
    numbers: list[str] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    bad: list[tuple[int, str]] = []
    for position, item in enumerate(items, 1):
        try:
            number = normalize_number(item)
        except InvalidNumber as err:
            bad.append((position, f"entry {position}: {err}"))
            continue
        if number in seen:
            duplicates.append(number)
        else:
            seen.add(number)
            numbers.append(number)
    if bad:
        shown = "; ".join(reason for _, reason in bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        at = ", ".join(str(position) for position, _ in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise RequestError("numbers", shown, rule=f"entries {at} are not 10-digit North American numbers")
    return numbers, duplicates


@dataclass
class ImportRequest:
    """A validated import request, ready for the API (plain data, JSON-friendly)."""

    numbers: list[str]
    duplicates: list[str]
    subscriber_name: str
    house_number: str
    street_name: str
    city: str
    state_code: str
    zip: str
    loa_authorizing_person: str
    site_id: str
    customer_order_id_prefix: str
    loa: LoaFileDict
    rejection_policy: str = "skip"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    sip_peer_id: str | None = None
    county: str | None = None
    dry_run: bool = False
    retry_failed_of_run: str | None = None

    def to_dict(self) -> ImportRequestDict:
        return asdict(self)  # type: ignore[return-value]  # the fields are ImportRequestDict's


def _text(values: Mapping[str, Any], name: str) -> str:
    """The field as text: a string or a number, bounded, with no control or format characters."""
    value = values.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RequestError(name, f"must be text, not {type(value).__name__}")
    text = str(value).strip()
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text):
        raise RequestError(name, "may not hold control characters (line breaks, tabs, ...)")
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(text) > limit:
        raise RequestError(name, f"is {len(text)} characters; at most {limit}")
    return text


def _required(values: Mapping[str, Any], name: str) -> str:
    text = _text(values, name)
    if not text:
        raise RequestError(name, "is required")
    return text


def _optional(values: Mapping[str, Any], name: str) -> str | None:
    return _text(values, name) or None


def validate_import_request(
    values: Mapping[str, Any],
    check_loa: bool = True,
    loa_roots: Sequence[str] | None = None,
    *,
    check_numbers: bool = True,
) -> ImportRequest:
    """
    Validate the Params of an import run and return the normalised request.

    :param check_numbers: ``False`` checks every other field and leaves the numbers out (a batch DAG's parse).
    :raises RequestError: naming the first invalid field.
    """
    numbers, duplicates = normalize_numbers(values.get("numbers")) if check_numbers else ([], [])
    state_code = _required(values, "state_code").upper()
    if not STATE_CODE.match(state_code):
        raise RequestError("state_code", f"{state_code!r} is not a two-letter state code", "must be two letters")
    zip_code = _required(values, "zip")
    if not ZIP_CODE.match(zip_code):
        rule = "must be a ZIP code (12345 or 12345-6789)"
        raise RequestError("zip", f"{zip_code!r} is not a ZIP code (12345 or 12345-6789)", rule)
    site_id = _required(values, "site_id")
    if not SITE_ID.match(site_id):
        raise RequestError("site_id", f"{site_id!r} is not a numeric site id", "must be a numeric site id")
    sip_peer_id = _optional(values, "sip_peer_id")
    if sip_peer_id is not None and not SITE_ID.match(sip_peer_id):
        rule = "must be a numeric SIP peer id"
        raise RequestError("sip_peer_id", f"{sip_peer_id!r} is not a numeric SIP peer id", rule)
    prefix, chunk_size = _prefix_and_chunk_size(values, "import")
    policy = (_optional(values, "rejection_policy") or "skip").lower()
    if policy not in REJECTION_POLICIES:
        raise RequestError("rejection_policy", f"must be one of {REJECTION_POLICIES}")
    loa_location = _required(values, "loa_file")
    loa: LoaFileDict = {"location": loa_location}
    if check_loa:  # a batch DAG file's parse does not: its first task does, when the run starts
        from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file

        loa = check_loa_file(loa_location, loa_roots).to_dict()
    return ImportRequest(
        numbers=numbers,
        duplicates=duplicates,
        subscriber_name=_required(values, "subscriber_name"),
        house_number=_required(values, "house_number"),
        street_name=_required(values, "street_name"),
        city=_required(values, "city"),
        state_code=state_code,
        zip=zip_code,
        county=_optional(values, "county"),
        loa_authorizing_person=_required(values, "loa_authorizing_person"),
        site_id=site_id,
        sip_peer_id=sip_peer_id,
        customer_order_id_prefix=prefix,
        loa=loa,
        rejection_policy=policy,
        chunk_size=chunk_size,
        dry_run=flag(values, "dry_run"),
        retry_failed_of_run=_optional(values, "retry_failed_of_run"),
    )


@dataclass
class RemoveRequest:
    """A validated remove request (plain data, JSON-friendly)."""

    numbers: list[str]
    duplicates: list[str]
    customer_order_id_prefix: str
    chunk_size: int = DEFAULT_CHUNK_SIZE
    dry_run: bool = False

    def to_dict(self) -> RemoveRequestDict:
        return asdict(self)  # type: ignore[return-value]  # the fields are RemoveRequestDict's


def _prefix_and_chunk_size(values: Mapping[str, Any], default_prefix: str) -> tuple[str, int]:
    prefix = _optional(values, "customer_order_id_prefix") or default_prefix
    if len(prefix) > PREFIX_MAX:
        raise RequestError("customer_order_id_prefix", f"is {len(prefix)} characters; at most {PREFIX_MAX}")
    if not CUSTOMER_ORDER_ID.match(prefix):
        raise RequestError("customer_order_id_prefix", "may hold only letters, digits, dashes and spaces")
    chunk_size = _whole_number(values.get("chunk_size", DEFAULT_CHUNK_SIZE), "chunk_size")
    if not 1 <= chunk_size <= ORDER_MAX_NUMBERS:
        raise RequestError("chunk_size", f"must be between 1 and {ORDER_MAX_NUMBERS}")
    return prefix, chunk_size


def _whole_number(value: Any, name: str) -> int:
    """A whole number given as an int or as digits; 1.5, "1.5", True and "" are refused, never rounded."""
    if isinstance(value, bool):
        raise RequestError(name, "must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value, re.ASCII):
        return int(value)
    raise RequestError(name, "must be a whole number")


def validate_remove_request(values: Mapping[str, Any]) -> RemoveRequest:
    """Validate the Params of a remove run. :raises RequestError: naming the first invalid field."""
    numbers, duplicates = normalize_numbers(values.get("numbers"))
    prefix, chunk_size = _prefix_and_chunk_size(values, "remove")
    return RemoveRequest(numbers, duplicates, prefix, chunk_size, dry_run=flag(values, "dry_run"))


def flag(values: Mapping[str, Any], name: str) -> bool:
    """A yes/no field: ``true``/``false`` (absent or null is ``false``); anything else is refused."""
    value = values.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RequestError(name, f"must be true or false, not {value!r}"[:120])
    return value


def customer_order_id(prefix: str, run_key: str, index: int, numbers: Iterable[str]) -> str:
    """
    A deterministic CustomerOrderId for one chunk of one run: the same chunk of the same run always gets
    the same id, so a retry can find the order it made. Fits Bandwidth's pattern and 40 characters.
    """
    run_hash = hashlib.sha256(run_key.encode()).hexdigest()[:8]
    numbers_hash = hashlib.sha256(",".join(numbers).encode()).hexdigest()[:6]
    return f"{prefix}-{run_hash}-{index:04d}-{numbers_hash}"
