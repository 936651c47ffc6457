"""/audit, /client_export and /client_erase for admins (issue 16).

`/audit C123` and `/audit @name` list audit rows newest first, ten a page, with Older/Newer
buttons (`au:c:<code>:<offset>`, `au:s:<staff id>:<offset>`): codes, actions and categories
only, as the audit log holds nothing else. `/client_export C123` sends the JSON that `navbot
client-export` prints, as a document. `/client_erase C123` asks twice, the second time naming
how many records go (`er:1:<code>`, then `er:2:<code>:<count>`); the press re-counts, and a
count that changed meanwhile asks again.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import TelegramError

from bot.contacts.codes import InvalidClientCode, parse_client_code
from bot.context import NavContext
from bot.core.domain import AuditAction, Role
from bot.core.i18n import N_, Translator
from bot.core.labels import name_of
from bot.core.record_ids import parse_record_id
from bot.people.data_requests import erase_client, export_client
from handlers.contact_log import CODE_REFUSALS
from handlers.people import resolve_one
from storage.audit import create_audit_entry
from storage.audit_view import count_client_records, list_audit_page
from storage.staff import list_staff

PAGE = 10
ADMINS_ONLY = N_("Sorry, only admins can do that.")


def utcnow() -> datetime:
    return datetime.now(UTC)


async def _admin_message(update: Update, context: NavContext) -> Message | None:
    staff = context.require_staff()
    message = update.effective_message
    if message is None:
        return None
    if staff.role is not Role.ADMIN:
        await message.reply_text(context.t(ADMINS_ONLY))
        return None
    return message


async def _code(message: Message, context: NavContext, raw: str) -> str | None:
    try:
        return parse_client_code(raw)
    except InvalidClientCode as error:
        await message.reply_text(context.t(CODE_REFUSALS[error.error]))
        return None


async def _audit_page(
    context: NavContext, *, code: str | None, staff_id: int | None, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    t = context.t
    tz = context.services.settings.tz
    async with context.services.read_session_factory() as session:
        rows, total = await list_audit_page(
            session, client_code=code, actor_staff_id=staff_id, offset=offset, limit=PAGE
        )
        names = {m.id: name_of(m) for m in await list_staff(session)}
        subject = code if code is not None else names.get(staff_id or 0, "?")
    if not rows:
        return t("Nothing in the audit log for {subject}.", subject=subject), None
    lines = [
        t(
            "<b>Audit log: {subject}</b> ({first}–{last} of {total}, newest first)",
            subject=subject,
            first=offset + 1,
            last=offset + len(rows),
            total=total,
        )
    ]
    for row in rows:
        who = names.get(row.actor_staff_id or 0) or (
            str(row.actor_telegram_id) if row.actor_telegram_id else t("command line")
        )
        parts = [t.digits(row.at.astimezone(tz).strftime("%d/%m/%Y %H:%M")), row.action, who]
        if code is None and row.client_code:
            parts.append(row.client_code)
        if row.detail:
            parts.append(row.detail)
        lines.append(t("• {entry}", entry=" · ".join(parts)))
    key = f"c:{code}" if code is not None else f"s:{staff_id}"
    buttons = []
    if offset > 0:
        buttons.append(
            InlineKeyboardButton(t("◀ Newer"), callback_data=f"au:{key}:{max(0, offset - PAGE)}")
        )
    if offset + PAGE < total:
        buttons.append(
            InlineKeyboardButton(t("Older ▶"), callback_data=f"au:{key}:{offset + PAGE}")
        )
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


async def on_audit(update: Update, context: NavContext) -> None:
    await run_audit(update, context, list(context.args or []))


async def run_audit(update: Update, context: NavContext, args: list[str]) -> None:
    message = await _admin_message(update, context)
    if message is None:
        return
    t = context.t
    if not args:
        await message.reply_text(t("Usage: /audit C123, or /audit @colleague"))
        return
    code = staff_id = None
    first = args[0]
    if len(args) == 1 and any(ch.isdigit() for ch in first) and not first.lstrip("#").isdigit():
        code = await _code(message, context, first)
        if code is None:
            return
    else:
        member = await resolve_one(
            message, context, command="audit", args=args, start=0, stop=len(args)
        )
        if member is None:
            return
        staff_id = member.id
    staff = context.require_staff()
    async with context.services.session_factory.begin() as session:
        await create_audit_entry(
            session,
            action=AuditAction.VIEW,
            actor=staff,
            client_code=code,
            detail="audit" if code else f"audit staff {staff_id}",
            at=utcnow(),
        )
    text, markup = await _audit_page(context, code=code, staff_id=staff_id, offset=0)
    await message.reply_text(text, reply_markup=markup)


async def on_audit_button(update: Update, context: NavContext) -> None:
    """au:c:<code>:<offset> or au:s:<staff id>:<offset>: another page."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    if staff.role is not Role.ADMIN:
        await query.answer(context.t(ADMINS_ONLY), show_alert=True)
        return
    await query.answer()
    offset = parse_record_id(parts[3]) if len(parts) == 4 else None
    if offset is None or parts[1] not in ("c", "s"):
        return
    staff_id = parse_record_id(parts[2])
    if parts[1] == "c":
        text, markup = await _audit_page(context, code=parts[2], staff_id=None, offset=offset)
    elif staff_id is not None:
        text, markup = await _audit_page(context, code=None, staff_id=staff_id, offset=offset)
    else:
        return
    with contextlib.suppress(TelegramError):  # unchanged or too old to edit
        await query.edit_message_text(text, reply_markup=markup)


