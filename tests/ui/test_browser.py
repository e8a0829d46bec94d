"""
The whole operator's path in a real browser (headless Chromium) against a real local Airflow with the sandbox
behind it: log in, open ``hosted_messaging_import``'s trigger form, submit a bad number and see its run's page say
"Not ordered" naming the entry, fill every field as a person would and trigger, wait for the run, then read the
run on the "Hosted messaging" page (overview, per-number rows, filters, the CSV download, a number's history, the run's tab). Then a
run whose orders the sandbox holds open: its live progress (overview bar, plan, each order's status, counts), a
callback showing without a reload, the page turning into the report, "Re-run failed numbers", and a run stopped by
an invalid site saying "Not ordered" with the error from the task's log.

Screenshots go to ``artifacts/screenshots/`` (the README shows copies of them from ``docs/screenshots/``).
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from bandwidth_hosted_messaging.reporting.rows import COLUMNS
from tests.deployment.helpers import ROOT

pytestmark = pytest.mark.integration

DAG_ID = "hosted_messaging_import"
RUN_TIMEOUT = 150
#: What the sandbox is seeded to do with them (besides its default rules: ...99 is refused by the checker).
ALREADY, REFUSED = "+13035550150", "+13035550160"
SEED = {"in_service": [ALREADY], "checker_rejects": {REFUSED: 19005}}
#: As a person pastes them: the formats differ; the report has them as ten digits, in this order.
TYPED = ["(303) 555-0100", "+1 303.555.0101", "303-555-0102", "303 555 0150", "+13035550160", "1 (303) 555-0199"]
EXPECTED = {  # number: (outcome, checker code, ordered)
    "+13035550100": ("in_service", "", True),
    "+13035550101": ("in_service", "", True),
    "+13035550102": ("in_service", "", True),
    ALREADY: ("already_in_service", "19006", False),
    REFUSED: ("rejected", "19005", False),
    "+13035550199": ("rejected", "19006", False),
}
BAD_NUMBER = "23035550101"  # 11 digits not starting with 1
FIELDS = {  # the text fields, as a person types them
    "subscriber_name": "Acme Dental",
    "house_number": "900",
    "street_name": "Main St",
    "city": "Denver",
    "state_code": "CO",
    "zip": "80202",
    "county": "Denver",
    "loa_authorizing_person": "Jane Doe",
    "site_id": "14413",
    "customer_order_id_prefix": "ui-test",
    "loa_file": str(ROOT / "include" / "loa" / "sample-loa.pdf"),  # the form has no LOA default
}
#: The form's collapsed section of the technical fields (flows/params.py), and those of FIELDS in it.
TECHNICAL, TECHNICAL_FIELDS = "Technical settings", ("customer_order_id_prefix",)
#: The safety poll keeps its default (900 s): the sandbox's callbacks end the waits.
NUMBER_FIELDS = {"Numbers per order": "2", "Grace period (s)": "30"}
#: A second run, triggered through the REST API beside the form's: one number fails in its order (7518).
OTHER_NUMBERS, OTHER_FAILING = ["+13035550200", "+13035550298"], "+13035550298"


def log_in(page, af) -> None:
    page.goto(f"{af.url}/")
    page.fill("input[name=username]", af.username)
    page.fill("input[name=password]", af.password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def open_trigger_form(page, af):
    page.goto(f"{af.url}/dags/{DAG_ID}")
    page.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("#element_numbers").wait_for()
    return dialog


def reveal(dialog, field) -> None:
    """Open the form's section holding ``field`` (the technical fields sit in a collapsed one; one opens at a time)."""
    if field.is_visible():
        field.page.wait_for_timeout(300)  # a section may be closing (its animation): look again
        if field.is_visible():
            return
    item = dialog.locator("[data-scope=accordion][data-part=item]").filter(has=field)
    if item.count():
        item.last.locator("[data-scope=accordion][data-part=item-trigger]").first.click()
    else:
        dialog.get_by_role("button", name=re.compile(TECHNICAL)).click()
    field.wait_for(state="visible")


