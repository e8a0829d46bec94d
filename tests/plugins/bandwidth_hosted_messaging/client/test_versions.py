"""The connection's base path picks the API version; each version's wire form (issue 14)."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client import endpoints
from bandwidth_hosted_messaging.client.calls import ApiResponse
from bandwidth_hosted_messaging.client.errors import ConnectionConfigError
from bandwidth_hosted_messaging.client.numbers import canonical
from bandwidth_hosted_messaging.client.settings import ConnectionSettings
from bandwidth_hosted_messaging.client.versions import V1, V2, ApiVersion, version_of
from bandwidth_hosted_messaging.statuses import OrderKind


@pytest.mark.parametrize(
    "url, version",
    [
        ("https://api.bandwidth.com/api/v2", ApiVersion.V2),
        ("https://api.bandwidth.com/api/v2/", ApiVersion.V2),
        ("https://dashboard.bandwidth.com/api", ApiVersion.V1),
        ("https://dashboard.bandwidth.com/api/v1", ApiVersion.V1),
        ("https://dashboard.bandwidth.com/v1.0", ApiVersion.V1),
        ("http://127.0.0.1:8089/api/v2", ApiVersion.V2),
        ("https://dashboard.bandwidth.com/", None),
        ("https://dashboard.bandwidth.com/api/v3", None),
    ],
)
def test_the_base_path_names_the_version(url, version):
    assert version_of(url) is version


class _Conn:
    conn_id, conn_type, port, schema, login, password = "bw", "bandwidth", None, None, "id", "secret"
    extra_dejson = {"account_id": "9900000"}

    def __init__(self, host):
        self.host = host


def test_a_connection_decides_its_version_without_probing_and_refuses_an_unknown_path():
    assert ConnectionSettings.from_connection(_Conn("https://api.bandwidth.com/api/v2")).dialect is V2
    assert ConnectionSettings.from_connection(_Conn("https://dashboard.bandwidth.com/api")).dialect is V1
    assert ConnectionSettings.from_connection(_Conn(None)).dialect is V2  # the default is the current platform
    with pytest.raises(ConnectionConfigError, match="base path must be /api/v2"):
        ConnectionSettings.from_connection(_Conn("https://dashboard.bandwidth.com/api/v3"))


@pytest.mark.parametrize("raw", ["+13035550100", "13035550100", "+13035550100", "+1 (303) 555-0100", "303.555.0100"])
def test_every_input_form_is_sent_as_each_version_takes_it(raw):
    assert V1.number(raw) == "3035550100"
    assert V2.number(raw) == "+13035550100"


def test_v2_orders_live_under_messaging_and_numbers_go_out_in_e164_percent_encoded():
    assert endpoints.get_order(OrderKind.IMPORT, "o-1", dialect=V2).path == "importTnOrders/messaging/o-1"
    assert endpoints.get_order(OrderKind.REMOVE, "o-1", dialect=V2).path == "removeImportedTnOrders/messaging/o-1"
    assert endpoints.get_order(OrderKind.IMPORT, "o-1").path == "importTnOrders/o-1"
    assert endpoints.list_loas("o-1", dialect=V2).path == "importTnOrders/messaging/o-1/loas"
    assert endpoints.is_in_service("+13035550100", dialect=V2).path == "inserviceNumbers/%2B13035550100"
    assert endpoints.is_in_service("+13035550100").path == "inserviceNumbers/3035550100"
    checker = endpoints.check_importability(["+13035550100"], dialect=V2)
    assert b"<TelephoneNumber>+13035550100</TelephoneNumber>" in checker.body
    listed = endpoints.list_orders(OrderKind.IMPORT, dialect=V2, tn="+13035550100")
    assert listed.params == [("tn", "+13035550100")]
    page = endpoints.list_in_service_numbers(dialect=V2, areacode="303", npanxx="303555")
    assert ("areaCode", "303") in page.params and ("npaNxx", "303555") in page.params


def test_subscriptions_always_say_their_number_format():
    v2 = endpoints.create_subscription("importtnorders", "https://x/cb", "u", "p", 60, dialect=V2).body
    v1 = endpoints.create_subscription("importtnorders", "https://x/cb", "u", "p", 60).body
    assert b"<NumberFormat>E164</NumberFormat>" in v2 and b"<NumberFormat>LEGACY</NumberFormat>" in v1


def test_numbers_come_back_in_one_form_whichever_version_wrote_them():
    body = (
        "<ImportTnOrder><OrderId>o-1</OrderId><ProcessingStatus>COMPLETE</ProcessingStatus><TelephoneNumbers>"
        "<TelephoneNumber>+13035550100</TelephoneNumber><TelephoneNumber>3035550101</TelephoneNumber>"
        "</TelephoneNumbers></ImportTnOrder>"
    )
    answer = ApiResponse(200, {"Content-Type": "application/xml"}, body.encode())
    order = endpoints.get_order(OrderKind.IMPORT, "o-1", dialect=V2).parse(answer)
    assert order.numbers == (canonical("+13035550100"), canonical("+13035550101"))


def test_a_v2_connection_speaks_v2_to_the_sandbox_end_to_end(bw):
    """Against the sandbox's v2 (which refuses ten digits with 1022): E.164 out, /messaging paths, E.164 back."""
    from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
    from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
    from tests.dags_helpers import api_calls

    hook = BandwidthHook("bandwidth_v2")
    assert hook.dialect is V2
    checked = hook.check_importability(["303-555-0100", "3035550101"])
    address = ServiceAddress("900", "Main St", "Denver", "CO", "80202")
    order = hook.create_import_order(
        ImportTnOrderRequest("v2-1", "14413", "Acme", address, "Jane Doe", list(checked.importable))
    )
    assert order.numbers == (canonical("3035550100"), canonical("3035550101"))
    assert hook.get_order(OrderKind.IMPORT, order.order_id).order_id == order.order_id
    assert hook.is_in_service("3035550100") is False
    calls = api_calls(bw)
    assert {c["version"] for c in calls} == {2}
    create = next(c for c in calls if c["endpoint"] == "importTnOrders.create")
    assert create["path"].endswith("/importTnOrders/messaging") and "<TelephoneNumber>+13035550100<" in create["body"]
    assert any(c["path"].endswith("/inserviceNumbers/+13035550100") for c in calls)  # the log shows it decoded
