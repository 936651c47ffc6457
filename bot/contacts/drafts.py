"""A contact draft between parsing and saving: what the confirmation card shows and edits.

Pure: serialised to JSON for the `pending_drafts` table, rendered with a Translator.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.contacts.parsing import DateProblem, Draft, FollowUpKind
from bot.contacts.redaction import name_candidates, redact_word
from bot.contacts.saving import ContactInput
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting
from bot.core.i18n import N_, Html, Translator
from bot.core.labels import (
    language_label,
    local_datetime,
    outcome_label,
    risk_label,
    service_label,
    setting_label,
    status_label,
)

MAX_CARD_NOTE_CHARS = 1500
# The fields the card can ask about, in the order it asks.
QUESTION_FIELDS = ("follow_up", "occurred_at", "setting", "outcome")
OCCURRED_QUESTION = N_(
    "I could not tell when this contact happened. When was it?"
)  # the card must stay under Telegram's 4096 with every field shown

PROBLEM_QUESTIONS = {
    DateProblem.IMPOSSIBLE: N_("That follow-up date does not exist. When should the follow-up be?"),
    DateProblem.PAST: N_("That follow-up date is in the past. When should the follow-up be?"),
    DateProblem.TOO_FAR: N_("That follow-up is more than a year ahead. When should it be?"),
    DateProblem.UNCLEAR: N_("I could not read the follow-up date. When should the follow-up be?"),
}


@dataclass(frozen=True)
class DraftState:
    client_code: str
    setting: Setting | None
    outcome: Outcome
    services: tuple[tuple[Service, ServiceStatus], ...]
    risks: tuple[Risk, ...]
    follow_up_kind: FollowUpKind
    follow_up_at: datetime | None
    follow_up_problem: DateProblem | None
    occurred_at: datetime
    language: str
    note: str
    source: str = "text"
    # Fields the parser was unsure about ("occurred_at", "follow_up"): asked on the card,
    # cleared when the navigator answers; a card with a question cannot be saved.
    questions: tuple[str, ...] = ()
    # The fields as the parser read them (payload form, no note), kept through every edit so
    # that saving can record what the navigator corrected (bot/contacts/corrections.py). None for a
    # draft that was not parsed from text (the guided flow).
    read_fields: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_parse(cls, draft: Draft, *, client_code: str, source: str) -> DraftState:
        state = cls(
            client_code=client_code,
            setting=draft.setting,
            outcome=draft.outcome,
            services=tuple((u.service, u.status) for u in draft.services),
            risks=draft.risks,
            follow_up_kind=draft.follow_up_kind,
            follow_up_at=draft.follow_up_at,
            follow_up_problem=draft.follow_up_problem,
            occurred_at=draft.occurred_at,
            language=draft.language,
            note=draft.note,
            source=source,
            questions=tuple(q for q in draft.questions if q in QUESTION_FIELDS),
        )
        read = state.to_payload()
        del read["note"]
        return replace(state, read_fields=read)

    @property
    def read_state(self) -> DraftState | None:
        """The draft as first read, before any edit on the card."""
        if self.read_fields is None:
            return None
        return DraftState.from_payload({**self.read_fields, "note": ""})

    @property
    def ready(self) -> bool:
        """A card with an unanswered question cannot be saved."""
        return self.follow_up_problem is None and not self.questions

    @property
    def open_question(self) -> str | None:
        """The field to ask about first: the follow-up, then when the contact happened."""
        if self.follow_up_problem is not None:
            return "follow_up"
        return next((f for f in QUESTION_FIELDS if f in self.questions), None)

    def _answered(self, field: str) -> tuple[str, ...]:
        return tuple(q for q in self.questions if q != field)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "code": self.client_code,
            "setting": self.setting.value if self.setting else None,
            "outcome": self.outcome.value,
            "services": [[s.value, st.value] for s, st in self.services],
            "risks": [r.value for r in self.risks],
            "follow_up_kind": self.follow_up_kind.value,
            "follow_up_at": self.follow_up_at.isoformat() if self.follow_up_at else None,
            "follow_up_problem": self.follow_up_problem.value if self.follow_up_problem else None,
            "occurred_at": self.occurred_at.isoformat(),
            "language": self.language,
            "note": self.note,
            "source": self.source,
            "questions": list(self.questions),
        }
        if self.read_fields is not None:
            payload["read"] = self.read_fields
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DraftState:
        follow_up_at = payload.get("follow_up_at")
        problem = payload.get("follow_up_problem")
        return cls(
            client_code=str(payload["code"]),
            setting=Setting(payload["setting"]) if payload.get("setting") else None,
            outcome=Outcome(payload["outcome"]),
            services=tuple(
                (Service(s), ServiceStatus(st)) for s, st in payload.get("services", [])
            ),
            risks=tuple(Risk(r) for r in payload.get("risks", [])),
            follow_up_kind=FollowUpKind(payload["follow_up_kind"]),
            follow_up_at=datetime.fromisoformat(follow_up_at) if follow_up_at else None,
            follow_up_problem=DateProblem(problem) if problem else None,
            occurred_at=datetime.fromisoformat(payload["occurred_at"]),
            language=str(payload.get("language", "unknown")),
            note=str(payload.get("note", "")),
            source=str(payload.get("source", "text")),
            questions=tuple(str(q) for q in payload.get("questions", []) if q in QUESTION_FIELDS),
            read_fields=payload.get("read"),
        )

    def to_contact_input(self) -> ContactInput:
        return ContactInput(
            client_code=self.client_code,
            setting=self.setting,
            outcome=self.outcome,
            services=self.services,
            risks=self.risks,
            follow_up_at=self.follow_up_at
            if self.follow_up_kind is not FollowUpKind.NONE
            else None,
            occurred_at=self.occurred_at,
            language=self.language,
            note=self.note,
            source=self.source,
        )

    # Edits ----------------------------------------------------------------------------
    def with_setting(self, setting: Setting | None) -> DraftState:
        return replace(self, setting=setting, questions=self._answered("setting"))

    def with_outcome(self, outcome: Outcome) -> DraftState:
        return replace(self, outcome=outcome, questions=self._answered("outcome"))

    def with_service_cycled(self, service: Service) -> DraftState:
        """none → referred → engaged → disengaged → none: one button per service."""
        order: list[ServiceStatus | None] = [None, *ServiceStatus]
        current = dict(self.services).get(service)
        following = order[(order.index(current) + 1) % len(order)]
        updated = {s: st for s, st in self.services if s != service}
        if following is not None:
            updated[service] = following
        return replace(self, services=tuple(sorted(updated.items(), key=lambda i: i[0].value)))

    def with_risk_toggled(self, risk: Risk) -> DraftState:
        risks = set(self.risks) ^ {risk}
        return replace(self, risks=tuple(sorted(risks, key=lambda r: r.value)))

    def with_follow_up(self, at: datetime | None) -> DraftState:
        kind = FollowUpKind.NONE if at is None else FollowUpKind.STATED
        return replace(
            self,
            follow_up_kind=kind,
            follow_up_at=at,
            follow_up_problem=None,
            questions=self._answered("follow_up"),
        )

    def with_follow_up_problem(self, problem: DateProblem) -> DraftState:
        return replace(self, follow_up_at=None, follow_up_problem=problem)

    def with_occurred_at(self, at: datetime) -> DraftState:
        return replace(self, occurred_at=at, questions=self._answered("occurred_at"))

    def with_note(self, note: str) -> DraftState:
        return replace(self, note=note)

    # Names the redaction could not be sure of: offered on the card, one tap each ----------
    @property
    def name_candidates(self) -> tuple[str, ...]:
        """Words in the note that may be a name. Worked out from the note each time, so a
        hidden word simply stops being offered and nothing extra is stored."""
        return name_candidates(self.note)

    def with_name_hidden(self, key: str) -> DraftState | None:
        """The note with the candidate whose `candidate_key` is `key` replaced by [name];
        None when no candidate has that key (already hidden, or a forged button)."""
        for word in self.name_candidates:
            if candidate_key(word) == key:
                return replace(self, note=redact_word(self.note, word))
        return None


def candidate_key(word: str) -> str:
    """A short, ASCII stand-in for a candidate word in callback data (which holds 64 bytes;
    a Bengali name alone can take more)."""
    return hashlib.sha256(word.encode()).hexdigest()[:8]


def _note_preview(note: str) -> str:
    if len(note) > MAX_CARD_NOTE_CHARS:
        note = note[:MAX_CARD_NOTE_CHARS] + "…"
    return html.escape(note, quote=False)


def render_card(t: Translator, state: DraftState, *, tz: ZoneInfo, client_is_new: bool) -> str:
    """The confirmation card: what the bot understood, before anything is saved."""
    services = ", ".join(
        t("{service}: {status}", service=service_label(t, s), status=status_label(t, st))
        for s, st in state.services
    ) or t("none")
    risks = ", ".join(risk_label(t, r) for r in state.risks) or t("none")
    if state.follow_up_problem is not None:
        follow_up = Html("❓ " + html.escape(t(PROBLEM_QUESTIONS[state.follow_up_problem])))
    elif state.follow_up_kind is FollowUpKind.NONE or state.follow_up_at is None:
        follow_up = Html(html.escape(t("none")))
    elif state.follow_up_kind is FollowUpKind.DEFAULT:
        follow_up = Html(
            html.escape(t("{when} (default)", when=local_datetime(t, state.follow_up_at, tz)))
        )
    else:
        follow_up = Html(html.escape(local_datetime(t, state.follow_up_at, tz)))
    lines = [
        t("<b>Check this log</b>"),
        t("Client: <b>{code}</b>", code=state.client_code)
        + (" " + t("(new client)") if client_is_new else ""),
        t(
            "When: {when}",
            when=Html("❓ " + html.escape(t(OCCURRED_QUESTION)))
            if "occurred_at" in state.questions
            else local_datetime(t, state.occurred_at, tz),
        ),
        t(
            "Where: {setting}",
            setting=setting_label(t, state.setting.value if state.setting else None),
        ),
        t("Outcome: {outcome}", outcome=outcome_label(t, state.outcome.value)),
        t("Services: {services}", services=services),
        t("Risks: {risks}", risks=risks),
        t("Follow-up: {follow_up}", follow_up=follow_up),
        t("Language: {language}", language=language_label(t, state.language)),
        t(
            "Note (as it will be stored): {note}",
            note=Html(_note_preview(state.note)) if state.note else t("none"),
        ),
    ]
    if state.ready and state.name_candidates:
        lines.append(t("🔒 Is there a name in the note? Tap it below to hide it as [name]."))
    return "\n".join(lines)
