"""A connection's first message: a HELLO discord.py can keep, or a failed try (check_hello).
Discord's Gateway docs: every connection begins with op 10, `d.heartbeat_interval` in ms."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import time

import aiohttp
import discord.gateway
import discord.http
import pytest
from aiohttp import web
from hypothesis import example, given
from hypothesis import strategies as st

from seminarbot.adapters.discord import pacing
from seminarbot.adapters.discord.client import SeminarClient
from seminarbot.adapters.discord.connecting import connect
from seminarbot.adapters.discord.pacing import HEARTBEAT_FLOOR, NotHello, check_hello
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.services.connections import RETRYING
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import served
from tests.discord_fake import FakeDiscord

LONGEST = 60.0  # discord.py's wait for any message (heartbeat_timeout)
NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(min_value=10 ** 300, max_value=10 ** 400))


def kept(interval: object) -> bool:
    """The rule, said once more: a number, not a boolean, of HEARTBEAT_FLOOR to LONGEST s."""
    if isinstance(interval, bool) or not isinstance(interval, int | float):
        return False
    if isinstance(interval, int) and interval > 10 ** 300:
        return False
    return not math.isnan(interval) and HEARTBEAT_FLOOR <= interval / 1000 <= LONGEST


@given(NUMBERS | st.booleans() | st.text(max_size=5) | st.none())
@example(41250)
@example(0)
@example(-1)
@example(float("nan"))
@example(True)
@example(1000)
@example(60000)
@example(60001)
def test_a_hello_is_kept_only_with_an_interval_discord_py_can_keep(interval: object) -> None:
    message = json.dumps({"op": 10, "d": {"heartbeat_interval": interval}})
    if kept(interval):
        check_hello(message, LONGEST)
    else:
        with pytest.raises(NotHello, match="HELLO"):
            check_hello(message, LONGEST)


@given(st.dictionaries(st.text(max_size=3), st.integers() | st.none(), max_size=3)
       | st.lists(st.integers(), max_size=3) | st.integers() | st.none())
def test_a_first_message_that_is_no_hello_is_a_failed_try(message: object) -> None:
    if isinstance(message, dict) and message.get("op") == 10:
        return  # a HELLO: the test above
    with pytest.raises(NotHello, match=r"is not a HELLO \(op 10\)"):
        check_hello(json.dumps(message), LONGEST)


def test_what_is_no_json_is_left_to_discord_py_which_fails_on_it_the_same_way() -> None:
    check_hello("not json {{{", LONGEST)


async def test_a_gateway_that_sends_nothing_is_a_try_said_within_the_limit(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A gateway that took the connection and sent nothing was waited on for discord.py's 60 s
    (then 30 s more for its close to be answered), and the try was said as one the gateway
    closed. Now each try is shut after the answer limit and said as unanswered."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    caplog.set_level(logging.INFO)
    held: list[web.WebSocketResponse] = []
    done = asyncio.Event()

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoclose=False)
        await socket.prepare(request)
        held.append(socket)
        await done.wait()  # reads nothing, not even a close: answers nothing
        return socket

    settings = DiscordSettings(token=bare_fake.token, api_base=bare_fake.api_base)
    reports: list[tuple[str, ...]] = []
    async with served("/{tail:.*}", gateway) as address:
        settings = dataclasses.replace(settings, gateway_url=f"ws://{address}/")
        started = time.monotonic()
        async with SeminarClient(settings) as client:
            task = asyncio.create_task(connect(client, bare_fake.token,
                                               lambda *said: reports.append(said)))
            await eventually(lambda: len(reports) >= 2, within=15)
            took = time.monotonic() - started
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        done.set()  # the handlers end now, not at the server's 60 s limit
    assert len(held) >= 2 and took < 10, took
    lines = [r.getMessage() for r in caplog.records if "cannot reach" in r.getMessage()]
    assert lines and all("(it did not answer within 0.3 s)" in line for line in lines), lines
    assert reports[0] == (RETRYING, "the gateway: it did not answer within 0.3 s")


async def test_a_try_that_fails_after_an_unanswered_one_is_said_for_its_own_reason() -> None:
    """helper-94: "did not answer within 30 s" stayed with the tries after a silent one, a
    refused connection or an HTTP 503 among them."""
    async def refused(url: str, **_: object) -> aiohttp.ClientWebSocketResponse:
        raise aiohttp.ClientConnectionError("refused")

    paced = pacing.Paced(refused, lambda: False, 60.0)
    paced.unanswered = 30.0  # as `_no_hello` leaves it
    with pytest.raises(aiohttp.ClientConnectionError):
        await paced("ws://127.0.0.1:9/")
    assert paced.unanswered is None


def test_a_later_hello_is_held_to_the_same_rule() -> None:
    """helper-95: a second HELLO with an interval of 0, after a good one, spun a second
    keep-alive thread; a message that only has the word in its text is let through."""
    paced = pacing.Paced(None, lambda: False, 60.0)  # type: ignore[arg-type]
    paced._hello_due = True  # as a new connection leaves it
    paced.received('{"op": 10, "d": {"heartbeat_interval": 41250}}')
    paced.received('{"op": 0, "t": "MESSAGE_CREATE", "d": {"content": "heartbeat_interval"}}')
    paced.received('{"op": 10, "d": {"heartbeat_interval": 41250}}')
    with pytest.raises(NotHello, match="every 0 s"):
        paced.received('{"op": 10, "d": {"heartbeat_interval": 0}}')
    with pytest.raises(NotHello, match="every 0 s"):  # helper-96: the key spelt with escapes
        paced.received('{"op": 10, "d": {"heartbeat\\u005finterval": 0}}')


class _Shut:
    """What `Paced._no_hello` reads of a connection: shut, it says no more."""
    closed = False

    def get_extra_info(self, name: str) -> None:
        return None


async def test_a_reconnection_that_sends_nothing_is_a_line_of_its_own(
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-95: after a session, a reconnection to a gateway that sent nothing was shut and
    opened again by discord.py itself, every 30 s, with no log line (connecting.connect sees
    none of those tries). Now each is a WARNING; before a session connect's own line says it."""
    async def opened(url: str, **_: object) -> _Shut:
        return _Shut()

    for in_session in (True, False):
        caplog.clear()
        paced = pacing.Paced(opened, lambda: False, 60.0,  # type: ignore[arg-type]
                             retried_by_discord_py=lambda told=in_session: told)
        shut = await paced("ws://127.0.0.1:9/")
        paced._no_hello(shut, 30.0)  # type: ignore[arg-type]
        said = [r for r in caplog.records if "sent nothing within 30 s" in r.getMessage()]
        assert [r.levelname for r in said] == (["WARNING"] if in_session else [])
        assert paced.unanswered == 30.0


