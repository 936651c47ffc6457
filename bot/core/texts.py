"""Reply texts built from parts: pure functions over a Translator."""

from __future__ import annotations

from bot.core.access import commands_for
from bot.core.domain import Role
from bot.core.i18n import N_, Translator

ROLE_LABELS: dict[Role, str] = {
    Role.NAVIGATOR: N_("navigator"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.ADMIN: N_("admin"),
}


def role_label(t: Translator, role: Role) -> str:
    return t.raw(ROLE_LABELS[role])


def help_text(t: Translator, role: Role) -> str:
    lines = [t("<b>Commands for you ({role})</b>", role=role_label(t, role))]
    lines += [f"/{command.name} — {t(command.description)}" for command in commands_for(role)]
    return "\n".join(lines)


def welcome_text(t: Translator, *, name: str | None, role: Role, team: str) -> str:
    greeting = t("Welcome, {name}.", name=name) if name else t("Welcome.")
    registered = t(
        "You are registered as {role} in team {team}.", role=role_label(t, role), team=team
    )
    return f"{greeting} {registered}\n\n{help_text(t, role)}"
