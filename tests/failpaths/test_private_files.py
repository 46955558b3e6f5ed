"""The bot's own small files (heartbeat, syllabus cache, Matrix's login and lists, the
console's clock and journal) are written by config/files.py: replaced whole (`replace_private`)
or appended to (`append_private`), mode 0600 whatever was there, never through a link, never
into a FIFO, nothing left behind when a write fails and a dead writer's partial file removed;
read back as regular files only (a FIFO or /dev/zero there holds nothing up)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.cli.heartbeat import read, write
from seminarbot.config.files import STALE_PARTIAL_SECONDS, append_private, replace_private
from seminarbot.storage.lock import exclusive
from seminarbot.storage.private import make_private_dirs
from tests.failpaths.support import config, environment, seminarbot


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_a_file_is_replaced_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    target.chmod(0o644)
    replace_private(target, b"new", durable=True)
    assert target.read_bytes() == b"new" and mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_dead_writers_partial_files_are_removed_links_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    target = tmp_path / "state.json"
    dead, link, fresh = (tmp_path / f".state.json.{n}.partial" for n in ("dead", "link", "now"))
    dead.write_text("half")
    link.symlink_to(victim)
    fresh.write_text("another writer's, under way")
    old = time.time() - STALE_PARTIAL_SECONDS - 1
    for path in (dead, link):
        os.utime(path, (old, old), follow_symlinks=False)
    replace_private(target, b"new")
    assert victim.read_text() == "untouched" and target.read_bytes() == b"new"
    assert partials(tmp_path) == [fresh.name]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        replace_private(target, b"new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_appending_never_follows_a_link_nor_waits_on_a_fifo(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    append_private(journal, "one\n")
    append_private(journal, "two\n")
    assert journal.read_text() == "one\ntwo\n" and mode(journal) == 0o600
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    link = tmp_path / "link"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        append_private(link, "x\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        append_private(fifo, "x\n")
    assert victim.read_text() == "untouched"


def test_an_entry_the_disk_takes_only_part_of_is_taken_back(tmp_path: Path) -> None:
    """A file-size limit (as a full disk) cuts the second entry short: it is not left half
    written, to be glued to the next one."""
    journal = tmp_path / "journal"
    script = ("import resource, sys\n"
              "from pathlib import Path\n"
              "from seminarbot.config.files import append_private\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))\n"
              "append_private(Path(sys.argv[1]), 'a' * 599 + '\\n')\n"
              "try:\n"
              "    append_private(Path(sys.argv[1]), 'b' * 599 + '\\n')\n"
              "except OSError as error:\n"
              "    print(error)\n")
    done = subprocess.run([sys.executable, "-c", script, str(journal)], capture_output=True,
                          text=True, timeout=60, check=True)
    assert "took only part of the entry; taken back" in done.stdout, done
    assert journal.read_text() == "a" * 599 + "\n"


def test_a_name_at_the_limit_still_gets_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / ("d" * 240 + ".console-clock")  # NAME_MAX is 255
    replace_private(target, b"1.5")
    replace_private(target, b"2.5")
    assert target.read_bytes() == b"2.5" and partials(tmp_path) == []


def test_the_heartbeat_is_private(tmp_path: Path) -> None:
    beat = tmp_path / "data" / "heartbeat"
    write(beat, {"discord": {"state": "connected"}})
    assert mode(beat) == 0o600 and read(beat)["platforms"] == {"discord": {"state": "connected"}}


def test_matrix_files_are_private_and_whole(tmp_path: Path) -> None:
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    files.save_sync_token("s1_2_3")
    files.save_sync_token("s4_5_6")
    assert files.load_sync_token() == "s4_5_6" and mode(files.token_file) == 0o600
    assert [p.name for p in files.directory.iterdir() if p.name.endswith(".partial")] == []


def test_health_on_a_fifo_or_an_endless_heartbeat_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    os.mkfifo(data / "heartbeat")
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"the heartbeat {data / 'heartbeat'} cannot be read: it is not a regular file" \
        in result.stderr
    (data / "heartbeat").unlink()
    (data / "heartbeat").symlink_to("/dev/zero")
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_the_consoles_clock_and_journal_never_write_through_a_link(tmp_path: Path) -> None:
    conf = config(tmp_path)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    (data / "seminarbot.db.console-clock").symlink_to(victim)
    (data / "seminarbot.db.console-posts").symlink_to(victim)
    result = seminarbot("console", conf=conf, stdin="/seminar setup tue 19:00 UTC\n"
                                                     "/clock advance 2d\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert victim.read_text() == "untouched"
    clock = data / "seminarbot.db.console-clock"
    assert not clock.is_symlink() and mode(clock) == 0o600 and float(clock.read_text()) > 0


def test_the_consoles_clock_and_journal_are_never_read_or_written_through_another_files_name(
        tmp_path: Path) -> None:
    """helper-182's 3: a journal hard-linked to another file had its lines appended there,
    and a clock file that is a symbolic link was read (another file's number moved the
    clock to today, every session skipped as late)."""
    conf = config(tmp_path)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    victim, number = tmp_path / "victim", tmp_path / "number"
    victim.write_text("untouched")
    number.write_text("-1000.0")
    os.link(victim, data / "seminarbot.db.console-posts")
    (data / "seminarbot.db.console-clock").symlink_to(number)
    result = seminarbot("console", "--clock", "2026-01-05T09:00Z", conf=conf,
                        stdin="/seminar setup tue 19:00 UTC\n/clock advance 2d\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "is a hard link to another file" in result.stderr
    assert victim.read_text() == "untouched"
    again = seminarbot("console", conf=conf, stdin="/clock\n")
    assert "Simulated time: 2026-01-07T09:00:00Z" in again.stdout, again.stderr
    (data / "seminarbot.db.console-clock").unlink()
    (data / "seminarbot.db.console-clock").symlink_to(number)
    linked = seminarbot("console", conf=conf, stdin="/clock\n")
    assert "it is a symbolic link, where the bot keeps a file of its own" in linked.stderr
    # Not read: from the latest time recorded (the prompts' post), not today.
    assert "Simulated time: 2026-01-06T19:00:00Z" in linked.stdout, linked.stderr
    assert number.read_text() == "-1000.0"


def test_a_fifo_at_the_consoles_clock_does_not_hold_the_start(tmp_path: Path) -> None:
    conf = config(tmp_path)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    os.mkfifo(data / "seminarbot.db.console-clock")
    result = seminarbot("console", conf=conf, stdin="/term soviet\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr



async def test_a_database_copied_in_open_to_others_is_private_again_with_its_wal(
        tmp_path: Path) -> None:
    """SQLite gives the -wal the database file's mode: a database copied in as 644 put every
    new response in a file anyone could read (try32, 9). A writer makes them 600 again."""
    from seminarbot.storage.db import Database

    database = tmp_path / "seminarbot.db"
    await (await Database.open(database)).close()
    wal = Path(f"{database}-wal")
    wal.write_bytes(b"")
    for file in (database, wal):
        file.chmod(0o644)
    db = await Database.open(database)
    try:
        assert (mode(database), mode(wal)) == (0o600, 0o600)
    finally:
        await db.close()


def _foreign(folder: Path, kind: str) -> Path:
    """Another program's database: as it rests, in WAL mode with its last writes still in its
    -wal (never checkpointed), or copied mid-transaction with its hot -journal."""
    import contextlib
    import shutil
    import sqlite3

    live, database = folder / "live.db", folder / "invoices.db"
    with contextlib.closing(sqlite3.connect(live)) as connection:
        if kind == "rails":  # another program's schema_migrations (helper-160's 1)
            connection.execute("CREATE TABLE schema_migrations (version varchar PRIMARY KEY)")
            connection.execute("INSERT INTO schema_migrations VALUES ('20240101000000')")
        if kind == "ours in name":  # ours by its columns, with none of our tables (its 2)
            connection.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                               "name TEXT, checksum TEXT, applied_at TEXT)")
            connection.execute("INSERT INTO schema_migrations VALUES (1, 'initial', 'x', 'y')")
        if kind == "wal":
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.commit()
        if kind == "journal":  # pages spilled into the file: the journal is hot
            connection.execute("PRAGMA cache_size = 2")
            connection.execute("BEGIN")
            connection.execute("INSERT INTO invoices (total) VALUES (1.5)")
            connection.execute("CREATE TABLE payments (x)")
            connection.execute("INSERT INTO payments VALUES (randomblob(200000))")
        for side in ("", "-wal", "-journal"):
            if Path(f"{live}{side}").exists():
                shutil.copyfile(f"{live}{side}", f"{database}{side}")
        if kind == "journal":
            connection.rollback()
    live.unlink()
    return database


@pytest.mark.parametrize("kind", ["at rest", "wal", "journal", "rails", "ours in name"])
def test_another_program_s_database_is_refused_as_it_was(tmp_path: Path, kind: str) -> None:
    """helper-156's 3: another program's SQLite database, refused, was made mode 600 first
    (by the lock, before its tables were looked at). helper-158's 1: one in WAL mode had its
    log copied in and deleted, one with a hot journal was rolled back, by the open that
    found it was not ours. A refusal changes nothing: bytes, modes, the files beside it."""
    database = _foreign(tmp_path, kind)
    beside = sorted(p for p in tmp_path.iterdir() if p.name.startswith("invoices"))
    for path in beside:
        path.chmod(0o644)
    before = {path: path.read_bytes() for path in beside}
    for command in (("db", "migrate"), ("console",), ("db", "check"), ("cohorts",),
                    ("db", "backup", str(tmp_path / "copy.db")),
                    ("export", "--cohort", "1", "--format", "csv", "--out", str(tmp_path / "o"))):
        result = seminarbot(*command, "--db", str(database), conf=config(tmp_path),
                            stdin="/term soviet\n")
        assert result.returncode == 1 and "not seminarbot's" in result.stderr, result.stderr
        assert sorted(p for p in tmp_path.iterdir() if p.name.startswith("invoices")) \
            == beside, command
        assert all(mode(path) == 0o644 and path.read_bytes() == data
                   for path, data in before.items()), command
    assert not (tmp_path / "data").exists() and not (tmp_path / "copy.db").exists()
    # helper-158's 8: `run` refused it so too, but left the data folder it had made
    result = seminarbot("run", conf=config(tmp_path), env=environment(
        SEMINARBOT_DB=str(database), DISCORD_TOKEN="never.used.token",
        DISCORD_API_BASE="http://127.0.0.1:9/api/v10", DISCORD_GATEWAY_URL="ws://127.0.0.1:9"))
    assert result.returncode == 1 and "not seminarbot's" in result.stderr, result.stderr
    assert all(path.read_bytes() == data for path, data in before.items())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["seminarbot.yaml", *(path.name for path in beside)])


def test_an_export_from_an_sqlite_file_with_no_table_makes_no_database_of_it(
        tmp_path: Path) -> None:
    """helper-158's 2: `export --db` another program's empty SQLite file built seminarbot's
    schema in it (WAL mode, mode 600) before saying there was no cohort. A reading command
    never makes a database: it says what `cohorts` says, and leaves the file as it was."""
    import contextlib
    import sqlite3

    database = tmp_path / "empty.db"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA user_version = 42")
        connection.commit()
    database.chmod(0o644)
    before = database.read_bytes()
    for command in (("export", "--cohort", "1", "--format", "csv", "--out", str(tmp_path / "o")),
                    ("cohorts",)):
        result = seminarbot(*command, "--db", str(database), conf=config(tmp_path))
        assert result.returncode == 1 and "lacks migrations 0001" in result.stderr, result.stderr
        assert database.read_bytes() == before and mode(database) == 0o644, command
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("empty")) \
            == ["empty.db"]


@pytest.mark.parametrize(("folder_mode", "warned"), [(0o777, True), (0o770, True),
                                                     (0o755, False), (0o700, False)])
def test_a_data_directory_others_may_write_is_said_at_the_start(
        tmp_path: Path, folder_mode: int, warned: bool) -> None:
    """helper-128's 2: a data directory found open to others' writes was used without a word
    (only `db check` said so): they may delete, rename or plant files there."""
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(folder_mode)
    done = seminarbot("console", "--clock", "2026-01-05T09:00Z", stdin="/clock\n",
                      env=environment(SEMINARBOT_DATA_DIR=str(data)))
    assert done.returncode == 0, done.stderr
    said = f"the data directory {data} is mode {folder_mode:04o}: other users may delete"
    assert (said in done.stderr) is warned, done.stderr
    assert mode(data) == folder_mode  # said, not changed: it is the operator's folder


def test_matrix_state_the_disk_refuses_is_said_and_the_bot_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
        ) -> None:
    """helper-130's 1: the sync token unsaved on a full disk under the data folder raised out
    of the sync loop and stopped the bot ("writing to standard output failed")."""
    import errno

    from seminarbot.adapters.matrix import files as matrix_files

    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    files.save_sync_token("s1_2_3")

    def full(path: Path, data: bytes, *, durable: bool) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(matrix_files, "replace_private", full)
    files.save_sync_token("s4_5_6")  # said, not raised
    files.save_undecrypted([{"event_id": "$x"}])
    files.save_private([])
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 3 and said[0].startswith("matrix: sync-token could not be saved (No "
                                                 "space left on device)"), said
    assert files.load_sync_token() == "s1_2_3"


def test_a_database_s_folder_others_may_write_is_said_too(tmp_path: Path) -> None:
    """helper-129's 9: a database outside the data directory, in a folder anyone may write
    (where its -wal could be deleted or replaced), drew no word from the console or db check."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    env = environment(SEMINARBOT_DATA_DIR=str(tmp_path / "data"))
    done = seminarbot("console", "--db", str(folder / "x.db"), "--clock", "2026-01-05T09:00Z",
                      stdin="/clock\n", env=env)
    assert done.returncode == 0 and f"the database's folder {folder} is mode 0777" in done.stderr
    checked = seminarbot("db", "check", "--db", str(folder / "x.db"), env=env)
    assert f"{folder} is mode 0777, others may replace files in it" in checked.stdout + \
        checked.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may write another user's database")
