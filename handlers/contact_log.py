"""Logging contacts: quick text, the confirmation card, typed edits, undo and /confirm."""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import UTC, datetime, time, timedelta

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest

from bot.contacts.codes import CodeError, first_token_code_error
from bot.contacts.corrections import record_corrections
from bot.contacts.drafts import PROBLEM_QUESTIONS, DraftState, render_card
from bot.contacts.guided_log import EXPIRES_AFTER
from bot.contacts.parsing import DateProblem, parse_contact, parse_follow_up_phrase
from bot.contacts.saving import SavedContact, reminder_settings, save_contact, undo_last_contact
from bot.contacts.summaries import saved_reply
from bot.context import NavContext
from bot.core.clock import local_to_utc
from bot.core.domain import Outcome, Risk, Service, Setting, StaffMember
from bot.core.i18n import N_, Translator
from bot.core.record_ids import parse_record_id
from bot.core.reminder_policy import FollowUpPreset, preset_follow_up
from bot.ops.metrics import LOG_SOURCES, LOGS_SAVED
from handlers import cards
from storage.clients import get_client_by_code
from storage.drafts import (
    clear_awaiting_input,
    create_draft,
    get_draft,
    get_draft_awaiting_input,
    mark_draft_status,
)
from storage.staff import update_staff_preferences

CODE_REFUSALS = {
    CodeError.NAME_NOT_CODE: N_(
        "Please use the client's code (like C123), never their name. Nothing was saved."
    ),
    CodeError.LOOKALIKE: N_(
        "That code has letters that only look like A–Z (another alphabet). Please type it "
        "again with plain letters. Nothing was saved."
    ),
    CodeError.BAD_FORMAT: N_(
        "Client codes are 2–16 letters, digits or '-', starting with a letter and with at "
        "least one digit (like C123 or RLH-042). Nothing was saved."
    ),
    CodeError.EMPTY: N_("Please send a client code, like C123."),
}
# A card that asked for a typed date stops waiting after this long (as the guided log does).
ANSWER_EXPIRES_AFTER = EXPIRES_AFTER
ANSWER_EXPIRED = N_(
    "Your card stopped waiting for a date after 30 minutes, so that was not used. Tap "
    "“Type a date” on the card again, or choose a follow-up there."
)
NO_CODE = N_(
    "I could not find a client code (like C123) in your message, so nothing was saved. "
    "Clients are known by codes, never their names. "
    "Example: C123 seen in ED, referred to drug treatment, follow up friday"
)

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


async def _client_is_new(context: NavContext, code: str) -> bool:
    async with context.services.session_factory() as session:
        return await get_client_by_code(session, code=code) is None


async def _save_now(
    message: Message, context: NavContext, staff: StaffMember, state: DraftState
) -> None:
    """`/confirm off`: save at once, reply with an Undo button."""
    settings = context.services.settings
    async with context.services.session_factory.begin() as session:
        saved = await save_contact(
            session,
            staff=staff,
            contact=state.to_contact_input(),
            now=_now(),
            settings=reminder_settings(settings),
        )
    await message.reply_text(
        saved_reply(context.t, state, saved, tz=settings.tz),
        reply_markup=cards.undo_keyboard(context.t, saved.contact_id),
    )
    _after_save(context, saved, state.source)


def _after_save(context: NavContext, saved: SavedContact, source: str) -> None:
    """Logged and counted (ids only, never what was written); a safeguarding alert should
    not wait for the next sweep."""
    log.info("contact %d saved (%s)", saved.contact_id, source)
    LOGS_SAVED.labels(source=source if source in LOG_SOURCES else "other").inc()
    alert_id = saved.alert_id
    hook = context.services.on_alert_raised
    if alert_id is not None and hook is not None:
        hook()


