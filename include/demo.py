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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = Path(os.environ.get("AIRFLOW_HOME") or ROOT / ".airflow")
DAG_ID = os.environ.get("DEMO_DAG_ID", "import_batch_acme_dental")

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

        from airflow.dag_processing.dagbag import DagBag
        from airflow.sdk import DagRunState

        bag = DagBag(dag_folder=str(ROOT / "dags"))
        if DAG_ID not in bag.dags:
            print(f"DAG {DAG_ID} not found; import errors: {bag.import_errors}", file=sys.stderr)
            return 2
        dag_run = bag.dags[DAG_ID].test()
        calls = Counter(r["endpoint"] for r in sandbox.requests())

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
    print(f"Run {dag_run.run_id}: {dag_run.state}")
    return 0 if dag_run.state == DagRunState.SUCCESS else 1


if __name__ == "__main__":
    sys.exit(main())
