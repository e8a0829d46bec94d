"""Run the real hosted_messaging_import DAG with dag.test() (real trigger, real HTTP) against the sandbox."""

from __future__ import annotations

import pytest
from airflow.sdk import DagRunState, TaskInstanceState
from airflow.sdk.exceptions import ParamValidationError

from tests.dags.conftest import API_CONNECTIONS, deployed_with, on_api_version
from tests.dags_helpers import api_calls, base_conf, report_of, rows_by_number, task_states


@pytest.fixture(scope="module")
def import_dag(airflow_db, api_version):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS[api_version]):
        bag = DagBag()
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("hosted_messaging_import")


def test_all_numbers_import_and_are_in_service(import_dag, bw, inventory):
    numbers = ["+1 303-555-0100", "+13035550101", "(303) 555-0102", "303.555.0101"]
    dr = import_dag.test(run_conf=base_conf(numbers, chunk_size=2))
    assert dr.state == DagRunState.SUCCESS
    report = report_of(dr)
    # the report task recorded the run in the inventory: each number hosted, by this run, with its order
    records = inventory.ledger().numbers
    assert sorted(records) == ["+13035550100", "+13035550101", "+13035550102"]
    orders = {r["number"]: r["order_id"] for r in report["rows"]}
    assert {(n, r.status, r.imported.run_id, r.imported_order_id) for n, r in records.items()} == {
        (n, "hosted", dr.run_id, orders[n]) for n in records
    }
    assert [(r["dag_id"], r["run_id"], r["kind"], r["events"]) for r in inventory.runs()] == [
        ("hosted_messaging_import", dr.run_id, "import", 3)
    ]
    assert report["summary"] == {"total": 3, "in_service": 3}
    assert report["duplicates"] == ["+13035550101"]
    rows = rows_by_number(report)
    assert set(rows) == {"+13035550100", "+13035550101", "+13035550102"}
    assert all(r["order_status"] == "COMPLETE" and r["loa_file"] and r["in_service"] for r in rows.values())
    assert len(api_calls(bw, "importTnOrders.create")) == 2  # chunks of 2 → two orders
    assert len(api_calls(bw, "loas.upload")) == 2
    states = task_states(dr)
    assert states["import_order.wait[0]"] == states["import_order.wait[1]"] == TaskInstanceState.SUCCESS


@on_api_version("v2")
def test_rejected_numbers_are_skipped_and_reported(import_dag, bw, inventory):
    bw.seed(checker_rejects={"+13035550150": 19005})
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550150", "+13035550199"]))
    assert dr.state == DagRunState.SUCCESS
    # rejected numbers are in the run's history, not in the inventory (19006: hosted, but not by this project)
    assert sorted(inventory.ledger().numbers) == ["+13035550100"]
    assert [(e["kind"], e["outcome"]) for e in inventory.events_of("+13035550150")] == [("import", "rejected")]
    rows = rows_by_number(report_of(dr))
    assert rows["+13035550150"]["outcome"] == "rejected" and rows["+13035550150"]["checker_code"] == "19005"
    assert rows["+13035550199"]["checker_code"] == "19006"
    assert rows["+13035550100"]["outcome"] == "in_service"
    creates = api_calls(bw, "importTnOrders.create")
    assert len(creates) == 1 and "+13035550150" not in creates[0]["body"]


@on_api_version("v1")
def test_rejection_policy_fail_stops_before_ordering(import_dag, bw):
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550199"], rejection_policy="fail"))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["check_importability"] == TaskInstanceState.FAILED
    assert api_calls(bw, "importTnOrders.create") == []
    assert rows_by_number(report_of(dr))["+13035550199"]["outcome"] == "rejected"


def test_partial_order_reports_the_failed_number(import_dag, bw):
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550198"]))
    states = task_states(dr)
    assert states["import_order.wait[0]"] == TaskInstanceState.SUCCESS
    assert states["import_order.upload_loa[0]"] == TaskInstanceState.SUCCESS
    assert states["report"] == TaskInstanceState.FAILED  # a number that was ordered is not in service
    rows = rows_by_number(report_of(dr))
    assert rows["+13035550100"]["outcome"] == "in_service"
    assert rows["+13035550198"]["outcome"] == "order_failed"
    assert (rows["+13035550198"]["order_status"], rows["+13035550198"]["error_code"]) == ("PARTIAL", "7518")


def test_failed_order_fails_the_wait_naming_numbers_and_codes(import_dag, bw):
    bw.seed(order_failures={"+13035550100": 5016, "+13035550101": 5016})
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert dr.state == DagRunState.FAILED
    states = task_states(dr)
    assert states["import_order.wait[0]"] == TaskInstanceState.FAILED
    assert states["import_order.upload_loa[0]"] == TaskInstanceState.UPSTREAM_FAILED
    rows = rows_by_number(report_of(dr))
    assert {r["error_code"] for r in rows.values()} == {"5016"}
    assert {r["order_status"] for r in rows.values()} == {"FAILED"}
    assert api_calls(bw, "loas.upload") == []


@on_api_version("v2")
def test_exception_order_is_a_failure(import_dag, bw):
    bw.seed(order_failures={"+13035550100": "EXCEPTION"})
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert task_states(dr)["import_order.wait[0]"] == TaskInstanceState.FAILED
    assert {r["order_status"] for r in report_of(dr)["rows"]} == {"EXCEPTION"}


@on_api_version("v1")
def test_numbers_not_in_service_after_the_grace_period_are_reported(import_dag, bw):
    bw.seed(config={"inservice_delay_seconds": 3600})
    dr = import_dag.test(run_conf=base_conf(["+13035550100"], grace_period=1))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["verify_in_service"] == TaskInstanceState.SUCCESS
    row = rows_by_number(report_of(dr))["+13035550100"]
    assert (row["outcome"], row["in_service"]) == ("not_in_service", False)


