"""The parser's vocabulary, read from data files (bot/contacts/vocabulary/*.toml) once per process.

Words are data, grammar is code (ARCHITECTURE §14): a team member extends a TOML file
without touching Python; negation scope, tense and the object of a phrase stay in
bot/contacts/parsing.py. A file with an unknown section, key or value, or a pattern that does not
compile, stops the bot at start with an error naming the file and line.

How a word is matched (see the header of bot/contacts/vocabulary/en.toml):
- case does not matter; a space matches any run of spaces; an apostrophe is optional
  (`couldn't` also matches `couldnt`); a hyphen may be a space or nothing;
- a word ending in `*` matches any ending (`stab*`: stab, stabbed, stabbing);
- Latin-script words match whole words only; a word containing Bengali letters matches
  inside longer words too, because Bengali attaches case endings (হাসপাতালে).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.core.domain import Outcome, Risk, Service, ServiceStatus, Setting

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"
FILES = ("en.toml", "banglish.toml", "bn.toml")

# Section -> the keys it may hold. Lists of words unless named in _TABLES.
SECTIONS: dict[str, frozenset[str]] = {
    "setting": frozenset(s.value for s in Setting),
    "outcome": frozenset({Outcome.ATTEMPTED.value, Outcome.DECLINED.value}),
    "service": frozenset(s.value for s in Service),
    "status": frozenset(s.value for s in ServiceStatus),
    "risk": frozenset(r.value for r in Risk),
    # Words that imply a risk without naming it (a stabbing implies a blade): dropped when
    # the same message explicitly denies that risk ("stab wound, no weapon concerns").
    "implied_risk": frozenset(r.value for r in Risk),
    # Phrases where drugs are carried, held or sold: a risk, never a drug-treatment service.
    "not_service": frozenset({"drugs"}),
    "follow_up": frozenset({"trigger", "weak_trigger", "none", "future"}),
    "negation": frozenset(
        {"before", "after", "not_negation", "status_blocker", "status_blocker_after"}
    ),
    "contact": frozenset({"words", "verbs"}),
    "dates": frozenset(),  # a table: phrase = "English date words"
}
_TABLES = frozenset({"dates"})
_PATTERN_PREFIX = "patterns"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Vocabulary:
    """Every word and pattern, merged over the files, as regex source per (section, key)."""

    words: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    # The same words as units (see word_units), and the [patterns.X] entries, for
    # combined(): one trie-shaped regex per list instead of hundreds of alternatives.
    units: dict[tuple[str, str], list[tuple[tuple[str, ...], bool]]] = field(default_factory=dict)
    patterns: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def alternatives(self, section: str, key: str) -> list[str]:
        """Regex source of every word and pattern of one list, one per entry."""
        return self.words.get((section, key), [])

    def combined(self, section: str, key: str) -> str | None:
        """One regex source matching any entry of the list (None for an empty list).

        Words share prefixes in a trie ("stab", "stabbed", "stab wound" are tried once up to
        "stab"), so the cost per character of a message stays small however long the lists
        grow; Python's re does not do this for a plain alternation."""
        units = self.units.get((section, key), [])
        parts = [*self.patterns.get((section, key), [])]
        latin = [u for u, bengali in units if not bengali]
        bengali = [u for u, is_bengali in units if is_bengali]
        if latin:
            parts.append(_LATIN_BEFORE + _emit(_trie(latin), _LATIN_AFTER))
        if bengali:
            parts.append(_emit(_trie(bengali), ""))
        return "|".join(f"(?:{p})" for p in parts) if parts else None


_BENGALI = re.compile(r"[\u0980-\u09ff]")


_LATIN_BEFORE = r"(?<![\w&/])"
_LATIN_AFTER = r"(?![\w&])"


def word_units(word: str) -> tuple[tuple[str, ...], bool]:
    """A vocabulary word as a sequence of regex units, and whether it is Bengali script
    (rules in the module docstring). Letters are lower-cased: patterns ignore case."""
    text = word.strip()
    star = text.endswith("*")
    if star:
        text = text[:-1]
    bengali = _BENGALI.search(text) is not None
    space = r"\s*" if bengali else r"\s+"
    parts: list[str] = []
    for ch in text:
        if ch.isspace():
            if not parts or parts[-1] != space:
                parts.append(space)
        elif ch in "'’":
            parts.append("['’]?")
        elif ch == "-":
            parts.append(r"[-\s]?")
        else:
            parts.append(re.escape(ch.lower()))
    if star:
        parts.append(r"[\u0980-\u09ff]*" if bengali else r"\w*")
    return tuple(parts), bengali


def word_regex(word: str) -> str:
    """Regex source for one vocabulary word (rules in the module docstring)."""
    units, bengali = word_units(word)
    body = "".join(units)
    return body if bengali else f"{_LATIN_BEFORE}{body}{_LATIN_AFTER}"


