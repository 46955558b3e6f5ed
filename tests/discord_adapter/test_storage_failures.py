"""A database that cannot be written under a running bot (here SQLite's own "database or disk
is full", through max_page_count) loses no reply: each waits and is saved once writes work
again, moderators hear of the outage and of its end, and a restart meanwhile reads them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from seminarbot.adapters.discord import bot as discord_bot
from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.cli import heartbeat
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is
from tests.discord_fake import FakeDiscord
from tests.failpaths.support import environment, seminarbot

LONG = "x" * 6000  # more than a page: each reply needs room the database does not have


def disk_full(app: Services, full: bool) -> None:
    """Cap (or uncap) the writer's database at the pages it has now: SQLITE_FULL for real."""
    conn = app.response_writer._connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages if full else 1_073_741_823}")


def moderator_notices(fake: FakeDiscord) -> list[str]:
    return [m["content"] for m in fake.messages_in(fake.world.seminar_channel)
            if m["content"].startswith("**For the moderators:**")]


def health(app: Services, folder: Path) -> tuple[int, str]:
    """`seminarbot health` on the heartbeat the running bot would write now."""
    folder.mkdir(exist_ok=True)
    heartbeat.write(folder / "heartbeat", **app.connections.beat())
    result = seminarbot("health", env=environment(SEMINARBOT_DATA_DIR=str(folder)))
    return result.returncode, result.stderr


async def test_replies_that_meet_a_full_disk_wait_and_are_saved_when_it_has_room(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("bob", thread, "Before the disk filled up.")
    await eventually(lambda: response_count_is(app, 1))
    bot.handlers.inbound.retry_delays = (0.05,)
    bot.handlers.inbound.watch.after = 0.3

    disk_full(app, True)
    for number in range(5):
        await fake.say("ann", thread, f"Reply {number}. {LONG}")
    await eventually(lambda: any("cannot be saved right now (the disk is full)" in notice
                                 for notice in moderator_notices(fake)))
    assert await response_count_is(app, 1)  # nothing half-saved meanwhile
    # `seminarbot health` fails while the replies cannot be saved (here since a manual clock's
    # time, long past), saying why; and passes again once they are.
    status, said = health(app, tmp_path)
    assert status == 1 and "the database has not taken writes for" in said, said
    assert "(the disk is full)" in said

    disk_full(app, False)
    await eventually(lambda: response_count_is(app, 6))
    await eventually(lambda: any("saved again" in notice for notice in moderator_notices(fake)))
    assert app.connections.database() == {"state": "writing"}
    assert health(app, tmp_path) == (0, "")
    bodies = [r[0] for r in await app.db.fetchall(
        "SELECT body FROM responses ORDER BY length(message_id), message_id")]
    assert [body[:8] for body in bodies[1:]] == [f"Reply {n}." for n in range(5)]
    assert len(moderator_notices(fake)) == 2  # one outage, one recovery: not one per retry
    caplog.clear()  # the outage was logged as an error, as it should be


async def test_a_restart_during_the_outage_reads_the_waiting_replies_back(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(discord_bot, "SHUTDOWN_GRACE", 0.2)
    first = await connect()
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("bob", thread, "Before.")
    await eventually(lambda: response_count_is(app, 1))
    first.handlers.inbound.retry_delays = (0.05,)

    disk_full(app, True)
    for number in range(3):
        await fake.say("ann", thread, f"Waiting {number}. {LONG}")
    await first.close()  # stopped with the replies still waiting: they were never saved
    assert await response_count_is(app, 1)

    disk_full(app, False)
    second = await connect()  # a new session: the catch-up starts at the last reply saved
    await eventually(lambda: second.handlers.catch_ups >= 1)
    await eventually(lambda: response_count_is(app, 4))
    caplog.clear()
