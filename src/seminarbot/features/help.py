"""help [COMMAND]: generated from the declarations."""

from __future__ import annotations

from seminarbot.core.commands import Command, Param, render_command_help, render_help
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import String
from seminarbot.core.replies import Reply
from seminarbot.services.container import Services


async def show_help(inv: Invocation[Services]) -> Reply:
    registry = inv.app.registry
    wanted = inv.arg("command")
    group = registry.named_group(wanted, inv.prefix) if wanted else None
    if group:
        return render_help(registry, prefix=inv.prefix, moderator=inv.actor.is_moderator,
                           group=group)
    if wanted:
        return render_command_help(registry.named(wanted, inv.prefix), prefix=inv.prefix)
    return render_help(registry, prefix=inv.prefix, moderator=inv.actor.is_moderator)


def commands() -> list[Command]:
    return [Command(
        ("help",), "List the commands, or explain one", show_help,
        params=(Param("command", String(max_length=60, meaning="a command's name"),
                      "a command such as 'seminar setup'",
                      required=False, rest=True, names_command=True),),
        private=True,
    )]
