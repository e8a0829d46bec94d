"""
``airflow bandwidth inventory upgrade|backfill``, registered through the provider info's ``cli`` entry.

Airflow imports this module to build its command line on every ``airflow`` command: it defines the commands
only (the handlers in :mod:`.commands`, with SQLAlchemy and Alembic, are imported when one runs).
"""

from __future__ import annotations

from typing import Any


def get_cli_commands() -> list[Any]:
    """The ``bandwidth`` command group (``CLICommand`` objects, as Airflow's providers manager expects)."""
    from airflow.cli.cli_config import ActionCommand, Arg, GroupCommand, lazy_load_command

    conn_id = Arg(
        ("--conn-id",),
        help="The inventory's connection (default: [bandwidth] inventory_conn_id, i.e. bandwidth_inventory)",
    )
    report_base = Arg(("--report-base",), help="Where the reports are (default: [bandwidth] report_base)")
    replace = Arg(
        ("--replace",),
        action="store_true",
        help="Empty the inventory first, so that it holds exactly what the report files say",
    )
    create_database = Arg(
        ("--create-database",),
        action="store_true",
        help="PostgreSQL: create the connection's database first if it does not exist (its user may create one)",
    )
    handlers = "bandwidth_hosted_messaging.inventory.commands"
    inventory = GroupCommand(
        name="inventory",
        help="The hosted-number inventory",
        subcommands=(
            ActionCommand(
                name="upgrade",
                help="Apply the inventory's migrations (its writers also do on first use)",
                func=lazy_load_command(f"{handlers}.upgrade"),
                args=(conn_id, create_database),
            ),
            ActionCommand(
                name="backfill",
                help="Build the inventory from every import, remove and health run's report files",
                func=lazy_load_command(f"{handlers}.backfill"),
                args=(conn_id, report_base, replace),
            ),
        ),
    )
    return [GroupCommand(name="bandwidth", help="Bandwidth hosted messaging", subcommands=(inventory,))]
