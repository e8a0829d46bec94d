"""
Live progress of a run that is still going: a real ``dag.test()`` import whose orders the sandbox keeps open
(an hour-long order time) runs in the main thread, while a second thread asks the status page's API what a
browser would ask every few seconds, and moves the orders on in the sandbox: its callbacks go to the real
callback receiver (uvicorn on loopback), which records them as asset events, as on the API server.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from airflow.sdk import DagRunState

from tests.dags_helpers import base_conf, report_of
from tests.plugins.bandwidth_hosted_messaging.status.helpers import PREFIX, get
from tests.receiver_server import serve_receiver

IMPORT = "hosted_messaging_import"
NUMBERS = ["+17205550400", "+17205550401", "+17205550499"]  # ...99: the sandbox's checker refuses it (19006)
CALLBACK_USER, CALLBACK_PASSWORD = "bw-progress-cb", "cb-progress-Pa55-9d1c"
#: How long the watcher waits for each stage of the run before giving up (and letting the run end).
STAGE_TIMEOUT = 60.0
#: A wait's state while its trigger runs: DEFERRED in a real triggerer; dag.test() holds it QUEUED meanwhile.
WAITING = ("deferred", "queued")


@pytest.fixture(scope="module")
def callbacks_to_receiver(dags):
    """The callback receiver on loopback, and the ``bandwidth_callback`` connection pointing the sandbox at it."""
    with serve_receiver() as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "AIRFLOW_CONN_BANDWIDTH_CALLBACK",
            json.dumps({"conn_type": "http", "host": url, "login": CALLBACK_USER, "password": CALLBACK_PASSWORD}),
        )
        mp.delenv("BANDWIDTH_CALLBACK_CONN_ID", raising=False)
        yield url


class Watcher(threading.Thread):
    """Ask the API as the page does, note what it answered at each stage, and move the sandbox's orders on."""

    def __init__(self, client, headers, sandbox):
        super().__init__(daemon=True)
        self.client, self.headers, self.sandbox = client, headers, sandbox
        self.seen: dict[str, dict] = {}
        self.answers: list[str] = []
        self.error: BaseException | None = None

    def ask(self, path, **params):
        resp = self.client.get(f"{PREFIX}{path}", headers=self.headers, params=params)
        self.answers.append(resp.text)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def until(self, what, check, timeout=STAGE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.1)
        deliveries = [(c["order_id"], c["status"], c["http_status"], c["error"]) for c in self.sandbox.callbacks()]
        raise AssertionError(
            f"the page never showed {what}; callbacks delivered: {deliveries}; last answer: {self.answers[-1][:2000]}"
        )

    def running_run(self):
        runs = [r for r in self.ask("/api/runs")["runs"] if r["dag_id"] == IMPORT and r["state"] == "running"]
        return runs[0] if runs else None

    def progress(self, run_id):
        return self.ask("/api/progress", dag_id=IMPORT, run_id=run_id)

    def run(self):
        try:
            self._watch()
        except BaseException as err:  # reported by the test, after the run was let go
            self.error = err
        finally:
            self.release()

    def release(self):
        """Let every open order of the sandbox complete, so that the run ends whatever happened here."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            open_orders = [o for o in self.sandbox.orders() if o["status"] in ("RECEIVED", "PROCESSING")]
            for order in open_orders:
                self.sandbox.force_status(order["order_id"], "COMPLETE")
            if self.seen.get("finished"):
                return
            time.sleep(0.2)

    def _watch(self):
        overview_row = self.until(
            "the run in the overview", lambda: (r := self.running_run()) and r.get("progress") and r
        )
        run_id = overview_row["run_id"]
        self.seen["overview"] = overview_row

        def waiting():
            p = self.progress(run_id)
            hit = [o for o in p["progress"]["orders"] if o["wait_state"] in WAITING and o["status"] == "RECEIVED"]
            return p if hit else None

        self.seen["waiting"] = waiting_answer = self.until("an order waiting on Bandwidth", waiting)
        self.seen["detail_waiting"] = self.ask("/api/run", dag_id=IMPORT, run_id=run_id)
        self.seen["overview_waiting"] = next(r for r in self.ask("/api/runs")["runs"] if r["run_id"] == run_id)
        order = next(o for o in waiting_answer["progress"]["orders"] if o["wait_state"] in WAITING)
        # Bandwidth moves the order on: the sandbox's callback reaches the receiver, which records it.
        self.sandbox.force_status(order["order_id"], "PROCESSING")

        def processing():
            p = self.progress(run_id)
            hit = [o for o in p["progress"]["orders"] if o["order_id"] == order["order_id"]]
            return p if hit and hit[0]["status"] == "PROCESSING" else None

        self.seen["processing"] = self.until("the PROCESSING callback", processing)
        self.seen["processing_order"] = order["order_id"]
        for o in self.sandbox.orders():
            if o["status"] in ("RECEIVED", "PROCESSING"):
                self.sandbox.force_status(o["order_id"], "COMPLETE")
        self.release_until_finished(run_id)

    def release_until_finished(self, run_id):
        deadline = time.monotonic() + 2 * STAGE_TIMEOUT
        while time.monotonic() < deadline:
            for o in self.sandbox.orders():
                if o["status"] in ("RECEIVED", "PROCESSING"):
                    self.sandbox.force_status(o["order_id"], "COMPLETE")
            p = self.progress(run_id)
            if not p["active"]:
                self.seen["finished"] = p
                return
            time.sleep(0.2)
        raise AssertionError("the run did not finish")


@pytest.fixture(scope="module")
def watched(dags, sandbox, report_base, callbacks_to_receiver, client, viewer):
    """The import run, watched from the page's API while it waits on its orders."""
    sandbox.reset()
    sandbox.clear_faults()
    sandbox.seed(config={"order_seconds": 3600})  # the orders stay open until the watcher moves them on
    watcher = Watcher(client, viewer, sandbox)
    watcher.start()
    try:
        dr = dags.get_dag(IMPORT).test(run_conf=base_conf(NUMBERS, chunk_size=1, customer_order_id_prefix="live"))
    finally:
        watcher.seen.setdefault("finished", {})  # stop the watcher's release loop if it is still going
        watcher.join(60)
        sandbox.reset()
    if watcher.error is not None:
        raise watcher.error
    return dr, watcher


