"""
Run the real hosted_numbers_health DAG with dag.test() against the sandbox, after real import and remove runs;
a MESSAGING_LOST event travels sandbox → callback receiver (uvicorn) → asset event → queued health run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from airflow.sdk import DagRunState, TaskInstanceState

from bandwidth_hosted_messaging.assets import MESSAGING_LOST
from bandwidth_hosted_messaging.statuses import NumberStatus
from tests.dags.conftest import API_CONNECTIONS, deployed_with, on_api_version
from tests.dags_helpers import ROOT, api_calls, base_conf, e164, report_of, rows_by_number, task_states
from tests.receiver_server import serve_receiver

CALLBACK_USER, CALLBACK_PASSWORD = "bw-health-cb", "cb-health-Pa55"
HEALTH = "hosted_numbers_health"


@pytest.fixture(autouse=True)
def own_report_base(tmp_path, monkeypatch, inventory):
    """Each test starts with no reports and an empty inventory: it holds only the numbers its own runs imported."""
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__REPORT_BASE", f"file://{tmp_path}/reports")


@pytest.fixture(scope="module")
def dags(airflow_db, api_version):
    """Parse dags/ and sync it to the DB (what the dag-processor does): assets and asset schedules exist."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    with deployed_with(API_CONNECTIONS[api_version]):
        bag = DagBag(dag_folder=ROOT / "dags", bundle_path=ROOT / "dags", bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag


def run(bag, dag_id, **conf):
    return bag.get_dag(dag_id).test(run_conf=conf or None)


def imported(bag, numbers):
    dr = run(bag, "hosted_messaging_import", **base_conf(numbers))
    assert dr.state == DagRunState.SUCCESS
    return dr


def test_a_number_lost_in_the_sandbox_fails_the_scheduled_check_naming_it(dags, bw, inventory):
    first = imported(dags, ["+13035550250", "+13035550251"])
    second = imported(dags, ["+13035550252"])
    assert e164(bw.lose(["+13035550251"])["lost"]) == ["+13035550251"]

    dr = run(dags, HEALTH)
    assert dr.state == DagRunState.FAILED
    states = task_states(dr)
    assert (states["check_hosted_numbers"], states["report"]) == (TaskInstanceState.SUCCESS, TaskInstanceState.FAILED)
    report = report_of(dr)
    assert report["summary"] == {"total": 3, "in_service": 2, "lost": 1} and report["lost"] == ["+13035550251"]
    rows = rows_by_number(report)
    assert rows["+13035550251"]["outcome"] == "lost" and rows["+13035550251"]["in_service"] is False
    assert rows["+13035550251"]["messaging_lost_event"] is None  # nobody subscribed: the check found it
    assert (rows["+13035550251"]["imported_by_dag"], rows["+13035550251"]["imported_by_run"]) == (
        "hosted_messaging_import",
        first.run_id,
    )
    assert rows["+13035550252"]["imported_by_run"] == second.run_id and rows["+13035550252"]["outcome"] == "in_service"
    assert Path(report["artifacts"]["csv"].removeprefix("file://")).read_text().count("\n") == 4

    record = inventory.get("+13035550251")
    assert (
        record.status == NumberStatus.LOST
        and record.lost.run_id == dr.run_id
        and record.lost.at == report["checked_at"]
    )
    assert (record.imported.run_id, inventory.counts()) == (first.run_id, {"hosted": 2, "removed": 0, "lost": 1})
    assert [e["kind"] for e in inventory.events_of("+13035550251")] == ["import", "loss"]

    # Known lost numbers are not checked again: the next run sees the two hosted ones, in one page.
    bw.clear_requests()
    again = run(dags, HEALTH)
    assert again.state == DagRunState.SUCCESS
    assert report_of(again)["summary"] == {"total": 2, "in_service": 2, "lost": 0}
    assert [c["endpoint"] for c in api_calls(bw)] == ["inserviceNumbers.list"]


@on_api_version("v1")
def test_a_forged_messaging_lost_for_a_number_still_in_service_is_noted_not_counted_lost(
    dags, bw, api_version, inventory
):
    """Issue 13, M8: the event is a signal; Bandwidth's in-service list decides what is lost."""
    from bandwidth_hosted_messaging.callbacks.notifications import AccountEvent
    from bandwidth_hosted_messaging.callbacks.recording import record_notification

    imported(dags, ["+13035550255"])
    event_time = {"v1": "2026-12-01T09:00:00Z", "v2": "2026-12-01T09:00:01Z"}[api_version]  # not a duplicate
    forged = AccountEvent(event_type="MESSAGING_LOST", numbers=("+13035550255",), event_time=event_time)
    assert record_notification(forged) == "recorded"
    dr = run(dags, HEALTH)
    assert dr.state == DagRunState.SUCCESS
    row = rows_by_number(report_of(dr))["+13035550255"]
    assert (row["outcome"], row["in_service"]) == ("in_service", True)
    assert row["messaging_lost_event"] == event_time
    assert inventory.get("+13035550255").status == NumberStatus.HOSTED


@on_api_version("v2")
def test_nothing_lost_is_success_and_removed_numbers_are_not_checked(dags, bw, inventory):
    empty = run(dags, HEALTH)  # nothing imported yet: nothing to check, no call
    assert empty.state == DagRunState.SUCCESS and report_of(empty)["summary"]["total"] == 0
    assert api_calls(bw) == []

    imported(dags, ["+13035550253", "+13035550254"])
    removed = run(dags, "hosted_messaging_remove", numbers=["+13035550254"], poll_interval=0.3, grace_period=3)
    assert removed.state == DagRunState.SUCCESS
    bw.clear_requests()

    dr = run(dags, HEALTH)
    assert dr.state == DagRunState.SUCCESS
    report = report_of(dr)
    assert report["summary"] == {"total": 1, "in_service": 1, "lost": 0}
    assert list(rows_by_number(report)) == ["+13035550253"]
    calls = api_calls(bw)
    assert [(c["endpoint"], c["path"].rsplit("/", 1)[-1]) for c in calls] == [
        ("inserviceNumbers.get", "3035550253")
    ]  # v1 on the wire: ten digits
    assert inventory.get("+13035550254").removed.run_id == removed.run_id
    assert inventory.numbers_to_check().numbers == ["+13035550253"]


@pytest.fixture
def receiver(dags, monkeypatch):
    """The callback app under uvicorn on loopback (mounted at /bandwidth), with the bandwidth_callback connection."""
    with serve_receiver() as url:
        conn = {"conn_type": "http", "host": url, "login": CALLBACK_USER, "password": CALLBACK_PASSWORD}
        monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_CALLBACK", json.dumps(conn))
        monkeypatch.delenv("BANDWIDTH_CALLBACK_CONN_ID", raising=False)
        yield url


def subscribe_to_messaging_lost(sb, url):
    body = (
        f"<Subscription><EventType>MESSAGING_LOST</EventType><CallbackSubscription><URL>{url}</URL>"
        f"<CallbackCredentials><BasicAuthentication><Username>{CALLBACK_USER}</Username>"
        f"<Password>{CALLBACK_PASSWORD}</Password></BasicAuthentication></CallbackCredentials>"
        f"</CallbackSubscription></Subscription>"
    )
    resp = requests.post(
        f"{sb.account_url}/subscriptions",
        data=body,
        auth=(sb.config.username, sb.config.password),
        headers={"Content-Type": "application/xml"},
        timeout=10,
    )
    assert resp.status_code == 201, resp.text


def queued_by(asset_name: str) -> list[str]:
    from airflow.models.asset import AssetDagRunQueue, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalars(
            select(AssetDagRunQueue.target_dag_id)
            .join(AssetModel, AssetModel.id == AssetDagRunQueue.asset_id)
            .where(AssetModel.name == asset_name)
        ).all()


def set_paused(dag_id: str, paused: bool) -> None:
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused))


