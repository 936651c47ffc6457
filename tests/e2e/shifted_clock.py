"""`python -m tests.e2e.shifted_clock 2026-12-25T10:00:00+00:00 run`: the real `navbot` entry
point with the process's clock moved to that instant and running on from there (tests only).

time-machine moves what the bot reads as the time of day (`datetime.now`, `time.time`), not
the event loop's monotonic clock, so intervals and timeouts behave as usual while dates,
working hours and bank holidays are those of the chosen day.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> int:
    start = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(start, tick=True):
        from bot.cli import main as navbot

        return navbot(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
