"""/seminar roles [SESSION]: the discussion roles a moderator can hand out, with the week's tasks.

The bot lists the roles; the moderator assigns them in the channel. Nothing is stored.
"""

from __future__ import annotations

from seminarbot.core.commands import Command
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Reply
from seminarbot.domain.progress import THIS_WEEK
from seminarbot.features.common import chosen_session, session_param
from seminarbot.services.container import Services


async def roles(inv: Invocation[Services]) -> Reply:
    session = await chosen_session(inv)
    companion = inv.app.syllabus.companion
    if not companion.roles:
        return Reply(title="Roles", paragraphs=("This seminar's content defines no roles.",))
    fields = []
    for role in companion.roles:
        task = companion.task(role, session.id)
        own = " (this week)" if task != role.task else ""
        fields.append((f"{role.name}{own}", task))
    return Reply(
        title=f"Session {session.number} roles: {session.title}",
        paragraphs=("Roles a moderator can hand out for this meeting, one person each; the "
                    "others read as usual.",),
        fields=tuple(fields),
        footer=f"Reading: {inv.prefix}seminar reading {session.number}. Dates: "
               f"{inv.prefix}seminar timeline {session.number}")


def commands() -> list[Command]:
    return [Command(
        ("seminar", "roles"), "Show discussion roles to hand out, with this week's tasks", roles,
        params=(session_param(f"session number or id (default: {THIS_WEEK})"),),
    )]
