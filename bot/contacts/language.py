"""Which language a contact was held in (PRODUCT §9), for stats by language.

The order of evidence, strongest first:

1. What the navigator says ("spoke Sylheti", "Bangla te", "via Somali interpreter"): this
   wins over any guess, and may name a language outside the team's list.
2. Bengali script: Bengali, or Sylheti when Sylheti-only words are in it.
3. Romanised Bengali/Sylheti ("banglish"), from a word list: langdetect has no profile for it
   and answers Albanian or Tagalog. Sylheti-only forms (kita, oibo, jaibo, aij, kail…) make it
   "syl"; standard colloquial forms only (ami, ache, korbo, bhalo…) make it "bn". Most London
   navigators write Sylheti this way, but "bn" for the shared words keeps the two apart in the
   stats instead of calling everything Sylheti.
4. Common English words (at least four, and half of the words that are not shorthand like
   ED, HV, DNA): short English notes are what langdetect gets most wrong (Afrikaans, Dutch,
   Somali).
5. Too few letters (under `_MIN_LETTERS`, after codes and digits are removed): "unknown".
   "seen in ED, FU fri" says nothing about the language the contact was held in.
6. langdetect, seeded, and only trusted for a language the team has configured
   (`CONTACT_LANGUAGES`, default en,bn,syl) with a probability of at least
   `_MIN_PROBABILITY`; anything else is "unknown", never a stray "af" or "tl".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from bot.contacts.codes import clean_text, code_spans

UNKNOWN = "unknown"
SYLHETI = "syl"
DEFAULT_CONTACT_LANGUAGES: tuple[str, ...] = ("en", "bn", SYLHETI)

_MIN_LETTERS = 20
_BENGALI_SHARE = 0.3
# langdetect's answer is taken only when it is at least this sure of a configured language.
_MIN_PROBABILITY = 0.8

# Language names navigators write, to ISO 639-1 ("syl" for Sylheti, which has no 639-1 code).
_NAMES: dict[str, str] = {
    "english": "en",
    "engl": "en",
    "ingreji": "en",
    "engreji": "en",
    "angreji": "en",
    "bengali": "bn",
    "bangla": "bn",
    "bangali": "bn",
    "bengla": "bn",
    "bangala": "bn",
    "sylheti": SYLHETI,
    "syloti": SYLHETI,
    "siloti": SYLHETI,
    "sileti": SYLHETI,
    "sylhetti": SYLHETI,
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
_NOT_THE_CONTACT = r"(?!\s+(?:class|classes|course|lessons?|gcse|esol|teacher|exam|test))"

# "in Sylheti", "spoke Bengali", "via interpreter (Somali)", "Urdu interpreter", and the
# romanised postposition navigators type: "Bangla te", "sylheti-te", "banglay", "english e".
# Not "in English class": that is a course, not the language of the contact.
_EXPLICIT_RE = re.compile(
    rf"(?i)\b(?:"
    rf"(?:in|spoke|speaks|speaking|spoken|using|conducted\s+in|through|via|lang(?:uage)?\s*[:=-])"
    rf"\s+(?:mostly\s+|mainly\s+|in\s+)?"
    rf"(?P<a>{_NAME_ALT})\b{_NOT_THE_CONTACT}"
    rf"|interpreter\s*[(:-]?\s*(?P<b>{_NAME_ALT})\b"
    rf"|(?P<c>{_NAME_ALT})[\s-]+(?:interpreter|speaker)"
    rf"|(?P<d>{_NAME_ALT})(?:[\s-]*(?:te|tei|e|ey)\b|y\b)"
    rf")"
)
# Bengali words, with their case endings (বাংলায় "in Bangla", সিলেটিতে "in Sylheti").
_BENGALI_EXPLICIT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"সিলেট[িী]"), SYLHETI),
    (re.compile(r"বাংলা"), "bn"),
    (re.compile(r"ইংরেজি|ইংলিশ"), "en"),
    (re.compile(r"উর্দু"), "ur"),
)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Romanised Bengali as navigators type it on an English keyboard: words shared by standard
# colloquial Bengali and Sylheti. No English look-alikes ("to", "more", "he", "bad").
_ROMAN_BENGALI = _wordset(
    "ami amra tumi tomra apni apnara tare tar tara tader amar amader tomar apnar ora "
    "kal kalke aaj aj ajke bhalo bala valo bhal ase ache aache achi asi achhe achen nai nei "
    "na kotha bolsi bollam bolse bolche bolechi boleche bolbo bolte korbo korsi korlam "
    "korse korche korchi korte korben koren kori kore korle korbe koreche korechi dekhsi "
    "dekhlam dekha dekhbo dekhte dekhe haspatal hashpatal hospatal fon phon kore hobe hoise "
    "hoyeche hoyni hoy hoilo holo jabe jabo jaben jaite jaitese gese gelo geche gechi "
    "ekhon akhon khub onek kintu abar bhai bon ammu abbu amma abba baba "
    "asilo chilo silo dorkar lagbe lagbena lage lagche lagse shathe sathe songe shuru "
    "dhoreni dhore dhorse dhorche porshu porshudin bari barite basa basay bashay bashae "
    "kichu kisu kono keno kobe kothay kokhon kemon kivabe thik ase ashbe asbe ashe "
    "ashen jaigay jayga ghum khay khaise khete khawa mara marse marche dukkho bhoy bhoi "
    "kaj kaaj chakri porashona kolej ekta duita tinta din raat shokal bikal "
    "dupur shondha hoite parbo parbe parse pare pari pari nay naki tahole"
)
# Forms used in Sylheti and not in standard Bengali: one of them makes a romanised note "syl".
_SYLHETI_MARKERS = _wordset(
    "kita kitar kene kila kilakoi kilan oibo oiche oise oisil oisilo oilo oito oitai hoibo "
    "hoisil jaibo zaibo zaito zaiyo jaimu zaimu jaitam zaitam aij aiz aijke kail "
    "kaile kailke forshu fursu forshudin jummabar jumabar khaisi khaise khaisil khaiya asoin "
    "aase aise asil kubla korbay korbai kormu kortam dimu dibay deoin mair maira marse matse "
    "matsi matbo matoin fuwa fua furi ekhta hokol hokkol bade baade ahon "
    "ogu ugu tain tainre taire tumar lagbo nae"
)
# Bengali-script Sylheti: কিতা (what), কিলা (how), অখন (now), ফুয়া/ফুরি (boy/girl),
# মাত (speak), অইব/অইছে (will be/has been).
_SYLHETI_SCRIPT_RE = re.compile(r"কিতা|কিলা|অখন|ফুয়া|ফুরি|মাতছ|মাতলা|মাতি|অইব|অইছ|অইলে|যাইমু|করমু")

# Navigator English: common words. Enough hits settle a short note as English before
# langdetect can call it Tagalog or Norwegian. Loanwords banglish uses as much as English
# (police, court, hospital, college, phone) are left out: they say nothing either way.
_ENGLISH_WORDS = _wordset(
    "the a an and or but in on at to of for with after from by no not is was were are be "
    "been has had have he she they we i him her his them their our my me it its this "
    "that there here who what when where how why which did do does done dont didnt "
    "doesnt wont cant couldnt wouldnt isnt wasnt seen saw see rang ring called call "
    "calls texted text messaged spoke speak speaking talked talk answer answered reply "
    "replied mum dad mother father brother sister family friend friends partner home "
    "visit visited referred referral refer follow up fu check checked today tomorrow "
    "yesterday tonight morning afternoon evening night week weeks days day month fine "
    "all ok okay well good bad better worse concerns concern risk risks identified "
    "denies denied declined refused attended attending started start job work "
    "ward outreach again try tried will would could should can may might next last says "
    "said wants want wanted needs need seemed seems appeared looked low "
    "mood happy upset angry calm appointment "
    "meeting met meet sent send letter booked plan plans support help helped about "
    "very really just still also too more less any some other into over under around "
    "because so if then than as only never ever always discharged admitted assault "
    "assaulted stabbed injury injuries wound drugs drug alcohol drunk high using use "
    "used weed cannabis crack heroin overdose training course housing hostel "
    "accommodation benefits money debt worker social service services team "
    "manager officer nurse doctor staff client clients young person engaged engaging "
    "engagement disengaged update updated agreed agrees consent unable able available "
    "busy left leave came come coming went go going gone back got get"
)
_SHORTHAND = _wordset(
    "ed ae gp hv dna nfa iom yot mh dt ete cgl od tmrw tmr tom yday txt msg appt gf bf ref "
    "bro sis x w wk am pm asap tbc nka aka si sh gsw ot"
)
_ROMAN_MIN_HITS = 3
_ROMAN_SHARE = 0.3
_ENGLISH_MIN_HITS = 4
_ENGLISH_SHARE = 0.5

_TAG_RE = re.compile(r"\[(?:phone|email|postcode|nhs|name|dob|address)\]")
_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")


def explicit_language(text: str) -> str | None:
    """The language the navigator says the contact was held in, if they say so."""
    text = clean_text(text)
    best: tuple[int, str] | None = None
    m = _EXPLICIT_RE.search(text)
    if m is not None:
        name = next(g for g in m.group("a", "b", "c", "d") if g).lower()
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


def _pick(found: str, allowed: Collection[str]) -> str:
    """`found`, or its nearest configured neighbour: a team that does not count Sylheti
    separately counts it as Bengali, and the other way round."""
    if found in allowed:
        return found
    if found == SYLHETI and "bn" in allowed:
        return "bn"
    if found == "bn" and SYLHETI in allowed:
        return SYLHETI
    return UNKNOWN


def _langdetect(text: str, allowed: Collection[str]) -> str:
    try:
        detector = _factory().create()  # fresh per call: a Detector keeps state between appends
        # Three seeded trials instead of seven: the same answers on notes of this length, at
        # a third of the cost (parse_contact runs on every message).
        detector.n_trial = 3
        detector.append(text)
        ranked = detector.get_probabilities()
    except LangDetectException:
        return UNKNOWN
    if not ranked or ranked[0].prob < _MIN_PROBABILITY:
        return UNKNOWN
    return _pick(str(ranked[0].lang), allowed)


def detect_contact_language(
    note: str,
    *,
    explicit: str | None = None,
    languages: Collection[str] = DEFAULT_CONTACT_LANGUAGES,
) -> str:
    """ISO 639-1 code, "syl", or "unknown" when the note is too short or unclear to judge.

    `languages` are the team's configured contact languages: a guess outside them is
    "unknown". What the navigator states (`explicit`, or words in the note) is kept as said.
    """
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
        return _pick(SYLHETI if _SYLHETI_SCRIPT_RE.search(text) else "bn", languages)
    words = _WORD_RE.findall(text.lower())
    if not words:
        return UNKNOWN
    sylheti = sum(1 for w in words if w in _SYLHETI_MARKERS)
    roman = sylheti + sum(1 for w in words if w in _ROMAN_BENGALI and w not in _SYLHETI_MARKERS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if roman >= _ROMAN_MIN_HITS and roman / len(words) >= _ROMAN_SHARE and roman >= english / 2:
        return _pick(SYLHETI if sylheti else "bn", languages)
    # Shorthand (ED, HV, DNA, tmrw) is neither evidence nor counter-evidence: a note that is
    # mostly shorthand is too short to judge, one that is mostly words is judged on the words.
    worded = sum(1 for w in words if w not in _SHORTHAND)
    if english >= _ENGLISH_MIN_HITS and english >= _ENGLISH_SHARE * worded:
        return _pick("en", languages)
    if letters < _MIN_LETTERS:
        return UNKNOWN
    return _langdetect(text, languages)
