"""Inline keyboards for the confirmation card. callback_data: `card:<action>:<id>:<token>[:…]`
(at most 64 bytes: ids, short tokens and enum values keep it well under)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.contacts.drafts import DraftState, candidate_key
from bot.core.domain import Outcome, Risk, Service, Setting
from bot.core.i18n import N_, Translator
from bot.core.labels import outcome_label, risk_label, service_label, setting_label, status_label

FOLLOW_UP_CHOICES = (
    ("tomorrow", N_("Tomorrow")),
    ("3d", N_("In 3 days")),
    ("1w", N_("In 1 week")),
    ("2w", N_("In 2 weeks")),
    ("none", N_("No follow-up")),
)
WHEN_CHOICES = (("now", N_("Now")), ("morning", N_("This morning")), ("yesterday", N_("Yesterday")))
HIDE_WORD = N_("Hide {word}")
FIELDS = ("setting", "outcome", "services", "risks", "follow_up", "when")
FIELD_LABELS = {
    "setting": N_("Where"),
    "outcome": N_("Outcome"),
    "services": N_("Services"),
    "risks": N_("Risks"),
    "follow_up": N_("Follow-up"),
    "when": N_("When"),
}


def _data(action: str, draft_id: int, token: str, *args: str) -> str:
    return ":".join(["card", action, str(draft_id), token, *args])


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton], width: int = 2) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def main_keyboard(
    t: Translator, state: DraftState, draft_id: int, token: str
) -> InlineKeyboardMarkup:
    question = state.open_question
    if question == "follow_up":
        return follow_up_keyboard(t, draft_id, token, with_back=False)
    if question is not None:
        return question_keyboard(t, state, question, draft_id, token)
    rows = [
        [
            _button("✅ " + t("Save"), _data("save", draft_id, token)),
            _button("✏️ " + t("Edit"), _data("edit", draft_id, token)),
            _button("✖️ " + t("Cancel"), _data("cancel", draft_id, token)),
        ]
    ]
    # One button per word that may be a name: a tap stores it as [name] instead.
    hide = [
        _button(
            "🔒 " + t.raw(HIDE_WORD).format(word=word),  # a button label: plain text, no HTML
            _data("name", draft_id, token, candidate_key(word)),
        )
        for word in state.name_candidates
    ]
    rows.extend(_rows(hide, 3) if hide else [])
    return InlineKeyboardMarkup(rows)


def fields_keyboard(t: Translator, draft_id: int, token: str) -> InlineKeyboardMarkup:
    buttons = [_button(t(FIELD_LABELS[f]), _data("field", draft_id, token, f)) for f in FIELDS]
    rows = _rows(buttons, 3)
    rows.append([_button("↩️ " + t("Back"), _data("back", draft_id, token))])
    return InlineKeyboardMarkup(rows)


def _back_row(t: Translator, draft_id: int, token: str) -> list[InlineKeyboardButton]:
    return [_button("↩️ " + t("Done"), _data("back", draft_id, token))]


def field_keyboard(
    t: Translator, state: DraftState, field: str, draft_id: int, token: str
) -> InlineKeyboardMarkup:
    def option(label: str, value: str, chosen: bool = False) -> InlineKeyboardButton:
        return _button(
            ("• " if chosen else "") + label, _data("set", draft_id, token, field, value)
        )

    if field == "setting":
        buttons = [option(setting_label(t, s.value), s.value, s == state.setting) for s in Setting]
    elif field == "outcome":
        buttons = [option(outcome_label(t, o.value), o.value, o == state.outcome) for o in Outcome]
    elif field == "services":
        current = dict(state.services)
        buttons = [
            option(
                t(
                    "{service}: {status}",
                    service=service_label(t, s.value),
                    status=status_label(t, current[s].value),
                )
                if s in current
                else service_label(t, s.value),
                s.value,
                s in current,
            )
            for s in Service
        ]
    elif field == "risks":
        buttons = [option(risk_label(t, r.value), r.value, r in state.risks) for r in Risk]
    elif field == "follow_up":
        return follow_up_keyboard(t, draft_id, token, with_back=True)
    else:
        buttons = [option(t(label), value) for value, label in WHEN_CHOICES]
    rows = _rows(buttons, 2)
    rows.append(_back_row(t, draft_id, token))
    return InlineKeyboardMarkup(rows)


def follow_up_keyboard(
    t: Translator, draft_id: int, token: str, *, with_back: bool
) -> InlineKeyboardMarkup:
    buttons = [
        _button(t(label), _data("set", draft_id, token, "follow_up", value))
        for value, label in FOLLOW_UP_CHOICES
    ]
    buttons.append(_button("⌨️ " + t("Type a date"), _data("type", draft_id, token, "follow_up")))
    rows = _rows(buttons, 3)
    rows.append(
        _back_row(t, draft_id, token)
        if with_back
        else [_button("✖️ " + t("Cancel"), _data("cancel", draft_id, token))]
    )
    return InlineKeyboardMarkup(rows)


def question_keyboard(
    t: Translator, state: DraftState, field: str, draft_id: int, token: str
) -> InlineKeyboardMarkup:
    """One-tap answers to the card's question about `field` (issue 13: ask, never guess)."""
    card_field = "when" if field == "occurred_at" else field
    rows = list(field_keyboard(t, state, card_field, draft_id, token).inline_keyboard)[:-1]
    return InlineKeyboardMarkup(
        [*rows, [_button("✖️ " + t("Cancel"), _data("cancel", draft_id, token))]]
    )


def undo_keyboard(t: Translator, contact_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("↩️ " + t("Undo"), f"undo:{contact_id}")]])
