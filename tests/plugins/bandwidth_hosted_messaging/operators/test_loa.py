"""UploadLoaOperator against the sandbox: the LOA goes to orders that went through, once, even across retries."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
from bandwidth_hosted_messaging.constants import LOA_MAX_BYTES
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.inputs.loa_file import check_loa_file
from bandwidth_hosted_messaging.operators.loa import UploadLoaOperator
from bandwidth_hosted_messaging.statuses import OrderKind
from tests.dags_helpers import SAMPLE_LOA, api_calls
from tests.plugins.bandwidth_hosted_messaging.task_context import make_context

LOA = check_loa_file(SAMPLE_LOA).to_dict()


def final_order(bw, status, numbers=("+13035550100",)):
    """A real sandbox order, forced to ``status``, as the sensor's ``order`` XCom holds it."""
    hook = BandwidthHook("bandwidth_default")
    created = hook.create_import_order(
        ImportTnOrderRequest(
            customer_order_id="loa-test",
            site_id="14413",
            subscriber_name="Acme Dental",
            service_address=ServiceAddress("900", "Main St", "Denver", "CO", "80202"),
            loa_authorizing_person="Jane Doe",
            numbers=list(numbers),
        )
    )
    bw.force_status(created.order_id, status)
    order = hook.get_order(OrderKind.IMPORT, created.order_id).to_dict()
    bw.clear_requests()
    return order


def upload(order, try_number=1, loa=LOA):
    context = make_context(task_id="upload_loa", try_number=try_number)
    return UploadLoaOperator(task_id="upload_loa", order=order, loa=loa).execute(context)


@pytest.mark.parametrize("status", ["COMPLETE", "PARTIAL"])
def test_the_loa_is_uploaded_to_an_order_that_went_through(bw, status):
    order = final_order(bw, status, numbers=("+13035550100", "+13035550198"))
    result = upload(order)
    assert result["status"] == "uploaded"
    assert result["order_id"] == order["order_id"]
    [call] = api_calls(bw, "loas.upload")
    assert call["content_type"] == "application/pdf"
    assert call["body_bytes"] == Path(SAMPLE_LOA).stat().st_size
    assert api_calls(bw, "loas.list") == []
    files = BandwidthHook("bandwidth_default").list_loas(order["order_id"])
    assert [f.file_name for f in files] == [result["file_name"]]


@pytest.mark.parametrize("status", ["FAILED", "EXCEPTION"])
def test_an_order_that_did_not_go_through_is_skipped_without_any_call(bw, status):
    order = final_order(bw, status)
    assert upload(order, try_number=2) == {"order_id": order["order_id"], "file_name": None, "status": "skipped"}
    assert api_calls(bw) == []


def test_a_retry_finds_the_loa_an_earlier_try_uploaded_and_does_not_upload_again(bw):
    order = final_order(bw, "COMPLETE")
    first = upload(order)
    again = upload(order, try_number=2)
    assert again == {"order_id": order["order_id"], "file_name": first["file_name"], "status": "already_present"}
    assert len(api_calls(bw, "loas.upload")) == 1
    assert len(BandwidthHook("bandwidth_default").list_loas(order["order_id"])) == 1


def test_a_retry_ignores_documents_that_are_not_an_loa(bw):
    order = final_order(bw, "COMPLETE")
    BandwidthHook("bandwidth_default").upload_loa(order["order_id"], b"%PDF-1.4 invoice", "application/pdf", "INVOICE")
    result = upload(order, try_number=2)
    assert result["status"] == "uploaded"
    assert len(api_calls(bw, "loas.upload")) == 2


def test_a_retry_without_an_earlier_upload_uploads(bw):
    order = final_order(bw, "COMPLETE")
    assert upload(order, try_number=2)["status"] == "uploaded"
    assert len(api_calls(bw, "loas.list")) == 1
    assert len(api_calls(bw, "loas.upload")) == 1


def test_an_loa_grown_over_the_limit_since_validation_fails_the_task_naming_loa_file(bw, tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__LOA_ROOTS", str(tmp_path))
    order = final_order(bw, "COMPLETE")
    big = tmp_path / "loa.pdf"
    big.write_bytes(b"%PDF" + b"0" * LOA_MAX_BYTES)
    with pytest.raises(AirflowFailException, match=r"^loa_file: .*loa\.pdf is \d+ bytes; the limit is 5242880$"):
        upload(order, loa={**LOA, "location": str(big)})
    assert api_calls(bw, "loas.upload") == []
