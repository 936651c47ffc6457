"""Guided `/log`: client → where → outcome → services → risks → follow-up → note → card.

The half-built draft lives in this conversation only; nothing is written until the card's
Save, so a restart or /cancel part-way leaves nothing half-saved.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access import may_see_client
from bot.codes import InvalidClientCode, parse_client_code
from bot.context import NavContext
from bot.domain import Outcome, Risk, Role, Service, ServiceStatus, Setting
from bot.drafts import PROBLEM_QUESTIONS, DraftState
from bot.labels import outcome_label, risk_label, service_label, setting_label, status_label
from bot.language import detect_contact_language
from bot.parsing import DateProblem, FollowUpKind, parse_follow_up_phrase
from bot.redaction import redact, truncate_note
from bot.reminder_policy import FollowUpPreset, preset_follow_up
from handlers import logging as quick
from handlers.cards import FOLLOW_UP_CHOICES
from handlers.logging import CODE_REFUSALS
from storage.clients import get_client, list_recent_client_codes
from storage.followups import get_followup

CLIENT, SETTING, OUTCOME, SERVICES, RISKS, FOLLOW_UP, NOTE = range(7)
KEY = "guided_log"
CONVERSATION_TIMEOUT_SECONDS = 30 * 60


def _draft(context: NavContext) -> dict[str, Any]:
    data: dict[str, Any] = context.user_data.setdefault(KEY, {})  # type: ignore[union-attr]
    return data


def _keyboard(buttons: list[tuple[str, str]], width: int = 2) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in buttons[i : i + width]]
        for i in range(0, len(buttons), width)
    ]
    return InlineKeyboardMarkup(rows)


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the previous step's message when answering a button, else send a new one."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


# Entry points -----------------------------------------------------------------------------
async def start(update: Update, context: NavContext) -> int:
    staff = context.require_staff()
    message = update.effective_message
    if message is not None and message.text and message.text.partition(" ")[2].strip():
        await quick.on_log_command(update, context)  # `/log <text>` is a quick log
        return ConversationHandler.END
    context.user_data[KEY] = {}  # type: ignore[index]
    async with context.services.session_factory() as session:
        recent = await list_recent_client_codes(session, staff_id=staff.id)
    await _say(
        update,
        context.t("Which client? Choose one or type their code (like C123). /cancel stops."),
        _keyboard([(code, f"g:client:{code}") for code in recent], 3) if recent else None,
    )
    return CLIENT


async def start_from_reminder(update: Update, context: NavContext) -> int:
    """The reminder's "Log contact" button: the same flow with the client already chosen."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None  # the handler's pattern only matches callback queries
    raw = (query.data or "").removeprefix("fu:log:")
    code = None
    if raw.isdigit():
        async with context.services.session_factory() as session:
            followup = await get_followup(session, followup_id=int(raw))
            client = await get_client(session, client_id=followup.client_id) if followup else None
        if followup is not None and client is not None and followup.status == "open":
            allowed = followup.staff_id == staff.id or (
                staff.role is not Role.NAVIGATOR
                and may_see_client(
                    role=staff.role,
                    staff_id=staff.id,
                    team=staff.team,
                    client_owner_id=client.owner_id,
                    client_team=client.team,
                )
            )
            code = client.code if allowed else None
    if code is None:
        await query.answer(
            context.t("This reminder is no longer yours or is already done. Nothing was changed."),
            show_alert=True,
        )
        return ConversationHandler.END
    context.user_data[KEY] = {"code": code, "source": "reminder"}  # type: ignore[index]
    return await _ask_setting(update, context)


# Steps ------------------------------------------------------------------------------------
async def on_client_button(update: Update, context: NavContext) -> int:
    query = update.callback_query
    assert query is not None
    return await _take_code(update, context, (query.data or "").removeprefix("g:client:"))


async def on_client_text(update: Update, context: NavContext) -> int:
    message = update.effective_message
    assert message is not None
    return await _take_code(update, context, message.text or "")


async def _take_code(update: Update, context: NavContext, raw: str) -> int:
    try:
        code = parse_client_code(raw)
    except InvalidClientCode as error:
        await _say(update, context.t(CODE_REFUSALS[error.error]))
        return CLIENT
    _draft(context).update(code=code)
    return await _ask_setting(update, context)