async def show_card(
    message: Message, context: NavContext, staff: StaffMember, state: DraftState
) -> None:
    """Store the draft and send its card; the card's buttons carry the draft's id and token."""
    token = secrets.token_urlsafe(6)[:8]
    async with context.services.session_factory.begin() as session:
        draft = await create_draft(
            session, staff_id=staff.id, token=token, payload=state.to_payload(), at=_now()
        )
    is_new = await _client_is_new(context, state.client_code)
    sent = await message.reply_text(
        render_card(context.t, state, tz=context.services.settings.tz, client_is_new=is_new),
        reply_markup=cards.main_keyboard(context.t, state, draft.id, token),
    )
    async with context.services.session_factory.begin() as session:
        row = await get_draft(session, draft_id=draft.id)
        if row is not None:
            row.message_id = sent.message_id


async def log_from_text(update: Update, context: NavContext, text: str, *, source: str) -> None:
    """The quick-text path shared by plain messages, `/log <text>` and captions."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    if not text.strip():
        await message.reply_text(t(NO_CODE))
        return
    settings = context.services.settings
    draft = parse_contact(
        text,
        now=_now(),
        tz=settings.tz,
        default_follow_up_days=settings.default_follow_up_days,
        contact_languages=settings.contact_languages,
    )
    if not draft.client_codes:
        # In free text only a look-alike code is worth its own answer: any other message
        # without a code (a name, a sentence, emoji) gets the same reminder to use codes.
        error = first_token_code_error(text)
        lookalike = error is CodeError.LOOKALIKE
        await message.reply_text(t(CODE_REFUSALS[CodeError.LOOKALIKE]) if lookalike else t(NO_CODE))
        return
    if len(draft.client_codes) > 1:
        await message.reply_text(
            t(
                "I found more than one client code ({codes}). Please log one client per "
                "message. Nothing was saved.",
                codes=", ".join(draft.client_codes),
            )
        )
        return
    state = DraftState.from_parse(draft, client_code=draft.client_codes[0], source=source)
    if not staff.confirm_cards and state.ready:
        await _save_now(message, context, staff, state)
    else:
        await show_card(message, context, staff, state)


async def on_text(update: Update, context: NavContext) -> None:
    """Any text from staff: the answer to a card's question, or a new log."""
    staff = context.require_staff()
    message = update.effective_message
    if message is None or message.text is None:
        return
    if staff.awaiting_card_answer and await _answer_card_question(
        message, context, staff, message.text
    ):
        return
    await log_from_text(update, context, message.text, source="text")


