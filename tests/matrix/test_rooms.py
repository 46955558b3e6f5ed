"""Invites from allowed inviters only; a kick pauses the room's seminar and moderators are told
in another room; rate limits are waited out and reported, and nothing is lost."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from nio import RoomGetStateEventResponse

from seminarbot.clock import ManualClock
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, eventually
from tests.matrix.synapse import Synapse


async def test_only_allowed_inviters_are_joined(synapse: Synapse, people: People,
                                                tmp_path: Path, clock: ManualClock) -> None:
    mod, stranger = await people("mod"), await people("stranger")
    bot = BotHarness(synapse, synapse.register("bot"), tmp_path / "bot", clock,
                     allowed_users=(mod.user_id,), allowed_servers=("elsewhere.example",))
    try:
        await bot.start()
        refused = await stranger.create_room(invite=[bot.user_id], name="Not ours")
        accepted = await mod.create_room(invite=[bot.user_id])
        await mod.wait_member(accepted, bot.user_id)
        await stranger.wait_member(refused, bot.user_id, membership="leave")
        assert "Seminar set up" in await mod.command(accepted, "!seminar setup tue 19:00 UTC",
                                                     bot.user_id)
    finally:
        await bot.stop()


async def test_a_kick_pauses_the_seminar_and_moderators_hear_of_it_privately(
        bot: BotHarness, people: People) -> None:
    mod, ann = await people("mod"), await people("ann")
    seminar = await mod.create_room(invite=[bot.user_id], name="Tuesday seminar")
    lounge = await mod.create_room(invite=[bot.user_id, ann.user_id], name="Lounge")
    await mod.wait_member(seminar, bot.user_id)
    await mod.wait_member(lounge, bot.user_id)
    await ann.join(lounge)
    await mod.command(seminar, "!seminar setup tue 19:00 UTC", bot.user_id)

    await mod.client.room_kick(seminar, bot.user_id, reason="tidying up")
    told = await mod.wait_anywhere(lambda e: e.get("sender") == bot.user_id and "removed from"
                                   in e["content"].get("body", ""), "the notice")
    body = told["content"]["body"]
    assert "“Tuesday seminar”" in body and mod.user_id in body and "(tidying up)" in body
    assert "!seminar resume" in body and told["content"]["m.mentions"] == {}
    # In a direct room with the moderator: nobody else, ann in the lounge included, reads it.
    assert mod.room_of(told["event_id"]) not in (seminar, lounge)
    await ann.sync()
    assert not [e for e in ann.events.get(lounge, []) if e["sender"] == bot.user_id
                and e["type"] == "m.room.message"]
    app = bot.services
    assert await app.db.scalar("SELECT state FROM cohorts") == "paused"
    entry = (await app.audit.recent())[0]
    assert (entry.action, entry.actor_id, entry.detail["reason"]) == (
        "bot removed", mod.user_id, "tidying up")

    # Invited back, a moderator resumes it.
    await mod.invite_and_wait(seminar, bot.user_id)
    assert "Resumed" in await mod.command(seminar, "!seminar resume", bot.user_id)
    assert await app.db.scalar("SELECT state FROM cohorts") == "active"


async def test_rate_limits_are_waited_out_and_reported(
        synapse: Synapse, bot: BotHarness, people: People,
        caplog: pytest.LogCaptureFixture) -> None:
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)
    admin = synapse.register("admin", admin=True)
    limit = f"/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit"
    synapse.request("POST", limit, {"messages_per_second": 1, "burst_count": 1},
                    token=admin.access_token)
    try:
        with caplog.at_level(logging.WARNING, logger="seminarbot.adapters.matrix"):
            asked = [await mod.say(room, f"!term {word}")
                     for word in ("otryv", "soviet", "glasnost", "otryv")]
            for event_id in asked:
                await mod.answer_to(room, event_id, bot.user_id)
    finally:
        synapse.request("DELETE", limit, token=admin.access_token)
    assert any("M_LIMIT_EXCEEDED" in r.getMessage() and "retrying" in r.getMessage()
               for r in caplog.records)
    assert all(task.done() is False for task in bot.tasks)  # still running


async def test_a_bad_password_is_a_clear_error(synapse: Synapse, tmp_path: Path,
                                               clock: ManualClock) -> None:
    from seminarbot.adapters.matrix.login import LoginFailed

    account = synapse.register("bot")
    bot = BotHarness(synapse, account, tmp_path / "bot", clock)
    bot.settings = replace(bot.settings, matrix=replace(bot.settings.matrix, password="wrong"))
    try:
        with pytest.raises(LoginFailed, match="refused the login"):
            await bot.start()
    finally:
        await bot.stop()
    assert not (tmp_path / "bot" / "matrix" / "login.json").exists()


async def test_a_login_the_homeserver_ended_is_renewed_with_the_password(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)
    login_file = bot.settings.data_dir / "matrix" / "login.json"
    before = json.loads(login_file.read_text())
    synapse.request("POST", "/_matrix/client/v3/logout", {}, token=before["access_token"])
    assert (await mod.command(room, "!term otryv", bot.user_id)).startswith("otryv")
    after = json.loads(login_file.read_text())
    assert after["access_token"] != before["access_token"]
    assert after["device_id"] == before["device_id"]
    assert all(not task.done() for task in bot.tasks)


async def test_words_written_while_the_bot_was_out_are_read_when_it_is_back(
        bot: BotHarness, people: People) -> None:
    """helper-186's 1: kicked, then invited back, the bot lost what was written meanwhile: a
    new reply was never recorded and an edit left the export older than the room. Now the
    room's history is read back to its removal; a command typed meanwhile is not run."""
    from tests.matrix.test_restart import posted_seminar

    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    first = await ann.say(room, "Recorded before the kick.", thread=thread)

    async def recorded(count: int) -> bool:
        return bool(await app.db.scalar("SELECT COUNT(*) FROM responses") == count)

    await eventually(lambda: recorded(1), "the first reply")
    await mod.client.room_kick(room, bot.user_id, reason="by mistake")
    await mod.wait_member(room, bot.user_id, membership="leave")
    await ann.say(room, "Written while the bot was out.", thread=thread)
    await ann.edit(room, first, "Recorded before the kick, edited while it was out.")
    command = await ann.say(room, "!term soviet")
    await mod.invite_and_wait(room, bot.user_id)
    await eventually(lambda: recorded(2), "the reply written while the bot was out")
    assert "Resumed" in await mod.command(room, "!seminar resume", bot.user_id)
    bodies = [row[0] for row in await app.db.fetchall("SELECT body FROM responses ORDER BY id")]
    assert bodies == ["Recorded before the kick, edited while it was out.",
                      "Written while the bot was out."]
    assert not [e for e in mod.events.get(room, []) if e["sender"] == bot.user_id
                and command in str(e["content"].get("m.relates_to", {}))]


