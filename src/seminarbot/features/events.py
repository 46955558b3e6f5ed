"""/seminar events on|off: list each session as one of the server's scheduled events (Discord's
guild scheduled events), where members see it, mark interest and get the platform's own
reminder. Opt-in per cohort; the events then follow every schedule change
(services.session_events)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seminarbot.core.commands import Command, Param, Permission
from seminarbot.core.invocation import Invocation
from seminarbot.core.params import Choice
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.domain.errors import Conflict
from seminarbot.domain.models import CohortState
from seminarbot.features.common import cohort_here

if TYPE_CHECKING:
    from seminarbot.services.container import Services


def _count(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


async def events(inv: Invocation[Services]) -> Reply:
    app = inv.app
    cohort = await cohort_here(inv)
    calendar = app.calendars.get(cohort.platform)
    if calendar is None and cohort.platform != "discord":
        where = {"matrix": "Matrix", "console": "the console"}.get(cohort.platform,
                                                                  cohort.platform)
        raise Conflict(f"This seminar runs on {where}, which has no server events "
                       "for the bot to list (only Discord has).")
    if calendar is None:
        raise Conflict("The bot is not connected to Discord right now; try again once it is.")
    now = inv.clock.now()
    on = inv.args["state"] == "on"
    if on:
        problem = await calendar.problem(cohort)
        if problem:
            raise Conflict(f"The sessions cannot be listed as server events: {problem}.")
    await app.session_events.set_enabled(cohort.id, on, now)
    synced = await app.event_sync.cohort(await app.cohorts.get(cohort.id), now)
    if synced.refused:
        return text(f"Discord did not take the events: {synced.refused}.", tone=Tone.ERROR)
    made = synced.done.get("create", 0) + synced.done.get("found", 0)
    cancelled = synced.done.get("cancel", 0)
    if not on:
        return text("Sessions are no longer listed as server events"
                    + (f"; {_count(cancelled, 'event')} cancelled." if cancelled else "."),
                    tone=Tone.SUCCESS)
    recorded = await app.session_events.recorded(cohort.id)
    listed = [r for r in recorded.values() if r.event_id is not None and r.event.start > now]
    paused = " (none while the seminar is paused: they come back when it resumes)" \
        if cohort.state is not CohortState.ACTIVE else ""
    # Discord takes no event that has begun: a session under way without one stays so.
    under_way = [e.name for e in synced.wanted if e.start <= now < e.end
                 and (e.session_id not in recorded or recorded[e.session_id].event_id is None)]
    note = f" “{under_way[0]}” is under way and gets no event: Discord cannot list one that " \
        "has already begun." if under_way else ""
    return text(f"Each session is listed as a server event from its start to its close, and "
                f"moves with the schedule: {_count(len(listed), 'event')} to come"
                f"{paused}, {made} new.{note}", tone=Tone.SUCCESS)


def commands() -> list[Command]:
    return [
        Command(("seminar", "events"), "List the sessions as server events (Discord), or stop",
                events, params=(Param("state", Choice(("on", "off")),
                                      "on to list each session, off to cancel them",
                                      metavar="on/off"),),
                permission=Permission.MODERATOR,
                details="Each session becomes a scheduled event of the server from its start "
                        "to its close, which members can mark as interested in; events follow "
                        "every schedule change and are cancelled when the seminar ends. The "
                        "bot needs Manage Events."),
    ]
