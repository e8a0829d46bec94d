"""
Before anything is ordered, in a real browser against the same real Airflow as ``test_browser.py`` (the session's,
whose ``[bandwidth] approval_threshold`` is ``conftest.APPROVAL_THRESHOLD``): a dry run shown as such on its page,
with the orders it would place and no call at Bandwidth that creates or changes anything; a run at the threshold
waiting in Airflow's own *Required Actions* with its plan in the body, approved there by a click, then ordering;
and another rejected there, ordering nothing, its page saying "Not ordered" and who rejected it.

Screenshots go to ``artifacts/screenshots/`` (the README shows copies of them from ``docs/screenshots/``).
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
import requests

from tests.ui.test_browser import (
    DAG_ID,
    RUN_TIMEOUT,
    log_in,
    sandbox_orders,
    status_frame,
    trigger_api_run,
    wait_for_run,
    wait_for_task,
)

pytestmark = pytest.mark.integration

#: Every call that creates or changes something at Bandwidth (besides a subscription's POST, PUT or DELETE).
CHANGING = ("importTnOrders.create", "removeImportedTnOrders.create", "loas.upload")
#: The sandbox refuses ...99 with 19006 by its default rule: each run has one number the checker rejects.
DRY_NUMBERS, DRY_REFUSED = ["+13035550300", "+13035550301", "+13035550302", "+13035550303"], "+13035550399"
APPROVED_NUMBERS, APPROVED_REFUSED = ["+13035550400", "+13035550401", "+13035550402", "+13035550403"], "+13035550499"
REJECTED_NUMBERS = ["+13035550500", "+13035550501", "+13035550502", "+13035550503"]
APPROVAL = "approve_orders"


def threshold(af) -> int:
    return int(af.extra_env["AIRFLOW__BANDWIDTH__APPROVAL_THRESHOLD"])


def sandbox_requests(af) -> list[dict]:
    return requests.get(f"{af.sandbox_url}/_sandbox/requests", timeout=30).json()


def changing_calls(entries: list[dict]) -> list[dict]:
    return [
        e
        for e in entries
        if e["endpoint"] in CHANGING or (e["endpoint"].startswith("subscriptions") and e["method"] != "GET")
    ]


def mentions(entry: dict, numbers: list[str]) -> bool:
    """The request names one of ``numbers`` (in its body, path or query; ten digits or E.164)."""
    text = f"{entry.get('path', '')}?{entry.get('query', '')} {entry.get('body') or ''}"
    return any(n.removeprefix("+1") in text for n in numbers)


def xcom(af, run_id: str, task_id: str, key: str = "return_value"):
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/xcomEntries/{key}"
    return af.api("GET", path).json()["value"]


def wait_for_approval(af, run_id: str) -> None:
    """Until the run's approval step waits for an answer (Airflow 3.3: ``awaiting_input``)."""
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/{APPROVAL}"
    deadline = time.monotonic() + RUN_TIMEOUT
    while (state := af.api("GET", path, check=False).json().get("state")) != "awaiting_input":
        assert time.monotonic() < deadline and state not in ("success", "failed", "upstream_failed"), state
        af.check_alive()
        time.sleep(0.5)


def run_rows(frame) -> dict[str, dict[str, str]]:
    """The run page's rows: number -> {column header: cell text}, plus the row's ``data-outcome``."""
    header = [h.strip() for h in frame.locator("[data-testid=rows-table] thead th").all_inner_texts()]
    rows = {}
    for row in frame.locator("[data-testid=number-row]").all():
        cells = dict(zip(header, [c.strip() for c in row.locator("td").all_inner_texts()], strict=True))
        rows[cells["Number"]] = {**cells, "outcome": row.get_attribute("data-outcome")}
    return rows


def open_required_action(page, af, run_id: str):
    """The approval task instance's page in Airflow, then its "Required Action (1)" tab, as a person gets there."""
    page.goto(f"{af.url}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}/tasks/{APPROVAL}")
    page.locator("a, button").filter(has_text=re.compile(r"^Required Action \(1\)$")).first.click()
    # the page the operator's generate_link_to_ui builds
    page.wait_for_url(re.compile(rf"/dags/{DAG_ID}/runs/[^/]+/tasks/{APPROVAL}/required_actions"))
    approve = page.get_by_role("button", name="Approve", exact=True)
    approve.wait_for()
    return page.locator("div").filter(has=approve).filter(has=page.get_by_role("table")).last


def answer(page, run_id: str, option: str) -> dict:
    """Click ``option`` on the Required Actions page; the UI's answer to Airflow's HITL API."""

    def is_answer(response) -> bool:
        return response.request.method == "PATCH" and response.url.endswith(f"/taskInstances/{APPROVAL}/-1/hitlDetails")

    with page.expect_response(is_answer) as info:
        page.get_by_role("button", name=option, exact=True).click()
    assert info.value.status == 200, info.value.text()
    return info.value.json()


