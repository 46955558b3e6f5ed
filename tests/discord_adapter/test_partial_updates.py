"""A gateway event discord.py cannot read stops at that event (client.SeminarClient._parse):
before, a MESSAGE_UPDATE with only some of a message's fields (Discord's Gateway Events docs:
"may contain only a subset of the full message object payload") raised inside discord.py's
gateway loop, which closed the connection and ended `seminarbot run` (exit 70), and every
later message went unrecorded (issue 19's try-out try30, finding 1). A text edit among them is
read again from Discord, so the edited words are not lost."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import Connect, eventually
from tests.discord_adapter.seminar import first_session_posted, has_row, response_count_is, rows
from tests.discord_fake import FakeDiscord
from tests.discord_fake.state import REPLY, Json


async def test_an_unreadable_update_is_skipped_and_the_connection_and_next_messages_go_on(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    caplog.set_level(logging.WARNING, "seminarbot")
    first = await fake.say("bob", thread, "The soviets were elected.")
    await eventually(lambda: response_count_is(app, 1))
    # A link's preview unfurled: embeds only, no content, author or type.
    await fake.partial_update(int(first["id"]), embeds=[
        {"type": "link", "url": "https://example.org", "title": "Example"}])
    # Nor one whose ids are no snowflakes: the boundary itself must not fail on them.
    for odd in ({"id": "x", "channel_id": "y", "content": "z"},
                {"id": first["id"], "channel_id": None, "content": "z"}):
        await fake.gateway.dispatch("MESSAGE_UPDATE", odd)
    await fake.say("ann", thread, "A later message.")
    await eventually(lambda: response_count_is(app, 2))

    assert [row[2] for row in await rows(app)] == ["The soviets were elected.",
                                                   "A later message."]
    assert (fake.gateway.identifies, fake.gateway.resumes) == (1, 0)  # never reconnected
    assert "Discord sent a MESSAGE_UPDATE event that discord.py could not read" in caplog.text
    assert not fake.requests("GET", f"/channels/{thread}/messages/")  # nothing to read again


async def test_a_text_edit_discord_py_cannot_read_is_read_again_from_discord(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    first = await fake.say("bob", thread, "The soviets were elected.")
    await eventually(lambda: response_count_is(app, 1))
    clock.advance(timedelta(minutes=5))
    await fake.partial_update(int(first["id"]), content="The soviets were elected, at first.",
                              edited_timestamp=clock.now().isoformat())
    await eventually(lambda: has_row(
        app, "SELECT 1 FROM responses WHERE body = 'The soviets were elected, at first.'"
             " AND edited_at IS NOT NULL"))
    # Its author's message that was never seen, edited: recorded, as edited.
    missed = fake.world.message(thread, fake.person("ann"), "Missed.")
    await fake.partial_update(int(missed["id"]), content="Missed, then edited.",
                              edited_timestamp=clock.now().isoformat())
    await eventually(lambda: response_count_is(app, 2))
    assert [row[1:] for row in await rows(app)] == [
        ("bob", "The soviets were elected, at first.", True, False),
        ("ann", "Missed, then edited.", True, False)]


async def with_a_file(fake: FakeDiscord, who: str, channel: int, text: str) -> Json:
    """`who` writes `text` with a file attached (MESSAGE_CREATE as Discord sends it)."""
    message = fake.world.message(channel, fake.person(who), text)
    message["attachments"] = [{
        "id": str(fake.world.new_id()), "filename": "notes.pdf", "size": 10,
        "url": "https://cdn.discordapp.com/attachments/1/2/notes.pdf",
        "proxy_url": "https://media.discordapp.net/attachments/1/2/notes.pdf",
        "content_type": "application/pdf"}]
    await fake.gateway.dispatch("MESSAGE_CREATE", {**message, "member": {
        "roles": [], "joined_at": message["timestamp"], "deaf": False, "mute": False,
        "flags": 0}})
    return message


async def test_a_file_removed_by_an_update_without_content_is_read_again(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-185's 4: an update carrying `attachments` alone (a file removed in an edit) was
    taken for an embed's unfurling: the file's line stayed in the stored words until a new
    gateway session's catch-up."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    message = await with_a_file(fake, "tia", thread, "See the file.")
    await eventually(lambda: response_count_is(app, 1))
    assert "[attachment: notes.pdf" in (await rows(app))[0][2]
    clock.advance(timedelta(minutes=5))
    await fake.partial_update(int(message["id"]), attachments=[],
                              edited_timestamp=clock.now().isoformat())
    await eventually(lambda: has_row(
        app, "SELECT 1 FROM responses WHERE body = 'See the file.' AND edited_at IS NOT NULL"))


async def test_an_update_without_mentions_or_files_is_read_again_not_lost(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-187's 3 and 4: an update discord.py could read but without `mentions` failed in
    the handler (AttributeError), the edit lost; one with content but no `attachments` key
    dropped the file's line from the stored words."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    bob = fake.person("bob")["id"]
    named = await fake.say("tia", thread, f"Thanks <@{bob}>.")
    filed = await with_a_file(fake, "ann", thread, "See the file.")
    await eventually(lambda: response_count_is(app, 2))
    clock.advance(timedelta(minutes=5))
    for message, text, left_out in ((named, f"Thanks again <@{bob}>.", "mentions"),
                                    (filed, "See the file, edited.", "attachments")):
        stored = fake.world.messages[int(message["id"])]
        stored.update(content=text, edited_timestamp=clock.now().isoformat())
        await fake.gateway.dispatch("MESSAGE_UPDATE", {
            key: value for key, value in stored.items() if key != left_out})
    await eventually(lambda: has_row(
        app, "SELECT 1 FROM responses WHERE body LIKE 'See the file, edited.%'"))
    await eventually(lambda: has_row(
        app, "SELECT 1 FROM responses WHERE body = 'Thanks again @bob.'"))
    assert [row[2] for row in await rows(app)] == [
        "Thanks again @bob.",
        "See the file, edited.\n[attachment: notes.pdf "
        "https://cdn.discordapp.com/attachments/1/2/notes.pdf]"]


async def test_a_bulk_delete_with_an_unreadable_id_still_deletes_the_others(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """MESSAGE_DELETE_BULK holding one id that is no snowflake: the ids that are still count
    (try35, 4). A MESSAGE_CREATE with neither author nor member is skipped with a WARNING, as
    any other payload that cannot be read (try35, 3)."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    caplog.set_level(logging.WARNING, "seminarbot")
    first = await fake.say("bob", thread, "Deleted in bulk.")
    await fake.say("ann", thread, "Kept.")
    await eventually(lambda: response_count_is(app, 2))
    await fake.gateway.dispatch("MESSAGE_DELETE_BULK", {
        "ids": [first["id"], "x", None], "channel_id": str(thread),
        "guild_id": str(fake.world.guild_id)})
    await eventually(lambda: has_row(app, "SELECT 1 FROM responses WHERE deleted_at IS NOT NULL"))
    nameless = fake.world.message(thread, fake.person("bob"), "By nobody.")
    await fake.gateway.dispatch("MESSAGE_CREATE", {
        key: value for key, value in nameless.items() if key not in ("author", "member")})
    await fake.say("ann", thread, "After it.")
    await eventually(lambda: response_count_is(app, 3))
    assert [row[2:] for row in await rows(app)] == [
        ("", False, True), ("Kept.", False, False), ("After it.", False, False)]  # a tombstone
    assert "could not read" in caplog.text


