"""The URLs between the status page and the Airflow UI: one run's page (stable, the extra link's), its Airflow run."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

from bandwidth_hosted_messaging.reporting import links as report_links
from bandwidth_hosted_messaging.status import links

RUN_ID = "manual__2026-12-01T16:44:22.879730+00:00"


def test_a_runs_page_url_is_the_page_with_the_dag_and_run_as_query():
    url = links.run_page_url("hosted_messaging_import", RUN_ID, base_url="https://airflow.example.com/")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "airflow.example.com", "/bandwidth-status/")
    assert parse_qs(parts.query) == {"dag_id": ["hosted_messaging_import"], "run_id": [RUN_ID]}
    assert links.run_page_url("d", "r", base_url="") == "/bandwidth-status/?dag_id=d&run_id=r"


def test_the_page_and_the_operators_extra_link_build_the_same_url():
    for base in ("", "https://airflow.example.com", None):
        assert links.run_page_url("import_batch_acme", RUN_ID, base) == report_links.run_page_url(
            "import_batch_acme", RUN_ID, base
        )


def test_the_airflow_run_and_task_urls():
    run = links.airflow_run_url("hosted_messaging_import", RUN_ID, base_url="")
    assert run == "/dags/hosted_messaging_import/runs/manual__2026-12-01T16%3A44%3A22.879730%2B00%3A00"
    assert links.airflow_task_url("d", "r", "check_importability", base_url="http://h:8080/") == (
        "http://h:8080/dags/d/runs/r/tasks/check_importability"
    )
    assert links.airflow_task_url("d", "r", "import_order.wait", 3, base_url="") == (
        "/dags/d/runs/r/tasks/import_order.wait/mapped/3"
    )
    assert links.run_tab_url("d", "r", base_url="") == "/dags/d/runs/r/plugin/hosted-messaging-run"


def test_the_base_url_defaults_to_the_api_servers(monkeypatch):
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.com/sub/")
    assert links.airflow_base_url() == "https://airflow.example.com/sub"
    assert links.root_path() == "/sub"
    assert links.airflow_run_url("d", "r") == "https://airflow.example.com/sub/dags/d/runs/r"


def test_importing_the_links_module_is_cheap():
    probe = "import sys, bandwidth_hosted_messaging.status.links; print('airflow' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )
