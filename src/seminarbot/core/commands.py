"""Command declarations and the help generated from them (the registry: core.registry)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from seminarbot.core.params import Flag, ParamType
from seminarbot.core.replies import Reply

if TYPE_CHECKING:
    from seminarbot.core.invocation import Invocation, Place
    from seminarbot.core.registry import Registry


class Permission(Enum):
    PARTICIPANT = "participant"
    MODERATOR = "moderator"


@dataclass(frozen=True)
class Suggestion:
    value: str
    label: str


# Both take the services object the composition root hands to dispatch (see Invocation.app).
Autocomplete = Callable[[Any, "Place", str], Awaitable[list[Suggestion]]]
Handler = Callable[["Invocation[Any]"], Awaitable[Reply]]


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    help: str
    required: bool = True
    default: Any = None
    # Takes the remainder of the line exactly as typed (free text: its quotes and anything
    # that looks like an --option included); only the spaces around it are trimmed.
    rest: bool = False
    autocomplete: Autocomplete | None = None
    metavar: str = ""
    # Its value names another command (help's COMMAND): platforms that name commands their
    # own way translate it back before dispatch.
    names_command: bool = False
    # Given only by name (`--since DATE`), never by position, in typed commands.
    option: bool = False
    # Its value names a participant: where a platform links a mention to a person (Matrix's
    # user pills), an option's value typed as one is the id it links to.
    names_person: bool = False

    @property
    def is_flag(self) -> bool:
        return isinstance(self.type, Flag)

    @property
    def shown(self) -> str:
        if self.is_flag:
            return f"[--{self.name}]"
        name = self.metavar or self.name.upper().replace("_", "-")
        if self.option:
            name = f"--{self.name} {name}"
        return name if self.required else f"[{name}]"


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    help: str
    handler: Handler
    params: tuple[Param, ...] = ()
    permission: Permission = Permission.PARTICIPANT
    private: bool = False  # the reply is for the caller only (ephemeral where possible)
    details: str = ""
    # It sets the seminar up in the channel where it is typed: adapters check first that the
    # bot can work there (see dispatch's guard).
    sets_up_channel: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def usage(self, prefix: str = "/") -> str:
        return " ".join([prefix + self.name, *(p.shown for p in self.params)])

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)


def render_help(registry: Registry, *, prefix: str, moderator: bool,
                group: str | None = None) -> Reply:
    """The command list, generated from the declarations; only a group's with `group`."""
    from seminarbot.core.replies import Table

    rows = []
    for command in registry:
        if (command.permission is Permission.MODERATOR and not moderator) \
                or (group is not None and command.path[0] != group):
            continue
        who = "moderators" if command.permission is Permission.MODERATOR else "everyone"
        rows.append((command.usage(prefix), command.help, who))
    footer = f"Type {prefix}help COMMAND for the details of one command."
    title = "Commands" if group is None else f"Commands of {prefix}{group}"
    return Reply(title=title, table=Table(("command", "what it does", "who"), tuple(rows)),
                    footer=footer)


def render_command_help(command: Command, *, prefix: str) -> Reply:
    fields = [(p.shown, f"{p.help} — {p.type.expected}") for p in command.params]
    who = "moderators only" if command.permission is Permission.MODERATOR else "everyone"
    paragraphs = [command.help]
    if command.details:
        paragraphs.append(command.details)
    return Reply(title=command.usage(prefix), paragraphs=tuple(paragraphs),
                    fields=(*fields, ("who", who)))
