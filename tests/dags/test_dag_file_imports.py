"""
DAG files are declarations: importing one pulls in no HTTP client, and nothing that only a running task needs.
Airflow parses a DAG file again in every task process, so whatever it imports is paid at the start of every task;
the hooks import requests/aiohttp only when a task or trigger runs, the operators their models, XML, triggers,
report and inventory code in ``execute()``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dags_helpers import ROOT

#: Modules no DAG file may import (the http provider's package itself is imported by Airflow's own start-up).
HEAVY = ("requests", "aiohttp", "urllib3", "airflow.providers.http.hooks", "slack_sdk", "aiosmtplib")
#: What only a running task (or the triggerer) needs: the API client's models, endpoints and XML, the triggers, the
#: LOA file checks, the report's rows and files, the notifiers (no notification channel is configured here), the
#: hooks' memories and the inventory. A DAG file needs the operator classes, not these.
TASK_ONLY = (
    "xmltodict",
    "bandwidth_hosted_messaging.client.models",
    "bandwidth_hosted_messaging.client.endpoints",
    "bandwidth_hosted_messaging.client.calls",
    "bandwidth_hosted_messaging.client.xmlio",
    "bandwidth_hosted_messaging.client.retry",
    "bandwidth_hosted_messaging.contracts",
    "bandwidth_hosted_messaging.triggers.order",
    "bandwidth_hosted_messaging.triggers.callback_watch",
    "bandwidth_hosted_messaging.inputs.loa_file",
    "bandwidth_hosted_messaging.reporting.render",
    "bandwidth_hosted_messaging.reporting.rows",
    "bandwidth_hosted_messaging.reporting.storage",
    "bandwidth_hosted_messaging.reporting.health",
    "bandwidth_hosted_messaging.reporting.order_outcome",
    "bandwidth_hosted_messaging.reporting.retry_failed",
    "bandwidth_hosted_messaging.notifiers",
    "bandwidth_hosted_messaging.hooks.site_memory",
    "bandwidth_hosted_messaging.inventory",
)
#: One interpreter imports ``airflow.sdk`` (every DAG file imports it first), then forks a child per DAG file, as
#: the DAG processor forks a parser: each child imports its file into a copy of that interpreter and prints, as one
#: JSON line, the modules of the watched packages it then holds.
PROBE = """
import json, os, runpy, sys, traceback
import airflow.sdk
dag_files, names = sys.argv[1].split(os.pathsep), sys.argv[2:]
packages = {name.split(".")[0] for name in names}
failed = 0
for dag_file in dag_files:
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            runpy.run_path(dag_file)
            found = sorted(m for m in sys.modules if m.split(".")[0] in packages)
            print(json.dumps({"file": dag_file, "modules": found}), flush=True)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    failed |= os.waitpid(pid, 0)[1]
sys.exit(1 if failed else 0)
"""
DAG_FILES = sorted(p.name for p in (ROOT / "dags").glob("*.py"))


@pytest.fixture(scope="module")
def imported() -> dict[str, set[str]]:
    """Per DAG file, the modules of the packages of :data:`HEAVY` and :data:`TASK_ONLY` that importing it brings
    into an interpreter that had imported only ``airflow.sdk`` (:data:`PROBE`)."""
    paths = [str(ROOT / "dags" / dag_file) for dag_file in DAG_FILES]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, os.pathsep.join(paths), *HEAVY, *TASK_ONLY],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr[-4000:]  # a DAG file that failed to import: its traceback
    rows = [json.loads(line) for line in out.splitlines() if line.startswith('{"file"')]
    found = {Path(row["file"]).name: set(row["modules"]) for row in rows}
    assert sorted(found) == DAG_FILES, out[-2000:]  # every file's child reported
    return found


def test_the_probe_sees_a_module_a_dag_file_imports(tmp_path):
    """The probe can fail: a DAG file that imports requests is seen doing so, and its neighbour is not blamed."""
    heavy = tmp_path / "heavy.py"
    heavy.write_text("import requests\n")
    light = tmp_path / "light.py"
    light.write_text("x = 1\n")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, os.pathsep.join([str(heavy), str(light)]), "requests"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {Path(row["file"]).name: row["modules"] for row in map(json.loads, out.splitlines())}
    assert "requests" in rows["heavy.py"] and "requests" not in rows["light.py"]


def test_the_probe_fails_with_the_traceback_of_a_dag_file_that_raises(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise ValueError('no such batch folder')\n")
    done = subprocess.run([sys.executable, "-c", PROBE, str(broken), "requests"], capture_output=True, text=True)
    assert done.returncode == 1 and "ValueError: no such batch folder" in done.stderr


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_a_dag_file_imports_no_http_client(dag_file, imported):
    assert not [h for h in HEAVY if h in imported[dag_file]], sorted(imported[dag_file])


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_a_dag_file_imports_nothing_only_a_task_needs(dag_file, imported):
    assert not [m for m in TASK_ONLY if m in imported[dag_file]], sorted(
        m for m in imported[dag_file] if m in TASK_ONLY
    )