async def _ask_setting(update: Update, context: NavContext) -> int:
    t = context.t
    await _say(
        update,
        t("<b>{code}</b>: where was the contact?", code=_draft(context)["code"]),
        _keyboard([(setting_label(t, s.value), f"g:setting:{s.value}") for s in Setting]),
    )
    return SETTING


async def on_setting(update: Update, context: NavContext) -> int:
    value = _value(update, "g:setting:")
    if value not in {s.value for s in Setting}:
        return SETTING
    _draft(context)["setting"] = value
    t = context.t
    await _say(
        update,
        t("What happened?"),
        _keyboard([(outcome_label(t, o.value), f"g:outcome:{o.value}") for o in Outcome], 3),
    )
    return OUTCOME


async def on_outcome(update: Update, context: NavContext) -> int:
    value = _value(update, "g:outcome:")
    if value not in {o.value for o in Outcome}:
        return OUTCOME
    _draft(context)["outcome"] = value
    return await _ask_services(update, context)


async def _ask_services(update: Update, context: NavContext) -> int:
    t = context.t
    chosen: dict[str, str] = _draft(context).setdefault("services", {})
    buttons = [
        (
            service_label(t, s.value)
            + (f": {status_label(t, chosen[s.value])}" if s.value in chosen else ""),
            f"g:svc:{s.value}",
        )
        for s in Service
    ]
    buttons.append(("✅ " + t("Done"), "g:svc:done"))
    await _say(
        update,
        t("Services: tap a service to step through referred → engaged → disengaged → none."),
        _keyboard(buttons),
    )
    return SERVICES


async def on_service(update: Update, context: NavContext) -> int:
    value = _value(update, "g:svc:")
    if value == "done":
        return await _ask_risks(update, context)
    if value not in {s.value for s in Service}:
        return SERVICES
    chosen: dict[str, str] = _draft(context).setdefault("services", {})
    order: list[str | None] = [None, *(status.value for status in ServiceStatus)]
    following = order[(order.index(chosen.get(value)) + 1) % len(order)]
    if following is None:
        chosen.pop(value, None)
    else:
        chosen[value] = following
    return await _ask_services(update, context)


async def _ask_risks(update: Update, context: NavContext) -> int:
    t = context.t
    chosen: list[str] = _draft(context).setdefault("risks", [])
    buttons = [
        (("• " if r.value in chosen else "") + risk_label(t, r.value), f"g:risk:{r.value}")
        for r in Risk
    ]
    buttons.append(("✅ " + t("Done"), "g:risk:done"))
    await _say(update, t("Any risks? Tap to mark, then Done."), _keyboard(buttons))
    return RISKS


async def on_risk(update: Update, context: NavContext) -> int:
    value = _value(update, "g:risk:")
    if value == "done":
        return await _ask_follow_up(update, context)
    if value not in {r.value for r in Risk}:
        return RISKS
    chosen: list[str] = _draft(context).setdefault("risks", [])
    if value in chosen:
        chosen.remove(value)
    else:
        chosen.append(value)
    return await _ask_risks(update, context)


async def _ask_follow_up(update: Update, context: NavContext) -> int:
    t = context.t
    buttons = [(t(label), f"g:fu:{value}") for value, label in FOLLOW_UP_CHOICES]
    await _say(
        update, t("Follow-up? Choose, or type a date (e.g. friday, 3/4)."), _keyboard(buttons, 3)
    )
    return FOLLOW_UP


async def on_follow_up_button(update: Update, context: NavContext) -> int:
    value = _value(update, "g:fu:")
    now = datetime.now(UTC)
    if value == "none":
        _draft(context)["follow_up_at"] = None
    else:
        try:
            preset = FollowUpPreset(value)
        except ValueError:
            return FOLLOW_UP
        tz = context.services.settings.tz
        _draft(context)["follow_up_at"] = preset_follow_up(preset, now=now, tz=tz).isoformat()
    return await _ask_note(update, context)


async def on_follow_up_text(update: Update, context: NavContext) -> int:
    message = update.effective_message
    assert message is not None
    parsed = parse_follow_up_phrase(
        message.text or "", now=datetime.now(UTC), tz=context.services.settings.tz
    )
    if isinstance(parsed, DateProblem):
        await message.reply_text(context.t(PROBLEM_QUESTIONS[parsed]))
        return FOLLOW_UP
    _draft(context)["follow_up_at"] = parsed.isoformat()
    return await _ask_note(update, context)


