"""
A site and SIP peer that passed the check are not read again for a day (``[bandwidth] site_check_memory_hours``),
and a failed order of the connection makes the next run check again: a stale memory never lets a bad site through.
"""

from __future__ import annotations

import pytest
from airflow.sdk import DagRunState

from tests.dags.conftest import API_CONNECTIONS, deployed_with
from tests.dags_helpers import api_calls, base_conf

SITE_CALLS = ("sites.get", "sippeers.list")


@pytest.fixture(scope="module")
def import_dag(airflow_db, sandbox):
    from airflow.dag_processing.dagbag import DagBag

    with deployed_with(API_CONNECTIONS["v1"]):
        bag = DagBag()
    return bag.get_dag("hosted_messaging_import")


@pytest.fixture
def memory_on(monkeypatch):
    from airflow.models.variable import Variable

    from bandwidth_hosted_messaging.hooks.site_memory import VARIABLE

    Variable.delete(VARIABLE)
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__SITE_CHECK_MEMORY_HOURS", "24")
    yield
    Variable.delete(VARIABLE)


def site_calls(bw) -> list[str]:
    return [r["endpoint"] for r in api_calls(bw) if r["endpoint"] in SITE_CALLS]


def test_a_passed_site_check_is_not_read_again_the_next_run(import_dag, bw, memory_on):
    assert import_dag.test(run_conf=base_conf(["+13035550100"])).state == DagRunState.SUCCESS
    assert site_calls(bw) == ["sites.get", "sippeers.list"]
    bw.clear_requests()
    assert import_dag.test(run_conf=base_conf(["+13035550101"])).state == DagRunState.SUCCESS
    assert site_calls(bw) == []
    bw.clear_requests()
    again = import_dag.test(run_conf=base_conf(["+13035550102"], sip_peer_id="88888"))  # another peer: checked
    assert site_calls(bw) == ["sites.get", "sippeers.list"]
    assert again.state == DagRunState.FAILED  # the sandbox's site has no SIP peer 88888


def test_a_failed_order_makes_the_next_run_check_the_site_again(import_dag, bw, memory_on):
    assert import_dag.test(run_conf=base_conf(["+13035550100"])).state == DagRunState.SUCCESS
    bw.seed(order_failures={"+13035550101": 5016})
    bw.clear_requests()
    failed = import_dag.test(run_conf=base_conf(["+13035550101"]))
    assert failed.state == DagRunState.FAILED and site_calls(bw) == []  # remembered, then the order failed
    bw.clear_requests()
    import_dag.test(run_conf=base_conf(["+13035550102"]))
    assert site_calls(bw) == ["sites.get", "sippeers.list"]  # forgotten: checked again


def test_a_site_the_sandbox_no_longer_has_is_caught_by_the_order_and_then_by_the_check(import_dag, bw, memory_on):
    """The memory said yes, but the site is gone: Bandwidth refuses the order, which drops the memory."""
    assert import_dag.test(run_conf=base_conf(["+13035550100"])).state == DagRunState.SUCCESS
    refusal = "<Response><ErrorList><Error><Code>12000</Code><Description>site not found</Description></Error></ErrorList></Response>"
    bw.set_faults(
        [
            {
                "kind": "respond",
                "path": "importTnOrders$",
                "method": "POST",
                "status": 400,
                "text": refusal,
                "content_type": "application/xml",
            }
        ]
    )
    bw.clear_requests()
    refused = import_dag.test(run_conf=base_conf(["+13035550101"]))
    assert refused.state == DagRunState.FAILED and site_calls(bw) == []
    bw.clear_faults()
    bw.clear_requests()
    import_dag.test(run_conf=base_conf(["+13035550102"]))
    assert site_calls(bw) == ["sites.get", "sippeers.list"]