@on_api_version("v2")
def test_messaging_lost_callback_queues_the_check_which_notes_the_event(dags, bw, receiver, api_version, inventory):
    # numbers of their own per API version: the metadata DB keeps the other version's events, and an identical
    # MESSAGING_LOST within a day is a duplicate
    n = {"v1": "+1303555026", "v2": "+1303555036"}[api_version]
    imported(dags, [f"{n}0", f"{n}1", f"{n}2"])
    subscribe_to_messaging_lost(bw, receiver)
    set_paused(HEALTH, False)
    try:
        assert e164(bw.lose([f"{n}1", f"{n}2"])["lost"]) == [f"{n}1", f"{n}2"]
        assert bw.wait_callbacks()
        deliveries = [d for d in bw.callbacks() if d["event_type"] == "MESSAGING_LOST"]
        assert [(d["attempt"], d["http_status"]) for d in deliveries] == [(1, 401), (2, 200)]
        assert HEALTH in queued_by(MESSAGING_LOST.name)
    finally:
        set_paused(HEALTH, True)

    dr = run(dags, HEALTH)
    assert dr.state == DagRunState.FAILED
    report = report_of(dr)
    assert sorted(report["lost"]) == [f"{n}1", f"{n}2"]
    rows = rows_by_number(report)
    assert rows[f"{n}0"]["outcome"] == "in_service" and rows[f"{n}0"]["messaging_lost_event"] is None
    for number in (f"{n}1", f"{n}2"):
        assert rows[number]["outcome"] == "lost" and rows[number]["messaging_lost_event"]
    (event,) = report["messaging_lost_events"]
    assert sorted(event["numbers"]) == [f"{n}1", f"{n}2"]
    assert inventory.get(f"{n}2").lost_event == rows[f"{n}2"]["messaging_lost_event"]


