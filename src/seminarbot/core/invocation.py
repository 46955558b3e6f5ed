"""Who called a command, where, with what arguments, at what time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from seminarbot.clock import Clock

if TYPE_CHECKING:
    from seminarbot.core.commands import Command

# What handlers reach the seminar's data through: the core knows only that it exists.
App = TypeVar("App")


class Actor(NamedTuple):  # a tuple, no __dict__: one per message in a burst
    platform: str
    user_id: str
    display_name: str
    # Decided by the adapter: Discord permissions or role, Matrix power level, console switch.
    is_moderator: bool = False


class Place(NamedTuple):
    platform: str
    community_id: str
    channel_id: str
    community_name: str = ""
    channel_name: str = ""
    # A direct room with the caller (Matrix: where answers for them alone come), which holds
    # no seminar: one is never set up there (helper-174's 2).
    direct: bool = False
    # What the platform calls the place, in the bot's answers: "room" on Matrix.
    noun: str = "channel"


@dataclass(frozen=True)
class Invocation(Generic[App]):
    """One call of a command. `app` is whatever the composition root handed to dispatch (the
    services object): the core never looks inside it, handlers type it."""

    command: Command
    actor: Actor
    place: Place
    args: Mapping[str, Any]
    clock: Clock
    app: App
    # The platform id of the message or interaction that carried the command, if any:
    # it makes a retried command idempotent (a replayed /seminar respond records once).
    source_id: str | None = None
    # How commands are typed where this one came from ("/" on Discord and the console, "!" …).
    prefix: str = "/"
    # When the platform says it was sent (a Matrix event's origin_server_ts, a Discord
    # interaction's snowflake time), if it says: it may be handled later (the bot was down).
    sent_at: datetime | None = None
    # What the handler found that the audit log's entry should keep beside the arguments
    # (the participant a `participant` argument found: forget-me takes it out, helper-143).
    noted: dict[str, Any] = field(default_factory=dict)
    # Each argument as it was typed, for a refusal to quote (helper-194's 7: `2d` was quoted
    # back as '2 days').
    typed: Mapping[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> Any:
        return self.args.get(name)

    def sent(self) -> datetime:
        """When the command was sent, as the platform says, never later than now: what it
        records of a person (an opt-in, an opt-out, a response) dates from then, as the
        messages around it date from their platform's time."""
        now = self.clock.now()
        return now if self.sent_at is None else min(self.sent_at, now)
