"""Composition root: open the database, load the syllabus, build the registry and scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field

from seminarbot.clock import Clock
from seminarbot.config import Settings
from seminarbot.core.commands import Registry
from seminarbot.domain.glossary import Glossary
from seminarbot.domain.syllabus import Syllabus
from seminarbot.posting import Poster
from seminarbot.retention import RetentionSweep
from seminarbot.scheduler import Scheduler
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.participants import ParticipantRepository
from seminarbot.storage.passages import PassageRepository
from seminarbot.storage.response_writer import ResponseWriter
from seminarbot.storage.responses import ResponseRepository
from seminarbot.syllabus.loader import ContentRoots, load_syllabus


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    syllabus: Syllabus
    glossary: Glossary
    registry: Registry
    cohorts: CohortRepository
    participants: ParticipantRepository
    outbox: OutboxRepository
    responses: ResponseRepository
    audit: AuditLog
    passages: PassageRepository
    response_writer: ResponseWriter
    scheduler: Scheduler
    # Adapters register here, by platform, the object that posts into their channels.
    posters: dict[str, Poster] = field(default_factory=dict)

    async def close(self) -> None:
        await self.response_writer.close()
        await self.db.close()


def content_roots(settings: Settings) -> ContentRoots:
    default = ContentRoots.default()
    return ContentRoots(settings.content_dir or default.content,
                        settings.prompts_dir or default.prompts)


async def open_services(settings: Settings, clock: Clock,
                        syllabus: Syllabus | None = None) -> Services:
    from seminarbot.features import all_commands

    syllabus = syllabus or load_syllabus(content_roots(settings))
    db = await Database.open(settings.database)
    cohorts, outbox, audit = CohortRepository(db), OutboxRepository(db), AuditLog(db)
    responses = ResponseRepository(db)
    posters: dict[str, Poster] = {}
    scheduler = Scheduler(db=db, cohorts=cohorts, outbox=outbox, responses=responses, audit=audit,
                          plan=syllabus.plan, clock=clock, posters=posters,
                          grace=settings.grace_window)
    scheduler.housekeeping.append(RetentionSweep(db, audit))
    return Services(
        settings=settings, clock=clock, db=db, syllabus=syllabus,
        glossary=Glossary(syllabus.glossary), registry=Registry(all_commands()),
        cohorts=cohorts, participants=ParticipantRepository(db), outbox=outbox,
        responses=responses, audit=audit, passages=PassageRepository(db),
        response_writer=ResponseWriter(db),
        scheduler=scheduler, posters=posters,
    )