def parse_health_dag(path: Path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("BANDWIDTH_HEALTH_CONFIG", str(path))
    return DagBag(dag_folder=ROOT / "dags" / "hosted_numbers_health.py", bundle_path=ROOT / "dags")


def test_the_config_file_sets_the_schedule_beside_the_asset_and_bad_files_name_the_field(dags, tmp_path, monkeypatch):
    from airflow.sdk import AssetOrTimeSchedule

    default = dags.get_dag(HEALTH).timetable
    assert isinstance(default, AssetOrTimeSchedule)
    assert default.timetable.expression == "0 0 * * *" and default.asset_condition == MESSAGING_LOST

    config = tmp_path / "health.yaml"
    config.write_text("schedule: '30 6 * * 1-5'\ntimezone: America/Denver\nbandwidth_conn_id: bandwidth_oauth\n")
    dag = parse_health_dag(config, monkeypatch).get_dag(HEALTH)
    cron = dag.timetable.timetable
    assert (cron.expression, str(cron.timezone)) == ("30 6 * * 1-5", "America/Denver")
    assert {t.bandwidth_conn_id for t in dag.tasks if hasattr(t, "bandwidth_conn_id")} == {"bandwidth_oauth"}
    assert "bandwidth_conn_id" not in dag.params  # the deployer's file chooses it, never the trigger form

    config.write_text("schedule: null\n")
    assert parse_health_dag(config, monkeypatch).get_dag(HEALTH).timetable.asset_condition == MESSAGING_LOST

    for text, field in [
        ("schedule: every day\n", "schedule"),
        ("schedule: '@once'\n", "schedule"),
        ("timezone: Mars/Olympus\n", "timezone"),
        ("schedule: '@daily'\nchunk_size: 10\n", "chunk_size"),
    ]:
        config.write_text(text)
        bag = parse_health_dag(config, monkeypatch)
        assert HEALTH not in bag.dags
        (error,) = bag.import_errors.values()
        assert f"{config}: {field}:" in error, error
