"""CheckImportabilityOperator against the sandbox: the site and SIP peer first, then importTnChecker."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException

from bandwidth_hosted_messaging.operators.checker import CheckImportabilityOperator
from tests.dags_helpers import api_calls
from tests.plugins.bandwidth_hosted_messaging.task_context import make_context

A, B = "+13035550100", "+13035550101"
ON_BANDWIDTH = "+13035550199"  # the sandbox's checker refuses numbers ending 99 with 19006


def request(numbers=(A, B, ON_BANDWIDTH), **overrides):
    values = {"numbers": list(numbers), "site_id": "14413", "sip_peer_id": None, "rejection_policy": "skip"}
    values.update(overrides)
    return values


def check(**overrides):
    context = make_context(task_id="check_importability")
    operator = CheckImportabilityOperator(task_id="check_importability", request=request(**overrides))
    return operator.execute(context), context["ti"]


def test_importable_and_rejected_numbers_are_returned_with_the_checkers_codes(bw):
    bw.seed(checker_rejects={B: 19005})
    output, _ = check()
    assert output["importable"] == [A]
    assert {r["number"]: r["code"] for r in output["rejected"]} == {B: "19005", ON_BANDWIDTH: "19006"}
    assert all(r["description"] for r in output["rejected"])


def test_the_site_and_sip_peers_are_checked_before_the_numbers(bw):
    check()
    assert [r["endpoint"] for r in api_calls(bw)] == ["sites.get", "sippeers.list", "importTnChecker"]


def test_an_unknown_site_fails_the_task_naming_site_id_before_checking_numbers(bw):
    with pytest.raises(AirflowFailException) as info:
        check(site_id="99999")
    assert str(info.value) == "site_id: site 99999 does not exist in this Bandwidth account"
    assert api_calls(bw, "importTnChecker") == []


def test_a_sip_peer_not_on_the_site_fails_the_task_naming_sip_peer_id(bw):
    with pytest.raises(AirflowFailException, match=r"^sip_peer_id: SIP peer 521960 is not in site 14413$"):
        check(sip_peer_id="521960")


def test_a_sip_peer_of_the_site_is_accepted(bw):
    output, _ = check(numbers=[A], sip_peer_id="521953")
    assert output == {"importable": [A], "rejected": []}


def test_a_site_without_a_default_sip_peer_needs_one_named(bw):
    with pytest.raises(AirflowFailException, match=r"^sip_peer_id: site 14414 has no default SIP peer; give one$"):
        check(site_id="14414")
    output, _ = check(numbers=[A], site_id="14414", sip_peer_id="521960")
    assert output["importable"] == [A]


def test_with_rejection_policy_fail_a_rejection_fails_the_task_after_pushing_the_result(bw):
    context = make_context(task_id="check_importability")
    operator = CheckImportabilityOperator(task_id="check_importability", request=request(rejection_policy="fail"))
    with pytest.raises(AirflowFailException) as info:
        operator.execute(context)
    assert str(info.value) == f"1 number(s) rejected by importTnChecker: {ON_BANDWIDTH} (19006)"
    pushed = context["ti"].pushed()
    assert pushed["importable"] == [A, B]
    assert [r["number"] for r in pushed["rejected"]] == [ON_BANDWIDTH]


def test_with_rejection_policy_fail_and_no_rejection_the_task_succeeds(bw):
    output, _ = check(numbers=[A, B], rejection_policy="fail")
    assert output == {"importable": [A, B], "rejected": []}


def test_with_rejection_policy_skip_rejections_do_not_fail_the_task(bw):
    output, ti = check()
    assert [r["number"] for r in output["rejected"]] == [ON_BANDWIDTH]
    assert ti.pushed() is None
