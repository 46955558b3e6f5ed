"""`seminarbot run` connects to Discord while the services open (services.opening): what the
gateway brings meanwhile is held, not handled, and is handled once they are open, in the order it
came (client.SeminarClient.dispatch)."""

from __future__ import annotations

import asyncio

import pytest

from seminarbot.adapters.discord import run as run_discord
from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from seminarbot.services.opening import Opening
from tests.discord_adapter.conftest import WAIT, eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import FakeDiscord


async def test_what_arrives_before_the_services_open_is_handled_after_in_order(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await bot.close()
    opening = Opening(app.settings, app.connections)  # the services not yet open
    running = asyncio.create_task(run_discord(opening))
    try:
        await eventually(lambda: fake.gateway.identifies == 2)
        for n in range(3):
            await fake.say("bob", thread, f"Written while the bot starts, {n}.")
        asked = await fake.send_slash("ann", "help")
        await asyncio.sleep(0.5)
        assert await rows(app) == [] and not asked.answered.is_set()  # held, not handled

        opening.opened(app)
        await asyncio.wait_for(asked.answered.wait(), WAIT)
        await eventually(lambda: response_count_is(app, 3))
        assert [row[2] for row in await rows(app)] == [
            f"Written while the bot starts, {n}." for n in range(3)]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert not fake.gateway.sockets


async def test_a_stop_the_connection_does_not_hear_still_ends_it(
        bot: SeminarClient, fake: FakeDiscord, app: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py can lose a cancellation in its handshake (asyncio.wait_for on Python 3.11
    drops one that comes as the call it waits on completes: a SIGTERM 0.3 s into `seminarbot
    run` waited 20 s, about one start in twenty). The stop closes the client instead."""
    await bot.close()
    connect, close, closed = SeminarClient.connect, SeminarClient.close, asyncio.Event()

    async def deaf(self: SeminarClient, *, reconnect: bool = True) -> None:
        try:
            await connect(self, reconnect=reconnect)
        except asyncio.CancelledError:  # lost, as in that race: it ends when the client closes
            await closed.wait()

    async def closing(self: SeminarClient) -> None:
        closed.set()
        await close(self)

    monkeypatch.setattr(SeminarClient, "connect", deaf)
    monkeypatch.setattr(SeminarClient, "close", closing)
    running = asyncio.create_task(run_discord(Opening(app.settings, app.connections)))
    await eventually(lambda: fake.gateway.identifies == 2)
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=WAIT)
    assert running in done, "the stop waited on a connection that did not hear it"
    assert running.cancelled()
    await eventually(lambda: not fake.gateway.sockets)
