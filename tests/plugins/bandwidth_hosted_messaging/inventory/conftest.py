"""
The inventory's tests run on both databases it supports: an SQLite file of the test's own, and a PostgreSQL
database of the module's own on the local server (127.0.0.1:5432, user postgres, trust auth), dropped at the end
and emptied before each test.
"""

from __future__ import annotations

import psycopg2
import pytest

from tests.postgres import throwaway_database

TABLES = ("hosted_numbers", "number_events", "inventory_runs", "bandwidth_inventory_version")


@pytest.fixture(scope="module")
def postgres_database():
    """A PostgreSQL database of the module's own; its URL."""
    with throwaway_database("bw_inv") as url:
        yield url.replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database (no table, no version), on SQLite and on PostgreSQL; the process forgets it afterwards."""
    from bandwidth_hosted_messaging.inventory import database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inventory.db"
    else:
        url = request.getfixturevalue("postgres_database")
        conn = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
        conn.autocommit = True
        conn.cursor().execute("DROP TABLE IF EXISTS " + ", ".join(TABLES) + " CASCADE")
        conn.close()
    database.dispose(url)
    yield url
    database.dispose(url)
