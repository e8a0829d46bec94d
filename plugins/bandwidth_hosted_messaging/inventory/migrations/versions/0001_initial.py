"""The inventory's first schema: hosted_numbers, number_events, inventory_runs.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hosted_numbers",
        sa.Column("number", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("imported_dag_id", sa.String(250), nullable=False),
        sa.Column("imported_run_id", sa.String(250), nullable=False),
        sa.Column("imported_order_id", sa.String(64)),
        sa.Column("import_outcome", sa.String(32), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_dag_id", sa.String(250)),
        sa.Column("removed_run_id", sa.String(250)),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("lost_dag_id", sa.String(250)),
        sa.Column("lost_run_id", sa.String(250)),
        sa.Column("lost_at", sa.DateTime(timezone=True)),
        sa.Column("lost_event", sa.String(64)),
    )
    op.create_index("ix_hosted_numbers_status_number", "hosted_numbers", ["status", "number"])
    op.create_index(
        "ix_hosted_numbers_imported_run", "hosted_numbers", ["imported_dag_id", "imported_run_id", "status"]
    )
    op.create_table(
        "number_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.String(64)),
        sa.Column("noticed_at", sa.DateTime(timezone=True)),
        sa.Column("lost_event", sa.String(64)),
        sa.Column("detail", sa.Text()),
        sa.UniqueConstraint("dag_id", "run_id", "number", "kind", name="uq_number_events_run_number_kind"),
    )
    op.create_index("ix_number_events_number", "number_events", ["number", "at", "id"])
    op.create_table(
        "inventory_runs",
        sa.Column("dag_id", sa.String(250), primary_key=True),
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inventory_runs")
    op.drop_index("ix_number_events_number", table_name="number_events")
    op.drop_table("number_events")
    op.drop_index("ix_hosted_numbers_imported_run", table_name="hosted_numbers")
    op.drop_index("ix_hosted_numbers_status_number", table_name="hosted_numbers")
    op.drop_table("hosted_numbers")
