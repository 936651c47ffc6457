"""sweep speed: a partial index of pending reminders

`ix_followups_next_reminder_at` indexed every follow-up, although only open ones have a
`next_reminder_at`; done and cancelled follow-ups (most of them, over time) only made the
index the sweep walks bigger. The partial index holds just the rows with a pending reminder,
and both planners use it for `next_reminder_at <= :now` (the comparison implies NOT NULL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("next_reminder_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followups_next_reminder_due",
            ["next_reminder_at"],
            unique=False,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
        batch_op.drop_index("ix_followups_next_reminder_at")


def downgrade() -> None:
    refuse_downgrade("0007")  # README, "Rolling back": restore the pre-upgrade backup
