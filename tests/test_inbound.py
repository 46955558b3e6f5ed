"""Thread replies become responses once; edits keep history; opt-outs are honoured."""

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from seminarbot.core.invocation import Actor
from seminarbot.domain.errors import Busy
from seminarbot.domain.responses import MAX_BODY_CHARS, TRUNCATION_MARK, Outcome
from seminarbot.services.container import Services
from seminarbot.services.responses import (
    InboundMessage,
    last_recorded,
    record_delete,
    record_edit,
    record_message,
    record_messages,
)
from seminarbot.storage import response_writer
from tests.conftest import ConsoleDriver

ANN = Actor("console", "console:ann", "ann")


async def _thread(console: ConsoleDriver, app: Services) -> str:
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar post")
    item = (await app.outbox.for_cohort(1))[0]
    assert item.thread_id
    return item.thread_id


async def test_a_damaged_message_id_is_never_the_one_read_on_from(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    # The second try-out of damaged rows: a longer id or one stored as bytes came first, and
    # a Discord backfill failed reading on from it.
    thread = await _thread(console, app)
    for message_id in ("1001", "1002", "1003", "1004"):
        clock.advance(timedelta(seconds=1))
        await record_message(app, InboundMessage("console", message_id, ANN, "A thought.",
                                                 clock.now(), thread_id=thread))
    await app.db.execute("UPDATE responses SET message_id = 'a-damaged-id-longer-than-any'"
                         " WHERE message_id = '1003'")
    await app.db.execute("UPDATE responses SET message_id = X'39393939393939393939'"
                         " WHERE message_id = '1004'")
    assert await last_recorded(app, "console", thread) == "1002"


async def test_thread_replies_are_recorded_once_and_follow_edits(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    message = InboundMessage("console", "m1", ANN, "A first thought.", clock.now(),
                             thread_id=thread)
    assert await record_message(app, message) is Outcome.CREATED
    assert await record_message(app, message) is Outcome.UNCHANGED  # a replay or backfill
    assert await last_recorded(app, "console", thread) == "m1"
    later = clock.now() + timedelta(minutes=3)
    assert await record_edit(app, "console", "m1", "A second thought.", later) is Outcome.UPDATED
    assert await record_delete(app, "console", "m1", later) is Outcome.DELETED
    # Deleted means deleted: a tombstone (ids and times) stays, the text and history do not.
    row = await app.db.fetchone("SELECT prompt_id, message_id, body, created_at, edited_at,"
                                " deleted_at FROM responses")
    assert row is not None and tuple(row) == ("beginnings-comprehension", "m1", "",
                                              "2026-01-05T09:00:00Z", "2026-01-05T09:03:00Z",
                                              "2026-01-05T09:03:00Z")
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits") == 0
    # Nothing brings it back: a replay, a late edit, a second deletion.
    assert await record_message(app, message) is Outcome.UNCHANGED
    assert await record_edit(app, "console", "m1", "Back?", later) is Outcome.UNCHANGED
    assert await record_delete(app, "console", "m1", later) is Outcome.UNCHANGED
    assert await app.db.scalar("SELECT body FROM responses") == ""


async def test_messages_outside_prompt_threads_and_opted_out_authors_are_not_stored(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    chatter = InboundMessage("console", "x", ANN, "hello", clock.now(), thread_id="elsewhere")
    assert await record_message(app, chatter) is None
    await app.participants.ensure("console", "console:ann", clock.now())
    await app.db.execute("UPDATE participants SET opted_out = 1")
    reply = InboundMessage("console", "y", ANN, "private", clock.now(), thread_id=thread)
    assert await record_message(app, reply) is None
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


async def test_huge_messages_are_truncated_by_the_documented_rule(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    huge = InboundMessage("console", "big", ANN, "x" * 100_000, clock.now(), reply_to=thread)
    assert await record_message(app, huge) is Outcome.CREATED
    body = await app.db.scalar("SELECT body FROM responses")
    assert len(body) == MAX_BODY_CHARS and body.endswith(TRUNCATION_MARK)


async def test_concurrent_messages_share_commits_and_replays_change_nothing(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    people = [Actor("console", f"u{n}", f"person {n}") for n in range(40)]
    messages = [InboundMessage("console", f"m{n}", people[n % 40], f"Reply {n}", clock.now(),
                               thread_id=thread) for n in range(200)]
    before = app.response_writer.batches
    outcomes = await asyncio.gather(*(record_message(app, m) for m in messages + messages[:50]))
    assert outcomes.count(Outcome.CREATED) == 200
    assert outcomes.count(Outcome.UNCHANGED) == 50
    assert app.response_writer.batches - before <= 3  # group commit, not 250 transactions
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 200
    assert await app.db.scalar("SELECT COUNT(*) FROM participants") == 40


async def test_a_name_is_stored_on_one_line(console: ConsoleDriver, app: Services,
                                            clock: ManualClock) -> None:
    # A Matrix display name may hold line breaks: one began a heading in the Markdown export.
    thread = await _thread(console, app)
    named = Actor("console", "ann", "ann\n## Session 9: \x07forged\r\n  ")
    message = InboundMessage("console", "n1", named, "An answer.", clock.now(), thread_id=thread)
    assert await record_message(app, message) is Outcome.CREATED
    assert await app.db.scalar("SELECT display_name FROM participant_names") == \
        "ann ## Session 9: forged"


async def test_a_name_nothing_of_which_shows_is_stored_as_the_platform_id(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """A Discord nickname of a Hangul filler (U+3164), zero-width characters, a bidirectional
    control or controls alone exported as an author that looks empty; so did combining marks
    with no letter to sit on (helper-90). A name drawn, if oddly, is kept."""
    thread = await _thread(console, app)
    blank = ("\u3164", "\u200b\u200d", "\u202e", "\x07\x1b", " \u2060 ", "\u0301", " \u0301",
             "\u200b\u0301")
    drawn = ("e\u0301", "\u3164bob", "\U0001f600")
    for n, name in enumerate(blank + drawn):
        author = Actor("console", f"user{n}", name)
        message = InboundMessage("console", f"b{n}", author, "An answer.", clock.now(),
                                 thread_id=thread)
        assert await record_message(app, message) is Outcome.CREATED
    assert await app.db.fetch_tuples("SELECT p.external_id, n.display_name FROM participant_names n"
                                 " JOIN participants p ON p.id = n.participant_id"
                                 " WHERE p.external_id LIKE 'user%' ORDER BY 1") == \
        sorted([(f"user{n}", f"user{n}") for n in range(len(blank))]
               + [(f"user{len(blank) + n}", name) for n, name in enumerate(drawn)])


async def test_an_opted_out_author_is_left_untouched(console: ConsoleDriver, app: Services,
                                                     clock: ManualClock) -> None:
    thread = await _thread(console, app)
    quiet = await app.participants.ensure("console", "quiet", clock.now())
    await app.db.execute("INSERT INTO participant_names VALUES (?, 1, 'Old Name')", (quiet.id,))
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE external_id = 'quiet'")
    renamed = Actor("console", "quiet", "New Name")
    message = InboundMessage("console", "q1", renamed, "secret", clock.now(), thread_id=thread)
    assert await record_message(app, message) is None
    assert await app.db.scalar("SELECT display_name FROM participant_names") == "Old Name"
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0


async def test_a_failed_commit_is_reported_to_every_caller_and_stores_nothing(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    thread = await _thread(console, app)

    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(response_writer, "insert", broken)
    messages = [InboundMessage("console", f"f{n}", Actor("console", f"new{n}", "n"), "x",
                               clock.now(), thread_id=thread) for n in range(5)]
    results = await asyncio.gather(*(record_message(app, m) for m in messages),
                                   return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    # The whole batch rolled back: not even the new participants were kept.
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM participants WHERE external_id LIKE 'new%'") == 0
    # The writer forgot the authors it created in the rolled-back batch: a retry works.
    monkeypatch.undo()
    retried = await asyncio.gather(*(record_message(app, m) for m in messages))
    assert retried == [Outcome.CREATED] * 5


async def test_what_the_writer_remembers_gives_way_to_other_connections_changes(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """The writer keeps authors and prompt posts in memory between batches; an opt-out, a
    forget-me or a removed post committed elsewhere must count from the next message on."""
    thread = await _thread(console, app)

    def say(n: int) -> InboundMessage:
        return InboundMessage("console", f"k{n}", ANN, f"Thought {n}", clock.now(),
                              thread_id=thread)

    assert await record_message(app, say(1)) is Outcome.CREATED
    first_id = await app.db.scalar("SELECT id FROM participants WHERE external_id = ?",
                                   (ANN.user_id,))
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE id = ?", (first_id,))
    assert await record_message(app, say(2)) is None
    async with app.db.transaction():  # what forget-me does to the rows
        await app.db.execute("DELETE FROM responses WHERE participant_id = ?", (first_id,))
        await app.db.execute("DELETE FROM participants WHERE id = ?", (first_id,))
    # Someone else now gets the freed id: a stale memory would credit them with ann's reply.
    await app.participants.ensure("console", "console:zed", clock.now())
    assert await record_message(app, say(3)) is Outcome.CREATED
    assert await app.db.scalar("SELECT p.external_id FROM responses r JOIN participants p"
                               " ON p.id = r.participant_id") == ANN.user_id
    await app.db.execute("DELETE FROM outbox")
    assert await record_message(app, say(4)) is None
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 1


async def test_the_writer_forgets_a_name_or_an_opt_out_written_by_another_connection(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """Changes the writer's memory is built from count, made on any connection: a name
    changed there is written again, an opt-out recorded there refuses the next message;
    commits to other tables in between (a reminder, an audit row) do not hide them."""
    thread = await _thread(console, app)

    def say(n: int) -> InboundMessage:
        return InboundMessage("console", f"n{n}", ANN, f"Thought {n}", clock.now(),
                              thread_id=thread)

    assert await record_message(app, say(1)) is Outcome.CREATED
    other = sqlite3.connect(app.db.path, isolation_level=None, timeout=5)
    try:
        other.execute("UPDATE participant_names SET display_name = 'someone else'")
        other.execute("INSERT INTO audit_log (at, platform, actor_id, action, outcome)"
                      " VALUES ('2026-01-05T09:00:00Z', 'console', 'x', 'test', 'ok')")
        assert await record_message(app, say(2)) is Outcome.CREATED
        assert await app.db.scalar("SELECT display_name FROM participant_names") == "ann"
        other.execute("INSERT INTO opt_out_periods (platform, external_id, opted_out_at)"
                      " VALUES ('console', ?, '2026-01-01T00:00:00Z')", (ANN.user_id,))
        other.execute("INSERT INTO outbox (cohort_id, session_id, kind, item, due_at)"
                      " VALUES (1, 'x', 'reminder', 'x', '2027-01-01T00:00:00Z')")
        assert await record_message(app, say(3)) is None
    finally:
        other.close()
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 2


async def test_a_caller_that_gives_up_does_not_stop_the_others(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    messages = [InboundMessage("console", f"c{n}", ANN, f"Reply {n}", clock.now(),
                               thread_id=thread) for n in range(20)]
    tasks = [asyncio.create_task(record_message(app, m)) for m in messages]
    await asyncio.sleep(0)
    tasks[3].cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[3], asyncio.CancelledError)
    assert outcomes[:3] + outcomes[4:] == [Outcome.CREATED] * 19
    # What was handed over is written even if its caller stopped waiting.
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 20


async def test_a_lone_message_is_committed_without_waiting_for_company(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    before = app.response_writer.batches
    message = InboundMessage("console", "solo", ANN, "Alone.", clock.now(), thread_id=thread)
    assert await asyncio.wait_for(record_message(app, message), timeout=5) is Outcome.CREATED
    assert app.response_writer.batches == before + 1



async def test_messages_handed_over_together_keep_their_order_and_share_commits(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """record_messages: one outcome per message, in order (None where nothing is stored); a
    batch takes whole hand-overs as far as they fit, one larger than a batch is split."""
    thread = await _thread(console, app)
    monkeypatch.setattr(app.response_writer, "max_batch", 4)

    def burst(first: int, count: int) -> list[InboundMessage]:
        return [InboundMessage("console", f"m{n}", ANN, "" if n == 3 else f"Reply {n}.",
                               clock.now(), thread_id=None if n == 5 else thread)
                for n in range(first, first + count)]

    before = app.response_writer.batches
    together = await asyncio.gather(record_messages(app, burst(0, 3)),
                                     record_messages(app, burst(3, 3)),
                                     record_messages(app, burst(6, 7)))
    assert together == [[Outcome.CREATED] * 3,
                        [None, Outcome.CREATED, None],  # m3 is blank, m5 answers nothing
                        [Outcome.CREATED] * 7]
    # 3 new + 1 (the second hand-over's one submission) in one commit, then 7 as 4 + 3.
    assert app.response_writer.batches == before + 3
    again = await record_messages(app, burst(0, 13))
    assert again == [Outcome.UNCHANGED] * 3 + [None, Outcome.UNCHANGED, None] \
        + [Outcome.UNCHANGED] * 7
    assert await record_messages(app, []) == []
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 11


async def test_a_locked_database_gives_callers_a_clear_busy_and_stores_nothing(
        console: ConsoleDriver, app: Services, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    thread = await _thread(console, app)
    monkeypatch.setattr(response_writer, "BUSY_TIMEOUT_MS", 100)  # the writer's, not 5 s
    other = sqlite3.connect(app.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # someone else holds the write lock
    message = InboundMessage("console", "b1", ANN, "Waiting.", clock.now(), thread_id=thread)
    try:
        with pytest.raises(Busy):
            await record_message(app, message)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 0
    assert await record_message(app, message) is Outcome.CREATED  # the platform retries


async def test_every_way_in_stores_the_same_text(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """One write path, one normalisation: a thread reply, an edit and /seminar respond store
    "a\\x00b" alike, without its NUL (SQLite's length() would stop at it)."""
    thread = await _thread(console, app)
    await record_message(app, InboundMessage("console", "m1", ANN, "a\x00b", clock.now(),
                                             thread_id=thread))
    await console.say("/seminar respond 1.1 c\x00d")
    await record_message(app, InboundMessage("console", "m2", ANN, "first", clock.now(),
                                             thread_id=thread))
    await record_edit(app, "console", "m2", "e\x00f", clock.now() + timedelta(minutes=1))
    rows = await app.db.fetchall("SELECT body, length(body) FROM responses ORDER BY id")
    assert [tuple(row) for row in rows] == [("ab", 2), ("cd", 2), ("ef", 2)]
    assert "\x00" not in await console.say("/seminar mine")


async def test_a_deleted_response_leaves_no_trace_of_its_text_in_the_file(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    thread = await _thread(console, app)
    secret = "Zanzibar-marker-" * 30  # long enough to spill into an overflow page
    message = InboundMessage("console", "s1", ANN, secret + "first", clock.now(), thread_id=thread)
    assert await record_message(app, message) is Outcome.CREATED
    await record_edit(app, "console", "s1", secret + "second", clock.now())
    await app.db.scalar("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Zanzibar-marker-" in Path(app.db.path).read_bytes()
    await record_delete(app, "console", "s1", clock.now())
    await app.db.scalar("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Zanzibar-marker-" not in Path(app.db.path).read_bytes()


async def test_a_reply_to_a_response_answers_that_response_s_prompt(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """An older Matrix client's rich reply to a message in the prompt's thread (m.in_reply_to
    without m.thread), or a Discord reply to a response in the channel, was never recorded: it
    named no prompt itself. A message in a thread started from a response is not where the
    prompt is (helper-136: no catch-up reads such a thread, and erased what it held)."""
    thread = await _thread(console, app)
    item = (await app.outbox.for_cohort(1))[0]
    room = (await app.db.fetch_tuples("SELECT channel_id FROM cohorts WHERE id = 1"))[0][0]
    bob = Actor("console", "console:bob", "bob")

    def said(message_id: str, text: str, **where: str) -> InboundMessage:
        return InboundMessage("console", message_id, bob, text, clock.now(), channel_id=room,
                              **where)  # type: ignore[arg-type]

    assert await record_message(app, InboundMessage(
        "console", "r1", ANN, "In the thread.", clock.now(), thread_id=thread,
        channel_id=thread)) is Outcome.CREATED
    assert await record_message(app, said("r2", "A reply to it.", reply_to="r1")) \
        is Outcome.CREATED
    # A chain within one hand-over resolves through its own earlier messages.
    chain = [said("r3", "To r2.", reply_to="r2"), said("r4", "To r3.", reply_to="r3"),
             said("r5", "To r4.", reply_to="r4")]
    assert await record_messages(app, chain) == [Outcome.CREATED] * 3
    assert await record_message(app, InboundMessage(
        "console", "r6", bob, "In r2's thread.", clock.now(), thread_id="r2",
        channel_id="r2")) is None
    # Still nothing from elsewhere, nor a reply to a message that is no response.
    assert await record_message(app, InboundMessage(
        "console", "x1", bob, "From another room.", clock.now(), reply_to="r1",
        channel_id="elsewhere")) is None
    assert await record_message(app, said("x2", "To chatter.", reply_to="chatter")) is None
    rows = await app.db.fetch_tuples(
        "SELECT message_id, session_id, prompt_id, outbox_id, arrival FROM responses"
        " ORDER BY id")
    assert [row[0] for row in rows] == ["r1", "r2", "r3", "r4", "r5"]
    assert {row[1:4] for row in rows} == {(item.session_id, item.item, item.id)}
    assert [row[4] for row in rows] == ["thread", "reply", "reply", "reply", "reply"]


async def test_a_reply_to_a_refused_message_is_refused_alike_alone_or_together(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-136's 5: within one hand-over a reply to an opted-out person's message took the
    prompt from it (the chain was resolved before the refusals); alone, it answered nothing,
    its parent never stored. Now a reply is written after what it answers, so both agree."""
    await _thread(console, app)
    post = (await app.outbox.for_cohort(1))[0].message_id
    carol, bob = Actor("console", "console:carol", "carol"), Actor("console", "console:bob", "bob")
    assert await record_message(app, InboundMessage("console", "c0", carol, "Mine.",
                                                    clock.now(), reply_to=post))
    await app.db.execute("UPDATE participants SET opted_out = 1 WHERE external_id = ?",
                         ("console:carol",))
    alone = [await record_message(app, InboundMessage("console", "c1", carol, "Refused.",
                                                      clock.now(), reply_to=post)),
             await record_message(app, InboundMessage("console", "b1", bob, "To c1.",
                                                      clock.now(), reply_to="c1"))]
    together = await record_messages(app, [
        InboundMessage("console", "c2", carol, "Refused.", clock.now(), reply_to=post),
        InboundMessage("console", "b2", bob, "To c2.", clock.now(), reply_to="c2"),
        InboundMessage("console", "b3", bob, "To b2.", clock.now(), reply_to="b2")])
    assert alone == [None, None] and together == [None, None, None]
    # A chain whose first message is recorded is recorded whole, in one hand-over too.
    chain = await record_messages(app, [
        InboundMessage("console", "b5", bob, "To b4.", clock.now(), reply_to="b4"),
        InboundMessage("console", "b4", bob, "To c0.", clock.now(), reply_to="c0")])
    assert chain == [Outcome.CREATED, Outcome.CREATED]
    ids = [row[0] for row in await app.db.fetch_tuples("SELECT message_id FROM responses"
                                                       " ORDER BY id")]
    assert ids == ["c0", "b4", "b5"]  # each after what it answers


async def test_a_reply_to_the_bot_s_reminder_answers_its_prompt(
        console: ConsoleDriver, app: Services, clock: ManualClock) -> None:
    """helper-136's 6: an older Matrix client answers the reminder in a prompt's thread with a
    rich reply outside the thread; it named no prompt, and was lost."""
    await console.say("/seminar setup tue 19:00 UTC")
    await console.say("/seminar reminders 1d")
    await console.say("/clock advance 8d")
    items = await app.outbox.for_cohort(1)
    reminder = next(i for i in items if i.kind == "reminder" and i.message_id)
    prompt = next(i for i in items if i.kind == "prompt" and i.item == reminder.item)
    room = (await app.db.fetch_tuples("SELECT channel_id FROM cohorts WHERE id = 1"))[0][0]
    bob = Actor("console", "console:bob", "bob")
    said = InboundMessage("console", "old1", bob, "Answering the reminder.", clock.now(),
                          reply_to=reminder.message_id, channel_id=room)
    assert await record_message(app, said) is Outcome.CREATED
    elsewhere = InboundMessage("console", "old2", bob, "From another room.", clock.now(),
                               reply_to=reminder.message_id, channel_id="elsewhere")
    assert await record_message(app, elsewhere) is None
    assert await app.db.fetch_tuples(
        "SELECT outbox_id, prompt_id FROM responses WHERE message_id = 'old1'") \
        == [(prompt.id, prompt.item)]
