"""Field checks shared by the checker and the order endpoints (all return error lists, never raise)."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from . import codes, v2, xmlio
from .config import SandboxConfig

NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")
TEN_DIGITS = re.compile(r"^\d{10}$")

ErrorList = list[tuple[int, str]]


def telephone_numbers(root: ET.Element) -> list[str]:
    """Numbers under ``TelephoneNumbers`` (or loose ``TelephoneNumber`` children of the root)."""
    holder = xmlio.child(root, "TelephoneNumbers")
    items = xmlio.children(holder, "TelephoneNumber") if holder is not None else []
    items += xmlio.children(root, "TelephoneNumber")
    return [(el.text or "").strip() for el in items]


def check_numbers(
    tns: list[str], cfg: SandboxConfig, max_numbers: int, show: Callable[[str], str] | None = None
) -> ErrorList:
    """``show`` (v2): write the numbers of error descriptions so (E.164), in v2's wording."""
    errors: ErrorList = []
    if not tns:
        return [(1003, "At least one TelephoneNumber is required")]
    if len(tns) > max_numbers:
        errors.append(
            (cfg.too_many_numbers_code, f"Too many telephone numbers: {len(tns)}; the maximum is {max_numbers}")
        )
    pattern = NANP if cfg.strict_nanp else TEN_DIGITS
    bad = [tn for tn in tns if not pattern.match(tn)]
    international = [tn for tn in bad if tn.startswith("+") and not tn.startswith("+1") or tn.startswith("011")]
    if international and len(international) < len(tns) and len(bad) == len(international):
        errors.append((5165, codes.describe(5165)))
    elif bad and show is not None:
        shown = ", ".join(show(tn) for tn in bad[:20]) + (" ..." if len(bad) > 20 else "")
        verb = "is not a valid NANP telephone number" if len(bad) == 1 else "are not valid NANP telephone numbers"
        errors.append((7201, f"{shown} {verb}"))
    elif bad:
        shown = ", ".join(bad[:20]) + (" ..." if len(bad) > 20 else "")
        errors.append((7201, f"Invalid telephone number(s): {shown}"))
    seen: set[str] = set()
    dups = []
    for tn in tns:
        if tn in seen and tn not in dups:
            dups.append(tn)
        seen.add(tn)
    if dups:
        shown = ", ".join((show or str)(tn) for tn in dups[:20]) + (" ..." if len(dups) > 20 else "")
        errors.append((cfg.duplicate_numbers_code, f"Duplicate telephone number(s): {shown}"))
    return errors


def request_numbers(req: Any, root: ET.Element, cfg: SandboxConfig, max_numbers: int) -> tuple[list[str], ErrorList]:
    """The numbers of a checker or order body, in the state's form, and their errors.

    v1: as sent, checked as ever. v2: E.164 converted to ten digits; NANP numbers sent without ``+1``
    are refused with 1022 when ``v2_refuse_ten_digit`` (else taken as the same number); error texts
    show E.164.
    """
    raw = telephone_numbers(root)
    if v2.version_of(req) != v2.V2:
        return raw, check_numbers(raw, cfg, max_numbers)
    internal, legacy = v2.split_numbers(raw)
    errors: ErrorList = []
    if legacy and cfg.v2_refuse_ten_digit:
        errors.append(v2.not_e164_error(legacy))
    errors += check_numbers(internal, cfg, max_numbers, show=v2.to_e164)
    return internal, errors


def check_customer_order_id(value: str | None, cfg: SandboxConfig) -> ErrorList:
    if value is None or value == "":
        return []
    errors: ErrorList = []
    if len(value) > cfg.customer_order_id_max:
        errors.append((1011, f"CustomerOrderId is longer than {cfg.customer_order_id_max} characters"))
    if not re.match(cfg.customer_order_id_pattern, value):
        errors.append((1010, "CustomerOrderId may only contain letters, digits, dashes and spaces"))
    return errors


def required(value: str | None, name: str) -> ErrorList:
    if value is None or value == "":
        return [(1003, f"{name} is required")]
    return []


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return len(value) == 36