async def test_a_thread_discord_py_has_forgotten_is_still_a_prompts_thread(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """A THREAD_LIST_SYNC that lists no threads makes discord.py drop the ones it held; a
    message in a prompt's thread then comes in a channel it does not know (try35, 5)."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("bob", thread, "Before.")
    await eventually(lambda: response_count_is(app, 1))
    await fake.gateway.dispatch("THREAD_LIST_SYNC", {"guild_id": str(fake.world.guild_id)})
    await fake.say("ann", thread, "After the sync.")
    await fake.say("ann", fake.world.seminar_channel, "Not in a thread.")  # nobody's response
    await eventually(lambda: response_count_is(app, 2))
    assert [row[1:3] for row in await rows(app)] == [("bob", "Before."),
                                                     ("ann", "After the sync.")]


async def test_a_new_message_discord_py_cannot_read_is_read_again_from_discord(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """A MESSAGE_CREATE discord.py cannot read was skipped, its words recorded only by the
    catch-up after the next new gateway session: now read again at once, as an edit is. Here
    a poll whose `expiry` is null (Discord's API docs: nullable, for polls that never end),
    on which discord.py 2.7 raises TypeError."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    caplog.set_level(logging.WARNING, "seminarbot")
    world = fake.world
    poll = world.message(thread, world.people["bob"].user, "Vote, please.")
    poll["poll"] = {"question": {"text": "Councils first?"}, "expiry": None,
                    "answers": [{"answer_id": 1, "poll_media": {"text": "Yes"}}],
                    "allow_multiselect": False, "layout_type": 1}
    await fake.gateway.dispatch("MESSAGE_CREATE", {**poll, "member": fake._partial_member(
        "bob", world.guild_id)})
    await eventually(lambda: response_count_is(app, 1))
    assert [row[2] for row in await rows(app)] == [
        "Vote, please.\n[poll: Councils first?]\n[poll answer: Yes]"]
    assert "Discord sent a MESSAGE_CREATE event that discord.py could not read" in caplog.text
    assert (fake.gateway.identifies, fake.gateway.resumes) == (1, 0)  # no catch-up did it


async def test_a_message_discord_py_cannot_read_stops_no_catch_up_of_the_channel(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """The catch-up read the seminar channel's replies to its prompts through discord.py, so
    one message discord.py cannot read (the poll above) ended the read: the replies written
    while the bot was away stayed unrecorded. It reads Discord's payloads, as for threads."""
    bot = await connect()
    items = await first_session_posted(fake, app, clock)
    world, prompt = fake.world, int(items[0].message_id or 0)
    await fake.gateway.drop(resumable=False, hold=True)
    poll = world.message(world.seminar_channel, world.people["bob"].user, "My vote:",
                         kind=REPLY, reference=prompt)
    poll["poll"] = {"question": {"text": "Councils first?"}, "expiry": None,
                    "answers": [{"answer_id": 1, "poll_media": {"text": "Yes"}}],
                    "allow_multiselect": False, "layout_type": 1}
    world.message(world.seminar_channel, world.people["ann"].user, "A reply while away.",
                  kind=REPLY, reference=prompt)
    before = bot.handlers.catch_ups
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups > before)
    await eventually(lambda: response_count_is(app, 2))
    assert sorted(row[2] for row in await rows(app)) == [
        "A reply while away.", "My vote:\n[poll: Councils first?]\n[poll answer: Yes]"]


@pytest.mark.parametrize("breakage", ["no author", "author null", "no username"])
async def test_one_malformed_message_in_the_history_stops_no_other_catch_up(
        connect: Connect, fake: FakeDiscord, app: Services, clock: ManualClock,
        breakage: str) -> None:
    """helper-112: one message of the history the catch-up reads that could not be read (no
    author, an author that is null or has no name, an id that is no snowflake) ended the
    whole catch-up: nothing written while the bot was away was recorded, in that thread,
    another, or the channel. Such a message is left, with a WARNING line."""
    bot = await connect()
    items = await first_session_posted(fake, app, clock)
    first, second = (int(item.thread_id or 0) for item in items[:2])
    world = fake.world
    await fake.gateway.drop(resumable=False, hold=True)
    for channel in (first, world.seminar_channel):
        odd = world.message(channel, world.people["bob"].user, "Odd one.")
        if breakage == "no author":
            del odd["author"]
        elif breakage == "author null":
            odd["author"] = None
        else:
            odd["author"] = {"id": odd["author"]["id"], "global_name": None}
    world.message(first, world.people["ann"].user, "Same thread, after it.")
    world.message(second, world.people["ann"].user, "Another thread.")
    world.message(world.seminar_channel, world.people["ann"].user, "A reply.", kind=REPLY,
                  reference=int(items[0].message_id or 0))
    before = bot.handlers.catch_ups
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups > before)
    await eventually(lambda: response_count_is(app, 3 + (breakage == "no username")))
    expected = ["A reply.", "Another thread.", "Same thread, after it."]
    if breakage == "no username":  # named by its id: nothing else is missing
        expected.append("Odd one.")
    assert sorted(row[2] for row in await rows(app)) == sorted(expected)


def test_entries_of_a_page_that_are_no_messages_are_left(caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    """Not an object, or no id a snowflake: left, in one WARNING line, the rest read."""
    from seminarbot.adapters.discord.payloads import readable

    good = {"id": "1457659890892800019", "content": "Kept."}
    assert readable([good, "text", {"id": "not-a-snowflake"}, {"id": None}, 5]) == (5, [good])
    assert readable({"message": "not a list"}) == (0, [])
    assert caplog.text.count("that are not messages as its API docs describe them") == 2


async def test_a_read_again_that_discord_stops_is_tried_again(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-172's 2: one 503 to the read of a partial MESSAGE_UPDATE's message lost its edit
    until a new gateway session, and the log said "trying again" where nothing tried. Now the
    read is queued again after a second; a refusal (403) is not tried again."""
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    caplog.set_level(logging.WARNING)
    first = await fake.say("bob", thread, "The soviets were elected.")
    denied = await fake.say("ann", thread, "Kept as it was.")
    await eventually(lambda: response_count_is(app, 2))
    path = f"/channels/{thread}/messages/{first['id']}"
    fake.rest.outages[("GET", path)] = 2
    clock.advance(timedelta(minutes=5))
    await fake.partial_update(int(first["id"]), content="The soviets were elected, at first.",
                              edited_timestamp=clock.now().isoformat())
    await eventually(lambda: has_row(
        app, "SELECT 1 FROM responses WHERE body = 'The soviets were elected, at first.'"),
        within=10)
    assert len(fake.requests("GET", path)) == 3
    assert "trying again in 1 s" in caplog.text and "trying again in 2 s" in caplog.text
    assert "503 Service Unavailable to GET" in caplog.text
    assert "503 Service Unavailable to GET /api/v10" + path + "; discord.py" not in caplog.text
    denied_path = f"/channels/{thread}/messages/{denied['id']}"
    fake.rest.unreadable.add(int(denied["id"]))
    await fake.partial_update(int(denied["id"]), content="Never read.",
                              edited_timestamp=clock.now().isoformat())
    await eventually(lambda: len(fake.requests("GET", denied_path)) == 1)
    await fake.say("bob", thread, "After it.")
    await eventually(lambda: response_count_is(app, 3))
    assert len(fake.requests("GET", denied_path)) == 1
    assert [row[2] for row in await rows(app)] == [
        "The soviets were elected, at first.", "Kept as it was.", "After it."]


@pytest.mark.parametrize(("status", "path", "again"), [
    (503, "/api/v10/channels/1/messages/2", False),  # http.py raises it to the caller
    (502, "/api/v10/channels/1/messages/2", True),
    (503, "/api/v10/interactions/1/tok/callback", True),  # the webhook adapter tries again
    (500, "/api/v10/webhooks/1/tok/messages/@original", True),
])
async def test_the_rest_trace_says_a_try_again_only_where_discord_py_makes_one(
        status: int, path: str, again: bool, caplog: pytest.LogCaptureFixture) -> None:
    """helper-172's 2 and helper-176's 4: "trying again" where nothing tried again, and
    nothing said where discord.py's webhook adapter did; "tries again" after the last try
    (helper-178)."""
    from types import SimpleNamespace

    import yarl

    from seminarbot.adapters.discord import trace

    params = SimpleNamespace(response=SimpleNamespace(status=status, reason="Bad"),
                             headers={}, method="POST", url=yarl.URL("http://x" + path))
    caplog.set_level(logging.WARNING)
    await trace._ended(None, None, params)  # type: ignore[arg-type]
    said = caplog.records[-1].getMessage()
    # Not "tries again": the fifth answer is the last (helper-178).
    assert said.endswith("; discord.py makes up to 5 tries of it") is again
    assert "again" not in said
