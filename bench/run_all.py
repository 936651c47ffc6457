"""`make bench`: every benchmark in turn, at the sizes the issues ask for.

The first run builds the 1M-row databases under bench/out/ (minutes); later runs reuse them.
PostgreSQL runs are included when NAVBOT_TEST_POSTGRES_URL is set (bench.sweep reads it too).
"""

from __future__ import annotations

import os
import subprocess
import sys

COMMANDS = [
    ["bench.log_throughput"],
    ["bench.sweep", "sweep"],
    ["bench.sweep", "delivery", "--messages", "3000", "--rate", "30"],
    ["bench.stats", "--backend", "sqlite"],
]


def main() -> int:
    commands = list(COMMANDS)
    postgres = os.environ.get("NAVBOT_TEST_POSTGRES_URL")
    if postgres:  # bench.sweep reads the same variable itself
        commands.append(["bench.stats", "--backend", "postgres", "--postgres-url", postgres])
    for command in commands:
        print(f"$ python -m {' '.join(command)}", flush=True)
        result = subprocess.run([sys.executable, "-m", *command], check=False)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
