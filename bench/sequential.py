"""
The plain script a user of Bandwidth's SDK would write for the same batch, for comparison.

One thread, ``requests`` with Basic auth, no Airflow and none of our code: check the numbers
(``importTnChecker``, 5,000 at a time), then for each chunk in turn create its order, poll it with a
fixed sleep until its status is final, upload the LOA; at the end list the in-service numbers (every
page, following ``next``) to see which arrived. Like the SDKs it has no retry and no timeout handling
beyond ``requests``' own: on the sandbox without faults it needs none.

It counts its own calls (the sandbox's request log cannot tell it from the pipeline, except by auth).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.common import ACCOUNT_ID, LOA_FILE, PASSWORD, SITE_ID, SUBSCRIBER, USERNAME, chunked

FINAL = {"COMPLETE", "PARTIAL", "FAILED", "EXCEPTION"}


def _numbers_xml(numbers: list[str]) -> str:
    return (
        "<TelephoneNumbers>"
        + "".join(f"<TelephoneNumber>{n}</TelephoneNumber>" for n in numbers)
        + "</TelephoneNumbers>"
    )


def _order_xml(customer_order_id: str, numbers: list[str]) -> str:
    s = SUBSCRIBER
    return (
        f"<ImportTnOrder><CustomerOrderId>{customer_order_id}</CustomerOrderId><SiteId>{SITE_ID}</SiteId>"
        f"<Subscriber><Name>{s['subscriber_name']}</Name><ServiceAddress><HouseNumber>{s['house_number']}</HouseNumber>"
        f"<StreetName>{s['street_name']}</StreetName><City>{s['city']}</City><StateCode>{s['state_code']}</StateCode>"
        f"<Zip>{s['zip']}</Zip></ServiceAddress></Subscriber><LoaAuthorizingPerson>{s['loa_authorizing_person']}"
        f"</LoaAuthorizingPerson>{_numbers_xml(numbers)}</ImportTnOrder>"
    )


def next_in_service_page(root: ET.Element) -> str | None:
    """The path of the next in-service page: the query of the ``next`` link, applied to our own base."""
    link = root.findtext(".//Links/next")
    return f"inserviceNumbers?{urlsplit(unescape(link).split('<', 1)[1].split('>', 1)[0]).query}" if link else None


def rejected_numbers(checker_answer: bytes) -> set[str]:
    """The numbers an ``importTnChecker`` answer rejects."""
    root = ET.fromstring(checker_answer)
    return {n.text or "" for e in root.iter("ImportTnError") for n in e.iter("TelephoneNumber")}


class SequentialImport:
    """
    Import ``numbers`` the plain way against ``base_url`` (``http://host:port/api``).

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
        self.session = requests.Session()
        self.session.auth = (USERNAME, PASSWORD)
        self.calls: Counter[str] = Counter()

    def _call(self, name: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        self.calls[name] += 1
        headers = {"Content-Type": "application/xml"} if "data" in kwargs and "headers" not in kwargs else {}
        resp = self.session.request(
            method, f"{self.account}/{path}", headers=kwargs.pop("headers", headers), timeout=60, **kwargs
        )
        resp.raise_for_status()
        return resp

    def check(self) -> list[str]:
        rejected: set[str] = set()
        for chunk in chunked(self.numbers, 5000):
            body = f"<ImportTnCheckerPayload>{_numbers_xml(chunk)}</ImportTnCheckerPayload>"
            rejected |= rejected_numbers(self._call("importTnChecker", "POST", "importTnChecker", data=body).content)
        return [n for n in self.numbers if n not in rejected]

    def import_chunk(self, index: int, chunk: list[str]) -> dict[str, Any]:
        resp = self._call(
            "importTnOrders.create", "POST", "importTnOrders", data=_order_xml(f"{self.prefix}-{index}", chunk)
        )
        order_id = ET.fromstring(resp.content).findtext(".//OrderId")
        created = time.time()
        while True:
            time.sleep(self.poll_interval)
            order = ET.fromstring(self._call("importTnOrders.get", "GET", f"importTnOrders/{order_id}").content)
            status = (order.findtext(".//ProcessingStatus") or "").upper()
            if status in FINAL:
                break
        failed = {n.text for e in order.iter("Error") for n in e.iter("TelephoneNumber")}
        if status in ("COMPLETE", "PARTIAL"):
            self._call(
                "loas.upload",
                "POST",
                f"importTnOrders/{order_id}/loas",
                data=Path(LOA_FILE).read_bytes(),
                headers={"Content-Type": "application/pdf"},
            )
        return {
            "order_id": order_id,
            "status": status,
            "seconds": round(time.time() - created, 1),
            "completed": [n for n in chunk if n not in failed],
        }

    def in_service(self) -> set[str]:
        found: set[str] = set()
        path = "inserviceNumbers?page=1&size=500"
        while path:
            resp = self._call("inserviceNumbers.list", "GET", path)
            if resp.status_code == 204 or not resp.content:
                break
            root = ET.fromstring(resp.content)
            found |= {n.text for n in root.iter("TelephoneNumber")}
            path = next_in_service_page(root)
        return found

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        importable = self.check()
        orders = [self.import_chunk(i, chunk) for i, chunk in enumerate(chunked(importable, self.chunk_size))]
        found = self.in_service()
        expected = {n for o in orders for n in o["completed"]}
        wall = time.monotonic() - started
        return {
            "wall_seconds": round(wall, 1),
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
