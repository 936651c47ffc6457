"""A fake Telegram Bot API server for tests, built on the standard library only.

Telegram is unreachable from CI, but the end-to-end tests must run the real ``navbot run``
process and its real HTTP client. So instead of mocking python-telegram-bot we give it a
server that speaks the Bot API wire protocol on 127.0.0.1: the bot is pointed at
``FakeBotApi.base_url`` through ``TELEGRAM_API_BASE_URL`` and cannot tell the difference for
the methods the project uses.

The server runs in a daemon thread inside the pytest process. Everything it knows is guarded
by one ``threading.Condition``; tests never sleep, they block on that condition through
:meth:`FakeBotApi.wait_for` until the bot has made the call they expect.

Wire format notes (python-telegram-bot 22):

* PTB sends ``application/x-www-form-urlencoded`` bodies, or ``multipart/form-data`` when a
  file is uploaded. Every non-string value is JSON-encoded (``chat_id=123``,
  ``reply_markup={"inline_keyboard": ...}``) but **string values are sent raw**, so a message
  text of ``123`` or ``true`` is indistinguishable from a number or boolean on the wire. We
  therefore JSON-decode values except for parameters known to be strings
  (:data:`STRING_PARAMS`).
* Uploaded files arrive as multipart parts named after the parameter (``photo``,
  ``document``) or ``attached<hex>`` for ``attach://`` references; the parameter itself is then
  absent from the form fields.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "STRING_PARAMS",
    "USE_REGISTERED",
    "ApiCall",
    "FakeBotApi",
    "UploadedFile",
]

#: Parameters whose values are strings in the Bot API. PTB sends strings un-encoded, so
#: JSON-decoding them would turn the text "42" into the int 42.
STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "emoji",
        "file_id",
        "first_name",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "parse_mode",
        "query",
        "secret_token",
        "short_description",
        "text",
        "title",
        "url",
    }
)

#: Sentinel for :meth:`FakeBotApi.deliver_webhook`: send the secret registered by setWebhook.
USE_REGISTERED: Any = object()

#: Update types Telegram delivers when ``allowed_updates`` is empty or was never set.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part, as the bot uploaded it."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ApiCall:
    """One request the bot made, successful or not.

    ``fault`` is ``None`` for a normally answered call, otherwise a short tag
    (``"http_429"``, ``"rate_limited"``, ``"hung"``, ``"unauthorized"``,
    ``"unknown_method"``, ``"bad_request"``, ``"conflict"``) so that tests can tell a
    retried delivery from the attempt that failed. ``at`` is ``time.monotonic()`` when the
    request was handled, for measuring send rates and backoff.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float
    fault: str | None = None
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The message text or caption carried by this call, if any."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)


@dataclass
class _Fault:
    kind: str  # "fail" | "delay" | "hang"
    times: int
    status: int = 0
    retry_after: int | None = None
    description: str | None = None
    seconds: float = 0.0


@dataclass
class _ApiError(Exception):
    status: int
    description: str
    fault: str
    parameters: dict[str, Any] | None = None


@dataclass
class _Hung:
    call: ApiCall
    released: bool = False


@dataclass
class _ChatInfo:
    id: int
    type: str
    title: str | None = None
    first_name: str | None = None

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or "Test"
        else:
            chat["title"] = self.title or f"Chat {self.id}"
        return chat


