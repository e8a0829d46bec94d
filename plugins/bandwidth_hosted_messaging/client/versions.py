"""
The two versions of Bandwidth's Numbers API this client speaks, and what differs between them on the wire.

The connection decides: a base path ending ``/api/v2`` is the Universal Platform's v2; ``/api``, ``/api/v1`` and
``/v1.0`` are v1 (never probed). Everything the two share lives in :mod:`.endpoints`; a :class:`Dialect` says only
how a number is written (v1: ten digits; v2: E.164, ``+1`` and ten digits), where import and remove orders live
(v2 adds ``/messaging``), how two in-service filters are spelled, and which ``NumberFormat`` subscriptions ask for.
Numbers coming back are read in either form (:func:`~.numbers.canonical`): a subscription made through v1 keeps
delivering ten digits to a v2 client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import urlsplit

from bandwidth_hosted_messaging.client.numbers import canonical


class ApiVersion(IntEnum):
    V1 = 1
    V2 = 2


#: Base paths (what follows the host) of each version; anything else is refused rather than guessed.
V1_PATHS = ("/api", "/api/v1", "/v1.0")
V2_PATHS = ("/api/v2",)


def version_of(base_url: str) -> ApiVersion | None:
    """The API version a base URL names by its path, or ``None`` when the path names neither."""
    path = urlsplit(base_url).path.rstrip("/").lower()
    if path in V2_PATHS:
        return ApiVersion.V2
    if path in V1_PATHS:
        return ApiVersion.V1
    return None


@dataclass(frozen=True)
class Dialect:
    """How one API version writes what differs between v1 and v2."""

    version: ApiVersion

    @property
    def is_v2(self) -> bool:
        return self.version is ApiVersion.V2

    def number(self, number: str) -> str:
        """A number as this version takes it: ten digits (v1) or ``+1`` and ten digits (v2)."""
        digits = canonical(number)[-10:]
        return f"+1{digits}" if self.is_v2 else digits

    def numbers(self, numbers: Iterable[str]) -> list[str]:
        return [self.number(n) for n in numbers]

    def order_path(self, collection: str) -> str:
        """``importTnOrders`` → ``importTnOrders/messaging`` on v2."""
        return f"{collection}/messaging" if self.is_v2 else collection

    @property
    def number_format(self) -> str:
        """The ``NumberFormat`` a subscription asks for, set explicitly on both versions."""
        return "E164" if self.is_v2 else "LEGACY"

    def in_service_filter(self, name: str) -> str:
        """v1's ``areacode`` / ``npanxx`` are ``areaCode`` / ``npaNxx`` on v2; other names are the same."""
        if not self.is_v2:
            return name
        return {"areacode": "areaCode", "npanxx": "npaNxx"}.get(name.lower(), name)


V1 = Dialect(ApiVersion.V1)
V2 = Dialect(ApiVersion.V2)
DIALECTS = {ApiVersion.V1: V1, ApiVersion.V2: V2}
