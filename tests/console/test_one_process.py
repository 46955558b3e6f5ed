"""One process per database: a second writer is refused at once, naming the first one's pid;
read-only commands work beside it; the lock goes with its holder, however it ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.console.test_cli import BIN, cli

CLOCK = "2026-01-05T09:00Z"


def start_console(db: Path) -> subprocess.Popen[str]:
    """A console left running: its standard input stays open until the test closes it."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    process = subprocess.Popen([*BIN, "console", "--db", str(db), "--clock", CLOCK],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/seminar setup tue 19:00 UTC\n")
    process.stdin.flush()
    assert "Seminar set up" in process.stdout.readline()  # up, and holding the lock
    return process


@pytest.fixture
def first(tmp_path: Path):  # type: ignore[no-untyped-def]
    process = start_console(tmp_path / "s.db")
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()


def test_a_second_writer_is_refused_and_readers_work_beside_the_first(
        tmp_path: Path, first: subprocess.Popen[str]) -> None:
    db = str(tmp_path / "s.db")
    for args in (["console", "--db", db, "--clock", CLOCK], ["run"], ["db", "migrate", "--db", db]):
        # A platform configured (never reached): `run` with none and no terminal is refused
        # before any lock.
        env = {"SEMINARBOT_DB": db, "DISCORD_TOKEN": "never.used"} if args == ["run"] else None
        refused = cli(*args, stdin="/seminar setup wed 10:00 UTC\n", env=env)
        assert refused.returncode == 1, (args, refused.stderr)
        assert refused.stderr.strip() == (
            f"seminarbot: another seminarbot (pid {first.pid} on {socket.gethostname()}) is "
            f"using {db}; stop it first, or "
            "use another --db (read-only commands such as `db check`, `cohorts` and `export` "
            "work beside it)"), args
        assert refused.stdout == ""  # nothing was done
    assert cli("db", "check", "--db", db).returncode == 0
    listed = cli("cohorts", "--db", db)
    assert listed.returncode == 0 and "console" in listed.stdout
    assert first.stdin is not None
    first.stdin.close()  # the first console ends at the end of its input
    assert first.wait(timeout=30) == 0
    after = cli("console", "--db", db, "--clock", CLOCK, stdin="/seminar schedule\n")
    assert after.returncode == 0 and "Tuesdays at 19:00 UTC" in after.stdout


def test_the_lock_goes_with_a_killed_holder(tmp_path: Path,
                                            first: subprocess.Popen[str]) -> None:
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    after = cli("console", "--db", str(tmp_path / "s.db"), "--clock", CLOCK,
                stdin="/seminar schedule\n")
    assert after.returncode == 0, after.stderr


def test_other_names_and_a_deleted_lock_file_do_not_get_round_the_lock(
        tmp_path: Path, first: subprocess.Popen[str]) -> None:
    db = tmp_path / "s.db"
    lock = tmp_path / "s.db.lock"
    exported = cli("export", "--db", str(db), "--cohort", "1", "--format", "csv",
                   "--out", str(lock), "--force")
    assert exported.returncode == 1 and "is the database or one of its files" in exported.stderr
    (tmp_path / "alias.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    for name in ("alias.db", "hard.db", "s.db"):
        if name == "s.db":
            lock.unlink()  # the file lock on the database itself still holds
        refused = cli("console", "--db", str(tmp_path / name), "--clock", CLOCK,
                      stdin="/seminar setup wed 10:00 UTC\n")
        assert refused.returncode == 1, (name, refused.stderr)
        assert "is using" in refused.stderr and refused.stdout == "", name
    assert not (tmp_path / "hard.db.lock").exists()  # a refused process leaves nothing


def test_two_bots_may_not_share_a_data_directory(tmp_path: Path) -> None:
    from seminarbot.storage.lock import data_dir_lock

    shared = tmp_path / "shared"
    shared.mkdir()
    with data_dir_lock(shared):  # as a `run` on shared/a.db holds it
        refused = cli("run", env={"SEMINARBOT_DATA_DIR": str(shared), "DISCORD_TOKEN": "x.y",
                                  "SEMINARBOT_DB": str(shared / "b.db")})
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.strip() == (
        f"seminarbot: another `seminarbot run` is using the data directory {shared} (its "
        "Matrix store and heartbeat); stop it first, or give each bot its own data_dir")


def test_a_refused_run_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "dd"
    refused = cli("run", env={"SEMINARBOT_DATA_DIR": str(data)})
    assert refused.returncode == 2 and "no platform is configured" in refused.stderr
    assert not data.exists()
