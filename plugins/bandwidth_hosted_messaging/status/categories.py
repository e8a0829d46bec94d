"""
How the status page sorts and counts a run's numbers: which DAGs write reports, the categories of the overview,
the run's bar, the red flag, the row filters and the "Batch" label. Pure functions of report rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bandwidth_hosted_messaging.client.numbers import search_digits
from bandwidth_hosted_messaging.constants import BATCH_DAG_PREFIX, REMOVE_DAG
from bandwidth_hosted_messaging.reporting.ledger import is_import_dag
from bandwidth_hosted_messaging.statuses import Category, OrderKind, Tone, is_ordered_ok, is_successful

#: Segments of the per-run bar: every number in exactly one (lost ones are taken out of ``in_service``).
BAR_SEGMENTS = (
    "in_service",
    "lost",
    "rejected",
    "order_failed",
    "not_ordered",
    "not_in_service",
    "removed",
    "remove_failed",
)
#: Row filters besides the outcomes themselves.
FILTER_ATTENTION, FILTER_LOA_MISSING, FILTER_LOST = "attention", "loa_missing", "lost"
#: ``cat:<category key>``: the outcomes a category adds up (``cat:in_service`` = in service + already in service).
FILTER_CATEGORY = "cat:"


def is_report_dag(dag_id: str) -> bool:
    """An import (manual or batch) or remove DAG: its runs write a per-number report."""
    return is_import_dag(dag_id) or dag_id == REMOVE_DAG


def run_kind(dag_id: str) -> OrderKind:
    return OrderKind.REMOVE if dag_id == REMOVE_DAG else OrderKind.IMPORT


def batch_name(dag_id: str) -> str | None:
    return dag_id[len(BATCH_DAG_PREFIX) :] if dag_id.startswith(BATCH_DAG_PREFIX) else None


def loa_missing(dag_id: str, row: Mapping[str, Any]) -> bool:
    """The number's import order went through, yet no LOA file is recorded for that order."""
    return is_import_dag(dag_id) and _owes_loa(row)


def _owes_loa(row: Mapping[str, Any]) -> bool:
    """:func:`loa_missing` in an import run (where an LOA is due)."""
    return is_ordered_ok(row.get("outcome")) and bool(row.get("order_id")) and not row.get("loa_file")


def tally(dag_id: str, rows: Iterable[Mapping[str, Any]]) -> tuple[Counter[str], int]:
    """Each outcome's count and how many rows :func:`loa_missing` holds for, in one pass over the rows."""
    outcomes: Counter[str] = Counter()
    missing = 0
    check_loa = is_import_dag(dag_id)
    for row in rows:
        outcomes[str(row.get("outcome"))] += 1
        if check_loa and _owes_loa(row):
            missing += 1
    return outcomes, missing


def counts_of(outcomes: Counter[str], loa_missing_count: int, lost_count: int) -> dict[str, int]:
    """The run's count per category (``loa_missing`` and ``lost`` are counted by the caller)."""
    counts = {c.value: sum(outcomes.get(o, 0) for o in c.outcomes) for c in Category}
    counts[Category.LOA_MISSING], counts[Category.LOST] = loa_missing_count, lost_count
    return counts


def bar_of(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The run's bar: one segment per category with numbers in it (lost ones out of ``in_service``)."""
    values = {key: counts.get(key, 0) for key in BAR_SEGMENTS}
    values["in_service"] = max(0, values["in_service"] - values["lost"])
    return [{"key": k, "count": v, "tone": Category(k).tone.value} for k, v in values.items() if v]


def needs_attention(counts: Mapping[str, int], state: str | None) -> bool:
    """Red flag on the overview: the run failed, or some number did not end as it should, or was lost."""
    bad = any(counts.get(c.value, 0) for c in Category if c.tone in (Tone.BAD, Tone.WARN))
    return bad or state == "failed"


def label_of(dag_id: str, subscriber: str | None = None) -> str:
    """What the overview's "Batch" column says: the batch name, the form's subscriber, or the removal."""
    if dag_id == REMOVE_DAG:
        return "removal"
    return batch_name(dag_id) or (f"{subscriber} (form)" if subscriber else "form")


_CATEGORY_KEYS = frozenset(c.value for c in Category)


def filter_rows(
    dag_id: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    outcome: str | None = None,
    q: str | None = None,
    lost: set[str] | frozenset[str] = frozenset(),
) -> list[Mapping[str, Any]]:
    """
    The rows matching an outcome filter and a number search.

    :param outcome: an outcome (``in_service``, ``order_failed``...), ``cat:<category>`` (its outcomes),
        ``attention`` (every row that did not end as it should, an LOA missing or lost), ``loa_missing`` or
        ``lost``; empty: all.
    :param q: digits to find in the number (``+1``, dashes, spaces are ignored).
    """
    digits = search_digits(q)
    if outcome == FILTER_ATTENTION:

        def keep(r):
            return not is_successful(r.get("outcome")) or loa_missing(dag_id, r) or r.get("number") in lost
    elif outcome == FILTER_LOA_MISSING:

        def keep(r):
            return loa_missing(dag_id, r)
    elif outcome == FILTER_LOST:

        def keep(r):
            return r.get("number") in lost
    elif outcome and outcome.startswith(FILTER_CATEGORY) and outcome[len(FILTER_CATEGORY) :] in _CATEGORY_KEYS:
        wanted = frozenset(Category(outcome[len(FILTER_CATEGORY) :]).outcomes)

        def keep(r):
            return r.get("outcome") in wanted
    elif outcome:

        def keep(r):
            return r.get("outcome") == outcome
    else:

        def keep(r):
            return True

    return [r for r in rows if keep(r) and (not digits or digits in str(r.get("number", "")))]
