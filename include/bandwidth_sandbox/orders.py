"""Order life cycle rules: schedule, per-number outcomes, final status, history texts."""

from __future__ import annotations

from collections.abc import Callable

from . import codes
from .config import SandboxConfig
from .models import IMPORT, Order

EXCEPTION = "EXCEPTION"

NOTES = {
    (IMPORT, "RECEIVED"): "Import TN order has been received by the system.",
    (IMPORT, "PROCESSING"): "Import TN order is being processed.",
    (IMPORT, "COMPLETE"): "Import TN order has been completed.",
    (IMPORT, "PARTIAL"): "Import TN order has been partially completed.",
    (IMPORT, "FAILED"): "Import TN order has failed.",
    (IMPORT, "EXCEPTION"): "Import TN order needs manual action by Bandwidth.",
}


def note(kind: str, status: str) -> str:
    if kind == IMPORT:
        return NOTES.get((kind, status), f"Import TN order status is {status}.")
    return {
        "RECEIVED": "Remove imported TN order has been received by the system.",
        "PROCESSING": "Remove imported TN order is being processed.",
        "COMPLETE": "Remove imported TN order has been completed.",
        "PARTIAL": "Remove imported TN order has been partially completed.",
        "FAILED": "Remove imported TN order has failed.",
    }.get(status, f"Remove imported TN order status is {status}.")


def schedule(order: Order, cfg: SandboxConfig) -> None:
    total = max(0.0, float(cfg.order_seconds)) + float(cfg.seconds_per_1000_numbers) * len(order.numbers) / 1000.0
    order.t_processing = order.created_at + total * float(cfg.processing_fraction)
    order.t_final = order.created_at + total


def final_status(total: int, failed: int) -> str:
    if failed <= 0:
        return "COMPLETE"
    if failed >= total:
        return "FAILED"
    return "PARTIAL"


def suffix_rule(tn: str, rules: dict) -> object | None:
    for suffix in sorted(rules, key=len, reverse=True):
        if tn.endswith(str(suffix)):
            return rules[suffix]
    return None


def import_outcome(
    order: Order,
    cfg: SandboxConfig,
    order_failures: dict,
    in_service: Callable[[str], bool],
) -> tuple[str, dict[int, list[str]], list[str]]:
    """-> (status, {code: [tn...]}, succeeded tns) of a finishing import order."""
    failures: dict[int, list[str]] = {}
    succeeded: list[str] = []
    exception = False
    for tn in order.numbers:
        code: object | None = order.conflicts.get(tn)
        if code is None and order.site_problem:
            code = order.site_problem
        if code is None:
            code = order_failures.get(tn)
        if code is None:
            code = suffix_rule(tn, cfg.order_fail_suffixes)
        if code is None and in_service(tn):
            code = 7206
        if code is None:
            succeeded.append(tn)
        elif str(code).upper() == EXCEPTION:
            exception = True
        else:
            failures.setdefault(int(code), []).append(tn)
    if exception:
        return EXCEPTION, failures, []
    failed = sum(len(v) for v in failures.values())
    return final_status(len(order.numbers), failed), failures, succeeded


def remove_outcome(order: Order, in_service: Callable[[str], bool]) -> tuple[str, dict[int, list[str]], list[str]]:
    failures: dict[int, list[str]] = {}
    succeeded: list[str] = []
    for tn in order.numbers:
        code = order.conflicts.get(tn)
        if code is None and not in_service(tn):
            code = 5158
        if code is None:
            succeeded.append(tn)
        else:
            failures.setdefault(int(code), []).append(tn)
    failed = sum(len(v) for v in failures.values())
    return final_status(len(order.numbers), failed), failures, succeeded


def errors_list(failures: dict[int, list[str]]) -> list[tuple[int, str, list[str]]]:
    return [(code, codes.describe(code), tns) for code, tns in sorted(failures.items())]
