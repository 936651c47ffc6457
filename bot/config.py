"""Typed settings, read from the environment and `.env` (see `.env.example` for every key)."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.clock import DEFAULT_FOLLOW_UP_DAYS

if TYPE_CHECKING:
    from bot.core.closures import ClosedDays
    from bot.core.working_hours import WorkingHours

DEFAULT_TELEGRAM_API_BASE_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/navbot.db"

TOKEN_MISSING_MESSAGE = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
    "and put its token into .env as TELEGRAM_BOT_TOKEN=<token>."
)


# The drivers this package installs, and the bare schemes other tools write for them.
SUPPORTED_DATABASES = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SCHEME_ALIASES = {"postgres": "postgresql"}


def normalise_database_url(value: str) -> str:
    """`postgres://…` and `sqlite:///…` as other tools write them, with our drivers; anything
    else that is not one of our two databases is refused in one sentence."""
    from sqlalchemy.engine import make_url  # local: keep settings cheap to import
    from sqlalchemy.exc import ArgumentError

    example = "sqlite+aiosqlite:///./data/navbot.db or postgresql+psycopg://user:pass@host/db"
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise ValueError(f"not a database URL: use {example}") from None
    backend = _SCHEME_ALIASES.get(url.get_backend_name(), url.get_backend_name())
    wanted = SUPPORTED_DATABASES.get(backend)
    if wanted is None or url.drivername not in (url.get_backend_name(), wanted):
        raise ValueError(f"{url.drivername} is not supported: use {example}")
    return url.set(drivername=wanted).render_as_string(hide_password=False)


class Settings(BaseSettings):
    """Everything the bot can be told from outside.

    The token is optional here on purpose: `navbot invite`, `navbot users` and `navbot migrate`
    work without it, and `navbot run` refuses to start with one clear sentence instead of a
    pydantic stack trace.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API_BASE_URL
    bot_username: str | None = None

    database_url: str = DEFAULT_DATABASE_URL

    timezone: str = "Europe/London"
    default_working_hours: str = "mon-fri 09:00-18:00"
    # Public holidays skipped as working days: england-wales (default), scotland,
    # northern-ireland or none; CLOSURE_DAYS adds the council's own (ISO dates, a..b ranges).
    holiday_region: str = "england-wales"
    closure_days: str = ""
    default_follow_up_days: int = Field(default=DEFAULT_FOLLOW_UP_DAYS, ge=1, le=365)
    invite_expiry_days: int = Field(default=7, ge=1, le=90)
    undo_window_minutes: int = Field(default=15, ge=1, le=1440)

    log_level: str = "INFO"
    # text (for people) or json (one object per line, for a log collector)
    log_format: str = "text"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    # Prometheus metrics on http://METRICS_LISTEN:METRICS_PORT/metrics; off when unset.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_listen: str = "127.0.0.1"

    sweep_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    max_overdue_nudges: int = Field(default=3, ge=0, le=30)
    escalate_after_working_days: int = Field(default=3, ge=1, le=30)
    safeguarding_risks: Annotated[frozenset[str], NoDecode] = frozenset(
        {"weapon", "suicidal", "exploitation"}
    )
    safeguarding_repeat_minutes: int = Field(default=30, ge=1, le=1440)
    delivery_lease_seconds: int = Field(default=120, ge=1, le=3600)
    rate_limit_overall_per_second: float = Field(default=30.0, gt=0)
    rate_limit_per_chat_per_second: float = Field(default=1.0, gt=0)

    retention_days_after_close: int = Field(default=730, ge=30)

    # Languages the team's contacts are held in (ISO 639-1, "syl" for Sylheti): language
    # detection answers one of these or "unknown", never a stray guess (bot/contacts/language.py).
    contact_languages: Annotated[tuple[str, ...], NoDecode] = ("en", "bn", "syl")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.strip().upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.strip().upper()

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        from bot.logging_setup import LOG_FORMATS

        if value.strip().lower() not in LOG_FORMATS:
            raise ValueError(f"use {' or '.join(LOG_FORMATS)}")
        return value.strip().lower()

    @field_validator("default_working_hours")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        from bot.core.working_hours import WorkingHours, WorkingHoursError

        try:
            WorkingHours.parse(value)
        except WorkingHoursError as error:
            raise ValueError(f"{error} (for example mon-fri 09:00-18:00)") from None
        return value

    @field_validator("holiday_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        from bot.core.closures import HOLIDAY_REGIONS

        region = value.strip().lower().replace("_", "-").replace(" ", "-")
        region = {
            "england": "england-wales",
            "wales": "england-wales",
            "ni": "northern-ireland",
        }.get(region, region)
        if region not in HOLIDAY_REGIONS:
            raise ValueError(f"use one of {', '.join(HOLIDAY_REGIONS)}")
        return region

    @field_validator("closure_days")
    @classmethod
    def _readable_closures(cls, value: str) -> str:
        from bot.core.closures import parse_closure_days

        parse_closure_days(value)  # raises ValueError in one sentence
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("telegram_bot_token", "webhook_secret", "metrics_port", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("safeguarding_risks", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("contact_languages", mode="before")
    @classmethod
    def _language_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("contact_languages")
    @classmethod
    def _language_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [code for code in value if not re.fullmatch(r"[a-z]{2,3}", code)]
        if bad:
            raise ValueError(
                f"not language codes: {', '.join(bad)} (use ISO 639-1 like en, bn; syl for Sylheti)"
            )
        if not value:
            raise ValueError("name at least one language, e.g. en,bn,syl")
        return tuple(dict.fromkeys(value))

    @field_validator("safeguarding_risks")
    @classmethod
    def _known_risks(cls, value: frozenset[str]) -> frozenset[str]:
        from bot.core.domain import Risk  # local: keep settings importable on its own

        unknown = value - {risk.value for risk in Risk}
        if unknown:
            raise ValueError(f"unknown risks: {', '.join(sorted(unknown))}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram only accepts 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None:
            raw = value.get_secret_value()
            if not (1 <= len(raw) <= 256) or not all(
                c.isascii() and (c.isalnum() or c in "_-") for c in raw
            ):
                raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def closed_days(self) -> ClosedDays:
        from bot.core.closures import ClosedDays, parse_closure_days

        return ClosedDays(self.holiday_region, parse_closure_days(self.closure_days))

    @cached_property
    def default_hours(self) -> WorkingHours:
        """DEFAULT_WORKING_HOURS with the bank holidays and closures: everyone's hours carry
        the same closed days (``bot.contacts.saving.hours_of``)."""
        from bot.core.working_hours import WorkingHours

        return WorkingHours.parse(self.default_working_hours, self.closed_days)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
