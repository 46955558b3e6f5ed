"""Autocomplete for every platform that offers it: the person's limits first (core/limits.py,
autocomplete's own allowance), then the command's permission check, then the parameter's own
source (or the default for its type), given at most MAX_TYPED characters of what was typed.

A source sees only the place the command is typed in (its seminar, its community); whoever may
not run the command gets no suggestions at all, so a member who may not export cannot list the
seminar's participants either. Every label is shown as every reply is: cut to MAX_LABEL
characters and bidirectionally isolated (domain/display.py), so a name cannot reorder the
choices around it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from seminarbot.core.commands import Command, Param, Permission, Suggestion
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.limits import CommandLimits
from seminarbot.core.zones import place_zones
from seminarbot.domain.display import isolate

MAX_SUGGESTIONS = 25  # Discord's limit on autocomplete choices, and plenty elsewhere
MAX_LABEL = 100  # Discord's limit on a choice's name
# No parameter that autocompletes takes more (/term's query, a participant: 100 characters).
MAX_TYPED = 100


def may_run(command: Command, actor: Actor) -> bool:
    """The permission check dispatch applies (`core.dispatch.run`), without recording it."""
    return command.permission is not Permission.MODERATOR or actor.is_moderator


async def complete(app: Any, command: Command, param_name: str, typed: str, actor: Actor,
                   place: Place) -> list[Suggestion] | None:
    """At most MAX_SUGGESTIONS suggestions for `param_name` of `command`, as `actor` types
    `typed` in `place`; none when the actor may not run the command or the parameter has no
    source. None when the actor is over their limits: the request is left unanswered, so a
    flood costs no reply (as over-limit commands get none after the first). `app` is the
    services object (its `limits` are used). Raises KeyError for a parameter the command does
    not declare."""
    param = command.param(param_name)
    limits: CommandLimits = app.limits
    if not limits.admit_completion(actor):
        return None
    try:
        if not may_run(command, actor):
            return []
        typed = typed[:MAX_TYPED]
        if param.autocomplete is not None:
            found = await param.autocomplete(app, place, typed)
        else:
            found = _by_type(param, typed)
    finally:
        limits.release_completion(actor)
    return [Suggestion(s.value, label(s.label or s.value)) for s in found[:MAX_SUGGESTIONS]]


def label(shown: str) -> str:
    """A choice's label as shown: at most MAX_LABEL characters, bidirectionally isolated."""
    cut = shown[:MAX_LABEL]
    isolated = isolate(cut)
    while len(isolated) > MAX_LABEL:  # the isolation's marks need room: cut the text further
        # A character cut may take one or two marks with it (an opener and its closer).
        cut = cut[: len(cut) - max(1, (len(isolated) - MAX_LABEL) // 2)]
        isolated = isolate(cut)
    return isolated


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
    starts = [z for z in _zones() if z.casefold().startswith(wanted)][:MAX_SUGGESTIONS]
    if len(starts) < MAX_SUGGESTIONS:
        begun = set(starts)
        starts += [z for z in _zones() if wanted in z.casefold() and z not in begun]
    return [Suggestion(z, z) for z in starts[:MAX_SUGGESTIONS]]
