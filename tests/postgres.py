"""Throwaway databases on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth) for the tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A database of its own, dropped at the end (its connections closed first); yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**PG)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
