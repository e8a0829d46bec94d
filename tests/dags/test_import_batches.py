"""The batch DAG file: one DAG per batch, bad batches reported as an import error, runs against the sandbox."""

from __future__ import annotations

import json

import pytest
import yaml
from airflow.sdk import DagRunState

from tests.dags.conftest import API_CONNECTIONS, on_api_version
from tests.dags_helpers import ROOT, api_calls, batch_fields, report_of, rows_by_number

BATCH = batch_fields(
    name="dental_north",
    schedule="@daily",
    numbers=["+13035550100", "+13035550101", "+13035550199"],
    customer_order_id_prefix="north",
    poll_interval=0.3,
    grace_period=3,
)


@pytest.fixture
def batch_bag(airflow_db, tmp_path, monkeypatch, api_version):
    def build(files: dict[str, object]):
        from airflow.dag_processing.dagbag import DagBag

        for name, data in files.items():
            (tmp_path / name).write_text(data if isinstance(data, str) else yaml.safe_dump(data))
        monkeypatch.setenv("BANDWIDTH_BATCH_FOLDER", str(tmp_path))
        monkeypatch.setenv("AIRFLOW__BANDWIDTH__CONN_ID", API_CONNECTIONS[api_version])
        return DagBag(dag_folder=str(ROOT / "dags" / "import_batches.py"))

    return build


def test_each_batch_file_gets_its_dag_with_the_import_chain(batch_bag):
    bag = batch_bag({"north.yaml": BATCH, "south.yaml": {**BATCH, "name": "dental_south", "schedule": None}})
    assert not bag.import_errors
    assert set(bag.dag_ids) == {"import_batch_dental_north", "import_batch_dental_south"}
    north = bag.get_dag("import_batch_dental_north")
    assert {"validate_request", "check_importability", "import_order.create", "import_order.wait", "report"} <= set(
        north.task_ids
    )


@on_api_version("v1")
def test_a_malformed_batch_becomes_an_invalid_dag_naming_file_field_and_rule_and_the_rest_load(batch_bag, tmp_path):
    bad = {**BATCH, "name": "broken", "subscriber": {**BATCH["subscriber"], "state_code": "Colorado"}}
    bag = batch_bag({"north.yaml": BATCH, "broken.yaml": bad, "garbage.yaml": "numbers: [unclosed\n"})
    assert not bag.import_errors  # an import error would mark every batch DAG of the file stale
    assert "import_batch_dental_north" in bag.dag_ids
    broken, garbage = bag.get_dag("import_batch_broken"), bag.get_dag("import_batch_garbage")
    assert "invalid" in broken.tags and "invalid" in garbage.tags
    assert f"{tmp_path / 'broken.yaml'}: subscriber.state_code: must be two letters" in broken.description
    assert "Colorado" not in broken.description  # the rule, never the value
    assert f"{tmp_path / 'garbage.yaml'}: not valid YAML at line 2" in garbage.description
    run = broken.test()
    assert run.state == DagRunState.FAILED


def test_a_batch_dag_runs_and_a_rerun_does_not_reorder(batch_bag, bw):
    dag = batch_bag({"north.yaml": BATCH}).get_dag("import_batch_dental_north")
    first = dag.test()
    assert first.state == DagRunState.SUCCESS
    rows = rows_by_number(report_of(first))
    assert [rows[n]["outcome"] for n in ("+13035550100", "+13035550101", "+13035550199")] == [
        "in_service",
        "in_service",
        "rejected",
    ]
    bw.clear_requests()
    again = dag.test()
    assert again.state == DagRunState.SUCCESS
    rows = rows_by_number(report_of(again))
    assert {rows[n]["outcome"] for n in ("+13035550100", "+13035550101")} == {"already_in_service"}
    assert api_calls(bw, "importTnOrders.create") == []


@on_api_version("v2")
def test_a_batch_file_can_ask_for_a_dry_run(batch_bag, bw):
    dag = batch_bag({"north.yaml": {**BATCH, "dry_run": True}}).get_dag("import_batch_dental_north")
    assert "Dry run" in dag.doc_md
    dr = dag.test()
    assert dr.state == DagRunState.SUCCESS
    assert {rows_by_number(report_of(dr))[n]["outcome"] for n in ("+13035550100", "+13035550101")} == {"would_order"}
    assert api_calls(bw, "importTnOrders.create") == [] and api_calls(bw, "subscriptions.create") == []


@on_api_version("v1")
def test_a_batch_files_approval_threshold_holds_its_run_for_approval(batch_bag, bw):
    from tests.dags.approvals import answering

    dag = batch_bag({"north.yaml": {**BATCH, "approval_threshold": 2}}).get_dag("import_batch_dental_north")
    with answering("import_batch_dental_north", "Reject") as answered:
        dr = dag.test()
    assert len(answered) == 1 and answered[0]["status"] == 200
    assert report_of(dr)["approval"]["decision"] == "rejected"
    assert api_calls(bw, "importTnOrders.create") == []


@on_api_version("v2")
def test_a_batch_run_re_orders_only_the_failed_numbers_of_the_run_its_conf_names(batch_bag, bw):
    bw.seed(order_failures={"+13035550101": 5016})
    dag = batch_bag({"north.yaml": {**BATCH, "chunk_size": 1}}).get_dag("import_batch_dental_north")
    first = dag.test()
    assert first.state == DagRunState.FAILED
    bw.reset()
    bw.clear_requests()
    again = dag.test(run_conf={"retry_failed_of_run": first.run_id})
    assert again.state == DagRunState.SUCCESS
    assert [r["number"] for r in report_of(again)["rows"]] == ["+13035550101"]
    assert len(api_calls(bw, "importTnOrders.create")) == 1


@on_api_version("v1")
def test_the_dag_file_leaves_the_numbers_to_the_first_task(batch_bag, bw, tmp_path):
    """Parsing reads what shapes the DAG; the numbers file is read (and checked) when a run starts."""
    from airflow.serialization.serialized_objects import DagSerialization

    (tmp_path / "north.csv").write_text("number\n+13035550100\n+13035550101\n")
    fields = {k: v for k, v in BATCH.items() if k != "numbers"}
    dag = batch_bag({"north.yaml": {**fields, "numbers_file": "north.csv"}}).get_dag("import_batch_dental_north")
    assert "3035550100" not in json.dumps(DagSerialization.to_dict(dag))  # no number in the serialised DAG
    (tmp_path / "north.csv").write_text("number\n+13035550100\n23035550100\n")  # edited after the parse
    dr = dag.test()
    assert dr.state == DagRunState.FAILED
    assert {ti.task_id: ti.state for ti in dr.get_task_instances()}["validate_request"] == "failed"
    assert api_calls(bw) == []
    (tmp_path / "north.csv").write_text("number\n+13035550100\n+13035550101\n+13035550102\n")
    dr = dag.test()
    assert dr.state == DagRunState.SUCCESS
    assert len(report_of(dr)["rows"]) == 3  # the file as it is when the run starts


def test_a_task_process_builds_only_its_own_batch_dag(batch_bag, monkeypatch):
    """Airflow's task runner parses the DAG file again with its DAG id in the parsing context."""
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "import_batch_dental_south")
    bag = batch_bag({"north.yaml": BATCH, "south.yaml": {**BATCH, "name": "dental_south"}, "bad.yaml": "x: ["})
    assert set(bag.dag_ids) == {"import_batch_dental_south"}
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "import_batch_bad")
    assert set(batch_bag({}).dag_ids) == {"import_batch_bad"}
