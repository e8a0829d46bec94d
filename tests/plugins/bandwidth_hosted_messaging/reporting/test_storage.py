"""Where reports live: one folder per run id, whatever punctuation run ids differ in (issue 13, M6)."""

from __future__ import annotations

import json

from airflow.sdk import ObjectStoragePath

from bandwidth_hosted_messaging.reporting.ledger import read_ledger
from bandwidth_hosted_messaging.reporting.storage import report_folder, run_folder_name
from bandwidth_hosted_messaging.status.store import ReportStore

DAG = "hosted_messaging_import"


def test_run_ids_that_differ_only_in_punctuation_get_their_own_report_folders():
    ids = ["rt_collide:1", "rt_collide_1", "rt_collide 1", "rt+collide+1", "manual__2026-11-25T07:31:37+00:00"]
    names = [run_folder_name(r) for r in ids]
    assert len(set(names)) == len(ids)
    assert all(n.replace("-", "").replace("_", "").replace(".", "").isalnum() for n in names)
    assert names[-1].startswith("manual__2026-11-25T07_31_37_00_00-")
    assert run_folder_name("rt_collide:1") == run_folder_name("rt_collide:1")  # stable: a retry finds it again


def test_each_run_reads_its_own_report_when_their_ids_differ_only_in_punctuation(tmp_path, monkeypatch):
    base = ObjectStoragePath(f"file://{tmp_path}/reports")
    monkeypatch.setenv("AIRFLOW__BANDWIDTH__REPORT_BASE", str(base))
    for run_id, numbers in (("rt_collide:1", ["+13035550100"]), ("rt_collide_1", ["+13035550101", "+13035550102"])):
        folder = report_folder(DAG, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [{"number": n, "outcome": "rejected" if n.endswith("2") else "in_service"} for n in numbers]
        report = {"dag_id": DAG, "run_id": run_id, "finished_at": "2026-12-01T10:00:00.000Z", "rows": rows}
        (folder / "report.json").write_text(json.dumps(report))
    store = ReportStore(base, scan_interval=0)
    assert [r["number"] for r in store.report(DAG, "rt_collide:1")["rows"]] == ["+13035550100"]
    assert [r["number"] for r in store.report(DAG, "rt_collide_1")["rows"]] == ["+13035550101", "+13035550102"]
    assert store.digest_of(DAG, "rt_collide:1").outcomes == {"in_service": 1}
    assert store.digest_of(DAG, "rt_collide_1").outcomes == {"in_service": 1, "rejected": 1}
    # neither dropped out of the ledger the backfill builds the inventory from
    assert sorted(read_ledger(base).numbers) == ["+13035550100", "+13035550101"]
