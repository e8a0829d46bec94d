"""client.retry.decide: the one decision, shared by both hooks, of what to do after each attempt."""

from __future__ import annotations

import pytest

from bandwidth_hosted_messaging.client.calls import ApiCall, ApiResponse
from bandwidth_hosted_messaging.client.retry import Action, RetryPolicy, decide

POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0, max_rate_limit_wait=60.0)
GET = ApiCall("GET", "importTnOrders/o-1", lambda r: r, idempotent=True)
CREATE = ApiCall("POST", "importTnOrders", lambda r: r, idempotent=False)


def answer(status, **headers):
    return ApiResponse(status, headers, b"")


@pytest.mark.parametrize("call", [GET, CREATE], ids=["idempotent", "creating"])
def test_a_429_is_retried_for_any_call_after_its_retry_after(call):
    decision = decide(call, POLICY, 1, response=answer(429, **{"Retry-After": "7"}))
    assert decision.action is Action.RETRY
    assert decision.delay == 7.0


def test_a_429_retry_after_is_capped_by_the_policy():
    decision = decide(GET, POLICY, 1, response=answer(429, **{"Retry-After": "900"}))
    assert (decision.action, decision.delay) == (Action.RETRY, 60.0)


def test_a_429_without_a_usable_header_backs_off():
    decision = decide(CREATE, POLICY, 2, response=answer(429))
    assert decision.action is Action.RETRY
    assert 0.5 <= decision.delay <= 1.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_retried_with_backoff_for_an_idempotent_call(status):
    decision = decide(GET, POLICY, 1, response=answer(status))
    assert decision.action is Action.RETRY
    assert 0.25 <= decision.delay <= 0.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_of_a_creating_call_is_final_so_no_second_order_is_made(status):
    assert decide(CREATE, POLICY, 1, response=answer(status)).action is Action.FINISH


@pytest.mark.parametrize("status", [501, 505, 400, 403, 404, 409])
def test_other_error_statuses_are_final_at_once(status):
    assert decide(GET, POLICY, 1, response=answer(status)).action is Action.FINISH


def test_a_401_with_a_refreshable_token_is_sent_again_at_once_with_a_new_token():
    decision = decide(CREATE, POLICY, 1, response=answer(401), can_refresh_token=True)
    assert decision.action is Action.REFRESH_TOKEN
    assert decision.delay == 0.0


def test_a_401_without_a_refreshable_token_is_final():
    assert decide(GET, POLICY, 1, response=answer(401)).action is Action.FINISH


def test_a_401_is_refreshed_even_on_the_last_attempt():
    assert decide(GET, POLICY, 3, response=answer(401), can_refresh_token=True).action is Action.REFRESH_TOKEN


def test_a_connection_error_of_an_idempotent_call_is_retried_with_backoff():
    decision = decide(GET, POLICY, 2)
    assert decision.action is Action.RETRY
    assert 0.5 <= decision.delay <= 1.0


def test_a_connection_error_of_a_creating_call_gives_up_as_bandwidth_may_have_acted():
    assert decide(CREATE, POLICY, 1).action is Action.GIVE_UP


def test_a_creating_call_that_surely_never_reached_bandwidth_is_retried():
    assert decide(CREATE, POLICY, 1, not_sent=True).action is Action.RETRY


@pytest.mark.parametrize("call", [GET, CREATE], ids=["idempotent", "creating"])
def test_with_the_attempts_spent_an_error_answer_is_finished_so_its_codes_are_raised(call):
    assert decide(call, POLICY, 3, response=answer(429, **{"Retry-After": "1"})).action is Action.FINISH
    assert decide(GET, POLICY, 3, response=answer(503)).action is Action.FINISH


def test_with_the_attempts_spent_no_answer_gives_up():
    assert decide(GET, POLICY, 3).action is Action.GIVE_UP
    assert decide(CREATE, POLICY, 3, not_sent=True).action is Action.GIVE_UP


@pytest.mark.parametrize("status", [200, 201, 204])
@pytest.mark.parametrize("call", [GET, CREATE], ids=["idempotent", "creating"])
def test_a_2xx_is_finished(call, status):
    assert decide(call, POLICY, 1, response=answer(status), can_refresh_token=True).action is Action.FINISH
