"""What `seminarbot export` opens: the database, the plan and texts, and the repositories an
export reaches (services/exporting.py ExportServices), not the whole bot (`app.open_services`
also loads the glossary and the companion, builds the scheduler, the platform connections and
every feature's commands: about 0.2 s of the 0.5 s of CPU an empty export took). Tests hold an
export through these equal to one through `Services` (tests/exports/test_export_services.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from seminarbot.clock import Clock
from seminarbot.config.settings import Settings
from seminarbot.core.commands import Command
from seminarbot.core.redaction import remember_secret
from seminarbot.core.registry import Registry
from seminarbot.domain.syllabus import Syllabus
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.closing import to_the_end
from seminarbot.storage.cohorts import CohortRepository
from seminarbot.storage.db import Database
from seminarbot.storage.migrate import require_current
from seminarbot.storage.participants import ParticipantRepository
from seminarbot.storage.privacy import PrivacyRepository


@dataclass(frozen=True)
class ExportContext:
    db: Database
    clock: Clock
    syllabus: Syllabus
    audit: AuditLog
    participants: ParticipantRepository
    cohorts: CohortRepository
    readers: tuple[Database, ...] = ()  # read-only connections pages are also read on

    def declared(self) -> Command:
        """The chat command `/seminar export`, whose parameters the options share."""
        from seminarbot.features.exports import commands

        return Registry(commands).get("seminar export")

    async def close(self) -> None:
        """Every connection closed, to the end even if stopped meanwhile."""
        await to_the_end(self._close())

    async def _close(self) -> None:
        for reader in self.readers:
            await reader.close()
        await self.db.close()


async def open_export_services(settings: Settings, clock: Clock) -> ExportContext:
    """The database `settings` names (never created nor claimed: the bot may be running on it)
    with the plan and texts. Raises storage's DatabaseUnusable or the loader's YamlError; nothing
    is left open when anything fails."""
    from seminarbot.syllabus.loader import load_plan_and_texts
    from seminarbot.syllabus.roots import ContentRoots

    syllabus = load_plan_and_texts(ContentRoots.configured(settings.content_dir,
                                                           settings.prompts_dir))
    parallel = _cores() > 1
    if parallel:
        # First, with no connection open yet: two connections' reads then run side by side.
        from seminarbot.storage.memstatus import memory_statistics_off

        memory_statistics_off()
    # An export reads: a database it would have to migrate (another's empty SQLite file, an
    # older schema) is said as `cohorts` says it, found so before it is opened to write (WAL
    # mode, the audit's row) and never made one (helper-158's 2).
    looked = await Database.open(settings.database, create=False, write=False, migrate=False)
    try:
        await require_current(looked)
    finally:
        await looked.close()
    db = await Database.open(settings.database, create=False, migrate=False)
    try:
        # As open_services: a code given before a restart is still a secret (core/redaction.py).
        for code in await PrivacyRepository(db).pending_codes(clock.now()):
            remember_secret(code)
        # A second connection lets SQLite render two pages at once (storage/keyset.py), when
        # there are two cores to do it on.
        readers = ((await Database.open(settings.database, create=False, write=False,
                                        migrate=False),) if parallel else ())
        return ExportContext(db, clock, syllabus, AuditLog(db), ParticipantRepository(db),
                             CohortRepository(db), readers)
    except BaseException:
        await db.close()
        raise


def _cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