def fill_form(page, dialog, numbers: list[str]) -> None:
    reveal(dialog, dialog.locator("#element_numbers"))
    dialog.locator("#element_numbers").fill("\n".join(numbers))
    # the business fields first, then the technical section (opening one section closes the other)
    for name, value in sorted(FIELDS.items(), key=lambda item: item[0] in TECHNICAL_FIELDS):
        field = dialog.locator(f"#element_{name}")
        reveal(dialog, field)
        field.fill(value)
    for label, value in NUMBER_FIELDS.items():
        dialog.get_by_role("spinbutton", name=re.compile(re.escape(label))).fill(value)
    dialog.get_by_role("combobox", name=re.compile("When the checker rejects")).click()
    page.get_by_role("option", name="skip", exact=True).click()
    assert dialog.locator("input[name=element_rejection_policy]").input_value() == "skip"


def trigger(page, dialog):
    def is_trigger(response) -> bool:
        return response.request.method == "POST" and response.url.endswith(f"/dags/{DAG_ID}/dagRuns")

    with page.expect_response(is_trigger) as info:
        dialog.get_by_role("button", name="Trigger", exact=True).click()
    return info.value


def dialog_screenshot(page, dialog, path) -> None:
    """The whole form: a viewport tall enough for the dialog, then back."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 3200})
    try:
        dialog.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def trigger_other_run(af) -> str:
    """A run with a number that fails in its order, triggered as a script would (same conf shape as the form)."""
    conf = {
        **FIELDS,
        "numbers": OTHER_NUMBERS,
        "subscriber_name": "Globex Clinic",
        "county": None,
        "sip_peer_id": None,
        "loa_file": str(ROOT / "include" / "loa" / "sample-loa.pdf"),
        "rejection_policy": "skip",
        "chunk_size": 2,
        "poll_interval": 1,
        "grace_period": 30,
    }
    run = af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}).json()
    return run["dag_run_id"]


def wait_for_task(af, run_id: str, task_id: str) -> None:
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}"
    deadline = time.monotonic() + RUN_TIMEOUT
    while (state := af.api("GET", path, check=False).json().get("state")) != "success":
        assert time.monotonic() < deadline and state not in ("failed", "upstream_failed"), f"{task_id}: {state}"
        af.check_alive()
        time.sleep(0.5)


def wait_for_run(af, run_id: str, expected: str = "success") -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        af.check_alive()
        run = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}").json()
        if run["state"] in ("success", "failed") or time.monotonic() > deadline:
            break
        time.sleep(1)
    path = f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(run_id, safe='')}/taskInstances"
    tis = af.api("GET", path).json()["task_instances"]
    assert run["state"] == expected, {f"{t['task_id']}[{t['map_index']}]": t["state"] for t in tis}
    return run


def status_frame(page):
    return page.frame_locator("iframe[title='Hosted messaging']")


def test_an_operator_triggers_an_import_from_the_form_and_reads_it_on_the_status_page(page, local_airflow, artifacts):
    af = local_airflow
    requests.post(f"{af.sandbox_url}/_sandbox/seed", json=SEED, timeout=30).raise_for_status()
    other_id = trigger_other_run(af)
    log_in(page, af)

    # -- a bad number: the form takes it (no pattern), the run refuses it before any call; its page says why ----
    wait_for_task(af, other_id, "ensure_subscription")  # one subscription for all runs, not two created at once
    dialog = open_trigger_form(page, af)
    fill_form(page, dialog, [TYPED[0], BAD_NUMBER])
    refused = trigger(page, dialog)
    assert refused.status == 200, refused.text()
    refused_id = refused.json()["dag_run_id"]

    # -- every field as a person fills it, then trigger ------------------------------------------------------
    dialog = open_trigger_form(page, af)
    fill_form(page, dialog, TYPED)
    dialog_screenshot(page, dialog, artifacts / "trigger-form.png")
    accepted = trigger(page, dialog)
    assert accepted.status == 200, accepted.text()
    run_id = accepted.json()["dag_run_id"]
    assert accepted.json()["conf"]["numbers"] == TYPED
    run = wait_for_run(af, run_id)
    assert run["triggering_user_name"] == af.username
    assert wait_for_run(af, other_id, "failed")["state"] == "failed"
    assert wait_for_run(af, refused_id, "failed")["state"] == "failed"

    # -- the overview, from the navigation ---------------------------------------------------------------------
    page.goto(f"{af.url}/")
    page.locator("a[href$='/plugin/hosted-messaging']").click()
    frame = status_frame(page)
    row = frame.locator(f'[data-testid=run-row][data-run-id="{run_id}"]')
    row.wait_for()
    assert row.get_attribute("data-dag-id") == DAG_ID
    assert row.locator("[data-testid=run-link]").inner_text() == "Acme Dental (form)"
    assert row.locator("[data-testid=run-state]").inner_text() == "success"
    assert f"by {af.username}" in row.inner_text()
    assert row.locator("[data-testid=run-total]").inner_text() == "6 numbers"
    counts = {
        key: row.locator(f"td[data-key={key}]").inner_text()
        for key in ("in_service", "rejected", "order_failed", "loa_missing", "not_in_service", "lost")
    }
    assert counts == {
        "in_service": "4",
        "rejected": "2",
        "order_failed": "0",
        "loa_missing": "0",
        "not_in_service": "0",
        "lost": "0",
    }
    assert "attention" not in (row.get_attribute("class") or "")
    other = frame.locator(f'[data-testid=run-row][data-run-id="{other_id}"]')
    assert "attention" in other.get_attribute("class")
    assert other.locator("[data-testid=run-link]").inner_text() == "Globex Clinic (form)"
    assert [other.locator(f"td[data-key={key}]").inner_text() for key in ("in_service", "order_failed")] == ["1", "1"]
    listed = [r.get_attribute("data-run-id") for r in frame.locator("[data-testid=run-row]").all()]
    assert listed[:3] == [run_id, refused_id, other_id]  # newest first
    page.screenshot(path=str(artifacts / "status-overview.png"))

    # -- the refused run: "Not ordered", with the task's error naming the entry, and a link to its log ----------
    refused_row = frame.locator(f'[data-testid=run-row][data-run-id="{refused_id}"]')
    assert "attention" in refused_row.get_attribute("class")
    refused_row.locator("[data-testid=run-link]").click()
    reason = frame.locator("[data-testid=not-ordered-reason]")
    reason.wait_for()
    assert reason.inner_text().startswith("Validate the request (validate_request) failed: Invalid import request: ")
    assert f"numbers: entry 2: '{BAD_NUMBER}'" in reason.inner_text() and "North American" in reason.inner_text()
    assert frame.locator("[data-testid=not-ordered-log]").get_attribute("href").endswith("/tasks/validate_request")
    page.screenshot(path=str(artifacts / "status-refused-number.png"))
    frame.locator("[data-testid=back]").click()

    # -- the run: counts and one row per number ----------------------------------------------------------------
    row.locator("[data-testid=run-link]").click()
    frame.locator("[data-testid=rows-table]").wait_for()
    assert run_id in frame.locator("[data-testid=run-title]").inner_text()
    cards = {
        key: frame.locator(f"[data-testid=count-{key}] .n").inner_text()
        for key in ("total", "in_service", "rejected", "order_failed", "not_in_service", "loa_missing", "lost")
    }
    assert cards == {
        "total": "6",
        "in_service": "4",
        "rejected": "2",
        "order_failed": "0",
        "not_in_service": "0",
        "loa_missing": "0",
        "lost": "0",
    }
    rows = frame.locator("[data-testid=number-row]")
    assert rows.count() == 6
    header = [h.strip() for h in frame.locator("[data-testid=rows-table] thead th").all_inner_texts()]
    seen = {}
    for i in range(6):
        cells = dict(zip(header, [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()], strict=True))
        seen[cells["Number"]] = cells
        assert rows.nth(i).get_attribute("data-outcome") == EXPECTED[cells["Number"]][0]
    assert list(seen) == list(EXPECTED)
    for number, (_, checker_code, ordered) in EXPECTED.items():
        cells = seen[number]
        assert cells["Checker code"] == checker_code, cells
        assert bool(cells["Order id"]) is ordered and bool(cells["CustomerOrderId"]) is ordered, cells
        if ordered:
            assert cells["Order status"] == "COMPLETE" and cells["LOA file"] and cells["In service"] == "yes", cells
            assert cells["CustomerOrderId"].startswith("ui-test"), cells
        assert cells["Error code"] == "", cells
    assert seen[ALREADY]["In service"] == "yes" and seen["+13035550199"]["In service"] == ""
    page.screenshot(path=str(artifacts / "status-run.png"))

    # filter by outcome, search by number
    frame.locator("[data-testid=outcome-filter]").select_option("rejected")
    frame.locator("[data-testid=row-info]").filter(has_text="of 2").wait_for()
    assert sorted(r.get_attribute("data-number") for r in rows.all()) == [REFUSED, "+13035550199"]
    frame.locator("[data-testid=outcome-filter]").select_option("")
    frame.locator("[data-testid=number-search]").fill("555-0101")
    frame.locator("[data-testid=row-info]").filter(has_text="1–1 of 1").wait_for()
    assert [r.get_attribute("data-number") for r in rows.all()] == ["+13035550101"]
    frame.locator("[data-testid=number-search]").fill("")
    frame.locator("[data-testid=row-info]").filter(has_text="1–6 of 6").wait_for()

    # -- the CSV download ----------------------------------------------------------------------------------------
    with page.expect_download() as download_info:
        frame.locator("[data-testid=download-csv]").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"{DAG_ID}_manual__") and download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    (artifacts.parent / "status-report.csv").write_text(text)
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == COLUMNS
    assert [(r["number"], r["outcome"], r["checker_code"]) for r in table] == [
        (n, outcome, code) for n, (outcome, code, _) in EXPECTED.items()
    ]
    assert all(bool(r["order_id"]) is EXPECTED[r["number"]][2] for r in table)
    in_service = {r["number"] for r in table if r["in_service"] == "True"}
    assert in_service == {"+13035550100", "+13035550101", "+13035550102", ALREADY}

    # -- a number's history ------------------------------------------------------------------------------------
    frame.locator("#lookup-number").fill("+1 (303) 555-0101")
    frame.locator("[data-testid=lookup-form] button").click()
    frame.locator("[data-testid=history-table]").wait_for()
    assert frame.locator("[data-testid=ledger-status]").get_attribute("data-status") == "hosted"
    history = frame.locator("[data-testid=history-row]")
    assert history.count() == 1 and run_id in history.first.inner_text()
    assert history.first.get_attribute("data-outcome") == "in_service"
    page.screenshot(path=str(artifacts / "number-lookup.png"))

    # -- the tab on the run's own page ---------------------------------------------------------------------------
    page.goto(f"{af.url}/dags/{DAG_ID}/runs/{quote(run_id, safe='')}")
    page.locator("a[href$='/plugin/hosted-messaging-run']").click()
    tab = status_frame(page)
    tab.locator("[data-testid=rows-table]").wait_for()
    assert run_id in tab.locator("[data-testid=run-title]").inner_text()
    assert tab.locator("[data-testid=number-row]").count() == 6
    page.screenshot(path=str(artifacts / "status-run-tab.png"))

    # the same tab on a run of another DAG says there is no report
    page.goto(f"{af.url}/bandwidth-status/?dag_id=hosted_numbers_health&run_id=scheduled__x&tab=1")
    assert "No report for this run" in page.locator("[data-testid=no-report]").inner_text()


#: The live run: one order per number (chunk size 1), held open by the sandbox until the test moves them on;
#: ...98 fails in its order (7518), so the finished run has a failed number to re-run.
LIVE_NUMBERS, LIVE_FAILING = ["+13035550800", "+13035550801", "+13035550898"], "+13035550898"
BAD_SITE = "99999"


def trigger_api_run(af, numbers: list[str], **fields) -> str:
    """A run triggered through the REST API, with the form's fields (as a script would)."""
    conf = {
        **FIELDS,
        "numbers": numbers,
        "county": None,
        "sip_peer_id": None,
        "rejection_policy": "skip",
        "chunk_size": 1,
        "poll_interval": 5,  # the safety poll; the sandbox's callbacks end the waits
        "grace_period": 30,
        **fields,
    }
    return af.api("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}).json()[
        "dag_run_id"
    ]


