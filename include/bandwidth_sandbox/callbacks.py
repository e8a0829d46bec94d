"""Callback delivery: Notification POSTs to subscriptions (order status changes and account events such as
``MESSAGING_LOST``), Basic-auth challenge, never retried."""

from __future__ import annotations

import base64
import http.client
import queue
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from . import xmlio
from .clock import iso
from .models import IMPORT, Subscription
from .state import ACCOUNT_EVENT, Event, State
from .v2 import format_numbers

ORDER_TYPE_NAMES = {IMPORT: "importtnorders", "remove": "removeImportedTnOrders"}


def delivered_numbers(sub: Subscription, event: Event) -> list[str]:
    """The event's numbers in the subscription's NumberFormat (LEGACY: ten digits; E164: ``+1…``)."""
    return format_numbers(event.get("numbers") or (), sub.effective_number_format)


def notification_xml(sub: Subscription, event: Event) -> bytes:
    """Order notifications carry no numbers (fetch the order); account events name them, in the
    subscription's NumberFormat."""
    if event["kind"] == ACCOUNT_EVENT:
        return xmlio.render(
            (
                "Notification",
                [
                    ("SubscriptionId", sub.subscription_id),
                    ("EventType", event["event_type"]),
                    ("ImpactedTelephoneNumbers", [("TelephoneNumber", tn) for tn in delivered_numbers(sub, event)]),
                ],
            ),
            prologue='<?xml version="1.0"?>',
        )
    node = (
        "Notification",
        [
            ("SubscriptionId", sub.subscription_id),
            ("OrderType", ORDER_TYPE_NAMES[event["kind"]]),
            ("OrderId", event["order_id"]),
            ("CustomerOrderId", event["customer_order_id"]) if event.get("customer_order_id") else None,
            ("Status", event["status"]),
            ("Message", event["message"]),
            ("LastModifiedDate", iso(event["time"])),
        ],
    )
    return xmlio.render(node, prologue='<?xml version="1.0"?>')


class CallbackDispatcher:
    def __init__(self, state: State) -> None:
        self.state = state
        self._queue: queue.Queue[tuple[Subscription, Event] | None] = queue.Queue()
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Deliveries lost on purpose (``drop_callbacks``).
        self.dropped = 0

    # ---- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="bw-sandbox-callbacks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=1)
            self._thread = None

    def wait_idle(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def drop_pending(self) -> None:
        """Forget deliveries not yet attempted (used by reset)."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:  # a stop request: keep it
                self._queue.task_done()
                self._queue.put(None)
                return
            self._queue.task_done()

    # ---- log --------------------------------------------------------------------------------

    def log(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return [dict(e) for e in self._log]

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # ---- events -> deliveries ---------------------------------------------------------------

    def on_events(self, events: list[Event]) -> None:
        if self.state.cfg.drop_callbacks:  # lost on the way: Bandwidth never re-sends a callback
            self.dropped += len(events)
            return
        wanted = self.state.cfg.notify_statuses
        for event in events:
            if event["kind"] == ACCOUNT_EVENT:  # account events go to subscriptions of their EventType only
                for sub in self.state.event_subscriptions(event["event_type"]):
                    self._queue.put((sub, event))
                continue
            if wanted is not None and event["status"].upper() not in {str(s).upper() for s in wanted}:
                continue
            for sub in self.state.matching_subscriptions(event["kind"], event["order_id"]):
                self._queue.put((sub, event))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._deliver(*item)
            except Exception:
                pass
            finally:
                self._queue.task_done()

    def _deliver(self, sub: Subscription, event: Event) -> None:
        body = notification_xml(sub, event)
        status, headers, error = self._post(sub.url or "", body, None)
        self._record(sub, event, 1, False, status, error, body)
        last = (status, headers, error)
        if status == 401 and sub.username and sub.password:
            challenge = headers.get("www-authenticate", "")
            if challenge.lower().startswith("basic"):
                token = base64.b64encode(f"{sub.username}:{sub.password}".encode()).decode()
                last = self._post(sub.url or "", body, f"Basic {token}")
                self._record(sub, event, 2, True, last[0], last[2], body)
        if last[2] is not None:
            text = f"ERROR: {last[2]}"
        else:
            text = f"{last[0]} {http.client.responses.get(last[0], '')}".strip()
        self.state.set_subscription_status(sub.subscription_id, text)

    def _post(self, url: str, body: bytes, auth: str | None) -> tuple[int | None, dict[str, str], str | None]:
        parts = urlsplit(url)
        timeout = float(self.state.cfg.callback_timeout_seconds)
        try:
            if parts.scheme == "https":
                ctx = ssl.create_default_context()
                if not self.state.cfg.callback_verify_tls:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                    parts.hostname or "", parts.port, timeout=timeout, context=ctx
                )
            else:
                conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers = {"Content-Type": "application/xml; charset=utf-8", "User-Agent": "bandwidth-sandbox/1.0"}
            if auth:
                headers["Authorization"] = auth
            try:
                conn.request("POST", target, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, None
            finally:
                conn.close()
        except Exception as exc:
            return None, {}, f"{type(exc).__name__}: {exc}"

    def _record(
        self,
        sub: Subscription,
        event: Event,
        attempt: int,
        with_auth: bool,
        status: int | None,
        error: str | None,
        body: bytes,
    ) -> None:
        entry = {
            "subscription_id": sub.subscription_id,
            "order_id": event.get("order_id"),
            "order_type": ORDER_TYPE_NAMES.get(event["kind"]),
            "status": event.get("status"),
            "event_type": event.get("event_type"),
            "numbers": delivered_numbers(sub, event),  # as delivered (the subscription's NumberFormat)
            "number_format": sub.effective_number_format,
            "url": sub.url,
            "attempt": attempt,
            "with_auth": with_auth,
            "http_status": status,
            "error": error,
            "time": iso(time.time()),
            "body": body.decode("utf-8"),
        }
        with self._log_lock:
            self._log.append(entry)
