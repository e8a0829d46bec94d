"""Helpers shared by the DAG tests: a conf as the UI form sends it, and reading a run's outcome."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_LOA = str(ROOT / "include" / "loa" / "sample-loa.pdf")


#: The subscriber of every test request and batch file.
SUBSCRIBER = {
    "name": "Acme Dental",
    "house_number": "900",
    "street_name": "Main St",
    "city": "Denver",
    "state_code": "CO",
    "zip": "80202",
}


def batch_fields(**fields) -> dict:
    """The fields of a valid batch file (a copy, with ``fields`` added or replacing)."""
    return {
        "site_id": "14413",
        "subscriber": dict(SUBSCRIBER),
        "loa_authorizing_person": "Jane Doe",
        "loa_file": SAMPLE_LOA,
        **fields,
    }


def base_conf(numbers=("+13035550100",), **overrides):
    conf = {
        "numbers": list(numbers),
        "subscriber_name": "Acme Dental",
        "house_number": "900",
        "street_name": "Main St",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        "loa_authorizing_person": "Jane Doe",
        "site_id": "14413",
        "customer_order_id_prefix": "test",
        "loa_file": SAMPLE_LOA,
        "poll_interval": 0.3,
        "grace_period": 3,
        # dag.test() leaves a run's conf in the DAG's params: say these each time, so no run inherits them.
        "dry_run": False,
        "retry_failed_of_run": None,
        "chunk_size": 1000,
        "rejection_policy": "skip",
        "sip_peer_id": None,
    }
    conf.update(overrides)
    return conf


def task_states(dr) -> dict[str, str]:
    """``{task_id or task_id[map_index]: state}`` of a finished run."""
    states = {}
    for ti in dr.get_task_instances():
        key = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
        states[key] = ti.state
    return states


def report_of(dr) -> dict:
    """The JSON report the run wrote."""
    from bandwidth_hosted_messaging.reporting.storage import report_folder

    return json.loads((report_folder(dr.dag_id, dr.run_id) / "report.json").read_text())


def rows_by_number(report: dict) -> dict[str, dict]:
    return {row["number"]: row for row in report["rows"]}


def api_calls(sandbox, endpoint=None):
    """The sandbox's logged API calls (admin and token calls excluded), optionally of one endpoint."""
    rows = [r for r in sandbox.requests() if not r["endpoint"].startswith("admin") and r["endpoint"] != "token"]
    return [r for r in rows if endpoint is None or r["endpoint"] == endpoint]


def e164(numbers) -> list[str]:
    """Numbers as the project holds them (E.164): the sandbox, like Bandwidth's v1, keeps ten digits."""
    from bandwidth_hosted_messaging.client.numbers import canonical

    return [canonical(n) for n in numbers]