async def test_an_unban_is_no_second_removal_and_one_left_while_down_is_named(
        bot: BotHarness, people: People) -> None:
    """helper-186's 2 and 3: an unban (ban → leave) was taken for another removal: a second
    audit row and notice, which named the room by its id; so did a kick while the bot was
    stopped (it knew the room by the name it had at setup)."""
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id], name="Tuesday seminar")
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!seminar setup tue 19:00 UTC", bot.user_id)
    app = bot.services

    def notices() -> list[dict[str, Any]]:
        return [e for events in mod.events.values() for e in events
                if e.get("sender") == bot.user_id and "Its seminar is paused" in
                e["content"].get("body", "")]

    await mod.client.room_ban(room, bot.user_id, reason="spam?")
    await mod.wait_anywhere(lambda e: "banned from" in e["content"].get("body", ""), "notice")
    await mod.client.room_unban(room, bot.user_id)
    await mod.invite_and_wait(room, bot.user_id)
    assert "Resumed" in await mod.command(room, "!seminar resume", bot.user_id)
    assert len(notices()) == 1
    assert await app.db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'bot removed'") \
        == 1

    await bot.stop()
    await mod.client.room_kick(room, bot.user_id, reason="while it was down")
    await bot.start()
    told = await mod.wait_anywhere(lambda e: "(while it was down)" in e["content"].get(
        "body", ""), "the notice of a kick while the bot was stopped")
    assert "“Tuesday seminar”" in told["content"]["body"], told["content"]["body"]


async def test_an_answer_the_room_does_not_take_goes_to_the_direct_room(
        bot: BotHarness, people: People) -> None:
    """helper-186's 4: with the room's send level above the bot's, neither the answer nor the
    notice that it failed could be sent, and the person who asked heard nothing."""
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id], name="Tuesday seminar")
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!seminar setup tue 19:00 UTC", bot.user_id)
    state = await mod.client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(state, RoomGetStateEventResponse), state
    await mod.client.room_put_state(room, "m.room.power_levels",
                                    {**state.content, "events_default": 50})
    asked = await mod.say(room, "!term soviet")
    answer = await mod.wait_anywhere(lambda e: e.get("sender") == bot.user_id and "soviet" in
                                     e["content"].get("body", "").lower(), "the answer")
    assert mod.room_of(answer["event_id"]) != room
    assert asked


async def test_an_upgraded_room_pauses_its_seminar_and_moderators_hear_of_it_privately(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """The kind of helper-185's 1 on Matrix (helper-186 saw the old room stay active): after
    an upgrade only a raised power level posts in the old room, and the seminar does not
    follow, so every post would fail there."""
    from urllib.parse import quote

    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id], name="Tuesday seminar")
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!seminar setup tue 19:00 UTC", bot.user_id)
    done = synapse.request("POST", f"/_matrix/client/v3/rooms/{quote(room)}/upgrade",
                           {"new_version": "10"}, token=mod.account.access_token)
    told = await mod.wait_anywhere(lambda e: e.get("sender") == bot.user_id and "upgraded" in
                                   e["content"].get("body", ""), "the notice of the upgrade")
    body = told["content"]["body"]
    assert f"upgraded “Tuesday seminar” to a new room ({done['replacement_room']})" in body
    assert "!seminar setup" in body and mod.room_of(told["event_id"]) != room
    app = bot.services
    assert await app.db.scalar("SELECT state FROM cohorts") == "paused"
    assert (await app.audit.recent())[0].action == "room upgraded"


async def test_words_written_while_the_bot_was_banned_are_read_after_the_unban(
        bot: BotHarness, people: People) -> None:
    """helper-187's 1: the read back stopped at the unban's leave, not at the ban: a reply
    written while the bot was banned was lost."""
    from tests.matrix.test_restart import posted_seminar

    mod, ann, room, thread = await posted_seminar(bot, people)
    app = bot.services
    await mod.client.room_ban(room, bot.user_id, reason="by mistake")
    await mod.wait_member(room, bot.user_id, membership="ban")
    await ann.say(room, "Written while the bot was banned.", thread=thread)
    await mod.client.room_unban(room, bot.user_id)
    await mod.wait_member(room, bot.user_id, membership="leave")
    await ann.say(room, "Written after the unban.", thread=thread)
    await mod.invite_and_wait(room, bot.user_id)

    async def both() -> bool:
        return bool(await app.db.scalar("SELECT COUNT(*) FROM responses") == 2)

    await eventually(both, "both replies")
    assert await app.db.scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'bot removed'") == 1
