"""Nothing lost or doubled across restarts: what participants post while the bot is down is
recorded once when it is back, commands sent meanwhile are answered once, and a replayed stretch
of the timeline (a crash before the sync token was saved) changes nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from seminarbot.adapters.matrix.render import KEY_FIELD
from seminarbot.core.replies import PromptPost
from seminarbot.storage import response_writer
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually, replies


async def answers(person: Person, room: str, event_id: str, bot: str) -> int:
    return sum(1 for e in person.events.get(room, []) if replies(e, event_id, bot))


async def test_the_bot_restarted_while_participants_post_records_every_post_once(
        bot: BotHarness, people: People) -> None:
    mod, ann, bob = await people("mod"), await people("ann"), await people("bob")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id, bob.user_id])
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await bob.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    app = bot.services
    thread = await app.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1")
    device = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())["device_id"]

    sent: list[str] = []

    async def post(person: Person, count: int, label: str) -> None:
        for n in range(count):
            sent.append(await person.say(room, f"{label} {n}", thread=thread))
            await asyncio.sleep(0.02)

    # They keep posting while the bot stops, while it is down, and while it starts again.
    chatter = asyncio.gather(post(ann, 12, "ann"), post(bob, 12, "bob"))
    await asyncio.sleep(0.1)
    await bot.stop()
    await post(ann, 8, "ann while down")  # more than the timeline limit below: a gap to fill
    while_down = await mod.say(room, "!term soviet")
    # A small timeline limit forces the restart's sync to fill the gap from the room history.
    app = await bot.start(timeline_limit=5)
    await chatter

    async def all_recorded() -> bool:
        return await app.db.scalar("SELECT COUNT(*) FROM responses") == len(sent)
    await eventually(all_recorded, f"{len(sent)} responses recorded")
    recorded = [r[0] for r in await app.db.fetchall("SELECT message_id FROM responses")]
    assert sorted(recorded) == sorted(sent)
    await mod.answer_to(room, while_down, bot.user_id)
    await mod.command(room, "!help", bot.user_id)  # answered after everything before it
    assert await answers(mod, room, while_down, bot.user_id) == 1

    # The same device (and store) came back, and the token moved on.
    login = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())
    assert login["device_id"] == device
    assert (bot.settings.data_dir / "matrix" / "sync-token").read_text()


async def posted_seminar(bot: BotHarness, people: People) -> tuple[Person, Person, str, str]:
    """A moderator and ann in a room whose first session is posted: them, the room and the
    first prompt's thread."""
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id])
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    thread = await bot.services.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1")
    return mod, ann, room, str(thread)


async def test_a_replayed_timeline_is_neither_recorded_nor_answered_twice(
        bot: BotHarness, people: People) -> None:
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    token_file = bot.settings.data_dir / "matrix" / "sync-token"
    old_token = token_file.read_text()

    replies_sent = [await ann.say(room, f"answer {n}", thread=thread) for n in range(3)]
    edited = await ann.edit(room, replies_sent[0], "answer 0, revised")
    command = await ann.say(room, "!term otryv")
    await ann.answer_to(room, command, bot.user_id)
    await mod.command(room, "!seminar pause", bot.user_id)

    async def edited_seen() -> bool:
        record = await app.responses.get("matrix", replies_sent[0])
        return record is not None and record.edited_at is not None
    await eventually(edited_seen, "the edit recorded")
    assert edited
    # A crash that lost the token's progress: the next start reads all of it again.
    await bot.stop()
    token_file.write_text(old_token)
    app = await bot.start(timeline_limit=3)
    barrier = await ann.say(room, "!help")
    await ann.answer_to(room, barrier, bot.user_id)
    assert await app.db.scalar("SELECT COUNT(*) FROM responses") == 3
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits") == 1
    assert await answers(ann, room, command, bot.user_id) == 1
    # The moderator's command ran again ("already paused") but is audited once.
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'seminar pause'") == 1


async def test_a_prompt_sent_before_a_crash_is_found_in_the_room_not_sent_again(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id])
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    app = bot.services
    sent, unsent = (await app.outbox.for_cohort(1))[:2]  # due tomorrow evening, not yet
    for item in (sent, unsent):
        assert await app.outbox.claim(item.id, bot.clock.now())
    # The crash: the first was posted, and neither was recorded.
    ref = await app.posters["matrix"].post_prompt(PromptPost(
        cohort_id=1, channel_id=room, session_number=1, session_title="Beginnings",
        prompt_id=sent.item, prompt_ref="1.1", kind="comprehension", text="The question.",
        idempotency_key=sent.idempotency_key))
    # Someone answers in its thread before it is recorded: the sync brings it to a bot that
    # knows no such prompt, so it is read back from the thread once the post is found.
    await ann.join(room)
    early = await ann.say(room, "Answered before it was recorded.", thread=ref.message_id)
    await bot.stop()
    app = await bot.start()

    async def settled() -> bool:
        rows = await app.db.fetchall("SELECT state FROM outbox WHERE id IN (?, ?) ORDER BY id",
                                     (sent.id, unsent.id))
        return [r[0] for r in rows] == ["posted", "pending"]
    await eventually(settled, "the claimed rows reconciled")
    assert await app.db.scalar("SELECT message_id FROM outbox WHERE id = ?",
                               (sent.id,)) == ref.message_id
    from tests.matrix.test_words import stored  # which imports this module

    assert await stored(app, early) == "Answered before it was recorded."
    await mod.sync()
    keyed = [e for e in mod.events[room] if e["content"].get(KEY_FIELD)]
    assert [e["event_id"] for e in keyed] == [ref.message_id]


