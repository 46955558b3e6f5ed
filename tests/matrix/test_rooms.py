"""Invites from allowed inviters only; a kick pauses the room's seminar and moderators are told
in another room; rate limits are waited out and reported, and nothing is lost."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from seminarbot.clock import ManualClock
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness
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
