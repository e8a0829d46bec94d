"""
Every status in one place, as enums: Bandwidth's ``ProcessingStatus``, the kinds of order, the outcome of one
number in a run's report, the state of a number in the ledger, and the categories the status page counts.

Imports nothing of the package, so every layer may import it. The enums are ``StrEnum``: they compare equal to
the strings the reports and XComs hold, and serialise as those strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class UnknownStatusError(ValueError):
    """Bandwidth returned a ProcessingStatus this package does not know: fail loudly, never wait on it."""


class ProcessingStatus(StrEnum):
    """The ``ProcessingStatus`` of an import or remove order."""

    RECEIVED = "RECEIVED"
    PROCESSING = "PROCESSING"
    COMPLETE = "COMPLETE"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"
    EXCEPTION = "EXCEPTION"

    @classmethod
    def parse(cls, value: str | None) -> ProcessingStatus:
        """Read Bandwidth's status case-insensitively; an unknown value raises :class:`UnknownStatusError`."""
        try:
            return cls((value or "").strip().upper())
        except ValueError:
            raise UnknownStatusError(f"unknown ProcessingStatus {value!r} from Bandwidth") from None

    @property
    def is_final(self) -> bool:
        """No further change will come without a person acting (EXCEPTION needs Bandwidth's staff)."""
        return self in _FINAL

    @property
    def is_success(self) -> bool:
        """At least some numbers went through (PARTIAL counts: its failed numbers are reported)."""
        return self in _SUCCESS

    @property
    def is_failure(self) -> bool:
        """Final, and no number went through."""
        return self in _FINAL and self not in _SUCCESS


_FINAL = frozenset(
    {ProcessingStatus.COMPLETE, ProcessingStatus.PARTIAL, ProcessingStatus.FAILED, ProcessingStatus.EXCEPTION}
)
_SUCCESS = frozenset({ProcessingStatus.COMPLETE, ProcessingStatus.PARTIAL})


class OrderKind(StrEnum):
    """The two kinds of order this package creates and waits on."""

    IMPORT = "import"
    REMOVE = "remove"

    @property
    def order_type(self) -> str:
        """The ``OrderType`` of its callback subscription (as Bandwidth spells it)."""
        return "importtnorders" if self is OrderKind.IMPORT else "removeImportedTnOrders"


class Outcome(StrEnum):
    """What became of one number in an import or remove run (a row of its report)."""

    IN_SERVICE = "in_service"
    ALREADY_IN_SERVICE = "already_in_service"
    REJECTED = "rejected"
    ORDER_FAILED = "order_failed"
    NOT_ORDERED = "not_ordered"
    NOT_IN_SERVICE = "not_in_service"
    REMOVED = "removed"
    REMOVE_FAILED = "remove_failed"
    STILL_IN_SERVICE = "still_in_service"
    #: A dry run planned the number's order and made none.
    WOULD_ORDER = "would_order"


_SUCCESSFUL = frozenset(
    {Outcome.IN_SERVICE, Outcome.ALREADY_IN_SERVICE, Outcome.REJECTED, Outcome.REMOVED, Outcome.WOULD_ORDER}
)
_IMPORTED = frozenset({Outcome.IN_SERVICE, Outcome.ALREADY_IN_SERVICE})
_ORDERED_OK = frozenset({Outcome.IN_SERVICE, Outcome.NOT_IN_SERVICE})


def is_successful(outcome: object) -> bool:
    """The outcome does not fail the run (a number the checker rejected under the ``skip`` policy included)."""
    return outcome in _SUCCESSFUL


def is_imported(outcome: object) -> bool:
    """The number is hosted on Bandwidth after this run: it counts as imported in the ledger."""
    return outcome in _IMPORTED


def is_ordered_ok(outcome: object) -> bool:
    """The number's import order went through (so an LOA was due for it)."""
    return outcome in _ORDERED_OK


