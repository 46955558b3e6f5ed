"""The catch-up reads a thread's history as Discord's payloads (adapters/discord/payloads.py),
not as discord.py's messages: what it takes from them is what events.inbound takes from the
same messages read through discord.py, page after page, oldest first."""

from __future__ import annotations

import discord
import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.events import inbound
from seminarbot.adapters.discord.payloads import edited_at, inbound_payload, pages_after
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import REPLY

# A poll as Discord's API docs give it (Poll object; its media's text is always there now).
POLL = {"question": {"text": "Were the soviets\ndemocratic?"},
        "answers": [{"answer_id": 1, "poll_media": {"text": "Yes"}},
                    {"answer_id": 2, "poll_media": {"text": "Unsure",
                                                    "emoji": {"id": None, "name": "🤔"}}}],
        "expiry": "2026-01-07T09:00:00.000000+00:00", "allow_multiselect": False, "layout_type": 1,
        "results": {"is_finalized": False, "answer_counts": []}}
POLL_TEXT = "[poll: Were the soviets democratic?]\n[poll answer: Yes]\n[poll answer: Unsure]"


async def test_a_poll_a_participant_writes_is_kept_live_and_read_back(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-110: a poll's question and answers, which its author typed, were not recorded:
    Discord gives a poll as a message with no content (README: Responses)."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await say_poll(fake, app, thread, "", POLL)
    assert [row[2] for row in await rows(app)] == [POLL_TEXT]


async def say_poll(fake: FakeDiscord, app: Services, channel: int, text: str,
                   poll: object) -> dict[str, object]:
    """Bob's message with `poll`, sent as MESSAGE_CREATE; once one response is stored."""
    world = fake.world
    data = world.message(channel, world.people["bob"].user, text)
    data["poll"] = poll
    await fake.gateway.dispatch("MESSAGE_CREATE", {**data, "member": fake._partial_member(
        "bob", world.guild_id)})
    await eventually(lambda: response_count_is(app, 1))
    return data


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
    world.message(thread, world.people["bob"].user, "")["poll"] = POLL
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
    assert len(taken) == 234 and len(as_payloads) == 236
    assert taken[1].reply_to == first["id"] and taken[2].text.startswith("[attachment: notes")
    assert taken[3].text == POLL_TEXT
    assert as_payloads[0][1] is not None


async def test_a_polls_answer_with_an_emoji_alone_is_read_as_the_emoji(
        fake: FakeDiscord) -> None:
    """Discord's docs keep a poll media's text optional for later: read from history, an
    answer without it is its emoji's name, one with neither is left out; a poll that is no
    object, or has nothing in it, is no poll."""
    world = fake.world
    root = world.message(world.seminar_channel, world.bot, "Prompt")
    thread = int(world.thread(int(root["id"]), "Prompt", 10080)["id"])
    data = world.message(thread, world.people["bob"].user, "Vote.")
    data["poll"] = {**POLL, "answers": [{"answer_id": 1, "poll_media": {
        "emoji": {"id": "1", "name": "thinking_soviet"}}}, {"answer_id": 2}, "no object"]}
    found = inbound_payload(data, thread)
    assert found is not None and found.text == (
        "Vote.\n[poll: Were the soviets democratic?]\n[poll answer: thinking_soviet]")
    for nothing in (["no", "object"], {"question": {}, "answers": []}, {"answers": 5}):
        data["poll"] = nothing
        found = inbound_payload(data, thread)
        assert found is not None and found.text == "Vote."


LONG_QUESTION = "Were the soviets democratic " * 10 + "?"  # Discord allows 300 characters


@pytest.mark.parametrize("poll", [
    {**POLL, "question": {}},  # helper-112: discord.py cannot read its question: words lost
    {**POLL, "question": {"text": None}},
    {**POLL, "question": {"text": LONG_QUESTION[:300]}},  # was cut at a file name's 255
    {**POLL, "answers": [{"answer_id": 1, "poll_media": {"text": None}},
                         {"answer_id": 2, "poll_media": {"text": "No"}}]},
    {**POLL, "answers": [{"answer_id": 1, "poll_media": {"text": None, "emoji": {
        "id": None, "name": "🤔"}}}]},
])
async def test_a_poll_is_stored_alike_live_and_from_history(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        poll: dict[str, object]) -> None:
    """One rule for a poll, whoever reads it: the message's words always, then the question
    and the answers that have words (an emoji's name for one that has only that), whole."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    data = await say_poll(fake, app, thread, "My own words.", poll)
    [stored] = [row[2] for row in await rows(app)]
    from_history = inbound_payload(data, thread)
    assert from_history is not None and stored == from_history.text
    assert stored.startswith("My own words.\n[poll: ")
    question = poll["question"]
    assert isinstance(question, dict)
    if len(question.get("text") or "") > 255:
        assert f"[poll: {question['text']}]" in stored
