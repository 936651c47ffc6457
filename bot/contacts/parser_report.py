"""Scores the parser on a corpus of navigator messages with expected fields (issue 13).

`python -m bot.contacts.parser_report [FILE.jsonl ...]` (`make parser-report`) prints per-field
accuracy per file, messages fully right, safeguarding recall, other-risk recall, the false
risk rate and every miss. The corpus format is described in tests/parser_corpus/README.md.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.contacts.parse_output import parse_fields

FIELDS = ("client", "setting", "outcome", "services", "risks", "follow_up", "occurred_at")
SAFEGUARDING = frozenset({"weapon", "suicidal", "exploitation"})
THRESHOLDS = {
    "field": 0.95,
    "fully_right": 0.85,
    "safeguarding_recall": 1.0,
    "other_risk_recall": 0.95,
    "false_risk_rate": 0.03,
}
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "parser_corpus"


def _occurred_ok(expected: str, got: str, now_local: str) -> bool:
    if expected == "now":
        return got == now_local
    if "T" not in expected:
        return got[:10] == expected
    return got == expected


def _follow_up_ok(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    if expected["kind"] != got["kind"]:
        return False
    return expected["kind"] != "stated" or bool(expected["at"] == got["at"])


def compare(expected: dict[str, Any], got: dict[str, Any]) -> dict[str, bool]:
    """Per field, whether the parser got it right."""
    now = datetime.fromisoformat(expected["now"])

    now_local = (
        now.astimezone(ZoneInfo(expected.get("tz", "Europe/London")))
        .replace(tzinfo=None)
        .isoformat(timespec="minutes")
    )
    result = {
        "client": expected["client"] == got["client"],
        "setting": expected["setting"] == got["setting"],
        "outcome": expected["outcome"] == got["outcome"],
        "services": expected["services"] == got["services"],
        "risks": sorted(expected["risks"]) == sorted(got["risks"]),
        "follow_up": _follow_up_ok(expected["follow_up"], got["follow_up"]),
        "occurred_at": _occurred_ok(expected["occurred_at"], got["occurred_at"], now_local),
    }
    if "language" in expected:
        result["language"] = expected["language"] == got["language"]
    return result


@dataclass
class Score:
    messages: int = 0
    fully_right: int = 0
    field_right: dict[str, int] = field(default_factory=dict)
    field_total: dict[str, int] = field(default_factory=dict)
    safeguarding_expected: int = 0
    safeguarding_found: int = 0
    other_expected: int = 0
    other_found: int = 0
    false_risk_messages: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, expected: dict[str, Any], got: dict[str, Any], label: str) -> None:
        checks = compare(expected, got)
        self.messages += 1
        self.fully_right += all(checks.values())
        for name, ok in checks.items():
            self.field_total[name] = self.field_total.get(name, 0) + 1
            self.field_right[name] = self.field_right.get(name, 0) + ok
        want, have = set(expected["risks"]), set(got["risks"])
        for risk in want:
            if risk in SAFEGUARDING:
                self.safeguarding_expected += 1
                self.safeguarding_found += risk in have
            else:
                self.other_expected += 1
                self.other_found += risk in have
        self.false_risk_messages += bool(have - want)
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            detail = "; ".join(
                f"{name}: want {json.dumps(expected[name], ensure_ascii=False)} "
                f"got {json.dumps(got[name], ensure_ascii=False)}"
                for name in wrong
            )
            self.misses.append(f"[{label}] {expected['text']}\n    {detail}")

    def rates(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return a / b if b else 1.0

        out = {
            f"field:{name}": ratio(self.field_right[name], n)
            for name, n in self.field_total.items()
        }
        out["fully_right"] = ratio(self.fully_right, self.messages)
        out["safeguarding_recall"] = ratio(self.safeguarding_found, self.safeguarding_expected)
        out["other_risk_recall"] = ratio(self.other_found, self.other_expected)
        out["false_risk_rate"] = self.false_risk_messages / self.messages if self.messages else 0.0
        return out

    def failures(self) -> list[str]:
        """Thresholds of issue 13 that this score does not meet."""
        failed = []
        for name, value in self.rates().items():
            if name.startswith("field:"):
                limit, ok = THRESHOLDS["field"], value >= THRESHOLDS["field"]
            elif name == "false_risk_rate":
                limit, ok = THRESHOLDS[name], value <= THRESHOLDS[name]
            else:
                limit, ok = THRESHOLDS[name], value >= THRESHOLDS[name]
            if not ok:
                failed.append(f"{name} {value:.1%} (limit {limit:.0%})")
        return failed


def load_corpus(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
    return rows


_BENGALI = re.compile(r"[\u0980-\u09ff]")
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")


def script_of(text: str) -> str:
    """How a message is written: Bengali script, romanised ("roman"), or code-switched
    ("mixed": Bengali script with three or more Latin words)."""
    latin = len(_LATIN_WORD.findall(text))
    if not _BENGALI.search(text):
        return "roman"
    return "mixed" if latin >= 3 else "script"


def score_files(paths: Sequence[Path]) -> tuple[Score, dict[str, Score]]:
    """The total and a score per file; files other than en.jsonl are also split by
    script (bn:script, bn:mixed, bn:roman)."""
    total = Score()
    groups: dict[str, Score] = {}
    for path in paths:
        for row in load_corpus(path):
            got = parse_fields(row["text"], now=datetime.fromisoformat(row["now"]), tz=row["tz"])
            names = [path.stem]
            if path.stem != "en":
                names.append(f"{path.stem}:{script_of(row['text'])}")
            for name in names:
                groups.setdefault(name, Score()).add(row, got, path.stem)
            total.add(row, got, path.stem)
    return total, dict(sorted(groups.items()))


def render(total: Score, per_file: dict[str, Score]) -> str:
    columns = [*per_file, "all"]
    scores = [*per_file.values(), total]
    rates = [s.rates() for s in scores]
    names = sorted(
        {name for r in rates for name in r}, key=lambda n: (not n.startswith("field:"), n)
    )
    lines = ["metric".ljust(26) + "".join(c.rjust(11) for c in columns)]
    lines.append("messages".ljust(26) + "".join(str(s.messages).rjust(11) for s in scores))
    for name in names:
        lines.append(
            name.ljust(26)
            + "".join((f"{r[name]:.1%}" if name in r else "-").rjust(11) for r in rates)
        )
    failures = total.failures()
    lines.append("")
    lines.append(
        "thresholds: " + ("all met" if not failures else "NOT met: " + ", ".join(failures))
    )
    lines.append(f"\nmisses ({len(total.misses)}):")
    lines.extend(total.misses)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    paths = [Path(a) for a in args] or sorted(DEFAULT_CORPUS.glob("*.jsonl"))
    total, per_file = score_files(paths)
    print(render(total, per_file))
    return 0 if not total.failures() else 1


if __name__ == "__main__":
    raise SystemExit(main())
