"""reminders: agenda bookkeeping per staff member

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda_checked_on", sa.Date(), nullable=True))


def downgrade() -> None:
    refuse_downgrade("0003")  # README, "Rolling back": restore the pre-upgrade backup
