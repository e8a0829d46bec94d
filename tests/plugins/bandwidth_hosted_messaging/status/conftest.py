"""
The status page's API tests: their own report folder per module, the DAGs synced to the database (as the
dag-processor does), the app mounted as the API server mounts it, and a viewer's token.
"""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.dags_helpers import ROOT
from tests.plugins.bandwidth_hosted_messaging.status.helpers import PREFIX, token


@pytest.fixture(scope="module")
def report_base(tmp_path_factory):
    """
    The runs of a module write their reports in a folder of their own, and the inventory in a database of its
    own (the ``bandwidth_inventory`` connection, an SQLite file beside them): both hold only theirs.
    """
    base = tmp_path_factory.mktemp("status-reports")
    patch = pytest.MonkeyPatch()
    patch.setenv("AIRFLOW__BANDWIDTH__REPORT_BASE", f"file://{base}")
    patch.setenv(
        "AIRFLOW_CONN_BANDWIDTH_INVENTORY", json.dumps({"conn_type": "sqlite", "host": str(base / "inventory.db")})
    )
    yield base
    patch.undo()


@pytest.fixture(scope="module")
def dags(airflow_db):
    """Parse dags/ and sync it to the DB (what the dag-processor does), so the auth manager knows the DAGs."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=ROOT / "dags", bundle_path=ROOT / "dags", bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag


@pytest.fixture(scope="module")
def auth_manager(airflow_db):
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


@pytest.fixture(scope="module")
def client(auth_manager):
    """The status app mounted as the plugin mounts it on the API server, without a user."""
    from bandwidth_hosted_messaging.status.api import create_app
    from bandwidth_hosted_messaging.status.store import ReportStore

    app = FastAPI()
    app.mount(PREFIX, create_app(reports=ReportStore(scan_interval=0)))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def viewer(auth_manager):
    return {"Authorization": f"Bearer {token(auth_manager)}"}
