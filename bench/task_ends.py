"""
How long after its last log line each task instance of a benchmark run ended: the gap between the last record of
its log and its ``end_date`` in the metadata database (Airflow 3.3.2's task supervisor can sleep up to
``[workers] min_heartbeat_interval`` there, see the README's Deployment section). Reads the SQLite database and the
task logs a benchmark left in its Airflow home.

    python -m bench.task_ends [AIRFLOW_HOME] [RUN_ID_PREFIX]   # default: .airflow/bench/airflow-home, every run
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT


def _last_log_time(path: Path) -> datetime | None:
    last = None
    for line in path.read_text(errors="replace").splitlines():
        try:
            stamp = json.loads(line).get("timestamp")
        except (ValueError, AttributeError):
            continue
        if stamp:
            last = stamp
    return datetime.fromisoformat(last.replace("Z", "+00:00")) if last else None


def gaps(home: Path, run_prefix: str = "") -> list[dict]:
    """One row per finished task instance: dag, run, task, map index, seconds from its last log line to its end."""
    db = sqlite3.connect(home / "airflow.db")
    query = (
        "select dag_id, run_id, task_id, map_index, try_number, end_date from task_instance "
        "where end_date is not null and run_id like ? order by start_date"
    )
    out = []
    for dag_id, run_id, task_id, map_index, try_number, end in db.execute(query, (run_prefix + "%",)):
        folder = home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        log = (folder / f"map_index={map_index}" if map_index >= 0 else folder) / f"attempt={try_number}.log"
        last = _last_log_time(log) if log.exists() else None
        ended = datetime.fromisoformat(end).replace(tzinfo=UTC)
        gap = round((ended - last).total_seconds(), 3) if last else None
        out.append({"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "map_index": map_index, "gap_s": gap})
    return out


if __name__ == "__main__":
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".airflow" / "bench" / "airflow-home"
    json.dump(gaps(home, sys.argv[2] if len(sys.argv) > 2 else ""), sys.stdout, indent=1)
    print()
