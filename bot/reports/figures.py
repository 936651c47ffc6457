"""What every supervisor figure means, and how it is shown. Pure: no I/O, no Telegram.

The SQL that counts lives in ``storage/stats.py``; this module is the one place that says
what the counts are, and the README repeats it in plain words for commissioners.

**Engagement rate** of service S over period P (PRODUCT §5, verbatim):

- cohort = clients with at least one contact (made or attempted) in P;
- eligible = cohort clients with a ``referred`` or ``engaged`` event for S dated on or before
  the end of P;
- engaged = eligible clients with an ``engaged`` event for S dated within P, or whose latest
  S event before P was ``engaged`` and who had no ``disengaged`` event for S before P's end;
- rate = engaged / eligible, always shown with both counts: ``73% (22/30)``.

Decisions where the spec is silent (also in the README):

* "no ``disengaged`` event before P's end" is read together with "latest event before P was
  ``engaged``": a disengagement that was followed by re-engagement before P does not count
  against the client; a ``disengaged`` event inside P does. "Latest" means the latest
  ``occurred_at``, and of events at the same instant the one recorded last.
* Team scope: the cohort is made of contacts logged by the team (``contacts.team``, the
  navigator's team when they logged it); the client's service events count whoever logged
  them. A client who moved team therefore counts for each team that had contact with them
  in P, and once for "all teams".
* Percentages are rounded to the nearest whole percent, halves up (22/30 = 73.3% → 73%).
  A change between two periods is the difference of the two shown percentages in percentage
  points (58% → 73% is +15 pp), so the figures on screen always add up.
* An empty denominator is never a division: it reads "no eligible clients".

Every figure and date built here reaches the reader in their digits: numbers go through
``t(...)`` placeholders or ``t.digits`` (Bengali: ``৭৩% (২২/৩০)``, ``+১৫ শতাংশ পয়েন্ট``).
Period labels (``Q1 2026``, ``2026-03``) are command arguments a supervisor types back, so,
like commands, they stay as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.domain import FollowUpStatus, Outcome, Service, Setting
from bot.core.i18n import N_, Html, Translator
from bot.core.labels import local_numeric_datetime
from bot.reports.periods import Period, PeriodErrorReason
from storage.stats import NavigatorFigures

MESSAGE_LIMIT = 4096

SERVICE_LABELS: dict[Service, str] = {
    Service.DRUG_TREATMENT: N_("Drug treatment"),
    Service.ETE: N_("ETE (education, training, employment)"),
    Service.MENTAL_HEALTH: N_("Mental health"),
    Service.HOUSING: N_("Housing"),
    Service.SOCIAL_CARE: N_("Social care"),
    Service.VCS: N_("Voluntary and community sector"),
}
SHORT_SERVICE_LABELS: dict[Service, str] = {
    Service.DRUG_TREATMENT: N_("Drug treatment"),
    Service.ETE: N_("ETE"),
}
SETTING_LABELS: dict[str | None, str] = {
    Setting.HOSPITAL.value: N_("hospital"),
    Setting.COMMUNITY.value: N_("community"),
    Setting.PHONE.value: N_("phone"),
    Setting.MESSAGE.value: N_("message"),
    Setting.HOME.value: N_("home visit"),
    Setting.OFFICE.value: N_("office"),
    Setting.JUSTICE.value: N_("custody/probation"),
    None: N_("not recorded"),
}
OUTCOME_LABELS: dict[str, str] = {
    Outcome.MADE.value: N_("made"),
    Outcome.ATTEMPTED.value: N_("attempted"),
    Outcome.DECLINED.value: N_("declined"),
}
FOLLOW_UP_STATUS_LABELS: dict[str, str] = {
    FollowUpStatus.OPEN.value: N_("open"),
    FollowUpStatus.DONE.value: N_("done"),
    FollowUpStatus.CANCELLED.value: N_("cancelled"),
}
LANGUAGE_LABELS: dict[str, str] = {
    "en": N_("English"),
    "bn": N_("Bengali"),
    "syl": N_("Sylheti"),
    "unknown": N_("unknown"),
}
NONE_DUE = N_("none due")

PERIOD_FORMS = (
    "today, week, month, quarter, year, last-week, last-month, 2026-03, Q1 2026, 2026, "
    "2026-03-01..2026-03-15, month vs last-month, Q1 vs Q2"
)


@dataclass(frozen=True)
class Rate:
    """``numerator`` of ``denominator``; ``percent`` is None when the denominator is 0."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError("a rate needs 0 <= numerator <= denominator")

    @property
    def percent(self) -> int | None:
        if self.denominator == 0:
            return None
        exact = Decimal(100 * self.numerator) / Decimal(self.denominator)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def change_in_points(current: Rate, previous: Rate) -> int | None:
    """Percentage points from ``previous`` to ``current`` (of the shown percentages)."""
    if current.percent is None or previous.percent is None:
        return None
    return current.percent - previous.percent