_Trie = dict[str, "_Trie"]
_END = ""  # key marking that a word may end here (no unit is the empty string)


def _trie(words: list[tuple[str, ...]]) -> _Trie:
    root: _Trie = {}
    for units in words:
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node[_END] = {}
    return root


def _emit(node: _Trie, end: str) -> str:
    # Longer continuations are tried before ending here, as "longest first" would.
    parts = [unit + _emit(child, end) for unit, child in node.items() if unit != _END]
    if _END in node:
        parts.append(end)
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def phrase_regex(phrases: list[str]) -> str | None:
    """One trie-shaped regex source for literal phrases (the [dates] keys): Latin ones as
    whole words (a "/" also bounds them: "w/c"), Bengali ones anywhere."""
    latin: list[tuple[str, ...]] = []
    bengali: list[tuple[str, ...]] = []
    for phrase in phrases:
        units: list[str] = []
        for part in phrase.lower().split():
            if units:
                units.append(r"\s+")
            units.extend(re.escape(ch) for ch in part)
        (bengali if _BENGALI.search(phrase) else latin).append(tuple(units))
    parts = []
    if latin:
        parts.append(r"(?<![\w/])" + _emit(_trie(latin), r"(?![\w/])"))
    if bengali:
        parts.append(_emit(_trie(bengali), ""))
    return "|".join(f"(?:{p})" for p in parts) if parts else None


def _line_of(lines: list[str], section: str, key: str | None, needle: str | None = None) -> int:
    """Best-effort line number of a section/key (tomllib keeps no positions)."""
    header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        start = 0
    if key is not None:
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for i in range(start, len(lines)):
            if key_re.match(lines[i]):
                start = i
                break
    if needle is not None:
        for i in range(start, len(lines)):
            if needle in lines[i]:
                return i + 1
    return start + 1


def _fail(path: Path, line: int, message: str) -> VocabularyError:
    return VocabularyError(f"{path.name}:{line}: {message}")


def _load_file(path: Path, into: Vocabulary) -> None:
    raw = path.read_text(encoding="utf-8")
    lines = raw.splitlines()
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        raise VocabularyError(f"{path.name}: {error}") from None
    for name, body in data.items():
        is_pattern = name == _PATTERN_PREFIX
        sections: dict[str, Any] = body if is_pattern else {name: body}
        if not isinstance(body, dict):
            raise _fail(path, _line_of(lines, name, None), f"'{name}' must be a [section]")
        for section, entries in sections.items():
            shown = f"{_PATTERN_PREFIX}.{section}" if is_pattern else section
            if section not in SECTIONS or (is_pattern and section in _TABLES):
                known = ", ".join(sorted(SECTIONS))
                raise _fail(
                    path,
                    _line_of(lines, shown, None),
                    f"unknown section [{shown}] (known: {known})",
                )
            if not isinstance(entries, dict):
                raise _fail(path, _line_of(lines, shown, None), f"[{shown}] must hold keys")
            for key, values in entries.items():
                line = _line_of(lines, shown, key)
                if section in _TABLES:
                    if not isinstance(values, str) or not values.strip():
                        raise _fail(path, line, f"'{key}' in [{shown}] must be a non-empty string")
                    into.dates[key.lower()] = values.strip().lower()
                    continue
                if key not in SECTIONS[section]:
                    allowed = ", ".join(sorted(SECTIONS[section]))
                    raise _fail(
                        path, line, f"unknown key '{key}' in [{shown}] (allowed: {allowed})"
                    )
                if not isinstance(values, list) or not all(
                    isinstance(v, str) and v.strip() for v in values
                ):
                    raise _fail(path, line, f"'{key}' in [{shown}] must be a list of words")
                for value in values:
                    source = (
                        word_regex(value)
                        if not is_pattern
                        else value
                        if _BENGALI.search(value)
                        else rf"(?<![\w&/])(?:{value})(?![\w&])"
                    )
                    try:
                        re.compile(source)
                    except re.error as error:
                        raise _fail(
                            path,
                            _line_of(lines, shown, key, value),
                            f"pattern {value!r} in [{shown}] does not compile: {error}",
                        ) from None
                    into.words.setdefault((section, key), []).append(source)
                    if is_pattern:
                        into.patterns.setdefault((section, key), []).append(source)
                    else:
                        into.units.setdefault((section, key), []).append(word_units(value))


def load_vocabulary(directory: Path = VOCABULARY_DIR) -> Vocabulary:
    """Read and check every vocabulary file in `directory` (uncached: for tests and tools)."""
    vocabulary = Vocabulary()
    for name in FILES:
        path = directory / name
        if path.exists():
            _load_file(path, vocabulary)
    for extra in sorted(directory.glob("*.toml")):
        if extra.name not in FILES:
            _load_file(extra, vocabulary)
    return vocabulary


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once per process."""
    return load_vocabulary()
