"""The parser's accuracy on the repository's corpus, held to issue 13's thresholds.

Every field ≥ 95 % right, ≥ 85 % of messages fully right, recall 100 % for the
safeguarding risks (weapon, suicidal, exploitation) and ≥ 95 % for the others, false risks
on ≤ 3 % of messages. `make parser-report` prints the same figures with every miss.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.contacts.parser_report import DEFAULT_CORPUS, load_corpus, render, score_files

FILES = {"en": 150, "bn": 100}


@pytest.mark.parametrize(("name", "minimum"), FILES.items())
def test_corpus_is_large_enough(name: str, minimum: int) -> None:
    rows = load_corpus(DEFAULT_CORPUS / f"{name}.jsonl")
    assert len(rows) >= minimum
    assert len({row["text"] for row in rows}) == len(rows), "duplicate messages"


def test_parser_meets_the_thresholds_on_the_corpus() -> None:
    paths = [DEFAULT_CORPUS / f"{name}.jsonl" for name in FILES]
    total, per_file = score_files(paths)
    assert total.messages >= sum(FILES.values())
    assert not total.failures(), render(total, per_file)


def test_the_scorer_counts_a_missed_safeguarding_risk(tmp_path: Path) -> None:
    # The thresholds test above can only fail if the scorer sees misses: check it does.
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(
        '{"text": "C1 seen, all fine", "now": "2026-12-03T10:30:00+00:00", '
        '"tz": "Europe/London", "client": "C1", "setting": null, "outcome": "made", '
        '"services": {}, "risks": ["weapon"], "follow_up": {"kind": "default", "at": null}, '
        '"occurred_at": "now"}\n',
        encoding="utf-8",
    )
    total, _ = score_files([corpus])
    assert total.rates()["safeguarding_recall"] == 0.0
    assert any(f.startswith("safeguarding_recall") for f in total.failures())
    assert any(f.startswith("fully_right") for f in total.failures())


def test_bengali_messages_are_split_by_script() -> None:
    from bot.contacts.parser_report import script_of

    assert script_of("C1 হাসপাতালে দেখা হয়েছে") == "script"
    assert script_of("C1 haspatal e dekhsi") == "roman"
    assert script_of("C1 ward e দেখা হয়েছে, stab wound in leg") == "mixed"
