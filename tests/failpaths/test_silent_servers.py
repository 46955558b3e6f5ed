"""A server that takes the connection and never answers: every try of a log-in or a sync is
bounded (services.connections `answered`), and said in the log with the reason. Before, `run`
said nothing for 3 minutes on Matrix (nio's 60 s, three times) and 5 on Discord (aiohttp's
300 s), and a Matrix run's first sync (full state, which nio sends with no limit) waited for
ever. Loopback only; the limits are shortened."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import AsyncClient

from seminarbot.adapters.discord import client as discord_client
from seminarbot.adapters.discord import connecting
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.matrix import login, sync
from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.settings import MatrixSettings
from seminarbot.services import connections
from seminarbot.services.connections import RETRYING, NoAnswer, answered


@pytest.fixture
async def silent() -> AsyncIterator[str]:
    """http://127.0.0.1:PORT of a server that accepts and reads, and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def take(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read()

    server = await asyncio.start_server(take, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        for writer in held:
            writer.close()


async def test_answered_bounds_a_call_and_names_who_did_not_answer() -> None:
    cancelled = asyncio.Event()

    async def never() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    with pytest.raises(NoAnswer, match=r"^the homeserver did not answer within 0\.05 s$"):
        await answered(never(), 0.05, "the homeserver")
    assert cancelled.is_set()

    async def own_limit() -> None:
        raise TimeoutError("the SDK's own")

    with pytest.raises(TimeoutError, match="the SDK's own") as raised:
        await answered(own_limit(), 5, "Discord")
    assert type(raised.value) is TimeoutError  # not said to be ours

    async def value() -> int:
        return 7

    assert await answered(value(), 5, "Discord") == 7


def _first_report(reports: list[tuple[str, str]]) -> tuple[str, str]:
    assert reports, "nothing was reported"
    return reports[0]


async def _until_reported(task: asyncio.Task[object], reports: list[tuple[str, str]]) -> None:
    for _ in range(100):
        if reports:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_matrix_log_in_to_a_silent_homeserver_is_said_within_the_limit(
        silent: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(login, "ANSWER_LIMIT", 0.3)
    caplog.set_level(logging.INFO)
    settings = MatrixSettings(homeserver=silent, user_id="@bot:localhost", password="pw-0123456789")
    reports: list[tuple[str, str]] = []
    task = asyncio.ensure_future(login.connect(settings, MatrixFiles(tmp_path / "matrix"),
                                               lambda state, detail: reports.append((state,
                                                                                     detail))))
    await _until_reported(task, reports)
    assert _first_report(reports) == (
        RETRYING, "homeserver unavailable: the homeserver did not answer within 0.3 s")
    said = [record.getMessage() for record in caplog.records]
    assert f"matrix: connecting to {silent} as @bot:localhost" in said
    assert any("did not answer within 0.3 s); trying again" in line for line in said)
    assert not any("pw-0123456789" in line for line in said)


async def test_a_matrix_first_sync_a_homeserver_never_answers_is_tried_again(
        silent: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "FIRST_SYNC_LIMIT", 0.3)
    client = AsyncClient(silent, "@bot:localhost")
    client.restore_login("@bot:localhost", "DEVICE", "syt_token")
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    reports: list[tuple[str, str]] = []
    loop = sync.SyncLoop(client, files, report=lambda state, detail: reports.append((state,
                                                                                     detail)))
    try:
        assert await asyncio.wait_for(loop.ask_first(), 10) is None  # back off, then again
        assert await asyncio.wait_for(loop.ask_first(), 10) is None  # given twice as long
    finally:
        await client.close()
    assert reports == [(RETRYING, "sync failed: the homeserver did not answer within 0.3 s"),
                       (RETRYING, "sync failed: the homeserver did not answer within 0.6 s")]


async def test_a_discord_log_in_to_a_silent_api_is_said_within_the_limit(
        silent: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(connecting, "ANSWER_LIMIT", 0.3)
    caplog.set_level(logging.INFO)
    settings = DiscordSettings(token="MTIz.Gh.fake", api_base=f"{silent}/api/v10",
                               gateway_url=silent.replace("http", "ws"))
    reports: list[tuple[str, str]] = []
    async with discord_client.SeminarClient(settings) as client:
        task = asyncio.ensure_future(connecting._log_in(
            client, "MTIz.Gh.fake", lambda state, detail: reports.append((state, detail))))
        await _until_reported(task, reports)
    assert _first_report(reports) == (RETRYING, "Discord did not answer within 0.3 s")
    said = [record.getMessage() for record in caplog.records]
    assert f"discord: connecting to {silent}/api/v10" in said
    assert not any("MTIz.Gh.fake" in line for line in said)


def test_the_limits_are_shorter_than_the_sdks() -> None:
    """Each try is said within half a minute of a log-in, two of a first sync."""
    assert connections.ANSWER_LIMIT <= 30 and sync.FIRST_SYNC_LIMIT <= 120
    assert login.ANSWER_LIMIT is connections.ANSWER_LIMIT
