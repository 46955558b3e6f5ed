"""`seminarbot run` on Matrix when the homeserver cannot be reached or refuses: unreachable is
tried again and again (capped backoff, a line per attempt), never given up; a refused login is
one actionable line and exit 2, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from seminarbot.adapters.matrix import client as bot_client
from seminarbot.adapters.matrix import login
from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.sync import SyncLoop
from tests.bot_process import reaped
from tests.conftest import MINI
from tests.discord_adapter.conftest import eventually
from tests.matrix.synapse import Synapse

STARTUP = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_bot(tmp_path: Path, homeserver: str, user_id: str, password: str, *,
                    token: bool = False, also: dict[str, str] | None = None
                    ) -> asyncio.subprocess.Process:
    """`run` on Matrix, logging in with `password` (or giving it as the access token); `also`:
    more of the environment (another platform's)."""
    config = tmp_path / "bot.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\ncontent_dir: {MINI.content}\n"
                      f"prompts_dir: {MINI.prompts}\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
    env.update(MATRIX_HOMESERVER=homeserver, MATRIX_USER_ID=user_id,
               **{"MATRIX_ACCESS_TOKEN" if token else "MATRIX_PASSWORD": password})
    env.update(also or {})
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "seminarbot", "--config", str(config), "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def said_while_trying(tmp_path: Path, url: str, count: int) -> list[str]:
    """What a start that keeps trying says on standard error, once it has said `count` WARNING
    lines (a try each); then it is stopped (SIGINT). No traceback among them."""
    process = await start_bot(tmp_path, url, "@bot:example.org", "secret")
    said: list[str] = []

    async def read() -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            said.append(line.decode())

    reader = asyncio.create_task(read())
    try:
        await eventually(lambda: sum(" WARNING " in line for line in said) >= count,
                         within=STARTUP)
        assert process.returncode is None
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), STARTUP)
    finally:
        await reaped(process, reader)
    assert not any("Traceback" in line for line in said), "".join(said)
    return said


async def test_an_unreachable_homeserver_is_tried_again_and_again(tmp_path: Path) -> None:
    said = await said_while_trying(tmp_path, f"http://127.0.0.1:{free_port()}", 3)
    assert sum("homeserver unavailable" in line for line in said) >= 3, "".join(said)
    assert not any("Timed out" in line for line in said), "".join(said)  # one line a try
    assert "secret" not in "".join(said)


async def test_a_refused_login_is_one_line_and_exit_2(synapse: Synapse,
                                                      tmp_path: Path) -> None:
    account = synapse.register("refused")
    process = await start_bot(tmp_path, synapse.url, account.user_id, "wrong")
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said
    assert said.strip().splitlines()[-1].startswith(
        f"seminarbot: the homeserver refused the login of {account.user_id}"), said
    assert sorted(os.listdir(tmp_path)) == ["bot.yaml"]  # a first start: it leaves nothing



async def test_starts_another_platform_refuses_leave_the_account_one_device(
        synapse: Synapse, tmp_path: Path) -> None:
    """helper-98: with Discord's token refused, each first start left nothing, the Matrix
    login it had made too: every start made the account one more device, its access token
    valid. Now a log-in under way when the bot stops is let finish, and saved (login._kept),
    and a saved login stays (cli.leftovers)."""
    account = synapse.register("both")

    async def discord(request: web.Request) -> web.Response:
        if request.path.endswith("/gateway"):
            return web.json_response({"url": "ws://127.0.0.1:9"})
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    async with served_by(discord) as address:
        for _ in range(3):
            process = await start_bot(tmp_path, synapse.url, account.user_id, account.password,
                                      also={"DISCORD_TOKEN": "abc.def",
                                            "DISCORD_API_BASE": f"{address}/api/v10"})
            _, err = await asyncio.wait_for(process.communicate(), STARTUP)
            assert process.returncode == 2, err.decode()
            assert "Discord refused the token" in err.decode()
    devices = synapse.request("GET", "/_matrix/client/v3/devices",
                              token=account.access_token)["devices"]
    made = [d["device_id"] for d in devices if d["device_id"] != account.device_id]
    assert len(made) <= 1, devices
    if made:  # the device a start made is the one the next ones used
        assert (tmp_path / "data" / "matrix" / "login.json").exists()


