"""
Where the inventory lives and how it is reached: the SQLAlchemy URL of the ``bandwidth_inventory`` connection
(or the SQLite file in ``$AIRFLOW_HOME``), one engine per URL and process, the schema brought to the head of the
migrations on first use, and the write transaction every writer holds.

Writers are serialised, so that the fold of a number always sees every event committed before it:

- **SQLite**: ``BEGIN IMMEDIATE`` (the write lock is taken when the transaction starts, not at its first write)
  and a busy timeout of :data:`BUSY_TIMEOUT_S`: a second writer waits for the first instead of failing with
  "database is locked". WAL journal: readers (the status page) never wait for a writer.
- **PostgreSQL**: ``pg_advisory_xact_lock`` (:data:`WRITE_LOCK_KEY`) as the transaction's first statement,
  released at commit or rollback (or when a killed writer's connection drops); ``lock_timeout``
  :data:`LOCK_TIMEOUT_S` so that a stuck writer fails the waiting task (which its retry repeats) instead of
  hanging it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bandwidth_hosted_messaging.constants import INVENTORY_SQLITE_FILE, INVENTORY_VERSION_TABLE

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How long an SQLite writer waits for another one, seconds.
BUSY_TIMEOUT_S = 30.0
#: How long a PostgreSQL writer waits for another one, seconds.
LOCK_TIMEOUT_S = 60.0
#: The advisory lock of inventory writes on PostgreSQL (``bwinv`` in ASCII, as a number).
WRITE_LOCK_KEY = 0x6277696E76
#: The execution option that makes an SQLite transaction ``BEGIN IMMEDIATE``.
_WRITE = "bandwidth_inventory_write"
#: libpq settings a connection's extras may carry into the URL (anything else in extras is not for libpq).
LIBPQ_EXTRAS = frozenset(
    {
        "sslmode",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslcrl",
        "connect_timeout",
        "application_name",
        "options",
        "target_session_attrs",
        "keepalives",
        "keepalives_idle",
    }
)


class InventoryUnavailable(RuntimeError):
    """The inventory's database cannot be reached, or not brought to this package's schema."""


def airflow_home() -> str:
    return os.path.abspath(os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow"))


def default_url() -> str:
    """The inventory without a connection: ``$AIRFLOW_HOME/bandwidth_inventory.db``."""
    return f"sqlite:///{os.path.join(airflow_home(), INVENTORY_SQLITE_FILE)}"


def url_of_connection(conn: Any) -> str:
    """
    The SQLAlchemy URL of an Airflow connection: type ``postgres`` (or a ``postgresql://`` URI) →
    ``postgresql+psycopg2://`` with login, password, host, port, schema (the database) and the libpq settings
    among its extras (``sslmode``...); type ``sqlite`` → its file (host, or schema as a URI puts it; relative to
    ``$AIRFLOW_HOME``).

    Built from the fields rather than ``conn.get_uri()``: that URI carries every extra as a query parameter,
    which psycopg2 refuses when it is not a libpq setting.
    """
    conn_type = (conn.conn_type or "").lower()
    if conn_type in ("postgres", "postgresql") or conn_type.startswith("postgresql+"):
        extras = conn.extra_dejson if isinstance(conn.extra_dejson, dict) else {}
        query = {k: str(v) for k, v in extras.items() if k in LIBPQ_EXTRAS and v is not None}
        url = URL.create(
            "postgresql+psycopg2",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
            query=query,
        )
        return url.render_as_string(hide_password=False)
    if conn_type == "sqlite":
        path = conn.host or conn.schema
        if not path:
            raise ValueError(f"connection {conn.conn_id!r} (sqlite) names no database file (its host)")
        return f"sqlite:///{os.path.join(airflow_home(), os.path.expanduser(path))}"
    raise ValueError(
        f"connection {conn.conn_id!r} is of type {conn.conn_type!r}: the inventory needs a postgres or sqlite "
        "connection"
    )


def inventory_url(conn_id: str | None = None) -> str:
    """The inventory's URL: the connection's (``[bandwidth] inventory_conn_id``), else :func:`default_url`."""
    from airflow.exceptions import AirflowNotFoundException as CoreNotFound
    from airflow.sdk.exceptions import AirflowNotFoundException

    from bandwidth_hosted_messaging import config

    conn_id = conn_id or config.inventory_conn_id()
    try:
        conn = _connection(conn_id)
    except (AirflowNotFoundException, CoreNotFound):
        return default_url()
    return url_of_connection(conn)


def _connection(conn_id: str) -> Any:
    """
    The connection, in a task through the Task SDK (the worker's secrets, the API server's connections);
    elsewhere (the API server, the ``airflow`` CLI) from the secrets backends and the metadata database.
    """
    runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    if getattr(runner, "SUPERVISOR_COMMS", None) is not None:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    from airflow.models.connection import Connection

    return Connection.get_connection_from_secrets(conn_id)


def redacted(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


# ---- engines -------------------------------------------------------------------------------------------------

_ENGINES: dict[str, Engine] = {}
_CURRENT: set[str] = set()
_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """The process's engine of ``url`` (one pool per database)."""
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _create_engine(url)
        return engine


def dispose(url: str) -> None:
    """Close the process's engine of ``url`` and forget its schema check (the next use connects and checks again)."""
    with _LOCK:
        engine = _ENGINES.pop(url, None)
        if engine is not None:
            _CURRENT.discard(_key(engine))
    if engine is not None:
        engine.dispose()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=8)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the transactions are ours (BEGIN below), not pysqlite's
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """
    One write transaction, serialised with every other writer of the database (see the module's docstring);
    committed when the block ends, rolled back if it raises.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_S)}s'"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield conn


# ---- the schema ----------------------------------------------------------------------------------------------


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def create_database(url: str, maintenance_db: str = "postgres") -> bool:
    """
    Create the PostgreSQL database of ``url`` if it does not exist (connected to ``maintenance_db`` on the same
    server, as the same user; the user must be allowed to create databases). Whether it created it; SQLite files
    are created on first use and need nothing.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    admin = create_engine(parsed.set(database=maintenance_db), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database})
            if found.first() is not None:
                return False
            quoted = conn.dialect.identifier_preparer.quote_identifier(parsed.database)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            log.info("Inventory: created the database %s", parsed.database)
            return True
    except DBAPIError as err:
        raise InventoryUnavailable(f"inventory {redacted(url)}: cannot create its database: {err.orig or err}") from err
    finally:
        admin.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": INVENTORY_VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Apply the migrations up to the head, in one write transaction (a concurrent writer waits); the revision."""
    from alembic import command
    from alembic.util import CommandError

    try:
        with write_transaction(engine) as conn:
            command.upgrade(_alembic_config(conn), "head")
    except DBAPIError as err:
        raise InventoryUnavailable(f"inventory {redacted(_key(engine))}: {err.orig or err}") from err
    except CommandError as err:  # e.g. the database is at a revision this package does not know (a newer one)
        raise InventoryUnavailable(f"inventory {redacted(_key(engine))}: {err}") from err
    with _LOCK:
        _CURRENT.add(_key(engine))
    return current_revision(engine)


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the head of the migrations, once per process (a cheap check when it is there)."""
    key = _key(engine)
    if key in _CURRENT:
        return
    try:
        current = current_revision(engine)
    except DBAPIError as err:
        raise InventoryUnavailable(f"inventory {redacted(key)} unreachable: {err.orig or err}") from err
    if current != head_revision():
        log.info("Inventory %s: schema %s, upgrading to %s", redacted(key), current, head_revision())
        upgrade(engine)
    with _LOCK:
        _CURRENT.add(key)
