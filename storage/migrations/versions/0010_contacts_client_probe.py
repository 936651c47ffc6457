"""a client's contacts by time, with team and outcome

`ix_contacts_client_occurred` (client_id, occurred_at) becomes
`ix_contacts_client_occurred_team` (client_id, occurred_at, id, team, outcome). On SQLite,
/stats for a long period finds its clients and cohort with one or two probes of it per
client (storage/stats.py, `_seen_by_client`): "a made or attempted contact of this client,
by this team, in the period" is then answered from the index alone, where the old index
needed a table row per contact. Every query that used the old index uses the new one by
the same prefix: "a contact before the period", and a client's last contact newest first
by (occurred_at, id) — the reason `id` comes before team and outcome, as it did
implicitly before. A contact insert still writes as many index entries as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrate import refuse_downgrade

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_client_occurred_team",
            ["client_id", "occurred_at", "id", "team", "outcome"],
            unique=False,
        )
        batch_op.drop_index("ix_contacts_client_occurred")


def downgrade() -> None:
    refuse_downgrade("0010")  # README, "Rolling back": restore the pre-upgrade backup
