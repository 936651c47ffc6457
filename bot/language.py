"""Which language a contact was held in (PRODUCT §9), for stats by language.

What the navigator says ("spoke Sylheti") beats any guess. Otherwise Bengali script is a
strong, cheap signal; langdetect is the fallback, and on short notes it is close to random,
so those are "unknown" rather than a confident wrong answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from bot.codes import clean_text, code_spans

UNKNOWN = "unknown"
SYLHETI = "syl"

_MIN_LETTERS = 20
_BENGALI_SHARE = 0.3

# Language names navigators write, to ISO 639-1 ("syl" for Sylheti, which has no 639-1 code).
_NAMES: dict[str, str] = {
    "english": "en",
    "bengali": "bn",
    "bangla": "bn",
    "bangali": "bn",
    "sylheti": SYLHETI,
    "syloti": SYLHETI,
    "urdu": "ur",
    "hindi": "hi",
    "punjabi": "pa",
    "gujarati": "gu",
    "somali": "so",
    "arabic": "ar",
    "polish": "pl",
    "romanian": "ro",
    "portuguese": "pt",
    "spanish": "es",
    "french": "fr",
    "turkish": "tr",
    "kurdish": "ku",
    "farsi": "fa",
    "persian": "fa",
    "pashto": "ps",
    "tigrinya": "ti",
    "amharic": "am",
    "albanian": "sq",
    "lithuanian": "lt",
    "twi": "tw",
    "yoruba": "yo",
    "tamil": "ta",
}
_NAME_ALT = "|".join(sorted(_NAMES, key=len, reverse=True))

# "in Sylheti", "spoke Bengali", "via interpreter (Somali)", "Urdu interpreter". Not "in
# English class": that is a course, not the language of the contact.
_EXPLICIT_RE = re.compile(
    rf"(?i)\b(?:"
    rf"(?:in|spoke|speaks|speaking|spoken|using|conducted\s+in|through|via)\s+(?:mostly\s+|mainly\s+)?"
    rf"(?P<a>{_NAME_ALT})\b(?!\s+(?:class|classes|course|lessons?|gcse|esol))"
    rf"|interpreter\s*[(:-]?\s*(?P<b>{_NAME_ALT})\b"
    rf"|(?P<c>{_NAME_ALT})[\s-]+(?:interpreter|speaker)"
    rf")"
)
# Bengali words, with their case endings (বাংলায় "in Bangla", সিলেটিতে "in Sylheti").
_BENGALI_EXPLICIT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"সিলেট[িী]"), SYLHETI),
    (re.compile(r"বাংলা"), "bn"),
    (re.compile(r"ইংরেজি|ইংলিশ"), "en"),
    (re.compile(r"উর্দু"), "ur"),
)


# Romanised Bengali/Sylheti as navigators type it on an English keyboard. langdetect has no
# profile for it and answers something random (Estonian, Tagalog), so a small word list
# decides instead. Sylheti-only forms tip it to "syl".
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ROMAN_BENGALI = _wordset(
    "ami tumi apni tare tar amar tomar apnar kal aaj aj bhalo bala valo ase ache aache "
    "nai nei na kotha bolsi bollam korbo korsi korlam dekhsi dekhlam haspatal hashpatal fon "
    "kore kori hobe hoise hoyeche jabe jaibo ekhon akhon khub onek kintu abar bhai bon ma baba "
    "gese gelo asilo chilo dorkar lagbe shathe sathe dekha shuru korse jaitese dhoreni "
    "abar porshu hoise korbo refer korsi basay bashay"
)
_SYLHETI_MARKERS = _wordset("kita oito zaibo zaito khaisi aase asoin kubla hoiche")
# Navigator shorthand in English ("rang, no answer, FU 3 days") is too short and too full of
# abbreviations for langdetect, which then answers Tagalog or Norwegian. Common English words
# settle it the same way the romanised Bengali list does.
_ENGLISH_WORDS = _wordset(
    "the a an and or but in on at to of for with after from by no not is was he she they "
    "him her his them their seen saw rang called texted spoke answer reply mum dad home "
    "visit referred referral follow up fu check today tomorrow yesterday fine all ok well "
    "concerns risk risks identified denies attended started college job ward outreach "
    "again try will next week weeks days day in says said wants phone"
)
_ROMAN_MIN_HITS = 3
# Function words are so common that three of them ("seen in ED, FU") say nothing yet.
_ENGLISH_MIN_HITS = 4
_ROMAN_SHARE = 0.3

_TAG_RE = re.compile(r"\[(?:phone|email|postcode|nhs|name)\]")


def explicit_language(text: str) -> str | None:
    """The language the navigator says the contact was held in, if they say so."""
    text = clean_text(text)
    best: tuple[int, str] | None = None
    m = _EXPLICIT_RE.search(text)
    if m is not None:
        name = (m.group("a") or m.group("b") or m.group("c")).lower()
        best = (m.start(), _NAMES[name])
    for pattern, code in _BENGALI_EXPLICIT:
        bm = pattern.search(text)
        if bm is not None and (best is None or bm.start() < best[0]):
            best = (bm.start(), code)
    return best[1] if best else None


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    # A private factory rather than langdetect's module-level one: loading profiles is slow
    # (done once, lazily), and the seed is set on this instance, not on a shared global.
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def _is_bengali(ch: str) -> bool:
    return "\u0980" <= ch <= "\u09ff"


def detect_contact_language(note: str, *, explicit: str | None = None) -> str:
    """ISO 639-1 code, "syl", or "unknown" when the note is too short to judge."""
    if explicit:
        return explicit
    text = clean_text(note)
    stated = explicit_language(text)
    if stated is not None:
        return stated
    for start, end in reversed(code_spans(text)):
        text = text[:start] + " " + text[end:]
    text = _TAG_RE.sub(" ", text)
    text = re.sub(r"[\d_]+", " ", text)
    bengali = sum(1 for c in text if _is_bengali(c))
    letters = sum(1 for c in text if c.isalpha() or _is_bengali(c))
    if letters == 0:
        return UNKNOWN
    if bengali / letters >= _BENGALI_SHARE and bengali >= 3:
        return "bn"
    words = re.findall(r"[a-z]+", text.lower())
    roman = sum(1 for w in words if w in _ROMAN_BENGALI or w in _SYLHETI_MARKERS)
    if roman >= _ROMAN_MIN_HITS and roman / len(words) >= _ROMAN_SHARE:
        return SYLHETI if any(w in _SYLHETI_MARKERS for w in words) else "bn"
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if english >= _ENGLISH_MIN_HITS and english / len(words) >= 0.5:
        return "en"
    if letters < _MIN_LETTERS:
        return UNKNOWN
    try:
        detector = _factory().create()  # fresh per call: a Detector keeps state between appends
        # Three seeded trials instead of seven: the same answers on notes of this length, at
        # a third of the cost (parse_contact runs on every message).
        detector.n_trial = 3
        detector.append(text)
        return str(detector.detect())
    except LangDetectException:
        return UNKNOWN
