"""Run the real hosted_messaging_remove DAG with dag.test() against the sandbox."""

from __future__ import annotations

import pytest
from airflow.sdk import DagRunState, TaskInstanceState

from tests.dags.conftest import API_CONNECTIONS, deployed_with, on_api_version
from tests.dags_helpers import api_calls, base_conf, report_of, rows_by_number, task_states

REMOVE_CONF = {"poll_interval": 0.3, "grace_period": 3, "customer_order_id_prefix": "rm"}


@pytest.fixture(scope="module")
def dags(airflow_db, api_version):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS[api_version]):
        bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import"), bag.get_dag("hosted_messaging_remove")


def test_remove_after_import_takes_the_numbers_out_of_service(dags, bw, inventory):
    import_dag, remove_dag = dags
    imported = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert imported.state == DagRunState.SUCCESS
    dr = remove_dag.test(run_conf={**REMOVE_CONF, "numbers": ["+1 303 555 0100", "+13035550101"]})
    assert dr.state == DagRunState.SUCCESS
    # the inventory: both removed by this run, still naming the import that brought them in
    records = inventory.ledger().numbers
    assert {(n, r.status, r.imported.run_id, r.removed.run_id) for n, r in records.items()} == {
        (n, "removed", imported.run_id, dr.run_id) for n in ("+13035550100", "+13035550101")
    }
    assert inventory.numbers_to_check().numbers == []
    report = report_of(dr)
    assert report["summary"] == {"total": 2, "removed": 2}
    assert {r["in_service"] for r in report["rows"]} == {False}
    assert len(api_calls(bw, "removeImportedTnOrders.create")) == 1


@on_api_version("v1")
def test_removing_numbers_never_imported_gives_clear_per_number_errors(dags, bw, inventory):
    _, remove_dag = dags
    dr = remove_dag.test(run_conf={**REMOVE_CONF, "numbers": ["+13035550150", "+13035550151"]})
    assert dr.state == DagRunState.FAILED
    assert inventory.counts() == {"hosted": 0, "removed": 0, "lost": 0}  # a removal of what was never imported
    assert [r["events"] for r in inventory.runs()] == [2]  # but the run and its two rows are recorded
    assert task_states(dr)["remove_order.wait[0]"] == TaskInstanceState.FAILED
    rows = rows_by_number(report_of(dr))
    assert {(r["outcome"], r["error_code"], r["order_status"]) for r in rows.values()} == {
        ("remove_failed", "5158", "FAILED")
    }


@on_api_version("v2")
def test_partial_removal_reports_each_number(dags, bw):
    import_dag, remove_dag = dags
    assert import_dag.test(run_conf=base_conf(["+13035550100"])).state == DagRunState.SUCCESS
    dr = remove_dag.test(run_conf={**REMOVE_CONF, "numbers": ["+13035550100", "+13035550150"]})
    assert task_states(dr)["remove_order.wait[0]"] == TaskInstanceState.SUCCESS
    assert task_states(dr)["report"] == TaskInstanceState.FAILED
    rows = rows_by_number(report_of(dr))
    assert rows["+13035550100"]["outcome"] == "removed"
    assert (rows["+13035550150"]["outcome"], rows["+13035550150"]["error_code"]) == ("remove_failed", "5158")


def test_retry_after_lost_create_response_reuses_the_remove_order(dags, bw):
    import_dag, remove_dag = dags
    assert import_dag.test(run_conf=base_conf(["+13035550100"])).state == DagRunState.SUCCESS
    bw.clear_requests()
    bw.set_faults(
        [
            {"kind": "drop_response", "path": "removeImportedTnOrders(/messaging)?$", "method": "POST", "count": 1},
            {"kind": "5xx", "status": 503, "path": "removeImportedTnOrders(/messaging)?$", "method": "GET", "count": 6},
        ]
    )
    dr = remove_dag.test(run_conf={**REMOVE_CONF, "numbers": ["+13035550100"]})
    assert dr.state == DagRunState.SUCCESS
    assert len(api_calls(bw, "removeImportedTnOrders.create")) == 1


def test_invalid_numbers_are_refused_before_any_api_call(dags, bw):
    _, remove_dag = dags
    dr = remove_dag.test(run_conf={**REMOVE_CONF, "numbers": ["23035550100"]})
    assert dr.state == DagRunState.FAILED
    assert {ti.task_id: ti.state for ti in dr.get_task_instances()}["validate_request"] == TaskInstanceState.FAILED
    assert api_calls(bw) == []