@contextlib.asynccontextmanager
async def served_by(handler: Callable[[web.Request], Awaitable[web.Response]]
                    ) -> AsyncIterator[str]:
    """A server on loopback answering every request with `handler`; its URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_sigterm_stops_the_bot_cleanly_within_three_seconds(synapse: Synapse,
                                                                   tmp_path: Path) -> None:
    account = synapse.register("stopping")
    process = await start_bot(tmp_path, synapse.url, account.user_id, account.password)
    heartbeat = tmp_path / "data" / "heartbeat"

    def connected() -> bool:
        try:
            return '"connected"' in heartbeat.read_text()
        except OSError:
            return False
    try:
        await eventually(connected, within=STARTUP)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
        took = time.monotonic() - began
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert took < 3, took
    assert "Traceback" not in err.decode()
    assert " INFO nio" not in err.decode()  # matrix-nio's line per event stays out of the log


@contextlib.asynccontextmanager
async def web_server(status: int, body: str, content_type: str = "text/html",
                     asked: list[tuple[str, str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> AsyncIterator[str]:
    """Something at the homeserver's address that is not a homeserver (a web page, a 404, a
    proxy answering 502), answering every request alike; each request (method, path, its
    Authorization header and body) goes into `asked`."""
    async def answer(request: web.Request) -> web.Response:
        if asked is not None:
            asked.append((request.method, request.path,
                          request.headers.get("Authorization", "") + await request.text()))
        return web.Response(status=status, text=body, content_type=content_type,
                            headers=headers)
    async with served_by(answer) as url:
        yield url


@pytest.mark.parametrize("credential", ["password", "access token"])
@pytest.mark.parametrize(("status", "body"), [(404, "<h1>Not Found</h1>"),
                                              (200, "<html>Welcome to example.org</html>")])
async def test_an_address_that_is_not_a_homeserver_says_so(
        tmp_path: Path, status: int, body: str, credential: str) -> None:
    """The password (or token) went to whatever answered at the address, a mistyped one
    too: now it is asked first, with no credential, what a homeserver answers to anyone."""
    asked: list[tuple[str, str, str]] = []
    async with web_server(status, body, asked=asked) as url:
        process = await start_bot(tmp_path, url, "@bot:example.org", "secret",
                                  token=credential == "access token")
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert said.strip().splitlines()[-1].startswith(
        f"seminarbot: {url} does not answer as a Matrix homeserver (HTTP {status}"), said
    assert sorted(os.listdir(tmp_path)) == ["bot.yaml"]
    assert asked == [("GET", "/_matrix/client/v3/login", "")], asked


async def test_a_homeserver_without_password_log_in_gets_no_password(tmp_path: Path) -> None:
    asked: list[tuple[str, str, str]] = []
    flows = '{"flows": [{"type": "m.login.sso"}, {"type": "m.login.token"}]}'
    async with web_server(200, flows, "application/json", asked) as url:
        process = await start_bot(tmp_path, url, "@bot:example.org", "secret")
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert said.strip().splitlines()[-1] == (
        f"seminarbot: {url} does not offer log-in with a password (it offers: m.login.sso, "
        "m.login.token); give the bot an access token instead (MATRIX_ACCESS_TOKEN, or "
        "matrix.access_token)"), said
    assert asked == [("GET", "/_matrix/client/v3/login", "")], asked




FLOWS = '{"flows": [{"type": "m.login.password"}]}'


@pytest.mark.parametrize("credential", ["password", "access token"])
@pytest.mark.parametrize(("status", "body"), [
    (301, ""), (302, ""), (307, ""), (308, ""),
    # helper-98: nio reads the body whatever the status: a Matrix error or login flows in it
    # passed the check, and the password went to the redirecting address.
    (307, '{"errcode": "M_UNKNOWN", "error": "moved"}'), (307, FLOWS)])
async def test_an_address_that_redirects_gets_no_credential(
        tmp_path: Path, status: int, body: str, credential: str) -> None:
    """aiohttp followed redirects: the check passed on the target's answer, and a 307 or 308
    carried the password's POST to wherever the address pointed."""
    theirs: list[tuple[str, str, str]] = []
    asked: list[tuple[str, str, str]] = []
    async with web_server(200, FLOWS, "application/json", theirs) as target:
        login = f"{target}/_matrix/client/v3/login"
        async with web_server(status, body, "application/json", asked=asked,
                              headers={"Location": login}) as url:
            process = await start_bot(tmp_path, url, "@bot:example.org", "secret",
                                      token=credential == "access token")
            _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert said.strip().splitlines()[-1].startswith(
        f"seminarbot: {url} redirects (HTTP {status} "), said
    assert f"to {login}, and the bot follows no redirect" in said
    assert (asked, theirs) == ([("GET", "/_matrix/client/v3/login", "")], []), (asked, theirs)
    assert sorted(os.listdir(tmp_path)) == ["bot.yaml"]


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /" + b"x" * 9000 + b"\r\n\r\n",
    b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /a\x00b\r\n\r\n",
    b"SSH-2.0-OpenSSH_9.6\r\n"])
