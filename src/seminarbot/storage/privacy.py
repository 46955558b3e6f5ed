"""Opting out, forgetting a person, and the retention sweep. Callers hold a transaction where
several statements must stand or fall together (forget, sweep)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.errors import Damaged
from seminarbot.storage.audit import AuditLog
from seminarbot.storage.damage import READ_ERRORS, damaged, said, text
from seminarbot.storage.db import Database
from seminarbot.storage.ids import next_id
from seminarbot.storage.refusals import forget_key, person_key, retention_days


class CodeCheck(Enum):
    MATCH = "match"
    WRONG = "wrong"
    NONE = "none"  # no code pending, or it expired


class Stored(NamedTuple):
    responses: int  # deleted ones' tombstones included
    edits: int  # earlier versions of edited responses
    audit_entries: int


class StoredAbout(NamedTuple):
    """What the database holds about one platform user: in all, and in one community."""

    participant_id: int | None
    names: tuple[str, ...]  # their display names, one per community they wrote in
    everywhere: Stored
    here: Stored

    @property
    def anything(self) -> bool:
        return self.participant_id is not None or self.everywhere.audit_entries > 0


class Forgotten(NamedTuple):
    responses: int
    edits: int
    audit_entries: int  # their own, now under the pseudonym
    pseudonym: str
    mentions: int = 0  # others' entries that named them (helper-163's 2)


class Swept(NamedTuple):
    cohort_id: int
    platform: str
    responses: int
    written_before: datetime


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set_opted_out(self, platform: str, external_id: str, opted_out: bool,
                            now: datetime) -> None:
        """The person's choice, for all their seminars on the platform (README: Privacy), made
        at `now` (when it was sent). Their opt-out periods (storage/refusals.py: what was
        written in one is never recorded) are made again from all their choices in the order
        they were made, and the latest decides whether they are opted out now: choices read
        out of order count in the order sent (migration 0015). No name is recorded for it.
        Call inside a transaction."""
        person = (platform, external_id)
        await self.db.execute(
            "INSERT INTO opt_choices (platform, external_id, chosen_at, opted_out)"
            " VALUES (?, ?, ?, ?)", (*person, to_iso(now), int(opted_out)))
        choices = await self.db.fetch_tuples(
            "SELECT chosen_at, opted_out FROM opt_choices WHERE platform = ? AND external_id = ?"
            " ORDER BY chosen_at, id", person)
        periods, start = [], None
        for at, out in choices:
            if out and start is None:
                start = at
            elif not out and start is not None:
                periods += [(start, at)] if at > start else []  # none in one second
                start = None
        await self.db.execute(
            "DELETE FROM opt_out_periods WHERE platform = ? AND external_id = ?", person)
        await self.db.executemany(
            "INSERT INTO opt_out_periods (platform, external_id, opted_out_at, opted_in_at)"
            " VALUES (?, ?, ?, ?)", [(*person, *period) for period in
                                     [*periods, *([(start, None)] if start else [])]])
        await self.db.execute(
            "INSERT INTO participants (id, platform, external_id, opted_out, created_at)"
            f" VALUES ({next_id('participants')}, ?, ?, ?, ?) ON CONFLICT (platform, external_id)"
            " DO UPDATE SET opted_out = excluded.opted_out",
            (*person, int(start is not None), to_iso(now)))

    async def refuses(self, platform: str, external_id: str, at: datetime) -> bool:
        """Whether the write path refuses what the person wrote at `at`, for who they are
        (storage/refusals.py, the same instants): written while they had opted out, or before
        their forget-me (its opt-out periods went with it: helper-143). A forget-me key that
        cannot be read refuses, as the writer does."""
        try:
            key = await self._forget_key()
        except Damaged:
            return True
        return bool(await self.db.scalar(
            "SELECT EXISTS (SELECT 1 FROM opt_out_periods WHERE platform = ?1"
            " AND external_id = ?2 AND opted_out_at <= ?3 AND (opted_in_at IS NULL"
            " OR opted_in_at > ?3)) OR EXISTS (SELECT 1 FROM forgotten WHERE person = ?4"
            " AND forgotten_at >= ?3)",
            (platform, external_id, to_iso(at), person_key(key, platform, external_id))))

    async def stored_about(self, platform: str, external_id: str,
                           community: str | None = None) -> StoredAbout:
        """What is stored about a person, in all and in one community (its platform id, as
        adapters give it in Place.community_id; none when None)."""
        here = "(SELECT id FROM communities WHERE platform = ? AND external_id = ?)"
        where = (platform, community or "")
        audit = await self.db.fetchone(
            "SELECT COUNT(*), COALESCE(SUM(COALESCE(a.community_id, c.community_id)"
            f" = {here}), 0) FROM audit_log a LEFT JOIN cohorts c ON c.id = a.cohort_id"
            " WHERE a.platform = ? AND a.actor_id = ?", (*where, platform, external_id))
        assert audit is not None
        row = await self.db.fetchone(
            "SELECT id FROM participants WHERE platform = ? AND external_id = ?",
            (platform, external_id))
        if row is None:
            return StoredAbout(None, (), Stored(0, 0, audit[0]), Stored(0, 0, audit[1]))
        person = int(row[0])
        names = tuple(r[0] for r in await self.db.fetchall(
            "SELECT display_name FROM participant_names WHERE participant_id = ?", (person,)))
        counts = []
        for table in ("responses r", "response_edits e JOIN responses r ON r.id = e.response_id"):
            found = await self.db.fetchone(
                f"SELECT COUNT(*), COALESCE(SUM(c.community_id = {here}), 0) FROM {table}"
                " JOIN cohorts c ON c.id = r.cohort_id WHERE r.participant_id = ?",
                (*where, person))
            assert found is not None
            counts.append(found)
        (responses, responses_here), (edits, edits_here) = counts
        return StoredAbout(person, names, Stored(responses, edits, audit[0]),
                           Stored(responses_here, edits_here, audit[1]))

    # -- forget-me: a code first, then the deletion ----------------------------------------

    async def request_forget(self, platform: str, external_id: str, code: str,
                             expires_at: datetime) -> None:
        await self.db.execute(
            "INSERT INTO forget_requests (platform, external_id, code, expires_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (platform, external_id)"
            " DO UPDATE SET code = excluded.code, expires_at = excluded.expires_at",
            (platform, external_id, code, to_iso(expires_at)))

    async def pending_codes(self, now: datetime) -> list[str]:
        """Every forget-me code still waiting for its confirmation."""
        rows = await self.db.fetchall(
            "SELECT code FROM forget_requests WHERE expires_at > ?", (to_iso(now),))
        return [row[0] for row in rows if isinstance(row[0], str)]

    async def check_code(self, platform: str, external_id: str, code: str,
                         now: datetime) -> CodeCheck:
        """Whether `code` is the person's pending forget-me code (ignoring case), compared in
        constant time; NONE when no code is pending or it has expired."""
        row = await self.db.fetchone(
            "SELECT code, expires_at FROM forget_requests WHERE platform = ? AND external_id = ?",
            (platform, external_id))
        try:
            if row is None or parse_instant(row[1]) <= now:
                return CodeCheck.NONE
            pending = text(row[0])
        except READ_ERRORS as error:  # as none pending: a new forget-me replaces the row
            said(damaged(f"the pending forget-me code of {external_id}", error))
            return CodeCheck.NONE
        if secrets.compare_digest(pending.upper().encode(), code.strip().upper().encode()):
            return CodeCheck.MATCH
        return CodeCheck.WRONG

    async def cancel_forget(self, platform: str, external_id: str) -> None:
        await self.db.execute(
            "DELETE FROM forget_requests WHERE platform = ? AND external_id = ?",
            (platform, external_id))

    async def forget(self, platform: str, external_id: str, now: datetime) -> Forgotten:
        """Delete the person's responses (with their edit history), their participant row,
        their names, their opt-out periods and their forget request, and take their identity
        out of the audit log: their entries keep what was done but under a pseudonym, and
        other entries naming them lose the name. What stays is a keyed hash of their id with
        `now`, so that nothing they wrote before is recorded again (storage/refusals.py)."""
        about = await self.stored_about(platform, external_id)
        self.db.erased()
        await self._remember_forgotten(platform, external_id, now)
        pseudonym = "forgotten-" + secrets.token_hex(3)
        # How others may have named them: their id (or a Discord mention of it) and their names,
        # those of the communities they wrote in and those their own audit entries carry.
        as_actor = await self.db.fetchall(
            "SELECT DISTINCT actor_name FROM audit_log WHERE platform = ? AND actor_id = ?"
            " AND actor_name != ''", (platform, external_id))
        named = [external_id, f"<@{external_id}>", f"<@!{external_id}>", *about.names,
                 *(row[0] for row in as_actor)]
        if about.participant_id is not None:
            # Edits and responses also go by the foreign keys' cascades; said here plainly.
            await self.db.execute(
                "DELETE FROM response_edits WHERE response_id IN"
                " (SELECT id FROM responses WHERE participant_id = ?)", (about.participant_id,))
            await self.db.execute("DELETE FROM responses WHERE participant_id = ?",
                                  (about.participant_id,))
            await self.db.execute("DELETE FROM participant_names WHERE participant_id = ?",
                                  (about.participant_id,))
            await self.db.execute("DELETE FROM participants WHERE id = ?", (about.participant_id,))
        mentions = await AuditLog(self.db).forget(platform, external_id, pseudonym, named,
                                                  about.participant_id)
        await self.db.execute(
            "DELETE FROM forget_requests WHERE platform = ? AND external_id = ?",
            (platform, external_id))
        everywhere = about.everywhere
        return Forgotten(everywhere.responses, everywhere.edits, everywhere.audit_entries,
                         pseudonym, mentions)

    async def _forget_key(self) -> bytes:
        """The database's key for `person_key` (raises Damaged: storage.refusals.forget_key)."""
        return forget_key(await self.db.scalar("SELECT secret FROM forgotten_key WHERE id = 1"))

    async def _remember_forgotten(self, platform: str, external_id: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO forgotten (person, forgotten_at) VALUES (?, ?) ON CONFLICT (person)"
            " DO UPDATE SET forgotten_at = max(forgotten_at, excluded.forgotten_at)",
            (person_key(await self._forget_key(), platform, external_id), to_iso(now)))
        for table in ("opt_out_periods", "opt_choices"):
            await self.db.execute(
                f"DELETE FROM {table} WHERE platform = ? AND external_id = ?",
                (platform, external_id))

    # -- retention --------------------------------------------------------------------------

    async def set_retention(self, cohort_id: int, days: int | None) -> None:
        await self.db.execute("UPDATE cohorts SET retention_days = ? WHERE id = ?",
                              (days, cohort_id))

    async def retention(self, cohort_id: int) -> int | None:
        value = await self.db.scalar("SELECT retention_days FROM cohorts WHERE id = ?",
                                     (cohort_id,))
        return None if value is None else retention_days(cohort_id, value)

    async def sweep_due(self) -> bool:
        """Whether a sweep could delete anything: a retention limit or a pending forget-me."""
        return bool(await self.db.scalar(
            "SELECT EXISTS (SELECT 1 FROM cohorts WHERE retention_days IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM forget_requests)"))

    async def sweep(self, now: datetime) -> list[Swept]:
        """Delete responses older than their cohort's retention, and expired forget requests.
        One entry for each cohort that lost any. Call inside a transaction."""
        swept = []
        for cohort_id, platform, days in await self.db.fetch_tuples(
                "SELECT c.id, m.platform, c.retention_days FROM cohorts c"
                " JOIN communities m ON m.id = c.community_id"
                " WHERE c.retention_days IS NOT NULL"):
            try:
                cutoff = now - timedelta(days=retention_days(cohort_id, days))
            except Damaged as error:  # never a deletion on a limit that cannot be read
                said(error)
                continue
            cursor = await self.db.execute(
                "DELETE FROM responses WHERE cohort_id = ? AND created_at < ?",
                (cohort_id, to_iso(cutoff)))
            # Nothing written before the cut-off is recorded again (storage/refusals.py).
            await self.db.execute(
                "UPDATE cohorts SET swept_before = max(coalesce(swept_before, ''), ?)"
                " WHERE id = ?", (to_iso(cutoff), cohort_id))
            if cursor.rowcount:
                self.db.erased()
                swept.append(Swept(cohort_id, platform, cursor.rowcount, cutoff))
        await self.db.execute(  # an expiry that is no time (a damaged row) has expired too
            "DELETE FROM forget_requests WHERE expires_at <= ? OR typeof(expires_at) != 'text'"
            " OR expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*'",
            (to_iso(now),))
        return swept
