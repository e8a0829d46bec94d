"""The per-number report: one row per submitted number, joined from what each step recorded."""

from __future__ import annotations

import csv
import io

import pytest

from bandwidth_hosted_messaging.reporting.rows import (
    COLUMNS,
    ReportRow,
    build_import_rows,
    build_remove_rows,
    failed_rows,
    summarize,
    to_csv,
    to_table,
)
from bandwidth_hosted_messaging.statuses import Outcome

A, B, C, D = "+13035550100", "+13035550101", "+13035550102", "+13035550103"
REJ, ALREADY = "+13035550105", "+13035550199"


def order(order_id, status, numbers, errors=(), cid=None):
    return {
        "order_id": order_id,
        "status": status,
        "customer_order_id": cid,
        "numbers": list(numbers),
        "errors": [{"code": c, "description": d, "numbers": list(n)} for c, d, n in errors],
        "order_create_date": None,
        "last_modified_date": None,
    }


PLAN = [
    {"index": 0, "customer_order_id": "t-aaaa-0000-111111", "numbers": [A, B]},
    {"index": 1, "customer_order_id": "t-aaaa-0001-222222", "numbers": [C]},
    {"index": 2, "customer_order_id": "t-aaaa-0002-333333", "numbers": [D]},
]
CHECKER = {
    "importable": [A, B, C, D],
    "rejected": [
        {"number": REJ, "code": "19005", "description": "blocked"},
        {"number": ALREADY, "code": 19006, "description": "already in service"},
    ],
}


def import_rows(verification=None, orders=None, loas=None):
    orders = (
        orders
        if orders is not None
        else [
            order("o-1", "PARTIAL", [A, B], [("7518", "not eligible", [B])], cid="t-aaaa-0000-111111"),
            order("o-2", "COMPLETE", [C], cid="t-aaaa-0001-222222"),
            None,  # chunk 2: its order was never created
        ]
    )
    loas = loas if loas is not None else [{"order_id": "o-1", "file_name": "o-1-1.pdf", "status": "uploaded"}, None]
    if verification is None:
        verification = {"in_service": [A], "missing": [C], "already_in_service": [ALREADY]}
    return {
        r.number: r for r in build_import_rows([A, B, C, D, REJ, ALREADY], CHECKER, PLAN, orders, loas, verification)
    }


def test_import_rows_come_one_per_number_in_the_order_given():
    rows = build_import_rows([D, A, REJ], CHECKER, PLAN, [], [], None)
    assert [r.number for r in rows] == [D, A, REJ]


def test_an_ordered_number_found_in_service_is_in_service_with_its_order_and_loa():
    row = import_rows()[A]
    assert row.outcome is Outcome.IN_SERVICE
    assert (row.order_id, row.order_status, row.customer_order_id) == ("o-1", "PARTIAL", "t-aaaa-0000-111111")
    assert row.loa_file == "o-1-1.pdf"
    assert row.in_service is True
    assert row.error_code is None


def test_a_number_the_order_failed_is_order_failed_with_bandwidths_code():
    row = import_rows()[B]
    assert row.outcome is Outcome.ORDER_FAILED
    assert (row.error_code, row.error_description) == ("7518", "not eligible")
    assert row.in_service is None


def test_a_number_of_a_failed_order_gets_the_order_level_error():
    orders = [order("o-1", "FAILED", [A, B], [("5016", "The SiteId submitted is invalid", [])])]
    rows = import_rows(orders=orders)
    assert rows[A].outcome is rows[B].outcome is Outcome.ORDER_FAILED
    assert rows[A].error_code == "5016"


def test_a_failed_order_without_codes_leaves_the_error_code_empty_and_says_how_it_ended():
    row = import_rows(orders=[order("o-1", "EXCEPTION", [A, B])])[A]
    assert row.outcome is Outcome.ORDER_FAILED
    assert row.error_code is None
    assert row.error_description == "order ended EXCEPTION"


def test_an_ordered_number_not_found_in_service_is_not_in_service():
    row = import_rows()[C]
    assert row.outcome is Outcome.NOT_IN_SERVICE
    assert row.in_service is False
    assert row.loa_file is None


def test_without_a_verification_an_ordered_number_is_not_in_service_and_its_state_unknown():
    rows = {r.number: r for r in build_import_rows([A], None, PLAN, [order("o-1", "COMPLETE", [A, B])], [], None)}
    assert rows[A].outcome is Outcome.NOT_IN_SERVICE
    assert rows[A].in_service is None


def test_a_planned_number_without_an_order_is_not_ordered_with_its_planned_customer_order_id():
    row = import_rows()[D]
    assert row.outcome is Outcome.NOT_ORDERED
    assert row.customer_order_id == "t-aaaa-0002-333333"
    assert row.order_id is None


def test_a_number_the_checker_rejected_is_rejected_with_the_checkers_code():
    row = import_rows()[REJ]
    assert row.outcome is Outcome.REJECTED
    assert (row.checker_code, row.checker_description) == ("19005", "blocked")
    assert row.customer_order_id is None