def format_rate(t: Translator, rate: Rate, *, empty: str = N_("no eligible clients")) -> str:
    """``73% (22/30)``; the ``empty`` text when nobody is in the denominator."""
    if rate.percent is None:
        return t(empty)
    return t(
        "{percent}% ({numerator}/{denominator})",
        percent=rate.percent,
        numerator=rate.numerator,
        denominator=rate.denominator,
    )


def format_change(t: Translator, points: int | None) -> str:
    if points is None:
        return t("no comparison")
    if points == 0:
        return t("no change")
    sign = "+" if points > 0 else "−"
    return t("{sign}{points} pp", sign=sign, points=abs(points))


@dataclass(frozen=True)
class StatsFigures:
    """Everything /stats shows for one period and scope."""

    period: Period
    team: str | None  # None: all teams
    contacts_by_outcome: Mapping[str, int]
    contacts_by_setting: Mapping[str | None, int]
    contacts_by_language: Mapping[str, int]
    unique_clients: int
    new_clients: int
    followups_on_time: Rate  # done on time / due in the period (up to now)
    overdue_now: int
    engagement: Mapping[Service, Rate]  # every service, empty ones as 0/0
    safeguarding_alerts: int
    navigators: Sequence[NavigatorFigures]

    @property
    def contacts(self) -> int:
        return sum(self.contacts_by_outcome.values())


def team_label(t: Translator, team: str | None) -> str:
    return t("all teams") if team is None else team


def _days(t: Translator, period: Period) -> str:
    if period.first_day == period.last_day:
        return t.digits(period.first_day.strftime("%d/%m/%Y"))
    return t.digits(f"{period.first_day:%d/%m/%Y}–{period.last_day:%d/%m/%Y}")


def _breakdown(t: Translator, counts: Mapping[Any, int], labels: Mapping[Any, str]) -> str:
    if not any(counts.values()):
        return t("none")
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return ", ".join(
        t("{label} {count}", label=t(labels[key]) if key in labels else str(key), count=count)
        for key, count in ordered
        if count
    )


def _contacts_line(t: Translator, figures: StatsFigures) -> str:
    by = figures.contacts_by_outcome
    return t(
        "{total} (made {made}, attempted {attempted}, declined {declined})",
        total=figures.contacts,
        made=by.get(Outcome.MADE.value, 0),
        attempted=by.get(Outcome.ATTEMPTED.value, 0),
        declined=by.get(Outcome.DECLINED.value, 0),
    )


def _followups_line(t: Translator, figures: StatsFigures) -> str:
    rate = figures.followups_on_time
    share = format_rate(t, rate, empty=NONE_DUE)  # not inside t(): Babel would miss NONE_DUE
    return t("{due} due, done on time {share}", due=rate.denominator, share=Html(share))


def _navigator_lines(t: Translator, figures: StatsFigures) -> list[str]:
    lines = [t("<b>Navigators</b> (contacts · open caseload · overdue)")]
    for nav in figures.navigators:
        lines.append(
            t(
                "{name}: {contacts} · {caseload} · {overdue}",
                name=nav.display_name or t("staff #{id}", id=nav.staff_id),
                contacts=nav.contacts,
                caseload=nav.open_caseload,
                overdue=nav.overdue,
            )
        )
    if not figures.navigators:
        lines.append(t("none"))
    return lines