@pytest.mark.parametrize("chatter", [0, 130])  # messages between: past a page of them
async def test_what_the_room_said_after_a_prompt_found_after_a_crash_is_all_read_back(
        bot: BotHarness, people: People, chatter: int) -> None:
    """helper-109: only the thread was read back (GET /relations/{root}/m.thread), which lists
    no edit and no rich reply: an answer edited meanwhile kept its first draft, and a rich
    reply to the prompt was never recorded. Now every message and redaction after the prompt
    is handed over again, oldest first; a message that showed nothing and was then edited
    into words is recorded with them (also live: the final state counts)."""
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id])
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    app = bot.services
    sent = (await app.outbox.for_cohort(1))[0]
    assert await app.outbox.claim(sent.id, bot.clock.now())
    ref = await app.posters["matrix"].post_prompt(PromptPost(
        cohort_id=1, channel_id=room, session_number=1, session_title="Beginnings",
        prompt_id=sent.item, prompt_ref="1.1", kind="comprehension", text="The question.",
        idempotency_key=sent.idempotency_key))
    root = ref.message_id
    await ann.join(room)
    for n in range(chatter):
        await mod.send(room, element.typed(f"Chatter {n}."))
    draft = await ann.send(room, element.in_thread("First draft, typo.", root, root))
    await ann.send(room, element.edit("Final answer, corrected.", draft))
    reply = await ann.send(room, element.rich_reply("My answer, as a reply.", root))
    blank = await ann.send(room, element.in_thread("\u200b", root, draft))
    await ann.send(room, element.edit("The words I meant to send.", blank))
    gone = await ann.send(room, element.in_thread("Posted by mistake.", root, blank))
    await ann.redact(room, gone)
    await mod.command(room, "!help", bot.user_id)  # all of it handled before the crash
    await bot.stop()
    app = await bot.start()
    expected = {draft: "Final answer, corrected.", reply: "My answer, as a reply.",
                blank: "The words I meant to send."}

    async def read_back() -> bool:  # the edits come after what they edit: all of it, or wait
        records = [await app.responses.get("matrix", event) for event in expected]
        return [record and record.body for record in records] == list(expected.values())
    await eventually(read_back, "what was said after the prompt, read back")
    assert await app.db.scalar("SELECT COUNT(*) FROM responses WHERE message_id = ?"
                               " AND deleted_at IS NULL", (gone,)) == 0
    assert await app.db.scalar("SELECT state FROM cohorts WHERE id = 1") == "active"


async def test_a_reply_that_meets_a_locked_database_is_recorded_once_it_is_free(
        bot: BotHarness, people: People, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(response_writer, "BUSY_TIMEOUT_MS", 100)  # give up fast, not in 5 s
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services

    other = sqlite3.connect(app.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        reply = await ann.say(room, "Written while the database is locked.", thread=thread)
        await eventually(lambda: _logged(caplog, "the database was busy"),
                         "the bot to meet the lock")
    finally:
        other.execute("ROLLBACK")
        other.close()

    async def recorded() -> bool:
        return await app.db.scalar(
            "SELECT COUNT(*) FROM responses WHERE message_id = ?", (reply,)) == 1
    await eventually(recorded, "the reply recorded once the database is free")


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in record.getMessage() for record in caplog.records)


async def test_a_reply_that_meets_a_full_disk_is_recorded_once_there_is_room(
        bot: BotHarness, people: People, caplog: pytest.LogCaptureFixture) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    writer = app.response_writer._connection()
    pages = writer.execute("PRAGMA page_count").fetchone()[0]
    writer.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
    try:
        reply = await ann.say(room, "Written while the disk is full. " + "x" * 6000,
                              thread=thread)
        await eventually(lambda: _logged(caplog, "the disk is full"),
                         "the bot to meet the full disk")
    finally:
        writer.execute("PRAGMA max_page_count = 1073741823")

    async def recorded() -> bool:
        return await app.db.scalar(
            "SELECT COUNT(*) FROM responses WHERE message_id = ?", (reply,)) == 1
    await eventually(recorded, "the reply recorded once the disk has room")
