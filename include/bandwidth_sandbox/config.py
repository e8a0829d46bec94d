"""Sandbox configuration: one dataclass, overridable field by field and from ``BW_SANDBOX_*``."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENV_PREFIX = "BW_SANDBOX_"


def _default_sites() -> list[dict[str, Any]]:
    return [
        {
            "id": "14413",
            "name": "Hosted messaging",
            "description": "Sandbox site for hosted messaging imports",
            "sip_peers": [
                {"id": "521952", "name": "Hosted messaging peer", "default": True},
                {"id": "521953", "name": "Secondary peer", "default": False},
            ],
        },
        {
            "id": "14414",
            "name": "No default peer",
            "description": "Sandbox site without a default SIP peer",
            "sip_peers": [{"id": "521960", "name": "Lonely peer", "default": False}],
        },
    ]


@dataclass
class SandboxConfig:
    # Accounts and credentials
    account_id: str = "9900000"
    other_account_id: str = "9900001"
    username: str = "sandbox-user"
    password: str = "sandbox-password"
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    token_expires_in: int = 3600
    import_enabled: bool = True  # False -> import endpoints answer 403 / 5149

    # Order timing
    order_seconds: float = 3.0
    processing_fraction: float = 1.0 / 3.0
    seconds_per_1000_numbers: float = 0.0
    initial_status: str = "RECEIVED"  # or "PROCESSING"
    inservice_delay_seconds: float = 0.0

    # Order creation
    create_response_form: str = "wrapped"  # "wrapped" | "flat"
    invalid_site_mode: str = "reject"  # "reject" | "fail"
    order_max_numbers: int = 5000
    order_list_max: int = 1000
    order_search_window_days: int = 730
    customer_order_id_max: int = 40
    customer_order_id_pattern: str = r"^[A-Za-z0-9 \-]*$"
    subscriber_name_max: int = 45
    live_element_order: bool = True  # GET order puts <SipPeerId> after <Errors/>, as live

    # Number rules
    strict_nanp: bool = True
    checker_max_numbers: int = 5000
    too_many_numbers_code: int = 7314
    duplicate_numbers_code: int = 7203
    checker_reject_suffixes: dict = field(default_factory=lambda: {"99": 19006})
    order_fail_suffixes: dict = field(default_factory=lambda: {"98": 7518})
    checker_rejects: dict = field(default_factory=dict)  # tn -> 19001..19012
    order_failures: dict = field(default_factory=dict)  # tn -> code | "EXCEPTION"
    in_service: list = field(default_factory=list)  # tn or {"tn":..., "state":..., ...}

    # In-service numbers
    inservice_page_size: int = 500
    inservice_max_page_size: int = 1000
    link_base: str | None = None  # e.g. "https://dashboard.bandwidth.com:443/v1.0"

    # v2 (/api/v2): E.164 numbers, /messaging order paths
    v2_refuse_ten_digit: bool = True  # 10-digit numbers on v2 import endpoints -> 400 / 1022
    v2_link_base: str | None = None  # base of v2 in-service Links, e.g. "https://api.bandwidth.com/api/v2"

    # LOA files
    loa_max_bytes: int = 5 * 1024 * 1024
    loa_too_large_status: int = 413
    loa_require_document_type: bool = False
    loa_requires_complete: bool = False

    # Subscriptions and callbacks
    subscription_default_expiry: int = 86400
    reject_duplicate_subscriptions: bool = True
    notify_statuses: list | None = None  # None: every status change
    drop_callbacks: bool = False  # lose every callback, as a network or receiver outage would (never retried)
    callback_timeout_seconds: float = 5.0
    callback_verify_tls: bool = True

    # Sites
    sites: list = field(default_factory=_default_sites)

    # Faults
    faults: list = field(default_factory=list)
    fault_seed: int | None = 0

    # Plumbing
    tick_seconds: float = 0.05
    request_log_max: int = 10000
    log_body_max: int = 64 * 1024
    max_body_bytes: int = 64 * 1024 * 1024

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        env = os.environ if environ is None else environ
        cfg = cls()
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = coerce(f.name, raw, getattr(cfg, f.name))
        values.update(overrides)
        return cfg.replace(**values)

    def replace(self, **changes: Any) -> SandboxConfig:
        unknown = set(changes) - set(self.field_names())
        if unknown:
            raise ValueError(f"unknown SandboxConfig field(s): {sorted(unknown)}")
        return dataclasses.replace(self, **changes)

    def copy(self) -> SandboxConfig:
        return SandboxConfig(**json.loads(json.dumps(dataclasses.asdict(self))))

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def coerce(name: str, raw: Any, current: Any) -> Any:
    """Turn an env/JSON value into the type of the field's current value."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(float(text))
    if isinstance(current, float):
        return float(text)
    if isinstance(current, (list, dict)) or name in ("notify_statuses",):
        return json.loads(text) if text else type(current)() if current is not None else None
    if current is None:
        if text.lower() in ("", "none", "null"):
            return None
        if name == "fault_seed":
            return int(text)
        return text
    return text
