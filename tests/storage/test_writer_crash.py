"""The group-commit writer killed in the middle: every acknowledged reply is there, a batch is
all or nothing, and replaying every reply afterwards stores each missing one once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.core.invocation import Actor
from seminarbot.domain.responses import Outcome
from seminarbot.services.responses import InboundMessage, record_message

REPLIES = 20_000
START = datetime(2026, 1, 5, 9, tzinfo=UTC)

CHILD = """
import asyncio, os, sys, time
from datetime import UTC, datetime
from pathlib import Path
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.core.dispatch import run_line
from seminarbot.core.invocation import Actor, Place
from seminarbot.services.responses import InboundMessage, record_message
from seminarbot.scheduling.poster import PostedRef
from seminarbot.storage.response_writer import ResponseWriter

class Poster:
    platform = "console"
    async def post_prompt(self, post):
        return PostedRef(f"post-{post.prompt_ref}", f"thread-{post.prompt_ref}")
    async def find_post(self, channel_id, key):
        return None
    async def notify_moderators(self, cohort, message):
        return True
    async def read_back(self, cohort, thread_id):
        return None

write_rows = ResponseWriter._write_rows
def slow_write_rows(self, conn, batch):
    outcomes = write_rows(self, conn, batch)
    time.sleep(0.05)  # rows written, not yet committed: where a kill hurts most
    return outcomes
ResponseWriter._write_rows = slow_write_rows

async def main():
    folder, replies = Path(sys.argv[1]), int(sys.argv[2])
    app = await open_services(Settings(data_dir=folder, database=folder / "core.db"),
                              ManualClock(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    app.scheduler.attach(Poster())
    mod = Actor("console", "console:mod", "mod", is_moderator=True)
    place = Place("console", "crash", "seminar")
    await run_line(app, "seminar setup tue 19:00 UTC", mod, place)
    await run_line(app, "seminar post 1", mod, place)
    thread = await app.db.scalar("SELECT thread_id FROM outbox WHERE state = 'posted'"
                                 " ORDER BY id LIMIT 1")
    os.write(1, f"thread {thread}\\n".encode())

    async def reply(n):
        author = Actor("console", f"u{n % 50}", f"person {n % 50}")
        await record_message(app, InboundMessage("console", f"m{n}", author, f"reply {n}",
                                                 app.clock.now(), thread_id=thread))
        os.write(1, f"acked m{n}\\n".encode())  # only once its commit is on disk

    await asyncio.gather(*(reply(n) for n in range(replies)))
    os.write(1, b"finished\\n")

asyncio.run(main())
"""


def _run_and_kill(folder: Path) -> tuple[str, set[str]]:
    """Start the child, kill it once three batches are acknowledged; its thread and acks."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(REPLIES)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    thread, acked = "", set()
    for line in child.stdout:
        word, _, value = line.strip().partition(" ")
        if word == "thread":
            thread = value
        elif word == "acked":
            acked.add(value)
            if len(acked) == 3000:
                os.kill(child.pid, signal.SIGKILL)
        assert word != "finished", "the child finished before it could be killed"
    assert child.wait(timeout=60) == -signal.SIGKILL
    return thread, acked


async def test_a_killed_writer_loses_no_acknowledged_reply_and_a_replay_doubles_none(
        tmp_path: Path) -> None:
    thread, acked = _run_and_kill(tmp_path)
    conn = sqlite3.connect(tmp_path / "core.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in conn.execute("SELECT message_id FROM responses")}
    finally:
        conn.close()
    assert acked <= stored  # an acknowledgement means the reply is durable
    assert len(stored) < REPLIES  # the kill came before the end
    assert len(stored) % 1000 == 0  # whole batches only (the writer commits 1,000 at a time)

    # Back up again, the platform delivers everything once more (a backfill, a replay).
    app = await open_services(Settings(data_dir=tmp_path, database=tmp_path / "core.db"),
                              ManualClock(START))
    try:
        outcomes = await asyncio.gather(*(record_message(app, InboundMessage(
            "console", f"m{n}", Actor("console", f"u{n % 50}", f"person {n % 50}"),
            f"reply {n}", START, thread_id=thread)) for n in range(0, REPLIES, 7)))
        sampled = {f"m{n}" for n in range(0, REPLIES, 7)}
        assert outcomes.count(Outcome.UNCHANGED) == len(sampled & stored)
        assert outcomes.count(Outcome.CREATED) == len(sampled - stored)
        assert await app.db.scalar("SELECT COUNT(*) FROM responses") == len(stored | sampled)
        assert await app.db.scalar(
            "SELECT COUNT(DISTINCT message_id) = COUNT(*) FROM responses") == 1
    finally:
        await app.close()
