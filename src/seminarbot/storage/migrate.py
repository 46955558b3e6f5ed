"""Numbered, forward-only migrations (storage/migrations/NNNN_name.sql), recorded in the database.

A shipped migration is never edited: its checksum is recorded when applied, and `db check`
reports any file that no longer matches what was applied.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

from seminarbot.clock import SystemClock, to_iso
from seminarbot.domain.errors import FileDamaged
from seminarbot.storage.damage import damaged_values
from seminarbot.storage.db import Database
from seminarbot.storage.dbfile import DatabaseUnusable, describe

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
# Shipped as files beside this module (pyproject's package data; the package is never zipped):
# read as files, not through importlib.resources, which loads zipfile into every `run` for it.
MIGRATIONS = Path(__file__).with_name("migrations")


class Migration(NamedTuple):
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    found = []
    for entry in MIGRATIONS.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    # Numbers are handed out to work done in parallel, so one may be missing for a while; two
    # files with one number are a mistake.
    for earlier, migration in itertools.pairwise(found):
        if migration.version == earlier.version:
            raise RuntimeError(f"migration number {migration.version:04d} is used twice")
    return found


def statements(sql: str) -> list[str]:
    """Split a script into complete statements (sqlite3 decides where one ends)."""
    result, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                result.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise RuntimeError(f"incomplete SQL statement: {buffer.strip()[:60]!r}")
    return result


_MIGRATIONS_TABLE = ("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                     " checksum TEXT NOT NULL, applied_at TEXT NOT NULL)")


async def current_version(db: Database) -> int:
    """The highest migration applied (0 for a new database); reads only."""
    if await db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                       "name = 'schema_migrations'") == 0:
        return 0
    return int(await db.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def is_blank(db: Database) -> bool:
    """Whether the database holds nothing at all yet: no table, no index (as made by
    storage.dbfile.create_if_missing, before its first migration)."""
    return not await db.scalar("SELECT count(*) FROM sqlite_master")


def latest_version() -> int:
    migrations = available()
    return migrations[-1].version if migrations else 0


def check_not_newer(db: Database, version: int) -> None:
    """Raises DatabaseUnusable when the database is ahead of this seminarbot."""
    if version > latest_version():
        raise DatabaseUnusable(db.path, f"is at schema version {version}, newer than this "
                                        f"seminarbot knows ({latest_version()}); upgrade "
                                        "seminarbot instead")


async def require_current(db: Database) -> None:
    """For commands that only read: the schema must be exactly this seminarbot's (they never
    migrate). Raises DatabaseUnusable naming what to run otherwise."""
    version = await current_version(db)
    check_not_newer(db, version)
    missing = await pending(db)
    if missing:
        shown = ", ".join(f"{number:04d}" for number in missing)
        raise DatabaseUnusable(db.path, f"lacks migrations {shown} that this seminarbot reads "
                                        f"with: run `seminarbot db migrate --db {db.path}` first")


async def pending(db: Database) -> list[int]:
    """The shipped migrations this database has not recorded (lower numbers merged later too)."""
    shipped = [migration.version for migration in available()]
    if await current_version(db) == 0:
        return shipped
    recorded = {row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    return [number for number in shipped if number not in recorded]


async def migrate(db: Database, target: int | None = None) -> list[Migration]:
    """Apply every shipped migration not yet recorded (up to `target`), in order, all in one
    transaction: a stop or a failure part-way (SIGTERM, a full disk, a bad statement) leaves the
    database at the version it had, never part-migrated (helper-179's 6: a new database
    stopped between two migrations). One that arrives with a lower number than the newest
    applied (work merged later) is applied too. Raises DatabaseUnusable for a database newer
    than this seminarbot."""
    version = await current_version(db)
    check_not_newer(db, version)
    recorded = set() if version == 0 else {
        row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    due = [migration for migration in available() if migration.version not in recorded
           and (target is None or migration.version <= target)]
    if not due:
        return []
    async with db.transaction() as conn:
        await conn.execute(_MIGRATIONS_TABLE)
        for migration in due:
            for statement in statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                "VALUES (?, ?, ?, ?)",
                (migration.version, migration.name, migration.checksum,
                 to_iso(SystemClock().now())),
            )
    return due


# The tables that grow with what participants write: checking them would read most of the
# file at every start (21 s for a million responses), so `db check` alone does.
GROWING = frozenset({"responses", "response_edits", "audit_log"})


# What reading a damaged file raises: SQLite's own error, or the FileDamaged the connection
# makes of it for everyone else (storage.dbfile.unavailable), whose cause it is.
_DAMAGE = (sqlite3.DatabaseError, FileDamaged)


def _sqlite(error: Exception) -> sqlite3.Error:
    """SQLite's error behind `error`: its words are what a check reports."""
    cause = error.__cause__ if isinstance(error, FileDamaged) else error
    return cause if isinstance(cause, sqlite3.Error) else sqlite3.DatabaseError(str(error))


