"""
The DAG scenarios run against both API versions of the sandbox: v1 through ``bandwidth_default`` (Basic) and the
Universal Platform's v2 through ``bandwidth_v2`` (OAuth2, E.164, ``/messaging`` paths); those of the flow's own
logic on one of them (:func:`on_api_version`). The version is the
deployer's choice, ``[bandwidth] conn_id``, read when the DAG file is parsed.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

import pytest

#: The connection of each API version (tests/conftest.py points both at the session's sandbox).
API_CONNECTIONS = {"v1": "bandwidth_default", "v2": "bandwidth_v2"}


@pytest.fixture(scope="module", params=sorted(API_CONNECTIONS))
def api_version(request, sandbox) -> str:
    return request.param


def on_api_version(version: str) -> pytest.MarkDecorator:
    """
    Run a scenario on one API version only. The flow's own logic (grace periods, re-runs, approvals, policies)
    is the same on both; what differs between v1 and v2 (paths, number formats, auth, the order look-up a retry
    makes) is covered on both by the core scenarios (an import, a partial and a failed order, a retry after a lost
    answer, a removal, a health check, a batch DAG, a callback) and by the client's tests. The scenarios alternate
    between the versions, so each version runs about half of them.
    """
    return pytest.mark.parametrize("api_version", [version], indirect=True)


@contextmanager
def deployed_with(conn_id: str):
    """Parse DAG files as deployed with ``[bandwidth] conn_id = conn_id``."""
    before = os.environ.get("AIRFLOW__BANDWIDTH__CONN_ID")
    os.environ["AIRFLOW__BANDWIDTH__CONN_ID"] = conn_id
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AIRFLOW__BANDWIDTH__CONN_ID", None)
        else:
            os.environ["AIRFLOW__BANDWIDTH__CONN_ID"] = before


@pytest.fixture
def inventory(tmp_path, monkeypatch):
    """
    A hosted-number inventory of the test's own: the ``bandwidth_inventory`` connection names an SQLite file in
    the test's folder, so the report tasks of its runs write there (the runs of other tests do not).
    """
    from bandwidth_hosted_messaging.inventory.inventory import Inventory

    path = tmp_path / "inventory.db"
    monkeypatch.setenv("AIRFLOW_CONN_BANDWIDTH_INVENTORY", json.dumps({"conn_type": "sqlite", "host": str(path)}))
    return Inventory(f"sqlite:///{path}")
