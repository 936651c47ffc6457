"""The vocabulary files: checked at load with errors naming file and line, read once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.contacts.vocabulary_data import (
    FILES,
    VOCABULARY_DIR,
    VocabularyError,
    load_vocabulary,
    vocabulary,
    word_regex,
)


def test_the_shipped_files_load_and_are_read_once() -> None:
    assert all((VOCABULARY_DIR / name).exists() for name in FILES)
    loaded = load_vocabulary()
    assert loaded.alternatives("risk", "weapon")
    assert loaded.dates["aij"] == "today"
    assert vocabulary() is vocabulary()


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "en.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[setting]\nhospital = ["ED"]\n\n[risks]\nweapon = ["knife"]\n', 4, "unknown section"),
        ('[setting]\nhospital = ["ED"]\nhospitle = ["ward"]\n', 3, "unknown key 'hospitle'"),
        ('[risk]\nweapon = ["knife"]\nsuicide = ["SI"]\n', 3, "allowed:"),
        ('[risk]\nweapon = "knife"\n', 2, "must be a list of words"),
        ('[risk]\nweapon = ["knife", ""]\n', 2, "must be a list of words"),
        (
            '# comment\n\n[patterns.risk]\nweapon = [\n  "gun",\n  "kni(fe",\n]\n',
            6,
            "does not compile",
        ),
        ("[dates]\naij = 3\n", 2, "non-empty string"),
        ("[setting]\nhospital = [\n", None, "en.toml"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_line(
    tmp_path: Path, text: str, line: int | None, words: str
) -> None:
    with pytest.raises(VocabularyError) as raised:
        load_vocabulary(_write(tmp_path, text))
    message = str(raised.value)
    assert words in message
    if line is not None:
        assert message.startswith(f"en.toml:{line}: ")


def test_a_team_member_can_add_a_file(tmp_path: Path) -> None:
    (tmp_path / "syl.toml").write_text('[risk]\nweapon = ["dao"]\n', encoding="utf-8")
    assert load_vocabulary(tmp_path).alternatives("risk", "weapon") == [word_regex("dao")]


@pytest.mark.parametrize(
    ("word", "matches", "misses"),
    [
        (
            "couldn't reach",
            ["couldnt reach", "couldn’t  reach", "COULDN'T REACH"],
            ["couldn reach"],
        ),
        ("stab*", ["stab", "stabbed", "stabbing"], ["restab", "kebab"]),
        ("self-harm", ["self harm", "selfharm", "self-harm"], ["selfish harm"]),
        ("ED", ["in ED today", "ED."], ["EDU", "bED", "A&ED"]),
        ("হাসপাতাল", ["হাসপাতালে", "হাসপাতাল"], ["হাসপা"]),
    ],
)
def test_word_rules(word: str, matches: list[str], misses: list[str]) -> None:
    pattern = re.compile(word_regex(word), re.IGNORECASE)
    assert all(pattern.search(text) for text in matches)
    assert not any(pattern.search(text) for text in misses)
