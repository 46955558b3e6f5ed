"""`seminarbot run` starts the adapter before the services are open (services.opening): it logs
in and asks for its first sync meanwhile. What that sync brings is handled only once the
services are open, and if they never open, nothing of it is lost: its token is not saved, and
the next start handles it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from seminarbot.adapters.matrix import start
from seminarbot.adapters.matrix.login import LoginFailed
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.services.connections import CONNECTED, Connections
from seminarbot.services.opening import Opening
from tests.matrix.conftest import People
from tests.matrix.people import BotHarness, eventually
from tests.matrix.synapse import Synapse


async def synced(opening: Opening) -> bool:
    """The adapter has the answer to its first sync (it reports the link connected then)."""
    return bool(opening.connections.snapshot()["matrix"]["state"] == CONNECTED)


async def test_what_the_first_sync_brings_waits_for_the_services_and_is_never_lost(
        bot: BotHarness, people: People) -> None:
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)
    await mod.command(room, "!help", bot.user_id)
    await bot.stop()
    asked = await mod.say(room, "!term soviet")  # while the bot is down
    token_file = bot.settings.data_dir / "matrix" / "sync-token"
    token = token_file.read_text()

    # The services never open: the batch is not handled, its token not saved.
    opening = Opening(bot.settings, Connections(bot.clock, ["matrix"]))
    adapter = asyncio.create_task(start.run(opening))
    await eventually(lambda: synced(opening), "the first sync answered")
    await asyncio.sleep(0.5)
    adapter.cancel()
    await asyncio.gather(adapter, return_exceptions=True)
    assert token_file.read_text() == token
    await mod.sync()
    assert mod.answers_to(asked, bot.user_id) == []

    # They open after the first sync is answered: the command in it is answered, once.
    opening = Opening(bot.settings, Connections(bot.clock, ["matrix"]))
    adapter = asyncio.create_task(start.run(opening))
    app = None
    try:
        await eventually(lambda: synced(opening), "the first sync answered")
        assert token_file.read_text() == token
        app = await open_services(bot.settings, bot.clock, connections=opening.connections)
        opening.opened(app)
        await mod.answer_to(room, asked, bot.user_id)
        await eventually(lambda: _moved_on(token_file.read_text(), token), "the token saved")
        await mod.command(room, "!help", bot.user_id)
        assert len(mod.answers_to(asked, bot.user_id)) == 1
    finally:
        adapter.cancel()
        await asyncio.gather(adapter, return_exceptions=True)
        if app is not None:
            await app.close()


async def _moved_on(now: str, before: str) -> bool:
    return now != before


async def test_a_saved_login_ended_while_the_bot_was_down_is_renewed_on_the_same_device(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """The saved login is restored without asking the homeserver first; the first sync shows
    it no longer works, and the bot logs in again with the password, keeping its device."""
    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)
    login_file = bot.settings.data_dir / "matrix" / "login.json"
    before = json.loads(login_file.read_text())
    await bot.stop()
    synapse.request("POST", "/_matrix/client/v3/logout", {}, token=before["access_token"])
    await bot.start()
    assert (await mod.command(room, "!term otryv", bot.user_id)).startswith("otryv")
    after = json.loads(login_file.read_text())
    assert after["access_token"] != before["access_token"]
    assert after["device_id"] == before["device_id"]


async def test_a_saved_access_token_ended_while_the_bot_was_down_is_refused_plainly(
        synapse: Synapse, tmp_path: Path, clock: ManualClock) -> None:
    """With an access token and no password, there is nothing to log in again with."""
    account = synapse.register("bot")
    bot = BotHarness(synapse, account, tmp_path / "bot", clock)
    bot.settings = replace(bot.settings, matrix=replace(
        bot.settings.matrix, password=None, access_token=account.access_token))
    await bot.start()
    await bot.stop()
    synapse.request("POST", "/_matrix/client/v3/logout", {}, token=account.access_token)
    try:
        with pytest.raises(LoginFailed, match=r"access token .* was refused"):
            await bot.start()
    finally:
        await bot.stop()


async def test_a_device_deleted_on_the_homeserver_gets_its_keys_published_again(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-130's 2: an admin deleted the bot's device while it was down; it logged in again
    on the same device id, but nio's store said its keys were published, so the homeserver
    listed none and nobody encrypted anything for the bot: every reply in an encrypted room
    was lost. The homeserver is asked at each start, and keys it lacks are published again."""
    from urllib.parse import quote

    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id], encrypted=True)
    await mod.wait_member(room, bot.user_id)
    assert (await mod.command(room, "!term otryv", bot.user_id)).startswith("otryv")
    device = json.loads((bot.settings.data_dir / "matrix" / "login.json").read_text())[
        "device_id"]
    await bot.stop()
    admin = synapse.register("admin", admin=True)
    synapse.request("DELETE", f"/_synapse/admin/v2/users/{quote(bot.user_id)}/devices/{device}",
                    token=admin.access_token)
    await bot.start()
    listed = synapse.request("POST", "/_matrix/client/v3/keys/query",
                             {"device_keys": {bot.user_id: []}}, token=admin.access_token)
    assert device in listed["device_keys"].get(bot.user_id, {})
    await mod.sync()
    assert (await mod.command(room, "!term soviet", bot.user_id)).lower().startswith("soviet")


async def test_a_device_left_for_a_new_one_is_logged_out(
        synapse: Synapse, bot: BotHarness, people: People) -> None:
    """helper-130's 3: the store moved away (its keys gone) made the bot a new device, and
    the old one stayed on the account with a live token, one more at every such start."""
    import shutil
    from urllib.parse import quote

    mod = await people("mod")
    room = await mod.create_room(invite=[bot.user_id])
    await mod.wait_member(room, bot.user_id)
    login_file = bot.settings.data_dir / "matrix" / "login.json"
    before = json.loads(login_file.read_text())
    admin = synapse.register("admin", admin=True)

    def devices() -> set[str]:
        listed = synapse.request("GET", f"/_synapse/admin/v2/users/{quote(bot.user_id)}"
                                        "/devices", token=admin.access_token)
        return {d["device_id"] for d in listed["devices"]}

    assert before["device_id"] in devices()
    await bot.stop()
    shutil.rmtree(bot.settings.data_dir / "matrix" / "store")
    await bot.start()
    assert (await mod.command(room, "!term otryv", bot.user_id)).startswith("otryv")
    after = json.loads(login_file.read_text())
    assert after["device_id"] != before["device_id"]
    assert after["device_id"] in devices() and before["device_id"] not in devices()
