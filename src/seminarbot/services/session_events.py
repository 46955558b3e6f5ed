"""Keeping each cohort's scheduled events in step with its schedule (domain.session_events).

Runs as the scheduler's housekeeping, on every pass of its loop: every schedule change
(setup, skip, move, pause, resume, reschedule) re-plans the outbox and wakes the loop, so the
events follow it; a moderator's `/seminar events on|off` runs it at once for their cohort.
An event is recorded (claimed) before it is created and completed with its id after, so a
crash in between finds it on the platform instead of listing it twice. A refusal that waiting
cannot mend (a missing permission) turns the cohort's events off and tells its moderators; a
passing failure is tried again on the next pass. An event still to start that a person deleted
or cancelled on the platform is listed again on the next pass. The rules
(domain.session_events, and the planning they read) load with the first cohort that has events
to sync.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.domain.models import SYSTEM_ACTOR, Cohort, CohortState
from seminarbot.domain.progress import progress
from seminarbot.domain.syllabus import Session, Syllabus
from seminarbot.scheduling.poster import Poster, PostError
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.session_events import SessionEventRepository

if TYPE_CHECKING:
    from seminarbot.domain.session_events import Change, Recorded, SessionEvent
    from seminarbot.services.calendar import Calendar

log = logging.getLogger(__name__)


@dataclass
class Synced:
    """What one cohort's sync did: counts per kind of change, why it stopped, if it did, and
    the events it wants listed."""

    done: dict[str, int] = field(default_factory=dict)
    refused: str = ""
    wanted: list[SessionEvent] = field(default_factory=list)  # while listing: every session


class EventSync:
    def __init__(self, *, db: Database, cohorts: CohortRepository, outbox: OutboxRepository,
                 events: SessionEventRepository, audit: AuditLog, syllabus: Syllabus,
                 posters: Mapping[str, Poster], calendars: Mapping[str, Calendar]) -> None:
        self.db, self.cohorts, self.outbox, self.events = db, cohorts, outbox, events
        self.audit, self.syllabus = audit, syllabus
        self.posters, self.calendars = posters, calendars
        self._syncing: dict[int, asyncio.Lock] = {}

    async def cohorts_of(self, cohort_ids: list[int], now: datetime) -> None:
        """The sync of these cohorts (the scheduler's housekeeping: SessionEventRepository
        .cohorts_to_sync), each whose platform has a calendar attached."""
        for cohort_id in cohort_ids:
            cohort = await self.cohorts.get(cohort_id)
            if cohort.platform in self.calendars:
                await self.cohort(cohort, now)

    def describe(self, session: Session) -> str:
        reading = "; ".join(self.syllabus.section_label(s) for s in session.sections)
        return f"{session.title}. Reading: {reading}." if reading else f"{session.title}."

    async def cohort(self, cohort: Cohort, now: datetime) -> Synced:
        """Bring the platform's events for this cohort in step with its schedule. One sync
        of a cohort at a time: the loop's pass and a moderator's `events off` may come
        together, and the later one then starts from what the first did (else the pass went
        on listing what the command had just cancelled)."""
        async with self._syncing.setdefault(cohort.id, asyncio.Lock()):
            return await self._sync(await self.cohorts.get(cohort.id), now)

    async def _sync(self, cohort: Cohort, now: datetime) -> Synced:
        from seminarbot.domain.session_events import changes, wanted_events

        calendar = self.calendars[cohort.platform]
        entries = progress(self.syllabus.plan, await self.outbox.for_cohort(cohort.id))
        listing = cohort.state is CohortState.ACTIVE and await self.events.enabled(cohort.id)
        synced = Synced(wanted=wanted_events(entries, self.describe) if listing else [])
        try:
            recorded = await self._still_listed(calendar, cohort, now) if listing \
                else await self.events.recorded(cohort.id)
            for change in changes(synced.wanted, recorded, now, listing=listing):
                kind = await self._apply(calendar, cohort, change, now)
                synced.done[kind] = synced.done.get(kind, 0) + 1
        except PostError as error:
            synced.refused = error.reason
            if error.retryable:
                log.warning("events of cohort %s: %s; trying again later", cohort.id,
                            error.reason)
            else:
                await self._refused(cohort, error.reason, now)
        return synced

    async def _still_listed(self, calendar: Calendar, cohort: Cohort,
                            now: datetime) -> dict[str, Recorded]:
        """What is recorded, less the events still to start that the platform no longer lists
        (a person deleted them): those are forgotten, so that this sync lists them again."""
        recorded = await self.events.recorded(cohort.id)
        if not any(r.event_id is not None and r.event.start > now for r in recorded.values()):
            return recorded
        present = await calendar.listed(cohort)
        for session_id, known in list(recorded.items()):
            if known.event_id is not None and known.event.start > now \
                    and known.event_id not in present:
                log.info("cohort %s: the event of session %s was deleted on the platform; "
                         "listing it again", cohort.id, session_id)
                await self.events.forget(cohort.id, session_id)
                del recorded[session_id]
        return recorded

    async def _apply(self, calendar: Calendar, cohort: Cohort, change: Change,
                     now: datetime) -> str:
        event, known = change.event, change.recorded
        if known is not None and known.event_id is None:  # interrupted while being created
            found = await calendar.find(cohort, known.event)
            if found is not None:
                await self.events.record(cohort.id, known.event, found)
                return "found"
            if change.kind == "cancel" or event.start <= now:
                await self.events.forget(cohort.id, event.session_id)
                return "dropped"
        if change.kind == "create":
            await self._create(calendar, cohort, event)
        elif change.kind in ("update", "start", "end") and known is not None \
                and known.event_id is not None:
            done = await _changed(calendar, cohort, change, known.event_id)
            if done and change.kind == "end":
                await self.events.forget(cohort.id, event.session_id)  # nothing more to do
                return change.kind
            if done:
                await self.events.record(cohort.id, event, known.event_id)
                return change.kind
            await self.events.forget(cohort.id, event.session_id)
            if done is None or event.start <= now:  # left to a person; or begun: the
                return "dropped"  # platform takes no event in the past
            await self._create(calendar, cohort, event)  # a person deleted it
            return "create"
        elif change.kind == "cancel" and known is not None and known.event_id is not None:
            await calendar.cancel(cohort, known.event_id)
            await self.events.forget(cohort.id, event.session_id)
        return change.kind

    async def _create(self, calendar: Calendar, cohort: Cohort, event: SessionEvent) -> None:
        await self.events.record(cohort.id, event, None)
        await self.events.record(cohort.id, event, await calendar.create(cohort, event))

    async def _refused(self, cohort: Cohort, reason: str, now: datetime) -> None:
        """Listing cannot go on without the moderators: events off (those listed are left to
        them: the bot may no longer change them), audited, and they are told."""
        async with self.db.transaction():
            await self.events.set_enabled(cohort.id, False, now)
            await self.events.forget_all(cohort.id)
            await self.audit.record(at=now, platform=cohort.platform, actor_id=SYSTEM_ACTOR,
                                    actor_name=SYSTEM_ACTOR, action="events failed",
                                    outcome="failed", cohort_id=cohort.id,
                                    detail={"reason": reason})
        poster = self.posters.get(cohort.platform)
        if poster is not None:
            await poster.notify_moderators(
                cohort, f"Listing the sessions as server events stopped: {reason}. Events are "
                        "now off, and those listed already are left as they are (remove any "
                        "that are wrong in the server's event list); fix that and turn them on "
                        "again with /seminar events on.")


async def _changed(calendar: Calendar, cohort: Cohort, change: Change, event_id: str
                   ) -> bool | None:
    """An "update", "start" or "end" made on the platform (services.calendar's answers)."""
    if change.kind == "start":
        return await calendar.start(cohort, event_id, change.event)
    if change.kind == "end":
        return await calendar.end(cohort, event_id)
    return await calendar.update(cohort, event_id, change.event, end_only=change.end_only)
