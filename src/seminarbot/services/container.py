"""The services object: what adapters, features and the scheduler reach the seminar through.

The composition root (`seminarbot.app.open_services`) builds one per process. Every query
goes through one of its repositories (SQL lives only in storage/).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.clock import Clock
from seminarbot.config.settings import Settings
from seminarbot.core.registry import Registry
from seminarbot.domain.syllabus import Syllabus
from seminarbot.scheduling.loop import Scheduler
from seminarbot.scheduling.poster import Poster
from seminarbot.services.calendar import Calendar
from seminarbot.services.connections import Connections
from seminarbot.services.retention import RetentionSweep
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.closing import to_the_end
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.participants import ParticipantRepository
from seminarbot.storage.privacy import PrivacyRepository
from seminarbot.storage.response_writer import ResponseWriter
from seminarbot.storage.responses import ResponseRepository
from seminarbot.storage.session_events import SessionEventRepository

if TYPE_CHECKING:
    from seminarbot.core.dispatch import CommandRecord
    from seminarbot.core.limits import CommandLimits
    from seminarbot.domain.glossary import Glossary
    from seminarbot.services.session_events import EventSync
    from seminarbot.storage.passages import PassageRepository
    from seminarbot.storage.stats import StatsRepository


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    syllabus: Syllabus
    registry: Registry
    cohorts: CohortRepository
    participants: ParticipantRepository
    outbox: OutboxRepository
    responses: ResponseRepository
    audit: AuditLog
    privacy: PrivacyRepository
    response_writer: ResponseWriter
    retention: RetentionSweep
    connections: Connections
    scheduler: Scheduler
    # Scheduled events: the settings and events stored (their sync: `event_sync`).
    session_events: SessionEventRepository
    # Adapters register here, by platform, the object that posts into their channels.
    posters: dict[str, Poster] = field(default_factory=dict)
    # … and, where the platform has one, the calendar that lists sessions as events.
    calendars: dict[str, Calendar] = field(default_factory=dict)
    # … and, where they keep a person's words outside the database (Matrix: events waiting
    # for keys, answers waiting for a direct room), what drops them: a user id → how many.
    kept_outside: dict[str, Callable[[str], int]] = field(default_factory=dict)

    # What only commands use is made on first use: a bot that only posts and records responses
    # never loads it (benchmarks/discord_bench.py, memory when ready).
    @functools.cached_property
    def glossary(self) -> Glossary:
        """The syllabus's glossary, its look-up indexes built on first use."""
        from seminarbot.domain.glossary import Glossary

        return Glossary(self.syllabus.glossary)

    @functools.cached_property
    def limits(self) -> CommandLimits:
        """Per-person limits on commands (core.limits), checked by dispatch. The console is
        the operator's own terminal, on the host: not limited."""
        from seminarbot.core.limits import CommandLimits

        return CommandLimits(self.clock, unlimited=frozenset({"console"}))

    @functools.cached_property
    def event_sync(self) -> EventSync:
        """Scheduled events kept in step with the schedule (services.session_events): made,
        with the rules it loads, once a cohort has events to sync or a moderator asks."""
        from seminarbot.services.session_events import EventSync

        return EventSync(db=self.db, cohorts=self.cohorts, outbox=self.outbox,
                         events=self.session_events, audit=self.audit, syllabus=self.syllabus,
                         posters=self.posters, calendars=self.calendars)

    async def sync_events(self, now: datetime) -> None:
        """The scheduler's housekeeping for scheduled events (`event_sync`), on every pass."""
        if cohort_ids := await self.session_events.cohorts_to_sync(now):
            await self.event_sync.cohorts_of(cohort_ids, now)

    @functools.cached_property
    def passages(self) -> PassageRepository:
        from seminarbot.storage.passages import PassageRepository

        return PassageRepository(self.db)

    @functools.cached_property
    def stats(self) -> StatsRepository:
        from seminarbot.storage.stats import StatsRepository

        return StatsRepository(self.db)

    async def record_command(self, record: CommandRecord) -> None:
        """A moderator's command in the audit log (core.dispatch.Host)."""
        place = record.place
        cohort = await self.cohorts.ids_at(place.platform, place.community_id, place.channel_id)
        detail: dict[str, object] = {"channel": place.channel_id, "args": dict(record.args),
                                     **record.noted}
        if record.reason:
            detail["reason"] = record.reason
        await self.audit.record(at=record.at, platform=record.actor.platform,
                                actor_id=record.actor.user_id,
                                actor_name=record.actor.display_name, action=record.command,
                                outcome=record.outcome, detail=detail,
                                cohort_id=cohort[0] if cohort else None,
                                community_id=cohort[1] if cohort else None,
                                source_id=record.source_id)

    async def close(self) -> None:
        """Finish what the writer holds, then close; to the end even if stopped meanwhile."""
        await to_the_end(self._close())

    async def _close(self) -> None:
        await self.response_writer.close()
        await self.db.close()
