"""`seminarbot run` when Discord cannot be reached or refuses: an unreachable Discord is tried
again with a capped backoff, a line per attempt, until it answers; a refused token or intent
is one actionable line and exit 2, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from seminarbot.clock import ManualClock
from tests.bot_process import reaped
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.discord_fake import FakeDiscord

STARTUP = 30.0


def environment(fake: FakeDiscord) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base,
               DISCORD_GATEWAY_URL=fake.gateway_url)
    return env


async def start_bot(tmp_path: Path, fake: FakeDiscord, env: dict[str, str] | None = None
                    ) -> asyncio.subprocess.Process:
    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "run",
        env=env or environment(fake), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)


@contextlib.asynccontextmanager
async def served(route: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                 ) -> AsyncIterator[str]:
    """An aiohttp server on loopback answering every method at `route` with `handler`; its
    `host:port` while the block runs."""
    app = web.Application()
    app.router.add_route("*", route, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"{host}:{port}"
    finally:
        await runner.cleanup()


async def lines(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode())


@contextlib.asynccontextmanager
async def bot_saying(tmp_path: Path, fake: FakeDiscord, env: dict[str, str] | None = None
                     ) -> AsyncIterator[tuple[asyncio.subprocess.Process, list[str]]]:
    """The bot running (`start_bot`) and the lines it says on standard error, as they come;
    killed when the block ends if the test has not stopped it."""
    process = await start_bot(tmp_path, fake, env)
    assert process.stderr is not None
    said: list[str] = []
    reader = asyncio.create_task(lines(process.stderr, said))
    try:
        yield process, said
    finally:
        await reaped(process, reader)


async def refused_start(tmp_path: Path, fake: FakeDiscord, env: dict[str, str]) -> str:
    """The last line `run` says when it refuses to start (exit 2, no traceback)."""
    process = await start_bot(tmp_path, fake, environment(fake) | env)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    told = err.decode()
    assert process.returncode == 2, told
    assert "Traceback" not in told
    return told.strip().splitlines()[-1]


async def test_an_unreachable_discord_is_tried_until_it_answers(
        tmp_path: Path, clock: ManualClock, bare_fake: FakeDiscord) -> None:
    fake = bare_fake
    port = int(fake.base.rsplit(":", 1)[1])
    await fake.stop()  # Discord is down when the bot starts
    async with bot_saying(tmp_path, fake) as (process, said):
        await eventually(lambda: sum("cannot reach Discord" in line for line in said) >= 2,
                         within=STARTUP)
        assert process.returncode is None  # still trying, not given up
        await fake.start(port)  # Discord is back where the bot keeps looking
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    attempts = [line for line in said if "cannot reach Discord" in line]
    assert all("trying again in" in line for line in attempts)
    assert not any("Traceback" in line for line in said), "".join(said)


@pytest.mark.parametrize("refusal", ["rest", "gateway", "intent"])
async def test_a_refused_token_or_intent_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, refusal: str) -> None:
    fake = bare_fake
    expected = "seminarbot: Discord refused the token (DISCORD_TOKEN)"
    if refusal == "rest":
        fake.token = "not-the-one"  # and fake.rest still expects its own
        fake.rest.token = "fake.other"
    elif refusal == "gateway":
        fake.gateway.token = "fake.other"  # REST takes it, the gateway closes with 4004
    else:
        fake.gateway.message_content_allowed = False
        expected = "seminarbot: turn on the Message Content intent"
    process = await start_bot(tmp_path, fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said
    assert said.strip().splitlines()[-1].startswith(expected), said
    # helper-152's 9: the failure was logged as a stop ("stopping: finishing what is in hand")
    stopping = [line for line in said.splitlines() if "stopping" in line]
    assert all(" ended): " in line for line in stopping), said


@pytest.mark.parametrize("code", [4010, 4011, 4012, 4013])
async def test_the_gateways_other_fatal_closes_are_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, code: int) -> None:
    bare_fake.gateway.identify_closes = code
    process = await start_bot(tmp_path, bare_fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said
    assert f"(gateway close {code}" in said.strip().splitlines()[-1], said


@pytest.mark.parametrize(("spare_gateway", "said"), [
    (True, "Discord answered 502 Bad Gateway"),  # discord.py tries again on its own, silently
    (False, "cannot reach Discord (it answered HTTP 502 Bad Gateway to GET /gateway)")])
async def test_each_server_error_at_start_up_is_a_log_line(
        tmp_path: Path, bare_fake: FakeDiscord, spare_gateway: bool, said: str) -> None:
    bare_fake.rest.server_errors = 2
    bare_fake.rest.spare_gateway = spare_gateway
    async with bot_saying(tmp_path, bare_fake) as (process, lines_said):
        await eventually(lambda: bare_fake.gateway.identifies == 1, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    told = "".join(lines_said)
    assert sum(said in line for line in lines_said) == 2, told
    assert sum("502" in line for line in lines_said) == 2, told


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def test_a_gateway_unreachable_at_the_first_connection_is_tried_until_it_answers(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    """The log-in went through and the gateway did not: discord.py's own retry read the
    session it never had (`self.ws.sequence` on None), and `run` ended in an internal error,
    exit 70, with a traceback (helper-86). Now a line per try until the gateway answers."""
    fake = bare_fake
    with socket.socket() as probe:  # a port nothing listens on, yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = environment(fake) | {"DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway"}
    fake_port = int(fake.base.rsplit(":", 1)[1])

    async def relay(down_r: asyncio.StreamReader, down_w: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", fake_port)
        await asyncio.gather(_forward(down_r, up_w), _forward(up_r, down_w))

    relay_server = None
    async with bot_saying(tmp_path, fake, env) as (process, said):
        await eventually(lambda: sum("cannot reach Discord's gateway" in line
                                     for line in said) >= 2, within=STARTUP)
        assert process.returncode is None  # still trying
        relay_server = await asyncio.start_server(relay, "127.0.0.1", port)
        await eventually(lambda: fake.gateway.identifies == 1, within=STARTUP)
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    if relay_server is not None:
        relay_server.close()
    assert process.returncode == 0, "".join(said)
    assert not any("Traceback" in line or "internal error" in line for line in said), said
    assert one_line_a_try(said) >= 2
    # The content, loaded before the data folder was made (cli.run.preload), is kept there.
    assert (tmp_path / "data" / "syllabus.cache").is_file()


def a_try(line: str) -> bool:
    """A failed try at the gateway: one that reached nothing, or one that reached a gateway
    that then began no session."""
    return "cannot reach Discord's gateway" in line or "no session with Discord's gateway" in line


def one_line_a_try(said: list[str]) -> int:
    """The tries at the gateway `said` tells of, each in one line: seminarbot's, and not also
    discord.py's "Attempting a reconnect" (which reconnects nothing at a first connection) nor
    the REST trace's (which tells of the REST requests discord.py tries again)."""
    told = "".join(said)
    assert "Attempting a reconnect" not in told and "Discord answered" not in told, told
    tries = [line for line in said if a_try(line)]
    assert all(" WARNING " in line and "trying again in" in line for line in tries), told
    return len(tries)


