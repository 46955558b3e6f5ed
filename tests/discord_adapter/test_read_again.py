"""A message is stored the same whether it came live or was read again after a new gateway
session (READY), and reading it again is no edit: what is read anew at each read (a file's
signed link, a mention's or channel's name now) is not what anyone wrote (helper-134). A
poll is read with all its answers live too, and a recorded message Discord shows in a form
that cannot be read is left, never taken for deleted."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from seminarbot.adapters.discord.client import SeminarClient, with_poll_texts
from seminarbot.adapters.discord.formatting import unsigned
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import first_session_posted, response_count_is, rows
from tests.discord_fake import WAIT, FakeDiscord


async def history(app: Services) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await app.db.fetchall(
        "SELECT r.message_id, e.previous_body FROM response_edits e"
        " JOIN responses r ON r.id = e.response_id ORDER BY e.id")]


async def has(app: Services, sql: str, *params: Any) -> bool:
    return await app.db.scalar(sql, params) is not None


async def edited_live(fake: FakeDiscord, app: Services, clock: ManualClock, thread: int,
                      text: str) -> dict[str, Any]:
    """ann's reply in the thread, edited a minute later to `text`; both recorded."""
    message = await fake.say("ann", thread, "First words.")
    await eventually(lambda: response_count_is(app, 1))
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(message["id"]), text)
    await eventually(lambda: has(app, "SELECT 1 FROM response_edits"))
    return message


async def edited_while_away(bot: SeminarClient, fake: FakeDiscord, clock: ManualClock,
                            message: dict[str, Any], text: str) -> None:
    """`message` edited to `text` a minute later while the bot is disconnected; then it is
    back, and has read the threads again."""
    await fake.gateway.drop(resumable=False, hold=True)
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(message["id"]), text)
    before = bot.handlers.catch_ups
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups > before)


async def reconnect(bot: SeminarClient, fake: FakeDiscord, times: int = 1) -> None:
    """New gateway sessions (no resume), each read back whole."""
    for _ in range(times):
        before = bot.handlers.catch_ups
        await fake.gateway.drop(resumable=False, hold=False)
        await eventually(lambda: bot.handlers.catch_ups > before, within=60)  # noqa: B023


