"""The one-process lock is never skipped: a `<database>.lock` this user cannot open refuses
`run`, `console` and `db migrate` in one line naming the lock file, why and the fix, exit 2,
and nothing is written (README: Command line, One process per database)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.failpaths.support import config, environment, one_line, read_only, seminarbot


@pytest.mark.parametrize("command", [("console",), ("run",), ("db", "migrate")])
def test_a_lock_file_this_user_cannot_open_refuses_the_start(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "s.db"
    lock = tmp_path / "s.db.lock"
    lock.write_text("")
    env = environment(SEMINARBOT_DB=str(db), DISCORD_TOKEN="never.used.token",
                      DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
                      DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    with read_only(lock):
        result = seminarbot(*command, stdin="/seminar setup tue 19:00 UTC\n",
                            conf=config(tmp_path), env=env)
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert line.startswith(f"seminarbot: the lock {lock} for {db} cannot be opened ("), line
    assert "a second seminarbot could use the same database" in line
    assert f"uid {os.getuid()}" in line and "remove the lock file" in line, line
    assert not db.exists() and result.stdout == ""


def test_a_refusal_names_the_host_of_the_holder(tmp_path: Path) -> None:
    """In a container the holder's pid is always 1: its host name (the container's id) says
    which one holds the database."""
    from seminarbot.storage.lock import exclusive

    db = tmp_path / "s.db"
    with exclusive(db):
        result = seminarbot("db", "migrate", "--db", str(db))
    assert result.returncode == 1
    assert one_line(result).startswith(
        f"seminarbot: another seminarbot (pid {os.getpid()} on {os.uname().nodename}) is using")


def test_a_lock_file_replaced_under_its_holder_names_no_one(tmp_path: Path) -> None:
    """helper-129's 15: a file moved over the running holder's lock file was read as the
    holder: the refusal named a pid and host that were never there."""
    from seminarbot.storage.lock import exclusive

    db = tmp_path / "s.db"
    with exclusive(db):
        moved = tmp_path / "moved"
        moved.write_text("pid 4242 on somewhere.else\n")
        moved.replace(tmp_path / "s.db.lock")
        result = seminarbot("db", "migrate", "--db", str(db))
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"seminarbot: another seminarbot is using {db}; stop it first"), line
    assert "4242" not in line


@pytest.mark.parametrize("what", ["link", "hard link", "fifo", "folder"])
def test_a_lock_that_is_not_a_regular_file_is_never_written_through(
        tmp_path: Path, what: str) -> None:
    """The record is written over at each start: a link there (to a file of this user's)
    would have it written into that file, a FIFO would hold the open. helper-179's 4: a hard
    link was written through."""
    conf = config(tmp_path)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    lock, victim = data / "seminarbot.db.lock", tmp_path / "victim"
    victim.write_text("untouched")
    {"link": lambda: lock.symlink_to(victim), "fifo": lambda: os.mkfifo(lock),
     "folder": lock.mkdir, "hard link": lambda: lock.hardlink_to(victim)}[what]()
    result = seminarbot("console", conf=conf, stdin="/term soviet\n")
    assert result.returncode == 2, result.stderr
    kind = {"link": "a symbolic link", "hard link": "a hard link to another file"}.get(
        what, "not a regular file")
    assert one_line(result) == (f"seminarbot: the lock {lock} for {data / 'seminarbot.db'} "
                                f"cannot be used (it is {kind}); remove it while no seminarbot "
                                "runs")
    assert victim.read_text() == "untouched"
