"""What a platform's HTTP answer (through aiohttp, which nio and discord.py both use) says when a
request fails: whether another try can mend it, in words for the operator's one line.

A first contact (Matrix's log-in, Discord's log-in and first gateway connection) refuses what
no try mends, a setting to correct: an answer that is no HTTP, a TLS certificate this machine
does not trust, a port that speaks no TLS to an https:// address. What a try may mend (a
refused connection, an answer cut short, a connection closed unanswered) is tried again, said
in these words rather than as aiohttp's reprs. And an answer's body is read to a limit
(`bounded_body`): a server decides how much it sends."""

from __future__ import annotations

import os
import socket
import ssl
from http import HTTPStatus

import aiohttp

from seminarbot.domain.display import in_a_line
from seminarbot.services.connections import reason


async def bounded_body(response: aiohttp.ClientResponse, limit: int) -> bytearray | None:
    """The answer's body as its Content-Encoding decodes, or None (the connection closed)
    once it holds more than `limit` bytes: no more is read, so an endless body or a
    compression bomb costs at most `limit`. Raises aiohttp.ClientPayloadError for a body cut
    short (one read returns what has come so far: a body in two writes needs the loop)."""
    body = bytearray()
    while chunk := await response.content.read(limit + 1 - len(body)):
        body += chunk
        if len(body) > limit:
            response.close()
            return None
    return body  # json reads a bytearray: no copy of an answer (a sync's is megabytes)


def unmendable(error: BaseException) -> str | None:
    """Why no try can mend `error`, as a clause that follows the address ("… has a TLS
    certificate …"), or None when another try may."""
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        said = getattr(error.certificate_error, "verify_message", "") \
            or reason(error.certificate_error)
        named = _trust_file_problem()
        return (f"has a TLS certificate this machine does not trust ({in_a_line(said)}); give "
                "it a certificate from a public authority, or add its authority to this "
                "machine's (SSL_CERT_FILE)" + (f"; {named}" if named else ""))
    if isinstance(error, aiohttp.ClientSSLError):
        said = reason(error.os_error) if isinstance(error, aiohttp.ClientConnectorError) \
            else reason(error)
        return (f"makes no TLS connection ({in_a_line(said)}); if it speaks no TLS, its "
                "address begins with http:// (a gateway's with ws://)")
    if isinstance(error, aiohttp.InvalidURL):
        return f"is no address a request can go to ({in_a_line(reason(error))})"
    if isinstance(error, aiohttp.ClientResponseError) \
            and not isinstance(error, aiohttp.WSServerHandshakeError):  # a status it sent
        # aiohttp's own status 400 (nio and discord.py raise for none): no answer was read.
        return f"does not answer in HTTP that can be read ({in_a_line(str(error.message))})"
    return None


def _trust_file_problem() -> str | None:
    """Why the file SSL_CERT_FILE names adds no authority, or None (OpenSSL passes over one
    it cannot read without a word)."""
    named = os.environ.get("SSL_CERT_FILE")
    if not named:
        return None
    try:
        ssl.create_default_context(cafile=named)
    except (OSError, ssl.SSLError, ValueError) as error:
        return f"SSL_CERT_FILE names {in_a_line(named, 80)}, which cannot be used ({reason(error)})"
    return None


def retried(error: BaseException, address: str) -> str:
    """A failure another try may mend (a network's, a server's; after the first contact, what
    `unmendable` names too), said in one line; `address` is what was asked (a hint for a TLS
    port asked in plain HTTP)."""
    if (why := unmendable(error)) is not None:  # at a later contact: its certificate expired
        return f"it {why}"
    if isinstance(error, aiohttp.ClientPayloadError):
        if "content-encoding" in str(error).lower():  # aiohttp's words: its type is the same
            return "its answer cannot be decoded as its Content-Encoding says"
        return "its answer broke off before its end (the connection was closed or reset)"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        tls = {"http": "https", "ws": "wss"}.get(address.split(":", 1)[0])
        hint = f" (if it speaks TLS, its address begins with {tls}://)" if tls else ""
        return f"it closed the connection without an answer{hint}"
    if isinstance(error, TimeoutError) and str(error) and address.startswith("https:"):
        # An HTTP server waits for a request's line end that a TLS hello never sends.
        return f"{error} (if it speaks plain HTTP, its address begins with http://)"
    if isinstance(error, aiohttp.WSServerHandshakeError):
        return f"it answered the WebSocket handshake with {status_line(error.status)}"
    if isinstance(error, aiohttp.ClientConnectorError) and (code := error.os_error.errno):
        cause = error.os_error  # asyncio's own words for a refusal are a repr: the errno's
        said = cause.strerror if isinstance(cause, socket.gaierror) else os.strerror(code)
        return f"cannot connect to {in_a_line(error.host, 80)}:{error.port} ({said})"
    return reason(error)


def status_line(status: int) -> str:
    """`HTTP 503 Service Unavailable`: the status with its reason phrase (RFC 9110), or
    without one for a code it does not name."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def as_answered(status: int, reason: str | None) -> str:
    """`HTTP 502 Bad Gateway` as the server said it: its own reason phrase, which may be
    anything, isolated in the line and cut at 60 characters (domain.display.in_a_line)."""
    return f"HTTP {status} {in_a_line(reason or '', 60)}".rstrip()
