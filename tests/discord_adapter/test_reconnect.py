"""Disconnects: what was written during the gap is backfilled (or replayed on RESUME), and a
second READY attaches nothing twice and posts nothing twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import (
    SECOND_SLOT,
    first_session_posted,
    prompt_posts,
    response_count_is,
    rows,
)
from tests.discord_adapter.test_slash_commands import everything
from tests.discord_fake import FakeDiscord


async def test_messages_written_while_disconnected_are_backfilled_after_the_new_ready(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    first, second = int(items[0].thread_id or 0), int(items[1].thread_id or 0)
    await fake.say("bob", first, "Before the gap.")
    await eventually(lambda: response_count_is(app, 1))

    # The connection drops and the session expires: Discord will replay nothing.
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.say("ann", first, "During the gap, in the first thread.")
    await fake.say("bob", second, "During the gap, in the second.")
    await fake.say("bob", second, "And again.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert (fake.gateway.identifies, fake.gateway.resumes, bot.handlers.readies) == (2, 0, 2)
    assert fake.gateway.heartbeats >= 3  # one on each HELLO, the first connection's included
    assert await rows(app) == [
        ("beginnings-comprehension", "bob", "Before the gap.", 0, 0),
        ("beginnings-comprehension", "ann", "During the gap, in the first thread.", 0, 0),
        ("beginnings-interpretation", "bob", "During the gap, in the second.", 0, 0),
        ("beginnings-interpretation", "bob", "And again.", 0, 0),
    ]
    # After READY the current session's threads are read from their start, to follow edits
    # and deletions too (the session was posted after the first READY), as each was once
    # its post was recorded (what was written before: helper-164's 1).
    assert _reads_after(fake, first) == [str(first)] * 2
    assert _reads_after(fake, second) == [str(second)] * 2

    # One poster, attached once; nothing posted again; the schedule goes on as before.
    assert app.posters == {"discord": bot.handlers.poster}
    assert await app.scheduler.run_due() == []
    clock.set(SECOND_SLOT)
    sent = await app.scheduler.run_due()
    assert [o.item.kind for o in sent].count("prompt") == 3  # and session 1's digest
    assert len(prompt_posts(fake)) == 6


async def test_a_resumed_session_replays_what_was_missed_without_a_new_ready(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)

    await fake.gateway.drop(resumable=True, hold=True)
    written = await fake.say("bob", thread, "Written while the bot was away.")
    await fake.edit(int(written["id"]), "Written while the bot was away, then edited.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    await eventually(lambda: _has_edit(app))

    assert (fake.gateway.identifies, fake.gateway.resumes, bot.handlers.readies) == (1, 1, 1)
    assert await rows(app) == [("beginnings-comprehension", "bob",
                                "Written while the bot was away, then edited.", 1, 0)]


def _reads_after(fake: FakeDiscord, channel: int) -> list[str]:
    """Where each request for the channel's history began (its `after`)."""
    return [c.query.get("after", "") for c in fake.requests("GET", f"/channels/{channel}/")
            if c.path == f"/channels/{channel}/messages"]


async def _has_edit(app: Services) -> bool:
    return await app.db.scalar("SELECT 1 FROM response_edits") is not None


