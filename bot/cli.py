"""`navbot`: the one console command. Subcommands run the bot and do admin chores."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.config import TOKEN_MISSING_MESSAGE, Settings
from bot.contacts.codes import InvalidClientCode, parse_client_code
from bot.core.access import normalise_team
from bot.core.domain import AuditAction, Role
from bot.followups.handover import Actor
from bot.logging_setup import configure_logging, install_output_scrubbing, secret_parts
from bot.people.data_requests import erase_client, export_client
from bot.people.invites import deep_link, parse_duration_days
from bot.people.onboarding import issue_invite
from bot.people.team_admin import AdminRefusal, hand_to_supervisor, open_caseload
from bot.single_instance import AlreadyRunning, SingleInstanceLock
from bot.startup import (
    StartupProblem,
    check_api_base_url,
    check_token_shape,
    fetch_bot_identity,
)
from storage.audit import create_audit_entry
from storage.db import create_engine, create_session_factory, sqlite_path
from storage.migrate import DatabaseProblem, describe_database, migrate, migrate_blocking
from storage.staff import (
    get_app_state,
    get_staff_by_telegram_id,
    list_staff,
    mark_staff_revoked,
)

if TYPE_CHECKING:
    from bot.context import NavApplication

log = logging.getLogger(__name__)

TOKEN_REJECTED = (
    "Telegram rejected TELEGRAM_BOT_TOKEN: copy the current token from @BotFather (/token); "
    "it changes when the token is revoked."
)


@asynccontextmanager
async def _transaction(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A migrated database and one transaction on it: what every admin command needs."""
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            yield session
    finally:
        await engine.dispose()


class CliError(Exception):
    """A user mistake: printed as one line, exit status 2."""


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {_problem_text(dict(e))}"
            for e in error.errors()
        )
        raise CliError(f"configuration error: {problems}") from None