async def on_client_export(update: Update, context: NavContext) -> None:
    message = await _admin_message(update, context)
    if message is None:
        return
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(context.t("Usage: /client_export C123"))
        return
    code = await _code(message, context, args[0])
    if code is None:
        return
    staff = context.require_staff()
    async with context.services.session_factory.begin() as session:
        data = await export_client(session, code=code, now=utcnow(), actor=staff)
    if data is None:
        await message.reply_text(context.t("No client {code}.", code=code))
        return
    document = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.reply_document(
        InputFile(document, filename=f"client-{code}.json"),
        caption=context.t("Everything held about {code}.", code=code),
    )


def _erase_buttons(t: Translator, label: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=data),
                InlineKeyboardButton(t("Cancel"), callback_data="er:x"),
            ]
        ]
    )


async def on_client_erase(update: Update, context: NavContext) -> None:
    message = await _admin_message(update, context)
    if message is None:
        return
    t = context.t
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(t("Usage: /client_erase C123"))
        return
    code = await _code(message, context, args[0])
    if code is None:
        return
    async with context.services.read_session_factory() as session:
        count = await count_client_records(session, code=code)
    if count is None:
        await message.reply_text(t("No client {code}.", code=code))
        return
    await message.reply_text(
        t("Erase everything held about {code}? This cannot be undone.", code=code),
        reply_markup=_erase_buttons(t, t("Continue"), f"er:1:{code}"),
    )


async def on_erase_button(update: Update, context: NavContext) -> None:
    """er:1:<code> (first yes), er:2:<code>:<count> (second yes), er:x (cancel)."""
    staff = context.require_staff()
    query = update.callback_query
    assert query is not None
    t = context.t
    if staff.role is not Role.ADMIN:
        await query.answer(t(ADMINS_ONLY), show_alert=True)
        return
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    message = update.effective_message
    parts = (query.data or "").split(":")
    if message is None:
        return
    if parts[1:] == ["x"] or len(parts) < 3:
        await message.reply_text(t("Cancelled. Nothing was changed."))
        return
    try:
        code = parse_client_code(parts[2])
    except InvalidClientCode:
        return
    async with context.services.session_factory.begin() as session:
        count = await count_client_records(session, code=code)
        erased = None
        confirmed = parts[1] == "2" and parts[3:4] == [str(count)]
        if count is not None and confirmed:
            erased = await erase_client(session, code=code, now=utcnow(), actor=staff)
    if count is None:
        await message.reply_text(t("No client {code}.", code=code))
        return
    if erased is None:  # the first yes, or the count changed since the second question
        await message.reply_text(
            t.plural(
                "Really erase {code}? {count} record goes for good.",
                "Really erase {code}? {count} records go for good.",
                count,
                code=code,
            ),
            reply_markup=_erase_buttons(
                t,
                t.plural("Erase {count} record", "Erase {count} records", count),
                f"er:2:{code}:{count}",
            ),
        )
        return
    await message.reply_text(t("{code} is erased. The audit log records that it was.", code=code))