def test_a_running_run_shows_its_plan_and_each_order_as_the_wait_saw_it(watched):
    dr, watcher = watched
    answer = watcher.seen["waiting"]
    assert answer["active"] is True and answer["run"]["state"] == "running"
    progress = answer["progress"]
    # the plan: one order per number to order (chunk_size 1), the refused number in none
    assert [(o["index"], o["numbers"]) for o in progress["orders"]] == [(0, 1), (1, 1)]
    assert all(o["customer_order_id"].startswith("live") for o in progress["orders"])
    (waiting,) = [o for o in progress["orders"] if o["wait_state"] in WAITING]
    assert waiting["order_id"] and waiting["create_state"] == "success"
    assert (waiting["status"], waiting["status_source"]) == ("RECEIVED", "wait")
    assert waiting["status_at"].endswith("Z")
    counts = progress["counts"]
    assert (counts["total"], counts["checked"], counts["rejected"], counts["planned"]) == (3, 3, 1, 2)
    assert counts["ordered"] >= 1 and counts["waiting"] >= 1
    assert (counts["completed"], counts["failed"], counts["loa_uploaded"]) == (0, 0, 0)
    steps = {s["task_id"]: s for s in progress["steps"]}
    assert steps["check_importability"]["state"] == steps["approve_orders"]["state"] == "success"
    assert steps["import_order.wait"]["active"] is True and steps["report"]["state"] in (None, "scheduled", "none")
    assert "Waiting on Bandwidth" in progress["stage"]
    bar = {s["key"]: s["count"] for s in progress["bar"]}
    assert bar["rejected"] == 1 and bar["waiting"] >= 1 and sum(bar.values()) == 3
    assert progress["refresh_seconds"] > 0


def test_the_run_page_shows_the_progress_instead_of_no_report(watched):
    _, watcher = watched
    detail = watcher.seen["detail_waiting"]
    assert (detail["report"], detail["reason"]) == (None, "not_yet")
    assert detail["progress"]["counts"]["rejected"] == 1 and detail["progress"]["orders"]
    assert detail["not_ordered"] is None and detail["rerun"]["available"] is False
    assert (
        detail["links"]["airflow_run"]
        == f"/dags/{IMPORT}/runs/{detail['run_id'].replace(':', '%3A').replace('+', '%2B')}"
    )


def test_the_overview_shows_a_running_run_with_its_progress_bar(watched):
    _, watcher = watched
    row = watcher.seen["overview_waiting"]
    assert (row["state"], row["has_report"]) == ("running", False)
    assert row["progress"]["counts"]["planned"] == 2 and row["progress"]["bar"]
    assert "orders" not in row["progress"]  # the overview reads counts only


def test_a_callback_moves_the_order_on_before_the_wait_ends(watched):
    _, watcher = watched
    progress = watcher.seen["processing"]["progress"]
    (order,) = [o for o in progress["orders"] if o["order_id"] == watcher.seen["processing_order"]]
    assert (order["status"], order["status_source"]) == ("PROCESSING", "callback")
    assert order["callbacks"] >= 1 and order["wait_state"] in WAITING


def test_once_finished_the_progress_counts_every_number_and_the_page_has_the_report(watched, client, viewer):
    dr, watcher = watched
    assert dr.state == DagRunState.SUCCESS
    final = watcher.seen["finished"]
    assert final["active"] is False
    counts = final["progress"]["counts"]
    assert (counts["ordered"], counts["completed"], counts["failed"], counts["waiting"], counts["loa_uploaded"]) == (
        2,
        2,
        0,
        0,
        2,
    )
    assert {o["status"] for o in final["progress"]["orders"]} == {"COMPLETE"}
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=dr.run_id)
    assert detail["report"] is not None and "progress" not in detail
    assert {r["number"]: r["outcome"] for r in detail["rows"]} == {
        r["number"]: r["outcome"] for r in report_of(dr)["rows"]
    }


def test_no_credential_appears_in_the_progress_answers(watched, sandbox):
    _, watcher = watched
    secrets = {CALLBACK_PASSWORD, sandbox.config.password, sandbox.config.client_secret}
    assert watcher.answers
    assert not [s for s in secrets for answer in watcher.answers if s in answer]


def test_an_approval_awaiting_input_is_an_active_unfinished_step():
    """Airflow 3.3 parks a waiting HITL task in ``awaiting_input``: the step is shown as going, not done."""
    from bandwidth_hosted_messaging.status.progress import _step_dict
    from bandwidth_hosted_messaging.status.tasks import TaskState

    waiting = TaskState("approve_orders", -1, "awaiting_input", 1, "2026-12-01T10:00:00+00:00", None, None)
    assert not waiting.finished
    step = _step_dict("approve_orders", "Approve the orders", "Waiting for approval", [waiting])
    assert (step["state"], step["active"], step["end_date"]) == ("awaiting_input", True, None)
