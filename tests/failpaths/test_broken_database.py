"""A database that cannot be used: every subcommand says so in one line naming the file, exits
1 and returns at once (each process has a deadline; a hang fails the test), and a command
that only reads creates nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.failpaths.support import (
    BIN,
    DEADLINE,
    config,
    damage_pages,
    environment,
    one_line,
    read_only,
    run_all,
    seminar_database,
    seminarbot,
)

READERS = ("db check", "db backup", "cohorts")
WRITERS = ("db migrate", "export", "console", "run", "content ingest")


def commands(folder: Path, db: Path) -> dict[str, tuple[str, ...]]:
    """Every subcommand that opens a database, as a person would type it."""
    source = folder / "copy.txt"
    source.write_text("not the text\n")
    return {
        "db check": ("db", "check", "--db", str(db)),
        "db backup": ("db", "backup", str(folder / "backup.db"), "--db", str(db)),
        "cohorts": ("cohorts", "--db", str(db)),
        "db migrate": ("db", "migrate", "--db", str(db)),
        "export": ("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out",
                   str(folder / "out.csv")),
        "console": ("console", "--db", str(db)),
        # The database comes from SEMINARBOT_DB; a (never reached) Discord is configured, as
        # `run` without a platform and without a terminal refuses before opening anything.
        "run": ("run",),
        # A copy that matches: ingest checks its input before it opens the database.
        "content ingest": ("content", "ingest", str(MINI.content.parent / "texts" /
                                                    "mini-essay.txt"), "--text", "mini-essay",
                           "--db", str(db)),
    }


def run_every(folder: Path, db: Path, names: tuple[str, ...] = READERS + WRITERS
              ) -> dict[str, subprocess.CompletedProcess[str]]:
    every = commands(folder, db)
    from tests.failpaths.support import environment

    env = environment(SEMINARBOT_DB=str(db), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    options = {"conf": config(folder), "stdin": "/term soviet\n", "env": env}
    readers = [name for name in names if name not in WRITERS]
    found = dict(zip(readers, run_all([every[name] for name in readers], **options),
                     strict=True))
    # Writers one at a time: each holds the database's lock while it runs.
    found.update((name, seminarbot(*every[name], **options))  # type: ignore[arg-type]
                 for name in names if name in WRITERS)
    results = [found[name] for name in names]
    return dict(zip(names, results, strict=True))


def _garbage(db: Path) -> None:
    db.write_text("hello\n")


def _header(db: Path) -> None:
    with db.open("r+b") as file:
        file.write(b"GARBAGE-GARBAGE!")


def _truncated(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _folder(db: Path) -> None:
    db.unlink()
    db.mkdir()


def _fifo(db: Path) -> None:
    db.unlink()
    os.mkfifo(db)


def _foreign(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()


def _newer(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 'now')")
    conn.commit()
    conn.close()


def _schema_not_utf8(db: Path) -> None:
    """Bytes that are not UTF-8 over a page of the schema, where SQLite's error quotes them:
    Python's sqlite3, failing to decode its message, raised UnicodeDecodeError in place of its
    DatabaseError (helper-166's 1: an internal error, exit 70, from every command). The first
    place found to do so is damaged."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        leaves = [page for (page,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'sqlite_schema' AND pagetype = 'leaf'")]
    whole = db.read_bytes()
    for at in ((leaf - 1) * 4096 + offset for leaf in leaves for offset in range(100, 4096, 100)):
        db.write_bytes(whole[:at] + b"\xde\xad" * 200 + whole[at + 400:])
        try:
            with contextlib.closing(sqlite3.connect(db)) as conn:
                conn.execute("SELECT name FROM sqlite_master").fetchall()
        except UnicodeDecodeError:
            return
        except sqlite3.Error:
            continue
    raise AssertionError("no damage to the schema made SQLite's message undecodable")


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "a schema not UTF-8": (_schema_not_utf8, "is damaged (SQLite reports a malformed database "
                                             "image)"),
    "garbage": (_garbage, "is not an SQLite database"),
    "garbage header": (_header, "is not an SQLite database"),
    "truncated": (_truncated, "is damaged (SQLite reports a malformed database image)"),
    "empty": (_empty, "is empty (0 bytes)"),
    "a folder": (_folder, "is a folder, not a database file"),
    "a FIFO": (_fifo, "is a FIFO (named pipe), not a database file"),
    "another program's": (_foreign, "is an SQLite database, but not seminarbot's"),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_database_is_one_line_and_exit_1_for_every_command(tmp_path: Path,
                                                                    kind: str) -> None:
    db = seminar_database(tmp_path)
    for companion in (*tmp_path.glob("good.db.console-*"), tmp_path / "good.db.lock"):
        companion.unlink()
    breaker, said = BROKEN[kind]
    breaker(db)
    names = READERS + WRITERS
    if kind in ("truncated", "a schema not UTF-8"):  # db check reads what it can instead
        names = tuple(n for n in names if n != "db check")
        checked = seminarbot("db", "check", "--db", str(db))
        assert checked.returncode == 1 and checked.stderr == "", checked.stderr
        assert all(line.isprintable() for line in checked.stdout.splitlines()), checked.stdout
    for name, result in run_every(tmp_path, db, names).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        line = one_line(result)
        assert line == f"seminarbot: {db}: {said}" or line.startswith(
            f"seminarbot: {db}: {said}"), (name, line)
    assert not (tmp_path / "backup.db").exists() and not (tmp_path / "out.csv").exists()
    # helper-127's 5: a truncated one refused once opened left the lock made for it.
    assert not (tmp_path / "good.db.lock").exists()


