"""stats speed

An index for the navigator lines of /stats: each staff member's contacts in a period are
counted as one index range of (team, staff_id, occurred_at), instead of grouping — and so
sorting — every contact of the period by staff member.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_team_staff_occurred", ["team", "staff_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    refuse_downgrade("0005")  # README, "Rolling back": restore the pre-upgrade backup