async def test_an_answer_that_is_no_http_is_one_line_and_no_try(tmp_path: Path,
                                                                 answer: bytes) -> None:
    """helper-98: an answer aiohttp cannot read (a header over 8 kB, a NUL in one) was said as
    "400" (aiohttp's own code: none was sent) and tried again for ever."""
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(reply, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        process = await start_bot(tmp_path, url, "@bot:example.org", "secret")
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    finally:
        server.close()
    said = err.decode()
    assert process.returncode == 2, said
    assert said.strip().splitlines()[-1].startswith(
        f"seminarbot: {url} does not answer in HTTP that can be read ("), said
    assert "trying again" not in said, said

async def test_a_homeserver_answering_502_is_one_line_a_try(tmp_path: Path) -> None:
    async with web_server(502, "<html>Bad Gateway</html>") as url:
        said = await said_while_trying(tmp_path, url, 2)
    tries = [line for line in said if " WARNING " in line]
    assert f"INFO seminarbot.adapters.matrix.login: matrix: connecting to {url} as " in said[0]
    assert len(tries) >= 2 and all(
        "homeserver unavailable (HTTP 502 Bad Gateway); trying again in" in line
        for line in tries), "".join(said)


async def test_a_log_in_under_way_when_the_bot_stops_is_let_finish() -> None:
    finished: list[str] = []

    async def logging_in() -> str:
        await asyncio.sleep(0.2)  # the homeserver answering
        finished.append("saved")
        return "answer"

    task = asyncio.ensure_future(login._kept(logging_in()))
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled() and finished == ["saved"]


async def first_sync_reports(tmp_path: Path, url: str) -> list[tuple[str, str]]:
    """What the link's state hears of a first sync from `url` with a saved login (states and
    details), the sync not answered."""
    client = bot_client.Client(url, "@bot:example.org", config=login.CLIENT_CONFIG)
    client.restore_login("@bot:example.org", "DEVICE", "syt_token")
    files = MatrixFiles(tmp_path / "matrix")
    files.prepare()
    reports: list[tuple[str, str]] = []
    loop = SyncLoop(client, files, report=lambda *said: reports.append(said))
    try:
        assert await asyncio.wait_for(loop.ask_first(), 30) is None
    finally:
        await client.close()
    return reports


async def test_a_sync_redirected_is_not_followed_and_said_so(tmp_path: Path) -> None:
    """helper-98: the refusal read "SyncError: unknown error" (nio's words for a 307); the
    token did not follow the redirect, and still does not."""
    theirs: list[tuple[str, str, str]] = []
    async with web_server(200, "{}", "application/json", theirs) as target, \
            web_server(307, "", headers={"Location": f"{target}/sync"}) as url:
        reports = await first_sync_reports(tmp_path, url)
    assert reports == [("retrying", "sync refused: SyncError: unknown error; HTTP 307 "
                                    "Temporary Redirect")], reports
    assert theirs == []


@pytest.mark.parametrize(("body", "limit"), [
    ("<html>a portal</html>", bot_client.MOST_ANSWER_BYTES), ('{"next_batch": "s1"}', 4),
    ('{"rooms": {}}', bot_client.MOST_ANSWER_BYTES)])
async def test_a_sync_accepted_but_unreadable_is_said_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, limit: int) -> None:
    """An answer of 200 that holds no sync (no JSON, too large to read, not a sync's fields)
    was "sync refused (SyncError: unknown error; HTTP 200 OK)" (helper-103)."""
    monkeypatch.setattr(bot_client, "MOST_ANSWER_BYTES", limit)
    async with web_server(200, body, "application/json") as url:
        reports = await first_sync_reports(tmp_path, url)
    assert reports == [("retrying", "sync unreadable: HTTP 200 OK with no sync Matrix can read "
                                    "in it (no JSON, not the fields of a sync, or over 64 MiB)")]


async def test_a_matrix_error_in_a_sync_answered_200_is_said_as_the_homeservers(
        tmp_path: Path) -> None:
    """helper-105: its words were dropped for "no sync Matrix can read"."""
    body = '{"errcode": "M_FORBIDDEN", "error": "You are banned"}'
    async with web_server(200, body, "application/json") as url:
        reports = await first_sync_reports(tmp_path, url)
    [(state, said)] = reports
    assert state == "retrying" and said.startswith("sync refused: ") and "You are banned" in said
