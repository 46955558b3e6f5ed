"""Autocomplete for every platform that offers it: the command's permission check first, then
the parameter's own source (or the default for its type).

A source sees only the place the command is typed in (its seminar, its community); whoever may
not run the command gets no suggestions at all, so a member who may not export cannot list the
seminar's participants either.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from seminarbot.core.commands import Command, Param, Permission, Suggestion
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.zones import place_zones

MAX_SUGGESTIONS = 25  # Discord's limit on autocomplete choices, and plenty elsewhere


def may_run(command: Command, actor: Actor) -> bool:
    """The permission check dispatch applies (`core.dispatch.run`), without recording it."""
    return command.permission is not Permission.MODERATOR or actor.is_moderator


async def complete(app: Any, command: Command, param_name: str, typed: str, actor: Actor,
                   place: Place) -> list[Suggestion]:
    """At most MAX_SUGGESTIONS suggestions for `param_name` of `command`, as `actor` types
    `typed` in `place`; none when the actor may not run the command or the parameter has no
    source. Raises KeyError for a parameter the command does not declare."""
    param = command.param(param_name)
    if not may_run(command, actor):
        return []
    if param.autocomplete is not None:
        found = await param.autocomplete(app, place, typed)
    else:
        found = _by_type(param, typed)
    return found[:MAX_SUGGESTIONS]


def _by_type(param: Param, typed: str) -> list[Suggestion]:
    if param.type.kind == "timezone":
        return zone_suggestions(typed)
    if param.type.kind == "choice":
        options: tuple[str, ...] = getattr(param.type, "options", ())
        return [Suggestion(o, o) for o in options if typed.casefold() in o.casefold()]
    return []


@cache
def _zones() -> tuple[str, ...]:
    """The zones /seminar setup accepts (places and UTC; never an offset or abbreviation)."""
    return tuple(sorted(place_zones().values()))


def zone_suggestions(typed: str) -> list[Suggestion]:
    """IANA zones beginning with what was typed, then those containing it."""
    wanted = typed.strip().casefold().replace(" ", "_")
    starts = [z for z in _zones() if z.casefold().startswith(wanted)]
    inside = [z for z in _zones() if wanted in z.casefold() and z not in starts]
    return [Suggestion(z, z) for z in (starts + inside)[:MAX_SUGGESTIONS]]
