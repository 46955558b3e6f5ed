"""The database as a file: what is there before SQLite opens it, what SQLite's errors mean in
words.

Every refusal is a `DatabaseUnusable` whose text is one line naming the file and what is wrong
with it; the command line prints it and exits 1 (cli.main is the one place that does).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seminarbot.config.files import owned_as_folder
from seminarbot.domain.errors import Busy, FileDamaged, Unavailable, WriteFailed
from seminarbot.storage.access import kind_of, os_reason, permission_fix
from seminarbot.storage.private import PRIVATE_FILE, keep_private, make_private_dirs
from seminarbot.storage.sidefiles import JOURNAL, in_the_way_of_a_new, not_a_file

if TYPE_CHECKING:
    import aiosqlite

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database
FOREIGN = ("is an SQLite database, but not seminarbot's (its tables, or their schema_migrations, "
           "are not the ones seminarbot makes); choose another database (--db, SEMINARBOT_DB "
           "or `database`)")
NO_DATABASE = ("there is no database here (check --db, SEMINARBOT_DB or data_dir); nothing was "
               "created")
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 256  # pragmas()
# Less free space than this beside a database is a full disk to SQLite: growing its -shm
# (32 kB at a time) or -wal fails as an I/O error, not SQLITE_FULL (helper-146's 4).
NEARLY_FULL = 1 << 20


def pragmas(busy_timeout_ms: int = BUSY_TIMEOUT_MS, *, read_only: bool = False) -> Sequence[str]:
    """What every connection to the database runs first: WAL (kept in the file), a busy timeout,
    full fsync at commit, foreign keys enforced, deleted content overwritten with zeros. A writing
    connection caches at most CACHE_KIB of pages (SQLite's 2,000 per connection is memory growing
    with the responses taken in, benchmarks/matrix_bench.py; the OS caches the file); one that
    only reads leaves the journal mode as it finds it (a backup copy stays as it is)."""
    writes = () if read_only else ("PRAGMA journal_mode = WAL", f"PRAGMA cache_size = -{CACHE_KIB}")
    return (f"PRAGMA busy_timeout = {busy_timeout_ms}", *writes, "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON")


class ProbeDone(Exception):
    """Rolls a write probe back (Database._probe_write)."""


async def connected(target: str, *, uri: bool) -> aiosqlite.Connection:
    """A connection in autocommit mode (no implicit transactions: BEGIN is ours)."""
    import aiosqlite  # not for commands that never open the database (`--help`)

    return await aiosqlite.connect(target, isolation_level=None, uri=uri)


class DatabaseUnusable(Exception):
    """`path: reason`, one line for the person running seminarbot."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def prepare(path: Path, *, create: bool) -> bool:
    """Check what is at `path` before SQLite opens it; with `create`, make a missing database
    (and any missing folders) private to this user. True if it was created just now.

    Raises DatabaseUnusable for a missing file (unless `create`), a folder, a FIFO or device, an
    empty file, a file that is not SQLite, or one that cannot be read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if os.path.islink(path):  # a database is never made through one (storage.lock)
            raise DatabaseUnusable(path, f"is a symbolic link to {os.readlink(path)}, which is "
                                         "not there; nothing was created") from None
        if not create:
            raise DatabaseUnusable(path, NO_DATABASE) from None
        if (stray := in_the_way_of_a_new(path)) is not None:
            raise DatabaseUnusable(path, stray) from None
        return _create(path)
    except OSError as error:
        raise DatabaseUnusable(path, f"cannot be reached ({os_reason(error, path)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseUnusable(path, "is a folder, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseUnusable(path, f"is {kind_of(info.st_mode)}, not a database file")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        fix = f"; {permission_fix(path, error)}" if error.errno in (errno.EACCES, errno.EPERM) \
            else ""  # the user, and the chown (helper-151's 2)
        raise DatabaseUnusable(path, f"cannot be read ({os_reason(error, path)}){fix}") from None
    if not header:  # read, not stat's size: a file of /proc has none, and holds text
        raise DatabaseUnusable(path, "is empty (0 bytes), so it is not a seminarbot database; "
                                     "restore a backup, or remove it to start a new one")
    if header != SQLITE_HEADER:
        raise DatabaseUnusable(path, "is not an SQLite database (its first bytes are not "
                                     "SQLite's header); restore a backup or choose another --db")
    if (odd := not_a_file(path)) is not None:
        raise DatabaseUnusable(path, odd)
    return False


def create_if_missing(path: Path) -> None:
    """Make a missing database now, as an empty SQLite database (a header, no tables), so that
    its writer can lock the file itself before it opens it (storage.lock). Raises
    DatabaseUnusable as `prepare` does, or when it cannot be written; a failure leaves nothing."""
    if not prepare(path, create=True):
        return
    try:
        with sqlite_said(), contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA user_version = 0")
    except sqlite3.Error as error:
        for leftover in (path, Path(f"{path}{JOURNAL}")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise DatabaseUnusable(path, describe(error, path)) from None


def ours_kept_private(location: str, tables: set[str], *, write: bool) -> None:
    """Refuse (DatabaseUnusable) another program's SQLite database: one with tables, none of
    them schema_migrations. One of ours opened to write is made private (storage.private).
    Called before WAL mode, which would change another's file, and makes its -wal with the
    database's mode; another's file keeps its mode too (helper-156's 3)."""
    if tables and "schema_migrations" not in tables:
        raise DatabaseUnusable(location, FOREIGN)
    if write and location != ":memory:":
        keep_private(Path(location))


def _create(path: Path) -> bool:
    try:
        make_private_dirs(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return prepare(path, create=False)  # made meanwhile by someone else: check it
    except OSError as error:
        raise DatabaseUnusable(path, f"cannot be created ({os_reason(error, path)})") from None
    owned_as_folder(descriptor, path.parent)
    os.close(descriptor)
    _made_here.add(os.path.realpath(path))
    return True


_made_here: set[str] = set()  # the databases this process created, by their real paths


def made_here(path: str | Path) -> bool:
    """Whether this process created the database at `path` (and so may remove it if it cannot
    make it whole: a file that was there, even one with no table, is another's)."""
    return os.path.realpath(path) in _made_here


def describe(error: sqlite3.Error, path: str | Path | None = None) -> str:
    """What an SQLite error says about the file at `path`, for a person (the error's own words
    last); for a file it may not write, the fix for the file, or else its folder."""
    text = str(error)
    code = getattr(error, "sqlite_errorname", "")
    if "readonly" in text or code.startswith("SQLITE_READONLY"):
        from seminarbot.storage.access import permission_fix, this_user

        fix = "give both to that user (chown), or mount them read-write"
        if path is not None and not str(path).startswith("file:"):
            closed = Path(path) if not os.access(path, os.W_OK) else Path(path).parent
            fix = permission_fix(closed)
        return (f"cannot be written by this user ({this_user()}): the file or its folder is "
                f"read-only for it; {fix} ({text})")
    if "malformed" in text or code.startswith("SQLITE_CORRUPT"):
        said = " ".join(f"{text} {code}".split())  # one line: its words may hold many
        said = said if len(said) <= 200 else said[:200].rsplit(" ", 1)[0] + " …"  # cut marked
        return ("is damaged (SQLite reports a malformed database image); `seminarbot db check` "
                f"lists what is wrong; restore a backup (SQLite: {said})")
    if text.startswith("Could not decode to UTF-8"):  # Python's sqlite3 reading a TEXT value
        from seminarbot.storage.damage import NOT_UTF8

        return NOT_UTF8
    if "cannot hold BLOB values" in text:  # SQLite's JSON functions given a BLOB
        return ("holds a damaged row: a value stored as bytes where text belongs (another "
                "program wrote it, or the file is damaged); `seminarbot db check` lists what "
                "else is wrong")
    if "not a database" in text or code == "SQLITE_NOTADB":
        return "is not an SQLite database, or is damaged beyond reading; restore a backup"
    if "disk is full" in text or code == "SQLITE_FULL":
        return "cannot be written: the disk is full"
    if "unable to open" in text or code.startswith("SQLITE_CANTOPEN"):
        from seminarbot.storage.access import read_only_mount

        if path is not None and not str(path).startswith("file:") \
                and read_only_mount(Path(path)):
            return ("cannot be opened for writing: it is on a read-only mount (SQLite "
                    "makes its -wal and -shm files beside it): mount it read-write")
        return ("cannot be opened (check that its folder exists and this user may write "
                "there, for SQLite's -wal and -shm files)")
    if "disk I/O" in text or code.startswith("SQLITE_IOERR"):
        from seminarbot.storage.access import file_size_limit, free_bytes

        free = free_bytes(Path(path)) if path is not None and not str(path).startswith("file:") \
            else None
        if free is not None and free < NEARLY_FULL:  # SQLite's -shm or -wal could not grow
            return (f"cannot be written: the disk is full ({free // 1024} kB free; SQLite "
                    f"reports {text})")
        if (limit := file_size_limit()) is not None:  # a write past it fails as on a full disk
            return (f"cannot be written past {limit // 1024} kB, this process's file-size limit "
                    f"(ulimit -f); SQLite reports {text}")
        detail = "" if text == "disk I/O error" else f": {text}"  # not said twice
        return f"cannot be read or written (a disk I/O error{detail})"
    if "database is locked" in text or code.startswith("SQLITE_BUSY"):  # no write's: a reader's
        from seminarbot.domain.errors import Busy  # (an exclusive locking mode: helper-187's 7)

        return Busy.line
    return f"SQLite failed: {text}"


def unreadable_here(refused: DatabaseUnusable, path: str) -> bool:
    """Whether a read-only open failed only because SQLite could not make the -shm it keeps
    beside a WAL database even to read it (a folder this user may not write, a full disk)
    while no -wal holds changes the file lacks: then the file can be read alone
    (`immutable_uri`). With a -wal, raises DatabaseUnusable saying so in one line."""
    cause = refused.__cause__
    while cause is not None and not isinstance(cause, sqlite3.Error):
        cause = cause.__cause__
    code = (getattr(cause, "sqlite_errorcode", None) or 0) & 0xFF
    if code not in (8, 10, 13, 14):  # SQLITE_READONLY, _IOERR, _FULL, _CANTOPEN
        return False
    log = Path(f"{path}-wal")
    if log.exists() and log.stat().st_size > 0:
        raise DatabaseUnusable(path, f"cannot be read here: SQLite cannot make the "
                                     f"{log.name[:-4]}-shm file it needs beside it (a folder this "
                                     "user may not write, or a full disk) to read the changes in "
                                     f"{log.name}; copy both files to a folder you may write, or "
                                     "run as the bot's user")
    return True


def immutable_uri(path: str) -> str:
    """An SQLite URI that reads the file as it is, with no lock, -wal or -shm."""
    return f"file:{urllib.parse.quote(os.path.abspath(path))}?immutable=1"


@contextlib.contextmanager
def sqlite_said() -> Iterator[None]:
    """SQLite's errors raised as sqlite3's, also where the message quotes a damaged schema: its
    bytes that are not UTF-8 fail Python's decoding of it, a UnicodeDecodeError in place of the
    sqlite3.DatabaseError ("malformed database schema (…)"), raised as that instead, the bytes
    read as U+FFFD. Around every SQLite call: the bot's own decoding never fails (storage.damage
    `read_text`)."""
    try:
        yield
    except UnicodeDecodeError as error:
        said = sqlite3.DatabaseError(bytes(error.object).decode(errors="replace"))
        # Bytes that are not UTF-8 in SQLite's words came from the file (every name ours
        # writes is ASCII): it is damaged, as SQLITE_CORRUPT says, for whoever tells by code.
        said.sqlite_errorcode, said.sqlite_errorname = _CORRUPT, "SQLITE_CORRUPT"
        raise said from None


def is_damage(error: sqlite3.Error) -> bool:
    """The file itself is damaged (rather than full, locked or read-only)."""
    code = getattr(error, "sqlite_errorname", "")
    return ("malformed" in str(error) or "not a database" in str(error)
            or code.startswith("SQLITE_CORRUPT") or code == "SQLITE_NOTADB")


# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
_BUSY, _LOCKED, _CORRUPT, _NOTADB = 5, 6, 11, 26
_CANNOT_WRITE = {3: "permission denied", 8: "the file is read-only", 10: "a disk I/O error",
                 13: "the disk is full", 14: "the file cannot be opened"}


def unavailable(error: sqlite3.Error) -> Unavailable | None:
    """What a SQLite error means to the people waiting on it: Busy (another connection's lock
    outlasted the busy timeout), WriteFailed (disk full, I/O error, read-only), FileDamaged (a
    malformed page), or None for an error that is ours (a bug: let it be raised as it is)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return Busy()
    if code in _CANNOT_WRITE:
        return WriteFailed(_CANNOT_WRITE[code])
    if code in (_CORRUPT, _NOTADB):
        return FileDamaged()
    return None


def of_the_rows(error: Exception) -> bool:
    """Whether a write failed on what the rows it reads or writes hold (a damaged value, a
    broken constraint), not on the file (`unavailable`: busy, full, damaged pages) or a lost
    database (StorageLost): then the writes beside it may go on without it."""
    if isinstance(error, sqlite3.Error):
        return unavailable(error) is None
    return not isinstance(error, Unavailable)
