"""What the sync of scheduled events needs from a platform (services.session_events): its
calendar, where each session is listed as an event. Discord implements it (guild scheduled
events); a platform without one registers none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from seminarbot.domain.models import Cohort
    from seminarbot.domain.session_events import SessionEvent


class Calendar(Protocol):
    """Every call raises scheduling.poster.PostError when the platform refuses or fails
    (`retryable` where trying again later can help)."""

    platform: str

    async def problem(self, cohort: Cohort) -> str | None:
        """Why the cohort's sessions cannot be listed (a missing permission), or None."""
        ...

    async def create(self, cohort: Cohort, event: SessionEvent) -> str:
        """List the event; its id on the platform."""
        ...

    async def update(self, cohort: Cohort, event_id: str, event: SessionEvent, *,
                     end_only: bool) -> bool | None:
        """Give the event these times and words (only its end, once it has started). False
        when the platform no longer has it (a person deleted it: listed again if its session
        is still to come); None when it takes no change to it (a person started or ended it
        by hand: it is left to them, and forgotten)."""
        ...

    async def start(self, cohort: Cohort, event_id: str, event: SessionEvent) -> bool | None:
        """Begin the event now (its session was posted early), with these words and end;
        False and None as for `update`."""
        ...

    async def end(self, cohort: Cohort, event_id: str) -> bool | None:
        """End the event now (its session closed early); False and None as for `update`."""
        ...

    async def listed(self, cohort: Cohort) -> set[str]:
        """The ids of the events the platform lists now (those not yet ended or cancelled)."""
        ...

    async def cancel(self, cohort: Cohort, event_id: str) -> None: ...

    async def find(self, cohort: Cohort, event: SessionEvent) -> str | None:
        """The id of an event the bot listed for this session at these times, if the
        platform has one (after a crash between creating it and recording it)."""
        ...
