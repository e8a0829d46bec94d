"""
Test set-up shared by every test: an Airflow home of its own (SQLite), our dags/ and plugins/ folders,
short retry delays, and a Bandwidth sandbox on a free loopback port with connections pointing at it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HOME = Path(tempfile.mkdtemp(prefix="bw-airflow-home-"))

# Airflow reads these at import time: set them before anything imports airflow.
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        "AIRFLOW__BANDWIDTH__REPORT_BASE": f"file://{_HOME}/reports",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://127.0.0.1:9/execution/",
        # The tests' deployment: polls as short as the sandbox's orders (a real deployment keeps the 1 s floor).
        "AIRFLOW__BANDWIDTH__MIN_POLL_INTERVAL": "0.1",
        # Airflow 3.3.2's dag.test() cannot end a run of a DAG with a Deadline Alert (it looks the alert up by an
        # id its own copy of the DAG does not have): the dag.test() scenarios run without it; the deployment tests,
        # on real components, keep it (tests/deployment/test_callback_wakeups.py).
        "AIRFLOW__BANDWIDTH__DEADLINE_ALERTS": "False",
        # Removals are confirmed by a person by default; the remove scenarios run unattended, and the approval
        # tests (tests/dags/test_operator_workflow.py) set the thresholds they need.
        "AIRFLOW__BANDWIDTH__REMOVE_APPROVAL_THRESHOLD": "0",
        # Every scenario checks its site (faults are injected there); tests/dags/test_site_memory.py turns it on.
        "AIRFLOW__BANDWIDTH__SITE_CHECK_MEMORY_HOURS": "0",
        # The sandbox is not part of the distribution: subprocesses take it from include/ as pytest does.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "include"), os.environ.get("PYTHONPATH")])),
    }
)

import pytest

from bandwidth_sandbox import Sandbox, SandboxConfig

AIRFLOW = str(Path(sys.executable).parent / "airflow")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated SQLite metadata database for dag.test() runs."""
    subprocess.run([AIRFLOW, "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return _HOME


def connection_env(sandbox: Sandbox, auth_type: str = "basic", version: int = 1) -> str:
    """``AIRFLOW_CONN_*`` values for a Bandwidth connection to ``sandbox`` (its v1 or its v2 API)."""
    cfg = sandbox.config
    login, password = (cfg.client_id, cfg.client_secret) if auth_type == "oauth2" else (cfg.username, cfg.password)
    return json.dumps(
        {
            "conn_type": "bandwidth",
            "host": sandbox.base_url if version == 1 else sandbox.v2_base_url,
            "login": login,
            "password": password,
            "extra": {"account_id": cfg.account_id, "auth_type": auth_type, "oauth_url": sandbox.token_url},
        }
    )


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox for the session; each test resets it through the ``bw`` fixture."""
    with Sandbox(SandboxConfig(order_seconds=0.6)) as sb:
        os.environ["AIRFLOW_CONN_BANDWIDTH_DEFAULT"] = connection_env(sb, "basic")
        os.environ["AIRFLOW_CONN_BANDWIDTH_OAUTH"] = connection_env(sb, "oauth2")
        os.environ["AIRFLOW_CONN_BANDWIDTH_V2"] = connection_env(sb, "oauth2", version=2)
        yield sb


@pytest.fixture
def bw(sandbox: Sandbox) -> Sandbox:
    """The sandbox, reset to its seed with no faults and an empty request log."""
    sandbox.reset()
    sandbox.clear_faults()
    sandbox.clear_requests()
    return sandbox


@pytest.fixture(scope="session", autouse=True)
def long_outage():
    """
    Start the several-minute outage scenario (tests.plugins.bandwidth_hosted_messaging.triggers.long_outage.py) at the beginning of
    the session, in its own process: it waits in the background while the other tests run, and
    ``test_triggers.py`` collects its result.
    """
    log = _HOME / "long_outage.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.plugins.bandwidth_hosted_messaging.triggers.long_outage"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AIRFLOW_HOME": str(_HOME / "outage")},
        )
    proc.log_path = log
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()
