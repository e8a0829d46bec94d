"""Reading Bandwidth's answers: the three error shapes, order forms, LOA and in-service documents."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client import endpoints as api
from bandwidth_hosted_messaging.client.calls import ApiResponse, raise_for_response
from bandwidth_hosted_messaging.client.errors import BandwidthApiError
from bandwidth_hosted_messaging.statuses import OrderKind, ProcessingStatus, UnknownStatusError


def response(status, body, **headers):
    return ApiResponse(status, headers, body.encode() if isinstance(body, str) else body)


def test_error_shape_1_response_status():
    call = api.get_order(OrderKind.REMOVE, "not-a-uuid")
    body = "<RemoveImportedTnOrdersReportResponse><ResponseStatus><ErrorCode>1008</ErrorCode><Description>not a UUID</Description></ResponseStatus></RemoveImportedTnOrdersReportResponse>"
    with pytest.raises(BandwidthApiError) as info:
        raise_for_response(call, response(400, body))
    assert info.value.codes == ["1008"] and "not a UUID" in str(info.value)


def test_error_shape_2_repeated_errors_under_the_root():
    body = (
        "<ImportTnOrderResponse><ProcessingStatus>FAILED</ProcessingStatus>"
        "<Errors><Code>7309</Code><Description>SiteId missing</Description></Errors>"
        "<Errors><Code>7312</Code><Description>SipPeerId invalid</Description></Errors></ImportTnOrderResponse>"
    )
    with pytest.raises(BandwidthApiError) as info:
        raise_for_response(api.list_sites(), response(400, body))
    assert info.value.codes == ["7309", "7312"]


def test_error_code_inside_a_2xx_is_an_error():
    body = "<X><ResponseStatus><ErrorCode>1001</ErrorCode><Description>denied</Description></ResponseStatus></X>"
    with pytest.raises(BandwidthApiError) as info:
        raise_for_response(api.list_sites(), response(200, body))
    assert info.value.codes == ["1001"]


def test_non_xml_error_body_gives_status_and_excerpt():
    with pytest.raises(BandwidthApiError) as info:
        raise_for_response(
            api.list_sites(), response(502, "<html><body>Bad gateway</body></html>" * 20, **{"X-Request-Id": "r-1"})
        )
    err = info.value
    assert err.status == 502 and err.request_id == "r-1"
    assert "Bad gateway" in str(err) and len(err.excerpt) <= 200


def test_hostile_xml_in_an_error_body_is_not_expanded():
    body = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    with pytest.raises(BandwidthApiError) as info:
        raise_for_response(api.list_sites(), response(400, body))
    assert "root:" not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        "<ImportTnOrdersResponse><ImportTnOrder><OrderId>o-1</OrderId><ProcessingStatus>PARTIAL</ProcessingStatus>{rest}</ImportTnOrder></ImportTnOrdersResponse>",
        "<ImportTnOrderResponse><ImportTnOrder><OrderId>o-1</OrderId><ProcessingStatus>partial</ProcessingStatus>{rest}</ImportTnOrder></ImportTnOrderResponse>",
        "<ImportTnOrderResponse><OrderId>o-1</OrderId><ProcessingStatus>PARTIAL</ProcessingStatus>{rest}</ImportTnOrderResponse>",
        "<ImportTnOrder>{rest}<ProcessingStatus>PARTIAL</ProcessingStatus><OrderId>o-1</OrderId></ImportTnOrder>",
    ],
    ids=["live-wrapped", "docs-wrapped-lowercase-status", "flat", "bare-reordered"],
)
def test_every_order_form_parses_with_per_number_errors(body):
    rest = (
        "<CustomerOrderID>c-1</CustomerOrderID><TelephoneNumbers><TelephoneNumber>3035550100</TelephoneNumber>"
        "<TelephoneNumber>3035550101</TelephoneNumber></TelephoneNumbers>"
        "<Errors><Error><Code>7518</Code><Description>not active</Description>"
        "<TelephoneNumbers><TelephoneNumber>3035550101</TelephoneNumber></TelephoneNumbers></Error></Errors>"
    )
    order = api.get_order(OrderKind.IMPORT, "o-1").parse(response(200, body.format(rest=rest)))
    assert order.order_id == "o-1" and order.customer_order_id == "c-1"
    assert order.status is ProcessingStatus.PARTIAL
    assert order.completed_numbers() == ("+13035550100",)
    assert order.failed_numbers()["+13035550101"].code == "7518"


def test_failed_order_fails_every_number_with_the_order_level_error():
    body = (
        "<ImportTnOrder><OrderId>o-2</OrderId><ProcessingStatus>FAILED</ProcessingStatus>"
        "<TelephoneNumbers><TelephoneNumber>3035550100</TelephoneNumber></TelephoneNumbers>"
        "<Errors><Error><Code>5016</Code><Description>The SiteId submitted is invalid</Description></Error></Errors></ImportTnOrder>"
    )
    order = api.get_order(OrderKind.IMPORT, "o-2").parse(response(200, body))
    assert order.failed_numbers()["+13035550100"].code == "5016"
    assert order.completed_numbers() == ()


def test_unknown_processing_status_fails_loudly():
    body = "<ImportTnOrder><OrderId>o-3</OrderId><ProcessingStatus>ON_HOLD</ProcessingStatus></ImportTnOrder>"
    with pytest.raises(UnknownStatusError, match="ON_HOLD"):
        api.get_order(OrderKind.IMPORT, "o-3").parse(response(200, body))


def test_in_service_next_link_keeps_only_its_query():
    body = (
        "<TNs><TotalCount>3</TotalCount><Links>"
        '<first>Link=&lt;https://dashboard.bandwidth.com:443/v1.0/accounts/1/inserviceNumbers?page=1&amp;size=2&gt;;rel="first";</first>'
        '<next>Link=&lt;https://dashboard.bandwidth.com:443/v1.0/accounts/1/inserviceNumbers?page=2&amp;size=2&gt;;rel="next";</next>'
        "</Links><TelephoneNumbers><Count>2</Count><TelephoneNumber>3035550100</TelephoneNumber>"
        "<TelephoneNumber>3035550101</TelephoneNumber></TelephoneNumbers></TNs>"
    )
    page = api.list_in_service_numbers().parse(response(200, body))
    assert page.numbers == ("+13035550100", "+13035550101")
    assert page.next_query == "page=2&size=2"
    assert api.list_in_service_numbers(query=page.next_query).params == [("page", "2"), ("size", "2")]


def test_in_service_204_is_an_empty_page():
    page = api.list_in_service_numbers().parse(response(204, b""))
    assert page.numbers == () and page.next_query is None


def test_loa_list_reads_both_forms():
    new = "<fileListResponse><fileCount>1</fileCount><fileData><FileName>o-1-1.pdf</FileName><FileMetaData><DocumentType>LOA</DocumentType></FileMetaData></fileData><resultCode>0</resultCode></fileListResponse>"
    old = "<fileListResponse><fileCount>1</fileCount><fileNames>o-1-2.pdf</fileNames><resultCode>0</resultCode></fileListResponse>"
    assert [(f.file_name, f.document_type) for f in api.list_loas("o-1").parse(response(200, new))] == [
        ("o-1-1.pdf", "LOA")
    ]
    assert [f.file_name for f in api.list_loas("o-1").parse(response(200, old))] == ["o-1-2.pdf"]


def test_loa_content_types_follow_the_contract():
    assert api.LOA_CONTENT_TYPES[".pdf"] == "application/pdf"
    assert api.LOA_CONTENT_TYPES[".tiff"] == "image/tiff"
    with pytest.raises(ValueError, match="not accepted"):
        api.upload_loa("o-1", b"MZ", "application/x-msdownload")


def test_limits_are_enforced_before_sending():
    with pytest.raises(ValueError, match="at most 5000"):
        api.check_importability(["+13035550100"] * 5001)
    with pytest.raises(ValueError, match="at least one"):
        api.check_importability([])
    with pytest.raises(ValueError, match="unknown order list filter"):
        api.list_orders(OrderKind.IMPORT, customerorderid="x")
