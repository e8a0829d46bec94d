"""
How reports and messages show rows and lists, written once: CSV, JSON, the fixed-width table of a task log,
and "first 20 ... and N more" for log lines and error messages.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bandwidth_hosted_messaging.constants import MAX_LISTED


def first_n(items: Iterable[str], total: int | None = None, limit: int = MAX_LISTED, sep: str = ", ") -> str:
    """``a, b, c and 17 more``: at most ``limit`` items, then how many were left out (``total``: of how many)."""
    shown = list(items)
    count = len(shown) if total is None else total
    text = sep.join(shown[:limit])
    return f"{text} and {count - limit} more" if count > limit else text


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


#: What a spreadsheet takes for the start of a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)


def csv_cell(value: Any) -> str:
    """
    A value as a CSV cell a spreadsheet will not run: text that starts like a formula gets a leading ``'``, and
    line breaks become ``\\n`` (quoted by the writer).
    """
    text = _cell(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    # A lone CR is no line break to the csv module, which would leave it unquoted and split the row.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows (dicts) as CSV with ``columns`` in that order (missing and ``None`` values are empty, formulas defused)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in columns})
    return out.getvalue()


def to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True)


def to_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    first: Callable[[Mapping[str, Any]], bool] = lambda row: False,
    limit: int = 200,
) -> str:
    """
    A fixed-width text table for a task log: the rows for which ``first`` is true come first, at most ``limit``
    rows in all, then a line saying how many more the CSV holds.
    """
    shown = sorted(rows, key=lambda r: not first(r))[:limit]
    cells = [[_cell(r.get(c)) for c in columns] for r in shown]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows in the CSV")
    return "\n".join(lines)
