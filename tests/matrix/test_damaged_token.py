"""A saved sync token the homeserver refuses (damaged, or from another homeserver), or one that
cannot be read: the bot says so and carries on from now, where it asked again with it for ever
(Synapse: 400 "Invalid stream token") or stopped at start (not UTF-8)."""

from __future__ import annotations

import logging

import pytest

from tests.matrix.conftest import People
from tests.matrix.people import BotHarness
from tests.matrix.test_restart import posted_seminar
from tests.matrix.test_words import stored


@pytest.mark.parametrize("damaged", [b"garbage-token", b"s1_\x00_2", b"\xff\xfe\x00",
                                     b"s1 2", b"s" * 20_000])  # too long: Synapse hangs up
async def test_a_damaged_sync_token_is_said_and_the_bot_carries_on_from_now(
        bot: BotHarness, people: People, caplog: pytest.LogCaptureFixture,
        damaged: bytes) -> None:
    _, ann, room, thread = await posted_seminar(bot, people)
    token_file = bot.settings.data_dir / "matrix" / "sync-token"
    await bot.stop()
    token_file.write_bytes(damaged)
    caplog.set_level(logging.ERROR, "seminarbot")
    app = await bot.start()
    reply = await ann.say(room, "After the damage.", thread=thread)
    assert await stored(app, reply) == "After the damage."
    assert token_file.read_bytes() != damaged
    assert "carrying on from now" in caplog.text
