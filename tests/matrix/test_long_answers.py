"""Answers too large for one Matrix event (the homeserver refuses over 64 KiB: M_TOO_LARGE)
continue over several, in plain and encrypted rooms; a send that still fails is reported to
whoever asked."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from seminarbot.adapters.matrix import bot as matrix_bot
from seminarbot.adapters.matrix.pages import MAX_EVENT_BYTES, reply_content
from seminarbot.core.invocation import Actor
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_message
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, Person, eventually
from tests.matrix.test_restart import posted_seminar

AT = datetime(2026, 1, 6, 19, 30, tzinfo=UTC)


async def record_many(app: Services, thread: str, authors: list[Actor], text: str) -> None:
    await asyncio.gather(*(record_message(app, InboundMessage(
        "matrix", f"$made-{index}", author, f"{text} {index}", AT, thread_id=thread))
        for index, author in enumerate(authors)))


async def all_answers(person: Person, room: str, command: str, bot: str, row_start: str,
                      rows: int) -> list[dict[str, Any]]:
    """Every notice answering the command (for the caller alone: in their direct room with
    the bot), once together they hold `rows` table rows (plain lines starting with
    `row_start`)."""
    async def complete() -> list[dict[str, Any]] | None:
        await person.sync(timeout_ms=200)
        found = person.answers_to(command, bot)
        lines = [line for e in found for line in e["content"]["body"].split("\n")
                 if line.startswith(row_start)]
        return found if len(lines) >= rows else None
    result: list[dict[str, Any]] = await eventually(complete, f"{rows} rows answered")
    return result


def size(event: dict[str, Any]) -> int:
    return len(json.dumps(event["content"], ensure_ascii=False, separators=(",", ":")).encode())


async def test_stats_for_600_participants_continue_over_several_events(
        bot: BotHarness, people: People) -> None:
    mod, _, room, thread = await posted_seminar(bot, people)
    app = bot.services
    readers = [Actor("matrix", f"@reader{n:03}:localhost", f"Reader {n:03} of the seminar")
               for n in range(600)]
    await record_many(app, thread, readers, "A short answer")
    command = await mod.say(room, "!seminar stats participants")
    answers = await all_answers(mod, room, command, bot.user_id, "Reader ", 600)

    assert len(answers) >= 2
    bodies = [e["content"]["body"] for e in answers]
    names = [line.split(" | ")[0] for body in bodies for line in body.split("\n")
             if line.startswith("Reader ")]
    assert sorted(names) == sorted(r.display_name for r in readers)  # each once, none lost
    assert bodies[0].startswith("Participation by person (600)")
    assert all(b.startswith("Participation by person (600) (continued)") for b in bodies[1:])
    assert all(b.split("\n")[1].startswith("participant | responses") for b in bodies)
    assert "not counted" in bodies[-1] and "not counted" not in bodies[0]
    assert all("<table><thead>" in e["content"]["formatted_body"] for e in answers)
    assert all(size(e) < MAX_EVENT_BYTES for e in answers)


async def test_mine_with_200_cyrillic_answers_continues_in_an_encrypted_room(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    await mod.command(room, "!seminar post", bot.user_id)
    app = bot.services
    thread = str(await app.db.scalar("SELECT thread_id FROM outbox ORDER BY id LIMIT 1"))
    her = Actor("matrix", ann.user_id, "ann")
    await record_many(app, thread, [her] * 200,
                      "Советы были школой участия, а не выбора; об этом спорят статья и блог")
    command = await ann.say(room, "!seminar mine")
    answers = await all_answers(ann, room, command, bot.user_id, "1.1 |", 200)

    assert len(answers) >= 3 and all(e["decrypted"] for e in answers)
    rows = [line for e in answers for line in e["content"]["body"].split("\n")
            if line.startswith("1.1 |")]
    assert len(rows) == 200 and all("Советы были школой участия" in row for row in rows)


async def test_a_send_the_homeserver_still_refuses_is_reported_to_whoever_asked(
        bot: BotHarness, people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    mod, _, room, thread = await posted_seminar(bot, people)
    app = bot.services
    await record_many(app, thread, [Actor("matrix", f"@r{n}:localhost", f"Reader {n:04}")
                                    for n in range(900)], "Short")
    # As if the answer were not cut to size: one event, which the homeserver refuses.
    monkeypatch.setattr(matrix_bot, "reply_contents",
                        lambda reply, encrypted: [reply_content(reply)])
    command = await mod.say(room, "!seminar stats participants")
    told = await mod.answer_to(room, command, bot.user_id)
    assert told["content"]["body"] == (
        "I could not send all of my answer to this (the homeserver refused a message as too "
        "large). Please try again later, or ask for less at once.")


async def test_a_reminder_naming_700_people_fits_one_event_and_says_how_many_more(
        bot: BotHarness, people: People) -> None:
    # Issue 13's second try-out, finding 5: the reminder went out as one event over 64 KiB,
    # refused (M_TOO_LARGE), and moderators got a raw error instead.
    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    await record_many(app, thread, [
        Actor("matrix", f"@r{n:04}:localhost", f"Reader {n:04} — " + "Владимир & <co> " * 2)
        for n in range(700)], "Short")
    await mod.command(room, "!seminar reminders 1d --names", bot.user_id)
    await bot.advance_to(datetime(2026, 1, 13, 0, 0, tzinfo=UTC))
    reminder = await ann.wait_for(room, lambda e: e["sender"] == bot.user_id and str(
        e["content"].get("body", "")).startswith("Reminder:"), "the reminder")
    body = reminder["content"]["body"]
    assert size(reminder) < MAX_EVENT_BYTES and len(body) <= 1_800
    assert body.startswith("Reminder: this discussion closes") and body.endswith(" others.")
    shown = body.count("Reader ")
    assert 0 < shown < 700 and f"and {700 - shown} others." in body

    async def posted() -> bool:
        return not await app.db.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder'"
                                       " AND state = 'failed'") and bool(await app.db.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND state = 'posted'"))
    assert await eventually(posted, "the reminder recorded as posted")