# How a gateway can fail a first connection, and what each try's line then says.
GATEWAYS = {
    "502": "it answered the WebSocket handshake with HTTP 502 Bad Gateway",
    "closes before hello": "it closed the connection before the session began",
    "not json": "its answer is not Discord's gateway protocol: Expecting value",
    "binary, not zlib": "its answer is not Discord's gateway protocol",
    "json, not an object": "its answer is not Discord's gateway protocol",
    "hello, then not json": "its answer is not Discord's gateway protocol: Expecting value",
    # helper-94: JSON nested past Python's recursion limit ended `run` in exit 70, and a part
    # of a compressed message, with no HELLO, was followed by the IDENTIFY and its token.
    "deeply nested": "its answer is not Discord's gateway protocol: maximum recursion depth",
    "a part of a message, then a close": "it closed the connection before the session began",
    # Python's advice to call sys.set_int_max_str_digits() is no operator's (helper-95).
    "a number of 5,001 digits": "protocol: Exceeds the limit (4300 digits) for integer string "
                                "conversion: value has 5001 digits)",
    # helper-96: discord.py started a keep-alive thread on each HELLO (300 made 112 threads).
    "hello, then another": "protocol: it sent a second HELLO on one connection",
}
# First messages that are no HELLO discord.py can keep (helper-87's and helper-91's finds: an
# interval of 0, -1 or NaN spun its keep-alive thread; a first message that was no HELLO was
# followed by an IDENTIFY, and silence by 60 s of waiting), each with what its line says.
NOT_HELLO = "its answer is not Discord's gateway protocol: its "
FIRST_MESSAGES = {
    '{"op": 10, "d": {"heartbeat_interval": 0}}': "HELLO asks for a heartbeat every 0 s",
    '{"op": 10, "d": {"heartbeat_interval": -1}}': "every -0.001 s, not 1 to 60 s",
    '{"op": 10, "d": {"heartbeat_interval": NaN}}': "HELLO gives no heartbeat interval",
    '{"op": 10, "d": {"heartbeat_interval": 1e308}}': "every 1e+305 s",
    '{"op": 10, "d": {"heartbeat_interval": 1' + "0" * 400 + '}}': "every inf s",
    '{"op": 10, "d": {"heartbeat_interval": true}}': "HELLO gives no heartbeat interval",
    '{"op": 10, "d": {"heartbeat_interval": "41250"}}': "HELLO gives no heartbeat interval",
    '{"op": 10, "d": {"heartbeat_interval": 0.5}}': "every 0.0005 s",
    '{"op": 10, "d": {"heartbeat_interval": 90000}}': "every 90 s, not 1 to 60 s",
    '{"op": 10, "d": null}': "HELLO gives no heartbeat interval",
    '{"op": 11}': "first message is not a HELLO (op 10)",
    '{"op": 0, "t": "READY", "s": 1, "d": {}}': "first message is not a HELLO (op 10)",
    "{}": "first message is not a HELLO (op 10)",
}


