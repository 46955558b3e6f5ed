"""adapters.http_answers: aiohttp's failures, as they really come, said in words (helper-102:
a refused connection and a gateway's 503 were aiohttp's reprs; a body in the wrong encoding
was "broke off"; a wss:// address was told to begin with http://)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import aiohttp
import pytest

from seminarbot.adapters.http_answers import retried
from seminarbot.adapters.matrix.backoff import rate_limit_delay
from tests.raw_servers import raw_server


async def failure(url: str) -> BaseException:
    async with aiohttp.ClientSession() as session:
        try:
            if url.startswith("ws"):
                await session.ws_connect(url)
            else:
                async with session.get(url) as response:
                    await response.read()
        except Exception as error:  # what the request raised
            return error
    raise AssertionError("no failure")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_refused_connection_is_said_in_words() -> None:
    port = closed_port()
    error = await failure(f"http://127.0.0.1:{port}/")
    assert retried(error, "http://x") == f"cannot connect to 127.0.0.1:{port} (Connection refused)"


@pytest.mark.parametrize(("answer", "scheme", "said"), [
    (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", "ws",
     "it answered the WebSocket handshake with HTTP 503 Service Unavailable"),
    (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnot gzip", "http",
     "its answer cannot be decoded as its Content-Encoding says"),
    (b"", "ws", "it closed the connection without an answer (if it speaks TLS, its address "
                "begins with wss://)"),
    (b"", "http", "it closed the connection without an answer (if it speaks TLS, its address "
                  "begins with https://)")])
async def test_what_a_server_answers_is_said_in_words(answer: bytes, scheme: str,
                                                      said: str) -> None:
    async with raw_server(answer) as port:
        url = f"{scheme}://127.0.0.1:{port}/"
        assert retried(await failure(url), url) == said


def test_a_name_not_found_is_said_in_words() -> None:
    """helper-103: "Unknown error -2" (os.strerror of a resolver's code)."""
    key = SimpleNamespace(host="nonexistent.invalid", port=80, ssl=True)
    error = aiohttp.ClientConnectorError(
        key, socket.gaierror(socket.EAI_NONAME, "Name or service not known"))  # type: ignore[arg-type]
    assert retried(error, "http://x") == ("cannot connect to nonexistent.invalid:80 (Name or "
                                          "service not known)")


@pytest.mark.parametrize(("retry_after", "waited"), [
    (10**400, 60.0), (-5, 1.0), ("soon", 1.0), (True, 1.0), (float("nan"), 1.0), (250, 0.25)])
def test_a_rate_limits_wait_is_a_number_of_seconds_whatever_it_says(
        retry_after: object, waited: float) -> None:
    """helper-103: retry_after_ms of 10**400 raised OverflowError in every Matrix request."""
    answer = SimpleNamespace(status_code="M_LIMIT_EXCEEDED", retry_after_ms=retry_after,
                             transport_response=SimpleNamespace(status=429))
    assert rate_limit_delay(answer) == waited