async def check_for_start(db: Database) -> None:
    """SQLite's quick check of every table but GROWING, with its indexes (`PRAGMA quick_check
    (TABLE)`, https://www.sqlite.org/pragma.html#pragma_quick_check): what the bot reads to
    start. Raises DatabaseUnusable ("is damaged …") on the first damage found. The pages it
    read leave the connection's cache (`PRAGMA shrink_memory`)."""
    tables = await db.fetch_tuples(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'")
    for (table,) in tables:
        if table in GROWING:
            continue
        try:
            found = await db.fetch_tuples(f'PRAGMA quick_check("{table}")')
        except _DAMAGE as error:
            raise DatabaseUnusable(db.path, describe(_sqlite(error), db.path)) from error
        if found != [("ok",)]:
            raise DatabaseUnusable(db.path, describe(sqlite3.DatabaseError(
                f"database disk image is malformed: {found[0][0]}")))
    # The pages read for the check are not what the bot reads next: handed back, the memory
    # serves the page caches' growth while responses come in (benchmarks/matrix_bench.py).
    await db.execute("PRAGMA shrink_memory")


async def problems(db: Database) -> list[str]:
    """Integrity (every line PRAGMA integrity_check reports), foreign keys, pending migrations,
    edited migration files and values not what their column holds (storage/damage.py). A part
    that a damaged file does not let us read is reported as such, and the other parts are still
    checked."""
    found = await _integrity(db)
    try:
        for row in await db.fetchall("PRAGMA foreign_key_check"):
            found.append(f"foreign key: table {row[0]} row {row[1]} points at a missing "
                         f"{row[2]}")
    except _DAMAGE as error:
        found.append(f"foreign keys: the check could not run ({_sqlite(error)})")
    try:
        found += await _migration_problems(db)
    except _DAMAGE as error:
        found.append(f"migrations: schema_migrations could not be read ({_sqlite(error)})")
    try:
        found += await damaged_values(db)
    except _DAMAGE as error:
        found.append(f"values: the tables could not be read ({_sqlite(error)})")
    return found


async def _integrity(db: Database) -> list[str]:
    """What PRAGMA integrity_check reports (or, failing that, quick_check). On some damage
    SQLite returns what it found and then fails on the next step, and Python's sqlite3 drops
    the rows with the error: then the most errors asked for that still come back are listed."""
    try:
        return _reported(await db.fetchall("PRAGMA integrity_check(1000)"))
    except _DAMAGE as error:
        stopped = _sqlite(error)
    for check in ("integrity_check", "quick_check"):
        found: list[str] = []
        low, high = 1, 999
        while low <= high:  # bisect: fewer errors asked for stop before the failing step
            middle = (low + high) // 2
            try:
                found = _reported(await db.fetchall(f"PRAGMA {check}({middle})"))
                low = middle + 1
            except _DAMAGE:
                high = middle - 1
        if found:
            return [*found, f"integrity: {check} stopped there ({stopped})"]
    return [f"integrity: the check could not run ({stopped})"]


def _reported(rows: list[Any]) -> list[str]:
    return [f"integrity: {line}" for (result,) in rows if result != "ok"
            for line in str(result).splitlines()
            if line.strip() and not line.startswith("*** in database")]


async def _migration_problems(db: Database) -> list[str]:
    found = []
    shipped = {m.version: m for m in available()}
    if await current_version(db) == 0:
        return ["migrations not applied: " + ", ".join(f"{v:04d}" for v in sorted(shipped))]
    recorded = await db.fetchall("SELECT version, name, checksum FROM schema_migrations")
    newest = max(row[0] for row in recorded)
    if newest > latest_version():  # as every other command says it
        found.append(f"schema version {newest} is newer than this seminarbot knows "
                     f"({latest_version()}); upgrade seminarbot instead")
    for version, name, checksum in recorded:
        migration = shipped.get(version)
        if migration is None and version > latest_version():
            found.append(f"migration {version:04d}_{name} comes from a newer seminarbot")
        elif migration is None:
            found.append(f"migration {version:04d}_{name} is recorded but not shipped")
        elif migration.checksum != checksum:
            found.append(f"migration {version:04d}_{name} was edited after it was applied")
    pending = sorted(set(shipped) - {row[0] for row in recorded})
    if pending:
        found.append("migrations not applied: " + ", ".join(f"{v:04d}" for v in pending))
    return found
