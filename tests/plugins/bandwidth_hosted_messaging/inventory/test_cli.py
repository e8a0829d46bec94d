"""
``airflow bandwidth inventory upgrade|backfill`` through Airflow's own command line (the provider's ``cli`` entry),
on report files laid out as the runs write them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
from airflow.sdk import ObjectStoragePath

from bandwidth_hosted_messaging.inventory.inventory import Inventory
from bandwidth_hosted_messaging.reporting.ledger import read_ledger
from bandwidth_hosted_messaging.reporting.storage import run_folder_name

AIRFLOW = str(Path(sys.executable).parent / "airflow")


def airflow(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([AIRFLOW, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def write(base: Path, dag_id: str, run_id: str, name: str = "report.json", **data) -> None:
    folder = base / dag_id / run_folder_name(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({"dag_id": dag_id, "run_id": run_id, **data}))


def test_upgrade_then_backfill_builds_the_inventory_the_report_files_give(tmp_path):
    base = tmp_path / "reports"
    rows = [{"number": "+13035550100", "outcome": "in_service"}, {"number": "+13035550101", "outcome": "in_service"}]
    write(base, "hosted_messaging_import", "manual__1", finished_at="2026-01-01T00:00:00.000Z", rows=rows)
    dry = [{"number": "+13035550102", "outcome": "would_order"}]
    write(base, "hosted_messaging_import", "manual__2", finished_at="2026-01-02T00:00:00.000Z", rows=dry, dry_run=True)
    removed = [{"number": "+13035550100", "outcome": "removed"}]
    write(base, "hosted_messaging_remove", "manual__3", finished_at="2026-01-03T00:00:00.000Z", rows=removed)
    lost = [{"number": "+13035550101", "noticed_at": "2026-01-04T00:00:00.000Z"}]
    write(
        base, "hosted_numbers_health", "scheduled__4", "losses.json", finished_at="2026-01-04T00:00:01.000Z", lost=lost
    )
    path = tmp_path / "inventory.db"
    env = {
        "AIRFLOW_CONN_BANDWIDTH_INVENTORY": json.dumps({"conn_type": "sqlite", "host": str(path)}),
        "AIRFLOW__BANDWIDTH__REPORT_BASE": f"file://{base}",
    }
    assert "at revision 0001 (table bandwidth_inventory_version)" in airflow(env, "bandwidth", "inventory", "upgrade")
    assert str(path) in airflow(env, "bandwidth", "inventory", "upgrade")  # again: nothing to do
    out = airflow(env, "bandwidth", "inventory", "backfill")
    assert "3 run(s), 4 event(s) written, 2 number(s) folded, 1 dry run(s) skipped" in out, out
    inventory = Inventory(f"sqlite:///{path}")
    ledger = read_ledger(ObjectStoragePath(f"file://{base}"))
    assert {n: r.to_dict() for n, r in inventory.ledger().numbers.items()} == {
        n: r.to_dict() for n, r in ledger.numbers.items()
    }
    assert inventory.counts() == {"hosted": 0, "removed": 1, "lost": 1}


def test_upgrade_creates_the_postgresql_database_when_asked():
    """What the compose file's airflow-init does: the inventory's own database on the same server, then its schema."""
    name = f"bw_inv_cli_{uuid.uuid4().hex[:10]}"
    env = {"AIRFLOW_CONN_BANDWIDTH_INVENTORY": f"postgresql://postgres@127.0.0.1:5432/{name}"}
    try:
        out = airflow(env, "bandwidth", "inventory", "upgrade", "--create-database")
        assert f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}: database created" in out, out
        assert "at revision 0001" in out
        assert "database created" not in airflow(env, "bandwidth", "inventory", "upgrade", "--create-database")
    finally:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        admin.autocommit = True
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
