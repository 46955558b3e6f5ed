"""The first contact with a homeserver (the log-in's requests): what no try can mend is one line
and exit 2 before any credential leaves (an answer json cannot read, a certificate this machine
does not trust, a port that speaks no TLS to an https:// address); what a try may mend is tried
again, one line a try in words, not in aiohttp's reprs (helper-100)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path

import aiohttp
import pytest
import trustme
from aiohttp import web

from seminarbot.adapters.matrix import login
from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.settings import MatrixSettings
from tests.matrix.synapse import Synapse
from tests.matrix.test_unreachable import (
    STARTUP,
    first_sync_reports,
    said_while_trying,
    served_by,
    start_bot,
    web_server,
)
from tests.raw_servers import answer, raw_server, tls_context

FLOWS = b'{"flows": [{"type": "m.login.sso"}]}'


async def refused(tmp_path: Path, url: str, env: dict[str, str] | None = None) -> str:
    """The last line of a start that must end with exit 2, having left no file."""
    tmp_path.mkdir(exist_ok=True)
    process = await start_bot(tmp_path, url, "@bot:example.org", "secret", also=env)
    _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2, said
    assert "Traceback" not in said and "trying again" not in said, said
    assert sorted(os.listdir(tmp_path)) == ["bot.yaml"], said
    return said.strip().splitlines()[-1]


@pytest.mark.parametrize("body", [
    # nested too deep: json raised RecursionError, which nio let through (exit 70)
    pytest.param(b"[" * 100_000, id="nested"),
    pytest.param(b'{"flows": [{"type": "m.login.password", "n": ' + b"1" * 5000 + b"}]}",
                 id="5000-digits"),
    pytest.param(b'{"flows": [{"type": "m.login.\xff"}]}', id="not-utf-8")])
async def test_an_answer_json_cannot_read_is_not_a_homeserver(tmp_path: Path,
                                                                body: bytes) -> None:
    asked: list[bytes] = []
    async with raw_server(answer(body), asked=asked) as port:
        url = f"http://127.0.0.1:{port}"
        line = await refused(tmp_path, url)
    assert line == (f"seminarbot: {url} does not answer as a Matrix homeserver (HTTP 200 OK, not "
                    "a Matrix error); set MATRIX_HOMESERVER (matrix.homeserver) to the "
                    "homeserver's client API address, such as https://matrix.example.org")
    assert [head.split(b"\r\n")[0] for head in asked] == [b"GET /_matrix/client/v3/login HTTP/1.1"]


async def test_a_certificate_not_trusted_is_one_line_and_trusted_once_its_authority_is(
        tmp_path: Path, authority: trustme.CA) -> None:
    """Tried for ever, each try a line of aiohttp's repr (helper-100); the hint it gives now
    (SSL_CERT_FILE) is checked: with it, the log-in goes on to the homeserver's answer."""
    async with raw_server(answer(FLOWS), tls=tls_context(authority)) as port:
        url = f"https://127.0.0.1:{port}"
        line = await refused(tmp_path / "untrusted", url)
        assert line.startswith(f"seminarbot: {url} has a TLS certificate this machine does not "
                               "trust (unable to get local issuer certificate); "), line
        assert "SSL_CERT_FILE" in line
        ca = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(ca))
        line = await refused(tmp_path / "trusted", url, {"SSL_CERT_FILE": str(ca)})
    assert line.startswith(f"seminarbot: {url} does not offer log-in with a password"), line


async def test_an_https_address_at_a_plain_http_port_is_one_line(tmp_path: Path) -> None:
    async with web_server(200, FLOWS.decode(), "application/json") as plain:
        url = plain.replace("http://", "https://")
        line = await refused(tmp_path, url)
    assert line.startswith(f"seminarbot: {url} makes no TLS connection ([SSL"), line
    assert line.endswith("); if it speaks no TLS, its address begins with http:// (a gateway's "
                         "with ws://)"), line


@pytest.mark.parametrize(("tls", "said"), [
    (False, "homeserver unavailable (its answer broke off before its end (the connection was "
            "closed or reset)); trying again in "),
    (True, "homeserver unavailable (it closed the connection without an answer (if it speaks "
           "TLS, its address begins with https://)); trying again in ")])
async def test_what_a_try_may_mend_is_said_in_words(tmp_path: Path, authority: trustme.CA,
                                                   tls: bool, said: str) -> None:
    """A body short of its length (a proxy cut off), and a TLS port asked in plain HTTP (what
    Python's TLS server does: it closes without a word), are each a try a line, in words:
    they were aiohttp's reprs."""
    short = answer(b'{"flows": [', length=200)
    async with raw_server(short, tls=tls_context(authority) if tls else None) as port:
        url = f"http://127.0.0.1:{port}"
        lines = [line for line in await said_while_trying(tmp_path, url, 2)
                 if " WARNING " in line]
    assert all(said in line for line in lines), "".join(lines)
    assert len(lines) >= 2


