"""
DAG files are declarations: importing one pulls in no HTTP client. Airflow parses a DAG file again in every task
process, so whatever it imports is paid at the start of every task; the hooks import requests/aiohttp only when a
task or trigger runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.dags_helpers import ROOT

#: Modules no DAG file may import (the http provider's package itself is imported by Airflow's own start-up).
HEAVY = ("requests", "aiohttp", "urllib3", "airflow.providers.http.hooks", "slack_sdk", "aiosmtplib")
PROBE = """
import json, runpy, sys
runpy.run_path(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {h.split(".")[0] for h in sys.argv[2:]})))
"""


@pytest.mark.parametrize("dag_file", sorted(p.name for p in (ROOT / "dags").glob("*.py")))
def test_a_dag_file_imports_no_http_client(dag_file):
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "dags" / dag_file), *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    ).stdout
    imported = set(json.loads(out.strip().splitlines()[-1]))
    assert not [h for h in HEAVY if h in imported], sorted(imported)
