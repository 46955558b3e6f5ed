"""A connection's first message: a HELLO discord.py can keep, or a failed try (check_hello).
Discord's Gateway docs: every connection begins with op 10, `d.heartbeat_interval` in ms."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import time
import zlib
from collections.abc import Awaitable, Callable

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
from seminarbot.services.container import Services
from tests.discord_adapter.conftest import eventually
from tests.discord_adapter.test_unreachable import _part_of_a_message, served
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


def endpoints_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The REST base and gateway discord.py keeps process-wide (endpoints.use_endpoints) put
    back after the test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def connected_until(fake: FakeDiscord,
                          gateway: Callable[[web.Request], Awaitable[web.StreamResponse]],
                          until: Callable[[SeminarClient], bool], *, within: float,
                          report: Callable[..., None] = lambda *said: None) -> None:
    """A client connecting (connecting.connect) to `gateway` served on loopback, behind the
    fake's REST, until `until(client)` holds (at most `within` seconds); then stopped."""
    settings = DiscordSettings(token=fake.token, api_base=fake.api_base)
    async with served("/{tail:.*}", gateway) as address:
        settings = dataclasses.replace(settings, gateway_url=f"ws://{address}/")
        async with SeminarClient(settings) as client:
            task = asyncio.create_task(connect(client, fake.token, report))
            try:
                await eventually(lambda: until(client), within=within)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

async def test_a_gateway_that_sends_nothing_is_a_try_said_within_the_limit(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A gateway that took the connection and sent nothing was waited on for discord.py's 60 s
    (then 30 s more for its close to be answered), and the try was said as one the gateway
    closed. Now each try is shut after the answer limit and said as unanswered."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    endpoints_restored(monkeypatch)
    caplog.set_level(logging.INFO)
    held: list[web.WebSocketResponse] = []
    done = asyncio.Event()

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoclose=False)
        await socket.prepare(request)
        held.append(socket)
        await done.wait()  # reads nothing, not even a close: answers nothing
        return socket

    reports: list[tuple[str, ...]] = []
    started = time.monotonic()
    took: list[float] = []

    def said_twice(_: SeminarClient) -> bool:
        if len(reports) < 2:
            return False
        took.append(time.monotonic() - started)
        done.set()  # the handlers end now, not at the server's 60 s limit
        return True

    await connected_until(bare_fake, gateway, said_twice, within=15,
                          report=lambda *said: reports.append(said))
    assert len(held) >= 2 and took[0] < 10, took
    lines = [r.getMessage() for r in caplog.records if "no session with Discord" in r.getMessage()]
    assert lines and all("(it did not answer within 0.3 s)" in line for line in lines), lines
    assert reports[0] == (RETRYING, "the gateway: it did not answer within 0.3 s")