class ApprovalDecision(StrEnum):
    """How the approval step before ordering ended (``approve_orders``)."""

    #: A dry run: nothing is ordered, nobody is asked.
    DRY_RUN = "dry_run"
    #: Fewer numbers than the approval threshold (or approval off): ordered without asking.
    NOT_NEEDED = "not_needed"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: Nobody answered in time: nothing is ordered.
    TIMED_OUT = "timed_out"

    @property
    def orders(self) -> bool:
        """The run goes on to create its orders."""
        return self in (ApprovalDecision.NOT_NEEDED, ApprovalDecision.APPROVED)


class NumberStatus(StrEnum):
    """A number's state in the inventory (the ledger) of hosted numbers."""

    HOSTED = "hosted"
    REMOVED = "removed"
    LOST = "lost"


class EventKind(StrEnum):
    """
    What one run did to one number, as the inventory records it (``number_events.kind``): a row of an import
    run's report, a row of a remove run's report, or a loss a health run noticed. (A health run's in-service
    sightings stay in its report: recording every checked number every day would grow the table by the whole
    inventory daily and change no number's state.)
    """

    IMPORT = "import"
    REMOVE = "remove"
    LOSS = "loss"


class RunKind(StrEnum):
    """The kind of a run the inventory recorded (``inventory_runs.kind``)."""

    IMPORT = "import"
    REMOVE = "remove"
    HEALTH = "health"


class HealthOutcome(StrEnum):
    """What a health run found of one hosted number."""

    IN_SERVICE = "in_service"
    LOST = "lost"


class Tone(StrEnum):
    """How the status page colours a count."""

    OK = "ok"
    INFO = "info"
    WARN = "warn"
    BAD = "bad"


@dataclass(frozen=True)
class _CategoryInfo:
    label: str
    outcomes: tuple[Outcome, ...]
    tone: Tone


class Category(StrEnum):
    """
    A count on the status page, in the order shown. ``LOA_MISSING`` and ``LOST`` add up no outcome:
    ``LOA_MISSING`` counts numbers whose order went through but has no LOA file; ``LOST`` counts numbers the
    run imported that a health run found lost since.
    """

    IN_SERVICE = "in_service"
    REJECTED = "rejected"
    ORDER_FAILED = "order_failed"
    NOT_ORDERED = "not_ordered"
    LOA_MISSING = "loa_missing"
    NOT_IN_SERVICE = "not_in_service"
    REMOVED = "removed"
    REMOVE_FAILED = "remove_failed"
    WOULD_ORDER = "would_order"
    LOST = "lost"

    @property
    def info(self) -> _CategoryInfo:
        return _CATEGORIES[self]

    @property
    def label(self) -> str:
        return self.info.label

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return self.info.outcomes

    @property
    def tone(self) -> Tone:
        return self.info.tone

    def to_dict(self) -> dict[str, str]:
        return {"key": self.value, "label": self.label, "tone": self.tone.value}


_CATEGORIES = {
    Category.IN_SERVICE: _CategoryInfo("In service", (Outcome.IN_SERVICE, Outcome.ALREADY_IN_SERVICE), Tone.OK),
    Category.REJECTED: _CategoryInfo("Rejected by the checker", (Outcome.REJECTED,), Tone.INFO),
    Category.ORDER_FAILED: _CategoryInfo("Failed in the order", (Outcome.ORDER_FAILED,), Tone.BAD),
    Category.NOT_ORDERED: _CategoryInfo("Not ordered", (Outcome.NOT_ORDERED,), Tone.BAD),
    Category.LOA_MISSING: _CategoryInfo("LOA missing", (), Tone.WARN),
    Category.NOT_IN_SERVICE: _CategoryInfo(
        "Not in service after the grace period", (Outcome.NOT_IN_SERVICE,), Tone.BAD
    ),
    Category.REMOVED: _CategoryInfo("Removed", (Outcome.REMOVED,), Tone.OK),
    Category.REMOVE_FAILED: _CategoryInfo(
        "Remove failed or still in service", (Outcome.REMOVE_FAILED, Outcome.STILL_IN_SERVICE), Tone.BAD
    ),
    Category.WOULD_ORDER: _CategoryInfo("Would be ordered (dry run)", (Outcome.WOULD_ORDER,), Tone.INFO),
    Category.LOST: _CategoryInfo("Lost since", (), Tone.BAD),
}
