"""Whether a database file is another program's, told before SQLite opens it to use it: that
open would change another's file (SQLite copies a write-ahead log into the file and deletes
it when the last connection closes, and rolls a hot journal back), where a refusal must leave
it as it was (helper-158's 1).

The file is read as it is (SQLite's `immutable`: no lock, no -wal, no -shm). Where its -wal or
-journal holds something and the file alone does not show seminarbot's tables, a copy of the
file and its logs, in a private temporary folder, is opened instead, and SQLite recovers the
copy (up to COPY_MOST bytes; beyond, the open and its own check decide)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from seminarbot.storage.dbfile import (
    FOREIGN,
    DatabaseUnusable,
    immutable_uri,
    prepare,
    sqlite_said,
)
from seminarbot.storage.private import companions_writable, keep_private
from seminarbot.storage.sidefiles import JOURNAL, WAL

COPY_MOST = 256 << 20  # bytes of file and log copied to look at them; more is said instead


OURS = frozenset({"version", "name", "checksum", "applied_at"})  # schema_migrations' columns


def checked_as_ours(path: Path, *, create: bool, write: bool) -> None:
    """Before SQLite opens `path`: what is there checked (dbfile.prepare; with `create`, a
    missing database made), refused if it is another program's (`not_foreign`); for a write,
    the file kept private (storage.private.keep_private) and its -wal and -shm writable again
    (`companions_writable`)."""
    not_foreign(path, made=prepare(path, create=create))
    if write:  # before SQLite opens them: a file it opened read-only stays so (helper-191's 3)
        keep_private(path)
        companions_writable(path)


def not_foreign(path: Path, *, made: bool = False) -> None:
    """Raise DatabaseUnusable (FOREIGN) if the SQLite file at `path` has tables and is not
    seminarbot's: no schema_migrations, one of another program's (Rails and golang-migrate make
    theirs: helper-160's 1), or one that records migrations whose first tables are not there;
    nothing else is checked here (a damaged or unreadable file is the open's to say). `made`:
    the file was created just now, and is ours. Its -wal and -journal are where SQLite looks
    for them, beside the file a symbolic link leads to (helper-160's 3)."""
    if made:
        return
    real = Path(os.path.realpath(path))
    schema = _schema(f"{immutable_uri(str(real))}&mode=ro")
    logs = [log for log in (Path(f"{real}{WAL}"), Path(f"{real}{JOURNAL}"))
            if log.is_file() and log.stat().st_size > 0]
    # The file shows ours: it is (no program makes ours its own). Else, beside a log, the file
    # alone may be half of a change (a crash, a checkpoint cut short): the copy tells.
    if logs and (schema is None or not _ours(*schema)):
        schema = _schema_of_a_copy(real, logs)
    if schema is not None and schema[0] and not _ours(*schema):
        raise DatabaseUnusable(path, FOREIGN)


def _ours(tables: set[str], columns: set[str], highest: int) -> bool:
    return "schema_migrations" in tables and columns == OURS \
        and (highest < 1 or "cohorts" in tables)  # 0001 makes it


def _schema(target: str) -> tuple[set[str], set[str], int] | None:
    """The names of the tables of the database at `target` (a path or an SQLite URI), the
    columns of its schema_migrations and the highest version it records; None if SQLite
    cannot read them."""
    uri = target.startswith("file:")
    try:
        with sqlite_said(), contextlib.closing(sqlite3.connect(target, uri=uri)) as conn:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_migrations" not in tables:
                return tables, set(), 0
            columns = {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}
            highest = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] \
                if "version" in columns else None
            return tables, columns, highest if isinstance(highest, int) else 0
    except sqlite3.Error:
        return None


def _schema_of_a_copy(path: Path, logs: list[Path]) -> tuple[set[str], set[str], int] | None:
    """`_schema` of a copy of the file and its logs, which SQLite recovers; None (not told)
    where they hold more than COPY_MOST bytes, or cannot be copied."""
    if path.stat().st_size + sum(log.stat().st_size for log in logs) > COPY_MOST:
        return None
    import shutil  # here: `run` seldom needs them (after a crash, or a new database's start)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="seminarbot-look-") as folder:
        copy = Path(folder) / "database"
        try:
            shutil.copyfile(path, copy)
            for log in logs:
                shutil.copyfile(log, f"{copy}{log.name[len(path.name):]}")
        except OSError:
            return None
        return _schema(str(copy))


def without_tables(path: Path) -> bool:
    """Whether the SQLite file at `path` holds no table, as its last commit left it: one made
    just now whose first migrations never committed (a stop as they ran). Read as not_foreign
    reads, so nothing is made beside it (a reader's -wal would stay). False where SQLite
    cannot read it, or nothing is there."""
    if not os.path.isfile(path):
        return False
    real = Path(os.path.realpath(path))
    logs = [log for log in (Path(f"{real}{WAL}"), Path(f"{real}{JOURNAL}"))
            if log.is_file() and log.stat().st_size > 0]
    schema = _schema_of_a_copy(real, logs) if logs else \
        _schema(f"{immutable_uri(str(real))}&mode=ro")
    return schema is not None and not schema[0]
