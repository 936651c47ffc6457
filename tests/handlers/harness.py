"""Drive a real PTB Application with `process_update` over a recording, offline transport."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import build_application, start_services, stop_services
from bot.config import Settings
from bot.context import NavApplication
from storage.db import SQLITE_NO_BEGIN, SQLITE_READ_SNAPSHOT
from storage.migrate import migrate
from storage.models import Staff
from storage.staff import create_or_reactivate_staff
from tests.fakebotapi import STRING_PARAMS

BOT_ID = 123456
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "NavBot", "username": "navbot_test_bot"}
TRUE_METHODS = {
    "answercallbackquery",
    "setmycommands",
    "deletemycommands",
    "leavechat",
    "sendchataction",
    "deletemessage",
    "deletewebhook",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str | None, bytes]] = field(default_factory=dict)  # name, data


class TransactionWatch:
    """Which asyncio task has a database transaction open that may write, through
    SQLAlchemy's public connection events on the application's engine.

    Reads in autocommit (the read session factory) and snapshot sessions (reports) take no
    write lock and are not counted; every other transaction is, including a plain
    `session_factory()` session, which on SQLite begins IMMEDIATE on its first statement.
    """

    def __init__(self) -> None:
        self._open: dict[asyncio.Task[Any] | None, set[Connection]] = {}
        self.violations: list[str] = []

    def attach(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "begin", self._begin)
        event.listen(engine.sync_engine, "commit", self._end)
        event.listen(engine.sync_engine, "rollback", self._end)

    @staticmethod
    def _task() -> asyncio.Task[Any] | None:
        try:
            return asyncio.current_task()
        except RuntimeError:  # no running loop: migrations in a thread
            return None

    def _begin(self, connection: Connection) -> None:
        options = connection.get_execution_options()
        if (
            options.get(SQLITE_NO_BEGIN)
            or options.get(SQLITE_READ_SNAPSHOT)
            or options.get("isolation_level") == "AUTOCOMMIT"
            or options.get("postgresql_readonly")
        ):
            return
        self._open.setdefault(self._task(), set()).add(connection)

    def _end(self, connection: Connection) -> None:
        for connections in self._open.values():
            connections.discard(connection)

    def in_transaction(self) -> bool:
        return bool(self._open.get(self._task()))

    def check(self, api_method: str) -> None:
        if self.in_transaction():
            ours = [
                f"{frame.filename.rsplit('/', 2)[-2]}/{frame.filename.rsplit('/', 1)[-1]}"
                f":{frame.lineno}"
                for frame in traceback.extract_stack()
                if "/handlers/" in frame.filename or "/bot/" in frame.filename
            ]
            self.violations.append(f"{api_method} at {' < '.join(reversed(ours))}")


@dataclass
class RecordingTransport(BaseRequest):
    """Answers the Bot API like Telegram would, records every call, and cannot reach any
    network: it has no connection to make. With a `watch`, a call made while the calling
    task holds a database transaction that may write is recorded as a violation (handlers
    commit, then reply), and the harness fails the test."""

    calls: list[Call] = field(default_factory=list)
    _message_ids: Any = field(default_factory=lambda: itertools.count(1000))
    watch: TransactionWatch | None = None
    webhook_url: str = ""  # what setWebhook registered, as Telegram keeps it

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(  # type: ignore[override]
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if self.watch is not None:
            self.watch.check(api_method)
        params: dict[str, Any] = {}
        files: dict[str, tuple[str | None, bytes]] = {}
        if request_data is not None:
            for part, upload in request_data.multipart_data.items():
                filename, content = upload[0], upload[1]
                files[part] = (filename, content if isinstance(content, bytes) else b"")
            for key, value in request_data.json_parameters.items():
                if key in STRING_PARAMS:  # PTB sends strings raw: "42" must stay a string
                    params[key] = value
                    continue
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
        self.calls.append(Call(api_method, params, files))
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    def _result(self, api_method: str, params: dict[str, Any]) -> Any:
        name = api_method.lower()
        if name == "getme":
            return BOT_USER
        if name in TRUE_METHODS:
            return True
        if name == "setwebhook":
            self.webhook_url = str(params.get("url", ""))
            return True
        if name == "getwebhookinfo":
            return {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        if name in ("sendmessage", "editmessagetext", "sendphoto", "senddocument"):
            message: dict[str, Any] = {
                "message_id": params.get("message_id") or next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if name == "sendphoto":
                message["photo"] = [
                    {"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}
                ]
            if name == "senddocument":
                message["document"] = {"file_id": "doc-1", "file_unique_id": "d1"}
            return message
        if name == "editmessagereplymarkup":
            return True
        raise AssertionError(f"unexpected Bot API call {api_method}")

    # What the bot said -------------------------------------------------------------------
    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [
            call
            for call in self.calls
            if (method is None or call.method.lower() == method.lower())
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def texts_to(self, chat_id: int) -> list[str]:
        return [
            call.params["text"]
            for call in self.calls
            if call.method.lower() in ("sendmessage", "editmessagetext")
            and call.params.get("chat_id") == chat_id
        ]


_update_ids = itertools.count(1)


def message_update(
    user_id: int,
    text: str | None = None,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    language_code: str = "en",
    first_name: str = "Sam",
    edited: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Some group"
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        },
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if edited:
        message["edit_date"] = int(time.time())
    message.update(extra)
    key = "edited_message" if edited else "message"
    return {"update_id": next(_update_ids), key: message}


def callback_update(
    user_id: int, data: str, *, message_id: int = 1, language_code: str = "en"
) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "chat_instance": "ci",
            "data": data,
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": "Sam",
                "language_code": language_code,
            },
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": BOT_USER,
                "text": "card",
            },
        },
    }


@dataclass
class Harness:
    app: NavApplication
    transport: RecordingTransport

    async def process(self, raw: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(raw, self.app.bot))

    async def send(self, user_id: int, text: str | None = None, **kwargs: Any) -> None:
        await self.process(message_update(user_id, text, **kwargs))

    async def press(self, user_id: int, data: str, **kwargs: Any) -> None:
        await self.process(callback_update(user_id, data, **kwargs))

    def texts_to(self, chat_id: int) -> list[str]:
        return self.transport.texts_to(chat_id)

    def last_text_to(self, chat_id: int) -> str:
        texts = self.texts_to(chat_id)
        assert texts, f"the bot sent nothing to {chat_id}; calls: {self.transport.calls}"
        return texts[-1]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.app.bot_data.session_factory.begin() as session:
            yield session

    async def add_staff(
        self, telegram_id: int, role: str = "navigator", team: str = "hospital", **fields: Any
    ) -> Staff:
        async with self.session() as session:
            staff = await create_or_reactivate_staff(
                session,
                telegram_id=telegram_id,
                role=role,
                team=team,
                display_name=fields.pop("display_name", f"Staff {telegram_id}"),
                telegram_language="en",
            )
            for key, value in fields.items():
                setattr(staff, key, value)
        return staff


@asynccontextmanager
async def running_harness(settings: Settings) -> AsyncIterator[Harness]:
    await migrate(settings.database_url)
    watch = TransactionWatch()
    transport = RecordingTransport(watch=watch)
    app = build_application(settings, request=transport)
    await app.initialize()
    await start_services(app)
    assert app.bot_data.engine is not None
    watch.attach(app.bot_data.engine)
    assert app.job_queue is not None
    await app.job_queue.start()
    try:
        yield Harness(app, transport)
    finally:
        await app.job_queue.stop()
        await stop_services(app)
        await app.shutdown()
    assert not watch.violations, (
        f"Bot API calls made inside an open database transaction: {watch.violations}"
    )