@pytest.mark.parametrize("side", ["-wal", "-journal"])
def test_a_journal_without_its_database_is_neither_taken_in_nor_deleted(tmp_path: Path,
                                                                      side: str) -> None:
    """helper-98: a new database made beside a -wal or -journal left by one moved away took
    it in or deleted it (SQLite's doing); each command that would make it says so instead."""
    db = tmp_path / "gone.db"
    orphan = Path(f"{db}{side}")
    orphan.write_bytes(b"the log of a database moved away")
    for name, result in run_every(tmp_path, db, ("db migrate", "console", "run")).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert one_line(result) == (
            f"seminarbot: {db}: is not there, but gone.db{side} is: it belongs to a database "
            f"that was moved or deleted, and a new one would take it in. Put the database "
            f"back, or move gone.db{side} away; nothing was created"), name
        assert orphan.read_bytes() == b"the log of a database moved away" and not db.exists()
        # helper-101: `run` (Discord configured) made a heartbeat saying it stopped; helper-100:
        # and left the data folder it made for it.
        assert not (tmp_path / "data").exists(), name


@pytest.mark.parametrize("shm", ["a link to nowhere", "a link to a file", "a folder"])
def test_a_shm_that_is_no_file_beside_a_missing_database_is_refused_first(
        tmp_path: Path, shm: str) -> None:
    """helper-100: with a link where SQLite keeps its shared memory, the database, an empty
    -wal and the lock were made, and then the database "cannot be opened", at every try."""
    db = tmp_path / "new.db"
    side = Path(f"{db}-shm")
    target = tmp_path / "elsewhere"
    if shm == "a folder":
        side.mkdir()
    else:
        if shm == "a link to a file":
            target.write_bytes(b"kept")
        side.symlink_to(target)
    kind = "a folder" if shm == "a folder" else "a symbolic link"
    for name, result in run_every(tmp_path, db, ("db migrate", "console", "run")).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert one_line(result) == (
            f"seminarbot: {db}: is not there, and new.db-shm beside it is {kind}, where a new "
            "database keeps a file of its own: move new.db-shm away; nothing was created"), name
    made = {p.name for p in tmp_path.iterdir()} - {"copy.txt", "seminarbot.yaml"}
    assert made == {"new.db-shm"} | ({"elsewhere"} if shm == "a link to a file" else set())
    assert shm != "a link to a file" or target.read_bytes() == b"kept"