async def test_root_on_the_bot_user_s_database_makes_it_and_its_log_private(
        tmp_path: Path) -> None:
    """helper-158's 3: root (`docker exec -u 0`) writing the bot's user's database copied in as
    644 left it so, and SQLite gave the -wal and -shm it made that mode and that owner: new
    responses in files anyone could read."""
    from seminarbot.storage.db import Database

    database = tmp_path / "seminarbot.db"
    await (await Database.open(database)).close()
    os.chown(database, 12345, 12345)
    database.chmod(0o644)
    db = await Database.open(database)
    try:
        for file in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert mode(file) == 0o600 and file.stat().st_uid == 12345, file
    finally:
        await db.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes files for another user")
def test_what_root_makes_beside_the_bot_user_s_database_is_the_bot_user_s(tmp_path: Path
                                                                          ) -> None:
    """helper-160's 6: root (`docker exec -u 0 … console`) on the bot's user's database left
    its lock, the console's clock and journal and the exports it saved root's, mode 600: the
    bot's user could no longer take the lock, or read its own console's clock. What root
    makes in a folder another user owns is now that user's, as SQLite does for its -wal."""
    folder = tmp_path / "bot"
    (folder / "data").mkdir(parents=True)
    for each in (folder, folder / "data"):
        os.chown(each, 12345, 23456)
        each.chmod(0o700)
    conf = tmp_path / "seminarbot.yaml"
    conf.write_text(config(tmp_path).read_text().replace(str(tmp_path / "data"),
                                                         str(folder / "data")))
    database = folder / "data" / "seminar.db"
    for stdin in ("/seminar setup tue 19:00 UTC\n/seminar post 1\n",
                  "/clock advance 1h\n/seminar respond 1.1 words\n/seminar export csv\n"):
        done = seminarbot("console", "--db", str(database), stdin=stdin, conf=conf)
        assert done.returncode == 0 and "✗" not in done.stdout, done.stdout + done.stderr
    made = [path for path in folder.rglob("*")]
    names = {path.name for path in made}
    assert {"seminar.db", "seminar.db.lock", "seminar.db.console-clock",
            "seminar.db.console-posts", "exports"} <= names, names
    for path in made:
        info = path.lstat()
        assert (info.st_uid, info.st_gid) == (12345, 23456), path
        assert stat.S_IMODE(info.st_mode) in (0o600, 0o700), path


