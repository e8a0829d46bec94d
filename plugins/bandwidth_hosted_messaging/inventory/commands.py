"""The handlers of ``airflow bandwidth inventory ...`` (:mod:`.cli` defines the commands)."""

from __future__ import annotations

from argparse import Namespace

from bandwidth_hosted_messaging.constants import INVENTORY_VERSION_TABLE
from bandwidth_hosted_messaging.inventory import database
from bandwidth_hosted_messaging.inventory.backfill import backfill as backfill_inventory
from bandwidth_hosted_messaging.inventory.inventory import Inventory


def upgrade(args: Namespace) -> None:
    """Bring the inventory's schema to the head of the migrations (its PostgreSQL database created first if asked)."""
    url = database.inventory_url(args.conn_id)
    if getattr(args, "create_database", False) and database.create_database(url):
        print(f"Inventory {database.redacted(url)}: database created")
    inventory = Inventory(url)
    revision = database.upgrade(inventory.engine)
    print(f"Inventory {database.redacted(inventory.url)}: at revision {revision} (table {INVENTORY_VERSION_TABLE})")


def backfill(args: Namespace) -> None:
    """Write every run's report files into the inventory."""
    from airflow.sdk import ObjectStoragePath

    inventory = Inventory.configured(args.conn_id)
    base = ObjectStoragePath(args.report_base) if args.report_base else None
    result = backfill_inventory(inventory, base, replace=args.replace)
    counts = inventory.counts()
    print(
        f"Inventory {database.redacted(inventory.url)}: {result.runs} run(s), {result.events} event(s) written, "
        f"{result.numbers} number(s) folded, {result.skipped} dry run(s) skipped; now {counts}"
    )
