"""Guided `/log`: client → where → outcome → services → risks → follow-up → note → card.

The flow's state (bot.contacts.guided_log) lives in the database, keyed by the staff member
(storage.conversations), so a restart or another process continues it; every answer reads
it, moves it on and commits, then replies. Nothing is saved as a contact until the card's
Save; /cancel (handlers.conversations) ends the flow at any step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.contacts.codes import InvalidClientCode, parse_client_code
from bot.contacts.drafts import PROBLEM_QUESTIONS, DraftState
from bot.contacts.guided_log import BUTTON_STEPS, EXPIRES_AFTER, FLOW, GuidedLog, Step
from bot.contacts.language import detect_contact_language
from bot.contacts.parsing import DateProblem, parse_follow_up_phrase
from bot.contacts.redaction import redact, truncate_note
from bot.context import NavContext
from bot.core.access import may_act_on
from bot.core.domain import Outcome, Risk, Service, Setting, StaffMember
from bot.core.i18n import N_, Translator
from bot.core.labels import outcome_label, risk_label, service_label, setting_label, status_label
from bot.core.record_ids import parse_record_id
from bot.core.reminder_policy import FollowUpPreset, preset_follow_up
from bot.followups.absences import is_covering
from handlers import contact_log as quick
from handlers.cards import FOLLOW_UP_CHOICES
from handlers.contact_log import CODE_REFUSALS
from storage.clients import get_client, list_recent_client_codes
from storage.conversations import delete_conversation, get_conversation, save_conversation
from storage.followups import get_followup

EXPIRED = N_(
    "Your guided log expired after 30 minutes without an answer. Nothing was saved. "
    "Send /log to start again."
)
STALE_BUTTON = N_("This button has expired. Nothing was changed.")
NOT_VALID = N_("This button is not valid. Nothing was changed.")


def _now() -> datetime:
    return datetime.now(UTC)


def _keyboard(buttons: list[tuple[str, str]], width: int = 2) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text, callback_data=data) for text, data in buttons[i : i + width]]
        for i in range(0, len(buttons), width)
    ]
    return InlineKeyboardMarkup(rows)


def _prompt(
    t: Translator, flow: GuidedLog, recent: list[str] | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question for the flow's current step, with its buttons."""
    if flow.step is Step.CLIENT:
        return (
            t("Which client? Choose one or type their code (like C123). /cancel stops."),
            _keyboard([(code, f"g:client:{code}") for code in recent], 3) if recent else None,
        )
    if flow.step is Step.SETTING:
        return (
            t("<b>{code}</b>: where was the contact?", code=flow.code or ""),
            _keyboard([(setting_label(t, s.value), f"g:setting:{s.value}") for s in Setting]),
        )
    if flow.step is Step.OUTCOME:
        return (
            t("What happened?"),
            _keyboard([(outcome_label(t, o.value), f"g:outcome:{o.value}") for o in Outcome], 3),
        )
    if flow.step is Step.SERVICES:
        chosen = dict(flow.services)
        buttons = [
            (
                service_label(t, s.value)
                + (f": {status_label(t, chosen[s].value)}" if s in chosen else ""),
                f"g:svc:{s.value}",
            )
            for s in Service
        ]
        buttons.append(("✅ " + t("Done"), "g:svc:done"))
        return (
            t("Services: tap a service to step through referred → engaged → disengaged → none."),
            _keyboard(buttons),
        )
    if flow.step is Step.RISKS:
        buttons = [
            (("• " if r in flow.risks else "") + risk_label(t, r.value), f"g:risk:{r.value}")
            for r in Risk
        ]
        buttons.append(("✅ " + t("Done"), "g:risk:done"))
        return t("Any risks? Tap to mark, then Done."), _keyboard(buttons)
    if flow.step is Step.FOLLOW_UP:
        buttons = [(t(label), f"g:fu:{value}") for value, label in FOLLOW_UP_CHOICES]
        return t("Follow-up? Choose, or type a date (e.g. friday, 3/4)."), _keyboard(buttons, 3)
    return (
        t("Add a short note (no names, no phone numbers), or skip."),
        _keyboard([(t("Skip"), "g:note:skip")]),
    )


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the previous step's message when answering a button, else send a new one."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)


