"""One module per area; each declares its commands with `commands()`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seminarbot.core.commands import Command


def all_commands() -> list[Command]:
    from seminarbot.features import (
        events,
        exports,
        glossary,
        help,
        moderation,
        privacy,
        reading,
        responses,
        roles,
        schedule_changes,
        search,
        skipping,
        stats,
        timeline,
    )

    return [*help.commands(), *glossary.commands(), *reading.commands(), *timeline.commands(),
            *roles.commands(), *search.commands(),
            *responses.commands(), *moderation.commands(), *skipping.commands(),
            *schedule_changes.commands(),
            *events.commands(),
            *exports.commands(), *stats.commands(), *privacy.commands()]
