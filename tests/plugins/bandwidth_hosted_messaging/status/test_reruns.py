"""
"Re-run failed numbers" from the status page, on real ``dag.test()`` runs: refused without the permission to trigger
the DAG, accepted with it (the new run exists in Airflow, queued, with the source run's conf plus
``retry_failed_of_run``), and both runs' pages link to each other. A batch DAG's re-run carries only
``retry_failed_of_run``; the DAG's Params are validated as Airflow's trigger does.
"""

from __future__ import annotations

import pytest
from airflow.sdk import DagRunState

from tests.dags_helpers import base_conf
from tests.plugins.bandwidth_hosted_messaging.status.helpers import PREFIX, bearer, get

IMPORT, BATCH, REMOVE = "hosted_messaging_import", "import_batch_acme_dental", "hosted_messaging_remove"
OK, FAILS = "+17205550600", "+17205550698"  # ...98: the sandbox fails it in its order (7518)


@pytest.fixture(scope="module")
def runs(dags, sandbox, report_base):
    sandbox.reset()
    sandbox.clear_faults()
    failed = dags.get_dag(IMPORT).test(run_conf=base_conf([OK, FAILS], subscriber_name="Rerun Dental"))
    assert failed.state == DagRunState.FAILED  # the 7518 number
    clean = dags.get_dag(IMPORT).test(run_conf=base_conf(["+17205550601"]))
    assert clean.state == DagRunState.SUCCESS
    sandbox.seed(order_failures={"+13035550105": 7518})  # one number of the acme batch fails in its order
    batch = dags.get_dag(BATCH).test()
    assert batch.state == DagRunState.FAILED
    sandbox.reset()
    return {"failed": failed, "clean": clean, "batch": batch}


@pytest.fixture(scope="module")
def operator(auth_manager):
    """A user of the simple auth manager's ``user`` role: may trigger DAGs."""
    return bearer(auth_manager, "user")


def rerun(client, headers, dr, **kwargs):
    return client.post(
        f"{PREFIX}/api/rerun", headers=headers, json={"dag_id": dr.dag_id, "run_id": dr.run_id}, **kwargs
    )


def db_run(dag_id, run_id):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.execute(
            select(DagRun.state, DagRun.conf, DagRun.triggering_user_name, DagRun.run_type).where(
                DagRun.dag_id == dag_id, DagRun.run_id == run_id
            )
        ).first()
        return dict(row._mapping) if row else None


def runs_of(dag_id):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return set(session.scalars(select(DagRun.run_id).where(DagRun.dag_id == dag_id)))


def test_the_page_offers_the_re_run_of_a_finished_run_with_failed_numbers(client, viewer, operator, runs):
    dr = runs["failed"]
    detail = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=dr.run_id)
    assert (detail["rerun"]["available"], detail["rerun"]["numbers"], detail["rerun"]["may_trigger"]) == (
        True,
        1,
        False,
    )
    assert get(client, operator, "/api/run", dag_id=IMPORT, run_id=dr.run_id)["rerun"]["may_trigger"] is True
    clean = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=runs["clean"].run_id)["rerun"]
    assert (clean["available"], clean["why_not"]) == (
        False,
        "No number of this run ended order_failed, not_ordered or not_in_service",
    )


def test_a_viewer_may_not_re_run_the_failed_numbers(client, viewer, runs):
    before = runs_of(IMPORT)
    resp = rerun(client, viewer, runs["failed"])
    assert resp.status_code == 403
    assert resp.json()["detail"].startswith(f"Not allowed to trigger {IMPORT}: re-running the failed numbers")
    assert runs_of(IMPORT) == before


def test_a_user_who_may_not_read_the_dag_is_refused_too(client, auth_manager, runs):
    resp = rerun(client, bearer(auth_manager, None), runs["failed"])
    assert resp.status_code == 403
    assert (
        client.post(f"{PREFIX}/api/rerun", json={"dag_id": IMPORT, "run_id": runs["failed"].run_id}).status_code == 401
    )