def answer_a_retried_approval(af, run_id: str, option: str, timeout: float = 90.0) -> int:
    """
    Airflow 3.3.2 can mark a task FAILED when it is resumed within seconds of pausing (a stale executor event of the
    pausing workload, apache/airflow#67287); ``approve_orders`` then retries once and asks again. Answer such a
    second request the same way, through the REST API, until the approval step is done; return how many were.
    """
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/{APPROVAL}"
    deadline, again = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        ti = af.api("GET", path).json()
        if ti["state"] in ("success", "failed", "skipped", "upstream_failed"):
            return again
        if ti["state"] == "awaiting_input" and ti["try_number"] > 1 + again:
            resp = af.api(
                "PATCH", f"{path}/-1/hitlDetails", json={"chosen_options": [option], "params_input": {}}, check=False
            )
            if resp.status_code == 200:
                again += 1
        time.sleep(1)
    return again


def test_a_dry_run_shows_on_its_page_with_the_orders_it_would_place_and_changes_nothing(page, local_airflow, artifacts):
    af = local_airflow
    assert len(DRY_NUMBERS) >= threshold(af)  # a dry run asks nobody, whatever its size
    # Every earlier run has ended: from here on the log holds the dry run's calls only.
    requests.delete(f"{af.sandbox_url}/_sandbox/requests", timeout=30).raise_for_status()
    run_id = trigger_api_run(
        af, [*DRY_NUMBERS, DRY_REFUSED], subscriber_name="Umbrella Dental", chunk_size=2, dry_run=True
    )
    wait_for_run(af, run_id)

    # -- at Bandwidth: checked, nothing created, uploaded or changed ----------------------------------------------
    calls = sandbox_requests(af)
    assert any(e["endpoint"] == "importTnChecker" and mentions(e, DRY_NUMBERS) for e in calls), calls
    assert changing_calls(calls) == []
    assert sandbox_orders(af, DRY_NUMBERS) == []
    plan = xcom(af, run_id, APPROVAL, "plan")
    assert [c["numbers"] for c in plan] == [DRY_NUMBERS[:2], DRY_NUMBERS[2:]]
    assert xcom(af, run_id, APPROVAL, "approval")["decision"] == "dry_run"

    # -- the run's Hosted messaging tab: a dry run, its would-be orders ---------------------------------------------
    log_in(page, af)
    page.goto(f"{af.url}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}")
    page.locator("a[href$='/plugin/hosted-messaging-run']").click()
    frame = status_frame(page)
    frame.locator("[data-testid=rows-table]").wait_for()
    assert frame.locator("[data-testid=dry-run]").inner_text() == "dry run"
    assert frame.locator("[data-testid=not-ordered]").get_attribute("data-kind") == "dry_run"
    assert frame.locator("[data-testid=not-ordered-reason]").inner_text() == "Dry run: nothing was ordered, by design."
    cards = {
        key: frame.locator(f"[data-testid=count-{key}] .n").inner_text()
        for key in ("total", "would_order", "in_service", "rejected", "not_ordered")
    }
    assert cards == {"total": "5", "would_order": "4", "in_service": "0", "rejected": "1", "not_ordered": "0"}
    rows = run_rows(frame)
    planned = {n: chunk["customer_order_id"] for chunk in plan for n in chunk["numbers"]}
    assert {n: r["CustomerOrderId"] for n, r in rows.items() if r["outcome"] == "would_order"} == planned
    assert all(rows[n]["Order id"] == "" for n in DRY_NUMBERS)  # planned, never made
    assert (rows[DRY_REFUSED]["outcome"], rows[DRY_REFUSED]["Checker code"]) == ("rejected", "19006")
    badge = frame.locator(f'[data-testid=number-row][data-number="{DRY_NUMBERS[0]}"] .badge').first
    assert badge.inner_text() == "Would order"
    page.screenshot(path=str(artifacts / "status-dry-run.png"))


@pytest.fixture(scope="module")
def approval_runs(local_airflow) -> dict[str, str]:
    """Two runs at the threshold, started together: each waits for an answer (one approved, one rejected)."""
    af = local_airflow
    assert len(APPROVED_NUMBERS) >= threshold(af) and len(REJECTED_NUMBERS) >= threshold(af)
    approved = trigger_api_run(af, [*APPROVED_NUMBERS, APPROVED_REFUSED], subscriber_name="Stark Dental", chunk_size=2)
    wait_for_task(af, approved, "ensure_subscription")  # one subscription for both runs, not two made at once
    rejected = trigger_api_run(af, REJECTED_NUMBERS, subscriber_name="Wayne Dental", chunk_size=2)
    return {"approved": approved, "rejected": rejected}


