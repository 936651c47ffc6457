"""The contact parser (PRODUCT §4): one navigator message in, one draft log out.

The draft is only a proposal: the handler shows it on a confirmation card and the navigator
corrects it with buttons. So the parser prefers leaving a field empty (or flagging a date
problem) over guessing: a missed keyword costs one tap, a wrong date silently moves a
safeguarding follow-up.

Vocabulary is English, Bengali script, and the romanised Bengali/Sylheti navigators type on
English keyboards. English patterns use word boundaries; Bengali ones are substrings, because
Bengali attaches case endings to the word (হাসপাতালে = "in hospital") and Python's \\b
misfires on Bengali vowel signs.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.codes import clean_text, code_spans, find_client_codes
from bot.domain import Outcome, Risk, Service, ServiceStatus, Setting
from bot.language import detect_contact_language, explicit_language
from bot.redaction import redact, truncate_note


class FollowUpKind(StrEnum):
    STATED = "stated"
    DEFAULT = "default"
    NONE = "none"


class DateProblem(StrEnum):
    IMPOSSIBLE = "impossible"
    PAST = "past"
    TOO_FAR = "too_far"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class ServiceUpdate:
    service: Service
    status: ServiceStatus


@dataclass(frozen=True)
class Draft:
    client_codes: tuple[str, ...]
    setting: Setting | None
    outcome: Outcome
    services: tuple[ServiceUpdate, ...]
    risks: tuple[Risk, ...]
    follow_up_kind: FollowUpKind
    follow_up_at: datetime | None
    follow_up_problem: DateProblem | None
    occurred_at: datetime
    occurred_problem: DateProblem | None
    language: str
    note: str
    # Fields the parser is unsure about ("follow_up", "occurred_at", "outcome", ...): the
    # card asks about them instead of saving a guess.
    questions: tuple[str, ...] = ()


DEFAULT_TIME = time(9, 0)
MAX_FOLLOW_UP_AHEAD = timedelta(days=365)
# A contact "at 14:00" typed at 13:55 is a slip of the clock, not a future contact.
OCCURRED_GRACE = timedelta(minutes=10)
# Field extraction looks at this much text; the stored note is shorter still. Keeps a
# pasted 100k-character message from costing more than a normal one.
_SCAN_CHARS = 8000


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _en(*patterns: str) -> str:
    """English alternatives as whole words."""
    return rf"(?<![\w&/]){'(?:' + _alt(patterns) + ')'}(?![\w&])"


def _bn(*words: str) -> str:
    """Bengali alternatives as substrings (case endings follow the stem)."""
    return "(?:" + _alt(re.escape(w) for w in words) + ")"


def _compile(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(p for p in parts if p), re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Setting. The earliest mention wins: navigators lead with where they saw the client
# ("ED, assault, texted mum later" is a hospital contact).

_SETTINGS: tuple[tuple[Setting, re.Pattern[str]], ...] = (
    (
        Setting.HOSPITAL,
        _compile(
            _en(
                "ED",
                "A&E",
                r"A\s+and\s+E",
                "AE",
                "emergency department",
                "ward",
                "wards",
                "hospital",
                "resus",
                "majors",
                "minors",
                "RLH",
                "royal london",
                "haspatal",
                "hashpatal",
                "hospital e",
            ),
            _bn("হাসপাতাল", "ওয়ার্ড", "ইমার্জেন্সি", "ইমারজেন্সি", "জরুরি বিভাগ"),
        ),
    ),
    (
        Setting.JUSTICE,
        _compile(
            _en(
                "custody",
                "probation",
                "IOM",
                "court",
                "YOT",
                "YJS",
                "youth offending",
                "police station",
                "prison",
                "HMP",
                "YOI",
                "offender manager",
            ),
            _bn("কাস্টডি", "প্রবেশন", "কোর্ট", "আদালত", "থানা", "জেল"),
        ),
    ),
    (
        Setting.HOME,
        _compile(
            _en(
                "home visit",
                "home visited",
                "HV",
                "at home",
                r"at (?:his|her|their) home",
                r"at (?:his|her|their|mum'?s|dad'?s) (?:house|flat)",
                "bari te",
                "barite",
                "basay",
            ),
            _bn("বাড়িতে", "বাসায়", "বাসাতে", "হোম ভিজিট"),
        ),
    ),
    (
        Setting.OFFICE,
        _compile(
            _en("office", "at base", "our base"),
            _bn("অফিস"),
        ),
    ),
    (
        Setting.COMMUNITY,
        _compile(
            _en(
                "outreach",
                "community",
                "youth centre",
                "youth center",
                "hub",
                "on the street",
                "in the park",
                "detached",
                "estate",
                "cafe",
                "café",
                "mosque",
            ),
            _bn("কমিউনিটি", "ইয়ুথ সেন্টার", "মসজিদ", "পার্কে", "রাস্তায়"),
        ),
    ),
    (
        Setting.PHONE,
        _compile(
            _en(
                "rang",
                "rung",
                "ring",
                "called",
                "phoned",
                "phone call",
                "call",
                "on the phone",
                "telephone",
                "tel",
                "voicemail",
                "VM",
                "fon",
                "fon korsi",
                "phone",
            ),
            _bn("ফোন", "কল করে", "কল দি"),
        ),
    ),
    (
        Setting.MESSAGE,
        _compile(
            _en(
                "texted",
                "text",
                "texts",
                "txt",
                "txted",
                "SMS",
                "WhatsApp",
                "whatsapped",
                "messaged",
                "message",
                "DM",
                "DMed",
                "snapchat",
                "insta",
            ),
            _bn("মেসেজ", "টেক্সট", "হোয়াটসঅ্যাপ", "এসএমএস"),
        ),
    ),
)

# ---------------------------------------------------------------------------------------
# Outcome. "Attempted" beats "declined" beats the default: a message saying both "no answer"
# and "refused" is usually about an earlier refusal, and today nobody picked up.

_ATTEMPTED = _compile(
    _en(
        "no answer",
        "no ans",
        "not answering",
        "didn't answer",
        "did not answer",
        r"couldn'?t reach",
        "could not reach",
        r"couldn'?t contact",
        "could not contact",
        r"couldn'?t get hold",
        "could not get hold",
        "unable to contact",
        "unable to reach",
        "unreachable",
        "not reachable",
        "DNA",
        "DNA'd",
        "DNAd",
        "did not attend",
        r"didn'?t attend",
        "no show",
        "no-show",
        "voicemail",
        "VM",
        "left (?:a )?message",
        "left msg",
        "no reply",
        "no response",
        "phone off",
        "switched off",
        r"didn'?t pick up",
        "not picking up",
        "not in",
        "not home",
        "not at home",
        "not there",
        "went to vm",
        "fon dhoreni",
        "fon dhore nai",
        "pai nai",
        "paini",
    ),
    _bn(
        "ধরেনি",
        "ধরে নাই",
        "উত্তর দেয়নি",
        "উত্তর দেয় নি",
        "পাওয়া যায়নি",
        "পাওয়া যায় নি",
        "যোগাযোগ করা যায়নি",
        "যোগাযোগ করতে পারিনি",
        "আসেনি",
        "আসে নাই",
        "বন্ধ ছিল",
    ),
)
_DECLINED = _compile(
    _en(
        "declined",
        "declines",
        "refused",
        "refuses",
        "not interested",
        r"doesn'?t want",
        "does not want",
        r"didn'?t want",
        "did not want",
        "wants nothing to do",
        "rejected support",
        "turned down",
    ),
    _bn("রাজি না", "রাজি নয়", "রাজি হয়নি", "প্রত্যাখ্যান", "চায় না", "চায়নি", "অস্বীকার করেছে"),
)

# ---------------------------------------------------------------------------------------
# Services and statuses.

_SERVICES: tuple[tuple[Service, re.Pattern[str]], ...] = (
    (
        Service.DRUG_TREATMENT,
        _compile(
            _en(
                "drug treatment",
                "drugs treatment",
                r"drugs? services?",
                "substance misuse",
                "substance use",
                "CGL",
                "change grow live",
                "Reset",
                "Turning Point",
                "DAAT",
                "DIP",
                r"drugs? workers?",
                r"drug and alcohol(?: service)?",
                "alcohol service",
                "drug support",
            ),
            _bn("মাদক চিকিৎসা", "মাদকের চিকিৎসা", "মাদক", "ড্রাগ ট্রিটমেন্ট", "ড্রাগ সার্ভিস"),
        ),
    ),
    (
        Service.ETE,
        _compile(
            _en(
                "education",
                "training",
                "employment",
                "college",
                "apprenticeship",
                "apprenticeships",
                "job",
                "jobs",
                r"(?<!of )courses?",
                "ETE",
                "EET",
                "school",
                "uni",
                "university",
                "work placement",
                "traineeship",
                "job centre",
                "jobcentre",
                "CSCS",
                "kolej",
                "chakri",
            ),
            _bn(
                "কলেজ",
                "স্কুল",
                "চাকরি",
                "চাকরী",
                "ট্রেনিং",
                "প্রশিক্ষণ",
                "শিক্ষা",
                "কোর্স",
                "অ্যাপ্রেন্টিসশিপ",
                "ইউনিভার্সিটি",
            ),
        ),
    ),
    (
        Service.MENTAL_HEALTH,
        _compile(
            _en(
                "CAMHS",
                "IAPT",
                "talking therapies",
                "counselling",
                "counseling",
                "counsellor",
                "counselor",
                "mental health",
                "psychiatrist",
                "psychologist",
                "therapy",
                "therapist",
                "early intervention",
            ),
            _bn("মানসিক স্বাস্থ্য", "কাউন্সেলিং", "কাউন্সেলর", "থেরাপি"),
        ),
    ),
    (
        Service.HOUSING,
        _compile(
            _en(
                "housing",
                "hostel",
                "homeless",
                "homelessness",
                "supported accommodation",
                "accommodation",
                "housing officer",
                "emergency housing",
            ),
            _bn("বাসস্থান", "হাউজিং", "হাউসিং", "থাকার জায়গা", "গৃহহীন", "হোস্টেল"),
        ),
    ),
    (
        Service.SOCIAL_CARE,
        _compile(
            _en(
                "social services",
                "social worker",
                "social work",
                "children'?s services",
                "childrens services",
                "social care",
                "early help",
                "leaving care",
            ),
            _bn("সোশ্যাল সার্ভিস", "সমাজকর্মী", "সোশ্যাল ওয়ার্কার", "সমাজসেবা"),
        ),
    ),
    (
        Service.VCS,
        _compile(
            _en(
                "charity",
                "youth club",
                "mentoring",
                "mentor",
                "St Giles",
                "VCS",
                "voluntary",
                "Redthread",
                "Safer London",
                "boxing club",
                "football project",
            ),
            # স্বেচ্ছাসেবী সংস্থা is the catalog's label; the stem also reads স্বেচ্ছাসেবক.
            _bn("চ্যারিটি", "মেন্টরিং", "মেন্টর", "ইয়ুথ ক্লাব", "দাতব্য", "স্বেচ্ছাসেব"),
        ),
    ),
)

# যুক্ত ("involved", the catalog's label for engaged: যুক্ত আছে, যুক্ত হয়েছে) as a word of its
# own, so যুক্তরাজ্য (UK), সংযুক্ত (attached) and যুক্তি (argument) are not statuses, and not
# when negated (যুক্ত হয়নি, যুক্ত নেই, যুক্ত না).
_BN_ENGAGED_WORD = (
    r"(?<![\u0980-\u09ff])যুক্ত(?![\u0980-\u09ff])"
    r"(?!\s*(?:হয়নি|হয় নি|হয়নাই|হয় নাই|নেই|নাই|নয়|না(?![\u0980-\u09ff])|থাকেনি|থাকছে না))"
)
_STATUSES: tuple[tuple[ServiceStatus, re.Pattern[str]], ...] = (
    (
        ServiceStatus.DISENGAGED,
        _compile(
            _en(
                "dropped out",
                r"dropped(?! off)",
                "stopped attending",
                "stopped going",
                "stopped",
                "disengaged",
                "disengaging",
                "not attending",
                "no longer attending",
                "not engaging",
                "no longer engaging",
                "kicked out",
                "excluded",
                "quit",
                r"left(?! (?:a )?(?:message|msg|voicemail|vm|vmail))",
                "lost (?:his|her|their|the) (?:job|place)",
                "sacked",
                "fired",
                "chere diyeche",
                "chere dise",
            ),
            _bn(
                "ছেড়ে দিয়েছে",
                "ছেড়ে দিছে",
                "বাদ দিয়েছে",
                "যাওয়া বন্ধ",
                "বন্ধ করে দিয়েছে",
                "যাচ্ছে না",
                "আর যুক্ত নেই",
                "আর যুক্ত নাই",
            ),
        ),
    ),
    (
        ServiceStatus.REFERRED,
        _compile(
            _en(
                "referred",
                "referral",
                "referrals",
                "refer",
                "re-referred",
                "ref'd",
                "reffed",
                "signposted",
                "sign-posted",
                "sent referral",
                "refer korsi",
                "refer kora",
            ),
            _bn("রেফার", "রেফারেল"),
        ),
    ),
    (
        ServiceStatus.ENGAGED,
        _compile(
            _en(
                "started",
                "starts",
                "began",
                "begun",
                "attended",
                "attending",
                "attends",
                "engaging",
                "engaged",
                "engages",
                "enrolled",
                "signed up",
                "joined",
                "accepted onto",
                "accepted on",
                "accepted at",
                "back at",
                "back in",
                "going to",
                "goes to",
                "working with",
                "seeing",
                "sees",
                "in touch with",
                r"got (?:a|an|into|onto|on to|a place (?:at|on))",
                "started at",
                "employed",
                "shuru korse",
                "jaitese",
            ),
            _bn("শুরু করেছে", "শুরু করছে", "যাচ্ছে", "যোগ দিয়েছে", "ভর্তি হয়েছে", "পেয়েছে"),
            _BN_ENGAGED_WORD,
        ),
    ),
)
# A status word this far from a service (in characters, same clause) does not apply to it.
_STATUS_REACH = 40

_CLAUSE_SPLIT = re.compile(r"[,;.!?\n।]|\s(?:but|however|then|also|whereas)\s", re.IGNORECASE)

# ---------------------------------------------------------------------------------------
# Risks.

_RISKS: tuple[tuple[Risk, re.Pattern[str]], ...] = (
    (
        Risk.VIOLENCE,
        _compile(
            _en(
                "stab",
                "stabbed",
                "stabbing",
                "stabbings",
                "assault",
                "assaulted",
                "fight",
                "fights",
                "fighting",
                "violence",
                "violent",
                "beaten up",
                "beat up",
                "punched",
                "attacked",
                "GBH",
                "ABH",
                "got jumped",
                "maramari",
                "mara mari",
            ),
            # সহিংস covers the catalog's label সহিংসতা and its case forms (সহিংসতার, সহিংসতায়).
            _bn("মারামারি", "ছুরিকাঘাত", "আক্রমণ", "হামলা", "মারধর", "সহিংস"),
        ),
    ),
    (
        Risk.WEAPON,
        _compile(
            _en(
                "knife",
                "knives",
                "blade",
                "bladed",
                "weapon",
                "weapons",
                "gun",
                "guns",
                "firearm",
                "machete",
                "shank",
                "churi",
            ),
            _bn("ছুরি", "অস্ত্র", "বন্দুক", "চাকু", "চাপাতি"),
        ),
    ),
    (
        Risk.OVERDOSE,
        _compile(
            _en("OD", "OD'd", "ODd", "O/D", "overdose", "overdosed", "overdosing"),
            _bn("ওভারডোজ", "অতিরিক্ত মাত্রা"),
        ),
    ),
    (
        Risk.SELF_HARM,
        _compile(
            _en(
                r"cutting(?! (?:down|back|out|off|ties))",
                "self-harm",
                "self harm",
                "self-harming",
                "self harming",
                "selfharm",
                r"cut (?:himself|herself|themselves)",
                r"hurt(?:ing)? (?:himself|herself|themselves)",
            ),
            _bn("নিজের ক্ষতি", "নিজেকে আঘাত", "নিজেকে কেটে", "হাত কেটে"),
        ),
    ),
    (
        Risk.EXPLOITATION,
        _compile(
            _en(
                "county lines",
                "county line",
                "grooming",
                "groomed",
                "exploited",
                "exploitation",
                "cuckooing",
                "cuckooed",
                "CCE",
                "CSE",
                "trapping",
                "running lines",
            ),
            _bn("কাউন্টি লাইন", "শোষণ", "ব্যবহার করছে গ্যাং"),
        ),
    ),
    (
        Risk.SUICIDAL,
        _compile(
            _en(
                "suicidal",
                "suicide",
                r"end (?:his|her|their|my) (?:own )?life",
                r"take (?:his|her|their|my) (?:own )?life",
                "end it all",
                r"kill (?:himself|herself|themselves|myself)",
            ),
            _bn("আত্মহত্যা", "মরে যেতে চায়", "মরতে চায়", "জীবন শেষ"),
        ),
    ),
)
# "no knife", "denies suicidal thoughts", "no self harm or suicidal ideation".
# Only a few words may sit between the negation and the risk, and they must be words that
# belong to a list of risks: "no answer so could not discuss the stabbing" stays a risk.
# For safeguarding a missed risk is worse than an extra one, so "not" counts only directly
# before the word.
_NEGATION_FILLER = (
    r"(?:or|and|nor|any|current|recent|signs?|of|evidence|thoughts?|concerns?|re|about|"
    r"reported|known|obvious|further|risk|risks|ideation|intent|plans?|self|harm|"
    r"knife|knives|weapons?|blades?|guns?|violence|fights?|suicidal|cutting|OD|overdose|"
    r"exploitation|grooming)"
)
_NEGATION_BEFORE = re.compile(
    r"(?:(?<!\w)(?:no|denies|denied|denying|nil|without|negative for)(?!\w)"
    rf"(?:\W+{_NEGATION_FILLER}){{0,4}}|(?<!\w)not)\W*$",
    re.IGNORECASE,
)
# Bengali and romanised Bengali negate after the word: "আত্মহত্যার চিন্তা নেই".
_NEGATION_AFTER = re.compile(
    r"^\W*(?:\S+\s+){0,2}?(?:নেই|নাই|নয়|না(?![\u0980-\u09ff])|অস্বীকার|nai(?!\w)|nei(?!\w))"
)

# ---------------------------------------------------------------------------------------
# Follow-up and "when" phrases.

_NO_FOLLOW_UP = _compile(
    _en(
        "no follow up",
        "no follow-up",
        "no followup",
        "no further follow up",
        "no further follow-up",
        "no FU",
        "no F/U",
        "no further contact",
        "no further action",
        "NFA",
        "case closed",
        "closed case",
        "close case",
        "closing case",
        "close the case",
        "closing the case",
        "closed the case",
        "case closure",
        "discharged from service",
        "follow up nai",
        "follow up lagbe na",
    ),
    _bn("ফলো আপ নেই", "ফলোআপ নেই", "ফলো আপ লাগবে না", "কেস বন্ধ", "কেস ক্লোজ"),
)
_FOLLOW_UP_TRIGGER = _compile(
    _en(
        "follow up",
        "follow-up",
        "followup",
        "following up",
        "FU",
        "F/U",
        "F-U",
        "f up",
        "check in",
        "check-in",
        "checking in",
        r"see (?:him|her|them|client|again)",
        r"seeing (?:him|her|them)",
        "review",
        "reviewing",
        "next contact",
        "next appt",
        "next appointment",
        "call back",
        "ring back",
        r"(?:call|ring|text|visit|try) again",
        r"will (?:call|ring|text|see|visit|try|contact|chase)",
        "catch up",
        "meet again",
        "chase",
        "abar dekha",
        "fon korbo",
        "dekha korbo",
    ),
    _bn("ফলো আপ", "ফলোআপ", "আবার দেখা", "আবার কথা", "যোগাযোগ করব", "দেখা করব", "ফোন করব"),
)

_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
} | {"sept": 9}

# Bengali and romanised date words, rewritten to English for dateparser. Its Bengali support
# knows weekdays and আজ/আগামীকাল but not "৩ দিন পরে", and it cannot know that কাল means
# tomorrow when planning and yesterday when reporting.
_BN_NUMBER_UNITS = (
    (re.compile(r"(?<!\d)(\d++)\s*(?:দিন|din)\s*(?:পরে|পর|pore|por)"), r"in \1 days"),
    (re.compile(r"(?<!\d)(\d++)\s*(?:সপ্তাহ|soptah|shoptah)\s*(?:পরে|পর|pore|por)?"), r"in \1 weeks"),
    (re.compile(r"(?<!\d)(\d++)\s*(?:মাস|mash|mas)\s*(?:পরে|পর|pore|por)"), r"in \1 months"),
)
_BN_WORDS: tuple[tuple[str, str], ...] = (
    # Parts of the day first: সকাল and বিকাল contain কাল, which is handled last.
    ("আজ সকালে", " this morning "),
    ("আজ বিকেলে", " this afternoon "),
    ("আজ বিকালে", " this afternoon "),
    ("সকালে", " morning "),
    ("সকাল", " morning "),
    ("বিকালে", " afternoon "),
    ("বিকেলে", " afternoon "),
    ("বিকাল", " afternoon "),
    ("বিকেল", " afternoon "),
    ("সন্ধ্যায়", " evening "),
    ("সন্ধ্যা", " evening "),
    ("আগামীকাল", " tomorrow "),
    ("আগামী কাল", " tomorrow "),
    ("গতকাল", " yesterday "),
    ("গত কাল", " yesterday "),
    ("পরশু", " in 2 days "),
    ("আগামী সপ্তাহে", " next week "),
    ("আগামী সপ্তাহ", " next week "),
    ("পরের সপ্তাহে", " next week "),
    ("আজকে", " today "),
    ("আজ", " today "),
    ("গত রাতে", " last night "),
    ("কাল রাতে", " last night "),
    ("সোমবার", " monday "),
    ("মঙ্গলবার", " tuesday "),
    ("বুধবার", " wednesday "),
    ("বৃহস্পতিবার", " thursday "),
    ("বৃহষ্পতিবার", " thursday "),
    ("শুক্রবার", " friday "),
    ("শনিবার", " saturday "),
    ("রবিবার", " sunday "),
    ("রোববার", " sunday "),
    ("জানুয়ারি", " january "),
    ("ফেব্রুয়ারি", " february "),
    ("মার্চ", " march "),
    ("এপ্রিল", " april "),
    ("জুন", " june "),
    ("জুলাই", " july "),
    ("আগস্ট", " august "),
    ("সেপ্টেম্বর", " september "),
    ("অক্টোবর", " october "),
    ("নভেম্বর", " november "),
    ("ডিসেম্বর", " december "),
    ("আগামী", " next "),
)
_ROMAN_WORDS = re.compile(
    r"(?<!\w)(?:agami kal|agamikal|ajke|aaj|aj|porshu|porsu|shukrobar|sukrobar|shombar|"
    r"sombar|mongolbar|budhbar|brihospotibar|shonibar|robibar|gotokal|gotkal)(?!\w)"
)
_ROMAN_MAP = {
    "agami kal": "tomorrow",
    "agamikal": "tomorrow",
    "ajke": "today",
    "aaj": "today",
    "aj": "today",
    "porshu": "in 2 days",
    "porsu": "in 2 days",
    "shukrobar": "friday",
    "sukrobar": "friday",
    "shombar": "monday",
    "sombar": "monday",
    "mongolbar": "tuesday",
    "budhbar": "wednesday",
    "brihospotibar": "thursday",
    "shonibar": "saturday",
    "robibar": "sunday",
    "gotokal": "yesterday",
    "gotkal": "yesterday",
}
# "সকাল ১০টা" (10 in the morning), "বিকেল ৩টায়" (3 in the afternoon).
_BN_CLOCK = re.compile(
    r"(?:(সকাল|সকালে|দুপুর|দুপুরে|বিকাল|বিকালে|বিকেল|বিকেলে|সন্ধ্যা|সন্ধ্যায়|রাত|রাতে)\s*)?"
    r"(\d{1,2})(?::(\d{2}))?\s*(?:টা|টায়|টার|ta|tay)"
)
_PM_WORDS = ("দুপুর", "বিকাল", "বিকেল", "সন্ধ্যা", "রাত")

# Shorthand that dateparser reads wrongly or not at all.
_SHORTHAND: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\w)(\d++)\s*(?:w|wk|wks)(?!\w)"), r"in \1 weeks"),
    (re.compile(r"(?<!\w)(\d++)\s*(?:d|dys)(?!\w)"), r"in \1 days"),
    (re.compile(r"(?<!\w)(\d++)\s*(?:h|hr|hrs)(?!\w)"), r"in \1 hours"),
    (re.compile(r"(?<!\w)(?:tmrw|tmr|tmrow|tomoz|2moro|2morrow)(?!\w)"), "tomorrow"),
    (re.compile(r"(?<!\w)(?:a|one) fortnight(?!\w)|(?<!\w)fortnight(?!\w)"), "2 weeks"),
    (re.compile(r"(?<!\w)(\d++)\s+(days?|weeks?|months?)(?!\w)(?! ago)"), r"in \1 \2"),
    (re.compile(r"(?<!\w)in in(?!\w)"), "in"),
    (re.compile(r"(?<!\w)(?:midday|noon)(?!\w)"), "12:00"),
    (re.compile(r"(?<!\w)(\d{1,2})\.(\d{2})\s*(am|pm)(?!\w)"), r"\1:\2\3"),
)

_TIME_RE = re.compile(
    r"(?<![\w/])(?:\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?|\d{1,2}:\d{2})(?![\w/])"
    r"|(?<!\w)(?:in \d+ hours?|in \d+ minutes?|in an hour|tonight|morning|afternoon|evening|"
    r"last night|12:00)(?!\w)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?(?![\d/.:-])"
)
_MONTH_ALT = _alt(_MONTHS)
_DAY_MONTH = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH_ALT})\.?(?:\s+(\d{{4}}))?(?!\w)"
)
_MONTH_DAY = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?(?!\w)"
)
_BARE_ORDINAL = re.compile(r"(?<!\w)(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?!\w)")

# Words a follow-up phrase can be made of. A run of these right after the trigger is the
# date phrase; anything else ends it ("follow up friday with mum" -> "friday").
_DATE_WORDS = (
    set(_WEEKDAYS)
    | set(_MONTHS)
    | {
        "today",
        "tomorrow",
        "tonight",
        "next",
        "this",
        "coming",
        "in",
        "on",
        "at",
        "by",
        "the",
        "of",
        "a",
        "an",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "hour",
        "hours",
        "minutes",
        "morning",
        "afternoon",
        "evening",
        "am",
        "pm",
        "after",
        "before",
        "end",
        "start",
    }
)
_ANCHOR_RE = re.compile(
    rf"\d|(?<!\w)(?:{_alt(_WEEKDAYS)}|{_MONTH_ALT}|today|tomorrow|tonight|week|weeks|month|"
    rf"months|day|days|hours?|yesterday|night|morning|afternoon|evening)(?!\w)"
)
# Anything that names a day rather than a time of day.
_DATE_ANCHOR_RE = re.compile(
    rf"(?<!\w)(?:{_alt(_WEEKDAYS)}|{_MONTH_ALT}|today|tomorrow|yesterday|week|weeks|month|"
    rf"months|days?|hours?|minutes?|tonight|\d{{4}})(?!\w)"
)
_PHRASE_TOKEN = re.compile(
    r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)|\d+|[a-z]+"
)
_FILLER = {
    "him",
    "her",
    "them",
    "client",
    "again",
    "up",
    "with",
    "for",
    "call",
    "visit",
    "mum",
    "abar",
}

_WHEN_RE = re.compile(
    r"(?<!\w)(?:"
    r"yesterday(?:\s+(?:morning|afternoon|evening))?(?:\s+at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}))?"
    r"|last\s+night|this\s+(?:morning|afternoon|evening)|earlier\s+today|today|tonight|tomorrow"
    r"|(?:on|last)\s+(?:"
    + _alt(_WEEKDAYS)
    + r")(?:\s+at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}))?"
    r"|on\s+\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
    r"|at\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2})"
    r")(?!\w)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------
# Dates.


def _local_base(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz).replace(tzinfo=None)


def _at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as aware UTC; fold=0 picks the first of a repeated hour."""
    local = datetime.combine(day, clock, tzinfo=tz)
    # Round-trip through UTC so a wall time that does not exist (01:30 on the March change)
    # comes back as a real instant.
    return local.astimezone(UTC)


