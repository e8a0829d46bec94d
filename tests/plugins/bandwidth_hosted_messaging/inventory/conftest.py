"""
The inventory's tests run on both databases it supports: an SQLite file of the test's own, and a PostgreSQL
database of the module's own on the local server (127.0.0.1:5432, user postgres, trust auth), dropped at the end
and emptied before each test.
"""

from __future__ import annotations

import uuid

import psycopg2
import pytest

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
TABLES = ("hosted_numbers", "number_events", "inventory_runs", "bandwidth_inventory_version")


@pytest.fixture(scope="module")
def postgres_database():
    """A PostgreSQL database of the module's own; its URL."""
    name = f"bw_inv_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**PG)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


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
