"""follow-ups due in a period counted from the index alone

`ix_followups_staff_status_due` (staff_id, status, due_at) becomes
`ix_followups_staff_status_due_on_time` (staff_id, status, due_at, completed_on_time): /stats
counts a team's follow-ups due in the period and how many were done on time
(storage/stats.py, `count_followups_due`), and with `completed_on_time` in the index that
reads no table rows (about 8,500 for a team's quarter in bench/stats.py: ~19 → ~5 ms on
SQLite). Every query that used the old index uses the new one by the same prefix, and a
follow-up gets `completed_on_time` when it is completed, which rewrites its entry for the
status change anyway.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("followups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_followups_staff_status_due_on_time",
            ["staff_id", "status", "due_at", "completed_on_time"],
            unique=False,
        )
        batch_op.drop_index("ix_followups_staff_status_due")


def downgrade() -> None:
    refuse_downgrade("0009")  # README, "Rolling back": restore the pre-upgrade backup
