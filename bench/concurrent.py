"""
The concurrent script a capable user of Bandwidth's API would write for the same batch: the second peer.

``asyncio`` and ``aiohttp`` (what a Python user reaches for to wait on many orders at once; Airflow brings it),
Basic auth, no Airflow and none of our code: check the numbers (``importTnChecker``, 5,000 a call, all the calls
at once), then create every order at once, poll each one concurrently with a fixed sleep until its status is
final, upload the LOA to each order as soon as it completes, and at the end list the in-service numbers (every
page, following ``next``) to see which arrived. Like :mod:`bench.sequential` it has no retry (the sandbox runs
without faults) and counts its own calls.
"""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import aiohttp

from bench.common import ACCOUNT_ID, LOA_FILE, PASSWORD, USERNAME, chunked
from bench.sequential import FINAL, _numbers_xml, _order_xml, next_in_service_page, rejected_numbers


class ConcurrentImport:
    """
    Import ``numbers`` concurrently against ``base_url`` (``http://host:port/api``).

    :param chunk_size: numbers per order (the pipeline's ``chunk_size``).
    :param poll_interval: the fixed sleep between status reads of an order.
    """

    def __init__(
        self, base_url: str, numbers: list[str], *, chunk_size: int, poll_interval: float, prefix: str
    ) -> None:
        self.account = f"{base_url.rstrip('/')}/accounts/{ACCOUNT_ID}"
        self.numbers = numbers
        self.chunk_size = chunk_size
        self.poll_interval = poll_interval
        self.prefix = prefix
        self.calls: Counter[str] = Counter()
        self.loa = LOA_FILE.read_bytes()

    async def _call(
        self, session: aiohttp.ClientSession, name: str, method: str, path: str, **kwargs: Any
    ) -> tuple[int, bytes]:
        self.calls[name] += 1
        async with session.request(method, f"{self.account}/{path}", **kwargs) as resp:
            body = await resp.read()
            resp.raise_for_status()
            return resp.status, body

    async def check(self, session: aiohttp.ClientSession) -> list[str]:
        async def one(chunk: list[str]) -> set[str]:
            body = f"<ImportTnCheckerPayload>{_numbers_xml(chunk)}</ImportTnCheckerPayload>"
            headers = {"Content-Type": "application/xml"}
            _, answer = await self._call(
                session, "importTnChecker", "POST", "importTnChecker", data=body, headers=headers
            )
            return rejected_numbers(answer)

        rejected = set().union(*await asyncio.gather(*(one(c) for c in chunked(self.numbers, 5000))))
        return [n for n in self.numbers if n not in rejected]

    async def import_chunk(self, session: aiohttp.ClientSession, index: int, chunk: list[str]) -> dict[str, Any]:
        _, answer = await self._call(
            session,
            "importTnOrders.create",
            "POST",
            "importTnOrders",
            data=_order_xml(f"{self.prefix}-{index}", chunk),
            headers={"Content-Type": "application/xml"},
        )
        order_id = ET.fromstring(answer).findtext(".//OrderId")
        created = time.time()
        while True:
            await asyncio.sleep(self.poll_interval)
            _, answer = await self._call(session, "importTnOrders.get", "GET", f"importTnOrders/{order_id}")
            order = ET.fromstring(answer)
            status = (order.findtext(".//ProcessingStatus") or "").upper()
            if status in FINAL:
                break
        failed = {n.text for e in order.iter("Error") for n in e.iter("TelephoneNumber")}
        if status in ("COMPLETE", "PARTIAL"):
            await self._call(
                session,
                "loas.upload",
                "POST",
                f"importTnOrders/{order_id}/loas",
                data=self.loa,
                headers={"Content-Type": "application/pdf"},
            )
        return {
            "order_id": order_id,
            "status": status,
            "seconds": round(time.time() - created, 1),
            "completed": [n for n in chunk if n not in failed],
        }

    async def in_service(self, session: aiohttp.ClientSession) -> set[str]:
        found: set[str] = set()
        path: str | None = "inserviceNumbers?page=1&size=500"
        while path:
            status, answer = await self._call(session, "inserviceNumbers.list", "GET", path)
            if status == 204 or not answer:
                break
            root = ET.fromstring(answer)
            found |= {n.text or "" for n in root.iter("TelephoneNumber")}
            path = next_in_service_page(root)
        return found

    async def _run(self) -> dict[str, Any]:
        started = time.monotonic()
        auth = aiohttp.BasicAuth(USERNAME, PASSWORD)
        async with aiohttp.ClientSession(auth=auth, timeout=aiohttp.ClientTimeout(total=120)) as session:
            importable = await self.check(session)
            chunks = chunked(importable, self.chunk_size)
            orders = await asyncio.gather(*(self.import_chunk(session, i, c) for i, c in enumerate(chunks)))
            found = await self.in_service(session)
        expected = {n for o in orders for n in o["completed"]}
        return {
            "wall_seconds": round(time.monotonic() - started, 1),
            "numbers": len(self.numbers),
            "importable": len(importable),
            "orders": len(orders),
            "order_statuses": dict(Counter(o["status"] for o in orders)),
            "in_service": len(expected & found),
            "expected_in_service": len(expected),
            "calls": dict(sorted(self.calls.items())),
            "calls_total": sum(self.calls.values()),
            "polls": self.calls["importTnOrders.get"],
            "poll_interval": self.poll_interval,
        }

    def run(self) -> dict[str, Any]:
        """The whole import in an event loop of its own (the caller's thread)."""
        return asyncio.run(self._run())