@pytest.mark.parametrize("behaviour", [*GATEWAYS, *FIRST_MESSAGES])
async def test_a_gateway_failing_the_first_connection_is_one_line_a_try(
        tmp_path: Path, bare_fake: FakeDiscord, behaviour: str) -> None:
    """A 502 gave three lines a try (helper-87): the REST trace's "Discord answered 502 … to GET
    /", discord.py's "Attempting a reconnect" and seminarbot's own. A gateway that upgraded and
    then closed, or sent what is not Discord's JSON, ended `run` in an internal error, exit 70
    (helper-90); so did JSON that is no object, and an answer after HELLO (helper-91)."""
    async def gateway(request: web.Request) -> web.StreamResponse:
        if behaviour == "502":
            return web.Response(text="<html>502</html>", content_type="text/html", status=502)
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        if behaviour == "closes before hello":
            await socket.close(code=1000)
        elif behaviour == "not json":
            await socket.send_str("not json {{{")
        elif behaviour == "json, not an object":
            await socket.send_str("[]")
        elif behaviour == "deeply nested":
            await socket.send_str("[" * 100_000)
        elif behaviour == "a part of a message, then a close":  # no 00 00 ff ff
            await socket.send_bytes(_part_of_a_message())
            await socket.close(code=1000)
        elif behaviour == "a number of 5,001 digits":
            await socket.send_str('{"op": 10, "d": {"heartbeat_interval": 1' + "0" * 5000 + "}}")
        elif behaviour in FIRST_MESSAGES:
            await socket.send_str(behaviour)
        elif behaviour.startswith("hello, then"):  # a HELLO, and no READY after it
            await socket.send_str('{"op": 10, "d": {"heartbeat_interval": 41250}}')
            await socket.receive()  # the IDENTIFY
            await socket.send_str("not json {{{" if behaviour.endswith("not json") else
                                  '{"op": 10, "d": {"heartbeat_interval": 41250}}')
        else:
            await socket.send_bytes(b"\x00\x01 not zlib \x00\x00\xff\xff")
        await socket.receive()  # until the bot closes it
        return socket

    async with served("/{tail:.*}", gateway) as address:
        env = environment(bare_fake) | {"DISCORD_GATEWAY_URL": f"ws://{address}/"}
        async with bot_saying(tmp_path, bare_fake, env) as (process, said):
            await eventually(lambda: sum(map(a_try, said)) >= 2, within=STARTUP)
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), STARTUP)
    assert process.returncode == 0, "".join(said)
    assert one_line_a_try(said) >= 2
    # helper-102: a gateway that closed before its HELLO was two lines a try
    assert [line for line in said if " WARNING " in line] == [
        line for line in said if a_try(line)], "".join(said)
    expected = GATEWAYS.get(behaviour) or NOT_HELLO
    # A proxy's 502 reached no gateway; every other of these reached one that began no session.
    failed = "cannot reach" if behaviour == "502" else "no session with"
    assert all(f"{failed} Discord's gateway (" in line and expected in line
               and FIRST_MESSAGES.get(behaviour, "") in line
               for line in said if a_try(line)), "".join(said)


NOT_DISCORDS = "its answer to GET /gateway, which needs no token, is not Discord's: "


