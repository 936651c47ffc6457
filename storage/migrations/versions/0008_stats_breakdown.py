"""stats breakdown and all-teams indexes

* `ix_contacts_breakdown` (team, outcome, setting, language, occurred_at): the contacts of each
  (outcome, setting, language) combination of a team in time order. /stats lists the
  combinations by walking it and counts each as one index range of `occurred_at`, instead of
  grouping — and so sorting — every contact of the period (storage/stats.py,
  `contact_breakdown_statement`).
* `ix_contacts_occurred_client` (occurred_at, client_id, outcome) replaces
  `ix_contacts_occurred_at` (occurred_at): the same ranges, and the "all teams" clients and
  cohort are read from the index alone instead of the table as well.
* `ix_contacts_team_occurred` (team, occurred_at) goes: it is a prefix of
  `ix_contacts_team_stats`, so it only cost every contact insert one more index entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_breakdown",
            ["team", "outcome", "setting", "language", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_contacts_occurred_client", ["occurred_at", "client_id", "outcome"], unique=False
        )
        batch_op.drop_index("ix_contacts_occurred_at")
        batch_op.drop_index("ix_contacts_team_occurred")


def downgrade() -> None:
    refuse_downgrade("0008")  # README, "Rolling back": restore the pre-upgrade backup