@dataclass
class _State:
    """Mutable server state; only touched while holding ``FakeBotApi._cond``."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 100_000
    allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
    poll_generation: int = 0
    polls_waiting: int = 0
    webhook_url: str = ""
    webhook_secret: str | None = None
    webhook_allowed_updates: list[str] | None = None
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    chats: dict[int, _ChatInfo] = field(default_factory=dict)
    message_ids: dict[int, int] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    last_user_message: dict[tuple[int, int], int] = field(default_factory=dict)
    callback_ids: set[str] = field(default_factory=set)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file_id -> (path, data)
    sent_times: list[float] = field(default_factory=list)


class FakeBotApi:
    """A threaded fake Bot API server; use it as a context manager.

    ``with FakeBotApi(token="123:ABC") as api:`` starts a ``ThreadingHTTPServer`` on an
    ephemeral port of 127.0.0.1; point the bot at ``api.base_url``. Inject traffic with the
    ``push_*`` methods, observe the bot through :attr:`calls` and the ``wait_for*`` helpers,
    and inject failures with :meth:`fail_next`, :meth:`delay_next`, :meth:`hang_next` and
    :meth:`rate_limit`.
    """

    bot_first_name = "NavBot"
    bot_username = "navbot_test_bot"

    def __init__(self, token: str = "123:ABC") -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[ApiCall] = []
        self.hung: list[ApiCall] = []
        self.stats: dict[str, int] = {"requests": 0, "rate_limited": 0, "faults": 0}
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._faults: dict[str, list[_Fault]] = {}
        self._hung: list[_Hung] = []
        self._rate_per_second: float | None = None
        self._closing = False
        self._callback_counter = itertools.count(1)
        self._file_counter = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._webhook_queue: list[dict[str, Any]] = []
        self._webhook_thread: threading.Thread | None = None
        #: (update_id, HTTP status or 0 for a connection error) per webhook POST attempt.
        self.webhook_attempts: list[tuple[int, int]] = []

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeBotApi:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("_BoundHandler", (_Handler,), {"api": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotApi",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; wake long polls and hung requests; close every connection."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_all_connections()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the value for the bot's TELEGRAM_API_BASE_URL."""
        assert self._server is not None, "FakeBotApi is not started"
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ observation

    def mark(self) -> int:
        """The number of calls recorded so far; pass as ``since=`` to ignore older calls."""
        with self._cond:
            return len(self.calls)

    def sent(
        self,
        method: str | None = None,
        chat_id: int | str | None = None,
        *,
        include_faults: bool = False,
    ) -> list[ApiCall]:
        """Recorded calls, optionally filtered by method (case-insensitive) and chat.

        Only successfully answered calls are returned unless ``include_faults`` is true, so a
        message that hit a 429 and was retried counts once.
        """
        with self._cond:
            return [c for c in self.calls if _matches(c, method, chat_id, include_faults)]

    def messages_to(self, chat_id: int | str) -> list[str]:
        """Texts and captions successfully sent to ``chat_id`` (sendMessage/Photo/Document)."""
        with self._cond:
            return [
                c.text
                for c in self.calls
                if c.method in _SEND_METHODS
                and c.text is not None
                and _matches(c, None, chat_id, False)
            ]

    def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> ApiCall:
        """Block until a recorded call (from index ``since`` on) satisfies ``predicate``.

        The predicate sees every call, faulted ones included. Tests use this instead of
        sleeping, so they are as fast as the bot and fail with a readable list of what the
        bot did do.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            checked = since
            while True:
                for call in self.calls[checked:]:
                    if predicate(call):
                        return call
                checked = max(checked, len(self.calls))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching Bot API call within {timeout}s; recorded calls:\n"
                        + self.summary()
                    )
                self._cond.wait(remaining)

    def wait_for_message(
        self,
        chat_id: int | str,
        contains: str | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> ApiCall:
        """Block until a message (or captioned photo/document) reaches ``chat_id``."""

        def predicate(call: ApiCall) -> bool:
            return (
                call.method in _SEND_METHODS
                and _matches(call, None, chat_id, False)
                and (contains is None or contains in (call.text or ""))
            )

        return self.wait_for(predicate, timeout, since=since)

    def wait_until_polling(self, timeout: float = 10.0) -> None:
        """Block until a getUpdates long poll is parked on the server, waiting for updates.

        This is how a test knows the bot has finished starting up and is listening, without
        guessing with a sleep.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._state.polls_waiting == 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no getUpdates long poll within {timeout}s; recorded calls:\n"
                        + self.summary()
                    )
                self._cond.wait(remaining)

    def summary(self) -> str:
        """One line per recorded call, for assertion messages.

        Empty getUpdates answers are counted rather than listed: a polling bot makes one
        every few seconds and they would bury the calls that matter.
        """
        with self._cond:
            lines = []
            idle_polls = 0
            for i, c in enumerate(self.calls):
                if c.method == "getUpdates" and c.fault is None and not c.result:
                    idle_polls += 1
                    continue
                params = {k: v for k, v in c.params.items() if k not in ("timeout", "offset")}
                tag = f" [{c.fault}]" if c.fault else ""
                files = f" files={sorted(c.files)}" if c.files else ""
                lines.append(f"  {i}: {c.method}{tag} {params}{files}")
            if idle_polls:
                lines.append(f"  (+ {idle_polls} empty getUpdates)")
            return "\n".join(lines) or "  (none)"

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates pushed but not yet confirmed by a getUpdates offset."""
        with self._cond:
            return list(self._state.updates)

    @property
    def webhook_url(self) -> str:
        with self._cond:
            return self._state.webhook_url

    @property
    def webhook_secret(self) -> str | None:
        with self._cond:
            return self._state.webhook_secret

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[Any]:
        """The command list currently set for ``scope`` and ``language_code``."""
        with self._cond:
            return list(self._state.commands.get((_scope_key(scope), language_code), []))

    # ------------------------------------------------------------------ injection

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update; ``update_id`` is assigned if missing. Returns the update.

        With a webhook registered the update is POSTed to it, as Telegram does: in order, and
        again (after a short pause) until the webhook answers 200, for up to a minute.
        """
        with self._cond:
            if "update_id" not in update:
                update = {"update_id": self._state.next_update_id, **update}
            self._state.next_update_id = max(self._state.next_update_id, update["update_id"]) + 1
            if "callback_query" in update:
                self._state.callback_ids.add(update["callback_query"]["id"])
            if self._state.webhook_url:
                self._webhook_queue.append(update)
                if self._webhook_thread is None:
                    self._webhook_thread = threading.Thread(
                        target=self._deliver_webhooks, name="FakeBotApi-webhook", daemon=True
                    )
                    self._webhook_thread.start()
            else:
                self._state.updates.append(update)
            self._cond.notify_all()
            return update

    def _deliver_webhooks(self) -> None:
        while True:
            with self._cond:
                while not self._webhook_queue and not self._closing:
                    self._cond.wait(0.5)
                if self._closing:
                    return
                update = self._webhook_queue[0]
            deadline = time.monotonic() + 60
            while not self._closing:
                try:
                    status = self.deliver_webhook(update, timeout=30)
                except OSError:  # refused, reset: the process behind the URL died
                    status = 0
                with self._cond:
                    self.webhook_attempts.append((int(update["update_id"]), status))
                if status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)  # Telegram waits before it tries again
            with self._cond:
                self._webhook_queue.pop(0)
                self._cond.notify_all()

    def wait_until_webhooks_delivered(self, timeout: float = 60.0) -> None:
        """Wait until every update pushed to the webhook got its 200 (or was given up on)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._webhook_queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self._webhook_queue)} webhook update(s) pending")
                self._cond.wait(remaining)

    def push_message(
        self,
        user_id: int,
        text: str | None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        language_code: str | None = "en",
        entities: list[dict[str, Any]] | None = None,
        forward_origin: dict[str, Any] | None = None,
        photo: bool = False,
        sticker: bool = False,
        caption: str | None = None,
        edited: bool = False,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Queue a message from a user, shaped like Telegram's, and return the Update.

        A text starting with ``/`` gets a ``bot_command`` entity unless ``entities`` is
        given. With ``photo=True`` the message carries a photo and ``caption`` (or ``text``)
        as its caption. ``edited=True`` sends an ``edited_message`` that keeps the
        message_id of this user's previous message in the chat (a new id if there is none).
        """
        if chat_id is None:
            if chat_type != "private":
                raise ValueError("chat_id is required for group, supergroup and channel chats")
            chat_id = user_id
        user = self._user(user_id, first_name, language_code)
        with self._cond:
            chat = self._chat(chat_id, chat_type, first_name)
            last = self._state.last_user_message.get((chat_id, user_id))
            if edited and last is not None:
                message_id = last
            else:
                message_id = self._next_message_id(chat_id)
                self._state.last_user_message[(chat_id, user_id)] = message_id
            message: dict[str, Any] = {
                "message_id": message_id,
                "from": user,
                "chat": chat.as_chat(),
                "date": int(time.time()),
            }
            if edited:
                message["edit_date"] = int(time.time())
            if forward_origin is not None:
                message["forward_origin"] = forward_origin
            if reply_to is not None:
                message["reply_to_message"] = self._state.messages.get(
                    (chat_id, reply_to),
                    {
                        "message_id": reply_to,
                        "chat": chat.as_chat(),
                        "date": int(time.time()),
                        "from": self.bot_user,
                    },
                )
            if photo or sticker:
                file_id = self._store_file(b"\xff\xd8fake-jpeg\xff\xd9", "photos", "jpg")
                if photo:
                    message["photo"] = _photo_sizes(file_id, 11)
                    cap = caption if caption is not None else text
                    if cap:
                        message["caption"] = cap
                        message["caption_entities"] = (
                            entities if entities is not None else _command_entities(cap)
                        )
                else:
                    message["sticker"] = {
                        "file_id": file_id,
                        "file_unique_id": f"u{file_id}",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                        "emoji": "👍",
                    }
            elif text is not None:
                message["text"] = text
                ents = entities if entities is not None else _command_entities(text)
                if ents:
                    message["entities"] = ents
            self._state.messages[(chat_id, message_id)] = message
            key = "edited_message" if edited else "message"
            return self.push_update({key: message})

    def push_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        first_name: str = "Test",
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a button press on message ``message_id`` in ``chat_id`` (default: private).

        The attached ``message`` is the one the bot sent if the fake knows it, otherwise a
        plausible bot message is synthesised (and remembered, so it can then be edited).
        """
        if chat_id is None:
            chat_id = user_id
        with self._cond:
            chat = self._chat(chat_id, "private" if chat_id > 0 else "group", first_name)
            message = self._state.messages.get((chat_id, message_id))
            if message is None:
                message = {
                    "message_id": message_id,
                    "from": self.bot_user,
                    "chat": chat.as_chat(),
                    "date": int(time.time()),
                    "text": "…",
                }
                self._state.messages[(chat_id, message_id)] = message
            query = {
                "id": f"{user_id}{next(self._callback_counter):08d}",
                "from": self._user(user_id, first_name, language_code),
                "chat_instance": f"ci{chat_id}",
                "message": message,
                "data": data,
            }
            return self.push_update({"callback_query": query})

    def push_my_chat_member(
        self,
        chat_id: int,
        chat_type: str = "group",
        new_status: str = "member",
        from_user: int | dict[str, Any] = 1,
        *,
        old_status: str | None = None,
    ) -> dict[str, Any]:
        """Queue a change of the bot's own membership (added to a group, blocked, ...)."""
        if isinstance(from_user, int):
            from_user = self._user(from_user, "Test", "en")
        if old_status is None:
            old_status = (
                "left" if new_status in ("member", "administrator", "creator") else ("member")
            )
        with self._cond:
            chat = self._chat(chat_id, chat_type, from_user.get("first_name"))
            update = {
                "my_chat_member": {
                    "chat": chat.as_chat(),
                    "from": from_user,
                    "date": int(time.time()),
                    "old_chat_member": _chat_member(old_status, self.bot_user),
                    "new_chat_member": _chat_member(new_status, self.bot_user),
                }
            }
            return self.push_update(update)

    def deliver_webhook(
        self,
        update: dict[str, Any],
        url: str | None = None,
        secret: Any = USE_REGISTERED,
        timeout: float = 10.0,
    ) -> int:
        """POST ``update`` to the registered webhook (or ``url``); return the HTTP status.

        ``secret`` defaults to the secret registered with setWebhook; pass a string to send a
        different one or ``None`` to omit the ``X-Telegram-Bot-Api-Secret-Token`` header.
        """
        with self._cond:
            target = url or self._state.webhook_url
            if secret is USE_REGISTERED:
                secret = self._state.webhook_secret
        if not target:
            raise AssertionError("no webhook registered and no url given")
        if "update_id" not in update:
            with self._cond:
                update = {"update_id": self._state.next_update_id, **update}
                self._state.next_update_id += 1
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(
            target, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            err.close()
            return int(err.code)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a Telegram-shaped error.

        429 carries ``parameters.retry_after`` (PTB raises ``RetryAfter``); 403 defaults to
        "Forbidden: bot was blocked by the user"; 500/502 are server errors.
        """
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _ERROR_DESCRIPTIONS.get(status, "Error")
        self._add_fault(
            method,
            _Fault(
                "fail",
                times,
                status=status,
                retry_after=retry_after if status == 429 else None,
                description=description,
            ),
        )

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` calls of ``method`` for ``seconds`` before handling them.

        The call is processed (and recorded) after the delay, like a slow Telegram that still
        delivers a message the client may already have timed out on.
        """
        self._add_fault(method, _Fault("delay", times, seconds=seconds))

    def hang_next(self, method: str, times: int = 1) -> None:
        """Never answer the next ``times`` calls of ``method``.

        They are recorded in :attr:`hung` (and in :attr:`calls` with ``fault="hung"``) but not
        delivered; :meth:`release_hung` or shutdown drops their connections without a
        response, which is what a client sees when the process or network dies mid-send.
        """
        self._add_fault(method, _Fault("hang", times))

    def clear_faults(self, method: str) -> None:
        """Forget the faults still waiting for ``method`` (calls already hung stay hung)."""
        with self._cond:
            self._faults.pop(method.lower(), None)

    def release_hung(self) -> int:
        """Drop every hung connection without a response; return how many were released."""
        with self._cond:
            count = 0
            for hung in self._hung:
                if not hung.released:
                    hung.released = True
                    count += 1
            self._cond.notify_all()
            return count

    def rate_limit(self, per_second: float | None) -> None:
        """Answer 429 to sendMessage calls beyond ``per_second`` in any 1-second window."""
        with self._cond:
            self._rate_per_second = per_second
            self._state.sent_times.clear()

    def _add_fault(self, method: str, fault: _Fault) -> None:
        with self._cond:
            self._faults.setdefault(method.lower(), []).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    # ------------------------------------------------------------------ request handling

    def _handle(
        self, method_name: str, token: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[int, dict[str, Any] | None]:
        """Process one API request; return (status, body) or (0, None) to drop it."""
        method = _CANONICAL.get(method_name.lower(), method_name)
        call = ApiCall(method=method, params=params, files=files, at=time.monotonic())
        with self._cond:
            self.stats["requests"] += 1
            if token != self.token:
                return self._error(call, _ApiError(401, "Unauthorized", "unauthorized"))
            if method.lower() not in _METHODS:
                return self._error(call, _ApiError(404, "Not Found", "unknown_method"))
            fault = self._take_fault(method)
            if fault is not None and fault.kind == "fail":
                params_ = {"retry_after": fault.retry_after} if fault.retry_after else None
                return self._error(
                    call,
                    _ApiError(
                        fault.status, fault.description or "", f"http_{fault.status}", params_
                    ),
                )
            if fault is not None and fault.kind == "hang":
                return self._hang(call)
            if fault is not None and fault.kind == "delay":
                deadline = time.monotonic() + fault.seconds
                while not self._closing and (left := deadline - time.monotonic()) > 0:
                    self._cond.wait(left)
                if self._closing:
                    return 0, None
            if method == "sendMessage" and self._over_rate_limit():
                self.stats["rate_limited"] += 1
                return self._error(
                    call,
                    _ApiError(
                        429,
                        "Too Many Requests: retry after 1",
                        "rate_limited",
                        {"retry_after": 1},
                    ),
                )
            try:
                result = _METHODS[method.lower()](self, call)
            except _ApiError as err:
                return self._error(call, err)
            call.result = result
            self.calls.append(call)
            self._cond.notify_all()
            return 200, {"ok": True, "result": result}

    def _error(self, call: ApiCall, err: _ApiError) -> tuple[int, dict[str, Any]]:
        call.fault = err.fault
        call.status = err.status
        self.stats["faults"] += 1
        self.calls.append(call)
        self._cond.notify_all()
        body: dict[str, Any] = {
            "ok": False,
            "error_code": err.status,
            "description": err.description,
        }
        if err.parameters:
            body["parameters"] = err.parameters
        return err.status, body

    def _hang(self, call: ApiCall) -> tuple[int, None]:
        call.fault = "hung"
        call.status = 0
        hung = _Hung(call)
        self._hung.append(hung)
        self.hung.append(call)
        self.calls.append(call)
        self._cond.notify_all()
        while not hung.released and not self._closing:
            self._cond.wait()
        return 0, None

    def _over_rate_limit(self) -> bool:
        if self._rate_per_second is None:
            return False
        now = time.monotonic()
        times = [t for t in self._state.sent_times if now - t < 1.0]
        if len(times) >= self._rate_per_second:
            self._state.sent_times = times
            return True
        times.append(now)
        self._state.sent_times = times
        return False

    def _get_updates(self, call: ApiCall) -> list[dict[str, Any]]:
        state = self._state
        if state.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                "conflict",
            )
        p = call.params
        offset = int(p.get("offset") or 0)
        limit = max(1, min(100, int(p.get("limit") or 100)))
        timeout = float(p.get("timeout") or 0)
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if offset < 0:
            state.updates = state.updates[offset:]
        elif offset:
            state.updates = [u for u in state.updates if u["update_id"] >= offset]
        state.poll_generation += 1
        generation = state.poll_generation
        self._cond.notify_all()  # an older long poll must now give up with 409
        deadline = time.monotonic() + timeout
        while True:
            state.updates = [u for u in state.updates if _update_type(u) in state.allowed_updates]
            if state.updates or self._closing:
                break
            if state.poll_generation != generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                    "conflict",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            state.polls_waiting += 1
            self._cond.notify_all()
            try:
                self._cond.wait(remaining)
            finally:
                state.polls_waiting -= 1
        return [dict(u) for u in state.updates[:limit]]

    # ------------------------------------------------------------------ state helpers

    def _user(self, user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str, first_name: str | None = None) -> _ChatInfo:
        chat = self._state.chats.get(chat_id)
        if chat is None:
            chat = _ChatInfo(chat_id, chat_type, first_name=first_name)
            self._state.chats[chat_id] = chat
        return chat

    def _chat_for(self, chat_id: Any) -> _ChatInfo:
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            raise _ApiError(400, "Bad Request: chat not found", "bad_request")
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat_id is empty", "bad_request")
        cid = int(chat_id)
        chat = self._state.chats.get(cid)
        if chat is None:
            chat = _ChatInfo(cid, "private" if cid > 0 else "group")
            self._state.chats[cid] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        self._state.message_ids[chat_id] = self._state.message_ids.get(chat_id, 0) + 1
        return self._state.message_ids[chat_id]

    def _store_file(self, data: bytes, folder: str, ext: str) -> str:
        n = next(self._file_counter)
        file_id = f"AgACAgQAAx{n:06d}"
        self._state.files[file_id] = (f"{folder}/file_{n}.{ext}", data)
        return file_id

    def _bot_message(self, call: ApiCall, **content: Any) -> dict[str, Any]:
        chat = self._chat_for(call.params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat.id),
            "from": self.bot_user,
            "chat": chat.as_chat(),
            "date": int(time.time()),
            **content,
        }
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        reply = call.params.get("reply_parameters")
        if isinstance(reply, dict) and "message_id" in reply:
            original = self._state.messages.get((chat.id, reply["message_id"]))
            if original is not None:
                message["reply_to_message"] = original
        self._state.messages[(chat.id, message["message_id"])] = message
        return message

    def _stored_message(self, call: ApiCall, verb: str) -> dict[str, Any]:
        chat_id = call.params.get("chat_id")
        message_id = call.params.get("message_id")
        try:
            key = (int(chat_id), int(message_id))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _ApiError(
                400, f"Bad Request: message to {verb} not found", "bad_request"
            ) from None
        message = self._state.messages.get(key)
        if message is None:
            raise _ApiError(400, f"Bad Request: message to {verb} not found", "bad_request")
        return message


