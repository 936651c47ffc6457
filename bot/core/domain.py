"""The product's vocabulary: the categories a contact, a client and a follow-up are made of.

Pure values, no I/O. Storage keeps these as plain strings (storage never imports bot), so the
string values are part of the database format: never rename a value without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.models import Staff
    from storage.staff import StaffForUpdate


class Role(StrEnum):
    NAVIGATOR = "navigator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Setting(StrEnum):
    HOSPITAL = "hospital"
    COMMUNITY = "community"
    PHONE = "phone"
    MESSAGE = "message"
    HOME = "home"
    OFFICE = "office"
    JUSTICE = "justice"


class Outcome(StrEnum):
    MADE = "made"
    ATTEMPTED = "attempted"
    DECLINED = "declined"


class Service(StrEnum):
    DRUG_TREATMENT = "drug_treatment"
    ETE = "ete"
    MENTAL_HEALTH = "mental_health"
    HOUSING = "housing"
    SOCIAL_CARE = "social_care"
    VCS = "vcs"


class ServiceStatus(StrEnum):
    REFERRED = "referred"
    ENGAGED = "engaged"
    DISENGAGED = "disengaged"


class Risk(StrEnum):
    VIOLENCE = "violence"
    WEAPON = "weapon"
    OVERDOSE = "overdose"
    SELF_HARM = "self_harm"
    EXPLOITATION = "exploitation"
    SUICIDAL = "suicidal"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class UiLanguage(StrEnum):
    """The language the bot answers in (a per-user setting)."""

    EN = "en"
    BN = "bn"
    AUTO = "auto"


class AuditAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    UNDO = "undo"
    VIEW = "view"
    EXPORT = "export"
    CLOSE = "close"
    REASSIGN = "reassign"
    ERASE = "erase"
    DENIED = "denied"
    INVITE = "invite"
    REGISTER = "register"
    REVOKE = "revoke"
    STATS = "stats"
    ACKNOWLEDGE = "acknowledge"
    PURGE = "purge"
    SETTINGS = "settings"


@dataclass(frozen=True)
class StaffMember:
    """A snapshot of the staff row the access guard loaded for this update."""

    id: int
    telegram_id: int
    role: Role
    team: str
    display_name: str | None
    ui_language: str
    telegram_language: str | None
    working_hours: str | None
    confirm_cards: bool
    awaiting_card_answer: bool = False  # a card asked them to type something (a date)
    last_language: str | None = None  # see Staff.last_language
    conversation: str | None = None  # the flow waiting for their answer (storage.conversations)

    @classmethod
    def from_row(
        cls,
        row: Staff | StaffForUpdate,
        *,
        awaiting_card_answer: bool = False,
        conversation: str | None = None,
    ) -> StaffMember:
        return cls(
            id=row.id,
            telegram_id=row.telegram_id,
            role=Role(row.role),
            team=row.team,
            display_name=row.display_name,
            ui_language=row.ui_language,
            telegram_language=row.telegram_language,
            working_hours=row.working_hours,
            confirm_cards=row.confirm_cards,
            awaiting_card_answer=awaiting_card_answer,
            last_language=row.last_language,
            conversation=conversation,
        )
