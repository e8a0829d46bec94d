"""The exceptions the Bandwidth client and hooks raise. Messages never carry credentials."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    """One error Bandwidth reported: its code and description."""

    code: str | None
    description: str | None

    def __str__(self) -> str:
        if self.code and self.description:
            return f"{self.code} {self.description}"
        return self.code or self.description or "unknown error"


class BandwidthError(Exception):
    """Base class of everything this package raises about Bandwidth."""


class BandwidthXmlError(BandwidthError):
    """A body was not acceptable XML (malformed, hostile, too large)."""


class BandwidthApiError(BandwidthError):
    """
    Bandwidth answered with an error (or not at all, after the retries were spent).

    :param message: what was being done, e.g. ``"POST /importTnOrders"``.
    :param status: the HTTP status (``None`` when no answer came).
    :param errors: Bandwidth's error codes and descriptions, in the order given.
    :param request_id: Bandwidth's request id header, where present.
    :param excerpt: a short excerpt of a non-XML body (an HTML proxy page, say).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Sequence[ErrorDetail] = (),
        request_id: str | None = None,
        excerpt: str | None = None,
    ) -> None:
        self.status = status
        self.errors = list(errors)
        self.request_id = request_id
        self.excerpt = excerpt
        parts = [message]
        if status is not None:
            parts.append(f"HTTP {status}")
        if self.errors:
            parts.append("; ".join(str(e) for e in self.errors))
        elif excerpt:
            parts.append(f"body: {excerpt!r}")
        if request_id:
            parts.append(f"request id {request_id}")
        super().__init__(": ".join(parts[:1]) + (" -> " + " | ".join(parts[1:]) if parts[1:] else ""))

    @property
    def codes(self) -> list[str]:
        """Bandwidth's error codes, as strings."""
        return [e.code for e in self.errors if e.code]


class ConnectionConfigError(BandwidthError):
    """A connection is unusable as configured (wrong type, missing field, bad URL): retrying cannot help."""
