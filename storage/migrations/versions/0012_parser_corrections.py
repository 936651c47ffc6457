"""parser corrections: fields navigators changed on the card, for `navbot parser-misses`

A new table only; nothing existing is touched, so upgrading loses nothing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.migrate import refuse_downgrade

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parser_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("read_value", sa.String(length=64), nullable=False),
        sa.Column("chosen_value", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_parser_corrections_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parser_corrections")),
    )
    op.create_index("ix_parser_corrections_at", "parser_corrections", ["at"], unique=False)
    op.create_index(
        "ix_parser_corrections_contact_id", "parser_corrections", ["contact_id"], unique=False
    )


def downgrade() -> None:
    refuse_downgrade("0012")  # README, "Rolling back": restore the pre-upgrade backup
