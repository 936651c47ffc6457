"""absences (leave with a cover colleague) and staff.username (person lookup by @name)

`absences` records a member's leave: the local days away (inclusive), who covers (NULL: the
team's supervisors), when it was ended early (/back) and when the return summary was
produced. `staff.username` is the member's Telegram @username, refreshed by the access guard
from every update, so commands can name people by it. Nothing existing is changed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.migrate import refuse_downgrade

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_staff_username", ["username"], unique=False)
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("cover_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("summary_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_absences_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cover_id"], ["staff.id"], name=op.f("fk_absences_cover_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_absences_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index("ix_absences_staff_ends", "absences", ["staff_id", "ends_on"], unique=False)
    op.create_index("ix_absences_cover_ends", "absences", ["cover_id", "ends_on"], unique=False)


def downgrade() -> None:
    refuse_downgrade("0014")  # README, "Rolling back": restore the pre-upgrade backup
