"""The guided `/log`: client → where → outcome → services → risks → follow-up → note → card.

Pure: the flow's steps and the answers so far as a value, and the transitions between them.
The handler keeps it in the database between messages (storage.conversations, `to_data` /
`from_data`), so a restart or another process continues where the navigator left off; the
half-built draft becomes a card (`to_draft`) only at the end, and nothing is saved before the
card's Save.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.contacts.drafts import DraftState
from bot.contacts.parsing import FollowUpKind
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting

FLOW = "guided_log"
# Every conversation (this flow, Reschedule, a card waiting for a typed date) ends after
# this long without an answer; every answer starts the time again. The expiry messages say
# "30 minutes".
EXPIRES_AFTER = timedelta(minutes=30)


class Step(StrEnum):
    CLIENT = "client"
    SETTING = "setting"
    OUTCOME = "outcome"
    SERVICES = "services"
    RISKS = "risks"
    FOLLOW_UP = "follow_up"
    NOTE = "note"


# The button prefix (`g:<kind>:<value>`) each step answers to.
BUTTON_STEPS = {
    "client": Step.CLIENT,
    "setting": Step.SETTING,
    "outcome": Step.OUTCOME,
    "svc": Step.SERVICES,
    "risk": Step.RISKS,
    "fu": Step.FOLLOW_UP,
    "note": Step.NOTE,
}

_STATUS_CYCLE: tuple[ServiceStatus | None, ...] = (None, *ServiceStatus)


@dataclass(frozen=True)
class GuidedLog:
    step: Step = Step.CLIENT
    code: str | None = None
    source: str = "guided"  # "reminder" when started from a reminder's Log contact
    setting: Setting | None = None
    outcome: Outcome | None = None
    services: tuple[tuple[Service, ServiceStatus], ...] = ()
    risks: tuple[Risk, ...] = ()
    follow_up_at: datetime | None = None

    @classmethod
    def for_client(cls, code: str, *, source: str) -> GuidedLog:
        """Started with the client already known (a reminder's Log contact)."""
        return cls(step=Step.SETTING, code=code, source=source)

    # Transitions: each returns the flow at its next step.
    def with_code(self, code: str) -> GuidedLog:
        return replace(self, step=Step.SETTING, code=code)

    def with_setting(self, setting: Setting) -> GuidedLog:
        return replace(self, step=Step.OUTCOME, setting=setting)

    def with_outcome(self, outcome: Outcome) -> GuidedLog:
        return replace(self, step=Step.SERVICES, outcome=outcome)

    def with_service_cycled(self, service: Service) -> GuidedLog:
        """referred → engaged → disengaged → none → referred …"""
        chosen = dict(self.services)
        following = _STATUS_CYCLE[(_STATUS_CYCLE.index(chosen.get(service)) + 1) % 4]
        if following is None:
            chosen.pop(service, None)
        else:
            chosen[service] = following
        return replace(self, services=tuple(sorted(chosen.items(), key=lambda p: p[0].value)))

    def services_done(self) -> GuidedLog:
        return replace(self, step=Step.RISKS)

    def with_risk_toggled(self, risk: Risk) -> GuidedLog:
        risks = [r for r in self.risks if r is not risk]
        if len(risks) == len(self.risks):
            risks.append(risk)
        return replace(self, risks=tuple(risks))

    def risks_done(self) -> GuidedLog:
        return replace(self, step=Step.FOLLOW_UP)

    def with_follow_up(self, at: datetime | None) -> GuidedLog:
        return replace(self, step=Step.NOTE, follow_up_at=at)

    def to_draft(self, *, note: str, language: str, now: datetime) -> DraftState:
        """The card's draft, once every step is answered."""
        if self.code is None or self.setting is None or self.outcome is None:
            raise ValueError("the guided log is not finished")
        return DraftState(
            client_code=self.code,
            setting=self.setting,
            outcome=self.outcome,
            services=self.services,
            risks=tuple(sorted(self.risks, key=lambda r: r.value)),
            follow_up_kind=FollowUpKind.STATED if self.follow_up_at else FollowUpKind.NONE,
            follow_up_at=self.follow_up_at,
            follow_up_problem=None,
            occurred_at=now,
            language=language,
            note=note,
            source=self.source,
        )

    # Stored form: plain JSON.
    def to_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "source": self.source,
            "setting": self.setting.value if self.setting else None,
            "outcome": self.outcome.value if self.outcome else None,
            "services": {service.value: status.value for service, status in self.services},
            "risks": [risk.value for risk in self.risks],
            "follow_up_at": self.follow_up_at.isoformat() if self.follow_up_at else None,
        }

    @classmethod
    def from_data(cls, step: str, data: dict[str, Any]) -> GuidedLog:
        follow_up = data.get("follow_up_at")
        return cls(
            step=Step(step),
            code=data.get("code"),
            source=str(data.get("source") or "guided"),
            setting=Setting(data["setting"]) if data.get("setting") else None,
            outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
            services=tuple(
                sorted(
                    (
                        (Service(s), ServiceStatus(st))
                        for s, st in (data.get("services") or {}).items()
                    ),
                    key=lambda pair: pair[0].value,
                )
            ),
            risks=tuple(Risk(r) for r in data.get("risks") or ()),
            follow_up_at=datetime.fromisoformat(follow_up) if follow_up else None,
        )
