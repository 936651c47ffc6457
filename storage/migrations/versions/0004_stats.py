"""stats indexes

Covering indexes for the supervisor stats aggregates (contacts per team and period, service
events per client, open caseload per owner).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_team_stats",
            ["team", "occurred_at", "client_id", "outcome", "setting", "language", "staff_id"],
            unique=False,
        )
    with op.batch_alter_table("service_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_events_client_service_at",
            ["client_id", "service", "occurred_at", "status"],
            unique=False,
        )
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.create_index("ix_clients_owner_status", ["owner_id", "status"], unique=False)


def downgrade() -> None:
    refuse_downgrade("0004")  # README, "Rolling back": restore the pre-upgrade backup
