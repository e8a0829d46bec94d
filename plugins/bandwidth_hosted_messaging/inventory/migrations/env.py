"""Alembic's environment for the inventory: the migrations run on the connection (and transaction) given to them."""

from __future__ import annotations

from alembic import context

from bandwidth_hosted_messaging.constants import INVENTORY_VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "The inventory's migrations run on a connection given to them: use `airflow bandwidth inventory upgrade`"
    )
context.configure(connection=connection, version_table=INVENTORY_VERSION_TABLE, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