async def test_a_long_gap_is_backfilled_page_by_page_in_a_few_shared_commits(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.gateway.drop(resumable=False, hold=True)
    for n in range(250):  # more than two pages of history
        await fake.say("ann" if n % 2 else "bob", thread, f"Point {n}.")
    commits = app.response_writer.batches
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert [row[2] for row in await rows(app)] == [f"Point {n}." for n in range(250)]
    assert app.response_writer.batches - commits <= 3  # not one commit per message


async def test_replies_to_a_prompt_in_the_channel_itself_are_backfilled_too(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    first, second = int(items[0].message_id or 0), int(items[1].message_id or 0)
    channel = fake.world.seminar_channel
    await fake.say("bob", channel, "Recorded live, in the channel.", reply_to=first)
    await eventually(lambda: response_count_is(app, 1))

    await fake.gateway.drop(resumable=False, hold=True)
    await fake.say("ann", channel, "A reply in the channel while the bot was away.",
                   reply_to=second)
    await fake.say("ann", channel, "Chatter that answers no prompt.")
    await fake.say("bob", first, "And one in the thread, written later.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert sorted(row[2] for row in await rows(app)) == [
        "A reply in the channel while the bot was away.", "And one in the thread, written later.",
        "Recorded live, in the channel."]


async def test_replies_to_a_response_in_the_channel_are_recorded_live_and_backfilled(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """A reply to someone's response answers that response's prompt; while the bot was away,
    a chain of them is read back newest first and recorded oldest first, so each finds the
    one it answers."""
    items = await first_session_posted(fake, app, clock)
    first = int(items[0].message_id or 0)
    channel = fake.world.seminar_channel
    answer = await fake.say("bob", channel, "Answering the prompt.", reply_to=first)
    live = await fake.say("ann", channel, "Replying to bob, live.", reply_to=int(answer["id"]))
    chatter = await fake.say("ann", channel, "Chatter that answers no prompt.")
    await fake.say("bob", channel, "A reply to the chatter.", reply_to=int(chatter["id"]))
    await eventually(lambda: response_count_is(app, 2))

    await fake.gateway.drop(resumable=False, hold=True)
    parent = live
    for n in range(3):
        parent = await fake.say("ann" if n % 2 else "bob", channel, f"Away {n}.",
                                reply_to=int(parent["id"]))
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    found = await rows(app)
    assert [row[2] for row in found] == ["Answering the prompt.", "Replying to bob, live.",
                                        "Away 0.", "Away 1.", "Away 2."]
    prompts = await app.db.fetch_tuples("SELECT DISTINCT outbox_id FROM responses")
    assert prompts == [(items[0].id,)]


async def test_a_thread_started_from_a_response_is_not_where_the_prompt_is(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-136: messages in a thread started from a response were recorded live, then
    erased at every new gateway session (the prompt's thread never showed them), never read
    back, and kept when that thread was deleted. Such a thread holds no responses; the
    response it was started from is left alone, through reconnects and its thread's deletion."""
    items = await first_session_posted(fake, app, clock)
    channel = fake.world.seminar_channel
    answer = await fake.say("bob", channel, "Answering the prompt.",
                            reply_to=int(items[0].message_id or 0))
    await eventually(lambda: response_count_is(app, 1))
    thread = fake.world.thread(int(answer["id"]), "On bob's answer", 10080)
    await fake.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
    await fake.say("ann", int(thread["id"]), "In the thread started from bob's answer.")
    await fake.say("ann", channel, "A reply to bob, in the channel.", reply_to=int(answer["id"]))
    await eventually(lambda: response_count_is(app, 2))
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.say("ann", int(thread["id"]), "Written there while the bot was away.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    await fake.delete_thread(int(thread["id"]))
    await fake.gateway.drop(resumable=False, hold=False)
    await eventually(lambda: bot.handlers.catch_ups == 3)
    assert [(row[2], row[4]) for row in await rows(app)] == [
        ("Answering the prompt.", False), ("A reply to bob, in the channel.", False)]


async def test_a_command_replayed_too_late_to_answer_is_not_run(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-172's 1: an interaction a RESUME replayed after Discord's three seconds (the
    person had been told the application did not respond) ran: a response was stored, and a
    second try stored it twice; a skip was done. One replayed in time is run and answered."""
    await first_session_posted(fake, app, clock)
    schedule = await app.db.fetch_tuples("SELECT due_at, state FROM outbox ORDER BY id")
    await fake.gateway.drop(resumable=True, hold=True)
    late = [await fake.send_slash("bob", "seminar respond", prompt="1.1", text="Sent late."),
            await fake.send_slash("ann", "seminar-mod skip")]
    clock.advance(timedelta(seconds=4))
    in_time = await fake.send_slash("bob", "seminar respond", prompt="1.2", text="In time.")
    fake.gateway.release()
    await eventually(lambda: in_time.answered.is_set())
    await eventually(lambda: bot.handlers.catch_ups == 2)
    await eventually(lambda: response_count_is(app, 1))
    assert [row[2] for row in await rows(app)] == ["In time."]
    assert await app.db.fetch_tuples("SELECT due_at, state FROM outbox ORDER BY id") == schedule
    assert all(log.callback is None for log in late)
    said = [r.getMessage() for r in caplog.records if "not run" in r.getMessage()]
    assert len(said) == 2 and all("came 4.0 s late" in line for line in said), said
    assert said[1].startswith("/seminar-mod skip (interaction")  # as Discord shows it
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_respond_tried_again_after_discord_showed_it_failed_is_recorded_once(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-172's 1: the bot ran `/seminar respond`, then Discord refused its answer (the
    person saw "The application did not respond"); tried again, the words were stored twice.
    The same words to another prompt are a response of their own."""
    await first_session_posted(fake, app, clock)
    fake.rest.hold = asyncio.Event()
    first = await fake.send_slash("bob", "seminar respond", prompt="1.1", text="Councils.")
    await asyncio.wait_for(fake.rest.holding.wait(), 10)  # its answer is on its way
    first.token = "no longer taken"  # Discord: Unknown interaction (10062)
    fake.rest.hold.set()
    fake.rest.hold = None
    await eventually(lambda: response_count_is(app, 1))
    again = everything(await fake.slash("bob", "seminar respond", prompt="1.1",
                                        text="Councils."))
    assert "Your response to 1.1 was already recorded." in again
    other = everything(await fake.slash("bob", "seminar respond", prompt="1.2",
                                        text="Councils."))
    assert "Recorded your response to 1.2" in other
    assert [row[2] for row in await rows(app)] == ["Councils.", "Councils."]


async def test_a_moderators_command_done_but_shown_as_failed_is_told_to_the_moderators(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-176's 2: a skip was done, Discord refused its answer (the moderator saw "The
    application did not respond"), and the skip tried again skipped a second week. The
    moderators are now told in the seminar's channel that it was done."""
    await first_session_posted(fake, app, clock)
    fake.rest.hold = asyncio.Event()
    skip = await fake.send_slash("ann", "seminar-mod skip")
    await asyncio.wait_for(fake.rest.holding.wait(), 10)
    skip.token = "no longer taken"
    fake.rest.hold.set()
    fake.rest.hold = None
    channel = fake.world.seminar_channel
    await eventually(lambda: any("was done, though Discord showed it as failed" in m["content"]
                                 for m in fake.messages_in(channel)))
    told = [m["content"] for m in fake.messages_in(channel) if "was done" in m["content"]]
    assert told == ["**For the moderators:** /seminar-mod skip by ann was done, though Discord "
                    "showed it as failed (its answer did not reach Discord): No session on Tue "
                    "13 Jan 2026; the session due then and those after it move later. Next: "
                    "session 2 (Later years) on Tue 20 Jan 2026 19:00 UTC."]
    assert skip.callback is None



async def test_a_refused_or_doubled_moderators_command_is_neither_told_nor_run_twice(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    """helper-178's 1 and 2: a moderator's command refused to bob (no moderator) or failing
    was told as done when its answer went astray; one delivered twice skipped two weeks."""
    await first_session_posted(fake, app, clock)
    for who, command, options in (("bob", "seminar-mod skip", {}),
                                  ("ann", "seminar-mod move", {"session": "99",
                                                               "date": "2099-01-01"})):
        fake.rest.hold = asyncio.Event()
        log = await fake.send_slash(who, command, **options)
        await asyncio.wait_for(fake.rest.holding.wait(), 10)
        fake.rest.holding.clear()
        log.token = "no longer taken"
        fake.rest.hold.set()
        fake.rest.hold = None
        await bot.handlers.interactions.drain(5)
    original = fake.gateway.dispatch

    async def twice(event: str, data: Any) -> None:
        await original(event, data)
        if event == "INTERACTION_CREATE":
            await original(event, data)
    fake.gateway.dispatch = twice  # type: ignore[method-assign]
    await fake.slash("ann", "seminar-mod skip")
    fake.gateway.dispatch = original  # type: ignore[method-assign]
    channel = fake.world.seminar_channel
    await fake.slash("ann", "seminar schedule")
    assert not [m for m in fake.messages_in(channel) if "was done" in m["content"]]
    assert [row[0] for row in await app.db.fetch_tuples("SELECT local_date FROM schedule_skips")] \
        == ["2026-01-13"]
