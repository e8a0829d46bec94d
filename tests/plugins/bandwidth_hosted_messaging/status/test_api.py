"""
The status page's JSON API on the reports of real runs: ``dag.test()`` of the manual import, a batch import, a
removal and a health check against the sandbox, then the API (mounted as the API server mounts it, with Airflow's
own auth manager) answers as an operator's browser would ask. The fixtures (DAGs synced, the app, a viewer's
token) are in ``conftest.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from airflow.sdk import DagRunState
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bandwidth_hosted_messaging.reporting.rows import COLUMNS
from bandwidth_hosted_messaging.reporting.storage import report_folder
from tests.dags_helpers import base_conf, e164, report_of
from tests.plugins.bandwidth_hosted_messaging.status.helpers import PREFIX, get, token

IMPORT, REMOVE, HEALTH = "hosted_messaging_import", "hosted_messaging_remove", "hosted_numbers_health"
BATCH = "import_batch_acme_dental"
KEPT, REMOVED, LOST, ALREADY = "+17205550100", "+17205550101", "+17205550102", "+17205550150"
REJECTED, FAILED = "+17205550199", "+17205550198"
MANUAL_NUMBERS = ["(720) 555-0100", "+1 720.555.0101", "720-555-0102", ALREADY, REJECTED, FAILED]


@pytest.fixture(scope="module")
def runs(dags, sandbox, report_base):
    """
    A manual import (in service, already in service, rejected by the checker, failed in its order), the acme
    batch, a removal of one imported number, and a health run that finds another one lost.
    """
    sandbox.reset()
    sandbox.clear_faults()
    sandbox.seed(in_service=[ALREADY])
    conf = base_conf(MANUAL_NUMBERS, chunk_size=2, subscriber_name="Zenith Dental")
    manual = dags.get_dag(IMPORT).test(run_conf=conf)
    assert manual.state == DagRunState.FAILED  # the 7518 number fails the run, after the report
    batch = dags.get_dag(BATCH).test()
    assert batch.state == DagRunState.SUCCESS
    removal = dags.get_dag(REMOVE).test(
        run_conf={"numbers": [REMOVED], "poll_interval": 0.3, "grace_period": 3, "customer_order_id_prefix": "rm"}
    )
    assert removal.state == DagRunState.SUCCESS
    assert e164(sandbox.lose([LOST])["lost"]) == [LOST]
    health = dags.get_dag(HEALTH).test()
    assert health.state == DagRunState.FAILED  # it names the lost number
    return {"manual": manual, "batch": batch, "removal": removal, "health": health}


def run_of(overview, dr):
    (run,) = [r for r in overview["runs"] if (r["dag_id"], r["run_id"]) == (dr.dag_id, dr.run_id)]
    return run


# ---- authentication ----------------------------------------------------------------------------------------


API_PATHS = [
    "/api/runs",
    f"/api/run?dag_id={IMPORT}&run_id=x",
    f"/api/run.csv?dag_id={IMPORT}&run_id=x",
    f"/api/numbers/{KEPT}",
    "/api/inventory.csv",
]


@pytest.mark.parametrize("path", API_PATHS)
def test_every_api_route_answers_401_without_a_user(client, auth_manager, path):
    expired = token(auth_manager, expiration_time_in_seconds=-60)
    for headers, cookies in [
        ({}, {}),
        ({"Authorization": "Bearer not-a-jwt"}, {}),
        ({"Authorization": f"Bearer {expired}"}, {}),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, {}),  # admin:admin, not how this API authenticates
        ({}, {"_token": "not-a-jwt"}),
    ]:
        client.cookies.clear()
        client.cookies.update(cookies)
        resp = client.get(f"{PREFIX}{path}", headers=headers)
        assert resp.status_code == 401, (headers, cookies, resp.status_code, resp.text)
        assert resp.headers["www-authenticate"] == "Bearer"
        assert "rows" not in resp.text
    client.cookies.clear()


def test_the_ui_session_cookie_and_a_bearer_token_are_both_accepted(client, auth_manager, runs):
    bearer = {"Authorization": f"Bearer {token(auth_manager)}"}
    assert client.get(f"{PREFIX}/api/runs", headers=bearer).status_code == 200
    client.cookies.set("_token", token(auth_manager))
    try:
        assert client.get(f"{PREFIX}/api/runs").status_code == 200
    finally:
        client.cookies.clear()


def test_the_page_is_public_but_carries_no_data(client, runs):
    page = client.get(f"{PREFIX}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert runs["manual"].run_id not in page.text and "7205550" not in page.text
    script = client.get(f"{PREFIX}/static/app.js")
    assert script.status_code == 200 and "api/runs" in script.text
    # without the trailing slash the page's relative URLs would miss: redirected, query kept
    bare = client.get(f"{PREFIX}?dag_id=a&run_id=b", follow_redirects=False)
    assert bare.status_code == 307 and bare.headers["location"].endswith("bandwidth-status/?dag_id=a&run_id=b")


def test_a_user_who_may_not_read_the_dags_sees_no_run(client, auth_manager, runs):
    nobody = {"Authorization": f"Bearer {token(auth_manager, role=None)}"}
    assert get(client, nobody, "/api/runs")["runs"] == []
    resp = client.get(f"{PREFIX}/api/run", headers=nobody, params={"dag_id": IMPORT, "run_id": runs["manual"].run_id})
    assert resp.status_code == 403
    assert get(client, nobody, f"/api/numbers/{KEPT}") == {"number": KEPT, "ledger": None, "history": []}


# ---- overview ---------------------------------------------------------------------------------------------------


def test_overview_lists_every_import_and_remove_run_with_its_counts(client, viewer, runs):
    overview = get(client, viewer, "/api/runs")
    listed = {(r["dag_id"], r["run_id"]) for r in overview["runs"]}
    assert {(dr.dag_id, dr.run_id) for key, dr in runs.items() if key != "health"} <= listed
    assert all(dag_id != HEALTH for dag_id, _ in listed)

    manual = run_of(overview, runs["manual"])
    assert (manual["batch"], manual["kind"], manual["state"], manual["total"]) == (
        "Zenith Dental (form)",
        "import",
        "failed",
        6,
    )
    assert manual["counts"] == {
        "in_service": 4,
        "rejected": 1,
        "order_failed": 1,
        "not_ordered": 0,
        "loa_missing": 0,
        "not_in_service": 0,
        "removed": 0,
        "remove_failed": 0,
        "would_order": 0,
        "lost": 1,
    }
    # the bar: every number once, the lost one taken out of "in service"
    bar = {s["key"]: s["count"] for s in manual["bar"]}
    assert bar == {"in_service": 3, "lost": 1, "rejected": 1, "order_failed": 1}
    assert manual["attention"] is True
    assert (manual["triggered_by"], manual["run_type"]) == ("dag_test", "manual")  # dag.test names itself the user

    batch = run_of(overview, runs["batch"])
    assert (batch["batch"], batch["state"], batch["total"], batch["attention"]) == ("acme_dental", "success", 12, False)
    assert (batch["counts"]["in_service"], batch["counts"]["rejected"]) == (11, 1)

    removal = run_of(overview, runs["removal"])
    assert (removal["batch"], removal["kind"], removal["counts"]["removed"], removal["attention"]) == (
        "removal",
        "remove",
        1,
        False,
    )

    times = [r["run_after"] for r in overview["runs"]]
    assert times == sorted(times, reverse=True)


# ---- the hosted-number inventory ----------------------------------------------------------------------------


def as_dicts(ledger):
    return {number: record.to_dict() for number, record in ledger.numbers.items()}


def test_the_inventory_the_runs_wrote_is_the_ledger_of_their_reports_and_a_backfill_rebuilds_it(runs, tmp_path):
    """Issue 18: the report tasks wrote the inventory; a backfill from their files and the ledger agree with it."""
    from bandwidth_hosted_messaging.inventory.backfill import backfill
    from bandwidth_hosted_messaging.inventory.inventory import Inventory
    from bandwidth_hosted_messaging.reporting.ledger import build_ledger, read_reports

    written = Inventory.configured()
    rebuilt = Inventory(f"sqlite:///{tmp_path}/rebuilt.db")
    result = backfill(rebuilt)
    assert (result.runs, result.skipped) == (4, 0)  # the manual import, the batch, the removal, the health run
    files = as_dicts(build_ledger(read_reports()))
    assert as_dicts(written.ledger()) == as_dicts(rebuilt.ledger()) == files
    assert {r["status"] for r in files.values()} == {"hosted", "removed", "lost"}
    assert written.counts() == rebuilt.counts() == {"hosted": 13, "removed": 1, "lost": 1}
    assert [(r["dag_id"], r["run_id"]) for r in written.runs()] == [(r["dag_id"], r["run_id"]) for r in rebuilt.runs()]


def test_the_inventory_csv_lists_every_number_imported_with_its_status(client, viewer, auth_manager, runs):
    resp = client.get(f"{PREFIX}/api/inventory.csv", headers=viewer)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == 'attachment; filename="hosted_numbers.csv"'
    table = {r["number"]: r for r in csv.DictReader(io.StringIO(resp.text))}
    assert len(table) == 15 and REJECTED not in table and FAILED not in table  # never brought in
    kept = table[KEPT]
    assert (kept["status"], kept["imported_dag_id"], kept["imported_run_id"]) == (
        "hosted",
        IMPORT,
        runs["manual"].run_id,
    )
    assert kept["imported_order_id"] and kept["import_outcome"] == "in_service" and kept["imported_at"].endswith("Z")
    assert (table[ALREADY]["import_outcome"], table[ALREADY]["imported_order_id"]) == ("already_in_service", "")
    assert (table[REMOVED]["status"], table[REMOVED]["removed_run_id"]) == ("removed", runs["removal"].run_id)
    assert (table[LOST]["status"], table[LOST]["lost_run_id"]) == ("lost", runs["health"].run_id)
    assert sum(1 for r in table.values() if r["imported_dag_id"] == BATCH) == 11

    lost = client.get(f"{PREFIX}/api/inventory.csv", headers=viewer, params={"status": "lost"})
    assert [r["number"] for r in csv.DictReader(io.StringIO(lost.text))] == [LOST]
    assert 'filename="hosted_numbers_lost.csv"' in lost.headers["content-disposition"]
    assert client.get(f"{PREFIX}/api/inventory.csv", headers=viewer, params={"status": "gone"}).status_code == 400
    nobody = {"Authorization": f"Bearer {token(auth_manager, role=None)}"}
    assert client.get(f"{PREFIX}/api/inventory.csv", headers=nobody).text.splitlines()[1:] == []


def test_an_unreachable_inventory_is_a_503_that_names_nothing_of_it(auth_manager, viewer, runs):
    from bandwidth_hosted_messaging.inventory.inventory import Inventory
    from bandwidth_hosted_messaging.status.api import create_app
    from bandwidth_hosted_messaging.status.store import ReportStore

    app = FastAPI()
    app.mount(
        PREFIX, create_app(ReportStore(scan_interval=0), Inventory("postgresql+psycopg2://bw:s3cret@127.0.0.1:1/inv"))
    )
    with TestClient(app) as down:
        for path in ("/api/runs", f"/api/numbers/{KEPT}", "/api/inventory.csv"):
            resp = down.get(f"{PREFIX}{path}", headers=viewer)
            assert resp.status_code == 503, (path, resp.text)
            assert "inventory cannot be reached" in resp.json()["detail"]
            assert "s3cret" not in resp.text and "127.0.0.1" not in resp.text


# ---- one run ------------------------------------------------------------------------------------------------


def test_run_detail_has_every_column_of_each_number(client, viewer, runs):
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=runs["manual"].run_id)
    assert detail["report"]["source"] == "artefact" and detail["total"] == detail["matched"] == 6
    assert detail["report"]["summary"] == report_of(runs["manual"])["summary"]
    rows = {r["number"]: r for r in detail["rows"]}
    assert list(rows) == [KEPT, REMOVED, LOST, ALREADY, REJECTED, FAILED]  # the order the numbers were given
    assert set(COLUMNS) <= set(rows[KEPT])
    kept = rows[KEPT]
    assert (kept["outcome"], kept["order_status"], kept["in_service"], kept["lost"]) == (
        "in_service",
        "COMPLETE",
        True,
        False,
    )
    assert kept["order_id"] and kept["customer_order_id"].startswith("test") and kept["loa_file"]
    assert kept["order_url"].endswith(f"/importTnOrders/{kept['order_id']}")  # the order's Bandwidth resource
    assert rows[REJECTED]["order_url"] is None
    assert (rows[ALREADY]["outcome"], rows[ALREADY]["checker_code"]) == ("already_in_service", "19006")
    assert (rows[REJECTED]["outcome"], rows[REJECTED]["checker_code"]) == ("rejected", "19006")
    assert rows[REJECTED]["checker_description"]
    failed = rows[FAILED]
    assert (failed["outcome"], failed["error_code"], failed["in_service"]) == ("order_failed", "7518", None)
    assert failed["error_description"] and failed["order_status"] in ("PARTIAL", "FAILED")
    assert rows[LOST]["lost"] is True
    assert {o["outcome"]: o["count"] for o in detail["outcomes"]} == {
        "in_service": 3,
        "already_in_service": 1,
        "rejected": 1,
        "order_failed": 1,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"outcome": "order_failed"}, [FAILED]),
        ({"outcome": "in_service"}, [KEPT, REMOVED, LOST]),
        ({"outcome": "cat:in_service"}, [KEPT, REMOVED, LOST, ALREADY]),
        ({"outcome": "lost"}, [LOST]),
        ({"outcome": "attention"}, [LOST, FAILED]),
        ({"outcome": "loa_missing"}, []),
        ({"q": "+1 (720) 555-0101"}, [REMOVED]),
        ({"q": "019"}, [REJECTED, FAILED]),
        ({"outcome": "rejected", "q": "0199"}, [REJECTED]),
        ({"offset": 2, "limit": 2}, [LOST, ALREADY]),
    ],
)
def test_run_detail_filters_by_outcome_and_searches_by_number(client, viewer, runs, params, expected):
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=runs["manual"].run_id, **params)
    assert [r["number"] for r in detail["rows"]] == expected
    if "offset" not in params:
        assert detail["matched"] == len(expected)


def test_csv_download_has_the_report_columns_and_follows_the_filter(client, viewer, runs):
    params = {"dag_id": IMPORT, "run_id": runs["manual"].run_id}
    resp = client.get(f"{PREFIX}/api/run.csv", headers=viewer, params=params)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    disposition = resp.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="hosted_messaging_import_manual__[\w.\-]+\.csv"', disposition)
    table = list(csv.DictReader(io.StringIO(resp.text)))
    assert list(table[0]) == COLUMNS
    assert [r["number"] for r in table] == [KEPT, REMOVED, LOST, ALREADY, REJECTED, FAILED]
    by_number = {r["number"]: r for r in table}
    failed = by_number[FAILED]
    assert (failed["outcome"], failed["error_code"], failed["in_service"]) == ("order_failed", "7518", "")
    assert by_number[KEPT]["in_service"] == "True"
    # the same bytes as the artefact the run wrote, when unfiltered
    artefact = Path(report_of(runs["manual"])["artifacts"]["csv"].removeprefix("file://")).read_text()
    assert resp.text == artefact

    rejected = client.get(f"{PREFIX}/api/run.csv", headers=viewer, params={**params, "outcome": "rejected"})
    assert [r["number"] for r in csv.DictReader(io.StringIO(rejected.text))] == [REJECTED]
    assert 'filename="hosted_messaging_import_' in rejected.headers["content-disposition"]


def test_a_run_of_another_dag_has_no_report(client, viewer, runs):
    detail = get(client, viewer, "/api/run", dag_id=HEALTH, run_id=runs["health"].run_id)
    assert (detail["report"], detail["reason"]) == (None, "not_a_report_dag")
    assert "no report for this run" in detail["message"].lower()
    params = {"dag_id": HEALTH, "run_id": runs["health"].run_id}
    resp = client.get(f"{PREFIX}/api/run.csv", headers=viewer, params=params)
    assert resp.status_code == 404


def test_an_unknown_run_has_no_report(client, viewer, runs):
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id="manual__nope")
    assert (detail["report"], detail["reason"], detail["run"]) == (None, "unknown_run", None)


def test_without_its_report_file_a_run_is_read_from_its_report_xcom(client, viewer, dags, sandbox, runs, report_base):
    dr = dags.get_dag(IMPORT).test(run_conf=base_conf(["+17205550300"]))
    assert dr.state == DagRunState.SUCCESS
    (report_folder(IMPORT, dr.run_id) / "report.json").unlink()
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=dr.run_id)
    assert detail["report"]["source"] == "xcom"
    assert [(r["number"], r["outcome"]) for r in detail["rows"]] == [("+17205550300", "in_service")]
    params = {"dag_id": IMPORT, "run_id": dr.run_id}
    assert client.get(f"{PREFIX}/api/run.csv", headers=viewer, params=params).status_code == 200


# ---- number look-up -----------------------------------------------------------------------------------------


def test_number_history_shows_the_import_and_the_removal(client, viewer, runs):
    found = get(client, viewer, "/api/numbers/+1 (720) 555-0101")
    assert found["number"] == REMOVED
    assert found["ledger"]["status"] == "removed"
    assert (found["ledger"]["imported"]["run_id"], found["ledger"]["removed"]["run_id"]) == (
        runs["manual"].run_id,
        runs["removal"].run_id,
    )
    assert [(h["event"], h["dag_id"], h["run_id"], h["outcome"]) for h in found["history"]] == [
        ("import", IMPORT, runs["manual"].run_id, "in_service"),
        ("remove", REMOVE, runs["removal"].run_id, "removed"),
    ]
    assert found["history"][0]["row"]["order_id"] and found["history"][0]["at"]


def test_number_history_shows_a_loss_found_by_the_health_check(client, viewer, runs):
    found = get(client, viewer, f"/api/numbers/{LOST}")
    assert found["ledger"]["status"] == "lost" and found["ledger"]["lost"]["run_id"] == runs["health"].run_id
    assert [h["event"] for h in found["history"]] == ["import", "lost"]


def test_number_lookup_of_a_failed_and_an_unknown_number(client, viewer, runs):
    failed = get(client, viewer, f"/api/numbers/{FAILED}")
    assert failed["ledger"] is None
    assert [(h["outcome"], h["row"]["error_code"]) for h in failed["history"]] == [("order_failed", "7518")]
    assert get(client, viewer, "/api/numbers/7205559999") == {"number": "+17205559999", "ledger": None, "history": []}
    bad = client.get(f"{PREFIX}/api/numbers/23035550101", headers=viewer)
    assert bad.status_code == 400 and "23035550101" in bad.json()["detail"]


# ---- what is never shown ------------------------------------------------------------------------------------


def test_no_connection_credential_appears_in_any_answer(client, viewer, runs, sandbox):
    secrets = {sandbox.config.password, sandbox.config.client_secret}
    for conn in ("AIRFLOW_CONN_BANDWIDTH_DEFAULT", "AIRFLOW_CONN_BANDWIDTH_OAUTH", "AIRFLOW_CONN_BANDWIDTH_CALLBACK"):
        if os.environ.get(conn):
            secrets.add(json.loads(os.environ[conn]).get("password"))
    secrets.discard(None)
    answers = [client.get(f"{PREFIX}/api/runs", headers=viewer).text]
    for key in ("manual", "batch", "removal"):
        dr = runs[key]
        params = {"dag_id": dr.dag_id, "run_id": dr.run_id}
        answers.append(client.get(f"{PREFIX}/api/run", headers=viewer, params=params).text)
        answers.append(client.get(f"{PREFIX}/api/run.csv", headers=viewer, params=params).text)
    for number in (KEPT, REMOVED, LOST, FAILED):
        answers.append(client.get(f"{PREFIX}/api/numbers/{number}", headers=viewer).text)
    for answer in answers:
        assert not [s for s in secrets if s in answer]
