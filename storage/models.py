"""The database schema: SQLAlchemy 2.0 typed models.

Category columns (role, setting, service, ...) hold the string values of the enums in
`bot.core.domain`; storage does not import bot, so the values are the contract between them.
Every timestamp is aware UTC (see `UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Staff(Base):
    """A navigator, supervisor or admin, known by their numeric Telegram id."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    # The Telegram @username (without "@", lower-case) as last seen by the access guard:
    # commands may name a member by it (issue 16). Never used to let anyone in.
    username: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(32), index=True)
    ui_language: Mapped[str] = mapped_column(String(8), default="auto")
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    # With ui_language "auto": the language the member's last message with words asked for
    # (bot.core.i18n.written_language), used for reminders, button presses and bare commands.
    last_language: Mapped[str | None] = mapped_column(String(8))
    working_hours: Mapped[str | None] = mapped_column(String(64))  # None: the deployment default
    confirm_cards: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    unreachable_since: Mapped[datetime | None]
    # The local date the reminder sweep last considered this member for an agenda, so the
    # agenda check runs once per working day instead of on every sweep.
    agenda_checked_on: Mapped[date | None] = mapped_column(Date)


class Invite(Base):
    """A single-use onboarding code. Only its SHA-256 is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    used_at: Mapped[datetime | None]


class Client(Base):
    """A young adult, known only by a pseudonymous code."""

    __tablename__ = "clients"
    __table_args__ = (Index("ix_clients_owner_status", "owner_id", "status"),)  # open caseloads

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    team: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))  # redacted before storage


class Contact(Base):
    """One logged contact (made, attempted or declined) with a client."""

    __tablename__ = "contacts"
    __table_args__ = (
        # "All teams" stats: a period's clients and outcomes from the index alone (with only
        # occurred_at, SQLite read every contact of the period from the table as well).
        Index("ix_contacts_occurred_client", "occurred_at", "client_id", "outcome"),
        # A client's contacts by time (newest first: occurred_at, then id); with team and
        # outcome, /stats on SQLite probes each client for "a made or attempted contact by
        # this team in the period" from the index alone (storage.stats._seen_by_client).
        Index(
            "ix_contacts_client_occurred_team",
            "client_id",
            "occurred_at",
            "id",
            "team",
            "outcome",
        ),
        Index("ix_contacts_staff_occurred", "staff_id", "occurred_at"),
        # Navigator lines: one team member's contacts in a period as one index range.
        Index("ix_contacts_team_staff_occurred", "team", "staff_id", "occurred_at"),
        # Covering index for the stats aggregates: a period's contacts of a team are read
        # from the index alone, never the table (every team: ix_contacts_occurred_client).
        Index(
            "ix_contacts_team_stats",
            "team",
            "occurred_at",
            "client_id",
            "outcome",
            "setting",
            "language",
            "staff_id",
        ),
        # The outcome / setting / language breakdown: each combination's contacts in time
        # order, so /stats counts index ranges instead of sorting the period's contacts.
        Index("ix_contacts_breakdown", "team", "outcome", "setting", "language", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    team: Mapped[str] = mapped_column(String(32))  # the client's team when the contact happened
    occurred_at: Mapped[datetime]
    logged_at: Mapped[datetime] = mapped_column(default=utcnow)
    setting: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="unknown")
    note: Mapped[str] = mapped_column(Text, default="")  # redacted before storage
    source: Mapped[str] = mapped_column(String(16), default="text")


class ContactRisk(Base):
    __tablename__ = "contact_risks"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    risk: Mapped[str] = mapped_column(String(16), primary_key=True)


class ServiceEvent(Base):
    """A dated status change of one client with one service: referred, engaged, disengaged."""

    __tablename__ = "service_events"
    __table_args__ = (
        Index("ix_service_events_service_client_at", "service", "client_id", "occurred_at"),
        # Engagement looks up the events of each cohort client (covering).
        Index(
            "ix_service_events_client_service_at", "client_id", "service", "occurred_at", "status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    service: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(Base):
    """A planned check-in. Its reminder state is its `reminder` (`FollowUpReminder`), always
    loaded with it and created with it."""

    __tablename__ = "followups"
    __table_args__ = (
        # A navigator's follow-ups by status and due time; with completed_on_time, /stats
        # counts those due in a period and done on time from the index alone.
        Index(
            "ix_followups_staff_status_due_on_time",
            "staff_id",
            "status",
            "due_at",
            "completed_on_time",
        ),
        Index("ix_followups_client", "client_id"),
        # At most one open follow-up per client and navigator (PRODUCT §6).
        Index(
            "uq_followups_open_client_staff",
            "client_id",
            "staff_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None]
    completed_by_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    completed_on_time: Mapped[bool | None]
    escalation_acknowledged_at: Mapped[datetime | None]
    escalation_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Inner-joined on every load: a follow-up without its reminder row would not be found,
    # so every way of creating one makes both (`__init__` here, and create_followup). Loaded
    # FOR UPDATE, both rows are locked, so the sweep (SKIP LOCKED) passes over a follow-up a
    # button press is changing.
    reminder: Mapped[FollowUpReminder] = relationship(
        lazy="joined", innerjoin=True, cascade="all, delete-orphan", passive_deletes=True
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("reminder", FollowUpReminder())
        super().__init__(**kwargs)


class FollowUpReminder(Base):
    """A follow-up's reminder state: everything the sweep reads and writes, and nothing else,
    in a narrow table of its own.

    `next_reminder_at` is the indexed column the sweep reads: the next instant at which
    something (nudge, overdue nudge, escalation) is owed, NULL once nothing is, so a sweep
    costs what is due, not what is stored. Its index is partial (NOT NULL only): closed
    follow-ups, the bulk of them over time, are not in it.

    The `nudge_*` columns are the delivery queue for the navigator's nudges (due and overdue):
    the sweep records the nudge owed here, in the UPDATE that moves the state on, instead of
    writing an outbox row (bot/followups/sweep.py). The sender claims it like an outbox row
    (`nudge_claimed_by`/`nudge_claimed_at`, SKIP LOCKED on PostgreSQL), sends, then clears it
    (storage/nudges.py). A follow-up owes at most one nudge: a newer one replaces one that has
    not gone out. `ix_followup_reminders_nudge_owed` holds only owed nudges.

    Why a table of its own: every sweep moves `next_reminder_at`, an indexed column, so the
    UPDATE can never be HOT on PostgreSQL and writes an entry in every index of its table. Here
    that is three small indexes; on `followups` it would be five.
    """

    __tablename__ = "followup_reminders"
    __table_args__ = (
        Index(
            "ix_followup_reminders_next_reminder_due",
            "next_reminder_at",
            sqlite_where=text("next_reminder_at IS NOT NULL"),
            postgresql_where=text("next_reminder_at IS NOT NULL"),
        ),
        Index(
            "ix_followup_reminders_nudge_owed",
            "nudge_not_before",
            sqlite_where=text("nudge_kind IS NOT NULL"),
            postgresql_where=text("nudge_kind IS NOT NULL"),
        ),
    )

    followup_id: Mapped[int] = mapped_column(
        ForeignKey("followups.id", ondelete="CASCADE"), primary_key=True
    )
    next_reminder_at: Mapped[datetime | None]
    due_nudge_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    # The nudge owed to the navigator, if any ("due" or "overdue"), and its delivery state.
    nudge_kind: Mapped[str | None] = mapped_column(String(12))
    nudge_days_overdue: Mapped[int | None] = mapped_column(Integer)
    nudge_not_before: Mapped[datetime | None]
    nudge_attempts: Mapped[int] = mapped_column(Integer, default=0)
    nudge_claimed_by: Mapped[str | None] = mapped_column(String(64))
    nudge_claimed_at: Mapped[datetime | None]
    nudge_last_error: Mapped[str | None] = mapped_column(String(64))  # an error type, never text
    nudge_sent_at: Mapped[datetime | None]  # when the last nudge went out


class SafeguardingAlert(Base):
    __tablename__ = "safeguarding_alerts"
    __table_args__ = (Index("ix_safeguarding_alerts_repeat_at", "repeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    team: Mapped[str] = mapped_column(String(32))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    risks: Mapped[str] = mapped_column(String(128))  # comma-separated risk values
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    repeat_at: Mapped[datetime | None]  # NULL once repeated to admins or acknowledged
    repeated_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message the bot owes someone, claimed before it is sent and marked after.

    `dedupe_key` makes producing the same reminder twice impossible; the claim
    (status, claimed_by, claimed_at) makes sending it twice impossible while the claim holds.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    followup_id: Mapped[int | None] = mapped_column(
        ForeignKey("followups.id", ondelete="CASCADE"), index=True
    )
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("safeguarding_alerts.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # codes and categories only
    not_before: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(64))  # an error type, never text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which client code, when. Append-only: triggers refuse UPDATE/DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_client_code", "client_code"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_staff_id: Mapped[int | None] = mapped_column(Integer)  # no FK: rows outlive staff
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))
    client_code: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(128))  # categories only, never free text


class AppState(Base):
    """Small facts the running bot learns and the CLI reuses (e.g. the bot's username)."""

    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class PendingDraft(Base):
    """A confirmation card waiting for Save/Edit/Cancel.

    Kept in the database, not in memory, so a card survives a restart and a double tap of
    Save can be settled by one conditional UPDATE (pending → saved) inside the save's own
    transaction.
    """

    __tablename__ = "pending_drafts"
    __table_args__ = (Index("ix_pending_drafts_staff_status", "staff_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(16))  # in callback data; a guessed id is useless
    payload: Mapped[dict[str, Any]]  # the draft: codes, categories, times, the redacted note
    status: Mapped[str] = mapped_column(String(12), default="pending")
    editing: Mapped[str | None] = mapped_column(String(24))  # the field awaiting typed input
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """A conversation waiting for a staff member's next answer: a guided /log part-way
    through, or Reschedule waiting for a typed date.

    In the database, not in process memory, so a restart, a deploy or another process
    continues it where the user left it. One per staff member: starting another flow
    replaces it. ``step`` and ``data`` (the answers so far) belong to the flow's own code
    (bot.contacts.guided_log for the guided /log); past ``expires_at`` the flow is over.
    """

    __tablename__ = "conversations"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ParserCorrection(Base):
    """A field a navigator changed on the confirmation card: what the parser read and what
    they chose instead (issue 13.10). Category values only, never note text; admins read the
    commonest with `navbot parser-misses` to extend the vocabulary."""

    __tablename__ = "parser_corrections"
    __table_args__ = (
        Index("ix_parser_corrections_at", "at"),
        Index("ix_parser_corrections_contact_id", "contact_id"),  # SET NULL on erase and purge
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(Integer)  # no FK: rows outlive staff
    draft_id: Mapped[int | None] = mapped_column(Integer)  # drafts are housekeeping, purged
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(16))
    read_value: Mapped[str] = mapped_column(String(64))
    chosen_value: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))  # of the note: which vocabulary file to extend


class Absence(Base):
    """A member's leave: local days `starts_on`..`ends_on` inclusive, covered by `cover_id`
    (NULL: the team's supervisors). `ended_at`: ended early with /back; `summary_at`: the
    return summary was produced (once)."""

    __tablename__ = "absences"
    __table_args__ = (
        Index("ix_absences_staff_ends", "staff_id", "ends_on"),
        Index("ix_absences_cover_ends", "cover_id", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    summary_at: Mapped[datetime | None]