async def test_nothing_is_sent_on_a_connection_before_its_hello() -> None:
    """A part of a compressed message is no HELLO: discord.py, reading none, went on to its
    IDENTIFY or RESUME, each with the token. `sending` stops either (client.dispatch)."""
    async def opened(url: str, **_: object) -> _Shut:
        return _Shut()

    paced = pacing.Paced(opened, lambda: False, 60.0)  # type: ignore[arg-type]
    paced.sending()  # no connection yet: nothing to hold back
    await paced("ws://127.0.0.1:9/")
    with pytest.raises(NotHello, match="not a whole HELLO"):
        paced.sending()
    paced.received('{"op": 10, "d": {"heartbeat_interval": 41250}}')
    paced.sending()


async def test_a_silent_reconnection_after_a_session_is_said_and_resumed(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """End to end with the fake: discord.py itself opens the next connection after a silent
    one once it has a session, so `Paced` says it, once, and the session is resumed."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    caplog.set_level(logging.INFO)
    settings = DiscordSettings(token=bare_fake.token, api_base=bare_fake.api_base,
                               gateway_url=bare_fake.gateway_url)
    async with SeminarClient(settings) as client:
        task = asyncio.create_task(connect(client, bare_fake.token, lambda *said: None))
        try:
            await eventually(lambda: bare_fake.gateway.identifies == 1, within=15)
            bare_fake.gateway.instead_of_hello.append(None)
            await bare_fake.gateway.drop(resumable=True, hold=False)
            await eventually(lambda: bare_fake.gateway.resumes == 1, within=15)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [line for line in said if "sent nothing within 0.3 s" in line] == [
        "discord: the gateway sent nothing within 0.3 s of opening a connection; shutting it "
        "and opening another"], said
    assert not any("cannot reach" in line for line in said), said
    assert bare_fake.gateway.identifies == 1 and bare_fake.problems == []