def test_a_file_made_as_root_is_given_to_its_folder_s_owner_and_only_as_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule itself, as any user: as root, the owner of the folder a file or folder is made
    in (not root) gets it, whichever way the bot makes it; as anyone else, nothing is given."""
    folders = {euid: tmp_path / f"as{euid}" for euid in (1000, 0)}
    really_root = os.geteuid() == 0
    for folder in folders.values():
        folder.mkdir()
        if really_root:  # the folder must be another user's
            os.chown(folder, 12345, 23456)
    owner = (folders[0].stat().st_uid, folders[0].stat().st_gid)
    given: list[tuple[str, int, int]] = []
    real_chown = os.chown
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: given.append(
        (os.readlink(f"/proc/self/fd/{fd}"), uid, gid)))
    monkeypatch.setattr(os, "chown", lambda path, uid, gid, **_: given.append(
        (str(path), uid, gid)))
    for euid, folder in folders.items():
        monkeypatch.setattr(os, "geteuid", lambda euid=euid: euid)
        make_private_dirs(folder / "inner")
        if really_root and euid == 0:  # as make_private_dirs asked, for real
            real_chown(folder / "inner", *owner)
        replace_private(folder / "inner" / "clock", b"0")
        append_private(folder / "inner" / "journal", "x\n")
        with exclusive(folder / "inner" / "s.db"):
            pass
    inner = folders[0] / "inner"
    assert {(path, uid, gid) for path, uid, gid in given} >= {
        (str(inner), *owner), (str(inner / "journal"), *owner),
        (str(inner / "s.db.lock"), *owner), (str(inner / "s.db"), *owner)}
    assert any(path.startswith(str(inner / ".clock.")) for path, _, _ in given)
    assert not [g for g in given if str(folders[1000]) in g[0]]


def test_another_program_s_database_through_a_link_is_refused_as_it_was(tmp_path: Path) -> None:
    """helper-160's 3: through a symbolic link, a database whose only table was in its -wal
    was taken for an empty one (its -wal looked for beside the link), and the open that then
    refused it copied the log into the file."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    database = _foreign(target, "wal")
    link = tmp_path / "link.db"
    link.symlink_to(database)
    before = {path: path.read_bytes() for path in target.iterdir()}
    for command in (("db", "migrate"), ("console",), ("cohorts",)):
        result = seminarbot(*command, "--db", str(link), conf=config(tmp_path))
        assert result.returncode == 1 and "not seminarbot's" in result.stderr, result.stderr
        assert {path: path.read_bytes() for path in target.iterdir()} == before, command


