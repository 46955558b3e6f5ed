"""Files: never replace what is not ours, say plainly when a write fails, and keep what we write
private to the bot's user whatever the umask."""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver
from tests.failpaths.support import (
    BIN,
    DEADLINE,
    config,
    environment,
    one_line,
    read_only,
    seminar_database,
    seminarbot,
)


def export_to(db: Path, out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out",
                      out, *extra)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seminar_database(tmp_path)


def test_force_replaces_only_a_regular_file(tmp_path: Path, db: Path) -> None:
    fifo, folder, target = tmp_path / "p.fifo", tmp_path / "folder", tmp_path / "target.csv"
    os.mkfifo(fifo)
    folder.mkdir()
    target.write_text("kept\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    kinds = {fifo: "a FIFO (named pipe)", link: "a symbolic link", dangling: "a symbolic link",
             folder: "a folder", Path("/dev/null"): "a device"}
    for path, kind in kinds.items():
        for force in ((), ("--force",)):
            result = export_to(db, str(path), *force)
            assert result.returncode == 1, (path, force)
            assert one_line(result) == (f"seminarbot: {path} is {kind}, not a regular file; "
                                        "seminarbot never replaces one, even with --force: "
                                        "choose a new file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink() and dangling.is_symlink()
    assert target.read_text() == "kept\n" and not (tmp_path / "nowhere.csv").exists()
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    refused = export_to(db, str(target))
    assert refused.returncode == 1 and "exists; choose a new file or add --force" in refused.stderr
    replaced = export_to(db, str(target), "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert "The soviets were councils first." in target.read_text("utf-8-sig")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_standard_output_full_or_closed_is_one_line(db: Path) -> None:
    command = [*BIN, "export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-"]
    with open("/dev/full", "wb") as full:
        result = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True,
                                env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == 1
    assert one_line(result) == ("seminarbot: writing to standard output failed (No space left "
                                "on device); the export is incomplete")
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write meets a closed pipe
    with os.fdopen(writer, "wb") as closed:
        result = subprocess.run(command, stdout=closed, stderr=subprocess.PIPE, text=True,
                                env=environment(), timeout=DEADLINE, check=False)
    assert result.returncode == 1
    assert one_line(result) == ("seminarbot: standard output was closed before the export "
                                "finished; the export is incomplete")
    audited = seminarbot("db", "check", "--db", str(db))
    assert audited.returncode == 0
    with sqlite3.connect(db) as conn:  # in the README's words, not Python's
        reasons = [json.loads(detail)["reason"] for (detail,) in conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'export' AND outcome = 'failed'"
            " ORDER BY id")]
    assert reasons == ["a full disk", "a reader gone (its output was closed before the end)"]


def _long_seminar(folder: Path) -> Path:
    """A database with 100 responses of about 1 kB each: an export of 100 kB."""
    db = folder / "long.db"
    answers = "".join(f"/seminar respond 1.1 answer {n} {'a long answer ' * 80}\n"
                      for n in range(100))
    made = seminarbot("console", "--db", str(db), "--clock", "2026-01-05T09:00Z",
                      conf=config(folder),
                      stdin="/seminar setup tue 19:00 Europe/London\n/seminar post\n" + answers)
    assert made.returncode == 0, made.stderr
    return db


def _failed_export(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        (detail,), = conn.execute("SELECT detail FROM audit_log WHERE action = 'export'"
                                  " AND outcome = 'failed'")
    found: dict[str, Any] = json.loads(detail)
    return found


def test_a_reader_that_goes_away_is_audited_with_what_it_was_given(tmp_path: Path) -> None:
    """helper-163's 8: a reader that took the first kilobyte and closed its pipe left an
    audit row of 0 bytes, though the export's first 64 KiB had gone into the pipe. The audit
    counts every byte the output took; and (helper-168's 3) the responses in them whole, not
    none."""
    db = _long_seminar(tmp_path)
    command = [*BIN, "export", "--db", str(db), "--cohort", "1", "--format", "csv", "--out", "-"]
    whole = subprocess.run(command, capture_output=True, env=environment(), timeout=DEADLINE,
                           check=True).stdout
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=environment()) as export:
        assert export.stdout is not None and export.stderr is not None
        taken = len(export.stdout.read(1000))
        export.stdout.close()
        said = export.stderr.read().decode()
        assert export.wait(DEADLINE) == 1
    assert "standard output was closed before the export finished" in said
    audited = _failed_export(db)
    # What stayed in the pipe's buffer when its reader closed it had been given out too.
    assert taken == 1000 and 1000 <= audited["bytes"] < len(whole)
    rows = whole[:audited["bytes"]].count(b"\r\n") - 1  # the header's line is no response
    assert audited["responses"] == rows > 0, audited


def test_an_export_stopped_while_its_reader_waits_says_what_went_out(tmp_path: Path) -> None:
    """helper-168's 2: stopped (SIGTERM) while a reader took nothing, an export was audited
    with its first line's bytes, and its writer then gave the reader 378 kB more. Now nothing
    goes after the stop but the part under way, and the audit says it."""
    db = _long_seminar(tmp_path)
    command = [*BIN, "export", "--db", str(db), "--cohort", "1", "--format", "jsonl", "--out",
               "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=environment()) as export:
        assert export.stdout is not None
        time.sleep(1)  # the pipe (64 KiB) is full, its writer waits for the reader
        export.send_signal(signal.SIGTERM)
        # It waits a second for the reader, then ends: helper-170's 1, its writer's thread
        # held the end of the process for 20 s (the stop's last resort)
        assert export.wait(5) == 128 + signal.SIGTERM
        read = export.stdout.read()
    audited = _failed_export(db)
    assert audited["reason"] == "stopped before the end"
    whole = subprocess.run(command, capture_output=True, env=environment(), timeout=DEADLINE,
                           check=True).stdout
    # The slice under way may go in part, or not at all, as the process ends
    assert audited["bytes"] <= len(read) <= audited["bytes"] + audited.get("bytes_in_flight", 0)
    assert len(read) < len(whole)
    # helper-170's 2: the records of the part taken of the piece under way, whole
    assert audited["responses"] == read[:audited["bytes"]].count(b"\n"), audited


def test_an_export_to_a_file_cut_short_by_a_size_limit_says_what_it_took(
        tmp_path: Path) -> None:
    """helper-168's 4: audited with its first line's bytes (120), where the file had taken
    up to the limit before it was removed."""
    db = _long_seminar(tmp_path)

    def limited() -> None:  # the audit's row goes into the -wal, from its start
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, 65_536))

    result = subprocess.run([*BIN, "export", "--db", str(db), "--cohort", "1", "--format",
                             "csv", "--out", str(tmp_path / "out.csv")],
                            capture_output=True, text=True, env=environment(),
                            preexec_fn=limited, timeout=DEADLINE, check=False)
    assert result.returncode == 1 and not (tmp_path / "out.csv").exists(), result.stderr
    assert _failed_export(db)["bytes"] == 65_536