def test_a_rejected_number_found_already_on_bandwidth_is_already_in_service():
    row = import_rows()[ALREADY]
    assert row.outcome is Outcome.ALREADY_IN_SERVICE
    assert row.checker_code == "19006"
    assert row.in_service is True


def test_the_orders_customer_order_id_wins_over_the_planned_one():
    orders = [order("o-1", "COMPLETE", [A, B], cid="from-bandwidth")]
    assert import_rows(orders=orders)[A].customer_order_id == "from-bandwidth"


def remove_rows(verification):
    plan = [
        {"index": 0, "customer_order_id": "rm-0000", "numbers": [A, B, C]},
        {"index": 1, "customer_order_id": "rm-0001", "numbers": [D]},
    ]
    orders = [order("r-1", "PARTIAL", [A, B, C], [("5158", "not in service", [B])]), None]
    return {r.number: r for r in build_remove_rows([A, B, C, D], plan, orders, verification)}


def test_remove_rows_give_removed_remove_failed_still_in_service_and_not_ordered():
    rows = remove_rows({"removed": [A], "still_in_service": [C]})
    assert {n: r.outcome for n, r in rows.items()} == {
        A: Outcome.REMOVED,
        B: Outcome.REMOVE_FAILED,
        C: Outcome.STILL_IN_SERVICE,
        D: Outcome.NOT_ORDERED,
    }
    assert (rows[A].in_service, rows[C].in_service) == (False, True)
    assert (rows[B].error_code, rows[B].error_description) == ("5158", "not in service")
    assert rows[D].customer_order_id == "rm-0001"
    assert rows[A].order_id == "r-1"


def test_without_a_verification_a_removed_number_is_not_counted_as_removed():
    row = remove_rows(None)[A]
    assert row.outcome is Outcome.STILL_IN_SERVICE
    assert row.in_service is None


def test_summarize_counts_each_outcome_after_the_total():
    summary = summarize(list(import_rows().values()))
    assert summary == {
        "total": 6,
        "already_in_service": 1,
        "in_service": 1,
        "not_in_service": 1,
        "not_ordered": 1,
        "order_failed": 1,
        "rejected": 1,
    }
    assert list(summary)[0] == "total"
    assert summarize([]) == {"total": 0}


def test_failed_rows_keep_only_numbers_that_did_not_end_as_they_should():
    failed = failed_rows(list(import_rows().values()))
    assert [r.number for r in failed] == [B, C, D]
    removal = failed_rows(list(remove_rows({"removed": [A], "still_in_service": [C]}).values()))
    assert [r.number for r in removal] == [B, C, D]


def test_to_csv_has_every_column_in_order_and_empty_cells_for_none():
    rows = list(import_rows().values())
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert to_csv(rows).splitlines()[0] == ",".join(COLUMNS)
    assert COLUMNS[:2] == ["number", "outcome"]
    assert "in_service" in COLUMNS and "loa_file" in COLUMNS
    assert [p["number"] for p in parsed] == [A, B, C, D, REJ, ALREADY]
    assert parsed[0]["outcome"] == "in_service"
    assert parsed[0]["in_service"] == "True"
    assert parsed[1]["in_service"] == ""
    assert parsed[1]["error_code"] == "7518"


def test_row_to_dict_holds_the_outcome_as_a_plain_string():
    data = ReportRow(number=A, outcome=Outcome.REMOVED).to_dict()
    assert type(data["outcome"]) is str
    assert data["outcome"] == "removed"
    assert list(data) == COLUMNS


def test_row_to_dict_is_a_copy_of_every_field():
    row = ReportRow(
        number=A,
        outcome=Outcome.ORDER_FAILED,
        checker_code="19006",
        checker_description="already",
        order_id="o-1",
        customer_order_id="c-1",
        order_status="PARTIAL",
        error_code="7518",
        error_description="Telephone number not active",
        loa_file="o-1.pdf",
        in_service=False,
    )
    data = row.to_dict()
    assert data == {**{name: getattr(row, name) for name in COLUMNS}, "outcome": "order_failed"}
    data["order_id"] = "changed"
    assert row.order_id == "o-1"


def test_the_log_table_lists_failures_first():
    table = to_table(list(import_rows().values()))
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["number", "outcome"]
    assert [line.split()[0] for line in lines[1:]] == [B, C, D, A, REJ, ALREADY]


@pytest.mark.parametrize("limit, more", [(2, 4), (6, None)])
def test_the_log_table_is_cut_at_its_limit_saying_how_many_more_rows_the_csv_holds(limit, more):
    lines = to_table(list(import_rows().values()), limit=limit).splitlines()
    if more is None:
        assert len(lines) == 7
        assert "more rows" not in lines[-1]
    else:
        assert len(lines) == limit + 2
        assert lines[-1] == f"... {more} more rows in the CSV"
