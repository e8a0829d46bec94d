"""
The operator's workflow on the real DAGs with dag.test() against the sandbox: a dry run, the approval before
ordering (given, rejected, timed out, through Airflow's own HITL API and scheduler sweep), the re-run of a run's
failed numbers, the removal's confirmation and the extra links.
"""

from __future__ import annotations

import pytest
from airflow.sdk import DagRunState, TaskInstanceState

from tests.dags.approvals import answering, timing_out
from tests.dags.conftest import API_CONNECTIONS, deployed_with
from tests.dags_helpers import api_calls, base_conf, report_of, rows_by_number, task_states

IMPORT, REMOVE = "hosted_messaging_import", "hosted_messaging_remove"
#: Every call that creates or changes something at Bandwidth.
CHANGING = ("importTnOrders.create", "removeImportedTnOrders.create", "loas.upload")


@pytest.fixture(scope="module")
def bag(airflow_db, sandbox):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS["v1"]):
        dagbag = DagBag()
    assert not dagbag.import_errors, dagbag.import_errors
    return dagbag


def changing_calls(bw) -> list[dict]:
    return [
        r
        for r in api_calls(bw)
        if r["endpoint"] in CHANGING or (r["endpoint"].startswith("subscriptions") and r["method"] != "GET")
    ]


def test_a_dry_run_checks_and_plans_and_changes_nothing_at_bandwidth(bag, bw, inventory):
    bw.seed(checker_rejects={"+13035550150": 19005})
    numbers = ["+13035550100", "+13035550101", "+13035550150"]
    dr = bag.get_dag(IMPORT).test(run_conf=base_conf(numbers, chunk_size=1, dry_run=True))
    assert dr.state == DagRunState.SUCCESS
    assert changing_calls(bw) == []
    endpoints = {r["endpoint"] for r in api_calls(bw)}
    assert {"importTnChecker", "sites.get", "sippeers.list"} <= endpoints, endpoints
    report = report_of(dr)
    assert report["dry_run"] is True and report["approval"]["decision"] == "dry_run"
    rows = rows_by_number(report)
    assert rows["+13035550100"]["outcome"] == rows["+13035550101"]["outcome"] == "would_order"
    assert rows["+13035550100"]["customer_order_id"] != rows["+13035550101"]["customer_order_id"]  # the plan
    assert rows["+13035550150"]["outcome"] == "rejected"
    assert task_states(dr)["import_order.create"] == TaskInstanceState.SKIPPED  # nothing to map
    assert (inventory.runs(), inventory.events_of("+13035550150")) == ([], [])  # nor in the inventory


def test_a_dry_run_of_the_remove_dag_removes_nothing(bag, bw):
    dr = bag.get_dag(REMOVE).test(run_conf={"numbers": ["+13035550100"], "dry_run": True, "grace_period": 1})
    assert dr.state == DagRunState.SUCCESS
    assert changing_calls(bw) == []
    assert rows_by_number(report_of(dr))["+13035550100"]["outcome"] == "would_order"