@dataclass(frozen=True)
class _Say:
    """Answer without moving the flow on: a message key to show."""

    text: str


@dataclass(frozen=True)
class _Finish:
    """The last answer: the flow becomes a card."""

    draft: DraftState


@dataclass(frozen=True)
class _Gone:
    """No guided log to continue: none open (or another flow), or it expired."""

    text: str


Decision = GuidedLog | _Say | _Finish


async def _advance(
    context: NavContext, staff: StaffMember, now: datetime, decide: Callable[[GuidedLog], Decision]
) -> Decision | _Gone:
    """Read the navigator's guided log, decide the answer and store the result, in one
    transaction (so two quick answers, even to two processes, are taken one after the
    other). The reply is the caller's, after the commit."""
    async with context.services.session_factory.begin() as session:
        row = await get_conversation(session, staff_id=staff.id, for_update=True)
        if row is None or row.flow != FLOW:
            return _Gone(STALE_BUTTON)
        if row.expires_at <= now:
            await delete_conversation(session, staff_id=staff.id)
            return _Gone(EXPIRED)
        decision = decide(GuidedLog.from_data(row.step, row.data))
        if isinstance(decision, GuidedLog):
            await save_conversation(
                session,
                staff_id=staff.id,
                flow=FLOW,
                step=decision.step.value,
                data=decision.to_data(),
                now=now,
                expires_at=now + EXPIRES_AFTER,
            )
        elif isinstance(decision, _Finish):
            await delete_conversation(session, staff_id=staff.id)
    return decision


# Entry points -----------------------------------------------------------------------------
async def start(update: Update, context: NavContext) -> None:
    """`/log` alone starts the flow (again, if one was open); `/log <text>` is a quick log."""
    staff = context.require_staff()
    message = update.effective_message
    if message is not None and message.text and message.text.partition(" ")[2].strip():
        await quick.on_log_command(update, context)
        return
    now = _now()
    flow = GuidedLog()
    async with context.services.session_factory.begin() as session:
        recent = await list_recent_client_codes(session, staff_id=staff.id)
        await save_conversation(
            session,
            staff_id=staff.id,
            flow=FLOW,
            step=flow.step.value,
            data=flow.to_data(),
            now=now,
            expires_at=now + EXPIRES_AFTER,
        )
    await _say(update, *_prompt(context.t, flow, recent))


