"""The opening of Discord's gateway connections (discord.py's HTTPClient.ws_connect, which
SeminarClient replaces with `Paced`): connections that keep ending soon are spaced out, each
connection's first message must be a HELLO discord.py can keep (`check_hello`), and one that
sends nothing is shut. A failed connection is then tried again by connecting.connect."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord.gateway

from seminarbot.domain.backoff import Backoff
from seminarbot.domain.jsontext import read_json
from seminarbot.services.connections import ANSWER_LIMIT

log = logging.getLogger("seminarbot.adapters.discord.client")  # as the lines always read
QUICK = 30.0  # seconds: a gateway connection that ends sooner paces the next (Paced)
# The fewest seconds between heartbeats a HELLO may ask for (check_hello): Discord's are about
# 41 s; discord.py's keep-alive thread sends one every interval, so less would be a flood.
HEARTBEAT_FLOOR = 1.0
HELLO = discord.gateway.DiscordWebSocket.HELLO  # op 10
RECONNECT = discord.gateway.DiscordWebSocket.RECONNECT  # op 7
INVALID_SESSION = discord.gateway.DiscordWebSocket.INVALIDATE_SESSION  # op 9
SHORT = 128  # characters: a message this short may be a RECONNECT or an INVALID_SESSION
ZLIB_SUFFIX = b"\x00\x00\xff\xff"  # ends a whole compressed message (Z_SYNC_FLUSH)
MOST_FIRST_BYTES = 1 << 20  # a HELLO is some 100 bytes


class NotHello(ValueError):
    """A connection's first message is not the HELLO Discord's gateway begins every connection
    with (Gateway docs, Connecting: op 10, `d.heartbeat_interval` in milliseconds), or its
    interval is none discord.py can keep: it would send no heartbeat, or spin sending them."""


def check_hello(message: str | bytes, longest: float, *, first: bool = True) -> None:
    """Raise NotHello unless `message` (as discord.py decoded it) is a HELLO asking for a
    heartbeat every HEARTBEAT_FLOOR to `longest` seconds (discord.py's wait for any message: a
    longer interval would end every quiet connection). A message after the `first` must be
    no HELLO: Discord sends one per connection, and discord.py starts a keep-alive thread on
    each, the earlier ones still running."""
    try:
        hello = read_json(message)
    except ValueError:
        return  # discord.py's own reading of it fails next, as for any other message
    if not isinstance(hello, dict) or hello.get("op") != HELLO:
        if first:
            raise NotHello("its first message is not a HELLO (op 10)")
        return
    if not first:
        raise NotHello("it sent a second HELLO on one connection")
    data = hello.get("d")
    given = data.get("heartbeat_interval") if isinstance(data, dict) else None
    try:
        seconds = float(given) / 1000 if isinstance(given, int | float) \
            and not isinstance(given, bool) else math.nan
    except OverflowError:  # an integer past any float
        seconds = math.inf
    if math.isnan(seconds):
        raise NotHello("its HELLO gives no heartbeat interval in milliseconds")
    if not HEARTBEAT_FLOOR <= seconds <= longest:
        raise NotHello(f"its HELLO asks for a heartbeat every {seconds:.10g} s, not "
                       f"{HEARTBEAT_FLOOR:g} to {longest:g} s")


def _first_message_whole(opened: aiohttp.ClientWebSocketResponse) -> None:
    """The connection's first message read whole: compressed (zlib-stream), a message may
    come in several frames, the last ending in ZLIB_SUFFIX (Gateway docs, Transport
    Compression). discord.py reads a connection's first message (the HELLO) one frame at a
    time, and went on to its IDENTIFY after a part of it. At most MOST_FIRST_BYTES."""
    receive = opened.receive

    async def whole(timeout: float | None = None) -> aiohttp.WSMessage:  # noqa: ASYNC109
        opened.receive = receive  # type: ignore[method-assign]  # the first message only
        message = await receive(timeout=timeout)
        parts = b""
        while (message.type is aiohttp.WSMsgType.BINARY and len(parts) < MOST_FIRST_BYTES
               and not bytes(message.data).endswith(ZLIB_SUFFIX)):
            parts += bytes(message.data)
            message = await receive(timeout=timeout)
        if parts and message.type is aiohttp.WSMsgType.BINARY:
            return aiohttp.WSMessage(message.type, parts + bytes(message.data), None)
        return message

    opened.receive = whole  # type: ignore[method-assign]


class Paced:
    """discord.py's opener of gateway connections (HTTPClient.ws_connect), pacing connections
    that keep ending soon: discord.py opens the next at once after a close or a reconnect
    request (Client.connect), so a gateway that closed every connection after its HELLO was
    opened about a thousand times a second, with no log line. After GRACE connections in a row
    that each ended within QUICK seconds of being opened, each next one is opened a doubling
    gap (1 s, 2 s, … 30 s) after the one before, with a log line; one that lasted longer
    ends the pacing. Waits already made (the first connection's backoff above, discord.py's
    before a new IDENTIFY) count towards the gap. `now`: a monotonic clock, in seconds;
    `closed`: whether the client was closed meanwhile (then no connection is opened);
    `longest_heartbeat`: the longest heartbeat interval a HELLO may ask for, in seconds;
    `retried_by_discord_py`: whether discord.py itself opens the next connection after this one
    fails (once it has a session's websocket), so that no line of connecting.connect says it.
    A connection shut unanswered counts as one that ended soon."""

    GRACE = 3  # a resume refused, then a new IDENTIFY, after a drop: two opens, not a loop

    def __init__(self, open_gateway: Callable[..., Awaitable[aiohttp.ClientWebSocketResponse]],
                 closed: Callable[[], bool], longest_heartbeat: float,
                 now: Callable[[], float] = time.monotonic,
                 retried_by_discord_py: Callable[[], bool] = lambda: False) -> None:
        self._open = open_gateway
        self._closed = closed
        self._retried_by_discord_py = retried_by_discord_py
        self._longest_heartbeat = longest_heartbeat
        self._now = now
        self._asked: int | None = None  # the RECONNECT or INVALID_SESSION it sent, if any
        self._hello_due = False  # the last connection opened has sent nothing yet
        self._session_due = False  # … or a HELLO, and no session began on it yet
        self._any_session = False  # whether a session ever began on any connection
        self.presented = False  # the last connection carried an IDENTIFY or RESUME (the token)
        self.unanswered: str | None = None  # why it was shut, as a failed try says it
        self._deadline: asyncio.TimerHandle | None = None
        # discord.py gives the whole opening 60 s (Client.connect's wait_for), this wait
        # included: a longer one would be cut short before any connection is made.
        self._gap = Backoff(limit=30.0)
        self._quick = 0  # connections in a row that ended within QUICK
        self._last: float | None = None
        self.latest: aiohttp.ClientWebSocketResponse | None = None  # the last one opened

    async def __call__(self, url: str, **options: Any) -> aiohttp.ClientWebSocketResponse:
        if self._last is not None:
            since = self._now() - self._last
            quick = since < QUICK or self.unanswered is not None
            self._quick = self._quick + 1 if quick else 0
            if self._quick < self.GRACE:
                self._gap.reset()
            elif (wait := self._gap.next_delay() - since) > 0:
                log.warning("discord: the gateway ended %d connections in a row within %.0f s "
                            "of opening each; opening the next in %.1f s", self._quick, QUICK,
                            wait)
                await asyncio.sleep(wait)
                if self._closed():  # discord.py's loop ends on it, as after a failed open
                    raise aiohttp.ClientConnectionError("the client was closed")
        self._last = self._now()
        self.unanswered = self._asked = None  # this try fails, if it does, for its own reason
        self.presented = False
        self.latest = await self._open(url, **options)
        _first_message_whole(self.latest)
        self._hello_due = self._session_due = True
        self._shut_unless_answered(f"it did not answer within {ANSWER_LIMIT:g} s",
                                   f"sent nothing within {ANSWER_LIMIT:g} s of opening a "
                                   "connection")
        return self.latest

    def _shut_unless_answered(self, problem: str, line: str) -> None:
        """From now, the last connection has ANSWER_LIMIT seconds to answer (`_shut`)."""
        assert self.latest is not None
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = asyncio.get_running_loop().call_later(
            ANSWER_LIMIT, self._shut, self.latest, self._hello_due, problem, line)

    def _shut(self, opened: aiohttp.ClientWebSocketResponse, hello_due: bool, problem: str,
              line: str) -> None:
        """A connection that has sent nothing within ANSWER_LIMIT seconds (Discord's HELLO
        comes at once), or began no session as long after the IDENTIFY or RESUME, is shut,
        not closed: a close waits for the gateway's answer (30 s more in discord.py), and
        discord.py itself waits 60 s for any message, then resumes on the same terms (its
        heartbeats, answered, would keep a connection with no session open forever). Its try
        then fails as one that did not answer."""
        due = self._hello_due if hello_due else self._session_due
        if opened is not self.latest or not due or opened.closed:
            return
        self.unanswered = problem
        if self._retried_by_discord_py():
            log.warning("discord: the gateway %s; shutting it and opening another", line)
        raw = opened.get_extra_info("socket")
        if raw is not None:
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_RDWR)

    def sending(self) -> None:
        """Before discord.py sends anything on the last connection but a heartbeat (an
        IDENTIFY or a RESUME, each with the token): raise NotHello if it has sent no whole
        message yet (a part of a compressed one is no HELLO). The first send after the HELLO
        is the IDENTIFY or RESUME: a session must begin within ANSWER_LIMIT seconds of it."""
        if self._hello_due:
            raise NotHello("its first message is not a whole HELLO")
        self.presented = True
        if self._session_due and self._deadline is None:
            began_none = (f"began no session within {ANSWER_LIMIT:g} s of the bot's IDENTIFY "
                          "or RESUME")
            self._shut_unless_answered(f"it {began_none}", began_none)

    def began(self) -> None:
        """A session began or goes on, on the last connection: READY, RESUMED, or any event
        (a RESUME's replay of what was missed, which may take longer than ANSWER_LIMIT)."""
        self._session_due = False
        self._any_session = True

    def received(self, message: str | bytes) -> None:
        """Each message of the gateway as discord.py decoded it, before it reads it: the first
        of each connection must be a HELLO (check_hello)."""
        if self._hello_due:
            self._hello_due = False
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            check_hello(message, self._longest_heartbeat)
        elif isinstance(message, str) and ("heartbeat_interval" in message or "\\u" in message):
            # Maybe a later HELLO (its key may be spelt with JSON's escapes).
            check_hello(message, self._longest_heartbeat, first=False)
        elif len(message) < SHORT:
            with contextlib.suppress(ValueError):
                short = read_json(message)
                if isinstance(short, dict) and short.get("op") in (RECONNECT, INVALID_SESSION):
                    self._asked = short["op"]

    def ended(self, error: BaseException | None) -> None:
        """discord.py ended the last connection (its `disconnect` event, `error` the exception
        it is handling). A reconnection it makes on its own (ReconnectWebSocket) is one line
        with its reason, said here: discord.py says it at DEBUG only. Its other tries are said
        by its "Attempting a reconnect" (cli.logs), a connection shut unanswered by `_shut`."""
        if not isinstance(error, discord.gateway.ReconnectWebSocket) or self.unanswered:
            return
        if self._hello_due and not self._any_session:
            return  # closed before its HELLO: discord.py has no connection to resume from, so
            # the failure reaches connecting.connect, whose one line a try says it
        # discord.py resumes whenever it can: with no session yet, there is none to resume.
        then = ("trying again" if not self._any_session else
                "resuming the session" if error.resume else "beginning a new session")
        if self._asked == RECONNECT:  # Discord's routine request (Gateway docs, Resuming)
            log.info("discord: the gateway asked the bot to reconnect; %s", then)
            return
        cause = error.__context__  # discord.py raises it `from None` while handling the cause
        why = ("it invalidated the session (INVALID_SESSION)" if self._asked == INVALID_SESSION
               else f"it sent nothing for {self._longest_heartbeat:g} s"
               if isinstance(cause, TimeoutError)
               else f"it closed the connection (code {self._close_code()})")
        before = "" if self._any_session else " before any session began"
        log.warning("discord: the gateway connection ended%s: %s; %s", before, why, then)

    def _close_code(self) -> str:
        code = self.latest.close_code if self.latest is not None else None
        return "none" if code is None else str(code)
