from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_DATABASE_URL, Settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_defaults_are_safe_for_a_fresh_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = _settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone == "Europe/London"
    assert settings.safeguarding_risks == {"weapon", "suicidal", "exploitation"}
    assert settings.contact_languages == ("en", "bn", "syl")
    assert settings.is_sqlite


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("SAFEGUARDING_RISKS", "weapon, overdose")
    monkeypatch.setenv("CONTACT_LANGUAGES", "EN, bn,syl, so")
    settings = _settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "42:abc"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081"
    assert settings.safeguarding_risks == {"weapon", "overdose"}
    assert settings.contact_languages == ("en", "bn", "syl", "so")


def test_the_token_never_shows_in_repr() -> None:
    settings = _settings(telegram_bot_token="42:very-secret")
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings.model_dump())


def test_empty_token_means_unset() -> None:
    assert _settings(telegram_bot_token="").telegram_bot_token is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("safeguarding_risks", "weapon,dragons", "unknown risks: dragons"),
        ("contact_languages", "en,Bengali", "not language codes: bengali"),
        ("contact_languages", " , ", "at least one language"),
        ("webhook_secret", "has spaces in it", "WEBHOOK_SECRET"),
        ("default_follow_up_days", 0, "greater than or equal to 1"),
    ],
)
def test_bad_values_are_refused_with_a_reason(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(**{field: value})


def test_timezone_object() -> None:
    assert _settings(timezone="Europe/London").tz.key == "Europe/London"


def test_holidays_closures_and_default_hours_reach_everyone_s_hours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import date

    monkeypatch.setenv("HOLIDAY_REGION", "Scotland")
    monkeypatch.setenv("CLOSURE_DAYS", "2026-12-24..2026-12-31, 2027-04-19")
    monkeypatch.setenv("DEFAULT_WORKING_HOURS", "mon-fri 20:00-08:00")
    settings = _settings()
    assert settings.holiday_region == "scotland"
    hours = settings.default_hours
    assert hours.overnight
    assert hours.closed.is_closed(date(2027, 1, 4))  # Scotland's 2 January, substituted
    assert hours.closed.is_closed(date(2026, 12, 29))  # the council's closure
    assert not hours.works_on(date(2027, 4, 19))
    assert hours.works_on(date(2027, 4, 20))
    assert _settings(holiday_region="england").holiday_region == "england-wales"
    assert _settings(holiday_region="NI").holiday_region == "northern-ireland"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("holiday_region", "france", "use one of england-wales, scotland, northern-ireland, none"),
        ("closure_days", "24/12/2026", "is not a date or a range"),
        ("closure_days", "2027-01-02..2027-01-01", "ends before it starts"),
        ("default_working_hours", "sun-mon 9-17", "runs backwards through the week"),
        ("default_working_hours", "whenever", "no time window found"),
        ("log_format", "xml", "use text or json"),
        ("log_level", "LOUD", "use DEBUG, INFO, WARNING or ERROR"),
        ("metrics_port", "0", "greater than or equal to 1"),
    ],
)
def test_operations_settings_are_refused_with_a_reason(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(**{field: value})


def test_metrics_are_off_unless_a_port_is_given() -> None:
    assert _settings().metrics_port is None
    assert _settings(metrics_port="").metrics_port is None
    assert _settings(metrics_port="9464").metrics_port == 9464
    assert _settings(log_format="JSON").log_format == "json"
