"""A cohort of clients built through the real logging path (`save_contact`) whose engagement
figures are known by construction (PRODUCT §1's headline results):

* drug treatment: Q1 2026 58% (29/50) → Q2 2026 73% (22/30), +15 pp;
* ETE: Q1 2026 37% (11/30) → Q2 2026 59% (13/22), +22 pp.

Groups (each client appears in one group; "before" is November 2025):

drug treatment
  A 20  Q1 engaged. In Q2: 14 contacted without events (still engaged), 2 disengaged, 4 unseen
  B  9  engaged before; contacted in Q1 without events (still engaged)
  C 15  referred in Q1
  D  3  referred before; contacted in Q1 without events (eligible, not engaged)
  E  3  engaged before, disengaged in Q1 (eligible, not engaged)
  F  8  engaged in Q2 (new)
  G  6  referred in Q2 (new)
ETE
  H 11  engaged in Q1 (contacts in Bengali). In Q2: 5 contacted without events, 6 unseen
  I 19  referred in Q1
  J  8  engaged in Q2 (new)
  K  9  referred in Q2 (new)
others
  L  5  Q1 contact without services;  L2 3 new in Q2 with attempted contacts only
  M  2  engaged in drug treatment in Q1 but their only contact was declined: not in the
        cohort, so not counted

Q1 2026: 87 unique clients (72 new), contacts made 85, declined 2.
Q2 2026: 55 unique clients (34 new), contacts made 52, attempted 3.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts.saving import ContactInput, ReminderSettings, save_contact
from bot.core.domain import Outcome, Service, ServiceStatus, Setting, StaffMember

BEFORE = datetime(2025, 11, 20, 11, 0, tzinfo=UTC)
Q1_DAY = datetime(2026, 2, 10, 11, 0, tzinfo=UTC)
Q2_DAY = datetime(2026, 5, 12, 11, 0, tzinfo=UTC)

DRUG = Service.DRUG_TREATMENT
ETE = Service.ETE
REF, ENG, DIS = ServiceStatus.REFERRED, ServiceStatus.ENGAGED, ServiceStatus.DISENGAGED

Event = tuple[Service, ServiceStatus]


@dataclass(frozen=True)
class Expected:
    unique: int
    new: int
    made: int
    attempted: int
    declined: int
    drug: tuple[int, int]  # engaged, eligible
    ete: tuple[int, int]


Q1 = Expected(unique=87, new=72, made=85, attempted=0, declined=2, drug=(29, 50), ete=(11, 30))
Q2 = Expected(unique=55, new=34, made=52, attempted=3, declined=0, drug=(22, 30), ete=(13, 22))


class CohortBuilder:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        staff: StaffMember,
        settings: ReminderSettings,
    ) -> None:
        self.factory = factory
        self.staff = staff
        self.settings = settings
        self._codes = itertools.count(1)
        self._minute = itertools.count()

    def new_codes(self, n: int, prefix: str) -> list[str]:
        return [f"{prefix}{next(self._codes):03d}" for _ in range(n)]

    async def log(
        self,
        code: str,
        day: datetime,
        *events: Event,
        outcome: Outcome = Outcome.MADE,
        language: str = "en",
        staff: StaffMember | None = None,
        setting: Setting = Setting.HOSPITAL,
        follow_up_at: datetime | None = None,
    ) -> None:
        at = day + timedelta(minutes=next(self._minute))  # distinct, ordered instants
        async with self.factory.begin() as session:
            await save_contact(
                session,
                staff=staff or self.staff,
                contact=ContactInput(
                    client_code=code,
                    setting=setting,
                    outcome=outcome,
                    services=tuple(events),
                    occurred_at=at,
                    language=language,
                    note="name: someone, phone 07700 900123",
                    follow_up_at=follow_up_at,
                ),
                now=at,
                settings=self.settings,
            )

    async def log_all(
        self, codes: Sequence[str], day: datetime, *events: Event, **kw: object
    ) -> None:
        for code in codes:
            await self.log(code, day, *events, **kw)  # type: ignore[arg-type]

    async def build(self) -> None:
        a = self.new_codes(20, "A")
        await self.log_all(a, Q1_DAY, (DRUG, ENG))
        await self.log_all(a[:14], Q2_DAY)
        await self.log_all(a[14:16], Q2_DAY, (DRUG, DIS))
        b = self.new_codes(9, "B")
        await self.log_all(b, BEFORE, (DRUG, ENG))
        await self.log_all(b, Q1_DAY)
        await self.log_all(self.new_codes(15, "C"), Q1_DAY, (DRUG, REF))
        d = self.new_codes(3, "D")
        await self.log_all(d, BEFORE, (DRUG, REF))
        await self.log_all(d, Q1_DAY)
        e = self.new_codes(3, "E")
        await self.log_all(e, BEFORE, (DRUG, ENG))
        await self.log_all(e, Q1_DAY, (DRUG, DIS))
        await self.log_all(self.new_codes(8, "F"), Q2_DAY, (DRUG, ENG))
        await self.log_all(self.new_codes(6, "G"), Q2_DAY, (DRUG, REF))

        h = self.new_codes(11, "H")
        await self.log_all(h, Q1_DAY, (ETE, ENG), language="bn")
        await self.log_all(h[:5], Q2_DAY, language="bn")
        await self.log_all(self.new_codes(19, "I"), Q1_DAY, (ETE, REF))
        await self.log_all(self.new_codes(8, "J"), Q2_DAY, (ETE, ENG))
        await self.log_all(self.new_codes(9, "K"), Q2_DAY, (ETE, REF))

        await self.log_all(self.new_codes(5, "L"), Q1_DAY, setting=Setting.PHONE)
        await self.log_all(self.new_codes(3, "L"), Q2_DAY, outcome=Outcome.ATTEMPTED)
        await self.log_all(self.new_codes(2, "M"), Q1_DAY, (DRUG, ENG), outcome=Outcome.DECLINED)
