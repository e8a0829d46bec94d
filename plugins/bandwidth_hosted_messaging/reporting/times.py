"""Times as the reports write them: ISO 8601 UTC with milliseconds (``2026-01-02T03:04:05.678Z``)."""

from __future__ import annotations

from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return iso(datetime.now(UTC))


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset; naive counts as UTC), or ``None`` when missing or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
