"""
The wake-up ring: the last final-status callbacks, kept in one asset state store entry per order asset.

The callback receiver (API server) appends one entry per new final-status notification, under the lock it
already holds on the asset's row; the waiting triggers' :mod:`watch <.callback_watch>` reads the entry every
second or so and wakes the waits on the orders it names. The value is plain JSON::

    {"seq": 812, "recent": [[812, "<order id>", "COMPLETE", 1764590000.2], ...]}

``seq`` counts every entry ever appended; ``recent`` keeps the last :data:`RING_SIZE` of them, oldest first.
A reader that last saw ``seq`` = n and now finds the oldest kept entry above n + 1 knows it missed some,
and wakes every wait of that kind (each reads its order once): the ring is a signal, never the truth.
Nothing here imports Airflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bandwidth_hosted_messaging.statuses import ProcessingStatus

#: The asset state store key holding the ring.
RING_KEY = "bandwidth_wakeups"
#: Entries kept; about 70 bytes each as JSON, so the value stays well under Airflow's 64 KB policy default.
RING_SIZE = 500


def wakes(status: str) -> bool:
    """Whether a callback with this status wakes a wait: final, or a status we do not know (read, to see)."""
    try:
        return ProcessingStatus(status.strip().upper()).is_final
    except ValueError:
        return True


@dataclass(frozen=True)
class Wakeup:
    """One final-status callback: which order, which status, and when the receiver recorded it (epoch s)."""

    seq: int
    order_id: str
    status: str
    at: float


@dataclass(frozen=True)
class Ring:
    """A parsed ring: the last ``seq`` appended and the entries kept, oldest first."""

    seq: int
    recent: tuple[Wakeup, ...]

    @classmethod
    def parse(cls, value: Any) -> Ring:
        """Read a stored value; anything unreadable is an empty ring (a wait then relies on its safety poll)."""
        if not isinstance(value, Mapping):
            return cls(0, ())
        entries = []
        for item in value.get("recent") or ():
            try:
                seq, order_id, status, at = item
                entries.append(Wakeup(int(seq), str(order_id), str(status), float(at)))
            except (TypeError, ValueError):
                continue
        seq = value.get("seq")
        return cls(seq if isinstance(seq, int) else (entries[-1].seq if entries else 0), tuple(entries))

    def append(self, order_id: str, status: str, at: float, size: int = RING_SIZE) -> Ring:
        """The ring with one more entry, trimmed to ``size``."""
        seq = self.seq + 1
        return Ring(seq, (*self.recent, Wakeup(seq, order_id, status, at))[-size:])

    def to_value(self) -> dict[str, Any]:
        return {"seq": self.seq, "recent": [[w.seq, w.order_id, w.status, round(w.at, 3)] for w in self.recent]}

    def after(self, seq: int) -> tuple[list[Wakeup], bool]:
        """
        The entries appended after ``seq``, and whether that list is complete.

        Incomplete when entries were trimmed before the reader saw them, or when the ring restarted (its
        ``seq`` went back, e.g. the entry was deleted).
        """
        if self.seq < seq:
            return list(self.recent), False
        newer = [w for w in self.recent if w.seq > seq]
        complete = self.seq == seq or (bool(self.recent) and self.recent[0].seq <= seq + 1)
        return newer, complete

    def covers(self, since: float) -> bool:
        """Whether every entry recorded at or after ``since`` is still kept (the ring was never trimmed past it)."""
        if not self.recent:
            return self.seq == 0
        return self.recent[0].seq == 1 or self.recent[0].at <= since
