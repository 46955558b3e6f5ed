"""Commands typed in a room with the prefix: setup, !term, help, and a participant refused."""

from __future__ import annotations

import json

from tests.matrix.conftest import People
from tests.matrix.people import BotHarness


async def test_setup_term_and_help_in_a_room(bot: BotHarness, people: People) -> None:
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)

    # Matrix's word for the place, not Discord's (helper-178).
    before = await mod.command(room, "!seminar schedule", bot.user_id)
    assert "No seminar runs in this room yet" in before and "channel" not in before

    reply = await mod.command(room, "!seminar setup tuesday 19:00 Europe/Berlin", bot.user_id)
    assert "✓ Seminar set up" in reply and "Tuesdays at 19:00 Europe/Berlin" in reply
    assert "session 1 (Beginnings) on Tue 06 Jan 2026 19:00 CET" in reply
    cohort = await bot.services.cohorts.find("matrix", room, room)
    assert cohort is not None and cohort.rule.timezone == "Europe/Berlin"
    assert cohort.name == "Reading group"
    audit = await bot.services.audit.recent()
    assert (audit[0].actor_id, audit[0].action, audit[0].outcome) == (
        mod.user_id, "seminar setup", "ok")

    event_id = await mod.say(room, "!term otryv")
    answer = await mod.answer_to(room, event_id, bot.user_id)
    content = answer["content"]
    assert content["body"].startswith("otryv")
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>otryv</strong>" in content["formatted_body"]
    assert content["m.mentions"] == {}

    listing = await mod.command(room, "!help", bot.user_id)
    assert "!seminar setup WEEKDAY HH:MM TIMEZONE [START-DATE]" in listing
    assert "!term QUERY" in listing
    usage = await mod.command(room, "!seminar setup tuesday 25:00 Europe/Berlin", bot.user_id)
    assert "time" in usage and await bot.services.db.scalar("SELECT COUNT(*) FROM cohorts") == 1


async def test_a_participant_is_refused_a_moderator_command_and_it_is_audited(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    room = await mod.create_room(invite=[bot.user_id, ann.user_id])
    await mod.wait_member(room, bot.user_id)
    await ann.join(room)
    await mod.wait_member(room, ann.user_id)
    await mod.command(room, "!seminar setup tue 19:00 UTC", bot.user_id)

    refused = await ann.command(room, "!seminar pause", bot.user_id)
    assert "Only moderators may use !seminar pause." in refused
    row = await bot.services.db.fetchone(
        "SELECT actor_id, action, outcome, detail FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row is not None
    assert (row[0], row[1], row[2]) == (ann.user_id, "seminar pause", "refused")
    assert json.loads(row[3])["channel"] == room
    assert await bot.services.db.scalar("SELECT state FROM cohorts") == "active"
    # Her help leaves out what she may not use; the moderator's lists it.
    assert "!seminar pause" not in await ann.command(room, "!help", bot.user_id)
    # Raised to the configured power level (50), she may. (The creator outranks every level.)
    await mod.client.room_put_state(room, "m.room.power_levels", {"users": {ann.user_id: 50}})
    assert "Paused" in await ann.command(room, "!seminar pause", bot.user_id)
    assert await bot.services.db.scalar("SELECT state FROM cohorts") == "paused"