async def on_log_command(update: Update, context: NavContext) -> None:
    """`/log <text>` is a quick log (the guided flow handles `/log` alone)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = message.text.partition(" ")[2]
    await log_from_text(update, context, text, source="text")


# Typed answers to a card ------------------------------------------------------------------
async def _answer_card_question(
    message: Message, context: NavContext, staff: StaffMember, text: str
) -> bool:
    settings = context.services.settings
    now = _now()
    async with context.services.session_factory.begin() as session:
        draft = await get_draft_awaiting_input(session, staff_id=staff.id)
        if draft is None:
            return False
        expired = draft.updated_at + ANSWER_EXPIRES_AFTER <= now
        parsed = parse_follow_up_phrase(text, now=now, tz=settings.tz)
        if expired or isinstance(parsed, DateProblem):
            if parse_contact(text, now=now, tz=settings.tz).client_codes:
                draft.editing = None  # they moved on to a new log: let it through
                return False
            if expired:
                draft.editing = None
        else:
            state = DraftState.from_payload(draft.payload).with_follow_up(parsed)
            draft.payload = state.to_payload()
            draft.editing = None
            draft.updated_at = now
            draft_id, token = draft.id, draft.token
    if expired:
        await message.reply_text(context.t(ANSWER_EXPIRED))
        return True
    if isinstance(parsed, DateProblem):  # the card keeps waiting for a date
        await message.reply_text(context.t(PROBLEM_QUESTIONS[parsed]))
        return True
    is_new = await _client_is_new(context, state.client_code)
    await message.reply_text(
        render_card(context.t, state, tz=settings.tz, client_is_new=is_new),
        reply_markup=cards.main_keyboard(context.t, state, draft_id, token),
    )
    return True


# Card buttons ------------------------------------------------------------------------------
def _when_choice(value: str, now: datetime, context: NavContext) -> datetime:
    tz = context.services.settings.tz
    today = now.astimezone(tz).date()
    if value == "morning":
        return min(now, local_to_utc(today, time(9), tz))  # "this morning"
    if value == "yesterday":
        return now - timedelta(days=1)
    return now


def _apply_choice(
    state: DraftState, field: str, value: str, now: datetime, context: NavContext
) -> DraftState | None:
    """The edited draft, or None for a value that is not one of ours (forged data)."""
    try:
        if field == "setting":
            return state.with_setting(Setting(value))
        if field == "outcome":
            return state.with_outcome(Outcome(value))
        if field == "services":
            return state.with_service_cycled(Service(value))
        if field == "risks":
            return state.with_risk_toggled(Risk(value))
        if field == "follow_up":
            if value == "none":
                return state.with_follow_up(None)
            at = preset_follow_up(FollowUpPreset(value), now=now, tz=context.services.settings.tz)
            return state.with_follow_up(at)
        if field == "when" and value in ("now", "morning", "yesterday"):
            return state.with_occurred_at(_when_choice(value, now, context))
    except ValueError:
        return None
    return None


async def _edit_card(query: CallbackQuery, text: str, markup: object | None) -> None:
    try:
        await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]
    except BadRequest as error:  # "message is not modified" after a repeated tap: harmless
        if "not modified" not in str(error).lower():
            raise


async def on_card_button(update: Update, context: NavContext) -> None:
    query = update.callback_query
    if query is None:
        return
    staff = context.require_staff()
    t = context.t
    parts = (query.data or "").split(":")
    draft_id = parse_record_id(parts[2]) if len(parts) >= 4 else None
    if draft_id is None:
        await query.answer(t("This button is not valid. Nothing was changed."), show_alert=True)
        return
    action, token, args = parts[1], parts[3], parts[4:]
    settings = context.services.settings
    now = _now()
    saved: SavedContact | None = None
    refusal: str | None = None  # an alert to show once the transaction is over
    state: DraftState | None = None
    draft_token = ""
    async with context.services.session_factory.begin() as session:
        draft = await get_draft(session, draft_id=draft_id, for_update=True)
        if (
            draft is None
            or draft.staff_id != staff.id
            or not hmac.compare_digest(draft.token, token)
        ):
            refusal = t("This card is not yours or no longer exists. Nothing was changed.")
        elif draft.status != "pending":
            refusal = (
                t("This log was already saved.")
                if draft.status == "saved"
                else t("This card was cancelled. Nothing was saved.")
            )
        else:
            state = DraftState.from_payload(draft.payload)
            draft_token = draft.token
            if action == "save":
                if not state.ready:
                    refusal = (
                        t("Please choose the follow-up first.")
                        if state.open_question == "follow_up"
                        else t("Please answer the question on the card first.")
                    )
                elif not await mark_draft_status(
                    session, draft_id=draft.id, from_status="pending", to_status="saved", at=now
                ):
                    refusal = t("This log was already saved.")
                else:
                    saved = await save_contact(
                        session,
                        staff=staff,
                        contact=state.to_contact_input(),
                        now=now,
                        settings=reminder_settings(settings),
                    )
                    draft.contact_id = saved.contact_id
                    await record_corrections(
                        session,
                        state=state,
                        actor=staff,
                        draft_id=draft.id,
                        draft_created_at=draft.created_at,
                        contact_id=saved.contact_id,
                        now=now,
                        tz=settings.tz,
                    )
            elif action == "cancel":
                await mark_draft_status(
                    session,
                    draft_id=draft.id,
                    from_status="pending",
                    to_status="cancelled",
                    at=now,
                )
            elif action == "set" and len(args) == 2:
                edited = _apply_choice(state, args[0], args[1], now, context)
                if edited is None:
                    refusal = t("This button is not valid. Nothing was changed.")
                else:
                    state = edited
                    draft.payload, draft.updated_at = state.to_payload(), now
            elif action == "name" and len(args) == 1:
                hidden = state.with_name_hidden(args[0])
                if hidden is None:
                    refusal = t("This button is not valid. Nothing was changed.")
                else:
                    state = hidden
                    draft.payload, draft.updated_at = state.to_payload(), now
            elif action == "type" and args == ["follow_up"]:
                await clear_awaiting_input(session, staff_id=staff.id, at=now)
                draft.editing, draft.updated_at = "follow_up", now
            elif action not in ("edit", "back", "field"):
                refusal = t("This button is not valid. Nothing was changed.")

    if refusal is not None or state is None:
        await query.answer(refusal, show_alert=True)
        return
    if saved is not None:
        await _edit_card(
            query,
            saved_reply(t, state, saved, tz=settings.tz),
            cards.undo_keyboard(t, saved.contact_id),
        )
        await query.answer(t("Saved."))
        _after_save(context, saved, state.source)
        return
    await _respond_to_card_action(query, context, t, state, action, args, draft_id, draft_token)
    await query.answer()


async def _respond_to_card_action(
    query: CallbackQuery,
    context: NavContext,
    t: Translator,
    state: DraftState,
    action: str,
    args: list[str],
    draft_id: int,
    token: str,
) -> None:
    tz = context.services.settings.tz
    if action == "cancel":
        await _edit_card(query, t("Cancelled. Nothing was saved."), None)
        return
    if action == "type":
        await _edit_card(
            query,
            t(
                "Type the follow-up date, e.g. friday, 3/4, tomorrow 2pm or in 3 days. "
                "/cancel leaves the card as it was."
            ),
            None,
        )
        return
    is_new = await _client_is_new(context, state.client_code)
    text = render_card(t, state, tz=tz, client_is_new=is_new)
    if action == "edit" or (action == "field" and not args):
        markup = cards.fields_keyboard(t, draft_id, token)
    elif action == "field" and args[0] in cards.FIELDS:
        markup = cards.field_keyboard(t, state, args[0], draft_id, token)
    elif action == "set" and args and args[0] in ("services", "risks"):
        markup = cards.field_keyboard(t, state, args[0], draft_id, token)  # multi-choice stays
    else:
        markup = cards.main_keyboard(t, state, draft_id, token)
    await _edit_card(query, text, markup)


# Undo and preferences -----------------------------------------------------------------------
async def _undo(context: NavContext, contact_id: int | None) -> tuple[bool, str]:
    staff = context.require_staff()
    settings = context.services.settings
    t = context.t
    async with context.services.session_factory.begin() as session:
        result = await undo_last_contact(
            session,
            staff=staff,
            now=_now(),
            window=timedelta(minutes=settings.undo_window_minutes),
            settings=reminder_settings(settings),
            contact_id=contact_id,
        )
    if result is None:
        return False, t(
            "Nothing to undo: only your own most recent log from the last {minutes} minutes "
            "can be undone.",
            minutes=settings.undo_window_minutes,
        )
    return True, t("Undone: your last log for <b>{code}</b> was removed.", code=result.client_code)


async def on_undo_command(update: Update, context: NavContext) -> None:
    if update.effective_message is not None:
        _, text = await _undo(context, None)
        await update.effective_message.reply_text(text)


async def on_undo_button(update: Update, context: NavContext) -> None:
    query = update.callback_query
    if query is None:
        return
    context.require_staff()
    contact_id = parse_record_id((query.data or "").removeprefix("undo:"))
    if contact_id is None:
        await query.answer(
            context.t("This button is not valid. Nothing was changed."), show_alert=True
        )
        return
    undone, text = await _undo(context, contact_id)
    if not undone:
        await query.answer(text[:190], show_alert=True)  # alerts hold at most 200 characters
        return
    await _edit_card(query, text, None)
    await query.answer()


async def on_confirm_command(update: Update, context: NavContext) -> None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return
    t = context.t
    choice = (context.args or [""])[0].lower()
    if choice not in ("on", "off"):
        state = t("on") if staff.confirm_cards else t("off")
        await message.reply_text(
            t("Confirmation cards are {state}. Use /confirm on or /confirm off.", state=state)
        )
        return
    async with context.services.session_factory.begin() as session:
        await update_staff_preferences(session, staff_id=staff.id, confirm_cards=choice == "on")
    await message.reply_text(
        t("Confirmation cards are on: I will show what I understood before saving.")
        if choice == "on"
        else t("Confirmation cards are off: logs are saved at once, with an Undo button.")
    )