def test_a_run_under_the_threshold_orders_without_asking(bag, bw, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD", "3")
    dr = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert dr.state == DagRunState.SUCCESS
    assert report_of(dr)["approval"]["decision"] == "not_needed"


def test_an_approved_run_orders_and_the_report_names_the_approver(bag, bw, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD", "2")
    with answering(IMPORT, "Approve") as answered:
        dr = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert [a["status"] for a in answered] == [200]
    assert dr.state == DagRunState.SUCCESS
    report = report_of(dr)
    approval = report["approval"]
    assert (approval["decision"], approval["by"], approval["numbers"]) == ("approved", "ops-lead", 2)
    assert approval["at"]
    assert {r["outcome"] for r in report["rows"]} == {"in_service"}
    assert len(api_calls(bw, "importTnOrders.create")) == 1
    asked = answered[0]["asked"]
    assert asked["subject"] == "Approve import orders for 2 numbers?"
    assert asked["options"] == ["Approve", "Reject"] and asked["defaults"] == ["Reject"]
    assert "**2 numbers** in **1 import order(s)**" in asked["body"]
    assert "Site **14413**" in asked["body"] and "sample-loa.pdf" in asked["body"]


def test_a_rejected_run_orders_nothing_and_the_report_says_who_rejected_it(bag, bw, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD", "1")
    with answering(IMPORT, "Reject"):
        dr = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"]))
    assert dr.state == DagRunState.FAILED  # its numbers were not imported
    assert changing_calls(bw) == [] or all(r["endpoint"].startswith("subscriptions") for r in changing_calls(bw))
    assert api_calls(bw, "importTnOrders.create") == []
    row = rows_by_number(report_of(dr))["+13035550100"]
    assert row["outcome"] == "not_ordered"
    assert "rejected by ops-lead" in row["error_description"]


def test_an_approval_nobody_answers_times_out_and_orders_nothing(bag, bw, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD", "1")
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__APPROVAL_TIMEOUT_HOURS", str(2 / 3600))
    with timing_out(IMPORT):
        dr = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"]))
    assert api_calls(bw, "importTnOrders.create") == []
    report = report_of(dr)
    assert report["approval"]["decision"] == "timed_out"
    row = rows_by_number(report)["+13035550100"]
    assert row["outcome"] == "not_ordered" and "nobody approved" in row["error_description"]


def test_a_removal_waits_for_confirmation_by_default(bag, bw, monkeypatch):
    monkeypatch.delenv("AIRFLOW__BANDWIDTH__REMOVE_APPROVAL_THRESHOLD")  # the deployed default: 1
    imported = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"]))
    assert imported.state == DagRunState.SUCCESS
    with answering(REMOVE, "Approve") as answered:
        dr = bag.get_dag(REMOVE).test(
            run_conf={"numbers": ["+13035550100"], "grace_period": 3, "poll_interval": 0.3, "dry_run": False}
        )
    assert len(answered) == 1
    assert dr.state == DagRunState.SUCCESS
    assert report_of(dr)["approval"]["decision"] == "approved"
    assert rows_by_number(report_of(dr))["+13035550100"]["outcome"] == "removed"


def test_a_re_run_orders_only_the_failed_numbers_of_its_source_run(bag, bw):
    bw.seed(order_failures={"+13035550101": 5016})
    numbers = ["+13035550100", "+13035550101", "+13035550150"]
    bw.seed(checker_rejects={"+13035550150": 19005})
    first = bag.get_dag(IMPORT).test(run_conf=base_conf(numbers, chunk_size=1))
    assert first.state == DagRunState.FAILED
    assert rows_by_number(report_of(first))["+13035550101"]["outcome"] == "order_failed"
    bw.reset()
    bw.clear_requests()
    again = bag.get_dag(IMPORT).test(run_conf=base_conf(numbers, chunk_size=1, retry_failed_of_run=first.run_id))
    assert again.state == DagRunState.SUCCESS
    report = report_of(again)
    assert report["retry_failed_of_run"] == first.run_id
    assert [r["number"] for r in report["rows"]] == ["+13035550101"]
    creates = api_calls(bw, "importTnOrders.create")
    assert len(creates) == 1 and "3035550101" in creates[0]["body"] and "3035550100" not in creates[0]["body"]


def test_a_re_run_of_a_run_with_nothing_failed_is_refused_naming_the_field(bag, bw):
    first = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"]))
    assert first.state == DagRunState.SUCCESS
    bw.clear_requests()
    again = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"], retry_failed_of_run=first.run_id))
    assert again.state == DagRunState.FAILED
    assert task_states(again)["validate_request"] == TaskInstanceState.FAILED
    assert api_calls(bw) == []


def test_every_task_links_to_the_run_page_and_the_order_tasks_to_the_bandwidth_order(bag, bw):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    dr = bag.get_dag(IMPORT).test(run_conf=base_conf(["+13035550100"]))
    assert dr.state == DagRunState.SUCCESS
    with create_session() as session:
        rows = session.execute(
            select(XComModel.task_id, XComModel.key, XComModel.value).where(
                XComModel.dag_id == IMPORT, XComModel.run_id == dr.run_id
            )
        ).all()
    links: dict[str, dict[str, str]] = {}
    for task_id, key, value in rows:
        links.setdefault(task_id, {})[key] = str(value)
    report_key, order_key = "_link_HostedMessagingReportLink", "order_url"
    for task in bag.get_dag(IMPORT).tasks:
        assert "bandwidth-status/?dag_id=hosted_messaging_import&run_id=" in links[task.task_id][report_key], task
    order_id = report_of(dr)["rows"][0]["order_id"]
    for task_id in ("import_order.create", "import_order.wait"):
        assert f"/importTnOrders/{order_id}" in links[task_id][order_key]
    assert report_of(dr)["order_urls"][order_id].endswith(f"/accounts/9900000/importTnOrders/{order_id}")