def _problem_text(error: dict[str, object]) -> str:
    # pydantic prefixes the messages of our own validators with "Value error, ".
    return str(error["msg"]).removeprefix("Value error, ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="navbot", description="Navigator Assistant bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply migrations and start the bot (polling, or webhook if set)")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("health", help="check the database, migrations and deliveries (exit 0/1)")
    invite = sub.add_parser("invite", help="create a single-use invite code")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--team", required=True)
    invite.add_argument("--name", default=None, help="display name shown to colleagues")
    invite.add_argument("--expires", default=None, help="validity, e.g. 7d or 2w (default 7d)")
    sub.add_parser("users", help="list staff")
    revoke = sub.add_parser("revoke", help="revoke a staff member's access")
    revoke.add_argument("telegram_id", help="numeric Telegram user id")
    revoke.add_argument(
        "--hand-over",
        action="store_true",
        help="hand their open caseload to the team's supervisor first",
    )
    export = sub.add_parser("client-export", help="print everything held about one client (JSON)")
    export.add_argument("code")
    erase = sub.add_parser("client-erase", help="erase everything held about one client")
    erase.add_argument("code")
    erase.add_argument("--yes", action="store_true", help="really erase (no undo)")
    backup = sub.add_parser(
        "backup", help="copy the database to a file, safely while the bot runs (README: Backups)"
    )
    backup.add_argument("path", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    restore = sub.add_parser(
        "restore", help="replace the database with a backup (the bot must be stopped)"
    )
    restore.add_argument("path", help="a file written by `navbot backup`")
    misses = sub.add_parser("parser-misses", help="commonest corrections navigators made on cards")
    misses.add_argument("--since", default="30d", help="how far back, e.g. 30d or 8w (default 30d)")
    parse = sub.add_parser(
        "parse", help="show what the bot reads in a message, as JSON (no database, no token)"
    )
    parse.add_argument("text", nargs="?", help="the message")
    parse.add_argument("--jsonl", metavar="FILE", help="one message per line (text or JSON)")
    parse.add_argument("--now", help="ISO date-time the message was sent (default: now)")
    parse.add_argument("--tz", default=None, help="time zone (default: the TIMEZONE setting)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Outermost layer: whatever is printed from here on (a log line, a warning, a traceback
    # from any thread) passes through a filter that knows the token. The settings may name
    # more secrets (.env, a webhook secret); `_run` adds them once they are read.
    install_output_scrubbing(secret_parts(os.environ.get("TELEGRAM_BOT_TOKEN")))
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except CliError as error:
        print(f"navbot: {error}", file=sys.stderr)
        return 2
    except (StartupProblem, DatabaseProblem) as problem:
        print(f"navbot: {problem}", file=sys.stderr)
        log.debug("start-up problem in detail", exc_info=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last resort: one sentence, the detail at DEBUG only
        print(
            f"navbot: stopped by an unexpected {type(error).__name__}; "
            "run again with LOG_LEVEL=DEBUG for the details.",
            file=sys.stderr,
        )
        log.debug("unexpected error in detail", exc_info=True)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run()
    if args.command == "parse":
        tz = args.tz or _load_settings().timezone
        return _parse(args.text, jsonl=args.jsonl, now=args.now, tz=tz)
    settings = _load_settings()
    if args.command == "migrate":
        migrate_blocking(settings.database_url)
        print("database is up to date")
        return 0
    if args.command == "invite":
        return asyncio.run(_invite(settings, args.role, args.team, args.name, args.expires))
    if args.command == "users":
        return asyncio.run(_users(settings))
    if args.command == "revoke":
        return asyncio.run(_revoke(settings, args.telegram_id, hand_over=args.hand_over))
    if args.command == "client-export":
        return asyncio.run(_client_export(settings, _code(args.code)))
    if args.command == "client-erase":
        return asyncio.run(_client_erase(settings, _code(args.code), confirmed=args.yes))
    if args.command == "backup":
        return _backup(settings, Path(args.path), overwrite=args.force)
    if args.command == "restore":
        return _restore(settings, Path(args.path))
    if args.command == "parser-misses":
        return asyncio.run(_parser_misses(settings, args.since))
    if args.command == "health":
        return asyncio.run(_health(settings))
    return 2  # pragma: no cover - argparse already refused unknown commands


async def _health(settings: Settings) -> int:
    """One line per check; exit 0 when all pass (the container's HEALTHCHECK)."""
    from bot.ops.health import check_health

    engine = create_engine(settings.database_url)
    try:
        report = await check_health(engine, settings, now=datetime.now(UTC))
    finally:
        await engine.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _parse(text: str | None, *, jsonl: str | None, now: str | None, tz: str) -> int:
    from bot.contacts.parse_output import parse_command_lines

    if (text is None) == (jsonl is None):
        raise CliError('give either a message or --jsonl FILE: navbot parse "C123 seen in ED"')
    try:
        for line in parse_command_lines(text, jsonl=jsonl, now=now, tz=tz):
            print(line)
    except (ValueError, OSError) as error:
        raise CliError(str(error)) from None
    return 0


def _run() -> int:
    settings = _load_settings()
    if settings.telegram_bot_token is None:
        print(TOKEN_MISSING_MESSAGE, file=sys.stderr)
        return 1
    token = settings.telegram_bot_token.get_secret_value()
    if settings.webhook_url and not settings.is_sqlite and settings.webhook_secret is None:
        # Several processes may share PostgreSQL behind one URL: each making up its own
        # secret would overwrite the others' registration and refuse their updates.
        print(
            "navbot: WEBHOOK_SECRET is required in webhook mode with PostgreSQL: set the same "
            "value (A-Z a-z 0-9 _ -, e.g. from `openssl rand -hex 32`) for every process.",
            file=sys.stderr,
        )
        return 1
    webhook_secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    install_output_scrubbing([*secret_parts(token), webhook_secret])
    # Local checks first: they cost nothing and name the setting to fix.
    check_token_shape(token)
    check_api_base_url(settings.telegram_api_base_url)
    configure_logging(
        settings.log_level, [*secret_parts(token), webhook_secret], log_format=settings.log_format
    )

    lock = None
    db_file = sqlite_path(settings.database_url)
    if db_file is not None:
        lock = SingleInstanceLock(db_file)
        try:
            lock.acquire()
        except AlreadyRunning as error:
            print(f"navbot: {error}", file=sys.stderr)
            return 1
    try:
        migrate_blocking(settings.database_url)
        fetch_bot_identity(settings.telegram_api_base_url, token)
        from bot.app import build_application  # telegram import cost only for `run`

        use_fast_event_loop()

        app = build_application(settings)
        if settings.metrics_port is not None:
            _serve_metrics(settings)
        _run_application(app, settings, webhook_secret)
    finally:
        if lock is not None:
            lock.release()
    return 0


def use_fast_event_loop() -> bool:
    """uvloop's event loop for `navbot run`, where it is installed (it is a dependency
    except on Windows). Each aiosqlite call is a trip to the database thread and back that
    wakes the loop; uvloop makes those wake-ups cheaper: about 20 % more saved logs per
    second at 1M contacts, and the storage calls alone about 50 % (bench/README.md)."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def _serve_metrics(settings: Settings) -> None:
    from bot.ops.metrics import serve_metrics

    assert settings.metrics_port is not None
    try:
        serve_metrics(settings.metrics_port, settings.metrics_listen)
    except OSError as error:
        raise StartupProblem(
            f"cannot serve metrics on {settings.metrics_listen}:{settings.metrics_port} "
            f"({error.strerror or type(error).__name__}): choose another METRICS_PORT or "
            "METRICS_LISTEN, or stop what is using it."
        ) from None
    logging.getLogger(__name__).info(
        "metrics on http://%s:%d/metrics", settings.metrics_listen, settings.metrics_port
    )


def _run_application(app: NavApplication, settings: Settings, webhook_secret: str) -> None:
    """Polling or webhook until SIGINT/SIGTERM. Telegram failing between our own check and
    PTB's start-up (the token revoked, the network gone) is the same sentence as before."""
    try:
        if settings.webhook_url:
            from bot.webhook import serve_webhook

            asyncio.run(serve_webhook(app, settings, webhook_secret))
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise StartupProblem(TOKEN_REJECTED) from None
    except OSError as error:  # the webhook server's address is taken or not ours to bind
        if not settings.webhook_url:
            raise
        raise StartupProblem(
            f"cannot listen for webhooks on {settings.webhook_listen}:{settings.webhook_port} "
            f"({error.strerror or type(error).__name__}): choose another WEBHOOK_PORT or "
            "WEBHOOK_LISTEN, or stop what is using it."
        ) from None
    except NetworkError as error:
        raise StartupProblem(
            f"Telegram stopped answering at {settings.telegram_api_base_url} while the bot "
            f"was starting ({type(error).__name__}): check the network and try again."
        ) from None


async def _invite(
    settings: Settings, role: str, team_raw: str, name: str | None, expires: str | None
) -> int:
    team = normalise_team(team_raw)
    if team is None:
        raise CliError("--team takes letters, digits, - and _ (up to 32 characters)")
    try:
        days = parse_duration_days(expires) if expires else settings.invite_expiry_days
    except ValueError as error:
        raise CliError(str(error)) from None
    async with _transaction(settings) as session:
        code, expires_at = await issue_invite(
            session,
            role=Role(role),
            team=team,
            display_name=(name or "").strip()[:64] or None,
            now=datetime.now(UTC),
            expires_in_days=days,
        )
        username = settings.bot_username or await get_app_state(session, key="bot_username")
    local = expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M %Z")
    print(f"/start {code}")
    if username:
        print(deep_link(username, code))
    print(f"single use, {role} in team {team}, valid until {local}", file=sys.stderr)
    return 0


async def _users(settings: Settings) -> int:
    async with _transaction(settings) as session:
        staff = await list_staff(session)
    header = ("telegram_id", "name", "role", "team", "language", "active", "reachable")
    rows = [
        (
            str(s.telegram_id),
            s.display_name or "",
            s.role,
            s.team,
            s.ui_language,
            "yes" if s.active else "no",
            "yes" if s.reachable else "no",
        )
        for s in staff
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if not rows:
        print("(no staff yet: `navbot invite --role admin --team <team>` creates the first invite)")
    return 0


async def _revoke(settings: Settings, raw_id: str, *, hand_over: bool = False) -> int:
    if not raw_id.isdigit():
        raise CliError(f"expected a numeric Telegram id, got {raw_id!r}")
    telegram_id = int(raw_id)
    receiver = None
    async with _transaction(settings) as session:
        now = datetime.now(UTC)
        staff = await get_staff_by_telegram_id(session, telegram_id=telegram_id)
        if staff is None:
            raise CliError(f"no staff member has Telegram id {telegram_id}")
        # Issue 16: nobody's clients fall through the gap when they leave.
        open_clients = await open_caseload(session, staff_id=staff.id)
        if open_clients and not hand_over:
            raise CliError(
                f"{telegram_id} has {open_clients} open clients: hand them over first "
                "(/handover in chat), or pass --hand-over to give them to the team's supervisor"
            )
        if open_clients:
            cli_actor = Actor(None, None, Role.ADMIN, staff.team)  # the command line
            handed = await hand_to_supervisor(session, actor=cli_actor, member=staff, now=now)
            if isinstance(handed, AdminRefusal):
                raise CliError(
                    f"team {staff.team} has no supervisor to take the caseload: "
                    "use /handover to a colleague first"
                )
            receiver = handed
        await mark_staff_revoked(session, telegram_id=telegram_id, at=now)
        await create_audit_entry(
            session,
            action=AuditAction.REVOKE,
            client_code=None,
            detail=f"telegram_id={telegram_id}",
            at=now,
        )
    if receiver is not None:
        print(f"handed {open_clients} open clients to {receiver.telegram_id}")
    print(f"revoked {telegram_id}; they are refused from their next message")
    return 0


def _code(raw: str) -> str:
    try:
        return parse_client_code(raw)
    except InvalidClientCode as error:
        raise CliError(
            f"not a client code ({error.error}): codes look like C123 or RLH-042"
        ) from None


async def _client_export(settings: Settings, code: str) -> int:
    async with _transaction(settings) as session:
        data = await export_client(session, code=code, now=datetime.now(UTC))
    if data is None:
        raise CliError(f"no client {code}")
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


async def _client_erase(settings: Settings, code: str, *, confirmed: bool) -> int:
    if not confirmed:
        raise CliError(f"this erases {code} and all its contacts for good; add --yes to do it")
    async with _transaction(settings) as session:
        contacts = await erase_client(session, code=code, now=datetime.now(UTC))
    if contacts is None:
        raise CliError(f"no client {code}")
    print(f"erased {code}: {contacts} contacts and everything attached; the audit log records it")
    return 0


def _backup(settings: Settings, target: Path, *, overwrite: bool) -> int:
    from bot.ops.backup import back_up

    revision = back_up(settings.database_url, target, overwrite=overwrite)
    schema = f" (schema revision {revision})" if revision else ""
    print(f"backed up the {describe_database(settings.database_url)} to {target}{schema}")
    return 0


def _restore(settings: Settings, source: Path) -> int:
    from bot.ops.backup import restore

    result = restore(settings.database_url, source)
    print(
        f"restored the {describe_database(settings.database_url)} from {source} "
        f"(schema revision {result.revision}); start the bot to bring it up to date"
    )
    if result.kept_previous is not None:
        print(f"the database it replaced is kept as {result.kept_previous}")
    return 0


async def _parser_misses(settings: Settings, since_raw: str) -> int:
    """Issue 13.10: what navigators corrected on cards, to extend the vocabulary from."""
    from bot.contacts.corrections import parse_since_days, parser_misses_report

    try:
        days = parse_since_days(since_raw)
    except ValueError as error:
        raise CliError(str(error)) from None
    async with _transaction(settings) as session:
        lines = await parser_misses_report(session, since=datetime.now(UTC) - timedelta(days=days))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
