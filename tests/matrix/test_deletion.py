"""A redaction erases a response (text and edit history), leaving a tombstone that no replay
brings back; edits and redactions made while the bot was down (inside a gap it fills from the
room's history) are followed like live ones."""

from __future__ import annotations

import logging

import pytest

from seminarbot.services.container import Services
from tests.matrix import element
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, eventually
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import barrier, stored


async def tombstone(app: Services, event_id: str) -> tuple[str, int]:
    """(body, earlier versions kept) of a deleted response, once it is deleted."""
    async def deleted() -> bool:
        record = await app.responses.get("matrix", event_id)
        return record is not None and record.deleted_at is not None
    await eventually(deleted, f"{event_id} deleted")
    record = await app.responses.get("matrix", event_id)
    assert record is not None
    return record.body, len(await app.responses.history(record.id))


async def test_a_redacted_response_is_erased_and_a_replay_cannot_bring_it_back(
        bot: BotHarness, people: People) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    token_file = bot.settings.data_dir / "matrix" / "sync-token"
    before = token_file.read_text()
    reply = await ann.send(room, element.in_thread("First thoughts.", thread, thread))
    assert await stored(app, reply) == "First thoughts."
    await ann.send(room, element.edit("Second thoughts.", reply))

    async def edited() -> bool:
        record = await app.responses.get("matrix", reply)
        return record is not None and record.edited_at is not None
    await eventually(edited, "the edit recorded")
    await ann.redact(room, reply)
    assert await tombstone(app, reply) == ("", 0)

    # The bot crashes before saving its sync token: the whole stretch is handled again.
    await bot.stop()
    token_file.write_text(before)
    app = await bot.start(timeline_limit=3)
    await barrier(ann, room, thread, app)
    assert await tombstone(app, reply) == ("", 0)
    assert await app.db.scalar("SELECT COUNT(*) FROM response_edits") == 0


async def test_edits_and_redactions_inside_a_sync_gap_are_followed(
        bot: BotHarness, people: People, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "seminarbot")
    _, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    edited = await ann.send(room, element.in_thread("Before the gap.", thread, thread))
    withdrawn = await ann.send(room, element.in_thread("To be withdrawn.", thread, edited))
    assert await stored(app, withdrawn) == "To be withdrawn."

    await bot.stop()
    await ann.send(room, element.edit("Before the gap, revised during it.", edited))
    await ann.redact(room, withdrawn)
    during = await ann.send(room, element.in_thread("Written during the gap.", thread, edited))
    for n in range(8):  # more than the timeline limit below: the restart must fill a gap
        await ann.send(room, element.in_thread(f"Filler {n}.", thread, during))
    app = await bot.start(timeline_limit=3)

    assert await stored(app, during) == "Written during the gap."
    await barrier(ann, room, thread, app)
    assert await stored(app, edited) == "Before the gap, revised during it."
    assert await tombstone(app, withdrawn) == ("", 0)
    assert await app.db.scalar("SELECT COUNT(*) FROM responses WHERE deleted_at IS NULL") == 11
    assert any("filled a gap" in r.getMessage() for r in caplog.records)  # read from history