def test_a_user_who_may_trigger_starts_the_re_run_with_the_source_conf(client, operator, viewer, runs):
    source = runs["failed"]
    resp = rerun(client, operator, source)
    assert resp.status_code == 201, resp.text
    answer = resp.json()
    new = db_run(IMPORT, answer["run_id"])
    expected_conf = {**db_run(IMPORT, source.run_id)["conf"], "retry_failed_of_run": source.run_id}
    assert new["conf"] == expected_conf == answer["conf"]
    assert str(new["state"]) in ("queued", "DagRunState.QUEUED")
    assert (new["triggering_user_name"], str(getattr(new["run_type"], "value", new["run_type"]))) == (
        "user-user",
        "manual",
    )
    assert (answer["retry_failed_of_run"], answer["numbers"]) == (source.run_id, 1)
    assert answer["page"].startswith("/bandwidth-status/?dag_id=hosted_messaging_import&run_id=manual__")
    assert answer["airflow_run"].startswith(f"/dags/{IMPORT}/runs/manual__")

    # both pages show the link: the source lists its re-runs, the re-run names its source
    source_page = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=source.run_id)["rerun"]
    assert [r["run_id"] for r in source_page["reruns"]] == [answer["run_id"]]
    assert source_page["reruns"][0]["page"] == answer["page"] and source_page["of"] is None
    rerun_page = get(client, viewer, "/api/run", dag_id=IMPORT, run_id=answer["run_id"])
    assert rerun_page["rerun"]["of"]["run_id"] == source.run_id
    assert rerun_page["rerun"]["available"] is False and rerun_page["progress"] is not None  # queued, not finished


def test_a_batch_run_is_re_run_with_only_the_source_run_id(client, operator, runs):
    resp = rerun(client, operator, runs["batch"])
    assert resp.status_code == 201, resp.text
    assert db_run(BATCH, resp.json()["run_id"])["conf"] == {"retry_failed_of_run": runs["batch"].run_id}


@pytest.mark.parametrize(
    ("which", "status", "detail"),
    [
        ("clean", 409, "No number of this run ended order_failed, not_ordered or not_in_service"),
        ("unknown", 404, "No such run"),
    ],
)
def test_a_run_with_nothing_to_re_run_is_refused(client, operator, runs, which, status, detail):
    run_id = runs[which].run_id if which in runs else "manual__nope"
    resp = client.post(f"{PREFIX}/api/rerun", headers=operator, json={"dag_id": IMPORT, "run_id": run_id})
    assert (resp.status_code, resp.json()["detail"]) == (status, detail)


def test_a_remove_run_is_not_re_run(client, operator, runs):
    resp = client.post(f"{PREFIX}/api/rerun", headers=operator, json={"dag_id": REMOVE, "run_id": "manual__x"})
    assert resp.status_code == 400 and "not an import DAG" in resp.json()["detail"]


def test_the_re_run_is_refused_unless_sent_as_json(client, operator, runs):
    before = runs_of(IMPORT)
    body = f"dag_id={IMPORT}&run_id={runs['failed'].run_id}"
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        resp = client.post(
            f"{PREFIX}/api/rerun", headers={**operator, "Content-Type": content_type}, content=body.encode()
        )
        assert resp.status_code in (415, 422), (content_type, resp.status_code)
    assert runs_of(IMPORT) == before


def test_the_dags_params_are_validated_as_airflow_triggers_it(client, operator, dags, sandbox, runs):
    """A source run whose conf the DAG's Params no longer accept: Airflow refuses the re-run, nothing is created."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import update

    sandbox.reset()
    dr = dags.get_dag(IMPORT).test(run_conf=base_conf([OK, "+17205550798"]))
    assert dr.state == DagRunState.FAILED
    conf = {**db_run(IMPORT, dr.run_id)["conf"], "state_code": "Colorado"}  # the form wants two letters
    with create_session() as session:
        session.execute(update(DagRun).where(DagRun.dag_id == IMPORT, DagRun.run_id == dr.run_id).values(conf=conf))
    before = runs_of(IMPORT)
    resp = rerun(client, operator, dr)
    assert resp.status_code == 400 and resp.json()["detail"].startswith("Airflow refused the run:")
    assert "state_code" in resp.json()["detail"]
    assert runs_of(IMPORT) == before
