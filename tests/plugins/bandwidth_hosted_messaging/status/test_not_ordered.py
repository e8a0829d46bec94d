"""
"Not ordered": a finished run that ordered nothing says why on its page, from real ``dag.test()`` runs against the
sandbox: a site that does not exist (the checker task fails; the report lists every number ``not_ordered``), an
LOA file that does not exist (the request fails validation; no report at all), and a run whose numbers the checker
all refused. Each run also links to its Airflow run and to the failed task's log.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from airflow.sdk import DagRunState

from bandwidth_hosted_messaging.status.tasks import redact
from tests.dags_helpers import base_conf
from tests.plugins.bandwidth_hosted_messaging.status.helpers import get

IMPORT = "hosted_messaging_import"


@pytest.fixture(scope="module")
def runs(dags, sandbox, report_base):
    sandbox.reset()
    sandbox.clear_faults()
    dag = dags.get_dag(IMPORT)
    bad_site = dag.test(run_conf=base_conf(["+17205550500", "+17205550501"], site_id="99999"))
    bad_loa = dag.test(run_conf=base_conf(["+17205550502"], loa_file="/nonexistent/loa.pdf"))
    all_refused = dag.test(run_conf=base_conf(["+17205550599"]))  # ...99: the sandbox's checker refuses it
    for dr in (bad_site, bad_loa):
        assert dr.state == DagRunState.FAILED
    return {"bad_site": bad_site, "bad_loa": bad_loa, "all_refused": all_refused}


def detail_of(client, viewer, dr):
    return get(client, viewer, "/api/run", dag_id=dr.dag_id, run_id=dr.run_id)


def test_a_run_stopped_by_an_invalid_site_says_not_ordered_with_the_checkers_error(client, viewer, runs):
    detail = detail_of(client, viewer, runs["bad_site"])
    assert {r["outcome"] for r in detail["rows"]} == {"not_ordered"}  # the report was written
    reason = detail["not_ordered"]
    assert (reason["kind"], reason["task_id"], reason["map_index"]) == ("task_failed", "check_importability", -1)
    assert reason["label"] == "Check site and numbers"
    run_id = runs["bad_site"].run_id
    assert reason["log_url"] == detail["links"]["airflow_run"] + "/tasks/check_importability"
    assert detail["links"]["airflow_run"].startswith(f"/dags/{IMPORT}/runs/manual__")
    if reason["error"] is not None:  # the task's log could be read: its error, as the task raised it
        assert reason["error"] == "site_id: site 99999 does not exist in this Bandwidth account"
        assert reason["message"] == f"Check site and numbers (check_importability) failed: {reason['error']}"
    else:
        assert reason["message"] == "Check site and numbers (check_importability) failed: see its log for why."
    assert detail["links"]["page"] == f"/bandwidth-status/?{urlencode({'dag_id': IMPORT, 'run_id': run_id})}"


def test_a_run_refused_before_any_call_says_which_field_even_without_a_report(client, viewer, runs):
    detail = detail_of(client, viewer, runs["bad_loa"])
    assert (detail["report"], detail["reason"]) == (None, "missing")
    reason = detail["not_ordered"]
    assert (reason["kind"], reason["task_id"]) == ("task_failed", "validate_request")
    if reason["error"] is not None:
        assert reason["error"].startswith("Invalid import request: loa_file")
    assert reason["log_url"].endswith("/tasks/validate_request")


def test_a_run_whose_numbers_were_all_refused_says_so(client, viewer, runs):
    detail = detail_of(client, viewer, runs["all_refused"])
    assert detail["not_ordered"] == {
        "kind": "all_rejected",
        "message": "The checker refused every number: there was nothing to order.",
    }


def test_a_run_that_ordered_has_no_not_ordered_notice(client, viewer, dags, sandbox, runs):
    dr = dags.get_dag(IMPORT).test(run_conf=base_conf(["+17205550510"]))
    assert dr.state == DagRunState.SUCCESS
    assert detail_of(client, viewer, dr)["not_ordered"] is None


def test_without_the_permission_to_read_task_logs_the_reason_names_the_task_only(runs):
    from airflow.utils.session import create_session

    from bandwidth_hosted_messaging.status import views

    dr = runs["bad_site"]
    with create_session() as session:
        detail = views.run_detail(session, dr.dag_id, dr.run_id, may_read_logs=False)
    reason = detail["not_ordered"]
    assert (reason["task_id"], reason["error"]) == ("check_importability", None)
    assert reason["message"].endswith("see its log for why.")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("401 for https://user:s3cr3t@api.example.com/v1", "401 for https://***@api.example.com/v1"),
        ("header Authorization: Basic dXNlcjpzZWNyZXQ=", "header Authorization: ***"),
        ("got Bearer eyJhbGciOiJIUzI1NiJ9.abc from", "got Bearer *** from"),
        ("login failed: password=hunter22; retry", "login failed: password=***; retry"),
        ("site_id: site 99999 does not exist", "site_id: site 99999 does not exist"),
    ],
)
def test_an_error_text_is_shown_without_credentials(text, shown):
    assert redact(text) == shown


def test_no_credential_appears_in_a_not_ordered_answer(client, viewer, runs, sandbox):
    secrets = {sandbox.config.password, sandbox.config.client_secret}
    for dr in runs.values():
        answer = client.get(
            "/bandwidth-status/api/run", headers=viewer, params={"dag_id": dr.dag_id, "run_id": dr.run_id}
        )
        assert not [s for s in secrets if s in answer.text]
