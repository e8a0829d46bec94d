"""BandwidthHook and BandwidthAsyncHook against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import time

import pytest

from bandwidth_hosted_messaging.client.errors import BandwidthApiError
from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
from bandwidth_hosted_messaging.client.retry import RetryPolicy
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.hooks.bandwidth_async import BandwidthAsyncHook
from bandwidth_hosted_messaging.statuses import OrderKind, ProcessingStatus

FAST = RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=0.2, max_rate_limit_wait=2)


def order_request(numbers, cid="hook-test-1", site_id="14413"):
    return ImportTnOrderRequest(
        customer_order_id=cid,
        site_id=site_id,
        subscriber_name="Acme Dental",
        service_address=ServiceAddress("900", "Main St", "Denver", "CO", "80202"),
        loa_authorizing_person="Jane Doe",
        numbers=list(numbers),
    )


def calls(sandbox, endpoint):
    return [r for r in sandbox.requests() if r["endpoint"] == endpoint]


def wait_final(hook, order_id, kind=OrderKind.IMPORT, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        order = hook.get_order(kind, order_id)
        if order.status.is_final:
            return order
        time.sleep(0.1)
    raise AssertionError(f"order {order_id} not final in {timeout}s")


@pytest.fixture(params=["bandwidth_default", "bandwidth_oauth"])
def hook(request, bw):
    return BandwidthHook(request.param, retry_policy=FAST)


# ----------------------------------------------------------------------------------- auth


def test_both_auth_modes_reach_the_account(hook, bw):
    sites = hook.list_sites()
    assert "14413" in {s.site_id for s in sites}
    kinds = {r["auth"] for r in bw.requests() if r["endpoint"] == "sites.list"}
    assert kinds == {"bearer" if hook.settings.auth_type == "oauth2" else "basic"}


def test_oauth2_token_is_fetched_once_and_reused(bw):
    from bandwidth_hosted_messaging.client.oauth import TOKENS

    TOKENS._tokens.clear()
    hook = BandwidthHook("bandwidth_oauth", retry_policy=FAST)
    for _ in range(3):
        hook.list_sites()
    assert len(calls(bw, "token")) == 1


def test_oauth2_token_is_refreshed_once_after_a_401(bw):
    hook = BandwidthHook("bandwidth_oauth", retry_policy=FAST)
    hook.list_sites()
    bw.reset()  # the sandbox forgets every token it issued
    bw.clear_requests()
    assert hook.list_sites()
    assert [r["status"] for r in calls(bw, "sites.list")] == [401, 200]
    assert len(calls(bw, "token")) == 1


def test_bad_credentials_raise_401_without_echoing_the_password(bw, monkeypatch):
    import json
    import os

    conn = json.loads(os.environ["AIRFLOW_CONN_BANDWIDTH_DEFAULT"])
    conn["password"] = "not-the-password-s3cr3t"
    monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_BAD", json.dumps(conn))
    with pytest.raises(BandwidthApiError) as info:
        BandwidthHook("bandwidth_bad", retry_policy=FAST).list_sites()
    assert info.value.status == 401
    assert "s3cr3t" not in str(info.value)
    assert "s3cr3t" not in repr(BandwidthHook("bandwidth_bad").settings)


def test_another_accounts_id_is_forbidden(bw, monkeypatch):
    import json
    import os

    conn = json.loads(os.environ["AIRFLOW_CONN_BANDWIDTH_DEFAULT"])
    conn["extra"]["account_id"] = bw.config.other_account_id
    monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_OTHER", json.dumps(conn))
    with pytest.raises(BandwidthApiError) as info:
        BandwidthHook("bandwidth_other", retry_policy=FAST).list_sites()
    assert info.value.status == 403


# ----------------------------------------------------------------------------------- endpoints


def test_sites_and_sip_peers(hook):
    assert hook.get_site("14413").site_id == "14413"
    assert hook.get_site("5001") is None
    peers = hook.list_sip_peers("14413")
    assert {p.peer_id for p in peers if p.is_default} == {"521952"}


def test_subscription_create_list_update_delete(hook):
    sub_id = hook.create_subscription("importtnorders", "https://example.test/cb", "cb-user", "cb-pass", 3600)
    listed = {s.subscription_id: s for s in hook.list_subscriptions()}
    assert listed[sub_id].url == "https://example.test/cb"
    assert listed[sub_id].username == "cb-user"
    hook.update_subscription(sub_id, "importtnorders", "https://example.test/cb", "other-user", "pw", 7200)
    assert hook.get_subscription(sub_id).username == "other-user"
    hook.delete_subscription(sub_id)
    assert hook.get_subscription(sub_id) is None


def test_checker_splits_importable_from_rejected_with_codes(hook, bw):
    bw.seed(checker_rejects={"+13035550150": 19005})
    result = hook.check_importability(["+13035550100", "+13035550150", "+13035550199"])
    assert result.importable == ("+13035550100",)
    rejected = {n: e.code for n, e in result.rejected_numbers().items()}
    assert rejected == {"+13035550150": "19005", "+13035550199": "19006"}


def test_checker_chunks_above_5000_numbers(bw):
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    numbers = [f"30355{i:05d}" for i in range(5001)]
    result = hook.check_importability(numbers)
    assert len(result.importable) + len(result.rejected_numbers()) == 5001
    assert len(calls(bw, "importTnChecker")) == 2


def test_checker_refuses_an_invalid_number_with_bandwidths_code(hook):
    with pytest.raises(BandwidthApiError) as info:
        hook.execute(
            __import__("bandwidth_hosted_messaging.client.endpoints", fromlist=["x"]).check_importability(["12345"])
        )
    assert info.value.status == 400
    assert "7201" in info.value.codes


def test_import_order_lifecycle_create_get_list_history(hook):
    order = hook.create_import_order(order_request(["+13035550100", "+13035550101"], cid="lifecycle-1"))
    assert order.status in (ProcessingStatus.RECEIVED, ProcessingStatus.PROCESSING)
    assert order.customer_order_id == "lifecycle-1"
    final = wait_final(hook, order.order_id)
    assert final.status is ProcessingStatus.COMPLETE
    assert set(final.completed_numbers()) == {"+13035550100", "+13035550101"}
    found = hook.list_orders(OrderKind.IMPORT, customerOrderId="lifecycle-1")
    assert [s.order_id for s in found] == [order.order_id]
    assert hook.list_orders(OrderKind.IMPORT, customerOrderId="no-such-order") == []
    assert hook.list_orders(OrderKind.IMPORT, status=["complete"])
    history = hook.get_order_history(OrderKind.IMPORT, order.order_id)
    assert history and history[0].status


def test_partial_order_carries_per_number_errors(hook, bw):
    order = hook.create_import_order(order_request(["+13035550100", "+13035550198"], cid="partial-1"))
    final = wait_final(hook, order.order_id)
    assert final.status is ProcessingStatus.PARTIAL
    assert final.completed_numbers() == ("+13035550100",)
    assert final.failed_numbers()["+13035550198"].code == "7518"


def test_invalid_order_is_refused_with_bandwidths_code(hook):
    with pytest.raises(BandwidthApiError) as info:
        hook.create_import_order(order_request(["+13035550100"], site_id="999999"))
    assert info.value.status == 400
    assert "7309" in info.value.codes


def test_loa_upload_list_and_metadata(hook):
    order = hook.create_import_order(order_request(["+13035550100"], cid="loa-1"))
    file_id = hook.upload_loa(order.order_id, b"%PDF-1.4 test", "application/pdf")
    assert file_id.startswith(order.order_id)
    files = hook.list_loas(order.order_id)
    assert [(f.file_name, f.document_type) for f in files] == [(file_id, "LOA")]
    assert hook.get_loa_metadata(order.order_id, file_id).document_type == "LOA"


def test_in_service_pages_follow_next_links(bw):
    numbers = [f"+1720555{i:04d}" for i in range(1203)]
    bw.seed(in_service=numbers)
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    assert sorted(hook.list_in_service_numbers(page_size=500)) == numbers
    pages = calls(bw, "inserviceNumbers.list")
    assert len(pages) == 3
    assert hook.count_in_service_numbers() == 1203
    assert hook.is_in_service(numbers[0]) is True
    assert hook.is_in_service("+13035550100") is False


@pytest.mark.parametrize("conn_id", ["bandwidth_default", "bandwidth_v2"])
def test_a_large_account_is_not_read_whole_the_numbers_exchanges_are_listed_instead(bw, conn_id):
    """5,000 numbers in service elsewhere (ten pages before the batch's): only the list filtered by the batch's one
    NPA-NXX (v1 ``npanxx``, v2 ``npaNxx``) is read, its two pages, not the twelve of the whole list."""
    others = [f"+1303555{i:04d}" for i in range(5000)]
    batch = [f"+1970555{i:04d}" for i in range(600)]
    bw.seed(in_service=others + batch[:580])
    hook = BandwidthHook(conn_id, retry_policy=FAST)
    assert hook.find_in_service(batch) == set(batch[:580])
    # (a token the sandbox's reset revoked is refused once, then renewed: that 401 is not a page)
    pages = [p for p in calls(bw, "inserviceNumbers.list") if p["status"] == 200]
    assert len(pages) == 2 and all("970555" in p["query"] for p in pages)
    assert calls(bw, "inserviceNumbers.get") == []


def test_numbers_of_many_exchanges_switch_to_the_exchanges_lists_when_the_whole_one_is_long(bw):
    """Numbers of 20 exchanges are too scattered to skip the whole list at once; after its first page, 20 filtered
    lists beat the 60 pages left (and 400 look-ups)."""
    bw.seed(in_service=[f"+1303{e:03d}{i:04d}" for e in range(555, 558) for i in range(10000)])
    batch = [f"+1970{e:03d}{i:04d}" for e in range(200, 220) for i in range(20)]
    bw.seed(in_service=batch[::2])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    assert hook.find_in_service(batch) == set(batch[::2])
    pages = [p for p in calls(bw, "inserviceNumbers.list") if p["status"] == 200]
    assert len(pages) == 21 and "npanxx" not in pages[0]["query"]
    assert {p["params"]["npanxx"] for p in pages[1:]} == {f"970{e}" for e in range(200, 220)}


def test_numbers_going_into_service_while_the_pages_are_read_do_not_stop_the_listing(bw):
    """Another batch completes while a run verifies: the later pages' TotalCount is larger than the first's, and
    the listing follows them to the end (it used to stop, refusing more pages than the first TotalCount needed)."""
    first = [f"+1720555{i:04d}" for i in range(1000)]
    later = [f"+1720556{i:04d}" for i in range(1500)]  # listed after the first ones: three more pages
    bw.seed(in_service=first)
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    pages = hook.iter_in_service_pages(page_size=500)
    seen = list(next(pages))
    bw.seed(in_service=later)
    for page in pages:
        seen += page
    assert sorted(set(seen)) == first + later
    assert len(calls(bw, "inserviceNumbers.list")) == 5


def test_in_service_list_of_an_empty_account_is_empty(hook):
    assert hook.list_in_service_numbers() == []


def test_find_in_service_reads_pages_or_checks_single_numbers_whichever_is_fewer(bw):
    in_service = [f"+1720555{i:04d}" for i in range(1500)]
    bw.seed(in_service=in_service)
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    # one number still unseen after page 1 of 3: one single check beats reading two more pages
    assert hook.find_in_service(["+13035550100", "+17205550001"]) == {"+17205550001"}
    assert (len(calls(bw, "inserviceNumbers.list")), len(calls(bw, "inserviceNumbers.get"))) == (1, 1)
    bw.clear_requests()
    wanted = in_service[::10]  # 150 numbers spread over all three pages: paging wins
    assert hook.find_in_service(wanted) == set(wanted)
    assert (len(calls(bw, "inserviceNumbers.list")), len(calls(bw, "inserviceNumbers.get"))) == (3, 0)
    bw.clear_requests()
    assert hook.find_in_service(["+13035550100"]) == set()
    assert (len(calls(bw, "inserviceNumbers.list")), len(calls(bw, "inserviceNumbers.get"))) == (0, 1)


def test_remove_order_takes_imported_numbers_out_of_service(hook):
    imported = wait_final(hook, hook.create_import_order(order_request(["+13035550100"], cid="rm-1")).order_id)
    assert imported.status is ProcessingStatus.COMPLETE
    deadline = time.time() + 5
    while not hook.is_in_service("+13035550100") and time.time() < deadline:
        time.sleep(0.1)
    removal = hook.create_remove_order("rm-1-remove", ["+13035550100", "+13035550111"])
    final = wait_final(hook, removal.order_id, OrderKind.REMOVE)
    assert final.status is ProcessingStatus.PARTIAL
    assert final.failed_numbers()["+13035550111"].code == "5158"
    assert hook.is_in_service("+13035550100") is False
    assert [s.order_id for s in hook.list_orders(OrderKind.REMOVE, customerOrderId="rm-1-remove")] == [removal.order_id]


# ----------------------------------------------------------------------------------- retries


def test_429_is_retried_after_retry_after(bw):
    bw.set_faults([{"kind": "429", "path": "sites", "count": 2, "retry_after": 0.2}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    started = time.monotonic()
    assert hook.list_sites()
    assert time.monotonic() - started >= 0.4
    assert [r["status"] for r in calls(bw, "sites.list")] == [429, 429, 200]


def test_429_is_retried_after_x_ratelimit_reset(bw):
    bw.set_faults([{"kind": "429", "path": "sites", "count": 1, "reset_header": True, "retry_after": 1}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    assert hook.list_sites()
    assert [r["status"] for r in calls(bw, "sites.list")] == [429, 200]


def test_429_on_create_is_retried_because_bandwidth_did_not_act(bw):
    bw.set_faults([{"kind": "429", "path": "importTnOrders$", "method": "POST", "count": 1, "retry_after": 0.1}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    hook.create_import_order(order_request(["+13035550100"], cid="429-create"))
    assert [r["status"] for r in calls(bw, "importTnOrders.create")] == [429, 201]


def test_5xx_burst_and_connection_resets_are_retried_on_reads(bw):
    bw.set_faults(
        [
            {"kind": "5xx", "status": 503, "body": "html", "path": "sites", "count": 1},
            {"kind": "reset", "path": "sites", "count": 1},
        ]
    )
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    assert hook.list_sites()
    assert calls(bw, "sites.list")[-1]["status"] == 200


def test_5xx_on_create_is_not_blindly_retried(bw):
    bw.set_faults([{"kind": "5xx", "status": 502, "path": "importTnOrders$", "method": "POST", "count": 1}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    with pytest.raises(BandwidthApiError) as info:
        hook.create_import_order(order_request(["+13035550100"], cid="5xx-create"))
    assert info.value.status == 502
    assert len(calls(bw, "importTnOrders.create")) == 1


def test_lost_create_response_is_not_resent(bw):
    bw.set_faults([{"kind": "drop_response", "path": "importTnOrders$", "method": "POST", "count": 1}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    with pytest.raises(BandwidthApiError) as info:
        hook.create_import_order(order_request(["+13035550100"], cid="lost-create"))
    assert info.value.status is None
    assert len(calls(bw, "importTnOrders.create")) == 1
    assert [s.customer_order_id for s in hook.list_orders(OrderKind.IMPORT, customerOrderId="lost-create")] == [
        "lost-create"
    ]


def test_retries_are_bounded(bw):
    bw.set_faults([{"kind": "5xx", "status": 500, "path": "sites", "count": 50}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    with pytest.raises(BandwidthApiError) as info:
        hook.list_sites()
    assert info.value.status == 500
    assert len(calls(bw, "sites.list")) == FAST.max_attempts


# ----------------------------------------------------------------------------------- async


@pytest.mark.parametrize("conn_id", ["bandwidth_default", "bandwidth_oauth"])
def test_async_hook_reads_an_order_through_429_and_5xx(bw, conn_id):
    sync = BandwidthHook(conn_id, retry_policy=FAST)
    order = sync.create_import_order(order_request(["+13035550100"], cid=f"async-{conn_id}".replace("_", "-")))
    bw.set_faults(
        [
            {"kind": "429", "path": "importTnOrders/", "method": "GET", "count": 1, "retry_after": 0.1},
            {"kind": "5xx", "status": 503, "path": "importTnOrders/", "method": "GET", "count": 1},
            {"kind": "reset", "path": "importTnOrders/", "method": "GET", "count": 1},
        ]
    )

    async def read():
        async with BandwidthAsyncHook(conn_id, retry_policy=FAST) as hook:
            return await hook.get_order(OrderKind.IMPORT, order.order_id)

    got = asyncio.run(read())
    assert got.order_id == order.order_id
    assert [r["status"] for r in calls(bw, "importTnOrders.get")][-1] == 200


# ----------------------------------------------------------------------------------- hostile answers

HOSTILE_ANSWERS = {
    "entity-expansion": (
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><ImportTnOrder>&b;</ImportTnOrder>',
        "application/xml",
        "DOCTYPE or entity",
    ),
    "xxe": (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ImportTnOrder>&x;</ImportTnOrder>',
        "application/xml",
        "DOCTYPE or entity",
    ),
    "malformed": ("<ImportTnOrder><OrderId>x</ImportTnOrder>", "application/xml", "malformed XML"),
    "html-page-as-200": ("<html><body>Welcome</body></html>", "text/html", "Content-Type 'text/html'"),
    "other-document": ("<SitesResponse/>", "application/xml", "unexpected answer: <SitesResponse>"),
    "oversized": ("<ImportTnOrder>" + "x" * 5000 + "</ImportTnOrder>", "application/xml", "exceeds"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ANSWERS))
def test_hostile_or_broken_answers_give_a_clear_error(bw, monkeypatch, case):
    from bandwidth_hosted_messaging.client import xmlio as bwxml

    body, content_type, message = HOSTILE_ANSWERS[case]
    monkeypatch.setattr(bwxml, "MAX_XML_BYTES", 4096)
    order = BandwidthHook("bandwidth_default").create_import_order(
        order_request(["+13035550100"], cid=f"hostile-{case}")
    )
    bw.set_faults(
        [{"kind": "respond", "path": "importTnOrders/", "method": "GET", "text": body, "content_type": content_type}]
    )
    with pytest.raises(BandwidthApiError, match=message):
        BandwidthHook("bandwidth_default", retry_policy=FAST).get_order(OrderKind.IMPORT, order.order_id)
    bw.clear_faults()
    assert BandwidthHook("bandwidth_default").get_order(OrderKind.IMPORT, order.order_id).order_id == order.order_id


def test_a_repeating_next_link_is_refused_after_a_bounded_number_of_pages(bw):
    """Issue 13, L11: a ``next`` link that repeats is detected, and pages are capped by TotalCount."""
    page = (
        "<TNs><TotalCount>4</TotalCount><Links><next>&lt;https://elsewhere/api/accounts/9900000/inserviceNumbers"
        '?page=2&amp;size=2&gt;;rel="next";</next></Links><TelephoneNumbers>'
        "<TelephoneNumber>3035550100</TelephoneNumber><TelephoneNumber>3035550101</TelephoneNumber>"
        "</TelephoneNumbers></TNs>"
    )
    bw.set_faults([{"kind": "respond", "path": "inserviceNumbers", "method": "GET", "text": page}])
    hook = BandwidthHook("bandwidth_default", retry_policy=FAST)
    with pytest.raises(BandwidthApiError, match="next link repeats a page"):
        hook.list_in_service_numbers(page_size=2)
    assert len(calls(bw, "inserviceNumbers.list")) <= 3
    bw.clear_requests()
    with pytest.raises(BandwidthApiError, match="next link"):
        hook.find_in_service(
            ["+13035550199", "+13035550198", "+13035550197", "+13035550196", "+13035550195"], page_size=2
        )
    assert len(calls(bw, "inserviceNumbers.list")) <= 3


def test_a_basic_auth_connection_is_warned_about_once_per_process_naming_the_decommissioning(bw):
    """Issue 14: Basic still works where an account has it; one warning says when it ends and how to switch."""
    from structlog.testing import capture_logs

    from bandwidth_hosted_messaging.hooks import base

    base._WARNED_BASIC.discard("bandwidth_default")
    with capture_logs() as logs:
        for _ in range(3):
            assert BandwidthHook("bandwidth_default", retry_policy=FAST).list_sites()
        assert BandwidthHook("bandwidth_oauth", retry_policy=FAST).list_sites()
    warnings = [e["event"] for e in logs if e.get("log_level") == "warning" and "Basic auth" in e["event"]]
    assert len(warnings) == 1
    assert "2026-12-02" in warnings[0] and "oauth2" in warnings[0]
