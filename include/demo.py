"""
``make demo``: run the sample import batch end to end against the Bandwidth sandbox.

Starts the sandbox on a free loopback port, points the ``bandwidth_default`` connection at it (OAuth2),
runs ``import_batch_acme_dental`` with ``dag.test()`` on an embedded SQLite Airflow home under the
project (``.airflow/``), prints the per-number report and exits 0 only if every number that should
import ended in service.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[1]
HOME = Path(os.environ.get("AIRFLOW_HOME") or ROOT / ".airflow")
DAG_ID = os.environ.get("DEMO_DAG_ID", "import_batch_acme_dental")
LOG_FILE = HOME / "demo.log"

os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "2",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        "AIRFLOW__BANDWIDTH__REPORT_BASE": f"file://{HOME}/bandwidth_reports",
        # dag.test() of Airflow 3.3.2 cannot end a run of a DAG with a Deadline Alert; `make airflow` keeps it.
        "AIRFLOW__BANDWIDTH__DEADLINE_ALERTS": "False",
    }
)


def main() -> int:
    from bandwidth_sandbox import Sandbox, SandboxConfig

    HOME.mkdir(parents=True, exist_ok=True)
    print(f"Airflow home: {HOME} (SQLite); migrating the metadata database ...", flush=True)
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True, capture_output=True)

    with Sandbox(SandboxConfig(order_seconds=2.0)) as sandbox:
        cfg = sandbox.config
        os.environ["AIRFLOW_CONN_BANDWIDTH_DEFAULT"] = json.dumps(
            {
                "conn_type": "bandwidth",
                "host": sandbox.v2_base_url,  # the current platform (Numbers API v2)
                "login": cfg.client_id,
                "password": cfg.client_secret,
                "extra": {"account_id": cfg.account_id, "auth_type": "oauth2", "oauth_url": sandbox.token_url},
            }
        )
        print(f"Bandwidth sandbox at {sandbox.v2_base_url} (API v2, account {cfg.account_id}, OAuth2)", flush=True)

        print(f"Running {DAG_ID}; Airflow's own log goes to {LOG_FILE}", flush=True)
        with airflow_output_to(LOG_FILE) as console:
            from airflow.dag_processing.dagbag import DagBag

            bag = DagBag(dag_folder=str(ROOT / "dags"))
            if DAG_ID not in bag.dags:
                print(f"DAG {DAG_ID} not found; import errors: {bag.import_errors}", file=console)
                return 2
            with StepPrinter(console):  # after the DagBag: its thread imports nothing Airflow is importing
                dag_run = bag.dags[DAG_ID].test()
        calls = Counter(r["endpoint"] for r in sandbox.requests())
    from airflow.sdk import DagRunState

    from bandwidth_hosted_messaging.reporting.storage import report_folder

    report_path = report_folder(DAG_ID, dag_run.run_id) / "report.json"
    print("\n" + "=" * 100)
    if report_path.exists():
        report = json.loads(report_path.read_text())
        from bandwidth_hosted_messaging.reporting.rows import ReportRow, to_table

        print(to_table([ReportRow(**row) for row in report["rows"]]))
        print(f"\nSummary: {report['summary']}")
        print(f"Report: {report['artifacts']['csv']}")
    print(f"API calls to the sandbox: {dict(sorted(calls.items()))}")
    print(f"Run {dag_run.run_id}: {dag_run.state}  (Airflow's full log: {LOG_FILE})")
    return 0 if dag_run.state == DagRunState.SUCCESS else 1


@contextmanager
def airflow_output_to(path: Path) -> Iterator[TextIO]:
    """Send everything written to this process's stdout and stderr (Airflow's logs) to ``path``; yield a stream
    to the terminal for the demo's own lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(saved_out), "w", buffering=1)
    with open(path, "wb") as log:  # this run's log only
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield console
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            console.close()


class StepPrinter(threading.Thread):
    """One line per task as it ends (state and seconds), read from the metadata database while the run goes."""

    def __init__(self, console: TextIO) -> None:
        # Imported here, in the main thread: two threads importing Airflow's models at once deadlock.
        from airflow.models.taskinstance import TaskInstance  # noqa: F401
        from airflow.utils.session import create_session  # noqa: F401

        super().__init__(name="demo-steps", daemon=True)
        self.console = console
        self.since = datetime.now(UTC)  # this run's task instances only (the home keeps earlier demos')
        self.done = threading.Event()
        self.seen: set[tuple[str, int]] = set()

    def __enter__(self) -> StepPrinter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join(5)
        self.report()

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                self.report()
            except Exception:
                pass

    def report(self) -> None:
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.session import create_session
        from sqlalchemy import select

        finished = ("success", "failed", "upstream_failed", "skipped")
        with create_session() as session:
            rows = session.execute(
                select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state, TaskInstance.duration)
                .where(
                    TaskInstance.dag_id == DAG_ID,
                    TaskInstance.state.in_(finished),
                    TaskInstance.start_date >= self.since,
                )
                .order_by(TaskInstance.end_date)
            ).all()
        for task_id, map_index, state, duration in rows:
            key = (task_id, map_index)
            if key in self.seen:
                continue
            self.seen.add(key)
            name = task_id if map_index < 0 else f"{task_id}[{map_index}]"
            mark = "ok  " if state == "success" else f"{state.upper()} "
            self.console.write(f"  {mark}{name:<32} {duration or 0:6.1f} s\n")


if __name__ == "__main__":
    sys.exit(main())
