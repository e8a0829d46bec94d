"""ReportOperator: one row per number, written as report.csv and report.json; failed numbers fail the run."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid

import pytest
from airflow.sdk import TriggerRule
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.operators.report import ReportOperator, first_failed
from bandwidth_hosted_messaging.reporting.rows import COLUMNS, ReportRow
from bandwidth_hosted_messaging.reporting.storage import report_base, report_folder
from bandwidth_hosted_messaging.statuses import Outcome
from tests.plugins.bandwidth_hosted_messaging.task_context import make_context

A, B, C = "+13035550100", "+13035550101", "+13035550102"
REJ = "+13035550199"


def order(order_id, status, numbers, failed=()):
    errors = [{"code": "7518", "description": "not eligible", "numbers": list(failed)}] if failed else []
    return {
        "order_id": order_id,
        "status": status,
        "customer_order_id": f"cid-{order_id}",
        "numbers": list(numbers),
        "errors": errors,
        "order_create_date": None,
        "last_modified_date": None,
    }


def import_context(orders, verification, numbers=(A, B, REJ), duplicates=()):
    context = make_context(task_id="report", run_id=f"manual__{uuid.uuid4().hex}:00+00:00")
    ti = context["ti"]
    ti.seed("validate_request", {"numbers": list(numbers), "duplicates": list(duplicates)})
    ti.seed(
        "check_importability",
        {"importable": [A, B], "rejected": [{"number": REJ, "code": "19005", "description": "blocked"}]},
    )
    ti.seed("approve_orders", [{"index": 0, "customer_order_id": "cid-o-1", "numbers": [A, B]}], key="plan")
    ti.seed("import_order.wait", orders, key="order", mapped=True)
    ti.seed(
        "import_order.upload_loa", [{"order_id": "o-1", "file_name": "o-1-1.pdf", "status": "uploaded"}], mapped=True
    )
    ti.seed("verify", verification)
    return context


def import_report(**kw):
    return ReportOperator(
        task_id="report",
        request_task_id="validate_request",
        checker_task_id="check_importability",
        order_task_id="import_order.wait",
        loa_task_id="import_order.upload_loa",
        verify_task_id="verify",
        **kw,
    )


def written(context):
    folder = report_folder(context["dag"].dag_id, context["run_id"])
    return folder, (folder / "report.csv").read_text(), json.loads((folder / "report.json").read_text())


def test_the_report_base_is_the_one_the_test_settings_give():
    assert str(report_base()).rstrip("/") == os.environ["AIRFLOW__BANDWIDTH__REPORT_BASE"].rstrip("/")
    assert str(report_base()).endswith("/reports")


def test_it_runs_whatever_the_state_of_its_upstream_tasks():
    assert import_report().trigger_rule == TriggerRule.ALL_DONE


def test_a_successful_import_writes_the_csv_and_json_under_the_run_folder_and_returns_the_report():
    context = import_context(
        [order("o-1", "COMPLETE", [A, B])],
        {"in_service": [A, B], "missing": [], "already_in_service": []},
        duplicates=[A],
    )
    result = import_report().execute(context)
    folder, csv_text, document = written(context)
    assert folder.name.startswith(context["run_id"].replace(":", "_").replace("+", "_") + "-")
    assert folder.parent.name == "hosted_messaging_import"
    assert result["summary"] == {"total": 3, "in_service": 2, "rejected": 1}
    assert result["duplicates"] == [A]
    assert result["artifacts"] == {"csv": str(folder / "report.csv"), "json": str(folder / "report.json")}
    assert result["finished_at"].endswith("Z")
    assert document == json.loads(json.dumps(result))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert csv_text.splitlines()[0] == ",".join(COLUMNS)
    assert [(r["number"], r["outcome"], r["loa_file"]) for r in rows] == [
        (A, "in_service", "o-1-1.pdf"),
        (B, "in_service", "o-1-1.pdf"),
        (REJ, "rejected", ""),
    ]
    assert context["ti"].pushed() is None


def test_failed_numbers_fail_the_run_naming_them_after_the_report_is_written_and_pushed():
    context = import_context(
        [order("o-1", "PARTIAL", [A, B], failed=[B])],
        {"in_service": [], "missing": [A], "already_in_service": []},
    )
    with pytest.raises(AirflowFailException) as info:
        import_report().execute(context)
    assert str(info.value) == f"2 number(s) did not end in service: {A} (not_in_service), {B} (order_failed 7518)"
    _, _, document = written(context)
    assert document["summary"] == {"total": 3, "not_in_service": 1, "order_failed": 1, "rejected": 1}
    assert context["ti"].pushed()["summary"] == document["summary"]


def test_numbers_without_any_order_are_reported_not_ordered_and_fail_the_run():
    context = import_context([None], None)
    with pytest.raises(
        AirflowFailException, match=rf"^2 number\(s\) did not end in service: {re.escape(A)} \(not_ordered\)"
    ):
        import_report().execute(context)
    _, _, document = written(context)
    assert [r["customer_order_id"] for r in document["rows"]] == ["cid-o-1", "cid-o-1", None]


def test_without_a_validated_request_it_fails_pointing_at_the_request_task():
    context = make_context(task_id="report")
    with pytest.raises(AirflowFailException, match="^No validated request: see the validate_request task's log$"):
        import_report().execute(context)


def remove_context(verification):
    context = make_context(task_id="report", dag_id="hosted_messaging_remove", run_id=f"manual__{uuid.uuid4().hex}")
    ti = context["ti"]
    ti.seed("validate_request", {"numbers": [A, B, C], "duplicates": []})
    ti.seed("approve_orders", [{"index": 0, "customer_order_id": "rm-0", "numbers": [A, B, C]}], key="plan")
    ti.seed("remove_order.wait", [order("r-1", "PARTIAL", [A, B, C], failed=[C])], key="order", mapped=True)
    ti.seed("verify", verification)
    return context


def remove_report():
    return ReportOperator(
        task_id="report",
        order_kind="remove",
        request_task_id="validate_request",
        order_task_id="remove_order.wait",
        verify_task_id="verify",
    )


def test_a_remove_run_fails_naming_the_numbers_not_removed():
    context = remove_context({"removed": [A], "still_in_service": [B]})
    with pytest.raises(AirflowFailException) as info:
        remove_report().execute(context)
    assert str(info.value) == f"2 number(s) were not removed: {B} (still_in_service), {C} (remove_failed 7518)"
    folder, _, document = written(context)
    assert folder.parent.name == "hosted_messaging_remove"
    assert document["summary"] == {"total": 3, "remove_failed": 1, "removed": 1, "still_in_service": 1}


def test_a_remove_run_with_every_number_removed_succeeds():
    context = remove_context({"removed": [A, B], "still_in_service": []})
    context["ti"].seed("remove_order.wait", [order("r-1", "COMPLETE", [A, B, C])], key="order", mapped=True)
    context["ti"].seed("verify", {"removed": [A, B, C], "still_in_service": []})
    result = remove_report().execute(context)
    assert result["summary"] == {"total": 3, "removed": 3}


def test_first_failed_lists_twenty_then_how_many_more():
    failed = [ReportRow(number=f"30355501{i:02d}", outcome=Outcome.NOT_ORDERED) for i in range(23)]
    text = first_failed(failed)
    assert text.startswith("3035550100 (not_ordered), 3035550101 (not_ordered)")
    assert text.endswith("3035550119 (not_ordered) and 3 more")
