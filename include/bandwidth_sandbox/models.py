"""Plain data records kept by the sandbox state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IMPORT = "import"
REMOVE = "remove"

OPEN_STATUSES = ("RECEIVED", "PROCESSING")
FINAL_STATUSES = ("COMPLETE", "PARTIAL", "FAILED", "EXCEPTION")
ALL_STATUSES = OPEN_STATUSES + FINAL_STATUSES


@dataclass
class LoaFile:
    file_id: str
    content_type: str
    data: bytes
    document_type: str
    created_at: float
    document_name: str | None = None


@dataclass
class HistoryEntry:
    time: float
    note: str
    author: str
    status: str


@dataclass
class Order:
    kind: str
    order_id: str
    account_id: str
    created_at: float
    created_by: str
    numbers: list[str]
    status: str
    last_modified: float
    customer_order_id: str | None = None
    site_id: str | None = None
    sip_peer_id: str | None = None
    subscriber: dict[str, Any] = field(default_factory=dict)
    loa_person: str | None = None
    loa_type: str | None = None
    conflicts: dict[str, int] = field(default_factory=dict)  # tn -> 7205/7206 found at creation
    site_problem: int | None = None  # 5016/5020/5023 in invalid_site_mode "fail"
    t_processing: float = 0.0
    t_final: float = 0.0
    frozen: bool = False
    finalized: bool = False
    errors: list[tuple[int, str, list[str]]] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    loas: dict[str, LoaFile] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and not self.finalized


@dataclass
class Subscription:
    subscription_id: str
    order_type: str
    created_at: float
    expires_at: float
    order_id: str | None = None
    url: str | None = None
    email: str | None = None
    digest_requested: str | None = None
    username: str | None = None
    password: str | None = None
    public_key: str | None = None
    number_format: str | None = None  # as given in the body; None when omitted
    status: str = "READY"
    event_type: str | None = None  # an account-event subscription (``<EventType>MESSAGING_LOST``), no OrderType
    api_version: int = 1  # version of the request that wrote it (POST or PUT): decides the NumberFormat default

    @property
    def effective_number_format(self) -> str:
        """E164 or LEGACY: the body's ``NumberFormat`` if given, else E164 when written through v2, LEGACY
        through v1."""
        if self.number_format:
            return "E164" if self.number_format.strip().upper().replace(".", "") == "E164" else "LEGACY"
        return "E164" if self.api_version == 2 else "LEGACY"


@dataclass
class InServiceNumber:
    tn: str
    since: float
    state: str | None = None
    lata: str | None = None
    rate_center: str | None = None
    order_id: str | None = None
    country: str | None = None  # ISO alpha-3 for v2's countryCodeA3 filter; None means USA
