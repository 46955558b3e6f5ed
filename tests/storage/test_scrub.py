"""Erased words leave no copy in the database's files (storage/scrub.py): after a forget-me, a
deleted message, a withdrawn edit or a retention sweep, the write-ahead log no longer holds the
words, while the bot goes on running. Before, the log kept them for as long as the bot ran."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from seminarbot.services.responses import (
    InboundMessage,
    record_delete,
    record_edit,
    record_message,
    record_redaction,
)
from seminarbot.storage.db import Database
from tests.conftest import ConsoleDriver
from tests.discussion import BOB

WORDS = "ZEBRAQUARTZ"  # in no file of the bot but where bob's response puts it
EDITED = "OKAPIFLINT"  # what an edit gave


def holding(folder: Path, words: str) -> list[str]:
    """The files under `folder` whose bytes hold `words` (UTF-8)."""
    return sorted(path.name for path in folder.rglob("*")
                  if path.is_file() and words.encode() in path.read_bytes())


async def _written(console: ConsoleDriver, app: Services, clock: ManualClock) -> str:
    """bob's response in session 1's first thread (message "m1"), edited once ("e1"); the
    thread's id."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post 1")
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    await record_message(app, InboundMessage("console", "m1", BOB, f"{WORDS} first",
                                             clock.now(), thread_id=thread))
    clock.advance(timedelta(minutes=1))
    await record_edit(app, "console", "m1", f"{EDITED} second", clock.now(), edit_id="e1")
    return thread


async def _forget(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/as bob")
    ask = await console.say("/seminar forget-me")
    code = re.search(r"forget-me ([A-Z0-9]{6}) within", ask)
    assert code, ask
    assert "Forgotten" in await console.say(f"/seminar forget-me {code.group(1)}")


async def _delete(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await record_delete(app, "console", "m1", clock.now())


async def _sweep(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar retention 1")
    clock.advance(timedelta(days=2))
    await app.scheduler.run_due()
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


Erasure = Callable[[ConsoleDriver, Services, ManualClock], Awaitable[None]]


@pytest.mark.parametrize("erase", [_forget, _delete, _sweep], ids=["forget-me", "deleted",
                                                                   "retention"])
async def test_erased_words_are_in_no_file_while_the_bot_runs(
        console: ConsoleDriver, app: Services, clock: ManualClock, tmp_path: Path,
        erase: Erasure) -> None:
    await _written(console, app, clock)
    assert holding(tmp_path, WORDS)  # the log holds them, as it should before
    await erase(console, app, clock)
    assert holding(tmp_path, WORDS) == [] and holding(tmp_path, EDITED) == []
    await console.say("/seminar schedule")  # the bot carries on
    assert await app.db.scalar("SELECT COUNT(*) FROM cohorts") == 1


async def test_a_withdrawn_edit_leaves_no_copy_of_what_it_gave(
        console: ConsoleDriver, app: Services, clock: ManualClock, tmp_path: Path) -> None:
    """A Matrix edit redacted: the text it gave is erased, the version before it stays."""
    await _written(console, app, clock)
    assert holding(tmp_path, EDITED)
    await record_redaction(app, "console", "e1", clock.now())
    assert holding(tmp_path, EDITED) == []
    assert WORDS in (await app.db.scalar("SELECT body FROM responses"))


async def _held_while_erasing(console: ConsoleDriver, app: Services, clock: ManualClock,
                              database: Path) -> None:
    """bob's response written, then deleted while another connection reads from the log (an
    export's): the erasure is committed all the same, and the log still holds the words."""
    await _written(console, app, clock)
    reader = sqlite3.connect(database)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM responses").fetchone()  # a snapshot held
        await _delete(console, app, clock)
        assert await app.db.scalar("SELECT body FROM responses") == ""
        assert holding(database.parent, WORDS)  # still in the log the reader uses
        reader.rollback()
    finally:
        reader.close()


async def _someone_writes(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """A response through the response writer's connection (helper-142's 2: only the main
    connection's commits tried again)."""
    thread = str((await app.outbox.for_cohort(1))[0].thread_id)
    await record_message(app, InboundMessage("console", "m2", BOB, "Other words.", clock.now(),
                                             thread_id=thread))
    for _ in range(50):  # the writer asks for it after its commit, in a task of its own
        if not app.db.erasures.due:
            break
        await asyncio.sleep(0.01)


async def _a_pass(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await app.scheduler.run_due()  # within the hour, when nothing else is written


async def _a_command(console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    await console.say("/seminar pause")


@pytest.mark.parametrize("then", [_a_command, _someone_writes, _a_pass],
                         ids=["a command", "a response", "a scheduler pass"])
async def test_a_log_in_use_is_truncated_after_the_next_change(
        console: ConsoleDriver, app: Services, clock: ManualClock, tmp_path: Path,
        then: Erasure) -> None:
    await _held_while_erasing(console, app, clock, tmp_path / "seminar.db")
    await then(console, app, clock)
    assert holding(tmp_path, WORDS) == []


CRASH = """
import asyncio, os, sys
from seminarbot.storage.db import Database

async def main() -> None:
    db = await Database.open(sys.argv[1])
    await db.claim()
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM response_edits")
        await conn.execute("UPDATE responses SET body = '' WHERE message_id = 'm1'")
        db.erased()
    print("erased", flush=True)
    sys.stdin.readline()  # the test's reader lets go of the log; then the process dies
    os._exit(9)

asyncio.run(main())
"""


async def test_what_a_crash_left_in_the_log_is_truncated_at_the_next_start(
        console: ConsoleDriver, app: Services, clock: ManualClock, tmp_path: Path) -> None:
    """helper-142's 1: a truncation put off (a reader held the log), then a crash: the next
    run kept the words in the log for as long as it ran."""
    await _written(console, app, clock)
    database = tmp_path / "seminar.db"
    await app.close()
    reader = sqlite3.connect(database)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM responses").fetchone()
    crashing = subprocess.Popen([sys.executable, "-c", CRASH, str(database)],  # noqa: ASYNC220
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert crashing.stdout is not None and crashing.stdin is not None
        assert crashing.stdout.readline().strip() == "erased"
        reader.rollback()
        reader.close()
        crashing.stdin.write("\n")
        crashing.stdin.flush()
        assert crashing.wait(timeout=30) == 9
    finally:
        crashing.kill()
    assert holding(tmp_path, WORDS)  # the crash left them in the log
    db = await Database.open(database)
    try:
        await db.claim()
        assert holding(tmp_path, WORDS) == []
        # Not by the luck of where the start's own writes fell: the log is empty.
        assert (tmp_path / "seminar.db-wal").stat().st_size == 0
    finally:
        await db.close()