@pytest.mark.parametrize("command", [("cohorts",), ("db", "check")])
def test_any_command_whose_output_cannot_be_written_says_so(db: Path,
                                                            command: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([*BIN, *command, "--db", str(db)], stdout=full,
                                stderr=subprocess.PIPE, text=True, env=environment(),
                                timeout=DEADLINE, check=False)
    assert result.returncode == 1
    assert one_line(result) == ("seminarbot: writing to standard output failed (No space left "
                                "on device)")


@pytest.mark.parametrize("command", [("--version",), ("--help",), (), ("export", "--help"),
                                     ("db", "check", "-h")])
def test_help_and_the_version_say_when_their_output_cannot_be_written(
        command: tuple[str, ...]) -> None:
    """As any command's output: argparse alone would drop the error, or print a traceback
    (try32, 19)."""
    reader, writer = os.pipe()
    os.close(reader)
    with open("/dev/full", "wb") as full, os.fdopen(writer, "wb") as closed:
        for output, why in ((full, "No space left on device"), (closed, "Broken pipe")):
            result = subprocess.run([*BIN, *command], stdout=output, stderr=subprocess.PIPE,
                                     text=True, env=environment(), timeout=DEADLINE,
                                     check=False)
            assert (result.returncode, one_line(result)) == (
                1, f"seminarbot: writing to standard output failed ({why})"), command
    # Closed (`>&-`): print() dropped the version, exit 0; help's write was an internal error
    result = subprocess.run([*BIN, *command], stdout=None, stderr=subprocess.PIPE, text=True,
                            env=environment(), timeout=DEADLINE, check=False,
                            preexec_fn=lambda: os.close(1))
    assert (result.returncode, one_line(result)) == (
        1, "seminarbot: writing to standard output failed (standard output is closed)"), command


def test_backup_never_replaces_and_says_why_it_cannot_write(tmp_path: Path, db: Path) -> None:
    for target, said in {  # helper-190's 6: a file on the way is said, by export too
        tmp_path / "missing" / "b.db": f"the folder {tmp_path / 'missing'} does not exist",
        db / "b.db": f"{db} is a file, not a folder",
    }.items():
        result = seminarbot("db", "backup", str(target), "--db", str(db))
        assert result.returncode == 2
        assert one_line(result) == f"seminarbot: cannot write the backup {target}: {said}"
        result = export_to(db, str(target.with_suffix(".csv")))
        assert (result.returncode, one_line(result)) == (2, f"seminarbot: {said}")
    result = seminarbot("db", "backup", "/proc/b.db", "--db", str(db))  # exists, takes no file
    assert (result.returncode, one_line(result)) == (
        1, "seminarbot: cannot write the backup /proc/b.db: /proc takes no new files")
    result = export_to(db, "/proc/b.csv")  # helper-146's 8: "No such file or directory"
    assert (result.returncode, one_line(result)) == (
        1, "seminarbot: cannot write in /proc (it takes no new files); nothing was exported")
    (tmp_path / "link.db").symlink_to(tmp_path / "elsewhere.db")
    for existing, what in ((tmp_path / "link.db", "is a symbolic link"),
                           (Path("/dev/null"), "exists")):
        result = seminarbot("db", "backup", str(existing), "--db", str(db))
        assert result.returncode == 1
        assert one_line(result) == (f"seminarbot: {existing} {what}; a backup never replaces "
                                    "a file, choose a new name")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # the C library's "Too many levels of symbolic links" named no part
    for result, said in (
            (seminarbot("db", "backup", str(loop / "b.db"), "--db", str(db)),
             f"cannot write the backup {loop / 'b.db'}: {loop} is a symbolic link that leads in "
             "a loop"),
            (export_to(db, str(loop / "b.csv")),
             f"cannot reach {loop / 'b.csv'} ({loop} is a symbolic link that leads in a loop)")):
        assert (result.returncode, one_line(result)) == (1, f"seminarbot: {said}")
    result = seminarbot("db", "backup", str(db), "--db", str(db))
    assert result.returncode == 1
    assert one_line(result).startswith(f"seminarbot: {db} is the database or one of its files")
    assert not (tmp_path / "elsewhere.db").exists() and not (tmp_path / "missing").exists()


def _umask_022() -> None:
    os.umask(0o022)


def test_everything_written_is_private_whatever_the_umask(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process = subprocess.Popen(
        [*BIN, "--config", str(config(tmp_path)), "console", "--clock", "2026-01-05T09:00Z"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment(), preexec_fn=_umask_022)
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write("/seminar setup tue 19:00 UTC\n/seminar post\n/seminar respond 1.1 "
                            "Yes.\n/seminar export csv\n/clock advance 1h\n")
        process.stdin.flush()
        while "Simulated time" not in process.stdout.readline():
            pass
        # While it runs: the database and SQLite's -wal and -shm beside it.
        running = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
    finally:
        process.stdin.close()
        process.wait(timeout=DEADLINE)
    assert running["seminarbot.db-wal"] == running["seminarbot.db-shm"] == 0o600, running
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
    assert files and all(mode == (0o700 if (data / name).is_dir() or name == "exports"
                                  else 0o600) for name, mode in files.items()), files
    assert any(name.endswith(".csv") for name in files)
    copy, out = tmp_path / "copy.db", tmp_path / "out.csv"
    for args in (("db", "backup", str(copy)),
                 ("export", "--cohort", "1", "--format", "csv", "--out", str(out))):
        done = subprocess.run([*BIN, "--config", str(config(tmp_path)), *args],
                              capture_output=True, text=True, env=environment(),
                              preexec_fn=_umask_022, timeout=DEADLINE, check=False)
        assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(copy.stat().st_mode) == stat.S_IMODE(out.stat().st_mode) == 0o600


def test_db_check_warns_when_the_files_are_open_to_others(tmp_path: Path) -> None:
    conf = config(tmp_path)
    made = seminarbot("db", "migrate", conf=conf)
    assert made.returncode == 0, made.stderr
    data = tmp_path / "data"
    (data / "seminarbot.db").chmod(0o644)
    data.chmod(0o755)
    checked = seminarbot("db", "check", conf=conf)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.splitlines()[:2] == [
        f"warning: {data / 'seminarbot.db'} is mode 0644, readable by others: chmod 600 "
        f"{data / 'seminarbot.db'}",
        f"warning: {data} is mode 0755, open to others: chmod 700 {data}"]
    (data / "seminarbot.db").chmod(0o600)
    data.chmod(0o700)
    assert "warning" not in seminarbot("db", "check", conf=conf).stdout
    # helper-147's 4: what is inside the data directory was not looked at
    exports = data / "exports"
    exports.mkdir()
    exports.chmod(0o755)  # whatever the umask (CI's takes the group's and others' bits)
    (exports / "run.csv").write_text("words")
    (exports / "run.csv").chmod(0o644)
    (exports / "link.csv").symlink_to(exports / "run.csv")  # a link: its target is said
    said = seminarbot("db", "check", conf=conf).stdout.splitlines()
    assert [line for line in said if line.startswith("warning")] == [
        f"warning: {exports} is mode 0755, open to others: chmod 700 {exports}",
        f"warning: {exports / 'run.csv'} is mode 0644, open to others: chmod 600 "
        f"{exports / 'run.csv'}"], said
    for number in range(12):
        (exports / f"{number}.csv").write_text("words")
        (exports / f"{number}.csv").chmod(0o640)
    said = seminarbot("db", "check", conf=conf).stdout.splitlines()
    assert len([line for line in said if line.startswith("warning")]) == 11, said
    assert f"warning: … and 4 more in {data}: chmod -R go-rwx {data}" in said, said
    # helper-163's 7: the data directory open to others, its exports in it, said too when the
    # database is elsewhere
    for number in range(12):
        (exports / f"{number}.csv").unlink()
    (exports / "run.csv").chmod(0o600)
    exports.chmod(0o700)
    data.chmod(0o777)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (data / "seminarbot.db").rename(elsewhere / "seminarbot.db")
    said = seminarbot("db", "check", "--db", str(elsewhere / "seminarbot.db"),
                      conf=conf).stdout.splitlines()
    assert [line for line in said if line.startswith("warning")] == [
        f"warning: {data} is mode 0777, open to others: chmod 700 {data}"], said
    # helper-184's 1: an `exports` linked to a folder others may write was not looked at
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    data.chmod(0o700)
    exports.rename(tmp_path / "old-exports")
    exports.symlink_to(shared)
    said = seminarbot("db", "check", "--db", str(elsewhere / "seminarbot.db"),
                      conf=conf).stdout.splitlines()
    assert [line for line in said if line.startswith("warning")] == [
        f"warning: {exports} (a link to {shared}) is mode 0777, open to others: chmod 700 "
        f"{shared}"], said


def test_files_a_person_names_must_be_regular_files(tmp_path: Path, db: Path) -> None:
    fifo = tmp_path / "named.fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as file:
        file.truncate(3_000_000)  # sparse: large without using the disk
    for args, said, status in (
        (("--config", str(fifo), "db", "check", "--db", str(db)),
         f"configuration error: {fifo}: cannot read the file (it is not a regular file", 2),
        (("--config", str(tmp_path), "db", "check", "--db", str(db)),
         "cannot read the file (it is a folder, not a file)", 2),
        (("--config", str(huge), "db", "check", "--db", str(db)),
         "cannot read the file (it is larger than 2,000,000 bytes)", 2),
        (("content", "ingest", str(fifo), "--text", "priestland-2002", "--db", str(db)),
         f"cannot read {fifo}: it is not a regular file", 1),
    ):
        result = seminarbot(*args)
        assert result.returncode == status, (args, result.stderr)
        assert said in one_line(result), args
    texts = tmp_path / "texts"
    texts.mkdir()
    os.mkfifo(texts / "copy.txt")  # not a copy of a text: passed over, never waited on
    checked = seminarbot("content", "check", "--texts", str(texts))
    assert checked.returncode == 1 and "no copy in" in checked.stdout


def test_an_export_never_goes_over_the_database(tmp_path: Path, db: Path) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(db)
    before = db.read_bytes()
    for out, via in ((db, db), (Path(f"{db}-wal"), db), (db, link), (Path(f"{db}.lock"), db),
                     (Path(f"{db}.lock"), link)):
        result = seminarbot("export", "--db", str(via), "--cohort", "1", "--format", "csv",
                            "--out", str(out), "--force")
        assert result.returncode == 1
        assert one_line(result).startswith(f"seminarbot: {out} is the database")
    assert db.read_bytes() == before


def test_force_never_replaces_another_database_or_its_files(tmp_path: Path, db: Path) -> None:
    """helper-140's 3: --force replaced another seminar's live database, and its lock, with a
    CSV file; whichever database it is, SQLite's or the bot's files beside one are no export's."""
    other = tmp_path / "other.db"
    other.write_bytes(db.read_bytes())
    for out in (other, Path(f"{other}.lock"), Path(f"{other}-wal"), Path(f"{other}-journal"),
                tmp_path / "x.console-posts", tmp_path / "heartbeat"):
        out.touch()
        before = out.read_bytes()
        result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                            "--out", str(out), "--force")
        assert result.returncode == 1, (out, result.stderr)
        said = one_line(result)
        assert "never replaces one, even with --force" in said if out == other else \
            "SQLite or seminarbot keeps beside a database" in said, said
        assert out.read_bytes() == before
    # Nor is a new file named so (helper-144's 13: the next start deleted `x.db-journal`)
    for name in ("fresh.db-journal", "fresh.db.lock", "fresh.db-wal"):
        result = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                            "--out", str(tmp_path / name))
        assert result.returncode == 1 and not (tmp_path / name).exists(), result.stderr


def test_an_export_or_a_backup_is_never_a_file_the_bot_keeps_beside_its_database(
        tmp_path: Path, db: Path) -> None:
    """Written there, it would be replaced (the lock, the console's journal and clock) or read
    as something it is not, and deleted (SQLite's -journal): a lost backup said to be made."""
    for suffix in ("-journal", "-wal", "-shm", ".lock", ".console-posts", ".console-clock"):
        out = Path(f"{db}{suffix}")
        before = out.read_bytes() if out.exists() else None
        backup = seminarbot("db", "backup", str(out), "--db", str(db))
        exported = seminarbot("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                              "--out", str(out))
        for result in (backup, exported):
            assert result.returncode == 1, (suffix, result.stdout, result.stderr)
            assert one_line(result).startswith(f"seminarbot: {out} is the database or one of "
                                               "its files")
        if suffix != ".lock":  # the commands' own lock, taken and let go
            assert (out.read_bytes() if out.exists() else None) == before, suffix
    # Named through a link to the database, whose -wal and -shm are the real file's
    link = tmp_path / "link.db"
    link.symlink_to(db)
    for suffix in ("-wal", "-shm", "-journal"):
        out = Path(f"{db}{suffix}")
        for command in (("db", "backup", str(out)),
                        ("export", "--cohort", "1", "--format", "csv", "--out", str(out),
                         "--force")):
            result = seminarbot(*command, "--db", str(link))
            assert result.returncode == 1 and "is the database or one of its files" in \
                one_line(result), (suffix, command, result.stderr)


async def test_files_the_console_cannot_save_are_said_and_the_console_goes_on(
        console: ConsoleDriver, app: Services) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    await console.say("/seminar respond 1.1 Councils first.")
    folder = app.settings.data_dir / "exports"
    folder.mkdir()
    with read_only(folder):
        said = await console.say("/seminar export csv")
    # Its lines fit the console's width: where they break depends on the folder's length.
    words = " ".join(said.split())
    assert f"✗ The reply's files could not be saved in {folder}" in words
    assert "none was written" in words and list(folder.iterdir()) == []
    # Not the reply too: its "✓ Export ready" and "[file] …" would say the opposite.
    assert "[file]" not in said and "✓" not in said, said
    assert "Simulated time" in await console.say("/clock")


def _small_disk() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))  # disk, instead of killing us


