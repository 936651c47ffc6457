"""Human labels for every category, translatable; dates shown in local time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting
from bot.core.i18n import N_, Translator

SETTING_LABELS: dict[Setting, str] = {
    Setting.HOSPITAL: N_("hospital"),
    Setting.COMMUNITY: N_("community"),
    Setting.PHONE: N_("phone"),
    Setting.MESSAGE: N_("message"),
    Setting.HOME: N_("home visit"),
    Setting.OFFICE: N_("office"),
    Setting.JUSTICE: N_("custody/probation"),
}
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.MADE: N_("contact made"),
    Outcome.ATTEMPTED: N_("tried, no answer"),
    Outcome.DECLINED: N_("declined"),
}
SERVICE_LABELS: dict[Service, str] = {
    Service.DRUG_TREATMENT: N_("drug treatment"),
    Service.ETE: N_("education, training, employment"),
    Service.MENTAL_HEALTH: N_("mental health"),
    Service.HOUSING: N_("housing"),
    Service.SOCIAL_CARE: N_("social care"),
    Service.VCS: N_("voluntary sector"),
}
STATUS_LABELS: dict[ServiceStatus, str] = {
    ServiceStatus.REFERRED: N_("referred"),
    ServiceStatus.ENGAGED: N_("engaged"),
    ServiceStatus.DISENGAGED: N_("disengaged"),
}
RISK_LABELS: dict[Risk, str] = {
    Risk.VIOLENCE: N_("violence"),
    Risk.WEAPON: N_("weapon"),
    Risk.OVERDOSE: N_("overdose"),
    Risk.SELF_HARM: N_("self-harm"),
    Risk.EXPLOITATION: N_("exploitation"),
    Risk.SUICIDAL: N_("suicidal"),
}
LANGUAGE_LABELS: dict[str, str] = {
    "en": N_("English"),
    "bn": N_("Bengali"),
    "syl": N_("Sylheti"),
    "ur": N_("Urdu"),
    "so": N_("Somali"),
    "unknown": N_("not known"),
}
BABEL_LOCALES = {"en": "en_GB", "bn": "bn_BD"}
# Bengali month abbreviations in CLDR (এপ্রি, সেপ, নভে) are not what people write: full
# month names (এপ্রিল) read better and are short anyway. Day abbreviations (শুক্র) are usual.
_MONTH = {"bn": "MMMM"}


def setting_label(t: Translator, value: str | None) -> str:
    if value is None:
        return t("not stated")
    return t.raw(SETTING_LABELS[Setting(value)])


def outcome_label(t: Translator, value: str) -> str:
    return t.raw(OUTCOME_LABELS[Outcome(value)])


def service_label(t: Translator, value: str) -> str:
    return t.raw(SERVICE_LABELS[Service(value)])


def status_label(t: Translator, value: str) -> str:
    return t.raw(STATUS_LABELS[ServiceStatus(value)])


def risk_label(t: Translator, value: str) -> str:
    return t.raw(RISK_LABELS[Risk(value)])


def language_label(t: Translator, code: str) -> str:
    label = LANGUAGE_LABELS.get(code)
    return t.raw(label) if label else code


def _format(t: Translator, instant: datetime, tz: ZoneInfo, pattern: str) -> str:
    # Babel writes Bengali month and day names but Latin digits (it ignores the locale's
    # numbering system for dates): `t.digits` makes them ০-৯ to match (see bot/core/i18n.py).
    locale = BABEL_LOCALES.get(t.language, "en_GB")
    pattern = pattern.replace("MMM", _MONTH.get(t.language, "MMM"))
    return t.digits(format_datetime(instant, pattern, tzinfo=tz, locale=locale))


def local_datetime(t: Translator, instant: datetime, tz: ZoneInfo) -> str:
    """`Fri 27 Mar 09:00` in the reader's language, in the team's time zone; in Bengali
    `শুক্র ২৭ মার্চ ০৯:০০` (`মঙ্গল ১ সেপ্টেম্বর ১৪:৩০`)."""
    return _format(t, instant, tz, "EEE d MMM HH:mm")


def local_date(t: Translator, instant: datetime, tz: ZoneInfo) -> str:
    return _format(t, instant, tz, "EEE d MMM")


def local_numeric_datetime(t: Translator, instant: datetime, tz: ZoneInfo) -> str:
    """`Fri 27/03/2026 09:00` for reports (the year matters in a list read later); in
    Bengali `শুক্র ২৭/০৩/২০২৬ ০৯:০০`."""
    locale = BABEL_LOCALES.get(t.language, "en_GB")
    return t.digits(format_datetime(instant, "EEE dd/MM/yyyy HH:mm", tzinfo=tz, locale=locale))


class NamedStaff(Protocol):
    """How a staff member can be named to colleagues (a staff row has these)."""

    @property
    def display_name(self) -> str | None: ...
    @property
    def username(self) -> str | None: ...
    @property
    def telegram_id(self) -> int: ...


def name_of(member: NamedStaff) -> str:
    return member.display_name or (
        f"@{member.username}" if member.username else str(member.telegram_id)
    )