async def start_from_reminder(update: Update, context: NavContext) -> None:
    """The reminder's "Log contact" button: the same flow with the client already chosen."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None  # the handler's pattern only matches callback queries
    raw = (query.data or "").removeprefix("fu:log:")
    code = None
    followup_id = parse_record_id(raw)
    if followup_id is not None:
        async with context.services.read_session_factory() as session:
            followup = await get_followup(session, followup_id=followup_id)
            client = await get_client(session, client_id=followup.client_id) if followup else None
        if followup is not None and client is not None and followup.status == "open":
            allowed = may_act_on(staff, owner_id=followup.staff_id, team=client.team)
            if not allowed:  # issue 16 hook: the owner's cover, while the owner is away
                async with context.services.read_session_factory() as session:
                    allowed = await is_covering(
                        session,
                        actor_id=staff.id,
                        owner_id=followup.staff_id,
                        now=datetime.now(UTC),
                        tz=context.services.settings.tz,
                    )
            code = client.code if allowed else None
    if code is None:
        await query.answer(
            context.t("This reminder is no longer yours or is already done. Nothing was changed."),
            show_alert=True,
        )
        return
    flow, now = GuidedLog.for_client(code, source="reminder"), _now()
    async with context.services.session_factory.begin() as session:
        await save_conversation(
            session,
            staff_id=staff.id,
            flow=FLOW,
            step=flow.step.value,
            data=flow.to_data(),
            now=now,
            expires_at=now + EXPIRES_AFTER,
        )
    await _say(update, *_prompt(context.t, flow))


# Answers ----------------------------------------------------------------------------------
def _pressed(
    flow: GuidedLog, kind: str, value: str, now: datetime, tz: ZoneInfo
) -> GuidedLog | None:
    """The flow after a button of its current step, or None for a value that is not ours."""
    try:
        if kind == "client":
            return flow.with_code(parse_client_code(value))
        if kind == "setting":
            return flow.with_setting(Setting(value))
        if kind == "outcome":
            return flow.with_outcome(Outcome(value))
        if kind == "svc":
            return (
                flow.services_done()
                if value == "done"
                else flow.with_service_cycled(Service(value))
            )
        if kind == "risk":
            return flow.risks_done() if value == "done" else flow.with_risk_toggled(Risk(value))
        if kind == "fu":
            if value == "none":
                return flow.with_follow_up(None)
            return flow.with_follow_up(preset_follow_up(FollowUpPreset(value), now=now, tz=tz))
    except (ValueError, InvalidClientCode):
        return None
    return None


async def on_button(update: Update, context: NavContext) -> None:
    """`g:<kind>:<value>`: a button of the guided log's current step."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None
    kind, _, value = (query.data or "").removeprefix("g:").partition(":")
    now = _now()
    tz = context.services.settings.tz
    languages = context.services.settings.contact_languages

    def decide(current: GuidedLog) -> Decision:
        if BUTTON_STEPS.get(kind) is not current.step:  # a button from an earlier step
            return _Say(STALE_BUTTON)
        if kind == "note":
            if value != "skip":
                return _Say(NOT_VALID)
            return _Finish(
                current.to_draft(
                    note="", language=detect_contact_language("", languages=languages), now=now
                )
            )
        moved = _pressed(current, kind, value, now, tz)
        return _Say(NOT_VALID) if moved is None else moved

    decision = await _advance(context, staff, now, decide)
    if isinstance(decision, _Gone | _Say):
        await query.answer(context.t(decision.text), show_alert=True)
    elif isinstance(decision, _Finish):
        await query.answer()
        assert isinstance(query.message, Message)
        await quick.show_card(query.message, context, staff, decision.draft)
    else:
        await _say(update, *_prompt(context.t, decision))


async def on_text(update: Update, context: NavContext) -> bool:
    """Typed text while the flow is open. False when there is no guided log to continue
    (the text is then an ordinary message)."""
    staff = context.require_staff()
    message = update.effective_message
    assert message is not None
    t, now = context.t, _now()
    text = message.text or ""
    tz = context.services.settings.tz
    languages = context.services.settings.contact_languages

    def decide(current: GuidedLog) -> Decision:
        if current.step is Step.CLIENT:
            try:
                return current.with_code(parse_client_code(text))
            except InvalidClientCode as error:
                return _Say(CODE_REFUSALS[error.error])
        if current.step is Step.FOLLOW_UP:
            parsed = parse_follow_up_phrase(text, now=now, tz=tz)
            if isinstance(parsed, DateProblem):
                return _Say(PROBLEM_QUESTIONS[parsed])
            return current.with_follow_up(parsed)
        if current.step is Step.NOTE:
            note = truncate_note(redact(text))
            return _Finish(
                current.to_draft(
                    note=note, language=detect_contact_language(note, languages=languages), now=now
                )
            )
        # The flow waits for a button: say so rather than start a second log.
        return _Say(N_("Please use the buttons above, or /cancel."))

    decision = await _advance(context, staff, now, decide)
    if isinstance(decision, _Gone) and decision.text == STALE_BUTTON:
        return False
    if isinstance(decision, _Gone | _Say):
        await message.reply_text(t(decision.text))
    elif isinstance(decision, _Finish):
        await quick.show_card(message, context, staff, decision.draft)
    else:
        question, markup = _prompt(t, decision)
        await message.reply_text(question, reply_markup=markup)
    return True
