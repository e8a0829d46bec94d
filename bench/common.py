"""What every measurement shares: paths, the batch's numbers, the sandbox's settings, small helpers."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LOA_FILE = ROOT / "include" / "loa" / "sample-loa.pdf"

#: The sandbox's account, users and site (its defaults).
ACCOUNT_ID = "9900000"
USERNAME, PASSWORD = "sandbox-user", "sandbox-password"
SITE_ID = "14413"

#: Checker rejections seeded by number suffix: 3 % of a batch of consecutive numbers (19006 "already on
#: Bandwidth" is the common one; the other two are codes the contract lists).
CHECKER_REJECT_SUFFIXES = {"99": 19006, "89": 19005, "79": 19011}
#: Numbers that fail inside their order (7518 "not active"): 1 % of the numbers of every third order, so
#: those orders end PARTIAL and the others COMPLETE.
ORDER_FAILURE_CODE = 7518
PARTIAL_EVERY = 3
PARTIAL_SHARE = 0.01

SUBSCRIBER = {
    "subscriber_name": "Bench Dental",
    "house_number": "900",
    "street_name": "Main St",
    "city": "Denver",
    "state_code": "CO",
    "zip": "80202",
    "county": None,
    "loa_authorizing_person": "Jane Doe",
}


def numbers(npa: int, count: int, first_exchange: int = 200) -> list[str]:
    """``count`` distinct NANP numbers ``NPA NXX XXXX`` (10,000 per exchange, exchanges from ``first_exchange``)."""
    return [f"{npa}{first_exchange + i // 10000}{i % 10000:04d}" for i in range(count)]


def rejected_by_checker(number: str) -> bool:
    return any(number.endswith(s) for s in CHECKER_REJECT_SUFFIXES)


def chunked(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def order_failures(batch: list[str], chunk_size: int) -> dict[str, int]:
    """The numbers to seed as failing in their order: 1 % (at least one) of every third chunk."""
    importable = [n for n in batch if not rejected_by_checker(n)]
    failures: dict[str, int] = {}
    for index, chunk in enumerate(chunked(importable, chunk_size)):
        if index % PARTIAL_EVERY == 0:
            step = max(1, round(1 / PARTIAL_SHARE))
            for n in chunk[::step] or chunk[:1]:
                failures[n] = ORDER_FAILURE_CODE
    return failures


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> float:
    return round(seconds * 1000.0, 1)


def parse_time(text: str | None) -> float | None:
    """Epoch seconds of an ISO timestamp (``Z`` or an offset), or ``None``."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def log(message: str) -> None:
    """Progress on stderr (stdout carries the JSON document and the table)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any Airflow setting, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "_AIRFLOW", "BW_SANDBOX_", "BANDWIDTH_"))
        # An installed provider has its bytecode compiled (pip compiles it): so do the bench's processes.
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(extra)
    return env


def in_fork(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """
    Run ``work`` in a forked child (as the LocalExecutor and the DAG processor fork theirs) and return what it
    returned, through a pipe as JSON. An exception in the child comes back as ``{"error": "Type: message"}``.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            payload = work()
        except BaseException as err:  # reported to the parent
            payload = {"error": f"{type(err).__name__}: {err}"}
        os.write(write, json.dumps(payload).encode())
        os.close(write)
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))