# ---------------------------------------------------------------------- method implementations


def _m_get_me(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    return {
        **api.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _m_true(api: FakeBotApi, call: ApiCall) -> bool:
    return True


def _m_delete_webhook(api: FakeBotApi, call: ApiCall) -> bool:
    api._state.webhook_url = ""
    api._state.webhook_secret = None
    if call.params.get("drop_pending_updates"):
        api._state.updates.clear()
    return True


def _m_set_webhook(api: FakeBotApi, call: ApiCall) -> bool:
    url = call.params.get("url") or ""
    if url and not url.startswith(("https://", "http://")):
        raise _ApiError(400, "Bad Request: bad webhook: invalid URL", "bad_request")
    api._state.webhook_url = url
    api._state.webhook_secret = call.params.get("secret_token")
    api._state.webhook_allowed_updates = call.params.get("allowed_updates")
    if call.params.get("drop_pending_updates"):
        api._state.updates.clear()
    api._cond.notify_all()
    return True


def _m_get_webhook_info(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": api._state.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(api._state.updates),
    }
    if api._state.webhook_allowed_updates:
        info["allowed_updates"] = api._state.webhook_allowed_updates
    return info


def _m_set_my_commands(api: FakeBotApi, call: ApiCall) -> bool:
    commands = call.params.get("commands")
    if not isinstance(commands, list):
        raise _ApiError(400, "Bad Request: can't parse commands JSON object", "bad_request")
    key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
    api._state.commands[key] = commands
    return True


def _m_get_my_commands(api: FakeBotApi, call: ApiCall) -> list[dict[str, Any]]:
    key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
    return list(api._state.commands.get(key, []))


def _m_delete_my_commands(api: FakeBotApi, call: ApiCall) -> bool:
    key = (_scope_key(call.params.get("scope")), call.params.get("language_code") or "")
    api._state.commands.pop(key, None)
    return True


def _m_send_message(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    text = call.params.get("text")
    if text is None or str(text).strip() == "":
        raise _ApiError(400, "Bad Request: message text is empty", "bad_request")
    text = str(text)
    call.params["text"] = text
    if len(text) > 4096:
        raise _ApiError(400, "Bad Request: message is too long", "bad_request")
    content: dict[str, Any] = {"text": text}
    if isinstance(call.params.get("entities"), list):
        content["entities"] = call.params["entities"]
    return api._bot_message(call, **content)


def _m_edit_message_text(api: FakeBotApi, call: ApiCall) -> dict[str, Any] | bool:
    if call.params.get("inline_message_id"):
        return True
    message = api._stored_message(call, "edit")
    text = str(call.params.get("text") or "")
    if not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty", "bad_request")
    markup = call.params.get("reply_markup")
    if message.get("text") == text and message.get("reply_markup") == markup:
        raise _ApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
            "bad_request",
        )
    message = {**message, "text": text, "edit_date": int(time.time())}
    message.pop("reply_markup", None)
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    api._state.messages[(message["chat"]["id"], message["message_id"])] = message
    return message


def _m_edit_message_reply_markup(api: FakeBotApi, call: ApiCall) -> dict[str, Any] | bool:
    if call.params.get("inline_message_id"):
        return True
    message = api._stored_message(call, "edit")
    markup = call.params.get("reply_markup")
    if message.get("reply_markup") == markup or (
        "reply_markup" not in message and not (markup or {}).get("inline_keyboard")
    ):
        raise _ApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
            "bad_request",
        )
    message = {**message, "edit_date": int(time.time())}
    message.pop("reply_markup", None)
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    api._state.messages[(message["chat"]["id"], message["message_id"])] = message
    return message


def _m_answer_callback_query(api: FakeBotApi, call: ApiCall) -> bool:
    query_id = str(call.params.get("callback_query_id"))
    if query_id not in api._state.callback_ids:
        raise _ApiError(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
            "bad_request",
        )
    api._state.callback_ids.discard(query_id)  # Telegram accepts one answer per query
    return True


def _m_send_photo(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    upload = call.files.get("photo") or _attached(call, "photo")
    data = upload.data if upload else b""
    file_id = api._store_file(data, "photos", "jpg")
    content: dict[str, Any] = {"photo": _photo_sizes(file_id, len(data))}
    if call.params.get("caption"):
        content["caption"] = str(call.params["caption"])
    return api._bot_message(call, **content)


def _m_send_document(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    upload = call.files.get("document") or _attached(call, "document")
    data = upload.data if upload else b""
    file_id = api._store_file(data, "documents", "bin")
    document: dict[str, Any] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_size": len(data),
    }
    if upload and upload.filename:
        document["file_name"] = upload.filename
    if upload and upload.content_type:
        document["mime_type"] = upload.content_type
    content: dict[str, Any] = {"document": document}
    if call.params.get("caption"):
        content["caption"] = str(call.params["caption"])
    return api._bot_message(call, **content)


def _m_send_chat_action(api: FakeBotApi, call: ApiCall) -> bool:
    api._chat_for(call.params.get("chat_id"))
    return True


def _m_delete_message(api: FakeBotApi, call: ApiCall) -> bool:
    message = api._stored_message(call, "delete")
    api._state.messages.pop((message["chat"]["id"], message["message_id"]), None)
    return True


def _m_get_chat(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    chat = api._chat_for(call.params.get("chat_id"))
    return {
        **chat.as_chat(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def _m_get_file(api: FakeBotApi, call: ApiCall) -> dict[str, Any]:
    file_id = str(call.params.get("file_id"))
    if file_id not in api._state.files:
        raise _ApiError(400, "Bad Request: invalid file_id", "bad_request")
    path, data = api._state.files[file_id]
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_size": len(data),
        "file_path": path,
    }


_METHODS: dict[str, Callable[[FakeBotApi, ApiCall], Any]] = {
    "getme": _m_get_me,
    "getupdates": FakeBotApi._get_updates,
    "deletewebhook": _m_delete_webhook,
    "setwebhook": _m_set_webhook,
    "getwebhookinfo": _m_get_webhook_info,
    "setmycommands": _m_set_my_commands,
    "getmycommands": _m_get_my_commands,
    "deletemycommands": _m_delete_my_commands,
    "sendmessage": _m_send_message,
    "editmessagetext": _m_edit_message_text,
    "editmessagereplymarkup": _m_edit_message_reply_markup,
    "answercallbackquery": _m_answer_callback_query,
    "leavechat": _m_true,
    "sendphoto": _m_send_photo,
    "senddocument": _m_send_document,
    "sendchataction": _m_send_chat_action,
    "deletemessage": _m_delete_message,
    "getchat": _m_get_chat,
    "getfile": _m_get_file,
    "close": _m_true,
    "logout": _m_true,
}

_CANONICAL = {
    name.lower(): name
    for name in (
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "leaveChat",
        "sendPhoto",
        "sendDocument",
        "sendChatAction",
        "deleteMessage",
        "getChat",
        "getFile",
        "close",
        "logOut",
    )
}


# ---------------------------------------------------------------------- pure helpers


def _matches(call: ApiCall, method: str | None, chat_id: Any, include_faults: bool) -> bool:
    if call.fault is not None and not include_faults:
        return False
    if method is not None and call.method.lower() != method.lower():
        return False
    return chat_id is None or str(call.params.get("chat_id")) == str(chat_id)


def _scope_key(scope: Any) -> str:
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)


def _update_type(update: dict[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    # Telegram measures offsets in UTF-16 code units; a leading command is ASCII anyway.
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


def _photo_sizes(file_id: str, size: int) -> list[dict[str, Any]]:
    return [
        {
            "file_id": f"{file_id}s",
            "file_unique_id": f"u{file_id}s",
            "width": 90,
            "height": 90,
            "file_size": min(size, 1024),
        },
        {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "width": 800,
            "height": 600,
            "file_size": size,
        },
    ]


def _chat_member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(
                (
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                ),
                False,
            )
        )
        member["can_manage_chat"] = True
    elif status == "restricted":
        member.update(
            dict.fromkeys(
                (
                    "is_member",
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_send_messages",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_manage_topics",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_edit_tag",
                    "can_react_to_messages",
                ),
                False,
            )
        )
        member["is_member"] = True
        member["until_date"] = 0
    return member


def _attached(call: ApiCall, param: str) -> UploadedFile | None:
    value = call.params.get(param)
    if isinstance(value, str) and value.startswith("attach://"):
        return call.files.get(value.removeprefix("attach://"))
    return None


def _decode_value(name: str, raw: str) -> Any:
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


_DISPOSITION_PARAM = re.compile(rb';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"')


def parse_multipart(body: bytes, content_type: str) -> Iterator[tuple[str, UploadedFile | str]]:
    """Yield (field name, value) for each part: an UploadedFile if it has a filename.

    Parsed by hand rather than with ``email.parser`` so binary payloads come back
    byte-for-byte (and the deprecated ``cgi`` module is not needed).
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers: dict[str, bytes] = {}
        for line in head.split(b"\r\n"):
            key, _, value = line.partition(b":")
            headers[key.strip().lower().decode("latin-1")] = value.strip()
        disposition = headers.get("content-disposition", b"")
        dparams = {
            k.decode().lower(): v.decode("utf-8").replace("%22", '"').replace('\\"', '"')
            for k, v in _DISPOSITION_PARAM.findall(disposition)
        }
        name = dparams.get("name", "")
        if "filename" in dparams:
            ctype = headers.get("content-type")
            yield (
                name,
                UploadedFile(
                    field=name,
                    filename=dparams["filename"],
                    content_type=ctype.decode("latin-1") if ctype else None,
                    data=data,
                ),
            )
        else:
            yield name, data.decode("utf-8")


# ---------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        """Unblock keep-alive handler threads so no socket outlives the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that go away (a cancelled long poll, a killed bot) are normal here and stay
        # quiet; anything else is a bug in the fake and is printed, never raised in a thread.
        if not isinstance(sys.exception(), OSError):
            traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    api: FakeBotApi
    protocol_version = "HTTP/1.1"
    timeout = 120

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)  # PTB percent-encodes file URLs, including the token's ':'
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if file_match:
            self._serve_file(file_match.group(1), file_match.group(2))
            return
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if not match:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            params, files = self._parse(url.query, body)
        except ValueError as err:
            self._reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {err}"})
            return
        try:
            status, payload = self.api._handle(match.group(2), match.group(1), params, files)
        except Exception as err:  # a bug in the fake must look like one, not like a timeout
            traceback.print_exc()
            status, payload = (
                500,
                {
                    "ok": False,
                    "error_code": 500,
                    "description": f"Internal Server Error: FakeBotApi bug: {err!r}",
                },
            )
        if payload is None:
            self.close_connection = True  # dropped: no response at all
            return
        self._reply(status, payload)

    def _parse(self, query: str, body: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {k: _decode_value(k, v) for k, v in parse_qsl(query)}
        files: dict[str, UploadedFile] = {}
        ctype = self.headers.get("Content-Type") or ""
        if not body:
            return params, files
        if ctype.startswith("application/json"):
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            params.update(data)
        elif ctype.startswith("multipart/form-data"):
            for name, value in parse_multipart(body, ctype):
                if isinstance(value, UploadedFile):
                    files[name] = value
                else:
                    params[name] = _decode_value(name, value)
        else:
            text = body.decode("utf-8")
            params.update({k: _decode_value(k, v) for k, v in parse_qsl(text)})
        return params, files

    def _serve_file(self, token: str, path: str) -> None:
        with self.api._cond:
            data = None
            if token == self.api.token:
                data = next((d for p, d in self.api._state.files.values() if p == path), None)
        if data is None:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self._send(200, data, "application/octet-stream")

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
