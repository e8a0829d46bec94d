"""VerifyNumbersOperator against the sandbox: the completed numbers in service (import) or out of it (remove)."""

from __future__ import annotations

import time

from airflow.sdk import TriggerRule

from bandwidth_hosted_messaging.client.models import ImportTnOrderRequest, ServiceAddress
from bandwidth_hosted_messaging.hooks.bandwidth import BandwidthHook
from bandwidth_hosted_messaging.operators.verify import VerifyNumbersOperator
from tests.dags_helpers import api_calls
from tests.plugins.bandwidth_hosted_messaging.task_context import make_context

A, B, C, D = "+13035550100", "+13035550101", "+13035550102", "+13035550103"
ON_BANDWIDTH, BLOCKED = "+13035550199", "+13035550105"
WAIT = "import_order.wait"
CHECKER = "check_importability"


def order(order_id, status, numbers, failed=()):
    errors = [{"code": "7518", "description": "not eligible", "numbers": list(failed)}] if failed else []
    return {
        "order_id": order_id,
        "status": status,
        "customer_order_id": None,
        "numbers": list(numbers),
        "errors": errors,
        "order_create_date": None,
        "last_modified_date": None,
    }


def verify(orders, kind="import", checker=None, checker_task_id=None, **kw):
    kw.setdefault("grace_period", 0)
    kw.setdefault("recheck_interval", 0.05)
    context = make_context(task_id="verify")
    context["ti"].seed(WAIT, orders, key="order", mapped=True)
    if checker is not None:
        context["ti"].seed(CHECKER, checker)
    operator = VerifyNumbersOperator(
        task_id="verify", order_task_id=WAIT, order_kind=kind, checker_task_id=checker_task_id, **kw
    )
    return operator.execute(context)


def test_it_runs_whatever_the_state_of_its_upstream_tasks():
    assert VerifyNumbersOperator(task_id="verify", order_task_id=WAIT).trigger_rule == TriggerRule.ALL_DONE


def test_import_completed_numbers_are_in_service_or_missing_and_failed_ones_are_not_checked(bw):
    bw.seed(in_service=[A, C, D])
    orders = [order("o-1", "COMPLETE", [A, B]), order("o-2", "PARTIAL", [C, D], failed=[D]), None]
    assert verify(orders) == {"in_service": [A, C], "missing": [B], "already_in_service": []}


def test_import_numbers_of_failed_orders_are_neither_in_service_nor_missing(bw):
    bw.seed(in_service=[A])
    assert verify([order("o-1", "FAILED", [A, B])]) == {"in_service": [], "missing": [], "already_in_service": []}


def test_numbers_the_checker_refused_as_already_on_bandwidth_are_reported_already_in_service(bw):
    bw.seed(in_service=[A, ON_BANDWIDTH, BLOCKED])
    checker = {
        "importable": [A],
        "rejected": [
            {"number": ON_BANDWIDTH, "code": "19006", "description": "in service"},
            {"number": "+13035550299", "code": 19006, "description": "in service"},
            {"number": BLOCKED, "code": "19005", "description": "blocked"},
        ],
    }
    result = verify([order("o-1", "COMPLETE", [A])], checker=checker, checker_task_id=CHECKER)
    assert result == {"in_service": [A], "missing": [], "already_in_service": [ON_BANDWIDTH]}


def test_without_the_checker_task_no_already_in_service_number_is_looked_up(bw):
    bw.seed(in_service=[A, ON_BANDWIDTH])
    checker = {"importable": [A], "rejected": [{"number": ON_BANDWIDTH, "code": "19006", "description": "x"}]}
    assert verify([order("o-1", "COMPLETE", [A])], checker=checker)["already_in_service"] == []


def test_a_number_entering_service_within_the_grace_period_is_in_service(bw):
    bw.seed(config={"inservice_delay_seconds": 0.4})
    hook = BandwidthHook("bandwidth_default")
    created = hook.create_import_order(
        ImportTnOrderRequest(
            customer_order_id="verify-grace",
            site_id="14413",
            subscriber_name="Acme Dental",
            service_address=ServiceAddress("900", "Main St", "Denver", "CO", "80202"),
            loa_authorizing_person="Jane Doe",
            numbers=[A, B],
        )
    )
    bw.force_status(created.order_id, "COMPLETE")
    final = order(created.order_id, "COMPLETE", [A, B])
    started = time.monotonic()
    result = verify([final], grace_period=5, recheck_interval=0.1)
    assert result == {"in_service": [A, B], "missing": [], "already_in_service": []}
    assert time.monotonic() - started < 4
    assert len(api_calls(bw, "inserviceNumbers.list") + api_calls(bw, "inserviceNumbers.get")) >= 2


def test_a_number_still_missing_after_the_grace_period_is_reported_missing(bw):
    started = time.monotonic()
    result = verify([order("o-1", "COMPLETE", [A])], grace_period=0.3, recheck_interval=0.1)
    assert result == {"in_service": [], "missing": [A], "already_in_service": []}
    assert time.monotonic() - started >= 0.3


def test_remove_completed_numbers_out_of_service_are_removed_and_the_others_still_in_service(bw):
    bw.seed(in_service=[B])
    orders = [order("r-1", "COMPLETE", [A, B]), order("r-2", "PARTIAL", [C, D], failed=[D])]
    assert verify(orders, kind="remove") == {"removed": [A, C], "still_in_service": [B]}


def test_remove_of_a_failed_order_verifies_nothing(bw):
    bw.seed(in_service=[A])
    assert verify([order("r-1", "FAILED", [A])], kind="remove") == {"removed": [], "still_in_service": []}


def test_remove_ignores_the_checker(bw):
    checker = {"importable": [], "rejected": [{"number": ON_BANDWIDTH, "code": "19006", "description": "x"}]}
    result = verify([order("r-1", "COMPLETE", [A])], kind="remove", checker=checker, checker_task_id=CHECKER)
    assert result == {"removed": [A], "still_in_service": []}


def test_the_recheck_interval_defaults_to_a_tenth_of_the_grace_period_from_1_to_15_seconds():
    from bandwidth_hosted_messaging.operators.verify import recheck_seconds

    assert recheck_seconds(300, None) == 15.0  # the default grace period: every 15 s, as before
    assert recheck_seconds(3600, None) == 15.0
    assert recheck_seconds(20, None) == 2.0
    assert recheck_seconds(3, None) == 1.0
    assert recheck_seconds(20, "7") == 7.0 and recheck_seconds(20, 0.5) == 0.5  # as given, rendered or not
