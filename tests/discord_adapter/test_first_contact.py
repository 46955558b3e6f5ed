"""The first contact with Discord's API base and gateway: an answer that is no HTTP, a
certificate this machine does not trust, or a port that speaks no TLS to an https:// or wss://
address is one line and exit 2, as on Matrix, before the token leaves; they were tried for
ever (helper-100)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from seminarbot.adapters.discord.connecting import api_checked
from tests.discord_adapter.test_unreachable import refused_start, served
from tests.discord_fake import FakeDiscord
from tests.raw_servers import raw_server, tls_context


@pytest.mark.parametrize("said", [
    pytest.param(b"SSH-2.0-OpenSSH_9.6\r\n", id="ssh"),
    pytest.param(b"HTTP/1.1 200 OK\r\nX-Long: " + b"x" * 100_000 + b"\r\n\r\n",
                 id="100-kB-header")])
@pytest.mark.parametrize("where", ["DISCORD_API_BASE", "DISCORD_GATEWAY_URL"])
async def test_an_answer_that_is_no_http_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, said: bytes, where: str) -> None:
    asked: list[bytes] = []
    async with raw_server(said, asked=asked) as port:
        url = f"{'http' if where == 'DISCORD_API_BASE' else 'ws'}://127.0.0.1:{port}"
        last = await refused_start(tmp_path, bare_fake, {where: url})
    assert last.startswith(f"seminarbot: {url} does not answer in HTTP that can be read ("), last
    assert len(asked) == 1 and bare_fake.token.encode() not in asked[0]


async def test_an_untrusted_certificate_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord, authority: trustme.CA) -> None:
    asked: list[bytes] = []
    async with raw_server(b"HTTP/1.1 404 Not Found\r\n\r\n", tls=tls_context(authority),
                          asked=asked) as port:
        for where, url in [("DISCORD_API_BASE", f"https://127.0.0.1:{port}/api/v10"),
                           ("DISCORD_GATEWAY_URL", f"wss://127.0.0.1:{port}")]:
            last = await refused_start(tmp_path, bare_fake, {where: url})
            assert last.startswith(f"seminarbot: {url} has a TLS certificate this machine does "
                                   "not trust (unable to get local issuer certificate); "), last
    assert asked == []


async def test_a_tls_address_at_a_plain_port_is_one_line_and_exit_2(
        tmp_path: Path, bare_fake: FakeDiscord) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>a web page</html>", content_type="text/html")

    async with served("/{tail:.*}", page) as address:
        for where, url in [("DISCORD_API_BASE", f"https://{address}/api/v10"),
                           ("DISCORD_GATEWAY_URL", f"wss://{address}")]:
            last = await refused_start(tmp_path, bare_fake, {where: url})
            assert last.startswith(f"seminarbot: {url} makes no TLS connection ([SSL"), last


@pytest.mark.parametrize("body", [
    pytest.param(b"[" * 100_000, id="nested"),  # RecursionError: was an internal error, exit 70
    pytest.param(b'{"id": ' + b"1" * 5000 + b"}", id="5000-digits"),
    pytest.param(b'{"id": "\xff"}', id="not-utf-8")])
async def test_a_log_in_answered_with_what_json_cannot_read_is_one_line(
        tmp_path: Path, bare_fake: FakeDiscord, body: bytes) -> None:
    async def api(request: web.Request) -> web.Response:
        if request.path.endswith("/gateway"):
            return web.json_response({"url": "wss://gateway.example"})
        return web.Response(body=body, content_type="application/json")

    async with served("/{tail:.*}", api) as address:
        base = f"http://{address}/api/v10"
        last = await refused_start(tmp_path, bare_fake, {"DISCORD_API_BASE": base})
    assert last == (f"seminarbot: {base} does not answer as Discord's API (its answer to the "
                    "log-in is no user); set DISCORD_API_BASE (or discord.api_base) to "
                    "Discord's, or leave it unset")


@pytest.mark.parametrize(("status", "why"), [
    (200, "its answer to GET /gateway, which needs no token, is not Discord's: HTTP 200 OK"),
    (307, "it redirects (HTTP 307 Temporary Redirect) to http://127.0.0.1:9/gateway, and the "
          "bot follows no redirect with its token")])
async def test_discord_sync_asks_the_api_base_first_as_run_does(
        tmp_path: Path, status: int, why: str) -> None:
    """`seminarbot discord sync` sent the token to any DISCORD_API_BASE (and followed its
    redirects), where `run` asks first what needs no token."""
    tokens: list[str] = []

    async def page(request: web.Request) -> web.Response:
        tokens.append(request.headers.get("Authorization", ""))
        return web.Response(text="<html>a web page</html>", content_type="text/html",
                            status=status, headers={"Location": "http://127.0.0.1:9/gateway"})

    async with served("/{tail:.*}", page) as address:
        base = f"http://{address}/api/v10"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DISCORD_", "MATRIX_", "SEMINARBOT_"))}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "seminarbot", "discord", "sync", "--global",
            env={**env, "DISCORD_TOKEN": "abc.def.ghi", "DISCORD_API_BASE": base,
                 "SEMINARBOT_DATA_DIR": str(tmp_path)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert (process.returncode, err.decode()) == (
        2, f"seminarbot: {base} does not answer as Discord's API ({why}); set DISCORD_API_BASE "
           "(or discord.api_base) to Discord's, or leave it unset\n")
    assert tokens == [""]


async def test_an_answer_to_get_gateway_in_two_writes_is_read_whole() -> None:
    """helper-102: one read took what had come so far: a valid answer sent in two pieces was
    "not Discord's", and the start refused for good."""
    async def halves(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 32\r\n\r\n{\"url\": \"wss://")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.write(b"gateway.example\"}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(halves, "127.0.0.1", 0)
    try:
        await api_checked(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v10")
    finally:
        server.close()
