"""Every label the bot shows parses back to the same value when a navigator types it
(issue 13): English from bot/core/labels.py, Bengali from the catalog, and the Bengali wording
issue 13 point 8 moves the catalog to."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.contacts.parsing import parse_contact
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting
from bot.core.i18n import Translator
from bot.core.labels import (
    OUTCOME_LABELS,
    RISK_LABELS,
    SERVICE_LABELS,
    SETTING_LABELS,
    STATUS_LABELS,
)

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
LANGUAGES = ("en", "bn")

# Issue 13 point 8: the labels the catalog is moving to (owned by the wording change).
NEW_BENGALI: dict[object, str] = {
    Service.ETE: "শিক্ষা/প্রশিক্ষণ/চাকরি",
    Outcome.ATTEMPTED: "সাড়া পাওয়া যায়নি",
    Service.SOCIAL_CARE: "সোশ্যাল সার্ভিস",
    Risk.EXPLOITATION: "শোষণ (গ্যাং/গ্রুমিং)",
    ServiceStatus.REFERRED: "রেফার হয়েছে",
    Risk.SELF_HARM: "নিজেকে আঘাত করা",
    Service.HOUSING: "হাউজিং",
}


def _label(language: str, label: str) -> str:
    return Translator(language).raw(label)


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_contact(f"C1 {text}", now=NOW, tz=TZ)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("setting", list(Setting))
def test_setting_labels(language: str, setting: Setting) -> None:
    assert _parse(_label(language, SETTING_LABELS[setting])).setting is setting


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("outcome", list(Outcome))
def test_outcome_labels(language: str, outcome: Outcome) -> None:
    assert _parse(_label(language, OUTCOME_LABELS[outcome])).outcome is outcome


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("risk", list(Risk))
def test_risk_labels(language: str, risk: Risk) -> None:
    assert _parse(_label(language, RISK_LABELS[risk])).risks == (risk,)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", list(ServiceStatus))
@pytest.mark.parametrize("service", list(Service))
@pytest.mark.parametrize("shape", ["{service}: {status}", "{service} ({status})"])
def test_service_and_status_labels(
    language: str, service: Service, status: ServiceStatus, shape: str
) -> None:
    text = shape.format(
        service=_label(language, SERVICE_LABELS[service]),
        status=_label(language, STATUS_LABELS[status]),
    )
    draft = _parse(text)
    assert [(u.service, u.status) for u in draft.services] == [(service, status)]


@pytest.mark.parametrize(("value", "label"), NEW_BENGALI.items())
def test_the_new_bengali_labels(value: object, label: str) -> None:
    if isinstance(value, Outcome):
        assert _parse(label).outcome is value
    elif isinstance(value, Risk):
        assert _parse(label).risks == (value,)
    elif isinstance(value, Service):
        draft = _parse(f"{label} (যুক্ত আছে)")
        assert [(u.service, u.status) for u in draft.services] == [(value, ServiceStatus.ENGAGED)]
    else:
        assert isinstance(value, ServiceStatus)
        draft = _parse(f"মাদকের চিকিৎসা ({label})")
        assert [u.status for u in draft.services] == [value]
