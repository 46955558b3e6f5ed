"""The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay,
dispatches, and the disconnects a test asks for."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_fake.state import Json, World

HELLO, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HEARTBEAT_ACK, DISPATCH = (
    10, 1, 2, 6, 7, 9, 11, 0)
MESSAGE_CONTENT_INTENT = 1 << 15


@dataclass
class Session:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seq: int = 0
    sent: list[Json] = field(default_factory=list)  # every dispatch, for replay on RESUME
    resumable: bool = True


class Gateway:
    def __init__(self, world: World, token: str, problems: list[str]) -> None:
        self.world = world
        self.token = token
        self.problems = problems
        self.url = ""
        self.session: Session | None = None
        self.socket: web.WebSocketResponse | None = None
        self.sockets: set[web.WebSocketResponse] = set()
        self.open = asyncio.Event()
        self.open.set()
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self.intents: int | None = None
        # Whether the application has the Message Content intent turned on in the portal.
        self.message_content_allowed = True
        # A close code to answer IDENTIFY with (Discord's fatal ones: 4010-4013), if any.
        self.identify_closes: int | None = None
        # What the next connections are answered with instead of HELLO, one each, as sent
        # (bytes in a binary frame; a number: a close with that code; None: nothing). Whatever
        # the client sends then is a problem.
        self.instead_of_hello: list[str | bytes | int | None] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        await self.open.wait()  # a test holding the gateway closed: the client waits here
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.add(socket)
        try:
            if self.instead_of_hello:
                first = self.instead_of_hello.pop(0)
                if isinstance(first, int):
                    await socket.close(code=first, message=b"Authentication failed.")
                elif isinstance(first, bytes):
                    await socket.send_bytes(first)
                elif first is not None:
                    await socket.send_str(first)
                async for frame in socket:  # until the client closes it
                    self.problems.append(f"gateway: sent with no HELLO: {frame.data!r:.30}")
                return socket
            await self._send(socket, {"op": HELLO, "d": {"heartbeat_interval": 41250}})
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._receive(socket, json.loads(frame.data))
        finally:
            self.sockets.discard(socket)
            if self.socket is socket:
                self.socket = None
        return socket

    async def _receive(self, socket: web.WebSocketResponse, message: Json) -> None:
        op, data = message.get("op"), message.get("d") or {}
        if op == HEARTBEAT:
            self.heartbeats += 1
            await self._send(socket, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(socket, data)
        elif op == RESUME:
            await self._resume(socket, data)
        else:
            self.problems.append(f"gateway: unexpected op {op}: {message}")

    async def _identify(self, socket: web.WebSocketResponse, data: Json) -> None:
        if self.identify_closes is not None:
            await socket.close(code=self.identify_closes, message=b"Refused.")
            return
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        self.intents = data.get("intents")
        if (self.intents or 0) & MESSAGE_CONTENT_INTENT and not self.message_content_allowed:
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        self.session = Session()
        self.socket = socket
        world = self.world
        await self.dispatch("READY", {
            "v": 10, "user": world.bot,
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in world.guilds],
            "session_id": self.session.id, "resume_gateway_url": self.url,
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [], "relationships": [], "user_settings": {}})
        for guild_id in world.guilds:
            await self.dispatch("GUILD_CREATE", world.guild(guild_id))

    async def _resume(self, socket: web.WebSocketResponse, data: Json) -> None:
        session = self.session
        if (session is None or not session.resumable or data.get("session_id") != session.id
                or data.get("token") != self.token):
            await self._send(socket, {"op": INVALID_SESSION, "d": False})
            return
        self.resumes += 1
        self.socket = socket
        for frame in session.sent:
            if frame["s"] > (data.get("seq") or 0):
                await self._send(socket, frame)
        await self.dispatch("RESUMED", {})

    async def dispatch(self, event: str, data: Any) -> None:
        """Send an event now, or keep it for a RESUME if the bot is away."""
        session = self.session
        if session is None:
            return
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if self.socket is not None and not self.socket.closed:
            await self._send(self.socket, frame)

    async def drop(self, *, resumable: bool, hold: bool) -> None:
        """Close the bot's connection as a network failure would (code 4000: it may reconnect).
        Not resumable: the session has expired, so nothing is replayed. Hold: new connections
        wait until `release()`."""
        if hold:
            self.open.clear()
        if self.session is not None and not resumable:
            self.session.resumable = False
        socket, self.socket = self.socket, None
        if socket is not None:
            await socket.close(code=4000, message=b"Unknown error")

    async def ask_to_reconnect(self) -> None:
        """RECONNECT (op 7) on the bot's connection, as Discord sends from time to time."""
        if self.socket is not None:
            await self._send(self.socket, {"op": RECONNECT, "d": None})

    def release(self) -> None:
        self.open.set()

    async def close(self) -> None:
        self.open.set()
        for socket in list(self.sockets):
            await socket.close(code=1001, message=b"Server shutdown")

    @staticmethod
    async def _send(socket: web.WebSocketResponse, frame: Json) -> None:
        await socket.send_str(json.dumps(frame))