async def _ask_note(update: Update, context: NavContext) -> int:
    t = context.t
    await _say(
        update,
        t("Add a short note (no names, no phone numbers), or skip."),
        _keyboard([(t("Skip"), "g:note:skip")]),
    )
    return NOTE


async def on_note_text(update: Update, context: NavContext) -> int:
    message = update.effective_message
    assert message is not None
    return await _finish(update, context, message, truncate_note(redact(message.text or "")))


async def on_note_skip(update: Update, context: NavContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    assert isinstance(query.message, Message)
    return await _finish(update, context, query.message, "")


async def _finish(update: Update, context: NavContext, message: Message, note: str) -> int:
    staff = context.require_staff()
    data = _draft(context)
    follow_up = data.get("follow_up_at")
    state = DraftState(
        client_code=data["code"],
        setting=Setting(data["setting"]),
        outcome=Outcome(data["outcome"]),
        services=tuple(
            sorted(
                ((Service(s), ServiceStatus(st)) for s, st in data.get("services", {}).items()),
                key=lambda pair: pair[0].value,
            )
        ),
        risks=tuple(sorted((Risk(r) for r in data.get("risks", [])), key=lambda r: r.value)),
        follow_up_kind=FollowUpKind.STATED if follow_up else FollowUpKind.NONE,
        follow_up_at=datetime.fromisoformat(follow_up) if follow_up else None,
        follow_up_problem=None,
        occurred_at=datetime.now(UTC),
        language=detect_contact_language(
            note, languages=context.services.settings.contact_languages
        ),
        note=note,
        source=str(data.get("source", "guided")),
    )
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    await quick.show_card(message, context, staff, state)
    return ConversationHandler.END


async def cancel(update: Update, context: NavContext) -> int:
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    await _say(update, context.t("OK, cancelled. Nothing was saved."))
    return ConversationHandler.END


async def timed_out(update: Update, context: NavContext) -> None:
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]


def _value(update: Update, prefix: str) -> str:
    query = update.callback_query
    return (query.data or "").removeprefix(prefix) if query is not None else ""


TEXT = filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED & filters.UpdateType.MESSAGE


async def on_stray_text(update: Update, context: NavContext) -> None:
    """Text while the flow waits for a button: say so rather than start a second log."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            context.t("Please use the buttons above, or /cancel.")
        )


def build() -> ConversationHandler[NavContext]:
    with warnings.catch_warnings():
        # per_message=False is right here: the flow follows the user, not one message; PTB
        # warns about CallbackQueryHandlers in that mode, and warnings are errors in tests.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("log", start),
                CallbackQueryHandler(start_from_reminder, pattern=r"^fu:log:"),
            ],
            states={
                CLIENT: [
                    CallbackQueryHandler(on_client_button, pattern=r"^g:client:"),
                    MessageHandler(TEXT, on_client_text),
                ],
                SETTING: [
                    CallbackQueryHandler(on_setting, pattern=r"^g:setting:"),
                    MessageHandler(TEXT, on_stray_text),
                ],
                OUTCOME: [
                    CallbackQueryHandler(on_outcome, pattern=r"^g:outcome:"),
                    MessageHandler(TEXT, on_stray_text),
                ],
                SERVICES: [
                    CallbackQueryHandler(on_service, pattern=r"^g:svc:"),
                    MessageHandler(TEXT, on_stray_text),
                ],
                RISKS: [
                    CallbackQueryHandler(on_risk, pattern=r"^g:risk:"),
                    MessageHandler(TEXT, on_stray_text),
                ],
                FOLLOW_UP: [
                    CallbackQueryHandler(on_follow_up_button, pattern=r"^g:fu:"),
                    MessageHandler(TEXT, on_follow_up_text),
                ],
                NOTE: [
                    CallbackQueryHandler(on_note_skip, pattern=r"^g:note:skip$"),
                    MessageHandler(TEXT, on_note_text),
                ],
                ConversationHandler.TIMEOUT: [
                    MessageHandler(filters.ALL, timed_out),
                    CallbackQueryHandler(timed_out),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), CommandHandler("log", start)],
            conversation_timeout=CONVERSATION_TIMEOUT_SECONDS,
            name="guided_log",
        )
