"""In-memory, thread-safe state: orders, subscriptions, in-service numbers, tokens and seeds."""

from __future__ import annotations

import heapq
import itertools
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from . import orders as rules
from .clock import Clock, parse_date
from .config import SandboxConfig, coerce
from .models import (
    FINAL_STATUSES,
    IMPORT,
    REMOVE,
    HistoryEntry,
    InServiceNumber,
    LoaFile,
    Order,
    Subscription,
)
from .v2 import from_e164

Event = dict[str, Any]
#: ``kind`` of an account event (``MESSAGING_LOST``) in the events published to listeners.
ACCOUNT_EVENT = "account_event"
Listener = Callable[[list[Event]], None]


class State:
    def __init__(self, cfg: SandboxConfig, clock: Clock | None = None) -> None:
        self._lock = threading.RLock()
        self.clock = clock or Clock()
        self.base_cfg = cfg.copy()
        self.listeners: list[Listener] = []
        self.reset()

    # ---- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[State]:
        with self._lock:
            yield self

    def now(self) -> float:
        return self.clock.now()

    def _publish(self, events: list[Event]) -> None:
        if not events:
            return
        for listener in list(self.listeners):
            listener(events)

    def reset(self) -> None:
        with self._lock:
            self.cfg: SandboxConfig = self.base_cfg.copy()
            self.orders: dict[str, Order] = {}
            self.subscriptions: dict[str, Subscription] = {}
            self.in_service: VersionedDict[str, InServiceNumber] = VersionedDict()
            self._sorted_in_service: tuple[int, list[InServiceNumber]] = (-1, [])  # (in_service.version, sorted)
            self.open_numbers: dict[str, dict[str, str]] = {IMPORT: {}, REMOVE: {}}
            self.checker_rejects: dict[str, int] = {}
            self.order_failures: dict[str, Any] = {}
            self.tokens: dict[str, tuple[str, float]] = {}
            self._heap: list[tuple[float, int, str]] = []
            self._seq = itertools.count()
            self._apply_seed(
                {
                    "checker_rejects": self.cfg.checker_rejects,
                    "order_failures": self.cfg.order_failures,
                    "in_service": self.cfg.in_service,
                }
            )

    # ---- seeds ------------------------------------------------------------------------------

    def seed(self, data: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._apply_seed(data)
            return {
                "checker_rejects": len(self.checker_rejects),
                "order_failures": len(self.order_failures),
                "in_service": len(self.in_service),
            }

    def _apply_seed(self, data: dict[str, Any]) -> None:
        unknown = set(data) - {"checker_rejects", "order_failures", "in_service", "config", "remove_in_service"}
        if unknown:
            raise ValueError(f"unknown seed key(s): {sorted(unknown)}")
        config = data.get("config") or {}
        if config:
            changes = {k: coerce(k, v, getattr(self.cfg, k, None)) for k, v in config.items()}
            self.cfg = self.cfg.replace(**changes)
        # numbers are kept in one form (ten digits): an E.164 +1 seed means the same number
        for tn, code in (data.get("checker_rejects") or {}).items():
            self.checker_rejects[from_e164(str(tn))] = int(code)
        for tn, code in (data.get("order_failures") or {}).items():
            self.order_failures[from_e164(str(tn))] = "EXCEPTION" if str(code).upper() == "EXCEPTION" else int(code)
        now = self.now()
        for item in data.get("in_service") or []:
            rec = _in_service_record(item, now)
            self.in_service[rec.tn] = rec
        for tn in data.get("remove_in_service") or []:
            self.in_service.pop(from_e164(str(tn)), None)

    # ---- tokens -----------------------------------------------------------------------------

    def issue_token(self, client_id: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            expires_in = int(self.cfg.token_expires_in)
            self.tokens[token] = (client_id, self.now() + expires_in)
        return token, expires_in

    def check_token(self, token: str) -> str | None:
        with self._lock:
            entry = self.tokens.get(token)
            if entry is None:
                return None
            client_id, expires_at = entry
            if self.now() >= expires_at:
                del self.tokens[token]
                return None
            return client_id

    # ---- order progression ------------------------------------------------------------------

    def tick(self) -> None:
        events: list[Event] = []
        with self._lock:
            now = self.now()
            while self._heap and self._heap[0][0] <= now:
                _, _, oid = heapq.heappop(self._heap)
                order = self.orders.get(oid)
                if order is not None:
                    self._advance(order, now, events)
        self._publish(events)

    def _push(self, order: Order) -> None:
        due = order.t_processing if order.status == "RECEIVED" else order.t_final
        heapq.heappush(self._heap, (due, next(self._seq), order.order_id))

    def _advance(self, order: Order, now: float, events: list[Event]) -> None:
        if order.frozen or order.finalized:
            return
        if order.status == "RECEIVED" and now >= order.t_processing:
            self._set_status(order, "PROCESSING", order.t_processing, events)
        if now >= order.t_final:
            self._finalize(order, order.t_final, events)
        else:
            self._push(order)

    def _set_status(
        self, order: Order, status: str, at: float, events: list[Event] | None, author: str = "System"
    ) -> None:
        order.status = status
        order.last_modified = at
        order.history.append(HistoryEntry(at, rules.note(order.kind, status), author, status))
        if events is not None:
            events.append(
                {
                    "kind": order.kind,
                    "order_id": order.order_id,
                    "customer_order_id": order.customer_order_id,
                    "status": status,
                    "message": rules.note(order.kind, status),
                    "time": at,
                }
            )

    def _finalize(self, order: Order, at: float, events: list[Event], forced: str | None = None) -> None:
        in_service = self.in_service.__contains__
        if order.kind == IMPORT:
            status, failures, ok = rules.import_outcome(order, self.cfg, self.order_failures, in_service)
        else:
            status, failures, ok = rules.remove_outcome(order, in_service)
        order.errors = rules.errors_list(failures)
        order.succeeded = ok
        order.finalized = True
        self._release_numbers(order)
        if order.kind == IMPORT and status in ("COMPLETE", "PARTIAL"):
            since = at + float(self.cfg.inservice_delay_seconds)
            state = (order.subscriber.get("ServiceAddress") or {}).get("StateCode")
            for tn in ok:
                self.in_service[tn] = InServiceNumber(tn, since, state=state, order_id=order.order_id)
        elif order.kind == REMOVE and status in ("COMPLETE", "PARTIAL"):
            for tn in ok:
                self.in_service.pop(tn, None)
        self._set_status(order, forced or status, at, events)

    def _release_numbers(self, order: Order) -> None:
        index = self.open_numbers[order.kind]
        for tn in order.numbers:
            if index.get(tn) == order.order_id:
                del index[tn]

    def force_status(self, order_id: str, status: str) -> Order:
        status = status.upper()
        events: list[Event] = []
        with self._lock:
            order = self.orders.get(order_id)
            if order is None:
                raise KeyError(order_id)
            now = self.now()
            order.frozen = True
            if status in FINAL_STATUSES and not order.finalized:
                self._finalize(order, now, events, forced=status)
            else:
                self._set_status(order, status, now, events)
        self._publish(events)
        return order

    # ---- orders -----------------------------------------------------------------------------

    def create_order(self, kind: str, created_by: str, numbers: list[str], **fields: Any) -> Order:
        with self._lock:
            now = self.now()
            order_id = str(uuid.uuid4())
            initial = "PROCESSING" if str(self.cfg.initial_status).upper() == "PROCESSING" else "RECEIVED"
            order = Order(
                kind=kind,
                order_id=order_id,
                account_id=self.cfg.account_id,
                created_at=now,
                created_by=created_by,
                numbers=list(numbers),
                status=initial,
                last_modified=now,
                **fields,
            )
            index = self.open_numbers[kind]
            for tn in order.numbers:
                if tn in index:
                    order.conflicts[tn] = 7205
                elif kind == IMPORT and tn in self.in_service:
                    order.conflicts[tn] = 7206
                else:
                    index[tn] = order_id
            rules.schedule(order, self.cfg)
            self._set_status(order, initial, now, None, author=created_by)
            self.orders[order_id] = order
            self._push(order)
        self.tick()
        return order

    def get_order(self, kind: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id)
        if order is None or order.kind != kind:
            return None
        return order

    def list_orders(self, kind: str) -> list[Order]:
        return [o for o in self.orders.values() if o.kind == kind]

    # ---- LOA files --------------------------------------------------------------------------

    def add_loa(self, order: Order, content_type: str, data: bytes, document_type: str, ext: str) -> LoaFile:
        with self._lock:
            now = self.now()
            millis = int(now * 1000)
            while True:
                file_id = f"{order.order_id}-{millis}.{ext}"
                if file_id not in order.loas:
                    break
                millis += 1
            loa = LoaFile(file_id, content_type, data, document_type, now)
            order.loas[file_id] = loa
            return loa

    # ---- subscriptions ----------------------------------------------------------------------

    def prune_subscriptions(self) -> None:
        now = self.now()
        with self._lock:
            for sid in [s.subscription_id for s in self.subscriptions.values() if s.expires_at <= now]:
                del self.subscriptions[sid]

    def find_duplicate_subscription(self, sub: Subscription, ignore: str | None = None) -> Subscription | None:
        for other in self.subscriptions.values():
            if other.subscription_id == ignore:
                continue
            if (
                other.order_type.lower() == sub.order_type.lower()
                and (other.event_type or "") == (sub.event_type or "")
                and (other.order_id or "") == (sub.order_id or "")
                and (other.url or "") == (sub.url or "")
                and (other.email or "") == (sub.email or "")
            ):
                return other
        return None

    def matching_subscriptions(self, kind: str, order_id: str) -> list[Subscription]:
        wanted = "importtnorders" if kind == IMPORT else "removeimportedtnorders"
        self.prune_subscriptions()
        with self._lock:
            return [
                Subscription(**vars(s))
                for s in self.subscriptions.values()
                if s.order_type.lower() == wanted and s.url and (not s.order_id or s.order_id == order_id)
            ]

    def event_subscriptions(self, event_type: str) -> list[Subscription]:
        """Callback subscriptions to an account event (``<EventType>``), not expired."""
        self.prune_subscriptions()
        with self._lock:
            return [
                Subscription(**vars(s))
                for s in self.subscriptions.values()
                if (s.event_type or "").upper() == event_type.upper() and s.url
            ]

    def set_subscription_status(self, subscription_id: str, status: str) -> None:
        with self._lock:
            sub = self.subscriptions.get(subscription_id)
            if sub is not None:
                sub.status = status

    # ---- in-service numbers -----------------------------------------------------------------

    def visible_in_service(self) -> list[InServiceNumber]:
        """The numbers in service now, by number. The sorted list is kept until the numbers change: a listing of
        many pages reads it once a page, and a real account answers each page in about the same time."""
        now = self.now()
        with self._lock:
            version = self.in_service.version
            if self._sorted_in_service[0] != version:
                self._sorted_in_service = (version, sorted(self.in_service.values(), key=lambda r: r.tn))
            records = self._sorted_in_service[1]
        return [r for r in records if r.since <= now]

    def lose(self, numbers: list[str]) -> dict[str, list[str]]:
        """
        Another account took these hosted numbers: they leave the in-service list and one ``MESSAGING_LOST``
        account event names them all. Numbers not in service are left out (nothing to lose).
        """
        events: list[Event] = []
        with self._lock:
            wanted = list(dict.fromkeys(from_e164(str(n)) for n in numbers))
            lost = [tn for tn in wanted if self.in_service.pop(tn, None) is not None]
            if lost:
                events.append(
                    {"kind": ACCOUNT_EVENT, "event_type": "MESSAGING_LOST", "numbers": lost, "time": self.now()}
                )
        self._publish(events)
        return {"lost": lost, "not_in_service": [tn for tn in wanted if tn not in lost]}

    def is_visible_in_service(self, tn: str) -> bool:
        with self._lock:
            rec = self.in_service.get(tn)
            return rec is not None and rec.since <= self.now()


K = TypeVar("K")
V = TypeVar("V")


class VersionedDict(dict[K, V]):
    """A dict that counts its changes (``version``), for what is derived from it and kept until it changes."""

    version = 0

    def __setitem__(self, key: K, value: V) -> None:
        self.version += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: K) -> None:
        self.version += 1
        super().__delitem__(key)

    def pop(self, key: K, *default: Any) -> Any:  # type: ignore[override]
        self.version += 1
        return super().pop(key, *default)

    def clear(self) -> None:
        self.version += 1
        super().clear()


def _in_service_record(item: Any, now: float) -> InServiceNumber:
    if isinstance(item, dict):
        tn = from_e164(str(item.get("tn") or item.get("telephone_number") or item.get("TelephoneNumber")))
        since = item.get("since")
        since_ts = parse_date(since) if isinstance(since, str) else float(since) if since is not None else now
        return InServiceNumber(
            tn,
            since_ts,
            state=item.get("state"),
            lata=item.get("lata"),
            rate_center=item.get("rate_center") or item.get("ratecenter"),
            country=item.get("country"),
        )
    return InServiceNumber(from_e164(str(item)), now)
