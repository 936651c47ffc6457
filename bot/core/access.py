"""Who may do what, in one place: roles, commands, invites, which clients and follow-ups a
staff member may see or act on, and which team's reports. Pure."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.core.domain import Role, StaffMember
from bot.core.i18n import N_

ROLE_RANK: dict[Role, int] = {Role.NAVIGATOR: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def at_least(role: Role, minimum: Role) -> bool:
    return ROLE_RANK[role] >= ROLE_RANK[minimum]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str  # an untranslated msgid; translate where it is shown
    minimum_role: Role


# The command menu and /help, in the order a navigator meets them. A command is listed here
# only once its handler exists.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "log", N_("Log a contact step by step (or: /log C123 seen in ED…)"), Role.NAVIGATOR
    ),
    CommandSpec("client", N_("One client's summary: /client C123"), Role.NAVIGATOR),
    CommandSpec("clients", N_("Your open caseload"), Role.NAVIGATOR),
    CommandSpec("close", N_("Close a case: /close C123 [reason]"), Role.NAVIGATOR),
    CommandSpec("undo", N_("Remove your last log (within 15 minutes)"), Role.NAVIGATOR),
    CommandSpec("confirm", N_("Confirmation cards on or off"), Role.NAVIGATOR),
    CommandSpec("language", N_("Answer in English, Bengali or automatically"), Role.NAVIGATOR),
    CommandSpec("help", N_("What I can do for you"), Role.NAVIGATOR),
    CommandSpec("cancel", N_("Stop what we are doing"), Role.NAVIGATOR),
    CommandSpec("due", N_("My follow-ups due today and overdue"), Role.NAVIGATOR),
    CommandSpec("hours", N_("My working hours for reminders"), Role.NAVIGATOR),
    CommandSpec("away", N_("Record leave with cover: /away 21/12..04/01 [cover]"), Role.NAVIGATOR),
    CommandSpec("back", N_("Back from leave early"), Role.NAVIGATOR),
    CommandSpec("invite", N_("Invite a colleague: /invite navigator hospital"), Role.SUPERVISOR),
    CommandSpec("stats", N_("Team figures: /stats month, /stats Q1 vs Q2"), Role.SUPERVISOR),
    CommandSpec("overdue", N_("Every overdue follow-up, by navigator"), Role.SUPERVISOR),
    CommandSpec("chart", N_("Chart of weekly contacts and engagement: /chart 12"), Role.SUPERVISOR),
    CommandSpec("export", N_("Spreadsheet of a period: /export last-month"), Role.SUPERVISOR),
    CommandSpec("reassign", N_("Move one client: /reassign C123 @colleague"), Role.SUPERVISOR),
    CommandSpec("handover", N_("Move a caseload: /handover @from @to [open|all]"), Role.SUPERVISOR),
    CommandSpec("users", N_("Staff and their open caseloads: /users [team]"), Role.SUPERVISOR),
    CommandSpec("revoke", N_("Revoke a colleague's access: /revoke @name"), Role.SUPERVISOR),
    CommandSpec("role", N_("Change a role: /role @name supervisor"), Role.SUPERVISOR),
    CommandSpec("team", N_("Move a colleague to a team: /team @name community"), Role.ADMIN),
    CommandSpec("audit", N_("Audit log of a client or colleague: /audit C123"), Role.ADMIN),
    CommandSpec(
        "client_export", N_("Everything held about a client: /client_export C123"), Role.ADMIN
    ),
    CommandSpec("client_erase", N_("Erase a client for good: /client_erase C123"), Role.ADMIN),
)


def commands_for(role: Role) -> list[CommandSpec]:
    return [command for command in COMMANDS if at_least(role, command.minimum_role)]


def may_invite(*, inviter_role: Role, inviter_team: str, role: Role, team: str) -> bool:
    """Admins invite anyone anywhere; supervisors invite navigators and supervisors to their
    own team only; navigators invite no one."""
    if inviter_role is Role.ADMIN:
        return True
    if inviter_role is Role.SUPERVISOR:
        return team == inviter_team and role in (Role.NAVIGATOR, Role.SUPERVISOR)
    return False


def normalise_team(raw: str) -> str | None:
    """Team names are free but tidy: lower-case letters, digits, '-' and '_', 1-32 chars."""
    team = raw.strip().lower()
    if 1 <= len(team) <= 32 and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in team):
        return team
    return None


def may_see_client(
    *, role: Role, staff_id: int, team: str, client_owner_id: int, client_team: str
) -> bool:
    """Navigators see their own clients, supervisors their team's, admins all (PRODUCT §4)."""
    if role is Role.ADMIN:
        return True
    if role is Role.SUPERVISOR:
        return client_team == team
    return client_owner_id == staff_id


def may_act_on(actor: StaffMember, *, owner_id: int, team: str) -> bool:
    """The owner, a supervisor of the owner's team, or an admin."""
    if actor.id == owner_id or actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SUPERVISOR and actor.team == team


def may_supervise(actor: StaffMember, *, team: str) -> bool:
    return actor.role is Role.ADMIN or (actor.role is Role.SUPERVISOR and actor.team == team)


TEAM_ALL = "all"  # /stats all: every team (admins)


class ScopeRefusal(StrEnum):
    ROLE = "role"  # navigators do not get team reports
    OTHER_TEAM = "other_team"  # a supervisor asked for another team (or all)
    UNKNOWN_TEAM = "unknown_team"  # an admin named a team nobody is in


@dataclass(frozen=True)
class Scope:
    team: str | None  # None: every team


def decide_scope(
    *, role: Role, own_team: str, requested: str | None, known_teams: Collection[str]
) -> Scope | ScopeRefusal:
    """Supervisors see their own team (the default) and are refused any other; admins see
    every team by default and may name any known team or ``all``."""
    if role is Role.NAVIGATOR:
        return ScopeRefusal.ROLE
    wanted = requested.strip().lower() if requested else None
    if wanted is not None and wanted != TEAM_ALL and wanted not in known_teams:
        # Say the team does not exist before anything about whose team it is: a supervisor
        # typing `/chart abc` is told there is no team abc, not that it is someone else's.
        return ScopeRefusal.UNKNOWN_TEAM
    if role is Role.SUPERVISOR:
        if wanted is None or wanted == own_team:
            return Scope(own_team)
        return ScopeRefusal.OTHER_TEAM
    if wanted is None or wanted == TEAM_ALL:
        return Scope(None)
    return Scope(wanted) if wanted in known_teams else ScopeRefusal.UNKNOWN_TEAM