@pytest.mark.parametrize(("status", "why"), [
    (200, NOT_DISCORDS + "HTTP 200 OK"),
    (404, NOT_DISCORDS + "HTTP 404 Not Found"),
    (403, NOT_DISCORDS + "HTTP 403 Forbidden"),
    (405, NOT_DISCORDS + "HTTP 405 Method Not Allowed"),
    (308, "it redirects (HTTP 308 Permanent Redirect) to https://discord.com/api/v10/gateway, "
          "and the bot follows no redirect with its token")])
async def test_an_api_base_that_is_not_discords_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, status: int, why: str) -> None:
    """A web page at the log-in: discord.py read one answering 200 as a user and failed with
    TypeError (helper-86), and raised NotFound or Forbidden for the others (helper-87): an
    internal error, exit 70. And the token went to whatever answered: now the base is first
    asked what needs no token, and a mistyped one gets none."""
    tokens: list[str] = []

    async def page(request: web.Request) -> web.Response:
        tokens.append(request.headers.get("Authorization", ""))
        return web.Response(text="<html>a web page</html>", content_type="text/html",
                            status=int(request.match_info["status"]),
                            headers={"Location": "https://discord.com/api/v10/gateway"})

    async with served("/{status}/{tail:.*}", page) as address:
        base = f"http://{address}/{status}/api/v10"
        last = await refused_start(tmp_path, bare_fake, {"DISCORD_API_BASE": base})
    assert last == (
        f"seminarbot: {base} does not answer as Discord's API ({why}); set DISCORD_API_BASE "
        "(or discord.api_base) to Discord's, or leave it unset")
    assert tokens == [""], tokens


@pytest.mark.parametrize(("status", "why"), [
    (200, "its answer to the log-in is no user"),
    (307, "it answered the log-in with a redirect (HTTP 307 Temporary Redirect) to "
          "http://127.0.0.1:9/me, which the bot does not follow")])
async def test_an_api_base_that_answers_the_gateway_but_not_the_log_in(
        tmp_path: Path, bare_fake: FakeDiscord, status: int, why: str) -> None:
    """Past the check, an answer to the log-in that is no user is still one line; a redirect
    is not followed (the token would go with the request to the same host)."""
    async def api(request: web.Request) -> web.Response:
        if request.path.endswith("/gateway"):
            return web.json_response({"url": "wss://gateway.example"})
        return web.Response(text="<html>a web page</html>", content_type="text/html",
                            status=status, headers={"Location": "http://127.0.0.1:9/me"})

    async with served("/{tail:.*}", api) as address:
        base = f"http://{address}/api/v10"
        last = await refused_start(tmp_path, bare_fake, {"DISCORD_API_BASE": base})
    assert last.endswith(f"({why}); set DISCORD_API_BASE (or discord.api_base) to Discord's, "
                         "or leave it unset"), last


@pytest.mark.parametrize(("status", "said"), [
    (404, "HTTP 404 Not Found"), (200, "HTTP 200 OK"), (403, "HTTP 403 Forbidden"),
    # helper-98: redirects were followed, the IDENTIFY and its token going to another host.
    (301, "a redirect (HTTP 301 Moved Permanently) to /moved, which the bot does not follow"),
    (302, "a redirect (HTTP 302 Found) to /, which the bot does not follow")])
async def test_a_gateway_url_that_is_not_discords_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, status: int, said: str) -> None:
    """A web page, a redirect or a refusal where the gateway should be was tried again for
    ever (helper-90), where a wrong API base is one line and exit 2."""
    async def page(request: web.Request) -> web.Response:
        if status == 301 and request.path != "/moved":  # to a page
            return web.Response(status=301, headers={"Location": "/moved"})
        if status == 302:  # to itself, for ever
            return web.Response(status=302, headers={"Location": request.path})
        return web.Response(text="<html>a web page</html>", content_type="text/html",
                            status=200 if status == 301 else status)

    async with served("/{tail:.*}", page) as address:
        url = f"ws://{address}"
        last = await refused_start(tmp_path, bare_fake, {"DISCORD_GATEWAY_URL": url})
    assert last.startswith(f"seminarbot: {url} does not answer as Discord's gateway (it "
                           f"answered the WebSocket handshake with {said}"), last
    assert last.endswith("); set DISCORD_GATEWAY_URL (or discord.gateway_url) to Discord's, "
                         "or leave it unset"), last