async def test_a_log_in_never_answered_is_tried_again_as_the_same_device(
        synapse: Synapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helper-100: a homeserver slower than the grace a log-in under way is given when the bot
    stops made a device for each such start (1 → 4 in three starts). Now the device's id is
    chosen, and saved, before the log-in leaves; the next start asks for the same."""
    account = synapse.register("slow")
    monkeypatch.setattr(login, "LOGIN_GRACE", 0.1)
    held, answered = asyncio.Event(), asyncio.Event()
    holding = [True]

    async def forwarded(request: web.Request, data: bytes) -> web.Response:
        logging_in = request.method == "POST" and request.path.endswith("/login")
        if logging_in and holding[0]:
            held.set()
            await asyncio.sleep(0.5)  # the homeserver answers after the bot gave up
        authorization = request.headers.get("Authorization")
        async with aiohttp.ClientSession() as session, session.request(
                request.method, synapse.url + request.path_qs, data=data,
                headers={"Content-Type": "application/json",
                         **({"Authorization": authorization} if authorization else {})}
                ) as theirs:
            body = await theirs.read()
        if logging_in:
            answered.set()
        return web.Response(status=theirs.status, body=body, content_type="application/json")

    async def proxy(request: web.Request) -> web.Response:
        # Shielded: aiohttp cancels a handler whose client has gone.
        return await asyncio.shield(forwarded(request, await request.read()))

    files = MatrixFiles(tmp_path / "matrix")
    async with served_by(proxy) as url:
        settings = MatrixSettings(homeserver=url, user_id=account.user_id,
                                  password=account.password)
        stopped = asyncio.create_task(login.connect(settings, files))
        await asyncio.wait_for(held.wait(), STARTUP)
        stopped.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopped
        assert not files.login_file.exists()
        await asyncio.wait_for(answered.wait(), STARTUP)  # the homeserver made the device
        holding[0] = False
        client = await login.connect(settings, files)
        await client.close()
    devices = synapse.request("GET", "/_matrix/client/v3/devices",
                              token=account.access_token)["devices"]
    made = [d["device_id"] for d in devices if d["device_id"] != account.device_id]
    assert made == [client.device_id], devices
    assert not files.device_file.exists()  # answered: the next log-in's device is its own


async def test_a_sync_refused_by_tls_is_said_in_words_and_tried_again(
        tmp_path: Path, authority: trustme.CA) -> None:
    """After the first contact (a saved login), a certificate no longer trusted is a failed
    try, said as at the first: it was aiohttp's repr of the verification error."""
    async with raw_server(answer(b"{}"), tls=tls_context(authority)) as port:
        reports = await first_sync_reports(tmp_path, f"https://127.0.0.1:{port}")
    assert [state for state, _ in reports] == ["retrying"]
    assert reports[0][1].startswith(
        "sync failed: it has a TLS certificate this machine does not trust (unable to get "
        "local issuer certificate); "), reports


PASSWORD_FLOWS = b'{"flows": [{"type": "m.login.password"}]}'


@pytest.mark.parametrize(("login", "said"), [
    # The device's id named nio's key store: a file was made outside the data folder.
    ({"user_id": "@bot:example.org", "access_token": "syt_abc",
      "device_id": "/../../../../outside/PWNED"}, "a device id that cannot be used"),
    # The token went into the next request's header: aiohttp's ValueError, exit 70.
    ({"user_id": "@bot:example.org", "access_token": "syt\u0000abc\n", "device_id": "ABCDEFGHIJ"},
     "an access token that cannot be sent"),
    # nio made its keys for @someone.else while the log said "logged in as @bot".
    ({"user_id": "@someone.else:evil.example", "access_token": "syt_abc",
      "device_id": "ABCDEFGHIJ"}, "the homeserver says the login is @someone.else:evil.example's"),
    # helper-103: compared case-folded, the store was named after the answer's id and the
    # login saved under the configured one: a new device at every start.
    ({"user_id": "@BOT:example.org", "access_token": "syt_abc", "device_id": "ABCDEFGHIJ"},
     "the homeserver says the login is @BOT:example.org's, not @bot:example.org's")])
async def test_a_log_in_answered_with_what_cannot_be_used_is_refused_before_any_file(
        tmp_path: Path, login: dict[str, str], said: str) -> None:
    """helper-102: the homeserver's answer to the log-in was taken as it came."""
    def reply(head: bytes) -> bytes:
        return answer(json.dumps(login).encode() if head.startswith(b"POST")
                      else PASSWORD_FLOWS)

    asked: list[bytes] = []
    async with raw_server(reply, asked=asked) as port:
        process = await start_bot(tmp_path, f"http://127.0.0.1:{port}", "@bot:example.org",
                                  "secret")
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    last = err.decode().strip().splitlines()[-1]
    assert process.returncode == 2 and said in last, err.decode()
    assert "Traceback" not in err.decode()
    # The homeserver made a device all the same: one it can be told of is logged out
    # (helper-130), so no live token is left on the account.
    logouts = [head for head in asked if head.startswith(b"POST /_matrix/client/v3/logout ")]
    sent = login["access_token"] == "syt_abc"
    assert [b"authorization: bearer syt_abc" in head.lower() for head in logouts] \
        == ([True] if sent else []), asked
    assert "syt_abc" not in err.decode()
    # A refused first start leaves nothing: the device id asked for is dropped once answered.
    assert not (tmp_path / "data").exists() and not (tmp_path.parent / "outside").exists()


async def test_an_endless_answer_is_read_no_further_than_a_limit(tmp_path: Path) -> None:
    """helper-102: nio read a body whole: 3.9 GB of memory for one that never ended."""
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 2000000000\r\n\r\n[")
            while True:
                writer.write(b"1," * 65536)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(endless, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        line = await refused(tmp_path, url)
    finally:
        server.close()
    assert line.startswith(f"seminarbot: {url} does not answer as a Matrix homeserver"), line


def error(status: int, body: dict[str, object]) -> bytes:
    text = json.dumps(body).encode()
    return (f"HTTP/1.1 {status} Oops\r\nContent-Type: application/json\r\nContent-Length: "
            f"{len(text)}\r\nConnection: close\r\n\r\n").encode() + text


async def test_a_rate_limited_log_in_is_waited_out_and_tried_again(tmp_path: Path) -> None:
    """helper-102: a 429 on POST /login ended the start ("refused the login")."""
    posts: list[bytes] = []

    def reply(head: bytes) -> bytes:
        if not head.startswith(b"POST"):
            return answer(PASSWORD_FLOWS)
        posts.append(head)
        if len(posts) == 1:
            return error(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "slow down",
                               "retry_after_ms": "soon"})  # no number: 1 s
        return error(403, {"errcode": "M_FORBIDDEN", "error": "Invalid password"})

    async with raw_server(reply) as port:
        process = await start_bot(tmp_path, f"http://127.0.0.1:{port}", "@bot:example.org",
                                  "secret")
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    said = err.decode()
    assert process.returncode == 2 and len(posts) == 2, said
    assert "the homeserver asks to wait (HTTP 429 Oops); trying again in 1 s" in said, said
    assert "unavailable" not in said, said  # it answered (helper-130)
    assert "refused the login of @bot:example.org" in said.strip().splitlines()[-1], said


@pytest.mark.parametrize("status", [401, 404, 418])
async def test_a_matrix_error_to_get_login_is_not_a_homeserver(tmp_path: Path,
                                                               status: int) -> None:
    """helper-102: any answer with an errcode passed the check, and the password followed."""
    asked: list[bytes] = []
    async with raw_server(error(status, {"errcode": "M_X", "error": "nope"}),
                          asked=asked) as port:
        url = f"http://127.0.0.1:{port}"
        line = await refused(tmp_path, url)
    assert line.startswith(f"seminarbot: {url} does not answer as a Matrix homeserver (it "
                           f"answers GET /_matrix/client/v3/login, which a homeserver answers "
                           f"anyone with its log-in types, with HTTP {status} Oops, "), line
    assert [head.split(b" ")[0] for head in asked] == [b"GET"]


@pytest.mark.parametrize("named", ["missing.pem", "garbage.pem"])
async def test_an_ssl_cert_file_that_adds_no_authority_is_said(
        tmp_path: Path, authority: trustme.CA, named: str) -> None:
    """helper-102: OpenSSL passes over such a file without a word, and the hint to name one
    in SSL_CERT_FILE read as if it had been followed."""
    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    async with raw_server(answer(FLOWS), tls=tls_context(authority)) as port:
        url = f"https://127.0.0.1:{port}"
        line = await refused(tmp_path / "run", url, {"SSL_CERT_FILE": str(tmp_path / named)})
    assert line.startswith(f"seminarbot: {url} has a TLS certificate this machine does not "
                           "trust"), line
    assert f"; SSL_CERT_FILE names {tmp_path / named}, which cannot be used (" in line, line


async def test_an_access_token_of_no_device_is_said_so(tmp_path: Path) -> None:
    """helper-103: whoami may leave the device out (spec: an application service's token);
    that was said as "does not answer as a Matrix homeserver"."""
    def reply(head: bytes) -> bytes:
        return answer(b'{"user_id": "@bot:example.org"}' if b"/whoami" in head
                      else PASSWORD_FLOWS)

    async with raw_server(reply) as port:
        process = await start_bot(tmp_path, f"http://127.0.0.1:{port}", "@bot:example.org",
                                  "syt_token_of_an_appservice", token=True)
        _, err = await asyncio.wait_for(process.communicate(), STARTUP)
    assert process.returncode == 2, err.decode()
    assert err.decode().strip().splitlines()[-1] == (
        "seminarbot: the access token for @bot:example.org belongs to no device (as an "
        "application service's does), and the bot keeps end-to-end keys for a device: give it "
        "a device's token, or its password")
