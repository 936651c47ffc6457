"""reminder state in its own narrow table; a follow-up's nudges queued there, not in the outbox

The sweep's write per due follow-up was the outbox INSERT (heap, five index entries and three
foreign-key checks per nudge) and an UPDATE of the follow-up, which can never be HOT because
it moves the indexed `next_reminder_at`, so it wrote an entry in every one of the follow-ups'
five indexes. On PostgreSQL at 1M follow-ups the two were most of a batch (bench/README.md).

Now everything the sweep writes lives in `followup_reminders`, one row per follow-up (its
primary key is the follow-up's id), with two partial indexes: the sweep's queue
(`next_reminder_at`) and the sender's (`nudge_not_before`, owed nudges only). The sweep
records the nudge owed in the UPDATE it makes anyway and writes no outbox row for it; the
sender claims it from there (storage/nudges.py). `followups` is not written by the sweep at
all.

Outbox rows of kind due/overdue written before this revision are still delivered as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.migrate import refuse_downgrade

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED = ("due_nudge_sent", "overdue_nudges_sent", "escalated_at", "next_reminder_at")


def upgrade() -> None:
    op.create_table(
        "followup_reminders",
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("next_reminder_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_nudge_sent", sa.Boolean(), nullable=False),
        sa.Column("overdue_nudges_sent", sa.Integer(), nullable=False),
        sa.Column("escalated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nudge_kind", sa.String(length=12), nullable=True),
        sa.Column("nudge_days_overdue", sa.Integer(), nullable=True),
        sa.Column("nudge_not_before", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nudge_attempts", sa.Integer(), nullable=False),
        sa.Column("nudge_claimed_by", sa.String(length=64), nullable=True),
        sa.Column("nudge_claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nudge_last_error", sa.String(length=64), nullable=True),
        sa.Column("nudge_sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["followups.id"],
            name=op.f("fk_followup_reminders_followup_id_followups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("followup_id", name=op.f("pk_followup_reminders")),
    )
    op.execute(
        "INSERT INTO followup_reminders (followup_id, next_reminder_at, due_nudge_sent,"
        " overdue_nudges_sent, escalated_at, nudge_attempts)"
        " SELECT id, next_reminder_at, due_nudge_sent, overdue_nudges_sent, escalated_at, 0"
        " FROM followups"
    )
    op.create_index(
        "ix_followup_reminders_next_reminder_due",
        "followup_reminders",
        ["next_reminder_at"],
        unique=False,
        sqlite_where=sa.text("next_reminder_at IS NOT NULL"),
        postgresql_where=sa.text("next_reminder_at IS NOT NULL"),
    )
    op.create_index(
        "ix_followup_reminders_nudge_owed",
        "followup_reminders",
        ["nudge_not_before"],
        unique=False,
        sqlite_where=sa.text("nudge_kind IS NOT NULL"),
        postgresql_where=sa.text("nudge_kind IS NOT NULL"),
    )
    op.drop_index(
        "ix_followups_next_reminder_due",
        table_name="followups",
        sqlite_where=sa.text("next_reminder_at IS NOT NULL"),
        postgresql_where=sa.text("next_reminder_at IS NOT NULL"),
    )
    for column in MOVED:
        _drop_followups_column(column)


def _drop_followups_column(column: str) -> None:
    """Not through batch mode on SQLite: batch recreates `followups` (copy, DROP, rename),
    and with foreign keys on (storage/db.py turns them on for every connection, and a
    transaction cannot turn them off) the DROP cascades, deleting every reminder row just
    copied and every outbox row of a follow-up. SQLite 3.35 and later drop a plain column in
    place."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE followups DROP COLUMN {column}")
    else:
        op.drop_column("followups", column)


def downgrade() -> None:
    refuse_downgrade("0011")  # README, "Rolling back": restore the pre-upgrade backup
