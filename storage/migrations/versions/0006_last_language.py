"""staff.last_language: the language of a member's last message with words

With `/language auto`, reminders and other messages the bot starts itself follow the language
the member last wrote in (bot.core.i18n.choose_reply_language).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    refuse_downgrade("0006")  # README, "Rolling back": restore the pre-upgrade backup
