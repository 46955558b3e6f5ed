"""The database deleted or replaced under a running process: nothing more is acknowledged as
saved, the person is told, and `seminarbot run`'s heartbeat stops the bot."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from seminarbot.cli.heartbeat import beat
from seminarbot.domain.errors import StorageLost
from seminarbot.services.container import Services
from tests.conftest import ConsoleDriver


def database_files(app: Services) -> list[Path]:
    path = Path(app.db.path)
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


async def started(console: ConsoleDriver) -> None:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    assert "Recorded your response" in await console.say("/seminar respond 1.1 First words.")


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_nothing_is_acknowledged_once_the_file_is_gone(
        console: ConsoleDriver, app: Services, tmp_path: Path, how: str) -> None:
    await started(console)
    if how == "deleted":
        for path in database_files(app):
            path.unlink(missing_ok=True)
    else:
        other = tmp_path / "restored.db"
        sqlite3.connect(other).close()
        os.replace(other, app.db.path)
    for line in ("/seminar respond 1.2 Second words.", "/seminar pause", "/seminar optout"):
        said = " ".join((await console.say(line)).split())  # as one line, unwrapped
        assert "Recorded" not in said and "Paused" not in said and "Opted out" not in said
        assert "was deleted or replaced while seminarbot ran" in said, said
        assert "seminarbot must be restarted" in said


async def test_the_heartbeat_stops_the_bot_when_the_file_is_gone(
        app: Services, tmp_path: Path) -> None:
    pulse = tmp_path / "heartbeat"
    beating = asyncio.create_task(beat(pulse, app.db.check_identity, interval=0.01))
    await asyncio.sleep(0.05)
    assert not beating.done() and pulse.exists()
    Path(app.db.path).unlink()
    with pytest.raises(StorageLost):
        await asyncio.wait_for(beating, 5)


def overwrite_in_place(path: Path, content: bytes) -> None:
    """What cp does to an existing file: the same inode, new content."""
    with path.open("r+b") as file:
        file.write(content)
        file.truncate()


@pytest.mark.parametrize("backup", ["made before", "made by db backup just now"])
async def test_a_backup_copied_over_the_running_database_is_noticed(
        console: ConsoleDriver, app: Services, tmp_path: Path, backup: str) -> None:
    """`cp` keeps the inode: the stamp in the file's header tells the copy from our file, the
    write is refused, and closing leaves the copied file as it was (nothing checkpointed into
    it) and our log set aside."""
    copy = tmp_path / "backup.db"
    if backup == "made before":
        sqlite3.connect(copy).close()
        await started(console)
    else:
        await started(console)
        await app.db.backup(copy)
    copied = copy.read_bytes()
    overwrite_in_place(Path(app.db.path), copied)
    said = " ".join((await console.say("/seminar respond 1.2 Second words.")).split())
    assert "Recorded" not in said and "seminarbot must be restarted" in said, said
    await app.close()
    assert Path(app.db.path).read_bytes() == copied
    assert not Path(f"{app.db.path}-wal").exists()
    with sqlite3.connect(app.db.path) as reopened:
        assert reopened.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


async def test_a_write_ahead_log_deleted_under_the_running_process_is_noticed(
        console: ConsoleDriver, app: Services, caplog: pytest.LogCaptureFixture) -> None:
    """helper-127's 2: with the -wal deleted, replies were still acknowledged, written into a
    file nobody would read again: a crash then lost them all, confirmed ones too."""
    await started(console)
    log = Path(f"{app.db.path}-wal")
    assert log.exists()
    log.unlink()
    said = " ".join((await console.say("/seminar respond 1.2 Second words.")).split())
    assert "Recorded" not in said and f"{log} was deleted or replaced" in said, said
    assert "seminarbot must be restarted" in said
    # The operator's line names the file too, as the reply does (helper-132).
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(f"{log} was deleted or replaced" in line for line in errors), errors
    await app.close()  # as the process ends: SQLite copies its log into the file first
    with sqlite3.connect(app.db.path) as conn:
        texts = [text for (text,) in conn.execute("SELECT body FROM responses")]
    assert texts == ["First words."]


async def test_what_a_deleted_log_held_is_in_the_file_before_a_crash(
        console: ConsoleDriver, app: Services, tmp_path: Path) -> None:
    """helper-129's 4: the log deleted, the refusal said, then a crash (no close): every
    response acknowledged before, and the seminar itself, were gone. The log's contents are
    copied into the file when its deletion is noticed."""
    await started(console)
    Path(f"{app.db.path}-wal").unlink()
    said = " ".join((await console.say("/seminar respond 1.2 Second words.")).split())
    assert "seminarbot must be restarted" in said
    crashed = tmp_path / "as-left.db"  # the file as a crash leaves it: no close, no log
    crashed.write_bytes(Path(app.db.path).read_bytes())
    with sqlite3.connect(crashed) as conn:
        texts = [text for (text,) in conn.execute("SELECT body FROM responses")]
        cohorts = conn.execute("SELECT count(*) FROM cohorts").fetchone()[0]
    assert (texts, cohorts) == (["First words."], 1)


async def test_a_shared_memory_index_deleted_under_the_running_process_is_noticed(
        console: ConsoleDriver, app: Services) -> None:
    """helper-129's 10: with the -shm deleted, another process (an export) made a new one, and
    its audit rows were overwritten by this process's next writes."""
    await started(console)
    Path(f"{app.db.path}-shm").unlink()
    said = " ".join((await console.say("/seminar respond 1.2 Second words.")).split())
    assert "-shm was deleted or replaced" in said and "Recorded" not in said


async def test_a_log_deleted_while_nobody_types_is_copied_in_by_the_console_s_watch(
        console: ConsoleDriver, app: Services, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-131's 2: the console writes no heartbeat, so a log deleted while nobody typed
    was noticed only at the next write: a crash before it lost what was acknowledged."""
    from seminarbot.cli import console as console_command
    from seminarbot.cli import heartbeat

    monkeypatch.setattr(heartbeat, "INTERVAL_SECONDS", 0.01)
    await started(console)
    watch = asyncio.create_task(console_command._watched(app.db))
    Path(f"{app.db.path}-wal").unlink()
    await asyncio.wait_for(watch, 5)  # it ends once the file is lost, the log copied in
    crashed = tmp_path / "as-left.db"
    crashed.write_bytes(Path(app.db.path).read_bytes())
    with sqlite3.connect(crashed) as conn:
        assert [t for (t,) in conn.execute("SELECT body FROM responses")] == ["First words."]
