"""How reports and messages show lists and rows: first N and how many more, CSV, JSON, the log table."""

from __future__ import annotations

import json

from bandwidth_hosted_messaging.constants import MAX_LISTED
from bandwidth_hosted_messaging.reporting.render import first_n, to_csv, to_json, to_table


def test_first_n_lists_everything_up_to_the_limit():
    assert first_n(["a", "b", "c"]) == "a, b, c"
    assert first_n([]) == ""
    items = [str(i) for i in range(MAX_LISTED)]
    assert first_n(items) == ", ".join(items)


def test_first_n_lists_at_most_twenty_then_says_how_many_more():
    items = [str(i) for i in range(25)]
    text = first_n(items)
    assert MAX_LISTED == 20
    assert text == ", ".join(items[:20]) + " and 5 more"


def test_first_n_counts_the_more_against_the_given_total():
    assert first_n(iter(["a", "b"]), total=7, limit=2) == "a, b and 5 more"
    assert first_n(["a", "b", "c"], limit=2, sep="; ") == "a; b and 1 more"


def test_first_n_accepts_a_generator():
    assert first_n((f"n{i}" for i in range(3)), limit=1) == "n0 and 2 more"


def test_to_csv_writes_the_columns_in_order_leaving_none_and_missing_values_empty():
    rows = [{"b": 1, "a": "x", "extra": "ignored"}, {"a": None}]
    assert to_csv(rows, ["a", "b"]) == "a,b\nx,1\n,\n"


def test_to_csv_quotes_cells_holding_commas_and_quotes():
    assert to_csv([{"a": 'Acme, "Dental"'}], ["a"]) == 'a\n"Acme, ""Dental"""\n'


def test_to_json_is_sorted_and_round_trips():
    document = {"b": [1, 2], "a": {"z": None, "y": "é"}}
    text = to_json(document)
    assert json.loads(text) == document
    assert text.index('"a"') < text.index('"b"')


def test_to_table_pads_columns_to_their_widest_cell():
    table = to_table([{"n": "1", "outcome": "in_service"}, {"n": "22", "outcome": None}], ["n", "outcome"])
    assert table.splitlines() == ["n   outcome   ", "1   in_service", "22            "]


def test_to_table_puts_the_first_rows_first_keeping_their_order():
    rows = [{"n": str(i), "bad": i % 3 == 0} for i in range(7)]
    lines = to_table(rows, ["n"], first=lambda r: r["bad"]).splitlines()
    assert [line.strip() for line in lines[1:]] == ["0", "3", "6", "1", "2", "4", "5"]


def test_to_table_shows_at_most_limit_rows_then_how_many_more_the_csv_holds():
    rows = [{"n": str(i), "bad": i >= 8} for i in range(10)]
    lines = to_table(rows, ["n"], first=lambda r: r["bad"], limit=3).splitlines()
    assert [line.strip() for line in lines[1:4]] == ["8", "9", "0"]
    assert lines[-1] == "... 7 more rows in the CSV"
    assert len(lines) == 5


def test_to_table_within_the_limit_says_nothing_more():
    lines = to_table([{"n": "1"}], ["n"], limit=1).splitlines()
    assert lines == ["n", "1"]


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused_in_csv():
    """Issue 13, L10: text from Bandwidth's answers that starts like a formula goes to the CSV inert."""
    from bandwidth_hosted_messaging.reporting import render as r

    rows = [
        {"a": '=HYPERLINK("http://evil","x")', "b": "+cmd|' /C calc'!A0", "c": "-2+3", "d": "@SUM(A1)"},
        {"a": "\t=1", "b": "\r=1", "c": "+13035550100", "d": "-42"},
    ]
    import csv
    import io

    first, second = csv.DictReader(io.StringIO(r.to_csv(rows, ["a", "b", "c", "d"])))
    assert first == {"a": "'" + rows[0]["a"], "b": "'" + rows[0]["b"], "c": "'-2+3", "d": "'@SUM(A1)"}
    assert second == {"a": "'\t=1", "b": "'\n=1", "c": "+13035550100", "d": "-42"}  # plain numbers stay numbers
