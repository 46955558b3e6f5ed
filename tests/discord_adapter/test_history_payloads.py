"""The catch-up reads a thread's history as Discord's payloads (adapters/discord/payloads.py),
not as discord.py's messages: what it takes from them is what events.inbound takes from the
same messages read through discord.py, page after page, oldest first."""

from __future__ import annotations

import discord

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.events import inbound
from seminarbot.adapters.discord.payloads import edited_at, inbound_payload, pages_after
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import REPLY


async def test_a_thread_read_as_payloads_gives_what_discord_py_messages_give(
        bot: SeminarClient, fake: FakeDiscord) -> None:
    world = fake.world
    root = world.message(world.seminar_channel, world.bot, "Prompt")
    thread = int(world.thread(int(root["id"]), "Prompt", 10080)["id"])
    first = await fake.say("ann", thread, "A first answer.")
    await fake.say("bob", thread, "An answer to it.", reply_to=int(first["id"]))
    world.message(thread, world.people["bob"].user, "", attachments=[
        {"id": str(world.new_id()), "filename": "notes.txt", "size": 3,
         "url": "https://cdn.example/notes.txt", "proxy_url": "https://cdn.example/notes.txt"}])
    world.message(thread, world.bot, "The bot's own line.")
    world.message(thread, world.people["ann"].user, "Not a reply", kind=REPLY + 1)
    for n in range(230):  # more than two pages
        await fake.say("ann" if n % 2 else "bob", thread, f"Filler {n}.")
    await fake.edit(int(first["id"]), "A first answer, edited.")

    channel = await bot.fetch_channel(thread)
    assert isinstance(channel, discord.Thread)
    through_discord_py = [(inbound(m), m.edited_at) async for m in channel.history(
        limit=None, after=discord.Object(int(root["id"])), oldest_first=True)]
    as_payloads = [(inbound_payload(data, thread), edited_at(data))
                   async for page in pages_after(bot.http, thread, int(root["id"]))
                   for data in page]

    assert as_payloads == through_discord_py
    taken = [reply for reply, _ in as_payloads if reply is not None]
    assert len(taken) == 233 and len(as_payloads) == 235
    assert taken[1].reply_to == first["id"] and taken[2].text.startswith("[attachment: notes")
    assert as_payloads[0][1] is not None
