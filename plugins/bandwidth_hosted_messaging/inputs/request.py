"""
Check an import or remove request before any API call: numbers normalised to ten digits, fields in
Bandwidth's formats, the LOA file readable and acceptable. Every error names the field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bandwidth_hosted_messaging.client.numbers import InvalidNumber, normalize_number
from bandwidth_hosted_messaging.constants import DEFAULT_CHUNK_SIZE, MAX_BATCH_NUMBERS, ORDER_MAX_NUMBERS
from bandwidth_hosted_messaging.contracts import ImportRequestDict, LoaFileDict, RemoveRequestDict
from bandwidth_hosted_messaging.inputs.errors import RequestError
from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file

REJECTION_POLICIES = ("skip", "fail")
CUSTOMER_ORDER_ID = re.compile(r"^[A-Za-z0-9\- ]+$")
CUSTOMER_ORDER_ID_MAX = 40
#: Room left for "-<run hash 8>-<chunk 4>-<numbers hash 6>" after the user's prefix.
PREFIX_MAX = CUSTOMER_ORDER_ID_MAX - 22
STATE_CODE = re.compile(r"^[A-Za-z]{2}$")
ZIP_CODE = re.compile(r"^\d{5}(-?\d{4})?$")
SITE_ID = re.compile(r"^\d{1,12}$")


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
    bad: list[str] = []
    for item in items:
        try:
            number = normalize_number(item)
        except InvalidNumber as err:
            bad.append(str(err))
            continue
        if number in seen:
            duplicates.append(number)
        else:
            seen.add(number)
            numbers.append(number)
    if bad:
        shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise RequestError("numbers", shown)
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

    def to_dict(self) -> ImportRequestDict:
        return asdict(self)  # type: ignore[return-value]  # the fields are ImportRequestDict's


def _required(values: Mapping[str, Any], name: str, max_len: int | None = None) -> str:
    value = values.get(name)
    text = "" if value is None else str(value).strip()
    if not text:
        raise RequestError(name, "is required")
    if max_len is not None and len(text) > max_len:
        raise RequestError(name, f"is {len(text)} characters; at most {max_len}")
    return text


def _optional(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    text = "" if value is None else str(value).strip()
    return text or None


def validate_import_request(values: Mapping[str, Any], check_loa: bool = True) -> ImportRequest:
    """
    Validate the Params of an import run and return the normalised request.

    :raises RequestError: naming the first invalid field.
    """
    numbers, duplicates = normalize_numbers(values.get("numbers"))
    state_code = _required(values, "state_code").upper()
    if not STATE_CODE.match(state_code):
        raise RequestError("state_code", f"{state_code!r} is not a two-letter state code")
    zip_code = _required(values, "zip")
    if not ZIP_CODE.match(zip_code):
        raise RequestError("zip", f"{zip_code!r} is not a ZIP code (12345 or 12345-6789)")
    site_id = _required(values, "site_id")
    if not SITE_ID.match(site_id):
        raise RequestError("site_id", f"{site_id!r} is not a numeric site id")
    sip_peer_id = _optional(values, "sip_peer_id")
    if sip_peer_id is not None and not SITE_ID.match(sip_peer_id):
        raise RequestError("sip_peer_id", f"{sip_peer_id!r} is not a numeric SIP peer id")
    prefix, chunk_size = _prefix_and_chunk_size(values, "import")
    policy = (_optional(values, "rejection_policy") or "skip").lower()
    if policy not in REJECTION_POLICIES:
        raise RequestError("rejection_policy", f"must be one of {REJECTION_POLICIES}")
    loa_location = _required(values, "loa_file")
    loa: LoaFileDict = check_loa_file(loa_location).to_dict() if check_loa else {"location": loa_location}
    return ImportRequest(
        numbers=numbers,
        duplicates=duplicates,
        subscriber_name=_required(values, "subscriber_name", 45),
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
    )


@dataclass
class RemoveRequest:
    """A validated remove request (plain data, JSON-friendly)."""

    numbers: list[str]
    duplicates: list[str]
    customer_order_id_prefix: str
    chunk_size: int = DEFAULT_CHUNK_SIZE

    def to_dict(self) -> RemoveRequestDict:
        return asdict(self)  # type: ignore[return-value]  # the fields are RemoveRequestDict's


def _prefix_and_chunk_size(values: Mapping[str, Any], default_prefix: str) -> tuple[str, int]:
    prefix = _optional(values, "customer_order_id_prefix") or default_prefix
    if len(prefix) > PREFIX_MAX:
        raise RequestError("customer_order_id_prefix", f"is {len(prefix)} characters; at most {PREFIX_MAX}")
    if not CUSTOMER_ORDER_ID.match(prefix):
        raise RequestError("customer_order_id_prefix", "may hold only letters, digits, dashes and spaces")
    try:
        chunk_size = int(values.get("chunk_size") or DEFAULT_CHUNK_SIZE)
    except (TypeError, ValueError):
        raise RequestError("chunk_size", "must be a whole number") from None
    if not 1 <= chunk_size <= ORDER_MAX_NUMBERS:
        raise RequestError("chunk_size", f"must be between 1 and {ORDER_MAX_NUMBERS}")
    return prefix, chunk_size


def validate_remove_request(values: Mapping[str, Any]) -> RemoveRequest:
    """Validate the Params of a remove run. :raises RequestError: naming the first invalid field."""
    numbers, duplicates = normalize_numbers(values.get("numbers"))
    prefix, chunk_size = _prefix_and_chunk_size(values, "remove")
    return RemoveRequest(numbers, duplicates, prefix, chunk_size)


def customer_order_id(prefix: str, run_key: str, index: int, numbers: Iterable[str]) -> str:
    """
    A deterministic CustomerOrderId for one chunk of one run: the same chunk of the same run always gets
    the same id, so a retry can find the order it made. Fits Bandwidth's pattern and 40 characters.
    """
    run_hash = hashlib.sha256(run_key.encode()).hexdigest()[:8]
    numbers_hash = hashlib.sha256(",".join(numbers).encode()).hexdigest()[:6]
    return f"{prefix}-{run_hash}-{index:04d}-{numbers_hash}"