async def test_a_file_link_signed_anew_at_each_read_is_no_edit(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    message = await fake.say("ann", thread, "My notes.")
    await eventually(lambda: response_count_is(app, 1))
    signed = "https://cdn.discordapp.com/attachments/1/2/notes.pdf?ex=aa&is=bb&hm={}&"
    attachment = {"id": str(fake.world.new_id()), "filename": "notes.pdf", "size": 10,
                  "url": signed.format("c0"), "proxy_url": signed.format("c0"),
                  "content_type": "application/pdf"}
    fake.world.messages[int(message["id"])]["attachments"] = [attachment]
    clock.advance(timedelta(minutes=1))
    await fake.edit(int(message["id"]), "My notes, see the file.")
    await eventually(lambda: has(app, "SELECT 1 FROM response_edits"))
    for n in range(1, 4):  # Discord's CDN signs a link anew whenever it is read
        attachment["url"] = signed.format(f"c{n}")
        await reconnect(bot, fake)
    assert [row[2] for row in await rows(app)] == [
        "My notes, see the file.\n[attachment: notes.pdf "
        "https://cdn.discordapp.com/attachments/1/2/notes.pdf]"]
    assert await history(app) == [(message["id"], "My notes.")]


async def test_a_name_read_anew_after_a_reconnect_is_no_edit(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """Live, a mention reads as the person's name in the server (a nickname); read back from
    history, as their global name; a channel renamed since reads by its new name."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await asyncio.wait_for(bot.handlers.inbound.drained(), WAIT)  # read back: all live now
    world = fake.world
    world.people["bob"].nicks[world.guild_id] = "Bobby"
    bob = world.people["bob"].id
    message = await edited_live(fake, app, clock, thread,
                                f"As <@{bob}> says in <#{world.seminar_channel}>.")
    live = [row[2] for row in await rows(app)]
    assert live[0].startswith("As @Bobby says in #"), live
    await fake.update_channel(world.seminar_channel, name="reading-room")
    await reconnect(bot, fake, 2)
    assert [row[2] for row in await rows(app)] == live
    assert await history(app) == [(message["id"], "First words.")]


async def test_an_edit_made_while_away_is_still_read_back(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    message = await edited_live(fake, app, clock, thread, "Second words.")
    await edited_while_away(bot, fake, clock, message, "Third words, while the bot was away.")
    assert [row[2] for row in await rows(app)] == ["Third words, while the bot was away."]
    assert [body for _, body in await history(app)] == ["First words.", "Second words."]


async def test_an_edited_response_unreadable_when_read_back_is_left(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """An edited message Discord gave back in a form that cannot be read (no author) was
    erased as deleted: only an unedited one was marked as seen."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    message = await edited_live(fake, app, clock, thread, "Edited words.")
    await fake.gateway.drop(resumable=False, hold=True)
    fake.world.messages[int(message["id"])]["author"] = None
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert [(row[2], row[4]) for row in await rows(app)] == [("Edited words.", False)]


@pytest.mark.parametrize("content", ["", "My question."])
async def test_a_poll_with_an_emoji_answer_is_read_whole_live(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        content: str) -> None:
    """Discord's Poll Media object may leave out `text` (an emoji alone); discord.py then
    dropped the whole poll, so its lines were lost live, and kept when read back."""
    world = fake.world
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    poll = world.message(thread, world.people["bob"].user, content)
    poll["poll"] = {"question": {"text": "Which text?"}, "allow_multiselect": False,
                    "expiry": "2026-01-07T19:00:00+00:00", "layout_type": 1,
                    "answers": [{"answer_id": 1, "poll_media": {"text": "Priestland"}},
                                {"answer_id": 2, "poll_media": {
                                    "emoji": {"id": None, "name": "\U0001f44d"}}}]}
    await fake.gateway.dispatch("MESSAGE_CREATE", {
        **poll, "member": fake._partial_member("bob", world.guild_id)})
    expected = "\n".join([*([content] if content else []), "[poll: Which text?]",
                          "[poll answer: Priestland]", "[poll answer: \U0001f44d]"])
    await eventually(lambda: has(app, "SELECT 1 FROM responses WHERE message_id = ?",
                                 poll["id"]))
    assert [row[2] for row in await rows(app)] == [expected]
    await reconnect(bot, fake)
    assert [row[2] for row in await rows(app)] == [expected] and await history(app) == []


def test_poll_media_without_text_get_an_empty_one_and_nothing_else_changes() -> None:
    whole = {"id": "1", "poll": {"question": {"text": "Q"},
                                 "answers": [{"poll_media": {"text": "A"}}]}}
    assert with_poll_texts(whole) is whole
    assert with_poll_texts({"id": "1"}) == {"id": "1"}
    assert with_poll_texts({"poll": "odd"}) == {"poll": "odd"}
    emoji = {"poll": {"question": {"text": "Q"}, "answers": [
        {"poll_media": {"emoji": {"name": "x"}}}, "odd"]}}
    assert with_poll_texts(emoji) == {"poll": {"question": {"text": "Q"}, "answers": [
        {"poll_media": {"text": "", "emoji": {"name": "x"}}}, "odd"]}}
    assert emoji["poll"]["answers"][0] == {"poll_media": {"emoji": {"name": "x"}}}  # a copy


@pytest.mark.parametrize(("url", "same"), [
    ("https://cdn.discordapp.com/attachments/1/2/a.png?ex=65&is=64&hm=ab&",
     "https://cdn.discordapp.com/attachments/1/2/a.png"),
    ("https://media.discordapp.net/x/a.png?width=20&hm=ab", "https://media.discordapp.net/x/a.png?width=20"),
    ("https://cdn.discordapp.com/a.png", "https://cdn.discordapp.com/a.png"),
    ("", "")])
def test_a_file_link_is_kept_without_its_signature(url: str, same: str) -> None:
    assert unsigned(url) == same


async def test_a_file_s_description_is_kept_live_and_when_read_back(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-134's 5: the alt text its author typed for a file was dropped."""
    world = fake.world
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    message = world.message(thread, world.people["bob"].user, "My map.")
    message["attachments"] = [{
        "id": str(world.new_id()), "filename": "map.png", "size": 10,
        "url": "https://cdn.discordapp.com/attachments/1/2/map.png?ex=1&is=2&hm=3&",
        "proxy_url": "https://media.discordapp.net/attachments/1/2/map.png",
        "content_type": "image/png", "description": "The soviets of 1917, on a map"}]
    await fake.gateway.dispatch("MESSAGE_CREATE", {
        **message, "member": fake._partial_member("bob", world.guild_id)})
    expected = ("My map.\n[attachment: map.png https://cdn.discordapp.com/attachments/1/2/"
                "map.png]\n[attachment description: The soviets of 1917, on a map]")
    await eventually(lambda: response_count_is(app, 1))
    assert [row[2] for row in await rows(app)] == [expected]
    await app.db.execute("DELETE FROM responses")  # read back from history alike
    await reconnect(bot, fake)
    assert [row[2] for row in await rows(app)] == [expected]


async def test_a_response_edited_before_migration_0016_gets_no_false_edit(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-136's 7: a row recorded before migration 0016 has no exact edit time, so the
    first catch-up after the upgrade compared its text, read anew (a nickname now the global
    name), and recorded a false edit. Its edit is known to the second, which is enough to
    tell it is the same; a later edit while the bot was away is still read back."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await asyncio.wait_for(bot.handlers.inbound.drained(), WAIT)  # read back: all live now
    world = fake.world
    world.people["bob"].nicks[world.guild_id] = "Bobby"
    message = await edited_live(fake, app, clock, thread,
                                f"As <@{world.people['bob'].id}> says.")
    await app.db.execute("UPDATE responses SET edited_exact = NULL")  # as before 0016
    live = [row[2] for row in await rows(app)]
    await reconnect(bot, fake)
    assert [row[2] for row in await rows(app)] == live
    assert await history(app) == [(message["id"], "First words.")]
    await edited_while_away(bot, fake, clock, message, "Third words.")
    assert [row[2] for row in await rows(app)] == ["Third words."]
