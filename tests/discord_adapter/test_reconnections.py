"""Each reconnection discord.py makes on its own after a session is one line with its reason
(helper-96: a connection closed, a RECONNECT, an INVALID_SESSION were said at DEBUG only, so a
gateway that kept ending sessions went unsaid until the pacing's line, some 20 s on)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import pytest
from discord.gateway import ReconnectWebSocket

from seminarbot.adapters.discord.pacing import Paced
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import STARTUP, bot_saying
from tests.discord_fake import FakeDiscord


async def test_each_reconnection_is_one_line_with_its_reason(tmp_path: Path,
                                                              bare_fake: FakeDiscord) -> None:
    gateway = bare_fake.gateway
    async with bot_saying(tmp_path, bare_fake) as (process, said):
        await eventually(lambda: gateway.identifies == 1, within=STARTUP)
        await gateway.drop(resumable=True, hold=False)
        await eventually(lambda: gateway.resumes == 1, within=STARTUP)
        await gateway.ask_to_reconnect()
        await eventually(lambda: gateway.resumes == 2, within=STARTUP)
        await gateway.drop(resumable=False, hold=False)  # its RESUME: INVALID_SESSION
        await eventually(lambda: gateway.identifies == 2, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    told = "".join(said)
    assert process.returncode == 0, told
    ended = [line.split(": ", 1)[1].strip() for line in said
             if "discord: the gateway" in line and "in a row" not in line]  # not the pacing's
    assert ended == [
        "discord: the gateway connection ended: it closed the connection (code 4000); resuming "
        "the session",
        "discord: the gateway asked the bot to reconnect; resuming the session",
        "discord: the gateway connection ended: it closed the connection (code 4000); resuming "
        "the session",
        "discord: the gateway connection ended: it invalidated the session (INVALID_SESSION); "
        "beginning a new session"], told
    assert " WARNING seminarbot.adapters.discord.client: discord: the gateway connection " \
           "ended: it closed" in told
    assert " INFO seminarbot.adapters.discord.client: discord: the gateway asked" in told
    assert "Traceback" not in told and bare_fake.problems == []


def test_what_each_end_is_said_as(caplog: pytest.LogCaptureFixture) -> None:
    paced = Paced(None, lambda: False, 60.0)  # type: ignore[arg-type]
    caplog.set_level(logging.INFO)
    quiet = ReconnectWebSocket(None)
    quiet.__context__ = TimeoutError()  # discord.py's wait for any message
    paced.ended(quiet)  # no session yet: none to resume
    paced.began()
    paced.ended(quiet)
    paced.ended(OSError(104, "reset"))  # discord.py's "Attempting a reconnect" says it
    paced.ended(None)
    paced.unanswered = "it did not answer within 30 s"  # `_shut` said it
    paced.ended(ReconnectWebSocket(None, resume=False))
    assert [r.getMessage() for r in caplog.records] == [
        "discord: the gateway connection ended before any session began: it sent nothing for "
        "60 s; trying again",
        "discord: the gateway connection ended: it sent nothing for 60 s; resuming the session"]
