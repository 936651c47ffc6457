"""The product's rules load without Telegram (the contracts in pyproject's
[tool.importlinter], checked by `make lint`, seen here at run time too)."""

from __future__ import annotations

import subprocess
import sys

PURE = [
    "bot.core.access",
    "bot.core.clock",
    "bot.contacts.saving",
    "bot.followups.actions",
    "bot.contacts.guided_log",
    "bot.contacts.parsing",
    "bot.core.reminder_policy",
    "bot.followups.sweep",
    "bot.reports.collect",
    "bot.reports.figures",
    "bot.core.working_hours",
]


def test_importing_the_rules_does_not_load_telegram() -> None:
    code = (
        f"import sys\nimport {', '.join(PURE)}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
