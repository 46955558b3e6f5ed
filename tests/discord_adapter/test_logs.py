"""No secret in the log at DEBUG: a whole session of `seminarbot run` against the fake Discord,
and a restart (the bot token, every interaction token, a forget-me code given before the
restart; the database holds no token either), nor participants' words; and discord.py's raw
gateway lines when someone turns them on."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.discord.sync import sync_commands
from seminarbot.core.redaction import redacting
from seminarbot.services.container import Services
from tests.bot_process import clean_environment, seminarbot_run
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_slash_commands import everything
from tests.discord_fake import FakeDiscord

STARTUP = 30.0  # seconds a fresh interpreter may take to connect on a slow machine


async def test_a_debug_session_of_seminarbot_run_logs_no_token_or_code(
        real_time_fake: FakeDiscord, app: Services, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = real_time_fake
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    endpoints = DiscordSettings(token=fake.token, api_base=fake.api_base,
                                gateway_url=fake.gateway_url)
    await sync_commands(dataclasses.replace(app.settings, discord=endpoints),
                        str(fake.world.guild_id), app.registry)
    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\nlog_level: DEBUG\n")
    env = clean_environment(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
                            DISCORD_GATEWAY_URL=fake.gateway_url)
    log, again = tmp_path / "run.log", tmp_path / "restarted.log"
    async with seminarbot_run(config, env, log):
        await eventually(lambda: "connected to Discord" in log.read_text(), within=STARTUP)
        await fake.slash("ann", "seminar-mod setup", weekday="tue", time="19:00",
                         timezone="UTC")
        await fake.complete("ann", "seminar-mod export", "participant", format="csv",
                            participant="b")
        assert "Posted session 1" in everything(await fake.slash("ann", "seminar-mod post"))
        await fake.slash("bob", "seminar respond", prompt="1.1", text="Councils first.")
        thread = int(fake.threads()[0]["id"])
        await fake.say("bob", thread, "Words of mine in the thread.")
        await fake.slash("bob", "seminar mine")
        asked = everything(await fake.slash("bob", "seminar forget-me"))
        code = re.search(r"forget-me ([A-Z0-9]{6}) within", asked)
        assert code, asked
    # After a restart the bot reads the threads again (discord.http answers with the messages),
    # and the code, given before, is typed.
    async with seminarbot_run(config, env, again):
        await eventually(lambda: "connected to Discord" in again.read_text(), within=STARTUP)
        done = await fake.slash("bob", "seminar forget-me", code=f"  {code.group(1).lower()} ")
        assert "Forgotten" in everything(done)
    text = log.read_text() + again.read_text()
    secrets = {"the bot token": fake.token, "the forget-me code": code.group(1),
               "the code as typed": code.group(1).lower()}
    secrets.update({f"interaction {log.id}'s token": log.token
                    for log in fake.rest.interactions.values()})
    assert len(secrets) == 10  # the token, the code (twice), 7 interactions
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert leaked == [], f"the log holds {', '.join(leaked)}"
    # Nor does the database: whoever has its file cannot act as the bot.
    stored = b"".join(f.read_bytes() for f in (tmp_path / "data").glob("seminarbot.db*"))
    assert stored and fake.token.encode() not in stored
    assert not [log.id for log in fake.rest.interactions.values() if log.token.encode() in stored]
    # It logged at DEBUG, the interaction URLs with their tokens redacted; the gateway's raw
    # events and the bodies of REST requests and answers (participants' words) stayed out.
    assert re.search(r" DEBUG discord\.webhook\.async_: .* POST \S+/interactions/\d+/"
                     r"\[redacted\]/callback", text)
    assert " DEBUG discord.client: " in text and "WebSocket Event" not in text
    assert " discord.http: " not in text
    assert "Councils first." not in text and "Words of mine" not in text


async def test_raw_gateway_lines_turned_on_on_purpose_are_redacted(
        bot: SeminarClient, fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.setFormatter(redacting(caplog.handler.formatter))
    caplog.set_level(logging.DEBUG, "discord.gateway")
    answer = await fake.slash("bob", "term", query="soviet")
    events = [line for line in caplog.text.splitlines() if "WebSocket Event" in line
              and "INTERACTION_CREATE" in line]
    assert events and "'token': '[redacted]'" in events[-1]
    assert answer.token not in caplog.text and fake.token not in caplog.text