def test_an_approval_given_in_airflows_required_actions_lets_the_run_order(
    page, local_airflow, approval_runs, artifacts
):
    af = local_airflow
    run_id = approval_runs["approved"]
    wait_for_approval(af, run_id)
    plan = xcom(af, run_id, APPROVAL, "plan")
    assert [c["numbers"] for c in plan] == [APPROVED_NUMBERS[:2], APPROVED_NUMBERS[2:]]
    assert sandbox_orders(af, APPROVED_NUMBERS) == []  # nothing ordered while it waits
    log_in(page, af)

    # -- the run's page says it waits for an approval -----------------------------------------------------------------
    page.goto(f"{af.url}/bandwidth-status/?dag_id={DAG_ID}&run_id={quote(run_id, safe='')}")
    page.locator("[data-testid=awaiting-approval]").wait_for()
    step = page.locator(f"[data-testid=step][data-task-id={APPROVAL}]")
    assert step.get_attribute("data-state") == "awaiting_input"
    assert "Waiting for approval" in page.locator("[data-testid=progress-stage]").inner_text()
    page.screenshot(path=str(artifacts / "status-awaiting-approval.png"))

    # -- Airflow's Required Actions: the plan in the body ----------------------------------------------------------
    body = open_required_action(page, af, run_id)
    text = body.inner_text()
    assert "Approve import orders for 4 numbers?" in text
    assert "4 numbers in 2 import order(s)." in text
    assert "Site 14413, SIP peer the site's default; subscriber Stark Dental." in text
    assert "LOA file: sample-loa.pdf" in text
    assert f"Rejected by the checker, not ordered: 1: {APPROVED_REFUSED} (19006)." in text
    table = [r.inner_text().split("\t") for r in body.get_by_role("table").locator("tbody tr").all()]
    assert table == [[str(c["index"]), c["customer_order_id"], str(len(c["numbers"])), c["numbers"][0]] for c in plan]
    page.screenshot(path=str(artifacts / "approval-required-action.png"))

    # -- Approve: the run orders ------------------------------------------------------------------------------------
    answered = answer(page, run_id, "Approve")
    assert answered["chosen_options"] == ["Approve"] and answered["responded_by"]["name"] == af.username
    answer_a_retried_approval(af, run_id, "Approve")
    wait_for_run(af, run_id)
    orders = sandbox_orders(af, APPROVED_NUMBERS)
    assert sorted(o["customer_order_id"] for o in orders) == sorted(c["customer_order_id"] for c in plan)
    creates = [e for e in sandbox_requests(af) if e["endpoint"] == "importTnOrders.create"]
    assert len([e for e in creates if mentions(e, APPROVED_NUMBERS)]) == 2
    approval = xcom(af, run_id, APPROVAL, "approval")
    assert (approval["decision"], approval["by"], approval["numbers"], approval["orders"]) == (
        "approved",
        af.username,
        4,
        2,
    )
    page.goto(f"{af.url}/bandwidth-status/?dag_id={DAG_ID}&run_id={quote(run_id, safe='')}")
    page.locator("[data-testid=rows-table]").wait_for()
    assert page.locator("[data-testid=count-in_service] .n").inner_text() == "4"
    assert not page.locator("[data-testid=not-ordered]").count()


def test_an_approval_rejected_in_airflows_required_actions_orders_nothing(
    page, local_airflow, approval_runs, artifacts
):
    af = local_airflow
    run_id = approval_runs["rejected"]
    wait_for_approval(af, run_id)
    log_in(page, af)
    body = open_required_action(page, af, run_id)
    assert "Approve import orders for 4 numbers?" in body.inner_text()
    assert "subscriber Wayne Dental" in body.inner_text()

    answered = answer(page, run_id, "Reject")
    assert answered["chosen_options"] == ["Reject"] and answered["responded_by"]["name"] == af.username
    page.get_by_text(re.compile(rf"^Response received at .+ from {re.escape(af.username)}$")).wait_for()
    answer_a_retried_approval(af, run_id, "Reject")
    wait_for_run(af, run_id, "failed")  # its numbers were not imported

    # -- nothing ordered at Bandwidth ------------------------------------------------------------------------------
    assert sandbox_orders(af, REJECTED_NUMBERS) == []
    assert [e for e in changing_calls(sandbox_requests(af)) if mentions(e, REJECTED_NUMBERS)] == []
    approval = xcom(af, run_id, APPROVAL, "approval")
    assert (approval["decision"], approval["by"]) == ("rejected", af.username)

    # -- the run's page: "Not ordered", who rejected it and when -------------------------------------------------------
    page.goto(f"{af.url}/bandwidth-status/?dag_id={DAG_ID}&run_id={quote(run_id, safe='')}")
    page.locator("[data-testid=rows-table]").wait_for()
    notice = page.locator("[data-testid=not-ordered]")
    assert notice.get_attribute("data-kind") == "approval"
    assert notice.locator("strong").inner_text().strip() == "Not ordered:"
    reason = page.locator("[data-testid=not-ordered-reason]").inner_text()
    assert reason == f"The orders were rejected by {af.username} at {approval['at']}."
    assert page.locator("[data-testid=count-not_ordered] .n").inner_text() == "4"
    rows = run_rows(page)
    assert {n: r["outcome"] for n, r in rows.items()} == dict.fromkeys(REJECTED_NUMBERS, "not_ordered")
    assert all(f"rejected by {af.username}" in r["Error text"] and r["Order id"] == "" for r in rows.values())
    page.screenshot(path=str(artifacts / "status-approval-rejected.png"))
