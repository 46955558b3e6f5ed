"""`seminarbot run` connects to Discord while the services open (services.opening): what the
gateway brings meanwhile is held, not handled, and is handled once they are open, in the order it
came (client.SeminarClient.dispatch)."""

from __future__ import annotations

import asyncio

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