@on_api_version("v2")
def test_numbers_appearing_within_the_grace_period_pass(import_dag, bw):
    bw.seed(config={"inservice_delay_seconds": 2})
    dr = import_dag.test(run_conf=base_conf(["+13035550100"], grace_period=20))
    assert dr.state == DagRunState.SUCCESS


@on_api_version("v1")
def test_rerun_reports_numbers_already_in_service_and_does_not_reorder(import_dag, bw):
    first = import_dag.test(run_conf=base_conf(["+13035550100"]))
    assert first.state == DagRunState.SUCCESS
    bw.clear_requests()
    again = import_dag.test(run_conf=base_conf(["+13035550100"]))
    assert again.state == DagRunState.SUCCESS
    assert rows_by_number(report_of(again))["+13035550100"]["outcome"] == "already_in_service"
    assert api_calls(bw, "importTnOrders.create") == []


def test_retry_after_lost_create_response_reuses_the_existing_order(import_dag, bw):
    bw.set_faults(
        [
            {"kind": "drop_response", "path": "importTnOrders(/messaging)?$", "method": "POST", "count": 1},
            # the immediate look-up fails too, so the task itself fails and Airflow retries it
            {"kind": "5xx", "status": 503, "path": "importTnOrders(/messaging)?$", "method": "GET", "count": 6},
        ]
    )
    dr = import_dag.test(run_conf=base_conf(["+13035550100", "+13035550101"]))
    assert dr.state == DagRunState.SUCCESS
    assert len(api_calls(bw, "importTnOrders.create")) == 1
    tries = {ti.task_id: ti.try_number for ti in dr.get_task_instances()}
    assert tries["import_order.create"] >= 2


@on_api_version("v2")
def test_loa_upload_is_not_repeated_when_the_order_already_has_it(import_dag, bw):
    bw.set_faults([{"kind": "drop_response", "path": "loas$", "method": "POST", "count": 1}])
    dr = import_dag.test(run_conf=base_conf(["+13035550100"]))
    assert dr.state == DagRunState.SUCCESS
    assert len(api_calls(bw, "loas.upload")) == 1
    assert rows_by_number(report_of(dr))["+13035550100"]["loa_file"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("numbers", []),
        ("numbers", [f"303555{i:04d}" for i in range(10_000)] * 10 + ["+13035550100"]),
        ("state_code", "Colorado"),
        ("zip", "8020"),
        ("customer_order_id_prefix", "bad_prefix!"),
        ("customer_order_id_prefix", "x" * 19),
        ("subscriber_name", "x" * 46),
        ("site_id", "abc"),
        ("rejection_policy", "ignore"),
        ("chunk_size", 5001),
        ("loa_file", ""),
    ],
)
def test_invalid_params_are_refused_before_the_run(import_dag, bw, field, value):
    with pytest.raises(ParamValidationError, match=field):
        import_dag.test(run_conf=base_conf(**{"numbers": ["+13035550100"], field: value}))
    assert api_calls(bw) == []


@pytest.mark.parametrize(
    "numbers, reason",
    [
        (["13035550100", "23035550100"], "entry 2: '23035550100' is not a 10-digit North American number"),
        (["303555010"], "'303555010' is not a 10-digit North American number"),
    ],
)
def test_a_bad_number_is_refused_in_plain_words_before_any_api_call(import_dag, bw, numbers, reason):
    """The form takes any text (a schema pattern would show the person a regular expression); the first task
    refuses the run, naming the entry, before anything reaches Bandwidth."""
    from bandwidth_hosted_messaging.inputs.errors import RequestError
    from bandwidth_hosted_messaging.inputs.request import normalize_numbers

    dr = import_dag.test(run_conf=base_conf(numbers))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["validate_request"] == TaskInstanceState.FAILED
    assert api_calls(bw) == []
    with pytest.raises(RequestError) as refused:
        normalize_numbers(numbers)
    assert reason in str(refused.value) and "^" not in str(refused.value)


def test_the_form_has_no_lo_a_default_and_a_run_without_one_is_refused(import_dag, bw):
    """Outside the demo nobody's LOA is the sample's: the field starts empty and is required."""
    from airflow.dag_processing.dagbag import DagBag

    fresh = DagBag().get_dag("hosted_messaging_import")  # dag.test() leaves a run's conf in its DAG's params
    assert fresh.params.dump()["loa_file"] is None
    conf = base_conf(["+13035550100"])
    del conf["loa_file"]
    with pytest.raises(ParamValidationError, match="loa_file"):
        fresh.test(run_conf=conf)
    assert api_calls(bw) == []


@pytest.mark.parametrize(
    "loa, message",
    [
        ("/nonexistent/loa.pdf", "does not exist"),
        (__file__, "not an accepted LOA type"),
        ("big.pdf", "the limit is"),
        ("empty.pdf", "is empty"),
    ],
)
def test_invalid_loa_fails_the_first_task_before_any_api_call(
    import_dag, bw, tmp_path, monkeypatch, loa, message, capfd
):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__LOA_ROOTS", str(tmp_path))  # the deployer's LOA folder
    (tmp_path / "big.pdf").write_bytes(b"%PDF" + b"0" * (5 * 1024 * 1024))
    (tmp_path / "empty.pdf").write_bytes(b"")
    if not loa.startswith("/"):
        loa = str(tmp_path / loa)
    dr = import_dag.test(run_conf=base_conf(loa_file=loa))
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["validate_request"] == TaskInstanceState.FAILED
    assert api_calls(bw) == []
    out = capfd.readouterr().out
    assert "Invalid import request: loa_file: " in out and message in out