def test_db_check_lists_what_the_integrity_check_reports(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    damage_pages(db)
    checked = seminarbot("db", "check", "--db", str(db))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    reported = checked.stdout.splitlines()
    assert any(line.startswith("integrity: On tree page") for line in reported), reported
    _truncated(db)
    checked = seminarbot("db", "check", "--db", str(db))
    assert checked.returncode == 1 and checked.stderr == ""
    assert checked.stdout.splitlines()[0] == (
        "integrity: the check could not run (database disk image is malformed)")


def test_a_newer_database_is_refused_by_whatever_would_read_or_change_it(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    _newer(db)
    results = run_every(tmp_path, db, ("cohorts", *WRITERS))
    for name, result in results.items():
        assert result.returncode == 1, (name, result.stderr)
        assert one_line(result).startswith(f"seminarbot: {db}: is at schema version 999, newer "
                                           "than this seminarbot knows"), name
    checked = seminarbot("db", "check", "--db", str(db))
    assert checked.returncode == 1
    assert "schema version 999 is newer than this seminarbot knows" in checked.stdout
    assert "migration 0999_future comes from a newer seminarbot" in checked.stdout


def test_a_read_only_database_is_read_and_never_written(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    with read_only(db):
        results = run_every(tmp_path, db)
    for name in READERS:
        assert results[name].returncode == 0, (name, results[name].stderr)
    assert "console  active  1" in results["cohorts"].stdout
    for name in ("db migrate", "export", "console", "run", "content ingest"):
        result = results[name]
        assert result.returncode == 1, (name, result.stderr)
        assert one_line(result).startswith(f"seminarbot: {db}: cannot be written"), name
    assert not (tmp_path / "out.csv").exists()


def test_an_out_of_date_database_is_not_migrated_by_a_command_that_reads(tmp_path: Path
                                                                        ) -> None:
    db = seminar_database(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM "
                 "schema_migrations)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    listed = seminarbot("cohorts", "--db", str(db))
    assert listed.returncode == 1
    assert "run `seminarbot db migrate --db" in one_line(listed)
    assert db.read_bytes() == before


@pytest.mark.parametrize("where", ["typo.db", "missing/folder/x.db"])
def test_commands_that_read_create_nothing(tmp_path: Path, where: str) -> None:
    db = tmp_path / where
    results = run_every(tmp_path, db, ("db check", "db backup", "cohorts", "export"))
    for name, result in results.items():
        assert result.returncode == 1, (name, result.stderr)
        assert one_line(result) == (f"seminarbot: {db}: there is no database here (check "
                                    "--db, SEMINARBOT_DB or data_dir); nothing was created")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.txt", "seminarbot.yaml"]


def test_a_database_path_through_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    result = seminarbot("db", "migrate", "--db", str(tmp_path / "plain" / "x.db"))
    assert result.returncode == 2
    assert f"({tmp_path / 'plain'} is a file, not a folder)" in one_line(result)


@pytest.mark.parametrize("command", [("db", "check"), ("console",)])
def test_a_data_directory_that_is_a_fifo_or_a_link_loop_is_named_so(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    """Both were said to be a file, or (a loop) a path that does not exist (helper-84)."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "at-all")
    for data, said in (("fifo", "fifo is a FIFO (named pipe), not a folder"),
                       ("fifo/sub", "fifo is a FIFO (named pipe), not a folder"),
                       ("loop1", "loop1 is a symbolic link that leads in a loop")):
        result = seminarbot(*command, env=environment(SEMINARBOT_DATA_DIR=str(tmp_path / data)))
        assert result.returncode in (1, 2), result.stderr
        assert f"{tmp_path}/{said}" in one_line(result), (data, result.stderr)
    for name in ("loop1", "dangling"):
        result = seminarbot("db", "check", conf=tmp_path / name)
        assert result.returncode == 2
        assert one_line(result).endswith(
            f"{tmp_path / name}: the configuration file is a symbolic link that leads nowhere or "
            "in a loop")


def test_a_folder_that_cannot_be_written_is_one_line_for_the_console(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    shutil.copy(seminar_database(tmp_path), folder / "s.db")
    with read_only(folder):
        result = seminarbot("console", "--db", str(folder / "s.db"), stdin="/term soviet\n",
                            conf=config(tmp_path))
    assert result.returncode == 2  # the lock cannot be made there: refused before the database
    line = one_line(result)
    assert line.startswith(f"seminarbot: the lock {folder / 's.db.lock'} for {folder / 's.db'} "
                           "cannot be opened ("), line
    fix = (f"`chmod u+rwx {folder}`" if os.geteuid() != 0 else f"`chattr -i {folder}` as root")
    assert f"it is this user's (uid {os.getuid()}" in line and fix in line, line  # see read_only


BUSY = ("the database was busy: another process holds it, and nothing was changed; try again "
        "in a moment")


@contextlib.contextmanager
def held(db: Path, *statements: str) -> Iterator[None]:
    """Another process holding `db` after these statements, until the block ends."""
    import sys

    lines = "".join(f"conn.execute({statement!r})\n" for statement in statements)
    holder = subprocess.Popen([sys.executable, "-c", (
        f"import sqlite3, time\nconn = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        f"{lines}print('locked', flush=True)\ntime.sleep(60)\n")], stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_database_kept_busy_by_another_process_is_one_line(tmp_path: Path) -> None:
    db = seminar_database(tmp_path)
    with held(db, "BEGIN IMMEDIATE"):
        result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                            "--out", str(tmp_path / "out.csv"))
        listed = seminarbot("cohorts", "--db", str(db))
    assert result.returncode == 1
    assert one_line(result) == f"seminarbot: {db}: {BUSY}"
    assert listed.returncode == 0  # reading works beside a writer
    assert not (tmp_path / "out.csv").exists()


def test_a_database_held_in_exclusive_locking_mode_is_said_busy(tmp_path: Path) -> None:
    """helper-187's 7: another program holding the file in exclusive locking mode made every
    command say "SQLite failed: database is locked"."""
    db = seminar_database(tmp_path)
    with held(db, "PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE", "COMMIT"):
        listed = seminarbot("cohorts", "--db", str(db))
    assert listed.returncode == 1
    assert one_line(listed) == f"seminarbot: {db}: {BUSY}"


def test_a_database_in_a_folder_that_cannot_be_written_is_read(tmp_path: Path) -> None:
    """A WAL database on read-only media (a backup, say): SQLite cannot make its -shm there,
    but with no -wal the file alone is read; with a -wal, one line says why it cannot be."""
    folder = tmp_path / "media"
    folder.mkdir()
    db = folder / "s.db"
    shutil.copy(seminar_database(tmp_path), db)
    with read_only(folder):
        checked = seminarbot("db", "check", "--db", str(db))
        listed = seminarbot("cohorts", "--db", str(db))
    assert checked.returncode == 0 and checked.stdout.startswith(f"{db}: ok"), checked.stderr
    assert listed.returncode == 0 and "console  active  1" in listed.stdout, listed.stderr
    Path(f"{db}-wal").write_bytes(b"changes the file does not have yet")
    with read_only(folder):
        listed = seminarbot("cohorts", "--db", str(db))
    assert listed.returncode == 1
    assert one_line(listed).startswith(f"seminarbot: {db}: cannot be read here: SQLite cannot make")


@pytest.mark.parametrize("refused", ["no such file", "no such text", "not the text"])
def test_a_refused_ingest_creates_nothing(tmp_path: Path, refused: str) -> None:
    copy = tmp_path / "copy.txt"
    if refused != "no such file":
        copy.write_text("not the text\n")
    text = "nosuchtext" if refused == "no such text" else "mini-essay"
    result = seminarbot("content", "ingest", str(copy), "--text", text,
                        "--db", str(tmp_path / "m4" / "x.db"), conf=config(tmp_path))
    # An unknown --text is a usage error (README, Command line: exit codes)
    assert result.returncode == (2 if refused == "no such text" else 1), result.stderr
    assert not (tmp_path / "m4").exists()


def test_db_check_lists_what_the_integrity_check_finds_on_overwritten_pages(
        tmp_path: Path) -> None:
    """Whole pages overwritten: SQLite reports them and then fails on its next step."""
    db = seminar_database(tmp_path)
    pages = db.stat().st_size // 4096
    with db.open("r+b") as file:
        for page in (5, 12, 20, 30):
            assert page < pages
            file.seek(4096 * page)
            file.write(bytes(range(256)) * 16)
    checked = seminarbot("db", "check", "--db", str(db))
    assert checked.returncode == 1
    listed = [line for line in checked.stdout.splitlines() if line.startswith("integrity: Page")]
    assert len(listed) >= 2, checked.stdout
    assert "could not run" not in checked.stdout.split("foreign")[0]


def test_a_page_damaged_after_the_start_is_a_reply_and_one_log_line_not_a_traceback(
        tmp_path: Path) -> None:
    """The start checks every table but the growing ones (storage.migrate.GROWING): a page of
    responses that SQLite finds malformed later is the database's state, not a bug (try32, 5)."""
    db = seminar_database(tmp_path)
    damage_pages(db, "responses")
    readers = ("/seminar mine", "/seminar stats", "/seminar export csv", "/seminar forget-me")
    result = seminarbot("console", "--db", str(db), conf=config(tmp_path),
                        stdin="\n".join((*readers, "/term soviet")) + "\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.count("The seminar's database file is damaged, so that could not be "
                               "done. Nothing was changed") == len(readers), result.stdout
    assert "That failed on our side" not in result.stdout
    assert "A council of delegates" in result.stdout  # what does not read the page still works
    logged = result.stderr.splitlines()
    assert len(logged) == len(readers), logged
    for line, typed in zip(logged, readers, strict=True):
        assert line.endswith(f" ERROR seminarbot.core.dispatch: not done, the database file is "
                             f"damaged: `seminarbot db check` shows where: command "
                             f"{typed[1:].split(' ', 2)[0]} {typed.split()[1]}"), line


def test_a_database_that_fails_under_a_command_line_tool_names_the_cause() -> None:
    """Not the chat's words ("whoever runs the bot has been told"): the operator is reading,
    and is told what is wrong with the file (try32, 7)."""
    from seminarbot.cli.boundary import explain
    from seminarbot.storage.dbfile import unavailable

    for sqlite_error, said in (
            (sqlite3.OperationalError("database or disk is full"),
             "cannot be written: the disk is full"),
            (sqlite3.DatabaseError("database disk image is malformed"),
             "is damaged (SQLite reports a malformed database image)")):
        sqlite_error.sqlite_errorcode = 13 if "full" in str(sqlite_error) else 11  # type: ignore[attr-defined]
        mapped = unavailable(sqlite_error)
        assert mapped is not None
        mapped.__cause__ = sqlite_error
        known = explain(mapped, Path("/srv/s.db"))
        assert known is not None and known[0].startswith(f"/srv/s.db: {said}"), known
        assert "has been told" not in known[0]


def test_a_database_that_is_a_link_to_nowhere_makes_nothing(tmp_path: Path) -> None:
    """helper-102: `run` took the link for a database that was there, and kept the data
    folder it had made when the database was refused."""
    db = tmp_path / "linked.db"
    db.symlink_to(tmp_path / "nowhere" / "deeper" / "x.db")  # helper-103: its folders were made
    for name, result in run_every(tmp_path, db, ("db migrate", "console", "run")).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        # helper-146's 7: "there is no database here" read as the reason to go ahead and make one
        assert one_line(result) == (f"seminarbot: {db}: is a symbolic link to {tmp_path}/nowhere/"
                                    "deeper/x.db, which is not there; nothing was created"), name
        assert not (tmp_path / "data").exists() and not (tmp_path / "nowhere").exists(), name
    assert db.is_symlink()


def test_a_database_that_is_a_link_loop_is_named_so_by_every_command(tmp_path: Path) -> None:
    """`db migrate`, `console` and `run` said "there is no database here" of a loop, where the
    commands that only read named the loop (the last note's leftover)."""
    db = tmp_path / "loop.db"
    db.symlink_to(db)
    for name, result in run_every(tmp_path, db, ("db migrate", "console", "run")).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert one_line(result) == (f"seminarbot: {db}: cannot be reached ({db} is a symbolic "
                                    "link that leads in a loop)"), name
        assert not (tmp_path / "data").exists(), name


def test_a_database_on_a_read_only_mount_is_said_so_by_a_command_that_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-127's 6: `export` (which audits) said "check that its folder exists and this
    user may write there", where `db migrate` named the read-only mount."""
    import sqlite3 as sqlite

    from seminarbot.storage import access
    from seminarbot.storage.dbfile import describe

    refused = sqlite.OperationalError("unable to open database file")
    db = tmp_path / "s.db"
    assert "check that its folder exists" in describe(refused, db)
    monkeypatch.setattr(access, "read_only_mount", lambda path: path == db)
    assert describe(refused, db) == ("cannot be opened for writing: it is on a read-only mount "
                                     "(SQLite makes its -wal and -shm files beside it): mount "
                                     "it read-write")


@pytest.mark.parametrize("side, make, kind", [
    ("-journal", os.mkfifo, "a FIFO (named pipe)"),
    ("-wal", os.mkdir, "a folder"),
    ("-shm", lambda path: os.symlink("elsewhere", path), "a symbolic link"),
    ("-wal", lambda path: os.link(path.with_name("victim"), path), "a hard link to another file"),
    ("-shm", lambda path: os.link(path.with_name("victim"), path),
     "a hard link to another file")])  # helper-182's 2: SQLite wrote into the other file
def test_a_file_sqlite_keeps_beside_the_database_that_is_no_file_is_named_by_every_command(
        tmp_path: Path, side: str, make: Callable[[Path], None], kind: str) -> None:
    """helper-150's 1, helper-146's 3: a FIFO as the rollback journal held every command on
    open for ever; a folder or a link as -wal or -shm was taken for a full disk or a folder
    this user may not write."""
    db = tmp_path / "s.db"
    shutil.copy(seminar_database(tmp_path), db)
    (tmp_path / "victim").write_bytes(b"another file's")
    make(Path(f"{db}{side}"))
    for name, result in run_every(tmp_path, db).items():
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert one_line(result) == (
            f"seminarbot: {db}: s.db{side} beside it is {kind}, where SQLite keeps a file of "
            f"its own: with no seminarbot running on it, move s.db{side} away"), name
    assert os.path.lexists(f"{db}{side}") and not (tmp_path / "backup.db").exists()
    assert (tmp_path / "victim").read_bytes() == b"another file's"


def test_a_path_no_file_can_have_is_one_line_wherever_it_is_given(tmp_path: Path) -> None:
    """helper-150's 3 and 4: `~nosuchuser/…` (pathlib raises RuntimeError) and a NUL (the
    system's calls refuse it: ValueError) were internal errors, exit 70, in every option,
    variable and setting that names a path."""
    db = tmp_path / "s.db"
    shutil.copy(seminar_database(tmp_path), db)
    nobody = "~seminarbot-nosuchuser/x"
    said = "begins with ~seminarbot-nosuchuser, but this system has no user seminarbot-nosuchuser"
    for args, where in (
            (("cohorts", "--db", nobody), "--db"),
            (("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", nobody),
             "--out"),
            (("db", "backup", "--db", str(db), nobody), "PATH"),
            (("--config", nobody, "cohorts"), "--config"),
            (("content", "check", "--texts", nobody), "--texts")):
        result = seminarbot(*args)
        assert (result.returncode, one_line(result)) == (2, f"seminarbot: {where}: {said}"), args
    result = seminarbot("cohorts", env=environment(SEMINARBOT_DB=nobody))
    assert (result.returncode, one_line(result)) == (
        2, f"seminarbot: configuration error: environment: SEMINARBOT_DB: {said}")
    # helper-152's 2: bytes that are not UTF-8 (a traceback, and the incident writer's own)
    undecodable = f"{tmp_path}/x\udcffy"  # how Python hands over the byte 0xFF of a name
    result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                        "--out", undecodable + ".csv")
    assert (result.returncode, one_line(result)) == (
        2, "seminarbot: error: an argument holds bytes that are not UTF-8: give it as UTF-8 "
           "text (seminarbot export --help shows the usage)")
    result = seminarbot("cohorts", env=environment(SEMINARBOT_DB=undecodable))
    assert (result.returncode, one_line(result)) == (
        2, "seminarbot: configuration error: environment: SEMINARBOT_DB: holds bytes that are "
           "not UTF-8: name it in UTF-8")
    for key in ("data_dir", "database", "content_dir"):
        conf = tmp_path / f"{key}.yaml"
        conf.write_text(f'{key}: "{tmp_path}/a\\0b"\n')
        result = seminarbot("cohorts", conf=conf)
        assert (result.returncode, one_line(result)) == (
            2, f"seminarbot: configuration error: {conf}: {key}: holds a NUL character, which "
               "no path can"), key


def test_a_database_or_file_named_with_a_trailing_slash_is_refused(tmp_path: Path) -> None:
    """helper-146's 6: `db migrate --db x.db/` made a file x.db (pathlib drops the slash)."""
    source = seminar_database(tmp_path)
    folder = tmp_path / "here"
    folder.mkdir()
    for args in (("db", "migrate", "--db", f"{folder}/x.db/"),
                 ("db", "migrate", "--db", f"{folder}/x.db/."),  # helper-152's 13
                 ("db", "backup", f"{folder}/b.db/", "--db", str(source)),
                 ("export", "--db", str(source), "--cohort", "1", "--format", "csv", "--out",
                  f"{folder}/x/..")):
        result = seminarbot(*args)
        assert result.returncode == 2 and one_line(result).endswith(
            " names a folder (it ends with /, . or ..); name a file"), (args, result.stderr)
    assert list(folder.iterdir()) == []


def test_a_database_that_names_a_folder_is_refused_from_every_source(tmp_path: Path) -> None:
    """helper-179's 3: `SEMINARBOT_DB=/` (or `database: /` in the file) was an internal error,
    exit 70: only `--db` was checked for a name that is a folder's."""
    for value in ("/", "../../", f"{tmp_path}/.", "x/.."):
        result = seminarbot("cohorts", env=environment(SEMINARBOT_DB=value))
        assert (result.returncode, one_line(result)) == (
            2, f"seminarbot: configuration error: environment: SEMINARBOT_DB: {value} names a "
               "folder (it ends with /, . or ..); name a file"), (value, result.stderr)
        conf = tmp_path / "c.yaml"
        conf.write_text(f'database: "{value}"\n')
        result = seminarbot("db", "check", conf=conf)
        assert (result.returncode, one_line(result)) == (
            2, f"seminarbot: configuration error: {conf}: database: {value} names a folder "
               "(it ends with /, . or ..); name a file"), (value, result.stderr)
    assert list(tmp_path.iterdir()) == [conf]
    for value in (f"{conf}/", f"{conf}/.", "/"):  # helper-182's 7: the config file's name too
        result = seminarbot("cohorts", env=environment(SEMINARBOT_CONFIG=value))
        assert (result.returncode, one_line(result)) == (
            2, f"seminarbot: configuration error: environment: SEMINARBOT_CONFIG: {value} names "
               "a folder (it ends with /, . or ..); name a file"), (value, result.stderr)


def test_an_io_error_on_a_nearly_full_disk_is_said_to_be_a_full_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-146's 4, helper-150's 10: with a few kB left, SQLite fails to grow its -shm or
    -wal as an I/O error (not SQLITE_FULL), and the line said "a disk I/O error"."""
    from seminarbot.storage import access
    from seminarbot.storage.dbfile import describe

    error = sqlite3.OperationalError("disk I/O error")
    for free, said in ((28 * 1024, "cannot be written: the disk is full (28 kB free; SQLite "
                                   "reports disk I/O error)"),
                       (10 << 30, "cannot be read or written (a disk I/O error)")):
        monkeypatch.setattr(access, "free_bytes", lambda path, free=free: free)
        assert describe(error, tmp_path / "s.db") == said
    # helper-154's 5: a file-size limit (ulimit -f) was "a disk I/O error: disk I/O error"
    monkeypatch.setattr(access, "file_size_limit", lambda: 64 * 1024)
    assert describe(error, tmp_path / "s.db") == (
        "cannot be written past 64 kB, this process's file-size limit (ulimit -f); SQLite "
        "reports disk I/O error")


def test_a_file_whose_size_says_nothing_is_read_before_it_is_called_empty() -> None:
    """helper-166's 4: a file of /proc, which stat gives no size but which holds text, was
    "empty (0 bytes)", and to be removed."""
    result = seminarbot("db", "check", "--db", "/proc/self/status")
    assert result.returncode == 1
    assert one_line(result) == ("seminarbot: /proc/self/status: is not an SQLite database (its "
                                "first bytes are not SQLite's header); restore a backup or choose "
                                "another --db")


def test_a_schema_damaged_while_the_console_runs_is_said_not_an_internal_error(
        tmp_path: Path) -> None:
    """helper-168's 1: a byte that is not UTF-8 written into a table's name in the schema while
    the console ran: the next response's write met SQLite's error quoting it, and was an
    internal error (an incident) where damage is "Database damaged"."""
    db = seminar_database(tmp_path)
    with subprocess.Popen([*BIN, "--config", str(config(tmp_path)), "console", "--db", str(db)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=environment()) as console:
        assert console.stdin is not None and console.stdout is not None
        console.stdin.write("/seminar mine\n")
        console.stdin.flush()
        while "Your responses" not in console.stdout.readline():
            pass
        whole = db.read_bytes()
        at = whole.index(b"tableresponsesresponses") + 6
        db.write_bytes(whole[:at] + b"\xff" + whole[at + 1:])
        out, err = console.communicate("/seminar respond 1.1 After the damage.\n", DEADLINE)
    assert console.returncode == 0, err
    assert "Database damaged" in out and "Something went wrong" not in out, out
    assert "incident" not in err, err
