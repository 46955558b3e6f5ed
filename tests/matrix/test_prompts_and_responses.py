"""A scheduled prompt posted as a thread root; replies, rich replies, edits and redactions
recorded; a file attachment downloaded by a participant."""

from __future__ import annotations

from datetime import UTC, datetime

from seminarbot.core.commands import Command
from seminarbot.core.invocation import Invocation
from seminarbot.core.replies import Attachment, Reply
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually

PROMPT_1_1 = "What did the council keep, and who read it?"


async def seminar_room(bot: BotHarness, people: People) -> tuple[Person, Person, str]:
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id])
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    return mod, ann, room


async def test_a_scheduled_prompt_is_a_thread_root_and_replies_are_recorded(
        bot: BotHarness, people: People) -> None:
    mod, ann, room = await seminar_room(bot, people)
    app = bot.services
    assert not await app.db.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'posted'")

    await bot.advance_to(datetime(2026, 1, 6, 18, 0, tzinfo=UTC))  # Tue 19:00 in Berlin
    prompt = await ann.wait_for(room, lambda e: PROMPT_1_1 in e["content"].get("body", ""),
                                "prompt 1.1 in the room")
    content = prompt["content"]
    assert prompt["sender"] == bot.user_id and content["msgtype"] == "m.text"
    assert "Session 1: Beginnings · prompt 1.1 (comprehension)" in content["body"]
    assert "<strong>Session 1: Beginnings" in content["formatted_body"]
    assert content["m.mentions"] == {}
    row = await app.db.fetchone(
        "SELECT state, message_id, thread_id FROM outbox WHERE item = 'beginnings-comprehension'")
    assert row is not None and tuple(row) == ("posted", prompt["event_id"], prompt["event_id"])

    async def all_three_posted() -> bool:
        return await app.db.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'posted'") == 3
    await eventually(all_three_posted, "the session's three prompts posted")

    # A reply in its thread, and a rich reply to it, are both responses to prompt 1.1.
    in_thread = await ann.say(room, "The minutes, read aloud.", thread=prompt["event_id"])
    rich = await mod.say(room, "Everyone could read them.", reply_to=prompt["event_id"])
    chatter = await ann.say(room, "Unrelated chatter.")

    async def recorded() -> bool:
        return await app.db.scalar("SELECT COUNT(*) FROM responses") == 2
    await eventually(recorded, "two responses recorded")
    rows = await app.db.fetchall(
        "SELECT r.message_id, r.prompt_id, r.body, p.external_id FROM responses r"
        " JOIN participants p ON p.id = r.participant_id ORDER BY r.id")
    assert [tuple(r) for r in rows] == [
        (in_thread, "beginnings-comprehension", "The minutes, read aloud.", ann.user_id),
        (rich, "beginnings-comprehension", "Everyone could read them.", mod.user_id)]
    assert await app.responses.get("matrix", chatter) is None

    # The homeserver itself lists the prompt as a thread root.
    roots = [event.event_id async for event in ann.client.room_get_threads(room)]
    assert prompt["event_id"] in roots

    # An edit updates the response and keeps the history; another user's "edit" is ignored;
    # a redaction marks it deleted.
    await ann.edit(room, in_thread, "The minutes, read aloud weekly.")
    await mod.edit(room, in_thread, "Hijacked.")
    await mod.redact(room, rich)

    async def followed() -> bool:
        record = await app.responses.get("matrix", rich)
        return record is not None and record.deleted_at is not None
    await eventually(followed, "the redaction recorded")
    record = await app.responses.get("matrix", in_thread)
    assert record is not None and record.body == "The minutes, read aloud weekly."
    assert [body for body, _ in await app.responses.history(record.id)] == [
        "The minutes, read aloud."]
    assert await app.responses.count_for_prompt(1, "beginnings-comprehension") == (1, 1)
    mine = await ann.command(room, "!seminar mine", bot.user_id)
    assert "1.1" in mine and "(edited)" in mine


async def test_attachments_go_out_as_files_a_participant_can_download(
        bot: BotHarness, people: People) -> None:
    data = b"participant,prompt,words\nann,1.1,4\n"

    async def export(inv: Invocation) -> Reply:
        return Reply(title="Export", paragraphs=("Here it is.",),
                        attachments=(Attachment("responses.csv", data, "text/csv"),))

    bot.services.registry.add(Command(("testexport",), "Send a file (test only)", export))
    mod, ann, room = await seminar_room(bot, people)
    command = await mod.say(room, "!testexport")
    file_event = await ann.answer_to(room, command, bot.user_id, msgtype="m.file")
    content = file_event["content"]
    assert content["body"] == "responses.csv" and content["info"]["mimetype"] == "text/csv"
    assert content["info"]["size"] == len(data)
    assert await ann.download(content["url"]) == data
    notice = await ann.answer_to(room, command, bot.user_id)
    assert "File: responses.csv" in notice["content"]["body"]

