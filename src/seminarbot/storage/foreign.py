"""Whether a database file is another program's, told before SQLite opens it to use it: that
open would change another's file (SQLite copies a write-ahead log into the file and deletes
it when the last connection closes, and rolls a hot journal back), where a refusal must leave
it as it was (helper-158's 1).

The file is read as it is (SQLite's `immutable`: no lock, no -wal, no -shm). A file with no
table whose -wal or -journal holds something may have its tables there: a copy of the three,
in a private temporary folder, is opened instead, and SQLite recovers the copy."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from seminarbot.storage.dbfile import FOREIGN, DatabaseUnusable, immutable_uri
from seminarbot.storage.sidefiles import JOURNAL, WAL

COPY_MOST = 256 << 20  # bytes of file and log copied to look at them; more is said instead


def not_foreign(path: Path, *, made: bool = False) -> None:
    """Raise DatabaseUnusable (FOREIGN) if the SQLite file at `path` has tables and none of
    them is schema_migrations; nothing else is checked here (a damaged or unreadable file is
    the open's to say). `made`: the file was created just now, and is ours."""
    if made:
        return
    tables = _tables(f"{immutable_uri(str(path))}&mode=ro")
    logs = [log for log in (Path(f"{path}{WAL}"), Path(f"{path}{JOURNAL}"))
            if log.is_file() and log.stat().st_size > 0]
    if tables == set() and logs:
        tables = _tables_of_a_copy(path, logs)
    if tables and "schema_migrations" not in tables:
        raise DatabaseUnusable(path, FOREIGN)


def _tables(target: str) -> set[str] | None:
    """The names of the tables of the database at `target` (a path or an SQLite URI), or None
    if SQLite cannot read them."""
    try:
        with contextlib.closing(sqlite3.connect(target, uri=target.startswith("file:"))) as conn:
            return {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return None


def _tables_of_a_copy(path: Path, logs: list[Path]) -> set[str] | None:
    size = path.stat().st_size + sum(log.stat().st_size for log in logs)
    if size > COPY_MOST:
        raise DatabaseUnusable(path, f"has no table in the file itself, and {size >> 20} MB in "
                                     f"{', '.join(log.name for log in logs)}: not opened, in "
                                     "case it is another program's; if it is seminarbot's, "
                                     "open it once with sqlite3 to bring the log in")
    import shutil  # here: `run` seldom needs them (a new database's first start, a crash)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="seminarbot-look-") as folder:
        copy = Path(folder) / "database"
        shutil.copyfile(path, copy)
        for log in logs:
            shutil.copyfile(log, f"{copy}{log.name[len(path.name):]}")
        return _tables(str(copy))