@pytest.mark.parametrize("code", [4000, 1001])
async def test_a_gateway_that_ends_every_connection_after_hello_is_paced(
        tmp_path: Path, bare_fake: FakeDiscord, code: int) -> None:
    """discord.py opens the next connection at once after a close it may resume from: a
    gateway that sent HELLO and then closed was opened about 950 times a second, with no log
    line (helper-91). Now three in a row are opened at once (helper-92: it was four), then
    each a doubling gap later, a line each; SIGINT while the bot waits stops it as ever."""
    opened = 0

    async def gateway(request: web.Request) -> web.StreamResponse:
        nonlocal opened
        opened += 1
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str('{"op": 10, "d": {"heartbeat_interval": 41250}}')
        await socket.receive()  # the IDENTIFY or RESUME
        await socket.close(code=code)
        return socket

    async with served("/{tail:.*}", gateway) as address:
        env = environment(bare_fake) | {"DISCORD_GATEWAY_URL": f"ws://{address}/"}
        async with bot_saying(tmp_path, bare_fake, env) as (process, said):
            await eventually(lambda: sum("opening the next in" in line for line in said) >= 2,
                             within=STARTUP)
            at_second_line = opened
            await asyncio.sleep(1.5)  # the next gap is 4 s: nothing is opened meanwhile
            assert opened <= at_second_line + 1, opened
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), STARTUP)
    assert process.returncode == 0, "".join(said)
    assert opened <= 7, opened  # the grace's 1 + 2, and one after each line
    paced = [line for line in said if "opening the next in" in line]
    assert "ended 3 connections in a row" in paced[0], "".join(said)
    assert all(" WARNING " in line for line in paced), "".join(said)
    assert "Traceback" not in "".join(said)


def _part_of_a_message() -> bytes:
    """A HELLO compressed, without zlib's 00 00 ff ff: discord.py reads no message from it."""
    squeezed = zlib.compressobj()
    return (squeezed.compress(b'{"op": 10, "d": {"heartbeat_interval": 41250}}')
            + squeezed.flush(zlib.Z_FULL_FLUSH)[:-4])


@pytest.mark.parametrize("answer", ["this is not json", "[1, 2]", '{"op": 10}', '{"op": 11}',
                                    '{"op": 10, "d": {"heartbeat_interval": 0}}'])
async def test_an_answer_that_is_not_the_protocol_after_a_session_is_tried_again(
        tmp_path: Path, bare_fake: FakeDiscord, answer: str | bytes) -> None:
    """After READY, a reconnection answered with what is not Discord's protocol ended `run` in
    an internal error, exit 70 (helper-92): discord.py's loop lets it escape at any connection.
    Now it is one line and a new session after the wait, and no connection is left open. After
    a part of a message, discord.py sent its RESUME, token and all (helper-95): now nothing
    goes out on a connection before its whole HELLO (the fake says what it was sent)."""
    async with bot_saying(tmp_path, bare_fake) as (process, said):
        await eventually(lambda: bare_fake.gateway.identifies == 1, within=STARTUP)
        bare_fake.gateway.instead_of_hello.append(answer)
        await bare_fake.gateway.drop(resumable=True, hold=False)
        await eventually(lambda: bare_fake.gateway.identifies == 2, within=STARTUP)
        assert process.returncode is None
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    told = "".join(said)
    assert process.returncode == 0, told
    assert sum("no session with Discord's gateway (its answer is not Discord's gateway protocol"
               in line for line in said) == 1, told
    assert "Traceback" not in told and "Unclosed" not in told, told
    assert bare_fake.problems == []


@pytest.mark.parametrize("code", [4004, 4013, 4014])
async def test_a_fatal_close_before_the_token_went_out_is_no_refusal_of_it(
        tmp_path: Path, bare_fake: FakeDiscord, code: int) -> None:
    """Discord closes with 4004 (or 4010-4014) only in answer to what the bot sent; a gateway
    that does so before any IDENTIFY was said to have refused the token (helper-102). Now the
    gateway is said not to be Discord's, one line and exit 2, as for a handshake refused."""
    bare_fake.gateway.instead_of_hello.append(code)
    process = await start_bot(tmp_path, bare_fake)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert said.strip().splitlines()[-1] == (
        f"seminarbot: {bare_fake.gateway_url} does not answer as Discord's gateway (it closed "
        f"the connection with {code} before the bot sent its token); set DISCORD_GATEWAY_URL "
        "(or discord.gateway_url) to Discord's, or leave it unset"), said
    assert bare_fake.gateway.identifies == 0 and bare_fake.problems == []
