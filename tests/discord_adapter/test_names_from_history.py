"""A name read back from Discord's history never replaces the one a person has in the server
(issue 19's try-out try30, finding 2). Messages read through the REST API carry no `member`,
only the author's global name; before, every catch-up (after RESUMED as after READY) renamed
everyone it read back to that global name, so exports, statistics and look-ups by the name the
server knows stopped finding them until their next live message. A message first seen already
edited is recorded as edited (finding 3)."""

from __future__ import annotations

from datetime import timedelta

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import FakeDiscord


async def names(app: Services) -> set[str]:
    return {row[0] for row in await app.db.fetchall(
        "SELECT display_name FROM participant_names")}


async def test_catch_ups_keep_the_names_people_have_in_the_server(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    world = fake.world
    world.people["bob"].nicks[world.guild_id] = "Bobby"
    await fake.say("bob", thread, "In the thread.")
    await fake.say("bob", world.seminar_channel, "A reply in the channel.", reply_to=prompt)
    await eventually(lambda: response_count_is(app, 2))
    assert await names(app) == {"Bobby"}

    await fake.gateway.drop(resumable=True, hold=False)  # nothing missed: the channel re-read
    await eventually(lambda: bot.handlers.catch_ups == 2)
    await fake.gateway.drop(resumable=False, hold=True)  # a new session: threads re-read
    clock.advance(timedelta(minutes=5))
    await fake.say("bob", thread, "Written while the bot was away.")
    await fake.say("ann", thread, "Ann's first, while the bot was away.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 3)

    await eventually(lambda: response_count_is(app, 4))
    assert await names(app) == {"Bobby", "ann"}  # someone new: the only name Discord gave
    assert {row[1] for row in await rows(app)} == {"Bobby", "ann"}


async def test_a_message_first_read_back_already_edited_is_recorded_as_edited(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.gateway.drop(resumable=False, hold=True)
    written = await fake.say("ann", thread, "Written while the bot was away.")
    clock.advance(timedelta(minutes=5))
    await fake.edit(int(written["id"]), "Written while the bot was away, then edited.")
    fake.gateway.release()
    await eventually(lambda: response_count_is(app, 1))
    assert [row[2:] for row in await rows(app)] == [
        ("Written while the bot was away, then edited.", True, False)]