def _translate(phrase: str, *, planning: bool) -> str:
    """Rewrite Bengali, romanised and shorthand date words into English dateparser reads."""
    text = clean_text(phrase).lower()

    def clock(m: re.Match[str]) -> str:
        period, hour_s, minute = m.group(1) or "", int(m.group(2)), m.group(3) or "00"
        hour = hour_s
        # Without a period word, 1-7 o'clock is afternoon in working hours ("৩টায়" = 15:00).
        pm = any(period.startswith(w) for w in _PM_WORDS) or (not period and 1 <= hour <= 7)
        if pm and hour < 12:
            hour += 12
        if hour > 23:
            return m.group(0)
        return f" {hour:02d}:{minute} "

    text = _BN_CLOCK.sub(clock, text)
    for pattern, repl in _BN_NUMBER_UNITS:
        text = pattern.sub(repl, text)
    for word, repl in _BN_WORDS:
        text = text.replace(word, repl)
    # কাল alone means tomorrow when planning a follow-up and yesterday when reporting one.
    text = text.replace("কাল", " tomorrow " if planning else " yesterday ")
    text = re.sub(r"(?<!\w)kal(?!\w)", "tomorrow" if planning else "yesterday", text)
    text = _ROMAN_WORDS.sub(lambda m: _ROMAN_MAP[m.group(0)], text)
    # Bengali case endings left behind ("শুক্রবারে" -> "friday ে") and stray Bengali words.
    text = re.sub(r"[\u0980-\u09ff]+", " ", text)
    for pattern, repl in _SHORTHAND:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def _resolve_year(day: int, month: int, today: date, *, planning: bool) -> date | None:
    """Year for a day/month typed without one; None when that day never exists."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    if planning:
        # The coming occurrence, unless that is more than ~6 months off while this year's
        # was recent: then it is a date in the past, and the navigator is asked.
        this_year = [d for d in candidates if d.year == today.year]
        if this_year and this_year[0] >= today:
            return this_year[0]
        if this_year and (today - this_year[0]).days <= 183:
            return this_year[0]
        future = [d for d in candidates if d >= today]
        return future[0] if future else candidates[-1]
    past = [d for d in candidates if d <= today]
    return past[-1] if past else candidates[0]


def _make_date(
    year: int | None, month: int, day: int, today: date, *, planning: bool
) -> date | None:
    if year is None:
        return _resolve_year(day, month, today, planning=planning)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pin_explicit_dates(text: str, today: date, *, planning: bool) -> str | DateProblem:
    """Replace typed calendar dates by unambiguous "3 April 2026" before dateparser sees them.

    dateparser answers None both for "31/02" and for gibberish, and silently rolls a past
    day/month into next year; doing these by hand lets an impossible date be named as such.
    """
    problem: list[DateProblem] = []

    def pin(d: date | None) -> str:
        if d is None:
            problem.append(DateProblem.IMPOSSIBLE)
            return " "
        return f" {d.day} {calendar.month_name[d.month]} {d.year} "

    def numeric(m: re.Match[str]) -> str:
        day, month = int(m.group(1)), int(m.group(2))
        year = int(m.group(3)) if m.group(3) else None
        if not 1 <= month <= 12:
            return pin(None)
        return pin(_make_date(year, month, day, today, planning=planning))

    def day_month(m: re.Match[str]) -> str:
        year = int(m.group(3)) if m.group(3) else None
        return pin(_make_date(year, _MONTHS[m.group(2)], int(m.group(1)), today, planning=planning))

    def month_day(m: re.Match[str]) -> str:
        year = int(m.group(3)) if m.group(3) else None
        return pin(_make_date(year, _MONTHS[m.group(1)], int(m.group(2)), today, planning=planning))

    def ordinal(m: re.Match[str]) -> str:
        # "review on 12th": the next 12th, skipping months too short to have one.
        day = int(m.group(1))
        year, month = today.year, today.month
        for _ in range(13):
            try:
                candidate = date(year, month, day)
            except ValueError:
                candidate = None
            if candidate is not None and (candidate >= today if planning else candidate <= today):
                return pin(candidate)
            if planning:
                month += 1
                if month == 13:
                    year, month = year + 1, 1
            else:
                month -= 1
                if month == 0:
                    year, month = year - 1, 12
        return pin(None)

    text = _NUMERIC_DATE.sub(numeric, text)
    text = _DAY_MONTH.sub(day_month, text)
    text = _MONTH_DAY.sub(month_day, text)
    text = _BARE_ORDINAL.sub(ordinal, text)
    if problem:
        return problem[0]
    return text


def _settings(base: datetime, *, prefer: str) -> dict[str, Any]:
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": prefer,
        "TIMEZONE": "Europe/London",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": base,
        "PREFER_DAY_OF_MONTH": "first",
        "STRICT_PARSING": False,
    }


def _dateparse(phrase: str, base: datetime, *, prefer: str) -> datetime | None:
    """dateparser on an already-extracted phrase, returning naive local wall-clock time.

    Naive local in, naive local out: relative arithmetic ("in 3 days") then keeps the wall
    clock across a DST change, and the caller attaches the zone once.
    """
    if not phrase or len(phrase) > 80:
        return None
    try:
        # English only: _translate has already turned Bengali date words into English and
        # dropped the rest, so the Bengali locale would only add ~0.2 ms of locale probing.
        parser = DateDataParser(languages=["en"], settings=_settings(base, prefer=prefer))
        result = parser.get_date_data(phrase).date_obj
    except Exception:  # dateparser raises assorted errors on odd input; a draft never fails
        return None
    if result is None:
        return None
    if result.tzinfo is not None:
        result = result.replace(tzinfo=None)
    return result


# Words of a phrase whose day does not depend on the time of day it is read at: days, weeks,
# months and years counted from today, named days and dates. A number counts only next to a
# unit or a month ("in 3 days", "3 April 2026"): alone it could be read as an hour.
_DAY_ONLY_WORDS = set(_WEEKDAYS) | {
    "today",
    "tomorrow",
    "yesterday",
    "next",
    "this",
    "coming",
    "in",
    "on",
    "the",
    "of",
    "a",
    "an",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "after",
    "ago",
}
_DAY_UNITS = {"day", "days", "week", "weeks", "month", "months", "year", "years"}


def _names_a_day_only(text: str) -> bool:
    """Whether dateparser's day for this phrase depends on today's date alone (not the
    time of day): then one answer serves every call on the same local day."""
    tokens = text.lower().split()  # pinned dates read "3 April 2026"
    if not tokens or len(tokens) > 8:
        return False
    for i, token in enumerate(tokens):
        if token in _DAY_ONLY_WORDS or token in _MONTHS:
            continue
        if token.isascii() and token.isdigit() and len(token) <= 4:
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            before = tokens[i - 1] if i > 0 else ""
            if after in _DAY_UNITS or after in _MONTHS or before in _MONTHS:
                continue
        return False
    return True


@lru_cache(maxsize=2048)
def _dateparse_day(text: str, today: date, prefer: str) -> date | None:
    """The day dateparser gives a day-only phrase (see `_names_a_day_only`), read at noon.

    dateparser costs ~1 ms a call, and most follow-up phrases ("friday", "in 2 weeks") recur
    all day. The key is the phrase, today's local date and the direction: everything the
    answer depends on for such a phrase (tests/unit/test_parser_properties.py checks that
    the day read at noon is the day read at any other time). Old days fall out of the LRU.
    """
    parsed = _dateparse(text, datetime.combine(today, time(12)), prefer=prefer)
    return None if parsed is None else parsed.date()


def _resolve(phrase: str, *, now: datetime, tz: ZoneInfo, planning: bool) -> datetime | DateProblem:
    base = _local_base(now, tz)
    text = _translate(phrase, planning=planning)
    text = re.sub(r"^(?:on|by|for|the|at the|on the)\s+", "", text)
    pinned = _pin_explicit_dates(text, base.date(), planning=planning)
    if isinstance(pinned, DateProblem):
        return pinned
    text = " ".join(pinned.split())
    if not _ANCHOR_RE.search(text) and not _TIME_RE.search(text):
        return DateProblem.UNCLEAR
    has_time = _TIME_RE.search(text) is not None
    if planning and has_time and _DATE_ANCHOR_RE.search(text) is None:
        # A bare time ("FU 08:00") is today; if that has passed, ask rather than assume
        # tomorrow.
        text = f"today {text}"
    prefer = "future" if planning else "past"
    if not has_time and _names_a_day_only(text):
        # Only the day is used below, and for such a phrase it depends on the date alone.
        day = _dateparse_day(text, base.date(), prefer)
        if day is None:
            return DateProblem.UNCLEAR
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(day, clock, tz)
    parsed = _dateparse(text, base, prefer=prefer)
    if parsed is None:
        return DateProblem.UNCLEAR
    if not has_time:
        # A follow-up date means 09:00; a contact "on Monday" keeps the time of day of now,
        # as dateparser does for "yesterday", rather than inventing midnight.
        clock = DEFAULT_TIME if planning else base.time().replace(microsecond=0)
        return _at_local(parsed.date(), clock, tz)
    return _at_local(parsed.date(), parsed.time().replace(microsecond=0), tz)


def parse_follow_up_phrase(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | DateProblem:
    """A typed follow-up date ("friday", "3/4", "tomorrow 2pm", "৩ দিন পরে") as aware UTC.

    A date without a time is 09:00 local. A date-only follow-up for today is accepted even
    after 09:00 (it is simply due now); one with a time that has passed is PAST.
    """
    try:
        result = _resolve(text, now=now, tz=tz, planning=True)
    except Exception:  # the guided flow shows a question rather than an error
        return DateProblem.UNCLEAR
    if isinstance(result, DateProblem):
        return result
    local_today = now.astimezone(tz).date()
    has_time = _TIME_RE.search(_translate(text, planning=True)) is not None
    if has_time and result < now:
        return DateProblem.PAST
    if result.astimezone(tz).date() < local_today:
        return DateProblem.PAST
    if result - now > MAX_FOLLOW_UP_AHEAD:
        return DateProblem.TOO_FAR
    return result


# ---------------------------------------------------------------------------------------
# Extraction.


def _find_setting(text: str) -> Setting | None:
    best: tuple[int, Setting] | None = None
    for setting, pattern in _SETTINGS:
        m = pattern.search(text)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), setting)
    return best[1] if best else None


def _find_outcome(text: str) -> Outcome:
    if _ATTEMPTED.search(text):
        return Outcome.ATTEMPTED
    if _DECLINED.search(text):
        return Outcome.DECLINED
    return Outcome.MADE


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _find_services(text: str) -> tuple[ServiceUpdate, ...]:
    """Per service, the status word nearest its mention in the same clause; later wins.

    A bare mention ("needs housing") is not a status change and is left out: the card lets
    the navigator add it with a tap, whereas a wrong "referred" would skew engagement stats.
    """
    latest: dict[Service, ServiceStatus] = {}
    for clause in _clauses(text):
        statuses = [
            (m.start(), m.end(), status)
            for status, pattern in _STATUSES
            for m in pattern.finditer(clause)
        ]
        if not statuses:
            continue
        mentions = sorted(
            (m.start(), m.end(), service)
            for service, pattern in _SERVICES
            for m in pattern.finditer(clause)
        )
        for start, end, service in mentions:
            best: tuple[int, int, ServiceStatus] | None = None
            for s_start, s_end, status in statuses:
                if s_start < end and s_end > start:
                    continue  # the status word is inside the service name ("Reset" vs "set")
                distance = start - s_end if s_end <= start else s_start - end
                # Ties go to the word before the service ("referred to X" beats a later verb).
                rank = (distance, 0 if s_end <= start else 1)
                if distance <= _STATUS_REACH and (best is None or rank < best[:2]):
                    best = (rank[0], rank[1], status)
            if best is not None:
                latest[service] = best[2]
    return tuple(
        ServiceUpdate(service, status)
        for service, status in sorted(latest.items(), key=lambda kv: kv[0].value)
    )


def _negated(clause: str, start: int, end: int) -> bool:
    return bool(_NEGATION_BEFORE.search(clause[:start]) or _NEGATION_AFTER.match(clause[end:]))


def _find_risks(text: str) -> tuple[Risk, ...]:
    found: set[Risk] = set()
    for clause in _clauses(text):
        for risk, pattern in _RISKS:
            if risk in found:
                continue
            for m in pattern.finditer(clause):
                if not _negated(clause, m.start(), m.end()):
                    found.add(risk)
                    break
    return tuple(sorted(found, key=lambda r: r.value))


def _follow_up_phrase(text: str) -> tuple[str, int, int] | None:
    """The date words attached to a follow-up trigger, and the span to hide from "when".

    English puts the date after the trigger ("follow up friday"), Bengali before it
    ("শুক্রবার ফলো আপ"); the words after are tried first.
    """
    for m in _FOLLOW_UP_TRIGGER.finditer(text):
        clause_start = max((c.end() for c in _CLAUSE_SPLIT.finditer(text, 0, m.start())), default=0)
        after = _CLAUSE_SPLIT.search(text, m.end())
        clause_end = after.start() if after else len(text)
        for segment, seg_start in (
            (text[m.end() : clause_end], m.end()),
            (text[clause_start : m.start()], clause_start),
        ):
            phrase = _date_run(segment, from_end=seg_start != m.end())
            if phrase:
                return phrase, min(seg_start, m.start()), max(clause_end, m.end())
    return None


def _date_run(segment: str, *, from_end: bool) -> str:
    """The longest run of date words at the start (or end) of a segment, if it has an anchor."""
    translated = _translate(segment, planning=True)
    tokens = _PHRASE_TOKEN.findall(translated)
    if from_end:
        tokens.reverse()
    run: list[str] = []
    skipped = 0
    for token in tokens:
        is_date = token in _DATE_WORDS or token[0].isdigit()
        if is_date:
            run.append(token)
        elif not run and token in _FILLER and skipped < 3:
            skipped += 1
        else:
            break
    if from_end:
        run.reverse()
    while run and run[-1] in {"in", "on", "at", "by", "the", "of", "a", "an", "next", "this"}:
        run.pop()
    while run and run[0] in {"of", "the", "at", "by", "after", "before"}:
        run.pop(0)
    phrase = " ".join(run)
    return phrase if _ANCHOR_RE.search(phrase) else ""


def _occurred(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, DateProblem | None]:
    translated = _translate(text, planning=False)
    m = _WHEN_RE.search(translated)
    if m is None:
        return now, None
    phrase = m.group(0)
    if phrase in {"today", "earlier today", "tonight"}:
        return now, None
    if phrase.lower().startswith("at "):
        phrase = "today " + phrase
    result = _resolve(phrase, now=now, tz=tz, planning=False)
    if isinstance(result, DateProblem):
        return now, result
    if result > now + OCCURRED_GRACE:
        # A contact cannot have happened in the future; ask rather than store a guess.
        return now, DateProblem.UNCLEAR
    return result, None


def parse_contact(
    text: str, *, now: datetime, tz: ZoneInfo, default_follow_up_days: int = 7
) -> Draft:
    """A draft log from a navigator's free text. Never raises; unknown fields stay empty."""
    if now.tzinfo is None:  # a caller bug, but a draft must still come back: read it as UTC
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    raw = text
    try:
        note = truncate_note(redact(raw))
    except Exception:  # redaction must not fail open: store nothing rather than the raw text
        note = ""
    scan = clean_text(raw[:_SCAN_CHARS])
    # Codes are blanked before looking for keywords: RLH-042 is not the Royal London.
    for start, end in reversed(code_spans(scan)):
        scan = scan[:start] + " " * (end - start) + scan[end:]
    try:
        codes = tuple(find_client_codes(raw))
    except Exception:
        codes = ()
    try:
        return _parse_fields(scan, codes, note, now=now, tz=tz, days=default_follow_up_days)
    except Exception:
        # A bug in one extractor must not lose the navigator's message: return a minimal
        # draft that the card shows for manual completion.
        return Draft(
            client_codes=codes,
            setting=None,
            outcome=Outcome.MADE,
            services=(),
            risks=(),
            follow_up_kind=FollowUpKind.DEFAULT,
            follow_up_at=_default_follow_up(now, tz, default_follow_up_days),
            follow_up_problem=None,
            occurred_at=now,
            occurred_problem=None,
            language="unknown",
            note=note,
        )


