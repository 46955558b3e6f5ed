"""Composition root: open the database, load the syllabus, build the services, the registry of
commands and the scheduler. Adapters are started by the CLI (`seminarbot.cli.run`)."""

from __future__ import annotations

from functools import partial

from seminarbot.clock import Clock
from seminarbot.config.settings import Settings
from seminarbot.core.redaction import remember_secret
from seminarbot.core.registry import Registry
from seminarbot.domain.syllabus import Syllabus
from seminarbot.features import all_commands
from seminarbot.scheduling.loop import Scheduler
from seminarbot.scheduling.poster import Poster
from seminarbot.services.calendar import Calendar
from seminarbot.services.connections import SCHEDULER, Connections
from seminarbot.services.container import Services
from seminarbot.services.retention import RetentionSweep
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.outbox import OutboxRepository
from seminarbot.storage.participants import ParticipantRepository
from seminarbot.storage.privacy import PrivacyRepository
from seminarbot.storage.response_writer import ResponseWriter
from seminarbot.storage.responses import ResponseRepository
from seminarbot.storage.session_events import SessionEventRepository
from seminarbot.syllabus.roots import ContentRoots


def content_roots(settings: Settings) -> ContentRoots:
    return ContentRoots.configured(settings.content_dir, settings.prompts_dir)


async def open_services(settings: Settings, clock: Clock,
                        syllabus: Syllabus | None = None, *, create: bool = True,
                        claim: bool = True, connections: Connections | None = None,
                        db: Database | None = None) -> Services:
    """Everything a command needs, on the database `settings` names (created if missing,
    unless `create` is False; stamped as this process's unless `claim` is False, for a
    command that runs beside the owner, storage.identity), or on `db`, already open (and
    closed here if anything fails). `connections` are the link states the adapters already
    report to (new ones if None). Raises storage's DatabaseUnusable if it cannot be used;
    nothing is left open when anything fails."""
    if syllabus is None:
        from seminarbot.syllabus.loader import load_syllabus

        syllabus = load_syllabus(content_roots(settings))
    registry = Registry(all_commands)  # the features are imported on first use
    if db is None:
        db = await Database.open(settings.database, create=create)
    try:
        if claim:
            await db.claim()
        services = _build(settings, clock, syllabus, registry, db,
                          connections or Connections(clock, settings.platforms))
        # A code given before a restart is still a secret: the log never shows it, however
        # it is typed (core/redaction.py).
        for code in await services.privacy.pending_codes(clock.now()):
            remember_secret(code)
        return services
    except BaseException:
        await db.close()
        raise


def _build(settings: Settings, clock: Clock, syllabus: Syllabus, registry: Registry,
           db: Database, connections: Connections) -> Services:
    cohorts, outbox, audit = CohortRepository(db), OutboxRepository(db), AuditLog(db)
    responses, privacy = ResponseRepository(db), PrivacyRepository(db)
    posters: dict[str, Poster] = {}
    scheduler = Scheduler(db=db, cohorts=cohorts, outbox=outbox, responses=responses, audit=audit,
                          plan=syllabus.plan, clock=clock, posters=posters,
                          grace=settings.grace_window)
    scheduler.storage = partial(connections.storage, SCHEDULER)
    scheduler.faults = connections.scheduler_fault
    retention = RetentionSweep(db, privacy, audit)
    scheduler.housekeeping.append(retention)
    calendars: dict[str, Calendar] = {}
    services = Services(
        settings=settings, clock=clock, db=db, syllabus=syllabus,
        registry=registry, cohorts=cohorts, participants=ParticipantRepository(db), outbox=outbox,
        responses=responses, audit=audit, privacy=privacy,
        response_writer=ResponseWriter(db, clock), retention=retention, connections=connections,
        scheduler=scheduler, posters=posters, calendars=calendars,
        session_events=SessionEventRepository(db),
    )
    scheduler.housekeeping.append(services.sync_events)
    return services
