"""
What a hostile or careless person triggering a run, or writing a batch file, cannot do (issue 13: H1, H2, L14).
Real runs with ``dag.test()`` against the sandbox; the sandbox's request log shows what reached "Bandwidth".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from airflow.sdk import DagRunState

from tests.dags_helpers import ROOT, SAMPLE_LOA, api_calls, base_conf, task_states

VICTIM = {"conn_type": "http", "host": "https://victim.example.com/hook", "login": "victim-user", "password": "vpw-93"}
CALLBACK = {"conn_type": "http", "host": "http://127.0.0.1:9/bandwidth/callbacks", "login": "bw-cb", "password": "cb-1"}


@pytest.fixture
def connections(monkeypatch, sandbox):
    monkeypatch.setenv("AIRFLOW_CONN_VICTIM", json.dumps(VICTIM))
    monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_CALLBACK", json.dumps(CALLBACK))


def parse(path, monkeypatch, **config):
    """The DAGs of ``path`` as deployed with ``[bandwidth]`` ``config``."""
    from airflow.dag_processing.dagbag import DagBag

    for key, value in config.items():
        monkeypatch.setenv(f"AIRFLOW__BANDWIDTH__{key.upper()}", value)
    bag = DagBag(dag_folder=str(path))
    assert not bag.import_errors, bag.import_errors
    return bag


def test_the_trigger_form_cannot_choose_a_connection(airflow_db, bw, connections, monkeypatch):
    dag = parse(ROOT / "dags" / "hosted_messaging_import.py", monkeypatch).get_dag("hosted_messaging_import")
    assert not {"bandwidth_conn_id", "callback_conn_id"} & set(dag.params)
    conf = base_conf(["+13035550100"], bandwidth_conn_id="victim", callback_conn_id="victim")
    dr = dag.test(run_conf=conf)
    assert dr.state == DagRunState.SUCCESS
    created = api_calls(bw, "subscriptions.create")
    assert created and all("victim" not in call["body"] for call in created)
    assert all("bw-cb" in call["body"] for call in created)
    assert all("victim" not in json.dumps(call) for call in api_calls(bw))


def test_a_connection_of_the_wrong_type_fails_at_once_naming_it(airflow_db, bw, connections, monkeypatch):
    dag = parse(ROOT / "dags" / "hosted_messaging_import.py", monkeypatch, conn_id="victim", callback_conn_id="victim")
    dr = dag.get_dag("hosted_messaging_import").test(run_conf=base_conf(["+13035550100"]))
    assert dr.state == DagRunState.FAILED
    states = task_states(dr)
    assert states["check_importability"] == states["ensure_subscription"] == "failed"
    assert api_calls(bw) == []  # neither connection's credentials reached "Bandwidth"
    tis = {ti.task_id: ti for ti in dr.get_task_instances()}
    assert tis["check_importability"].try_number == 1  # failed at once, not after retries


def test_a_callback_connection_of_another_type_is_refused(airflow_db, bw, connections, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_NOT_HTTP", json.dumps({**VICTIM, "conn_type": "postgres"}))
    dag = parse(ROOT / "dags" / "hosted_messaging_import.py", monkeypatch, callback_conn_id="not_http")
    dr = dag.get_dag("hosted_messaging_import").test(run_conf=base_conf(["+13035550100"]))
    assert task_states(dr)["ensure_subscription"] == "failed"
    assert api_calls(bw, "subscriptions.create") == [] and api_calls(bw, "subscriptions.update") == []


def test_batch_file_values_are_never_rendered_as_templates(airflow_db, bw, connections, monkeypatch, tmp_path):
    batches = tmp_path / "batches"
    (batches / "loa").mkdir(parents=True)
    (batches / "loa" / "loa.pdf").write_bytes(Path(SAMPLE_LOA).read_bytes())
    (batches / "jinja.yaml").write_text(
        "name: jinja\n"
        "site_id: '14413'\n"
        "subscriber:\n"
        "  name: '{{ conn.victim.password }}'\n"
        "  house_number: '900'\n"
        "  street_name: '{{ 7*7 }} Main St'\n"
        "  city: Denver\n  state_code: CO\n  zip: '80202'\n"
        "loa_authorizing_person: Jane Doe\n"
        "loa_file: loa/loa.pdf\n"
        "numbers: ['+13035550100']\n"
        "poll_interval: 0.3\ngrace_period: 3\n"
    )
    monkeypatch.setenv("BANDWIDTH_BATCH_FOLDER", str(batches))
    bag = parse(ROOT / "dags" / "import_batches.py", monkeypatch, loa_roots=str(batches / "loa"))
    dr = bag.get_dag("import_batch_jinja").test()
    assert dr.state == DagRunState.SUCCESS
    (order,) = api_calls(bw, "importTnOrders.create")
    assert "<Name>{{ conn.victim.password }}</Name>" in order["body"]
    assert "{{ 7*7 }} Main St" in order["body"] and "49 Main St" not in order["body"]
    assert VICTIM["password"] not in json.dumps(api_calls(bw))
    request = next(ti for ti in dr.get_task_instances() if ti.task_id == "validate_request").xcom_pull(
        task_ids="validate_request"
    )
    assert request["subscriber_name"] == "{{ conn.victim.password }}"


@pytest.mark.parametrize(
    "field, value",
    [
        ("street_name", "Main St\n<Evil/>"),
        ("city", "Denver\x00"),
        ("house_number", "9" * 21),
        ("zip", "８０２０２"),
        ("site_id", "١٤٤١٣"),
        ("chunk_size", 1.5),
    ],
)
def test_careless_values_are_refused_before_any_api_call_naming_the_field(airflow_db, bw, monkeypatch, field, value):
    """Issue 13, L9: each is refused by the first task, before the subscription, checker or order calls."""
    dag = parse(ROOT / "dags" / "hosted_messaging_import.py", monkeypatch).get_dag("hosted_messaging_import")
    conf = base_conf(["+13035550100"], **{field: value})
    try:
        dr = dag.test(run_conf=conf)
    except Exception as err:  # the form's own schema refused it when the run was created
        assert field in str(err)
        assert api_calls(bw) == []
        return
    assert dr.state == DagRunState.FAILED
    assert task_states(dr)["validate_request"] == "failed"
    assert api_calls(bw) == []