async def test_a_gateway_that_begins_no_session_is_a_try_said_within_the_limit(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-96: a gateway that sent its HELLO and answered heartbeats, but never the
    IDENTIFY or RESUME, was waited on for 60 s a connection (discord.py's wait for a message,
    then a RESUME on the same terms), with a DEBUG line only; with heartbeats answered,
    forever. Now a session must begin within the answer limit: each connection is shut then,
    with a WARNING line, and the next is paced."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    endpoints_restored(monkeypatch)
    caplog.set_level(logging.INFO)
    sent: list[int] = []

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str('{"op": 10, "d": {"heartbeat_interval": 1000}}')
        async for message in socket:
            op = json.loads(message.data)["op"]
            sent.append(op)
            if op == 1:
                await socket.send_str('{"op": 11}')
        return socket

    shut = "began no session within 0.3 s of the bot's IDENTIFY or RESUME; shutting it"
    await connected_until(bare_fake, gateway, lambda _: sum(
        shut in r.getMessage() and r.levelname == "WARNING" for r in caplog.records) >= 4,
        within=20)
    assert sent.count(2) + sent.count(6) >= 4, sent  # each connection's IDENTIFY or RESUME
    assert any("opening the next in" in r.getMessage() for r in caplog.records)


async def test_a_compressed_hello_in_several_frames_begins_a_session(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-96: compressed, a message may come in several frames (Gateway docs, Transport
    Compression); discord.py read the first frame of a HELLO as the whole and sent its
    IDENTIFY (which the gate refused: a failed try, every time)."""
    endpoints_restored(monkeypatch)
    caplog.set_level(logging.INFO)
    told: list[int] = []

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        squeeze = zlib.compressobj()

        async def send(message: object, frames: int = 1) -> None:
            data = squeeze.compress(json.dumps(message).encode()) \
                + squeeze.flush(zlib.Z_SYNC_FLUSH)
            step = -(-len(data) // frames)
            for start in range(0, len(data), step):
                await socket.send_bytes(data[start:start + step])

        await send({"op": 10, "d": {"heartbeat_interval": 41250}}, frames=3)
        async for message in socket:
            told.append(json.loads(message.data)["op"])
            if told[-1] == 2:
                await send({"op": 0, "t": "READY", "s": 1, "d": {
                    "v": 10, "user": bare_fake.world.bot, "guilds": [], "session_id": "s",
                    "resume_gateway_url": f"ws://{request.host}/",
                    "application": {"id": "1", "flags": 0}}}, frames=2)
        return socket

    await connected_until(bare_fake, gateway, lambda client: client.sessions == 1, within=10)
    assert told.count(2) == 1, told  # one IDENTIFY, after the whole HELLO
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_a_part_of_a_message_waits_for_the_rest_and_nothing_is_sent(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-95: after a part of a compressed HELLO discord.py sent its IDENTIFY (or RESUME),
    token and all. Now the rest is waited for, up to the answer limit, and nothing is sent."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    endpoints_restored(monkeypatch)
    sent: list[object] = []

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_bytes(_part_of_a_message())
        sent.extend([message.data async for message in socket])
        return socket

    reports: list[tuple[str, ...]] = []
    await connected_until(bare_fake, gateway, lambda _: len(reports) >= 2, within=15,
                          report=lambda *said: reports.append(said))
    assert reports[0] == (RETRYING, "the gateway: it did not answer within 0.3 s")
    assert sent == [], sent


async def test_a_long_replay_before_resumed_is_a_session_going_on(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """helper-98: a RESUME's replay that took longer than the answer limit was cut as "began
    no session", though its events were coming in."""
    monkeypatch.setattr(pacing, "ANSWER_LIMIT", 0.3)
    endpoints_restored(monkeypatch)
    caplog.set_level(logging.INFO)
    told: list[int] = []

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for message in socket:
            told.append(json.loads(message.data)["op"])
            if told[-1] == 2:  # IDENTIFY: a session, then a drop
                await socket.send_json({"op": 0, "t": "READY", "s": 1, "d": {
                    "v": 10, "user": bare_fake.world.bot, "guilds": [], "session_id": "s",
                    "resume_gateway_url": f"ws://{request.host}/",
                    "application": {"id": "1", "flags": 0}}})
                await socket.close(code=4000)
            elif told[-1] == 6:  # RESUME: a slow replay, then RESUMED
                for seq in range(2, 12):
                    await asyncio.sleep(0.1)
                    await socket.send_json({"op": 0, "t": "USER_UPDATE", "s": seq,
                                            "d": bare_fake.world.bot})
                await socket.send_json({"op": 0, "t": "RESUMED", "s": 12, "d": {}})
        return socket

    await connected_until(bare_fake, gateway, lambda _: "successfully RESUMED" in caplog.text,
                          within=10)
    assert told.count(6) == 1, told  # one RESUME, its replay taken whole
    assert "began no session" not in caplog.text, caplog.text

async def test_a_try_that_fails_after_an_unanswered_one_is_said_for_its_own_reason() -> None:
    """helper-94: "did not answer within 30 s" stayed with the tries after a silent one, a
    refused connection or an HTTP 503 among them."""
    async def refused(url: str, **_: object) -> aiohttp.ClientWebSocketResponse:
        raise aiohttp.ClientConnectionError("refused")

    paced = pacing.Paced(refused, lambda: False, 60.0)
    paced.unanswered = "it did not answer within 30 s"  # as `_shut` leaves it
    with pytest.raises(aiohttp.ClientConnectionError):
        await paced("ws://127.0.0.1:9/")
    assert paced.unanswered is None


def test_a_later_hello_is_a_failed_try() -> None:
    """helper-95: a second HELLO with an interval of 0, after a good one, spun a second
    keep-alive thread; helper-96: a valid one started another thread each (300 made 112), the
    earlier ones still beating. A message that only has the word in its text is let through."""
    paced = pacing.Paced(None, lambda: False, 60.0)  # type: ignore[arg-type]
    for later in ('{"op": 10, "d": {"heartbeat_interval": 41250}}',
                  '{"op": 10, "d": {"heartbeat_interval": 0}}',
                  '{"op": 10, "d": {"heartbeat\\u005finterval": 41250}}',
                  '{"\\u006fp": 10, "d": {"heartbeat_interval": 41250}}'):
        paced._hello_due = True  # as a new connection leaves it
        paced.received('{"op": 10, "d": {"heartbeat_interval": 41250}}')
        paced.received('{"op": 0, "t": "MESSAGE_CREATE", "d": {"content": "heartbeat_interval"}}')
        with pytest.raises(NotHello, match="a second HELLO on one connection"):
            paced.received(later)


@pytest.mark.parametrize(("after_identify", "said"), [
    ("a close", "it closed the connection (code 4000)"),
    # aiohttp's own close (1002) on what is no frame is said as the gateway's: left as it is.
    ("bytes that are no frame", "it closed the connection (code 1002)"),
])
async def test_a_connection_ended_before_any_session_resumes_nothing(
        bare_fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, after_identify: str, said: str) -> None:
    """helper-101: a gateway that ended the connection after the IDENTIFY, with no READY, was
    said as "the gateway connection ended …; resuming the session" (there was none), and bytes
    that are no WebSocket frame alike."""
    endpoints_restored(monkeypatch)
    caplog.set_level(logging.INFO)

    async def gateway(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        await socket.receive()  # the IDENTIFY or RESUME
        if after_identify == "a close":
            await socket.close(code=4000)
        else:
            assert request.transport is not None
            request.transport.write(b"\xff\xfe\x00 no frame")
            await socket.receive()
        return socket

    def ended() -> list[str]:
        return [r.getMessage() for r in caplog.records
                if "the gateway connection ended" in r.getMessage()]

    await connected_until(bare_fake, gateway, lambda _: len(ended()) >= 2, within=20)
    assert all(line.startswith("discord: the gateway connection ended before any session "
                               f"began: {said}") and line.endswith("; trying again")
               for line in ended()), ended()


async def test_events_held_by_a_client_that_never_logged_in_are_let_go(app: Services) -> None:
    """CI once: the gateway's fatal close came before the log-in, while the bot's services
    opened; binding the handlers then handed the held events to discord.py, which had no loop
    to run them on (AttributeError, exit 70 where a refused start is exit 2)."""
    from seminarbot.adapters.discord.bot import Handlers

    client = SeminarClient(DiscordSettings(token="x"))
    client.dispatch("disconnect")  # held: no handlers yet
    handlers = Handlers(app, client)
    client.bind(handlers)  # let go, not handed to discord.py without a loop
    await handlers.finish()
