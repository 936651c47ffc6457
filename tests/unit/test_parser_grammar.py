"""Grammar of issue 13 on realistic messages: tense, negation and its scope, "whether",
the object of a phrase, the contact's own time, and questions instead of guesses.

`now` is Thursday 2026-12-03 10:30 GMT.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.contacts.parse_output import parse_fields

NOW = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)


def read(text: str) -> dict[str, object]:
    return parse_fields(text, now=NOW, tz="Europe/London")


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        # A future verb makes the follow-up; কাল / kail with one is tomorrow.
        ("C1 হাসপাতালে দেখা হয়েছে, কাল আবার যাব", "2026-12-04T09:00"),
        ("C1 fon dhorse na, kail fon dimu", "2026-12-04T09:00"),
        ("C1 try korbo kaile", "2026-12-04T09:00"),
        ("C1 forshu abar dekha korbo", "2026-12-05T09:00"),
        ("C1 jummabar follow up", "2026-12-04T09:00"),
        ("C1 agami soptahe abar jaimu", "2026-12-10T09:00"),
        ("C1 3 din bade fon dimu", "2026-12-06T09:00"),
        ("C1 তিন দিন পরে আবার ফোন করব", "2026-12-06T09:00"),
        ("C1 ১০ তারিখে আবার দেখা করব", "2026-12-10T09:00"),
        ("C1 aij bikale fon dimu", "2026-12-03T15:00"),
        # English shorthand.
        ("C1 FU thurs", "2026-12-10T09:00"),
        ("C1 FU next thurs", "2026-12-10T09:00"),
        ("C1 FU next fri", "2026-12-11T09:00"),
        ("C1 f/u w/c 7/12", "2026-12-07T09:00"),
        ("C1 FU end of month", "2026-12-31T09:00"),
        ("C1 check in mon am", "2026-12-07T09:00"),
        ("C1 FU at court tmrw", "2026-12-04T09:00"),
        ("C1 rang no ans, try mon", "2026-12-07T09:00"),
        ("C1 wants to meet fri 3pm", "2026-12-04T15:00"),
        ("C1 crisis team seeing her today. FU tomorrow 3pm", "2026-12-04T15:00"),
        ("C1 HV tmrw 2pm", "2026-12-04T14:00"),
    ],
)
def test_follow_up_phrases(text: str, follow_up: str) -> None:
    fields = read(text)
    assert fields["follow_up"] == {"kind": "stated", "at": follow_up}
    assert fields["occurred_at"] == "2026-12-03T10:30"


@pytest.mark.parametrize(
    ("text", "occurred"),
    [
        ("C1 HV mon, all ok", "2026-11-30"),
        ("C1 yday in ED, stab wound", "2026-12-02"),
        ("C1 saw him sun night at the youth club", "2026-11-29"),
        ("C1 kail dekhsi barit, thik ase", "2026-12-02"),
        ("C1 কাল হাসপাতালে দেখা হয়েছে", "2026-12-02"),
        # A past event is not the contact's time.
        ("C1 took a load of pills last night, seen in ED", "2026-12-03"),
        ("C1 police raided flat yesterday, HV today", "2026-12-03"),
        ("C1 গতকাল রাতে মারামারি হয়েছে, আজ হাসপাতালে দেখা", "2026-12-03"),
        ("C1 started college mon", "2026-12-03"),
    ],
)
def test_when_the_contact_happened(text: str, occurred: str) -> None:
    assert str(read(text)["occurred_at"]).startswith(occurred)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("C1 HV nobody home, left card", "attempted"),
        ("C1 went round, wouldnt talk to us", "declined"),
        ("C1 ফোন দিলাম, ধরছে না", "attempted"),
        ("C1 fon bondho", "attempted"),
        ("C1 bari gesilam, bari nai", "attempted"),
        ("C1 help lagbe na koise", "declined"),
        ("C1 রেফারেল নিতে মানা করেছে", "declined"),
        # "doesn't want to be here" is suicidal talk, not a refusal.
        ("C1 said she doesnt want to be here anymore", "made"),
        # "no follow up needed" is no refusal either.
        ("C1 কেস বন্ধ, ফলো আপ লাগবে না", "made"),
    ],
)
def test_outcomes(text: str, outcome: str) -> None:
    assert read(text)["outcome"] == outcome


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("C1 stopped going to CGL", {"drug_treatment": "disengaged"}),
        ("C1 refused referral to drugs services", {}),
        ("C1 probation will refer to ETE", {}),
        ("C1 not referred yet to housing", {}),
        ("C1 declined drug services", {}),
        ("C1 college e refer korbo", {}),
        ("C1 housing e refer korsi", {"housing": "referred"}),
        # Drugs carried or sold are the object of exploitation, not a service.
        ("C1 মাদক নিয়ে কাউন্টি লাইনে যাচ্ছে", {}),
        ("C1 caught with drugs on him, being made to sell for olders", {}),
        ("C1 s/w referral made, MASH aware", {"social_care": "referred"}),
        ("C1 on methadone script, attending CGL", {"drug_treatment": "engaged"}),
        ("C1 referred to CMHT and IAPT", {"mental_health": "referred"}),
        ("C1 ref to St Giles", {"vcs": "referred"}),
        ("C1 JCP appt attended", {"ete": "engaged"}),
        ("C1 lost his job", {"ete": "disengaged"}),
    ],
)
def test_services(text: str, services: dict[str, str]) -> None:
    assert read(text)["services"] == services


@pytest.mark.parametrize(
    ("text", "risks"),
    [
        ("C1 shanked in the back", ["violence", "weapon"]),
        ("C1 GSW to leg", ["violence", "weapon"]),
        ("C1 robbed at knifepoint", ["violence", "weapon"]),
        ("C1 plugging for a line", ["exploitation"]),
        ("C1 gone OT again", ["exploitation"]),
        ("C1 talking about ending it all", ["suicidal"]),
        ("C1 SI expressed", ["suicidal"]),
        ("C1 threatening to jump from a bridge", ["suicidal"]),
        ("C1 মরে যেতে ইচ্ছা করে বলছে", ["suicidal"]),
        ("C1 বাঁচতে ইচ্ছা করে না", ["suicidal"]),
        ("C1 সুইসাইড এর কথা বলছে", ["suicidal"]),
        ("C1 গ্রুমিং এর সন্দেহ", ["exploitation"]),
        ("C1 suri loia gurer", ["weapon"]),
        ("C1 mair khaise", ["violence"]),
        ("C1 মাদক বিক্রি করছে", ["exploitation"]),
        # Negation and its scope.
        ("C1 no weapon, denies self-harm, no SI", []),
        ("C1 stab wound, no further weapon concerns", ["violence"]),
        ("C1 ছুরি নাই, মারামারি নাই", []),
        ("C1 suri nai, kono risk nai", []),
        ("C1 not involved in county lines", []),
        # কি না ("whether") is no negation: an uncertain overdose is kept.
        ("C1 OD করছে কি না জানি না", ["overdose"]),
        ("C1 county lines e jaitese kina jani na", ["exploitation"]),
    ],
)
def test_risks(text: str, risks: list[str]) -> None:
    assert read(text)["risks"] == risks


@pytest.mark.parametrize(
    "text",
    [
        "C1 seen in ED, follow up yesterday",
        "C1 follow up tomorrow 25:00",
        "C1 FU 31/11",
        "C1 FU 1/11",
        "C1 FU fri, check in mon",  # two readings
    ],
)
def test_doubtful_follow_ups_are_questions(text: str) -> None:
    fields = read(text)
    assert fields["follow_up"] == {"kind": "question", "at": None}
    assert "follow_up" in fields["questions"]  # type: ignore[operator]
    assert fields["occurred_at"] == "2026-12-03T10:30"


def test_a_contact_in_the_future_is_a_question() -> None:
    fields = read("C1 seen tomorrow in ED")
    assert fields["questions"] == ["occurred_at"]


def test_the_zone_is_respected() -> None:
    # 23:30 UTC in summer is already tomorrow in London.
    fields = parse_fields("C1 FU tomorrow", now=datetime(2026, 7, 31, 23, 30, tzinfo=UTC))
    assert fields["follow_up"] == {"kind": "stated", "at": "2026-08-02T09:00"}
    assert ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        # Where the contact happened, not where the event did.
        ("C1 assaulted in the park, seen in ED", "hospital"),
        ("C1 stabbed on the estate last night, seen on ward today", "hospital"),
        ("C1 kicked off in ED, security called", "hospital"),
        ("C1 club e maramari, matha fatse, ED te dekhsi", "hospital"),
        # A planned contact is not this one's setting.
        ("C1 discharged before I could see him, will ring", None),
        ("C1 rang mum, he's at the hospital", "phone"),
    ],
)
def test_setting_is_where_the_contact_was(text: str, setting: str | None) -> None:
    assert read(text)["setting"] == setting


def test_two_client_codes_are_a_question_not_a_guess() -> None:
    fields = read("C431 and C432 seen together at the hub")
    assert fields["client"] is None
    assert fields["questions"] == ["client"]
    # A road or room next to a code is no second client.
    assert read("C431 found on the A13, room B2")["client"] == "C431"


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("C1 FU in 3 months", "2027-03-03T09:00"),
        ("C1 fu in a month", "2027-01-03T09:00"),
        ("C1 FU in 2/7", "2026-12-05T09:00"),  # clinical: two days
        ("C1 review 1/52", "2026-12-10T09:00"),  # clinical: one week
        ("C1 FU a week today", "2026-12-10T09:00"),
        ("C1 fu tmrw 10.30", "2026-12-04T10:30"),
        ("C1 fu tmrw at 3", "2026-12-04T15:00"),
        ("C1 follow-up: 10/12 @ 2pm", "2026-12-10T14:00"),
        ("C1 fu 14.12 2pm", "2026-12-14T14:00"),
        ("C1 FU after court on the 9th", "2026-12-09T09:00"),
        ("C1 ১০টায় ফোন করব কাল", "2026-12-04T10:00"),
        ("C1 ১২/১২ তারিখে ফলো আপ", "2026-12-12T09:00"),
        ("C1 aspatalo dekhsi, kail abar zaimu", "2026-12-04T09:00"),
    ],
)
def test_more_follow_up_forms(text: str, follow_up: str) -> None:
    assert read(text)["follow_up"] == {"kind": "stated", "at": follow_up}


@pytest.mark.parametrize(
    ("text", "occurred"),
    [
        ("C1 saw him this am", "2026-12-03T09:00"),
        ("C1 seen 1/12 in ED", "2026-12-01"),
        ("C1 seen 2 days ago", "2026-12-01"),
        # পরশু / porshu is two days off either way: back when reporting, ahead when planning.
        ("C1 parshu dekha hoise", "2026-12-01"),
        ("C1 গত সোমবার দেখা হয়েছে", "2026-11-30"),
    ],
)
def test_more_contact_times(text: str, occurred: str) -> None:
    assert str(read(text)["occurred_at"]).startswith(occurred)


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("C1 মঙ্গলবার ফলো আপ, সকাল ১১টায়", "2026-12-08T11:00"),
        ("C1 FU friday, 2pm", "2026-12-04T14:00"),
        ("C1 FU friday, all good", "2026-12-04T09:00"),
    ],
)
def test_a_time_in_the_next_clause_joins_the_follow_up(text: str, follow_up: str) -> None:
    assert read(text)["follow_up"] == {"kind": "stated", "at": follow_up}


def test_a_longer_ed_note() -> None:
    fields = read(
        "C901 Pt seen in ED majors following assault last night - punched and kicked by "
        "group of males. No weapons involved. Pt engaged well, agreed to Redthread referral. "
        "Mum present. FU call Monday."
    )
    assert fields["setting"] == "hospital"
    assert fields["risks"] == ["violence"]
    assert fields["services"] == {"vcs": "referred"}
    assert fields["follow_up"] == {"kind": "stated", "at": "2026-12-07T09:00"}
    assert fields["occurred_at"] == "2026-12-03T10:30"  # last night was the assault


def test_pills_counted_are_an_overdose() -> None:
    assert "overdose" in read("C1 admitted after taking 30 paracetamol")["risks"]  # type: ignore[operator]
    assert read("C1 took his meds as prescribed")["risks"] == []
