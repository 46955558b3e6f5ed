"""The real discord.py client against the loopback fake, on a real database."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime

import discord.gateway
import discord.http
import pytest

from seminarbot.adapters.discord.bot import bound_client
from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.discord.sync import sync_commands
from seminarbot.clock import ManualClock, SystemClock
from seminarbot.core.commands import Command
from seminarbot.services.container import Services
from tests.discord_fake import WAIT, FakeDiscord

Connect = Callable[..., Awaitable[SeminarClient]]


async def eventually(check: Callable[[], bool | Awaitable[bool]], *,
                     within: float = WAIT) -> None:
    """Wait until `check` holds, for at most `within` seconds (the bot acts in its own tasks)."""
    async with asyncio.timeout(within):
        while True:
            result = check()
            if not isinstance(result, bool):
                result = await result
            if result:
                return
            await asyncio.sleep(0.005)


async def _checked(now: Callable[[], datetime]) -> AsyncIterator[FakeDiscord]:
    """The fake on this clock, checked at the end for anything it did not expect."""
    server = FakeDiscord(now)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    server.check()


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeDiscord]:
    async for server in _checked(clock.now):
        yield server


@pytest.fixture
async def real_time_fake() -> AsyncIterator[FakeDiscord]:
    """The fake on real time, for a `seminarbot run` process, which runs on it: Discord takes
    an interaction's first answer within three seconds of its id's time."""
    async for server in _checked(SystemClock().now):
        yield server


@pytest.fixture
async def bare_fake(clock: ManualClock) -> AsyncIterator[FakeDiscord]:
    """The fake without its closing check, for tests that refuse the bot on purpose."""
    server = FakeDiscord(clock.now)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def connect(app: Services, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
                  caplog: pytest.LogCaptureFixture) -> AsyncIterator[Connect]:
    """Sync the commands to the test server (as an operator would), then connect the bot."""
    # The adapter points discord.py's class-level endpoints at the fake; put them back after.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    app.settings = dataclasses.replace(app.settings, discord=DiscordSettings(
        token=fake.token, api_base=fake.api_base, gateway_url=fake.gateway_url,
        moderator_role="Tutors"))
    clients: list[tuple[SeminarClient, asyncio.Task[None]]] = []

    async def start(extra: Iterable[Command] = ()) -> SeminarClient:
        for command in extra:
            app.registry.add(command)
        await sync_commands(app.settings, str(fake.world.guild_id), app.registry)
        client = bound_client(app, guild_ready_timeout=0.01, reidentify_delay=0)
        clients.append((client, asyncio.create_task(client.start(fake.token))))
        await eventually(lambda: client.handlers.catch_ups >= 1)
        return client

    caplog.set_level(logging.INFO, "seminarbot")
    yield start
    for client, task in clients:
        await client.close()
        await asyncio.wait_for(task, WAIT)
    # caplog.records holds only the teardown's by now: the test's own are the call phase's.
    errors = [r.getMessage() for phase in ("setup", "call", "teardown")
              for r in caplog.get_records(phase) if r.levelno >= logging.ERROR]
    assert not errors, f"errors were logged: {errors}"


@pytest.fixture
async def bot(connect: Connect) -> SeminarClient:
    return await connect()
