# ruff: noqa: E501  (a table of messages reads better one case per line)
"""The parser against realistic navigator messages, English and Bengali.

`now` is Wednesday 2026-03-25 10:00 UTC (10:00 GMT), four days before the clock change on
29 March, so several follow-ups land after it and must still be 09:00 local.

Columns: text, code, setting, outcome, services ("svc:status ..."), risks ("r1 r2"),
follow-up (local "YYYY-MM-DD HH:MM", "default", "none" or a DateProblem value),
occurred (None = now, local "YYYY-MM-DD HH:MM", or a DateProblem value), language.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.contacts.parsing import DateProblem, Draft, FollowUpKind, parse_contact
from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
NOW_OCT = datetime(2026, 10, 23, 14, 0, tzinfo=UTC)  # Friday, 15:00 BST; clocks go back 25 Oct

Case = tuple[str, str, str | None, str, str, str, str, str | None, str]

# fmt: off
ENGLISH: list[Case] = [
    ("C123 seen in ED after assault, referred to drug treatment, follow up friday",
     "C123", "hospital", "made", "drug_treatment:referred", "violence", "2026-03-27 09:00", None, "en"),
    ("C123 rang, no answer, try again tomorrow",
     "C123", "phone", "attempted", "", "", "2026-03-26 09:00", None, "en"),
    ("RLH-042 texted, FU in 3 days",
     "RLH-042", "message", "made", "", "", "2026-03-28 09:00", None, "en"),
    ("C124 home visit, started college, f/u 3/4",
     "C124", "home", "made", "ete:engaged", "", "2026-04-03 09:00", None, "en"),
    ("C125 check in tomorrow 2pm, denies suicidal thoughts, no knife",
     "C125", None, "made", "", "", "2026-03-26 14:00", None, "en"),
    ("C126 seen on ward after OD, referred to CGL and CAMHS, see him next week",
     "C126", "hospital", "made", "drug_treatment:referred mental_health:referred", "overdose",
     "2026-04-01 09:00", None, "en"),
    ("C127 outreach, dropped out of training, county lines concerns, review on 12th",
     "C127", "community", "made", "ete:disengaged", "exploitation", "2026-04-12 09:00", None, "en"),
    ("C128 declined support, no follow up",
     "C128", None, "declined", "", "", "none", None, "en"),
    ("C129 DNA probation appt, case closed",
     "C129", "justice", "attempted", "", "", "none", None, "en"),
    ("C130 seen yesterday at youth centre, got a job, FU 31/02",
     "C130", "community", "made", "ete:engaged", "", "impossible", "2026-03-24 10:00", "en"),
    ("C131 seen this morning in A&E, stab wound, no further weapon concerns, f/u 20/03",
     "C131", "hospital", "made", "", "violence", "past", "2026-03-25 09:00", "en"),
    ("C132 seen at 14:00 in custody",
     "C132", "justice", "made", "", "", "default", "unclear", "unknown"),
    ("C133 spoke Sylheti with mum at home, self harm, FU 2w",
     "C133", "home", "made", "", "self_harm", "2026-04-08 09:00", None, "syl"),
    ("#TH2024-17 seen in resus after stabbing, knife recovered, FU monday",
     "TH2024-17", "hospital", "made", "", "violence weapon", "2026-03-30 09:00", None, "en"),
    ("C140 whatsapp msg, attending Reset weekly, follow-up 1/4",
     "C140", "message", "made", "drug_treatment:engaged", "", "2026-04-01 09:00", None, "en"),
    ("C141 phone call, engaging with CGL, started apprenticeship, FU 10/04 at 3pm",
     "C141", "phone", "made", "drug_treatment:engaged ete:engaged", "", "2026-04-10 15:00", None, "en"),
    ("C142 couldn't reach, voicemail left, f/u tomorrow",
     "C142", "phone", "attempted", "", "", "2026-03-26 09:00", None, "en"),
    # A refused referral is no referral (issue 13).
    ("C143 not interested in support, refused referral to housing, no FU",
     "C143", None, "declined", "", "", "none", None, "en"),
    ("C144 seen in A&E, took an overdose, suicidal, referred to mental health, FU tomorrow 10am",
     "C144", "hospital", "made", "mental_health:referred", "overdose suicidal",
     "2026-03-26 10:00", None, "en"),
    ("C145 says he wants to end his life, referred to CAMHS urgently, follow up today",
     "C145", None, "made", "mental_health:referred", "suicidal", "2026-03-25 09:00", None, "en"),
    ("C146 at probation, IOM meeting, stopped attending college, FU next week",
     "C146", "justice", "made", "ete:disengaged", "", "2026-04-01 09:00", None, "en"),
    ("C147 court today, no weapons, FU in 1 week",
     "C147", "justice", "made", "", "", "2026-04-01 09:00", None, "en"),
    ("C148 office appt, referred to St Giles mentoring, FU 7/4",
     "C148", "office", "made", "vcs:referred", "", "2026-04-07 09:00", None, "en"),
    ("C149 met at the hub, concerns re grooming and cuckooing, referred to social services",
     "C149", "community", "made", "social_care:referred", "exploitation", "default", None, "en"),
    ("C150 seen on ward, cutting marks on arms, referred to counselling, f/u 2/4 11:30",
     "C150", "hospital", "made", "mental_health:referred", "self_harm", "2026-04-02 11:30", None, "en"),
    ("C151 rang yesterday, got a job at Tesco, FU in 2 weeks",
     "C151", "phone", "made", "ete:engaged", "", "2026-04-08 09:00", "2026-03-24 10:00", "en"),
    ("C152 texted last night, no reply, FU sat",
     "C152", "message", "attempted", "", "", "2026-03-28 09:00", "2026-03-24 20:00", "en"),
    ("C153 seen on monday at home, referred to housing and social worker, FU 30/3",
     "C153", "home", "made", "housing:referred social_care:referred", "", "2026-03-30 09:00",
     "2026-03-23 10:00", "en"),
    ("C154 hostel visit, homeless again, engaging with housing officer, FU thursday",
     "C154", None, "made", "housing:engaged", "", "2026-03-26 09:00", None, "en"),
    ("C155 no show at clinic, FU 1/4",
     "C155", None, "attempted", "", "", "2026-04-01 09:00", None, "unknown"),
    ("C156 seen in ED, fight outside club, no knife involved, FU friday 2pm",
     "C156", "hospital", "made", "", "violence", "2026-03-27 14:00", None, "en"),
    ("C157 outreach, machete seen, county lines, FU tomorrow",
     "C157", "community", "made", "", "weapon exploitation", "2026-03-26 09:00", None, "en"),
    ("C158 called, unable to contact, will try again in 3 days",
     "C158", "phone", "attempted", "", "", "2026-03-28 09:00", None, "en"),
    ("C159 seen at home, dropped out of college, disengaged from CGL, FU 14/4",
     "C159", "home", "made", "drug_treatment:disengaged ete:disengaged", "", "2026-04-14 09:00",
     None, "en"),
    ("C160 ED, assaulted with a blade, referred to Redthread, follow up 5 April",
     "C160", "hospital", "made", "vcs:referred", "violence weapon", "2026-04-05 09:00", None, "en"),
    ("C161 seen, all fine, no risks identified",
     "C161", None, "made", "", "", "default", None, "en"),
    ("C162 seen in A and E, referred to drug treatment and ETE",
     "C162", "hospital", "made", "drug_treatment:referred ete:referred", "", "default", None, "en"),
    ("C163 phone, attended Turning Point, FU 3 weeks",
     "C163", "phone", "made", "drug_treatment:engaged", "", "2026-04-15 09:00", None, "en"),
    ("C164 rang mum, no answer, FU 31/4",
     "C164", "phone", "attempted", "", "", "impossible", None, "en"),
    ("C165 seen in ED, FU 30/03/2028",
     "C165", "hospital", "made", "", "", "too_far", None, "unknown"),
    ("C166 seen at youth centre, started a course, follow up 29/3",
     "C166", "community", "made", "ete:engaged", "", "2026-03-29 09:00", None, "en"),
    ("C167 seen in custody, denies self harm, no suicidal ideation, FU wed",
     "C167", "justice", "made", "", "", "2026-04-01 09:00", None, "en"),
    ("C168 texted, declined, FU 1w",
     "C168", "message", "declined", "", "", "2026-04-01 09:00", None, "unknown"),
    ("C169 home visit, signed up for training at college, referred to IAPT, FU 6/4 9:30am",
     "C169", "home", "made", "ete:engaged mental_health:referred", "", "2026-04-06 09:30", None, "en"),
    ("C170 on the ward, exploited by older males, referred to children's services",
     "C170", "hospital", "made", "social_care:referred", "exploitation", "default", None, "en"),
    ("C171 seen at 9:30 in ED",
     "C171", "hospital", "made", "", "", "default", "2026-03-25 09:30", "unknown"),
    ("C172 seen earlier today at office, quit his job, FU next week",
     "C172", "office", "made", "ete:disengaged", "", "2026-04-01 09:00", None, "en"),
    ("C173 outreach in the park, no concerns, f/u 2/4",
     "C173", "community", "made", "", "", "2026-04-02 09:00", None, "en"),
    ("C174 rang, phone off, FU tmrw",
     "C174", "phone", "attempted", "", "", "2026-03-26 09:00", None, "unknown"),
    ("C175 seen in ED post OD, mentions wanting to kill himself, FU tomorrow 9am",
     "C175", "hospital", "made", "", "overdose suicidal", "2026-03-26 09:00", None, "en"),
    ("C176 seen on ward. Name: John Smith. Call 07700 900123. Referred to CGL. FU friday",
     "C176", "hospital", "made", "drug_treatment:referred", "", "2026-03-27 09:00", None, "en"),
    ("C177 met at YOT, going to college again, check in 3/4 2pm",
     "C177", "justice", "made", "ete:engaged", "", "2026-04-03 14:00", None, "en"),
    ("C178 seen in ED with gun shot wound, violence concerns, FU 26/3",
     "C178", "hospital", "made", "", "violence weapon", "2026-03-26 09:00", None, "en"),
    ("C179 contacted via SMS, referral to Safer London sent, follow up 27 March",
     "C179", "message", "made", "vcs:referred", "", "2026-03-27 09:00", None, "en"),
    ("C180 seen at home, no answer at first then spoke, CAMHS appointment attended",
     "C180", "home", "attempted", "mental_health:engaged", "", "default", None, "en"),
    ("C181 seen in ED, referred to drug treatment, follow up in 5 days",
     "C181", "hospital", "made", "drug_treatment:referred", "", "2026-03-30 09:00", None, "en"),
    ("C182 seen in ED, FU 15/4 at 16:00, spoke Urdu with dad",
     "C182", "hospital", "made", "", "", "2026-04-15 16:00", None, "ur"),
    ("C183 via interpreter (Somali), home visit, referred to housing, FU 8/4",
     "C183", "home", "made", "housing:referred", "", "2026-04-08 09:00", None, "so"),
    ("C184 seen in custody, knife possession charge, referred to YOT mentor, FU 9/4",
     "C184", "justice", "made", "vcs:referred", "weapon", "2026-04-09 09:00", None, "en"),
    ("C185 whatsapp, no longer attending CAMHS, FU 2 weeks",
     "C185", "message", "made", "mental_health:disengaged", "", "2026-04-08 09:00", None, "en"),
    ("c186 seen in ed, referred to cgl, fu friday",
     "C186", "hospital", "made", "drug_treatment:referred", "", "2026-03-27 09:00", None, "en"),
    ("C187 seen tomorrow",
     "C187", None, "made", "", "", "default", "unclear", "unknown"),
    ("C188 ED, OD, FU 01/04/2026",
     "C188", "hospital", "made", "", "overdose", "2026-04-01 09:00", None, "unknown"),
    ("C189 seen in ED, FU 14:00",
     "C189", "hospital", "made", "", "", "2026-03-25 14:00", None, "unknown"),
    ("C190 seen in ED, FU 08:00",
     "C190", "hospital", "made", "", "", "past", None, "unknown"),
]

BENGALI: list[Case] = [
    ("C134 হাসপাতালে দেখা হয়েছে, মারামারি, মাদক চিকিৎসায় রেফার করা হয়েছে, শুক্রবার ফলো আপ",
     "C134", "hospital", "made", "drug_treatment:referred", "violence", "2026-03-27 09:00", None, "bn"),
    ("C135 ফোন ধরেনি, আগামীকাল আবার ফোন করব",
     "C135", "phone", "attempted", "", "", "2026-03-26 09:00", None, "bn"),
    ("C136 বাড়িতে দেখা, কলেজ শুরু করেছে, ৩ দিন পরে ফলো আপ",
     "C136", "home", "made", "ete:engaged", "", "2026-03-28 09:00", None, "bn"),
    ("C১৩৭ গতকাল দেখা হয়েছে, আত্মহত্যার চিন্তা নেই, আজ বিকেল ৩টায় ফলো আপ",
     "C137", None, "made", "", "", "2026-03-25 15:00", "2026-03-24 10:00", "bn"),
    ("C138 haspatal e dekhsi, maramari hoise, kal fon korbo",
     "C138", "hospital", "made", "", "violence", "2026-03-26 09:00", None, "bn"),
    ("C200 ওয়ার্ডে দেখা হয়েছে, ওভারডোজ, সোমবার ফলো আপ",
     "C200", "hospital", "made", "", "overdose", "2026-03-30 09:00", None, "bn"),
    ("C201 মেসেজ পাঠিয়েছি, উত্তর দেয়নি, ফলো আপ ২ দিন পরে",
     "C201", "message", "attempted", "", "", "2026-03-27 09:00", None, "bn"),
    ("C202 অফিসে এসেছিল, চাকরি পেয়েছে, ফলো আপ নেই",
     "C202", "office", "made", "ete:engaged", "", "none", None, "bn"),
    ("C203 প্রবেশনে দেখা, ছুরি নিয়ে ঘুরছে, কাউন্টি লাইন, আগামীকাল ফলো আপ",
     "C203", "justice", "made", "", "weapon exploitation", "2026-03-26 09:00", None, "bn"),
    ("C204 কেস বন্ধ, সাহায্য চায় না",
     "C204", None, "declined", "", "", "none", None, "bn"),
    ("C205 হাসপাতালে, নিজের ক্ষতি করেছে, মানসিক স্বাস্থ্য সেবায় রেফার করা হয়েছে, ৩/৪ ফলো আপ",
     "C205", "hospital", "made", "mental_health:referred", "self_harm", "2026-04-03 09:00", None, "bn"),
    ("C206 বাসায় গিয়েছিলাম, ট্রেনিং ছেড়ে দিয়েছে, বুধবার ফলো আপ",
     "C206", "home", "made", "ete:disengaged", "", "2026-04-01 09:00", None, "bn"),
    ("C207 ফোনে কথা হলো, সিলেটিতে, মাদক চিকিৎসা শুরু করেছে, ৩১/০২ ফলো আপ",
     "C207", "phone", "made", "drug_treatment:engaged", "", "impossible", None, "syl"),
    ("C208 গতকাল হাসপাতালে দেখা হয়েছে, মারামারিতে আহত, ছুরি ছিল না",
     "C208", "hospital", "made", "", "violence", "default", "2026-03-24 10:00", "bn"),
    ("C209 seen in ED, মা খুব চিন্তিত, বাংলায় কথা বললাম, follow up friday",
     "C209", "hospital", "made", "", "", "2026-03-27 09:00", None, "bn"),
    ("C210 হাসপাতালে দেখা, referred to drug treatment, FU in 3 days",
     "C210", "hospital", "made", "drug_treatment:referred", "", "2026-03-28 09:00", None, "en"),
    ("C211 seen in A&E after assault. রোগী খুব ভয় পেয়েছিল, পরিবারের সাথে কথা হয়েছে, সে ভালো আছে",
     "C211", "hospital", "made", "", "violence", "default", None, "bn"),
    ("C212 হাসপাতালে দেখা হয়েছে, আত্মহত্যা করতে চায়, কাউন্সেলিং রেফার, আগামীকাল সকাল ১০টায় ফলো আপ",
     "C212", "hospital", "made", "mental_health:referred", "suicidal", "2026-03-26 10:00", None, "bn"),
    ("C213 fon dhoreni, porshu abar fon korbo",
     "C213", "phone", "attempted", "", "", "2026-03-27 09:00", None, "bn"),
    ("C214 basay dekha, college shuru korse, shukrobar follow up",
     "C214", "home", "made", "ete:engaged", "", "2026-03-27 09:00", None, "bn"),
    ("C215 কমিউনিটিতে দেখা, হাউজিং রেফার করেছি, আগামী সপ্তাহে ফলো আপ",
     "C215", "community", "made", "housing:referred", "", "2026-04-01 09:00", None, "bn"),
    ("C216 থানায় দেখা, সমাজকর্মী রেফার, ১৫/৪ ফলো আপ",
     "C216", "justice", "made", "social_care:referred", "", "2026-04-15 09:00", None, "bn"),
    ("C217 হোয়াটসঅ্যাপে মেসেজ, রাজি না, ফলোআপ নেই",
     "C217", "message", "declined", "", "", "none", None, "bn"),
    ("C218 আজ সকালে হাসপাতালে দেখা, ওভারডোজ, মাদকের চিকিৎসায় যাচ্ছে",
     "C218", "hospital", "made", "drug_treatment:engaged", "overdose", "default", "2026-03-25 09:00", "bn"),
    ("C219 ইয়ুথ সেন্টারে দেখা, মেন্টরিং রেফার, ২ সপ্তাহ পরে ফলো আপ",
     "C219", "community", "made", "vcs:referred", "", "2026-04-08 09:00", None, "bn"),
    ("C220 ফোন করেছিলাম, বন্ধ ছিল, ২৭/৩ আবার ফোন করব",
     "C220", "phone", "attempted", "", "", "2026-03-27 09:00", None, "bn"),
    ("C221 দেখা হয়েছে, মারামারি নেই, কোন ঝুঁকি নেই, রবিবার ফলো আপ",
     "C221", None, "made", "", "", "2026-03-29 09:00", None, "bn"),
    ("C222 হাসপাতাল, ছুরিকাঘাত, বন্দুক, গ্যাং, আগামীকাল বিকেল ৪টায় ফলো আপ",
     "C222", "hospital", "made", "", "violence weapon", "2026-03-26 16:00", None, "bn"),
    ("C223 kolej e jaitese, bhalo ase, kal abar dekha korbo",
     "C223", None, "made", "ete:engaged", "", "2026-03-26 09:00", None, "bn"),
    ("C224 haspatal, OD hoise, CGL e refer korsi, follow up sombar",
     "C224", "hospital", "made", "drug_treatment:referred", "overdose", "2026-03-30 09:00", None, "bn"),
    ("C225 seen on ward, spoke Bengali with mum, referred to CAMHS, FU ৩ দিন পরে",
     "C225", "hospital", "made", "mental_health:referred", "", "2026-03-28 09:00", None, "bn"),
    ("C226 স্কুল যাওয়া বন্ধ, মানসিক স্বাস্থ্য নিয়ে কথা হলো, ৭/৪ ফলো আপ",
     "C226", None, "made", "ete:disengaged", "", "2026-04-07 09:00", None, "bn"),
    ("C227 কোর্টে দেখা, শোষণের শিকার, সোশ্যাল সার্ভিস রেফার, ৯ এপ্রিল ফলো আপ",
     "C227", "justice", "made", "social_care:referred", "exploitation", "2026-04-09 09:00", None, "bn"),
    ("C228 ফোন, যোগাযোগ করা যায়নি, শুক্রবার সকাল ১১টায় ফলো আপ",
     "C228", "phone", "attempted", "", "", "2026-03-27 11:00", None, "bn"),
    # The catalog's own labels typed back: সহিংসতা (violence), স্বেচ্ছাসেবী সংস্থা (VCS),
    # যুক্ত আছে (engaged); যুক্ত negated or inside another word (যুক্তরাজ্য, UK) is no status.
    ("C229 হাসপাতালে দেখা, সহিংসতার শিকার, স্বেচ্ছাসেবী সংস্থায় রেফার করা হয়েছে, শুক্রবার ফলো আপ",
     "C229", "hospital", "made", "vcs:referred", "violence", "2026-03-27 09:00", None, "bn"),
    ("C230 বাসায় দেখা, মাদকের চিকিৎসায় যুক্ত আছে, সহিংসতা নেই, আগামীকাল ফলো আপ",
     "C230", "home", "made", "drug_treatment:engaged", "", "2026-03-26 09:00", None, "bn"),
    ("C231 ফোনে কথা হলো, কলেজে যুক্ত হয়েছে, স্বেচ্ছাসেবী সংস্থায় রেফার, ৩ দিন পরে ফলো আপ",
     "C231", "phone", "made", "ete:engaged vcs:referred", "", "2026-03-28 09:00", None, "bn"),
    ("C232 অফিসে দেখা, মাদকের চিকিৎসায় যুক্ত হয়নি, যুক্তরাজ্যে নতুন এসেছে, সোমবার ফলো আপ",
     "C232", "office", "made", "", "", "2026-03-30 09:00", None, "bn"),
    ("C233 কমিউনিটিতে দেখা, মাদকের চিকিৎসায় আর যুক্ত নেই, সহিংস আচরণ, বুধবার ফলো আপ",
     "C233", "community", "made", "drug_treatment:disengaged", "violence", "2026-04-01 09:00", None, "bn"),
    ("C234 জরুরি বিভাগে দেখা, মাদকের চিকিৎসা: যুক্ত আছে, ঝুঁকি: সহিংসতা, ফলো আপ নেই",
     "C234", "hospital", "made", "drug_treatment:engaged", "violence", "none", None, "bn"),
]
# fmt: on


def _services(spec: str) -> tuple[tuple[Service, ServiceStatus], ...]:
    pairs = [item.split(":") for item in spec.split()]
    return tuple(sorted(((Service(s), ServiceStatus(st)) for s, st in pairs), key=lambda p: p[0]))


def _local(draft_value: datetime | None) -> str | None:
    return None if draft_value is None else draft_value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def check(draft: Draft, case: Case, now: datetime) -> None:
    _, code, setting, outcome, services, risks, follow, occurred, language = case
    assert draft.client_codes == (code,)
    assert draft.setting == (Setting(setting) if setting else None)
    assert draft.outcome == Outcome(outcome)
    assert tuple((u.service, u.status) for u in draft.services) == _services(services)
    assert draft.risks == tuple(sorted(Risk(r) for r in risks.split()))
    if follow == "none":
        assert draft.follow_up_kind is FollowUpKind.NONE
        assert draft.follow_up_at is None
    elif follow == "default":
        assert draft.follow_up_kind is FollowUpKind.DEFAULT
        assert draft.follow_up_problem is None
    elif follow in set(DateProblem):
        assert draft.follow_up_kind is FollowUpKind.STATED
        assert draft.follow_up_problem == DateProblem(follow)
        assert draft.follow_up_at is None
    else:
        assert draft.follow_up_kind is FollowUpKind.STATED
        assert draft.follow_up_problem is None
        assert _local(draft.follow_up_at) == follow
    if occurred is None:
        assert draft.occurred_at == now
        assert draft.occurred_problem is None
    elif occurred in set(DateProblem):
        assert draft.occurred_problem == DateProblem(occurred)
        assert draft.occurred_at == now
    else:
        assert draft.occurred_problem is None
        assert _local(draft.occurred_at) == occurred
    assert draft.language == language
    for value in (draft.follow_up_at, draft.occurred_at):
        assert value is None or value.utcoffset() == timedelta(0)


@pytest.mark.parametrize("case", ENGLISH, ids=[c[1] for c in ENGLISH])
def test_english_messages(case: Case) -> None:
    check(parse_contact(case[0], now=NOW, tz=TZ), case, NOW)


@pytest.mark.parametrize("case", BENGALI, ids=[c[1] for c in BENGALI])
def test_bengali_and_mixed_messages(case: Case) -> None:
    check(parse_contact(case[0], now=NOW, tz=TZ), case, NOW)


# fmt: off
OCTOBER: list[Case] = [
    ("C300 seen in ED, FU monday",
     "C300", "hospital", "made", "", "", "2026-10-26 09:00", None, "unknown"),
    ("C301 rang, no answer, FU in 3 days",
     "C301", "phone", "attempted", "", "", "2026-10-26 09:00", None, "en"),
    ("C302 home visit, FU 25/10 10:30",
     "C302", "home", "made", "", "", "2026-10-25 10:30", None, "unknown"),
    ("C303 seen at 14:00 in custody, FU tomorrow 2pm",
     "C303", "justice", "made", "", "", "2026-10-24 14:00", "2026-10-23 14:00", "en"),
    ("C304 seen in ED",
     "C304", "hospital", "made", "", "", "default", None, "unknown"),
    ("C305 শুক্রবার ফলো আপ",
     "C305", None, "made", "", "", "2026-10-30 09:00", None, "bn"),
]
# fmt: on


@pytest.mark.parametrize("case", OCTOBER, ids=[c[1] for c in OCTOBER])
def test_messages_around_october_clock_change(case: Case) -> None:
    check(parse_contact(case[0], now=NOW_OCT, tz=TZ), case, NOW_OCT)


def test_default_follow_up_crosses_march_change_at_nine_local() -> None:
    draft = parse_contact("C123 seen in ED", now=NOW, tz=TZ)
    assert draft.follow_up_kind is FollowUpKind.DEFAULT
    assert draft.follow_up_at == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_default_follow_up_crosses_october_change_at_nine_local() -> None:
    draft = parse_contact("C123 seen in ED", now=NOW_OCT, tz=TZ)
    assert draft.follow_up_at == datetime(2026, 10, 30, 9, 0, tzinfo=UTC)  # 09:00 GMT


def test_default_follow_up_days_is_configurable() -> None:
    draft = parse_contact("C123 seen", now=NOW, tz=TZ, default_follow_up_days=14)
    assert _local(draft.follow_up_at) == "2026-04-08 09:00"


def test_note_is_redacted_and_keeps_code() -> None:
    draft = parse_contact("C123 name: Jo Bloggs. Mob 07700 900123, E1 6AN", now=NOW, tz=TZ)
    assert draft.note == "C123 name: [name]. Mob [phone], [postcode]"


def test_no_code_and_two_codes_are_reported_for_the_handler() -> None:
    assert parse_contact("Ahmed seen in ED", now=NOW, tz=TZ).client_codes == ()
    assert parse_contact("C1 and C2 seen", now=NOW, tz=TZ).client_codes == ("C1", "C2")
