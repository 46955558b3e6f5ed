"""Servers on loopback for a client's first contact: raw bytes as the answer (what is no HTTP,
or HTTP cut short), over TLS with a certificate from a test authority (trustme) when asked."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable

import trustme


def answer(body: bytes, content_type: str = "application/json", length: int | None = None
           ) -> bytes:
    """HTTP's 200 with `body`, claiming `length` bytes (the body's own by default)."""
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: "
            f"{len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
            ).encode() + body


@contextlib.asynccontextmanager
async def raw_server(said: bytes | Callable[[bytes], bytes], tls: ssl.SSLContext | None = None,
                     asked: list[bytes] | None = None) -> AsyncIterator[int]:
    """A server on loopback that answers each request's head with `said` (or what `said`
    makes of the head) and closes; its port. `asked`: each request's head."""
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await reader.readuntil(b"\r\n\r\n")
            if asked is not None:
                asked.append(head)
            writer.write(said(head) if callable(said) else said)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(reply, "127.0.0.1", 0, ssl=tls)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


def tls_context(authority: trustme.CA) -> ssl.SSLContext:
    """A server's TLS context, its certificate for 127.0.0.1 issued by `authority`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context
