"""The manual DAGs' forms: every field's schema declares JSON Schema draft 7, and the form still refuses what it
refused under the default draft."""

from __future__ import annotations

import copy

import pytest
from airflow.sdk import Param
from airflow.sdk.exceptions import ParamValidationError

from bandwidth_hosted_messaging.constants import IMPORT_DAG, MAX_BATCH_NUMBERS, ORDER_MAX_NUMBERS, REMOVE_DAG
from bandwidth_hosted_messaging.flows.params import SCHEMA_DRAFT, form_params
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def manual_dags():
    from airflow.dag_processing.dagbag import DagBag

    dags = {}
    for name in ("hosted_messaging_import.py", "hosted_messaging_remove.py"):
        bag = DagBag(dag_folder=str(ROOT / "dags" / name))
        assert not bag.import_errors, bag.import_errors
        dags.update(bag.dags)
    return dags


@pytest.mark.parametrize("dag_id", [IMPORT_DAG, REMOVE_DAG])
def test_every_field_of_a_manual_dags_form_and_of_its_tasks_declares_draft_7(manual_dags, dag_id):
    dag = manual_dags[dag_id]
    holders = [dag, *dag.tasks]
    drafts = {h.params.get_param(k).schema.get("$schema") for h in holders for k in h.params}
    assert drafts == {SCHEMA_DRAFT}
    assert len(dag.params) >= 7


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("numbers", []),  # minItems
        ("numbers", ["3035550100"] * (MAX_BATCH_NUMBERS + 1)),  # maxItems
        ("numbers", [""]),  # items' minLength
        ("subscriber_name", ""),  # minLength
        ("subscriber_name", "x" * 46),  # maxLength
        ("state_code", "Colorado"),  # pattern
        ("zip", "8020"),  # pattern
        ("county", 7),  # type ["null", "string"]
        ("chunk_size", 0),  # minimum
        ("chunk_size", ORDER_MAX_NUMBERS + 1),  # maximum
        ("rejection_policy", "ignore"),  # enum
    ],
)
def test_the_import_form_still_refuses_what_its_schema_forbids(manual_dags, field, value):
    param = copy.copy(manual_dags[IMPORT_DAG].params.get_param(field))  # resolve() keeps the value it resolves
    assert param.schema["$schema"] == SCHEMA_DRAFT
    with pytest.raises(ParamValidationError):
        param.resolve(value)


def test_the_import_form_accepts_a_valid_request(manual_dags):
    def resolved(field, value):
        return copy.copy(manual_dags[IMPORT_DAG].params.get_param(field)).resolve(value)

    assert resolved("state_code", "co") == "co"
    assert resolved("zip", "80202-1234") == "80202-1234"
    assert resolved("county", None) is None
    assert resolved("numbers", ["+13035550100"]) == ["+13035550100"]
    assert resolved("chunk_size", ORDER_MAX_NUMBERS) == ORDER_MAX_NUMBERS


def test_a_field_that_names_its_own_draft_keeps_it():
    kept = "https://json-schema.org/draft/2020-12/schema"
    params = form_params({"a": Param(1, type="integer"), "b": Param(2, schema={"$schema": kept, "type": "integer"})})
    assert params["a"].schema["$schema"] == SCHEMA_DRAFT and params["b"].schema["$schema"] == kept