@pytest.mark.parametrize("first_start", [True, False])
async def test_a_database_of_ours_left_by_a_crash_is_ours(tmp_path: Path,
                                                         first_start: bool) -> None:
    """The look for another program's database must never refuse the bot's own after a crash:
    a -wal holding its first migrations (the file itself has no table yet), or its latest
    writes, is taken in as the open always did."""
    import contextlib
    import shutil
    import sqlite3

    from seminarbot.storage.db import Database

    live = tmp_path / "live.db"
    if not first_start:
        await (await Database.open(live)).close()
    with contextlib.closing(sqlite3.connect(live)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        if first_start:  # as a first start's migrations, before any checkpoint
            connection.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                               "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT "
                               "NOT NULL)")
        else:
            connection.execute("UPDATE schema_migrations SET applied_at = applied_at")
        connection.commit()
        crashed = tmp_path / "crashed.db"
        for side in ("", "-wal"):  # copied while open: what a kill leaves
            shutil.copyfile(f"{live}{side}", f"{crashed}{side}")
    db = await Database.open(crashed)
    await db.close()


def test_a_reader_of_a_read_only_database_leaves_the_next_writer_able_to_write(
        tmp_path: Path) -> None:
    """helper-190's 2: `cohorts` on a database of mode 444, in a folder it may write, made a
    -wal and -shm of mode 444; the writer after it (the mode set back to 600) opened them read
    only and failed at its first write, told the file might be immutable."""
    import shutil

    from tests.failpaths.support import BIN, DEADLINE, seminar_database

    as_a_user: list[str] = []
    if os.geteuid() == 0:  # root writes whatever the modes: it runs without that power
        if shutil.which("setpriv") is None:
            pytest.skip("as root this needs setpriv (util-linux), which is not installed")
        as_a_user = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    db = seminar_database(tmp_path)
    conf = config(tmp_path)
    for side in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        side.unlink(missing_ok=True)
    db.chmod(0o444)

    def seminarbot_as_a_user(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([*as_a_user, *BIN, "--config", str(conf), *args], input=stdin,
                              capture_output=True, text=True, env=environment(),
                              timeout=DEADLINE, check=False)

    read = seminarbot_as_a_user("cohorts", "--db", str(db))
    assert read.returncode == 0, read.stderr
    db.chmod(0o600)
    wrote = seminarbot_as_a_user("console", "--db", str(db),
                                 stdin="/seminar respond 1.1 A second thought.\n")
    assert wrote.returncode == 0, wrote.stderr
    assert "Recorded" in wrote.stdout or "recorded" in wrote.stdout, wrote.stdout[-300:]
    # helper-191's 3: the database itself 444, this user's: made 600 (README) before SQLite
    # opens it, so the first writer works, not the second
    db.chmod(0o444)
    wrote = seminarbot_as_a_user("console", "--db", str(db),
                                 stdin="/seminar respond 1.1 A third thought.\n")
    assert wrote.returncode == 0, wrote.stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