def render_stats(
    t: Translator, current: StatsFigures, previous: StatsFigures | None = None
) -> list[str]:
    """The /stats reply as lines of HTML (split them with :func:`split_message`)."""
    scope = team_label(t, current.team)
    if previous is None:
        lines = [
            t(
                "<b>Stats for {team} — {label}</b> ({days})",
                team=scope,
                label=current.period.label,
                days=_days(t, current.period),
            )
        ]
    else:
        lines = [
            t(
                "<b>Stats for {team} — {label} vs {baseline}</b>",
                team=scope,
                label=current.period.label,
                baseline=previous.period.label,
            ),
            t(
                "{label}: {days}; {baseline}: {baseline_days}",
                label=current.period.label,
                days=_days(t, current.period),
                baseline=previous.period.label,
                baseline_days=_days(t, previous.period),
            ),
        ]

    def pair(name: str, now_text: str, then_text: str | None, change: str | None = None) -> str:
        if then_text is None:
            return t("{name}: {value}", name=Html(name), value=Html(now_text))
        assert previous is not None
        text = t(
            "{name}: {value} · {baseline}: {baseline_value}",
            name=Html(name),
            value=Html(now_text),
            baseline=previous.period.label,
            baseline_value=Html(then_text),
        )
        return text if change is None else f"{text} · {change}"

    prev = previous
    lines.append(
        pair(
            t("Contacts"),
            _contacts_line(t, current),
            _contacts_line(t, prev) if prev else None,
        )
    )
    lines.append(
        pair(
            t("Clients"),
            t("{unique} unique, {new} new", unique=current.unique_clients, new=current.new_clients),
            t("{unique} unique, {new} new", unique=prev.unique_clients, new=prev.new_clients)
            if prev
            else None,
        )
    )
    lines.append(
        pair(
            t("Follow-ups"),
            _followups_line(t, current),
            _followups_line(t, prev) if prev else None,
            format_change(t, change_in_points(current.followups_on_time, prev.followups_on_time))
            if prev
            else None,
        )
    )
    lines.append(t("Overdue now: {count}", count=current.overdue_now))
    lines.append(
        pair(
            t("Safeguarding alerts raised"),
            t.digits(str(current.safeguarding_alerts)),
            t.digits(str(prev.safeguarding_alerts)) if prev else None,
        )
    )
    lines.append(t("<b>Engagement</b> (engaged/eligible)"))
    for service in Service:
        rate = current.engagement.get(service, Rate(0, 0))
        old = prev.engagement.get(service, Rate(0, 0)) if prev else None
        lines.append(
            pair(
                t(SERVICE_LABELS[service]),
                format_rate(t, rate),
                format_rate(t, old) if old is not None else None,
                format_change(t, change_in_points(rate, old)) if old is not None else None,
            )
        )
    lines.append(
        pair(
            t("By setting"),
            _breakdown(t, current.contacts_by_setting, SETTING_LABELS),
            _breakdown(t, prev.contacts_by_setting, SETTING_LABELS) if prev else None,
        )
    )
    lines.append(
        pair(
            t("By language"),
            _breakdown(t, current.contacts_by_language, LANGUAGE_LABELS),
            _breakdown(t, prev.contacts_by_language, LANGUAGE_LABELS) if prev else None,
        )
    )
    if prev is not None:
        lines.append(t("Navigator lines are for {label}.", label=current.period.label))
    lines += _navigator_lines(t, current)
    return lines


def split_message(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as possible, each at most ``limit`` characters.
    A single over-long line is cut (lines are ours and carry no unclosed tags at the end)."""
    messages: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = line
    if current:
        messages.append(current)
    return messages


def trim_to_one_message(t: Translator, lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """All of ``lines`` if they fit one message, else as many as fit and a line saying how
    many were left out (for the digest, which is one outbox message)."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index
        note = t.plural("… and {count} more line", "… and {count} more lines", rest)
        if len("\n".join([*kept, line, note])) > limit:
            return "\n".join([*kept, note])
        kept.append(line)
    return "\n".join(kept)  # pragma: no cover - the loop returns once the limit is reached


@dataclass(frozen=True)
class OverdueItem:
    navigator_id: int
    navigator: str | None
    client_code: str
    due_at: datetime
    working_days_overdue: int


def render_overdue(
    t: Translator, items: Sequence[OverdueItem], *, team: str | None, tz: ZoneInfo
) -> list[str]:
    """The overdue list grouped by navigator: client code, due date, working days overdue."""
    if not items:
        return [t("No overdue follow-ups for {team}.", team=team_label(t, team))]
    # Values are computed before t.plural(): Babel extracts only the singular of a call
    # with another call among its arguments, and Bengali would fall back to English.
    scope, count = team_label(t, team), len(items)
    lines = [
        t.plural(
            "<b>{count} overdue follow-up for {team}</b>",
            "<b>{count} overdue follow-ups for {team}</b>",
            count,
            team=scope,
        )
    ]
    last_navigator: int | None = None
    for item in items:
        if item.navigator_id != last_navigator:
            last_navigator = item.navigator_id
            lines.append("")
            lines.append(
                t(
                    "<b>{name}</b>",
                    name=item.navigator or t("staff #{id}", id=item.navigator_id),
                )
            )
        due = local_numeric_datetime(t, item.due_at, tz)
        line = t.plural(
            "{code} — due {due}, {count} working day overdue",
            "{code} — due {due}, {count} working days overdue",
            item.working_days_overdue,
            code=item.client_code,
            due=due,
        )
        lines.append(line)
    return lines


PERIOD_ERRORS: dict[PeriodErrorReason, str] = {
    PeriodErrorReason.UNKNOWN: N_("I did not recognise that period."),
    PeriodErrorReason.IMPOSSIBLE_DATE: N_("That date is not in the calendar."),
    PeriodErrorReason.OUT_OF_RANGE: N_("Years must be between 1970 and 2100."),
    PeriodErrorReason.REVERSED_RANGE: N_("The period starts after it ends."),
    PeriodErrorReason.TOO_LONG: N_("A range can cover at most three years."),
    PeriodErrorReason.BAD_COMPARISON: N_("Compare two periods like this: Q1 vs Q2."),
}


def period_help(t: Translator, reason: PeriodErrorReason | None = None) -> str:
    """The reply to a period we could not read: why, then the accepted forms."""
    lines = [t(PERIOD_ERRORS[reason])] if reason is not None else []
    lines.append(t("Periods I understand: {forms}.", forms=PERIOD_FORMS))
    return "\n".join(lines)