def test_a_backup_onto_a_full_disk_leaves_nothing(tmp_path: Path, db: Path) -> None:
    target = tmp_path / "copy.db"
    result = subprocess.run([*BIN, "db", "backup", str(target), "--db", str(db)],
                            capture_output=True, text=True, env=environment(),
                            preexec_fn=_small_disk, timeout=DEADLINE, check=False)
    assert result.returncode == 1
    # helper-166's 3: "(disk I/O error)", where an export names the limit
    assert one_line(result) == (f"seminarbot: the backup to {target} failed (cannot be written "
                                "past 16 kB, this process's file-size limit (ulimit -f); SQLite "
                                "reports disk I/O error); no file was left there")
    assert not target.exists() and not Path(f"{target}-journal").exists()


def test_names_from_a_platform_reach_the_terminal_harmless(tmp_path: Path, db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("UPDATE communities SET name = ?", ("\x1b]0;pwned\x07\x1b[2J" + "x" * 100,))
    conn.commit()
    conn.close()
    listed = seminarbot("cohorts", "--db", str(db))
    assert listed.returncode == 0
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    # Dropped as the write path drops them (domain/display.py `as_text`).
    assert "]0;pwned[2Jxxxx" in listed.stdout and "…" in listed.stdout


def test_a_backup_into_a_folder_it_may_not_write_is_one_line(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        result = seminarbot("db", "backup", str(folder / "b.db"), "--db", str(db))
    assert result.returncode == 1
    assert one_line(result).startswith(f"seminarbot: cannot write the backup {folder / 'b.db'}: ")
    assert list(folder.iterdir()) == []


async def test_a_console_journal_with_lines_it_did_not_write_is_passed_over(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """`[1]` there made every scheduler pass fail with AttributeError, and posting stuck."""
    from seminarbot.adapters.console.poster import ConsolePoster

    journal = tmp_path / "c.db.console-posts"
    journal.write_text('[1]\n{"id": "x"}\n{"key": 5, "id": "y"}\n"text"\nnull\n{"key": "k"}\n'
                       '{"key": "k", "id": ["z"]}\n{"key": "k", "id": "console-k"}\n'
                       # Nested too deep, a number too long (RecursionError, ValueError: every
                       # pass failed on them), taken for torn lines.
                       + "[" * 100_000 + '\n{"key": ' + "1" * 5000 + "}\n")
    poster = ConsolePoster(lambda text: None, journal, 80)
    found = await poster.find_post("main", "k")
    assert found is not None and found.message_id == "console-k"
    assert await poster.find_post("main", "other") is None
    assert "holds 7 lines it did not write" in caplog.text


def _output_limit() -> None:
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


@pytest.mark.parametrize("form", ["csv", "jsonl", "markdown"])
def test_standard_output_cut_short_by_a_full_disk_is_no_success(tmp_path: Path,
                                                                form: str) -> None:
    """helper-127's 1: a write larger than Python's buffer, cut short by the disk, was answered
    with the count taken and no error: exit 0, "exported …", two thirds of the file gone."""
    db = tmp_path / "big.db"
    words = " ".join(f"word{n}" for n in range(1_500))  # some 13,000 characters
    script = "".join(f"/as reader{n}\n/seminar respond 1.1 {words}\n" for n in range(30))
    made = seminarbot("console", "--db", str(db), "--clock", "2026-01-05T09:00Z",
                      conf=config(tmp_path), stdin="/seminar setup tue 19:00 Europe/London\n"
                      "/seminar post\n" + script)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "out"
    with out.open("wb") as file:
        result = subprocess.run(
            [*BIN, "export", "--db", str(db), "--cohort", "1", "--format", form, "--out", "-"],
            stdout=file, stderr=subprocess.PIPE, text=True, env=environment(),
            preexec_fn=_output_limit, timeout=DEADLINE, check=False)
    assert out.stat().st_size == 100_000
    assert (result.returncode, one_line(result)) == (
        1, "seminarbot: writing to standard output failed (File too large); the export is "
           "incomplete")


class _CutShort:
    """Standard output as Python's buffered writer is to a nearly full disk (helper-127's 1):
    a write takes part and says how much, raising nothing; the next one raises."""

    def __init__(self, room: int) -> None:
        self.room = room

    def write(self, data: Any) -> int:
        if not self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = min(self.room, len(data))
        self.room -= taken
        return taken

    def flush(self) -> None:
        pass


class _Output:
    """A text stream over it, as sys.stdout is over its buffer (TextIOWrapper ignores the
    count its buffer answers)."""

    encoding, errors = "utf-8", "strict"

    def __init__(self, buffer: _CutShort) -> None:
        self.buffer, self.pending = buffer, ""

    def write(self, text: str) -> int:
        self.pending += text
        return len(text)

    def flush(self) -> None:
        self.buffer.write(self.pending.encode())
        self.pending = ""


def test_the_console_s_replies_cut_short_are_an_error_not_a_silent_loss() -> None:
    from seminarbot.adapters.console.session import Console

    console = Console.__new__(Console)  # only its printing, which needs a width
    console.out, console.width = _Output(_CutShort(100)), 100  # type: ignore[assignment]
    with pytest.raises(OSError) as raised:
        console.emit("x" * 300)
    assert raised.value.errno == errno.ENOSPC


def test_a_console_whose_output_is_closed_leaves_its_posts_to_the_next_start(
        tmp_path: Path) -> None:
    """helper-129's 5: the console's output closed (`| head -2`) while `/clock advance` posted
    prompts: each post was taken for a fault of the bot's, marked failed and never retried."""
    db = tmp_path / "p.db"
    script = "/seminar setup tue 19:00 Europe/London\n/clock advance 11h\n" + "".join(
        f"/seminar respond 1.1 a{n}\n" for n in range(50))
    command = [*BIN, "console", "--db", str(db), "--clock", "2026-12-01T09:00Z"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=environment()) as console:
        assert console.stdin is not None and console.stdout is not None
        console.stdin.write(script.encode())  # within a pipe's buffer
        console.stdin.close()
        console.stdout.readline()  # "✓ Seminar set up", then nobody reads
        console.stdout.close()
        console.wait(timeout=DEADLINE)
        assert console.stderr is not None
        said = console.stderr.read()
    assert console.returncode == 1
    assert said.decode().strip().splitlines() == [
        "seminarbot: writing to standard output failed (Broken pipe)"]
    with sqlite3.connect(db) as conn:
        failed = conn.execute("SELECT count(*) FROM outbox WHERE state = 'failed'").fetchone()
    assert failed == (0,)
    again = seminarbot("console", "--db", str(db), "--clock", "2026-12-01T20:00Z",
                       stdin="/seminar schedule\n")
    assert again.returncode == 0 and "1.1" in again.stdout  # shown at the next start


HALTED = """
import asyncio, os, sys
import aiosqlite
from seminarbot.storage.db import Database

async def main() -> None:
    db = await Database.open(sys.argv[1], migrate=False)
    async def dies(self, target, **kwargs):
        await target.execute("CREATE TABLE half (x)")  # a page of the copy written
        await target.commit()
        os._exit(9)  # a stop that could not wait for a slow disk
    aiosqlite.Connection.backup = dies
    await db.backup(sys.argv[2])

asyncio.run(main())
"""


def test_a_backup_ended_mid_copy_leaves_nothing_where_it_was_going(
        tmp_path: Path, db: Path) -> None:
    """helper-144's 12: a process ended mid-copy left a half copy (and its journal) at the
    target, and every later backup there was refused: "exists"."""
    target = tmp_path / "bk.db"
    halted = subprocess.run([sys.executable, "-c", HALTED, str(db), str(target)],
                            env=environment(), timeout=DEADLINE, check=False)
    assert halted.returncode == 9
    assert not target.exists() and not Path(f"{target}-journal").exists()
    left = [path for path in tmp_path.iterdir() if path.name.startswith(".bk.db.")]
    assert [path.name for path in tmp_path.glob(".bk.db.*.partial")]  # the half copy, hidden
    result = seminarbot("db", "backup", str(target), "--db", str(db))
    assert result.returncode == 0, result.stderr
    # Fresh, it may be another backup's to the same name, going on now (helper-150's 8: it
    # failed when this one removed it); once no one has written it for a minute, the next
    # backup there removes it: a copy of the participants' words (helper-145).
    assert all(path.exists() for path in left)
    for path in left:
        os.utime(path, (time.time() - 120, time.time() - 120))
    target.unlink()
    result = seminarbot("db", "backup", str(target), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".bk")) == []


def test_an_export_without_force_never_replaces_a_file_made_while_it_ran(tmp_path: Path) -> None:
    """helper-150's 2: a file made at --out while an export ran (another export, a person) was
    replaced without --force."""
    from seminarbot.cli.export_target import Destination, Refused

    target = tmp_path / "x.csv"
    for made_at in ("check", "keep"):
        partial = tmp_path / ".x.csv.partial"
        with partial.open("wb") as file:
            file.write(b"the export")
            destination = Destination(file, partial, target, force=False)
            if made_at == "check":
                target.write_bytes(b"precious")
            else:
                destination.check()
                target.write_bytes(b"precious")  # between the check and putting it in place
            if made_at == "check":
                with pytest.raises(Refused, match="exists; choose a new file or add --force"):
                    destination.check()
            else:
                with pytest.raises(FileExistsError, match="put there meanwhile; choose a new"):
                    destination.keep()
        assert target.read_bytes() == b"precious", made_at
        target.unlink()
        partial.unlink()
    with partial.open("wb") as file:  # and with --force, or into a free name, it is put there
        file.write(b"the export")
        target.write_bytes(b"old")
        Destination(file, partial, target, force=True).keep()
    assert target.read_bytes() == b"the export" and not partial.exists()
    with partial.open("wb") as file:
        file.write(b"new")
        Destination(file, partial, tmp_path / "free.csv", force=False).keep()
    assert (tmp_path / "free.csv").read_bytes() == b"new" and not partial.exists()


def test_an_export_removes_what_a_killed_export_to_the_same_file_left(
        tmp_path: Path, db: Path) -> None:
    """helper-150's 9, helper-151's 4: a killed export left its hidden partial file (the
    participants' words) for good; a fresh one may be another export's, going on now."""
    stale, fresh = tmp_path / ".out.csv.k1ll3d__.partial", tmp_path / ".out.csv.l1v3____.partial"
    for partial in (stale, fresh):
        partial.write_text("words")
    os.utime(stale, (time.time() - 120, time.time() - 120))
    result = export_to(db, str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    assert not stale.exists() and fresh.exists()


def test_a_backup_never_takes_in_what_another_database_left_at_its_name(
        tmp_path: Path, db: Path) -> None:
    """helper-152's 1: a stale -journal or -wal beside the backup's new name was rolled into
    the copy at its first open (a damaged or altered backup, "backed up")."""
    for side in ("-journal", "-wal"):
        target = tmp_path / f"b{side}.db"
        Path(f"{target}{side}").write_bytes(b"another database's")
        result = seminarbot("db", "backup", str(target), "--db", str(db))
        assert (result.returncode, not target.exists()) == (1, True), result.stderr
        assert f"is not there, but {target.name}{side} is" in one_line(result)


def test_long_names_db_check_lines_and_a_stop_are_said_whole(tmp_path: Path, db: Path) -> None:
    """helper-152's 10, 12: a file name holding an escape sequence reached the terminal raw
    from db check; an export to a legal 240-byte name failed, its partial file's name too
    long."""
    long = tmp_path / ("m" * 240 + ".md")
    result = export_to(db, str(long))
    assert result.returncode == 0 and long.exists(), result.stderr
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    odd = data / "e\x1b[31mRED\nx"
    odd.write_text("")
    odd.chmod(0o644)
    checked = seminarbot("db", "check", "--db", str(db), env=environment(
        SEMINARBOT_DATA_DIR=str(data)))
    warning = [line for line in checked.stdout.splitlines() if "e␛[31mRED" in line]
    assert len(warning) == 1 and "\x1b" not in checked.stdout, checked.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="gives files to another user")
def test_db_check_says_who_may_replace_the_data_directory_and_whose_files_are_open(
        tmp_path: Path) -> None:
    """helper-187's 11: a data directory in a folder others may write (no sticky bit) was not
    said; a link to another user's folder was told `chmod 700`, which left that user its
    writes; another user's file was told a chmod this user may not make."""
    shared = tmp_path / "shared"
    shared.mkdir()
    data = shared / "data"
    conf = tmp_path / "seminarbot.yaml"
    conf.write_text(f"data_dir: {data}\n")
    assert seminarbot("db", "migrate", conf=conf).returncode == 0
    shared.chmod(0o777)
    other = os.getuid() + 1
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o755)
    os.chown(theirs, other, -1)
    (data / "exports").symlink_to(theirs)
    (data / "left.csv").write_text("words")
    (data / "left.csv").chmod(0o644)
    os.chown(data / "left.csv", other, -1)
    said = [line for line in seminarbot("db", "check", conf=conf).stdout.splitlines()
            if line.startswith("warning")]
    assert said == [
        f"warning: {shared} is mode 0777: others may rename or replace the data directory "
        f"{data} in it: chmod go-w {shared}",
        f"warning: {data / 'exports'} (a link to {theirs}) is mode 0755 and another user's "
        f"(uid {other}), open to them and others: point {data / 'exports'} at a folder of "
        "this user's",
        f"warning: {data / 'left.csv'} is mode 0644 and another user's (uid {other}), open to "
        f"others: chown {os.getuid()}:{os.getgid()} {data / 'left.csv'} && chmod 600 "
        f"{data / 'left.csv'} (as root)"], said
    shared.chmod(0o1777)  # /tmp's sticky bit: others may not rename what is not theirs
    assert not [line for line in seminarbot("db", "check", conf=conf).stdout.splitlines()
                if str(shared) + " is mode" in line]
