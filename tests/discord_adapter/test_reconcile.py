"""After a new gateway session (READY: Discord replays nothing), what changed during the gap in
every prompt thread of a running seminar is read back from the history: edits, deletions and
new messages, in threads and among replies in the channel, and threads deleted; a read Discord
stops is tried again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.clock import ManualClock
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.seminar import (
    SECOND_SLOT,
    first_session_posted,
    response_count_is,
    rows,
    session_items,
)
from tests.discord_fake import FakeDiscord


async def test_edits_deletions_and_new_replies_of_a_gap_without_resume_are_all_recorded(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    kept = await fake.say("bob", thread, "Councils kept minutes.")
    withdrawn = await fake.say("ann", thread, "A point I will take back.")
    await eventually(lambda: response_count_is(app, 2))
    await fake.edit(int(withdrawn["id"]), "A point I will take back, reworded first.")
    await eventually(lambda: _count(app, "SELECT COUNT(*) FROM response_edits", 1))

    read_before = len(fake.requests("GET", f"/channels/{thread}/messages"))  # at its post
    await fake.gateway.drop(resumable=False, hold=True)  # the session expires: no replay
    clock.advance(timedelta(minutes=5))
    await fake.edit(int(kept["id"]), "Councils kept minutes, and read them aloud.")
    await fake.delete(int(withdrawn["id"]))
    await fake.say("ann", thread, "A third reply, written during the gap.")
    for n in range(150):  # enough that the thread is read in more than one page
        await fake.say("bob", thread, f"Filler {n}.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert (fake.gateway.identifies, fake.gateway.resumes) == (2, 0)
    found = await rows(app)
    assert found[:3] == [
        ("beginnings-comprehension", "bob", "Councils kept minutes, and read them aloud.", 1, 0),
        ("beginnings-comprehension", "ann", "", 1, 1),  # a tombstone: text and history gone
        ("beginnings-comprehension", "ann", "A third reply, written during the gap.", 0, 0),
    ]
    assert len(found) == 153
    history = await app.db.fetchall(
        "SELECT r.message_id, e.previous_body FROM response_edits e"
        " JOIN responses r ON r.id = e.response_id")
    assert [tuple(row) for row in history] == [(kept["id"], "Councils kept minutes.")]
    edited_at = await app.db.scalar("SELECT edited_at FROM responses WHERE message_id = ?",
                                    (kept["id"],))
    assert edited_at == fake.world.messages[int(kept["id"])]["edited_timestamp"][:19] + "Z"
    pages = [c for c in fake.requests("GET", f"/channels/{thread}/messages")[read_before:]
             if c.path == f"/channels/{thread}/messages"]
    assert [c.query["limit"] for c in pages] == ["100", "100"]  # read in pages, from its start
    assert pages[0].query["after"] == str(thread)

    # A second reconnect finds nothing more to change.
    await fake.gateway.drop(resumable=False, hold=False)
    await eventually(lambda: bot.handlers.catch_ups == 3)
    assert await rows(app) == found
    assert await _count(app, "SELECT COUNT(*) FROM response_edits", 1)


async def test_replies_in_the_channel_edited_or_deleted_during_the_gap_are_followed(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    items = await first_session_posted(fake, app, clock)
    channel, prompt = fake.world.seminar_channel, int(items[0].message_id or 0)
    edited = await fake.say("bob", channel, "A reply in the channel.", reply_to=prompt)
    deleted = await fake.say("ann", channel, "Another, soon withdrawn.", reply_to=prompt)
    untouched = await fake.say("ann", channel, "A third, left alone.", reply_to=prompt)
    await eventually(lambda: response_count_is(app, 3))

    await fake.gateway.drop(resumable=False, hold=True)
    await fake.edit(int(edited["id"]), "A reply in the channel, corrected.")
    await fake.delete(int(deleted["id"]))
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert [row[2:] for row in await rows(app)] == [
        ("A reply in the channel, corrected.", 1, 0), ("", 0, 1),
        ("A third, left alone.", 0, 0)]
    looked_up = {c.path.rsplit("/", 1)[1]
                 for c in fake.requests("GET", f"/channels/{channel}/messages/")}
    assert looked_up == {edited["id"], deleted["id"], untouched["id"]}


async def test_threads_of_earlier_sessions_are_reconciled_too(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Issue 13's second try-out, finding 7: an edit or a deletion made during a gap to a
    # response of a session that had closed was never seen.
    first = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    edited = await fake.say("bob", first, "Recorded before session 2.")
    deleted = await fake.say("ann", first, "Withdrawn after session 1 closed.")
    await eventually(lambda: response_count_is(app, 2))
    clock.set(SECOND_SLOT)
    await app.scheduler.run_due()
    assert await session_items(app, "later")

    await fake.gateway.drop(resumable=False, hold=True)
    clock.advance(timedelta(minutes=5))
    await fake.edit(int(edited["id"]), "Recorded before session 2, and corrected.")
    await fake.delete(int(deleted["id"]))
    await fake.say("ann", first, "A late answer to session 1.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)

    assert [row[2:] for row in await rows(app)] == [
        ("Recorded before session 2, and corrected.", 1, 0), ("", 0, 1),
        ("A late answer to session 1.", 0, 0)]
    reads = [c.query.get("after") for c in fake.requests("GET", f"/channels/{first}/messages")
             if c.path == f"/channels/{first}/messages"]
    assert reads[-1] == str(first)  # read from its start


async def test_an_edit_in_the_same_second_as_the_last_one_recorded_is_kept(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Finding 8: edit times were compared in whole seconds, and an equal second skipped.
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    reply = await fake.say("bob", thread, "First version.")
    await eventually(lambda: response_count_is(app, 1))
    clock.advance(timedelta(milliseconds=100))
    await fake.edit(int(reply["id"]), "Second version, live.")
    await eventually(lambda: _count(app, "SELECT COUNT(*) FROM response_edits", 1))
    await fake.gateway.drop(resumable=False, hold=True)
    clock.advance(timedelta(milliseconds=500))  # the same second
    await fake.edit(int(reply["id"]), "Third version, in the gap.")
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert [row[2:] for row in await rows(app)] == [("Third version, in the gap.", 1, 0)]
    assert await _count(app, "SELECT COUNT(*) FROM response_edits", 2)


async def test_a_deleted_thread_takes_the_responses_written_in_it(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # Finding 7: THREAD_DELETE was not handled, and a thread that could not be fetched was
    # skipped. Deleting a thread deletes every message in it, and nothing else.
    items = await first_session_posted(fake, app, clock)
    one, two = (int(item.thread_id or 0) for item in items[:2])
    channel = fake.world.seminar_channel
    await fake.say("bob", one, "In the first thread.")
    await fake.say("ann", channel, "A reply to the first prompt, in the channel.",
                   reply_to=one)
    await fake.slash("tia", "seminar respond", prompt="1.1", text="By command.")
    await fake.say("bob", two, "In the second thread.")
    await eventually(lambda: response_count_is(app, 4))

    await fake.delete_thread(one)  # while the bot is connected
    await eventually(lambda: _count(app, "SELECT COUNT(*) FROM responses"
                                         " WHERE deleted_at IS NOT NULL", 1))
    await fake.gateway.drop(resumable=False, hold=True)
    await fake.delete_thread(two)  # while it is away
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2)
    assert [row[2:] for row in await rows(app)] == [
        ("", 0, 1), ("A reply to the first prompt, in the channel.", 0, 0),
        ("By command.", 0, 0), ("", 0, 1)]


@pytest.mark.parametrize("away", [False, True], ids=["connected", "away"])
async def test_a_deleted_channel_takes_the_responses_written_in_it(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock,
        away: bool) -> None:
    items = await first_session_posted(fake, app, clock)
    thread, prompt = int(items[0].thread_id or 0), int(items[0].message_id or 0)
    channel = fake.world.seminar_channel
    await fake.say("bob", thread, "In the thread.")
    await fake.say("ann", channel, "A reply in the channel.", reply_to=prompt)
    await fake.slash("tia", "seminar respond", prompt="1.1", text="By command.")
    await eventually(lambda: response_count_is(app, 3))
    if away:
        await fake.gateway.drop(resumable=False, hold=True)
    await fake.delete_channel(channel)
    if away:
        fake.gateway.release()
        await eventually(lambda: bot.handlers.catch_ups == 2)
    await eventually(lambda: _count(app, "SELECT COUNT(*) FROM responses"
                                         " WHERE deleted_at IS NOT NULL", 2))
    assert [row[2:] for row in await rows(app)] == [("", 0, 1), ("", 0, 1), ("By command.", 0, 0)]
    # helper-185's 1: then its seminar is finished (after the erasures)
    await eventually(lambda: _count(app, "SELECT COUNT(*) FROM cohorts WHERE state = 'finished'",
                                    1))


async def test_a_history_read_that_fails_is_tried_again_before_anything_after_it(
        bot: SeminarClient, fake: FakeDiscord, app: Services, clock: ManualClock) -> None:
    # The kind of finding 3 on Discord: a read Discord stops must not leave the gap unread
    # while later messages move the thread's "last recorded" mark past it.
    thread = int((await first_session_posted(fake, app, clock))[0].thread_id or 0)
    await fake.say("bob", thread, "Before the gap.")
    await eventually(lambda: response_count_is(app, 1))
    await fake.gateway.drop(resumable=False, hold=True)
    for n in range(120):
        await fake.say("ann", thread, f"In the gap {n}.")
    fake.rest.outages["GET", f"/channels/{thread}/messages"] = 2
    fake.gateway.release()
    await eventually(lambda: bot.handlers.catch_ups == 2, within=15)
    await fake.say("bob", thread, "After the gap.")
    await eventually(lambda: response_count_is(app, 122))
    await fake.gateway.drop(resumable=True, hold=False)  # a backfill from the last recorded
    await eventually(lambda: bot.handlers.catch_ups == 3)
    assert await app.responses.last_in_thread("discord", str(thread)) == \
        fake.messages_in(thread)[-1]["id"]
    assert fake.rest.outages["GET", f"/channels/{thread}/messages"] == 0


async def _count(app: Services, sql: str, wanted: int) -> bool:
    return bool(await app.db.scalar(sql) == wanted)
