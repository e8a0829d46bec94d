"""ValidateRequestOperator: the request checked and normalised before any API call, or a failure naming the field."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException
from structlog.testing import capture_logs

from bandwidth_hosted_messaging.contracts import ORDER_DETAILS_FIELDS
from bandwidth_hosted_messaging.operators.request import ValidateRequestOperator
from tests.dags_helpers import base_conf
from tests.plugins.bandwidth_hosted_messaging.task_context import make_context


def validate(order_kind="import", values=None, params=None, **kw):
    context = make_context(params=params)
    operator = ValidateRequestOperator(task_id="validate_request", order_kind=order_kind, values=values, **kw)
    return operator.execute(context), context["ti"]


def test_an_import_request_is_returned_normalised_and_its_loa_pushed_under_loa():
    output, ti = validate(values=base_conf(numbers=["+1 303 555 0100", "303-555-0101"], state_code="co"))
    assert output["numbers"] == ["+13035550100", "+13035550101"]
    assert output["state_code"] == "CO"
    assert output["site_id"] == "14413"
    assert output["rejection_policy"] == "skip"
    loa = ti.pushed("loa")
    assert loa == output["loa"]
    assert (loa["file_name"], loa["content_type"]) == ("sample-loa.pdf", "application/pdf")
    details = ti.pushed("order_details")  # what each create task pulls instead of the whole request
    assert details == {field: output[field] for field in ORDER_DETAILS_FIELDS}
    assert details["site_id"] == "14413" and details["state_code"] == "CO"
    assert "numbers" not in details


def test_without_values_the_dag_runs_params_are_read():
    output, _ = validate(params=base_conf(numbers=["+13035550177"]))
    assert output["numbers"] == ["+13035550177"]


def test_a_remove_request_holds_only_numbers_prefix_chunk_size_and_dry_run_and_pushes_no_loa():
    output, ti = validate("remove", values={"numbers": ["303.555.0100"], "chunk_size": 50, "state_code": "bad"})
    assert output == {
        "numbers": ["+13035550100"],
        "duplicates": [],
        "customer_order_id_prefix": "remove",
        "chunk_size": 50,
        "dry_run": False,
    }
    assert ti.pushed("loa") is None


@pytest.mark.parametrize(
    "kind, overrides, field",
    [
        ("import", {"zip": "80"}, "zip"),
        ("import", {"site_id": "abc"}, "site_id"),
        ("import", {"loa_file": "/nowhere/loa.pdf"}, "loa_file"),
        ("import", {"numbers": ["555-0100"]}, "numbers"),
        ("remove", {"chunk_size": 6000}, "chunk_size"),
    ],
)
def test_an_invalid_field_fails_the_task_without_retry_naming_the_field(kind, overrides, field):
    with pytest.raises(AirflowFailException) as info:
        validate(kind, values=base_conf(**overrides))
    assert str(info.value).startswith(f"Invalid {kind} request: {field}: ")


def test_without_the_loa_check_a_missing_loa_file_passes_and_only_its_location_is_pushed():
    output, ti = validate(values=base_conf(loa_file="/nowhere/loa.pdf"), check_loa=False)
    assert ti.pushed("loa") == {"location": "/nowhere/loa.pdf"}
    assert output["loa"] == {"location": "/nowhere/loa.pdf"}


def test_duplicates_are_returned_and_logged_as_a_warning():
    with capture_logs() as logs:
        output, _ = validate(values=base_conf(numbers=["+13035550100", "303-555-0100", "+13035550101"]))
    assert output["numbers"] == ["+13035550100", "+13035550101"]
    assert output["duplicates"] == ["+13035550100"]
    assert "Removed 1 duplicate number(s): +13035550100" in [e["event"] for e in logs if e["log_level"] == "warning"]


def test_an_unknown_order_kind_is_refused_when_the_dag_is_built():
    with pytest.raises(ValueError):
        ValidateRequestOperator(task_id="validate_request", order_kind="port")
