"""Run the real `navbot` console command as a subprocess against the fake Bot API."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[2]
# Shaped like a real token (`navbot run` checks the shape before any request).
E2E_TOKEN = "987654:AAE2E-secret-token-value-0123456789xyz"


def navbot_command() -> list[str]:
    """The installed `navbot` script next to this interpreter, else the same entry point
    through `python -m` (a checkout used without `pip install -e`)."""
    script = shutil.which("navbot", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bot.cli"]


def bot_environment(api_base_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "BOT_", "LOG_", "METRICS_"))
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": E2E_TOKEN,
            "TELEGRAM_API_BASE_URL": api_base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'navbot.db'}",
            "LOG_LEVEL": "DEBUG",  # the most talkative level must still not leak anything
            "PYTHONPATH": str(REPO_ROOT),
            "PTB_TIMEDELTA": "true",
            # The suite runs on any date: no bank holiday may silence a reminder it waits for.
            "HOLIDAY_REGION": "none",
        }
    )
    env.update(extra)
    return env


class BotProcess:
    """`navbot run` in its own process group, with stdout and stderr captured to a file."""

    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        name: str = "bot",
        command: list[str] | None = None,
    ) -> None:
        self.command = command or [*navbot_command(), "run"]
        self.env = env
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self._close_log()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        self._close_log()

    def wait(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        code = self.process.wait(timeout=timeout)
        self._close_log()
        return code

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def run_cli(env: dict[str, str], workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*navbot_command(), *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