def sandbox_orders(af, numbers: list[str]) -> list[dict]:
    orders = requests.get(f"{af.sandbox_url}/_sandbox/orders", timeout=30).json()
    wanted = {n.removeprefix("+1") for n in numbers}
    return [o for o in orders if wanted & {n.removeprefix("+1") for n in o["numbers"]}]


def force(af, order_id: str, status: str) -> None:
    url = f"{af.sandbox_url}/_sandbox/orders/{order_id}/status"
    requests.post(url, json={"status": status}, timeout=30).raise_for_status()


def status_page_frame(page):
    """The page's frame itself (to run script in it), once the Airflow UI has framed it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/bandwidth-status/" in frame.url:
                return frame
        time.sleep(0.1)
    raise AssertionError("the Hosted messaging frame did not load")


def test_an_operator_watches_a_run_while_its_orders_wait_then_re_runs_its_failed_numbers(
    page, local_airflow, artifacts
):
    af = local_airflow
    held = {"config": {"order_seconds": 3600}}  # the orders wait until the test moves them on
    requests.post(f"{af.sandbox_url}/_sandbox/seed", json=held, timeout=30).raise_for_status()
    try:
        live_id = trigger_api_run(af, LIVE_NUMBERS, subscriber_name="Initech Dental")
        bad_site_id = trigger_api_run(af, ["+13035550850"], subscriber_name="Wrong Site Dental", site_id=BAD_SITE)
        deadline = time.monotonic() + RUN_TIMEOUT
        while len(sandbox_orders(af, LIVE_NUMBERS)) < 3:  # every order created, each wait deferred on it
            assert time.monotonic() < deadline, "the live run's orders were not created"
            af.check_alive()
            time.sleep(0.5)
        log_in(page, af)

        # -- the overview: the running run with its progress bar ------------------------------------------------
        page.goto(f"{af.url}/")
        page.locator("a[href$='/plugin/hosted-messaging']").click()
        frame = status_frame(page)
        row = frame.locator(f'[data-testid=run-row][data-run-id="{live_id}"]')
        row.locator("[data-testid=run-progress] [data-testid=bar]").wait_for()
        assert row.locator("[data-testid=run-state]").inner_text() == "running"
        frame.locator(f'[data-testid=run-row][data-run-id="{live_id}"] [data-testid=run-progress-text]').filter(
            has_text="3 waiting on Bandwidth"
        ).wait_for()
        page.screenshot(path=str(artifacts / "status-overview-live.png"))

        # -- the run's page: its plan, each order as the waits saw it, the counts so far ---------------------------
        row.locator("[data-testid=run-link]").click()
        orders = frame.locator("[data-testid=order-row]")
        frame.locator("[data-testid=order-row][data-status=RECEIVED]").nth(2).wait_for()
        assert orders.count() == 3
        assert all(o.locator("[data-testid=order-seen-by]").inner_text() == "the wait's read" for o in orders.all())
        cards = {
            key: frame.locator(f"[data-testid=progress-{key}] .n").inner_text()
            for key in (
                "total",
                "checked",
                "rejected",
                "planned",
                "ordered",
                "waiting",
                "completed",
                "failed",
                "loa_uploaded",
            )
        }
        assert cards == {
            "total": "3",
            "checked": "3",
            "rejected": "0",
            "planned": "3",
            "ordered": "3",
            "waiting": "3",
            "completed": "0",
            "failed": "0",
            "loa_uploaded": "0",
        }
        step = frame.locator("[data-testid=step][data-task-id='import_order.wait']")
        assert step.get_attribute("data-state") == "deferred" and "waiting since" in step.inner_text()
        assert "Waiting on Bandwidth" in frame.locator("[data-testid=progress-stage]").inner_text()
        assert not frame.locator("[data-testid=no-report]").count()
        page.screenshot(path=str(artifacts / "status-run-live.png"))
        status_page_frame(page).evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads

        # -- Bandwidth moves one order on: its callback shows within seconds, without a reload ------------------------
        first = next(o for o in sandbox_orders(af, LIVE_NUMBERS) if LIVE_NUMBERS[0].removeprefix("+1") in o["numbers"])
        force(af, first["order_id"], "PROCESSING")
        moved = frame.locator("[data-testid=order-row][data-status=PROCESSING]")
        moved.wait_for()
        assert moved.locator("[data-testid=order-seen-by]").inner_text() == "Bandwidth's callback"
        for order in sandbox_orders(af, LIVE_NUMBERS):
            force(af, order["order_id"], "COMPLETE")  # the ...98 number still fails in its order (7518)
        # the run ends: the same page turns into its report
        frame.locator("[data-testid=rows-table]").wait_for(timeout=RUN_TIMEOUT * 1000)
        assert status_page_frame(page).evaluate("() => window.__sameDocument") is True
    finally:
        requests.post(f"{af.sandbox_url}/_sandbox/seed", json={"config": {"order_seconds": 2}}, timeout=30)
        for order in sandbox_orders(af, LIVE_NUMBERS):
            if order["status"] in ("RECEIVED", "PROCESSING"):
                force(af, order["order_id"], "COMPLETE")
    wait_for_run(af, live_id, "failed")
    frame.locator("[data-testid=count-order_failed][data-count='1']").wait_for()
    assert frame.locator("[data-testid=count-in_service] .n").inner_text() == "2"

    # -- the run links to its Airflow run ---------------------------------------------------------------------------
    airflow_link = frame.locator("[data-testid=airflow-run-link]")
    assert airflow_link.get_attribute("href") == f"/dags/{DAG_ID}/runs/{quote(live_id, safe='')}"

    # -- re-run the failed number from the page ------------------------------------------------------------------------
    button = frame.locator("[data-testid=rerun-button]")
    assert button.inner_text() == "Re-run failed numbers (1)" and button.is_enabled()
    button.click()
    frame.locator("[data-testid=rerun-confirm]").click()
    started = frame.locator("[data-testid=rerun-started-link]")
    started.wait_for()
    rerun_id = started.inner_text()
    started.click()
    assert live_id in frame.locator("[data-testid=rerun-of]").inner_text()
    frame.locator("[data-testid=rows-table]").wait_for(timeout=RUN_TIMEOUT * 1000)  # it ran, live, to its report
    rows = frame.locator("[data-testid=number-row]")
    assert [(r.get_attribute("data-number"), r.get_attribute("data-outcome")) for r in rows.all()] == [
        (LIVE_FAILING, "order_failed")
    ]
    page.screenshot(path=str(artifacts / "status-rerun.png"))
    rerun = af.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{quote(rerun_id, safe='')}").json()
    assert rerun["conf"]["retry_failed_of_run"] == live_id and rerun["triggering_user_name"] == af.username
    # the source run's page lists its re-run
    frame.locator("[data-testid=rerun-of] a").click()
    assert frame.locator("[data-testid=rerun-link]").inner_text() == rerun_id

    # -- a run that ordered nothing says why, with the failed task's error from its log ------------------------------
    wait_for_run(af, bad_site_id, "failed")
    page.goto(f"{af.url}/bandwidth-status/?dag_id={DAG_ID}&run_id={quote(bad_site_id, safe='')}")
    reason = page.locator("[data-testid=not-ordered-reason]")
    reason.wait_for()
    assert reason.inner_text() == (
        f"Check site and numbers (check_importability) failed: site_id: site {BAD_SITE} does not exist in this "
        "Bandwidth account"
    )
    page.screenshot(path=str(artifacts / "status-not-ordered.png"))
    page.locator("[data-testid=not-ordered-log]").click()
    page.wait_for_url(re.compile(rf"/dags/{DAG_ID}/runs/.+/tasks/check_importability"))

    # -- and from the framed page, the link opens the run in the Airflow UI itself ------------------------------------
    page.goto(f"{af.url}/dags/{DAG_ID}/runs/{quote(live_id, safe='')}")
    page.locator("a[href$='/plugin/hosted-messaging-run']").click()
    status_frame(page).locator("[data-testid=airflow-run-link]").click()
    page.wait_for_url(re.compile(rf"/dags/{DAG_ID}/runs/[^/]+$"))
    assert live_id in page.get_by_text(live_id).first.inner_text()


def test_without_logging_in_the_page_shows_no_data(local_airflow, browser):
    af = local_airflow
    context = browser.new_context()
    try:
        assert context.request.get(f"{af.url}/bandwidth-status/api/runs").status == 401
        page = context.new_page()
        page.goto(f"{af.url}/bandwidth-status/")
        page.locator("[data-testid=auth-needed]").wait_for()
        assert not page.locator("[data-testid=runs-table]").count()
    finally:
        context.close()
