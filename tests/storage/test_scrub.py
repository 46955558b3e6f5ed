"""Erased words leave no copy in the database's files (storage/scrub.py): after a forget-me, a
deleted message, a withdrawn edit or a retention sweep, the write-ahead log no longer holds the
words, while the bot goes on running. Before, the log kept them for as long as the bot ran."""

from __future__ import annotations

import re
import sqlite3
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


async def test_a_log_in_use_is_truncated_after_the_next_change(
        console: ConsoleDriver, app: Services, clock: ManualClock, tmp_path: Path) -> None:
    """Another connection reading from the log (an export's) keeps it from being truncated:
    the erasure is committed all the same, and the log is truncated after the next change."""
    await _written(console, app, clock)
    reader = sqlite3.connect(tmp_path / "seminar.db")
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM responses").fetchone()  # a snapshot held
        await _delete(console, app, clock)
        assert await app.db.scalar("SELECT body FROM responses") == ""
        assert holding(tmp_path, WORDS)  # still in the log the reader uses
        reader.rollback()
    finally:
        reader.close()
    await console.say("/seminar pause")
    assert holding(tmp_path, WORDS) == []
