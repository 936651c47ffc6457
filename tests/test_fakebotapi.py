"""Tests for the fake Bot API, driven by the real python-telegram-bot client over real HTTP.

The e2e suite trusts this fake to behave like Telegram for the methods the bot uses. The only
way to earn that trust without Telegram is to point PTB itself at it: if PTB's request
encoding, response parsing and error mapping all work against the fake, the real bot process
will too. Blocking helpers (``wait_for`` and friends) run in a worker thread via
``asyncio.to_thread`` whenever the PTB client shares the event loop, so waiting never starves
the code being waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import queue
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakebotapi import FakeBotApi

TOKEN = "123456:TEST-token_abc"
USER = 4242


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as fake:
        yield fake


def make_bot(api: FakeBotApi, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot")


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(api) as b:
        yield b


async def test_get_me_returns_the_bot_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "navbot_test_bot"
    assert me.can_join_groups


async def test_send_message_records_inline_keyboard(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="fu:done:7")]])
    first = await bot.send_message(USER, "Follow up?", reply_markup=markup)
    second = await bot.send_message(USER, "again")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == USER
    assert first.from_user is not None
    assert first.from_user.id == 123456
    assert first.reply_markup == markup
    [call, _] = api.sent("sendMessage", chat_id=USER)
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Done", "callback_data": "fu:done:7"}]]
    }
    assert api.messages_to(USER) == ["Follow up?", "again"]


async def test_string_parameters_are_not_json_decoded(api: FakeBotApi, bot: Bot) -> None:
    """PTB sends strings raw, so a text of "123" must not be recorded as the int 123."""
    await bot.send_message(USER, "123")
    await bot.send_message(USER, "true")
    assert api.messages_to(USER) == ["123", "true"]
    assert api.sent("sendMessage")[0].params["chat_id"] == USER


async def test_get_updates_parses_pushed_message_and_callback(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Pick one")
    api.push_message(USER, "/start ref_1", first_name="Ana", language_code="bn")
    api.push_callback(USER, "fu:done:7", message_id=sent.message_id)

    updates = await bot.get_updates(timeout=0)

    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    message = updates[0].message
    assert message is not None
    assert message.text == "/start ref_1"
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert (message.from_user.first_name, message.from_user.language_code) == ("Ana", "bn")
    assert message.parse_entities(["bot_command"]) == {message.entities[0]: "/start"}
    query = updates[1].callback_query
    assert query is not None
    assert query.data == "fu:done:7"
    assert query.from_user.id == USER
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert isinstance(query.message, Message)
    assert query.message.text == "Pick one"
    assert await query.answer("ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")


async def test_other_pushed_update_kinds_parse(api: FakeBotApi, bot: Bot) -> None:
    api.push_message(USER, None, photo=True, caption="/log here")
    api.push_message(USER, "first")
    api.push_message(USER, "first, edited", edited=True)
    api.push_message(
        USER,
        "fwd",
        forward_origin={"type": "hidden_user", "sender_user_name": "X", "date": 1700000000},
    )
    api.push_message(USER, None, sticker=True)
    api.push_message(7, "hi all", chat_id=-100500, chat_type="supergroup")
    api.push_my_chat_member(-100600, "group", "member", from_user=USER)
    api.push_my_chat_member(USER, "private", "kicked", from_user=USER)

    updates = await bot.get_updates(timeout=0)

    photo, first, edited, forwarded, sticker, group, added, blocked = updates
    assert photo.message is not None
    assert photo.message.photo
    assert photo.message.caption == "/log here"
    assert photo.message.caption_entities[0].type == "bot_command"
    assert edited.edited_message is not None
    assert first.message is not None
    assert edited.edited_message.message_id == first.message.message_id
    assert forwarded.message is not None
    assert forwarded.message.forward_origin is not None
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert group.message is not None
    assert group.message.chat.type == "supergroup"
    assert added.my_chat_member is not None
    assert added.my_chat_member.new_chat_member.status == "member"
    assert added.my_chat_member.new_chat_member.user.id == 123456
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"


async def test_offset_confirms_earlier_updates(api: FakeBotApi, bot: Bot) -> None:
    for text in ("one", "two", "three"):
        api.push_message(USER, text)

    first = await bot.get_updates(timeout=0, limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates(timeout=0)
    assert len(again) == 3, "unconfirmed updates are delivered again"

    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()
    assert api.pending_updates() == []


async def test_long_poll_returns_early_when_update_pushed(api: FakeBotApi, bot: Bot) -> None:
    """A 30-second poll must return as soon as another thread pushes an update."""
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.to_thread(api.wait_until_polling)
    pusher = threading.Thread(target=api.push_message, args=(USER, "wake up"))
    pusher.start()

    updates = await asyncio.wait_for(poll, timeout=10)

    pusher.join()
    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert time.monotonic() - started < 10


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == ()


async def test_second_poller_terminates_the_first_with_conflict(api: FakeBotApi, bot: Bot) -> None:
    """Like Telegram: two bot instances polling at once is a 409 for the older one."""
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.to_thread(api.wait_until_polling)
    async with make_bot(api) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, timeout=10)


async def test_send_photo_and_document_record_files(api: FakeBotApi, bot: Bot) -> None:
    payload = bytes(range(256)) + b"\r\n--not-a-boundary\r\n\n\r" + b"\x00" * 10
    photo = await bot.send_photo(USER, payload, caption="chart", filename="chart.png")
    document = await bot.send_document(USER, payload, filename="stats.xlsx", caption="export")

    assert photo.photo
    assert photo.caption == "chart"
    assert document.document is not None
    assert document.document.file_name == "stats.xlsx"
    photo_call = api.sent("sendPhoto")[0]
    assert photo_call.params == {"chat_id": USER, "caption": "chart"}
    uploaded = photo_call.files["photo"]
    assert (uploaded.filename, uploaded.size, uploaded.data) == ("chart.png", len(payload), payload)
    assert uploaded.content_type == "image/png"
    doc_file = api.sent("sendDocument")[0].files["document"]
    assert doc_file.data == payload
    assert doc_file.filename == "stats.xlsx"
    assert api.messages_to(USER) == ["chart", "export"]

    downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload


async def test_set_my_commands_recorded_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("log", "Log a contact")])
    await bot.set_my_commands(
        [BotCommand("stats", "Statistics")], scope=BotCommandScopeChat(USER), language_code="bn"
    )

    first, second = api.sent("setMyCommands")
    assert first.params == {"commands": [{"command": "log", "description": "Log a contact"}]}
    assert second.params["scope"] == {"type": "chat", "chat_id": USER}
    assert second.params["language_code"] == "bn"
    assert api.commands() == [{"command": "log", "description": "Log a contact"}]
    got = await bot.get_my_commands(scope=BotCommandScopeChat(USER), language_code="bn")
    assert [c.command for c in got] == ["stats"]
    await bot.delete_my_commands()
    assert api.commands() == []


async def test_edit_and_delete_messages(api: FakeBotApi, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="x")]])
    sent = await bot.send_message(USER, "v1", reply_markup=markup)

    edited = await bot.edit_message_text("v2", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "v2"
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=markup)
    await bot.send_chat_action(USER, "typing")
    assert await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    chat = await bot.get_chat(USER)
    assert chat.type == "private"
    assert await bot.leave_chat(-100500)


async def test_fail_next_429_raises_retry_after(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading RetryAfter.retry_after as an int is deprecated in PTB 22 (a warning, hence an
    # error under filterwarnings=error); opting in to timedelta is the supported way.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.fail_next("sendmessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER, "hello")

    assert api.messages_to(USER) == ["hello"]
    attempts = api.sent("sendMessage", include_faults=True)
    assert [c.fault for c in attempts] == ["http_429", None]


async def test_fail_next_403_and_server_errors(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", status=403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "x")
    api.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(USER, "x")
    api.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")
    assert api.messages_to(USER) == ["x"]
    assert api.stats["faults"] == 4


async def test_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    wrong = make_bot(api, "123456:WRONG")
    with pytest.raises(InvalidToken, match="rejected by the server") as caught:
        await wrong.initialize()  # PTB verifies the token with getMe on initialize
    assert "Unauthorized" in str(caught.value.__cause__)
    await wrong.shutdown()
    assert api.calls[-1].fault == "unauthorized"


def test_raw_http_unknown_method_case_and_json_bodies(api: FakeBotApi) -> None:
    base = f"{api.base_url}/bot{TOKEN}"
    unknown = httpx.post(f"{base}/sendTelepathy", json={})
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

    ok = httpx.post(f"{base}/SENDMESSAGE", json={"chat_id": USER, "text": "json body"})
    assert ok.json()["result"]["text"] == "json body"
    via_get = httpx.get(f"{base}/getme")
    assert via_get.json()["result"]["username"] == "navbot_test_bot"
    assert api.messages_to(USER) == ["json body"]


async def test_hung_send_is_dropped_without_response(api: FakeBotApi, bot: Bot) -> None:
    """A hung request models a bot killed (or a network cut) while its send is in flight."""
    api.hang_next("sendMessage")
    send = asyncio.create_task(bot.send_message(USER, "in flight"))
    hung = await asyncio.to_thread(api.wait_for, lambda c: c.fault == "hung")
    assert hung.params["text"] == "in flight"
    assert api.hung == [hung]

    assert api.release_hung() == 1
    with pytest.raises(NetworkError):
        await asyncio.wait_for(send, timeout=10)
    assert api.messages_to(USER) == []


async def test_delayed_send_is_still_delivered_after_client_timeout(
    api: FakeBotApi, bot: Bot
) -> None:
    """Telegram may deliver a message whose HTTP answer the client gave up on."""
    api.delay_next("sendMessage", 1.0)
    with pytest.raises(NetworkError):  # TimedOut is a NetworkError
        await bot.send_message(USER, "slow", read_timeout=0.2)
    await asyncio.to_thread(api.wait_for_message, USER, "slow")
    assert api.messages_to(USER) == ["slow"]


async def test_rate_limit_answers_429_beyond_budget(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.rate_limit(3)
    outcomes = []
    for i in range(5):
        try:
            await bot.send_message(USER, f"m{i}")
            outcomes.append("ok")
        except RetryAfter:
            outcomes.append("429")
    assert outcomes.count("ok") == 3
    assert api.stats["rate_limited"] == outcomes.count("429")
    assert outcomes.count("429") >= 1


class _Recorder(BaseHTTPRequestHandler):
    received: queue.Queue[tuple[str | None, dict[str, Any]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.put((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook_target() -> Iterator[tuple[str, queue.Queue[tuple[str | None, dict[str, Any]]]]]:
    received: queue.Queue[tuple[str | None, dict[str, Any]]] = queue.Queue()
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()
    thread.join()


async def test_webhook_delivery_sends_registered_secret(
    api: FakeBotApi,
    bot: Bot,
    webhook_target: tuple[str, queue.Queue[tuple[str | None, dict[str, Any]]]],
) -> None:
    url, received = webhook_target
    assert await bot.set_webhook(url, secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == url
    assert api.webhook_secret == "s3cret"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)

    status = await asyncio.to_thread(api.deliver_webhook, {"message": {"text": "hook"}})
    assert status == 200
    secret, update = received.get(timeout=5)
    assert secret == "s3cret"
    assert update["message"]["text"] == "hook"
    assert "update_id" in update

    await asyncio.to_thread(api.deliver_webhook, {"update_id": 1}, secret=None)
    assert received.get(timeout=5) == (None, {"update_id": 1})
    await asyncio.to_thread(api.deliver_webhook, {"update_id": 2}, secret="wrong")
    assert received.get(timeout=5)[0] == "wrong"

    assert await bot.delete_webhook()
    assert api.webhook_url == ""


async def test_application_polling_echoes_over_real_http(api: FakeBotApi) -> None:
    """The whole PTB polling path: Application + Updater + handlers against the fake."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api.base_url}/bot")
        .base_file_url(f"{api.base_url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await asyncio.to_thread(api.wait_until_polling)
        api.push_message(USER, "ping")
        reply = await asyncio.to_thread(api.wait_for_message, USER, "echo: ping")
        await app.updater.stop()
        await app.stop()

    assert reply.params["text"] == "echo: ping"
    assert api.sent("deleteWebhook"), "start_polling clears any webhook first"
    assert api.pending_updates() == [], "the updater confirmed the update on shutdown"


async def test_shutdown_drops_hung_requests_and_wakes_long_polls() -> None:
    """Leaving the context must not wait for clients: hung sends and long polls end at once."""
    api = FakeBotApi(token=TOKEN)
    api.start()
    async with make_bot(api) as client:
        api.hang_next("sendMessage")
        send = asyncio.create_task(client.send_message(USER, "never answered"))
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await asyncio.to_thread(api.wait_for, lambda c: c.fault == "hung")
        await asyncio.to_thread(api.wait_until_polling)
        started = time.monotonic()
        await asyncio.to_thread(api.stop)
        assert time.monotonic() - started < 5
        with pytest.raises(NetworkError):
            await asyncio.wait_for(send, timeout=10)
        with contextlib.suppress(NetworkError):
            await asyncio.wait_for(poll, timeout=10)