def _default_follow_up(now: datetime, tz: ZoneInfo, days: int) -> datetime:
    local_day = now.astimezone(tz).date() + timedelta(days=days)
    return _at_local(local_day, DEFAULT_TIME, tz)


def _parse_fields(
    text: str, codes: tuple[str, ...], note: str, *, now: datetime, tz: ZoneInfo, days: int
) -> Draft:
    follow_kind = FollowUpKind.DEFAULT
    follow_at: datetime | None = None
    follow_problem: DateProblem | None = None
    rest = text
    found = _follow_up_phrase(text)
    if _NO_FOLLOW_UP.search(text):
        follow_kind = FollowUpKind.NONE
        if found is not None:
            rest = text[: found[1]] + " " + text[found[2] :]
    elif found is not None and found[0]:
        phrase, start, end = found
        follow_kind = FollowUpKind.STATED
        result = parse_follow_up_phrase(phrase, now=now, tz=tz)
        if isinstance(result, DateProblem):
            follow_problem = result
        else:
            follow_at = result
        rest = text[:start] + " , " + text[end:]
    if follow_kind is FollowUpKind.DEFAULT:
        follow_at = _default_follow_up(now, tz, days)

    occurred_at, occurred_problem = _occurred(rest, now=now, tz=tz)
    stated_language = explicit_language(text)
    return Draft(
        client_codes=codes,
        setting=_find_setting(rest),
        outcome=_find_outcome(text),
        services=_find_services(text),
        risks=_find_risks(text),
        follow_up_kind=follow_kind,
        follow_up_at=follow_at,
        follow_up_problem=follow_problem,
        occurred_at=occurred_at,
        occurred_problem=occurred_problem,
        language=detect_contact_language(note, explicit=stated_language),
        note=note,
    )
