"""The fake's REST API: the routes the adapter uses, every request recorded, and any other
route answered 404 and written down as a problem that fails the test."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.discord_fake.forums import Forums
from tests.discord_fake.gateway import Gateway
from tests.discord_fake.scheduled import ScheduledEvents
from tests.discord_fake.state import (
    DISCORD_EPOCH_MS,
    FORUM_CHANNEL,
    PUBLIC_THREAD,
    THREAD_STARTER,
    Json,
    World,
)

API = "/api/v10"
EPHEMERAL = 1 << 6
ANSWER_WITHIN_MS = 3_000


def reply(data: Any, status: int = 200) -> web.Response:
    # discord.py reads JSON only when the content type is exactly application/json.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return reply({"message": message, "code": code}, status)


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any = None
    files: list[tuple[str, bytes, str]] = field(default_factory=list)


@dataclass
class InteractionLog:
    """What the bot answered to one interaction: the callback, then edits and follow-ups."""

    id: int
    token: str
    channel_id: int = 0  # where it was typed: its answer's message is there (0: the seminar's)
    callback: Json | None = None
    files: list[tuple[str, bytes, str]] = field(default_factory=list)
    edits: list[Json] = field(default_factory=list)
    followups: list[Json] = field(default_factory=list)
    deleted: bool = False
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def message(self) -> Json:
        """The answer a person sees: the callback's message, or the edit of a deferred one."""
        assert self.callback is not None
        if self.edits:
            return self.edits[-1]
        data: Json = self.callback.get("data") or {}
        return data

    @property
    def ephemeral(self) -> bool:
        assert self.callback is not None
        return bool((self.callback.get("data") or {}).get("flags", 0) & EPHEMERAL)


Handler = Callable[[web.Request, Call, dict[str, str]], Awaitable[web.Response]]


class Rest:
    def __init__(self, world: World, gateway: Gateway, token: str, problems: list[str]) -> None:
        self.world = world
        self.gateway = gateway
        self.token = token
        self.problems = problems
        self.calls: list[Call] = []
        self.server_errors = 0  # how many requests to answer 502 Bad Gateway first
        self.spare_gateway = False  # … but GET /gateway
        self.interactions: dict[int, InteractionLog] = {}
        self.commands: dict[str, list[Json]] = {}  # "global" or a guild id → the synced payload
        # Channels where sending is refused: channel id → (code, message), e.g. 50013.
        self.refused: dict[int, tuple[int, str]] = {}
        # Channels whose messages may not start threads (a permission taken away meanwhile).
        self.threads_refused: dict[int, tuple[int, str]] = {}
        # Requests answered 503 (Discord's "upstream connect error"): (method, path) → how many
        # more times. discord.py retries 500, 502, 504 and 524 itself, not 503.
        self.outages: dict[tuple[str, str], int] = {}
        # Messages a read of is refused, as for a channel the bot lost Read Message History in.
        self.unreadable: set[int] = set()
        self._nonces: dict[str, Json] = {}
        # While `hold` is set, an interaction's callback waits (`holding` says one does) until
        # it is released; an answer whose connection the bot closed meanwhile is not received.
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()
        self.forums = Forums(world, gateway, problems, reply, error)
        self.scheduled = ScheduledEvents(world, problems, reply, error)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", r"/gateway", self._gateway),
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
             self._put_commands),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_message),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._history),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._get_message),
            ("POST", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/threads",
             self._start_thread),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._message),
            ("POST", r"/channels/(?P<channel>\d+)/threads", self._forum_post),
            ("GET", r"/guilds/(?P<guild>\d+)/scheduled-events", self._events),
            ("POST", r"/guilds/(?P<guild>\d+)/scheduled-events", self._create_event),
            ("PATCH", r"/guilds/(?P<guild>\d+)/scheduled-events/(?P<event>\d+)",
             self._modify_event),
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel),
            ("PATCH", r"/channels/(?P<channel>\d+)", self._edit_channel),
            ("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("PATCH", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/@original",
             self._edit_original),
            ("DELETE", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/@original",
             self._delete_original),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._followup),
        ]
        self.routes = [(m, re.compile(p + "$"), h) for m, p, h in routes]

    # -- the door -----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        call = Call(request.method, path.removeprefix(API), dict(request.query))
        if self.server_errors > 0 and not (self.spare_gateway and call.path == "/gateway"):
            # A Discord struggling: an HTML page from its proxy.
            self.server_errors -= 1
            return web.Response(status=502, text="<html>502 Bad Gateway</html>",
                                content_type="text/html")
        await self._read_body(request, call)
        self.calls.append(call)
        self._check_no_pings(call)
        if sum(len(data) for _, data, _ in call.files) > self.world.upload_limit:
            self.problems.append(f"{call.method} {call.path} sent files over the upload limit")
            return error(413, 40005, "Request entity too large")
        if not path.startswith(API + "/"):
            return self._unknown(call)
        if self.outages.get((call.method, call.path), 0) > 0:
            self.outages[call.method, call.path] -= 1
            return error(503, 0, "upstream connect error or disconnect/reset before headers")
        for method, pattern, handler in self.routes:
            match = pattern.match(call.path)
            if match and method == request.method:
                webhook = call.path.startswith(("/interactions/", "/webhooks/", "/gateway"))
                if not webhook and request.headers.get("Authorization") != f"Bot {self.token}":
                    return error(401, 0, "401: Unauthorized")
                return await handler(request, call, match.groupdict())
        return self._unknown(call)

    def _check_no_pings(self, call: Call) -> None:
        """Everything the bot sends must ping nobody, whatever text it carries."""
        body = call.body if isinstance(call.body, dict) else {}
        message = body.get("data") if call.path.endswith("/callback") else body
        if re.fullmatch(r"/channels/\d+/threads", call.path):
            message = body.get("message")  # a forum post's starter message
        sends = call.method in ("POST", "PATCH") and (
            re.fullmatch(r"/channels/\d+/(messages|threads)", call.path)
            or call.path.startswith("/webhooks/")
            or (call.path.endswith("/callback") and body.get("type") in (4, 7)))
        if not sends or not isinstance(message, dict):
            return
        mentions = message.get("allowed_mentions")
        if mentions != {"parse": []} and not (mentions and mentions.get("parse") == []
                                              and not mentions.get("users")
                                              and not mentions.get("roles")):
            self.problems.append(f"{call.method} {call.path} sent allowed_mentions={mentions}")

    def _unknown(self, call: Call) -> web.Response:
        self.problems.append(f"unknown route: {call.method} {call.path}")
        return error(404, 0, "404: Not Found")

    @staticmethod
    async def _read_body(request: web.Request, call: Call) -> None:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                if part.name == "payload_json":
                    call.body = json.loads(await part.text())
                else:
                    data = await part.read()
                    call.files.append((part.filename or "", bytes(data),
                                       part.headers.get("Content-Type", "")))
        elif request.can_read_body:
            call.body = await request.json()

    # -- application and commands -------------------------------------------------------------

    async def _gateway(self, request: web.Request, call: Call,
                       args: dict[str, str]) -> web.Response:
        """Get Gateway: it needs no token, and a token sent to it is a problem."""
        if "Authorization" in request.headers:
            self.problems.append("GET /gateway was sent the token")
        return reply({"url": self.gateway.url})

    async def _me(self, request: web.Request, call: Call, args: dict[str, str]) -> web.Response:
        return reply(self.world.bot)

    async def _application(self, request: web.Request, call: Call,
                           args: dict[str, str]) -> web.Response:
        world = self.world
        return reply({"id": str(world.application_id), "name": "seminarbot", "icon": None,
                      "description": "", "bot_public": False, "bot_require_code_grant": False,
                      "owner": world.people["ann"].user, "verify_key": "0" * 64, "flags": 0,
                      "team": None, "summary": ""})

    async def _put_commands(self, request: web.Request, call: Call,
                            args: dict[str, str]) -> web.Response:
        if args["app"] != str(self.world.application_id):
            return error(403, 50001, "Missing Access")
        stored = [{**command, "id": str(self.world.new_id()),
                   "application_id": args["app"], "version": "1"} for command in call.body]
        self.commands[args.get("guild") or "global"] = stored
        return reply(stored)

    # -- channels, messages, threads ----------------------------------------------------------

    async def _create_message(self, request: web.Request, call: Call,
                              args: dict[str, str]) -> web.Response:
        channel_id = int(args["channel"])
        if channel_id not in self.world.channels:
            return error(404, 10003, "Unknown Channel")
        if channel_id in self.refused:
            code, text = self.refused[channel_id]
            return error(403, code, text)
        metadata = self.world.channels[channel_id].get("thread_metadata") or {}
        if metadata.get("archived"):  # Discord: unarchive it first (its owner or a moderator)
            return error(400, 50083, "Thread is archived")
        body = call.body or {}
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and nonce in self._nonces:
            return reply(self._nonces[nonce])
        attachments = [{"id": str(self.world.new_id()), "filename": name, "size": len(data),
                        "url": f"https://cdn.invalid/{name}", "proxy_url": f"https://cdn.invalid/{name}"}
                       for name, data, _ in call.files]
        message = self.world.message(channel_id, self.world.bot, body.get("content") or "",
                                     embeds=body.get("embeds"), nonce=nonce,
                                     attachments=attachments)
        if nonce:
            self._nonces[nonce] = message
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return reply(message)

    async def _history(self, request: web.Request, call: Call,
                       args: dict[str, str]) -> web.Response:
        channel_id = int(args["channel"])
        if channel_id not in self.world.channels:
            return error(404, 10003, "Unknown Channel")

        def number(key: str) -> int | None:
            return int(call.query[key]) if key in call.query else None

        return reply(self.world.history(channel_id, limit=number("limit") or 50,
                                        after=number("after"), before=number("before")))

    async def _get_message(self, request: web.Request, call: Call,
                           args: dict[str, str]) -> web.Response:
        if int(args["channel"]) not in self.world.channels:
            return error(404, 10003, "Unknown Channel")
        message = self.world.messages.get(int(args["message"]))
        if message is None or message["channel_id"] != args["channel"]:
            return error(404, 10008, "Unknown Message")
        if int(args["message"]) in self.unreadable:
            return error(403, 50001, "Missing Access")
        return reply(message)

    async def _start_thread(self, request: web.Request, call: Call,
                            args: dict[str, str]) -> web.Response:
        channel_id, message_id = int(args["channel"]), int(args["message"])
        if channel_id in self.refused or channel_id in self.threads_refused:
            code, text = self.refused.get(channel_id) or self.threads_refused[channel_id]
            return error(403, code, text)
        if message_id not in self.world.messages:
            return error(404, 10008, "Unknown Message")
        body = call.body or {}
        thread = self.world.thread(message_id, body["name"], body["auto_archive_duration"])
        self.world.message(message_id, self.world.bot, "", kind=THREAD_STARTER,
                           reference=message_id)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return reply(thread, 201)

    async def _get_channel(self, request: web.Request, call: Call,
                           args: dict[str, str]) -> web.Response:
        channel = self.world.channels.get(int(args["channel"]))
        return reply(channel) if channel else error(404, 10003, "Unknown Channel")

    async def _edit_channel(self, request: web.Request, call: Call,
                            args: dict[str, str]) -> web.Response:
        channel = self.world.channels.get(int(args["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if channel["type"] == FORUM_CHANNEL:
            return await self.forums.edit_forum(channel, call.body or {})
        if channel["type"] != PUBLIC_THREAD:
            self.problems.append(f"the bot edited channel {channel['name']}, not a thread")
            return error(403, 50013, "Missing Permissions")
        body = call.body or {}
        metadata = channel["thread_metadata"]
        for key in ("archived", "locked", "auto_archive_duration"):
            if key in body:
                metadata[key] = body[key]
        await self.gateway.dispatch("THREAD_UPDATE", channel)
        return reply(channel)

    async def _message(self, request: web.Request, call: Call,
                       args: dict[str, str]) -> web.Response:
        return self.forums.get_message(int(args["channel"]), int(args["message"]))

    async def _forum_post(self, request: web.Request, call: Call,
                          args: dict[str, str]) -> web.Response:
        channel = self.world.channels.get(int(args["channel"]))
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if int(args["channel"]) in self.refused:
            code, text = self.refused[int(args["channel"])]
            return error(403, code, text)
        return await self.forums.create_post(channel, call.body or {})

    # -- scheduled events ---------------------------------------------------------------------

    async def _events(self, request: web.Request, call: Call,
                      args: dict[str, str]) -> web.Response:
        return await self.scheduled.listed(int(args["guild"]))

    async def _create_event(self, request: web.Request, call: Call,
                            args: dict[str, str]) -> web.Response:
        return await self.scheduled.create(int(args["guild"]), call.body or {})

    async def _modify_event(self, request: web.Request, call: Call,
                            args: dict[str, str]) -> web.Response:
        return await self.scheduled.modify(int(args["guild"]), int(args["event"]),
                                           call.body or {})

    # -- interactions -------------------------------------------------------------------------

    def _log(self, token: str) -> InteractionLog | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    def _expired(self, interaction_id: int) -> bool:
        """Discord takes the first answer within three seconds of the interaction (docs:
        Interactions, Receiving and Responding), by the test's clock."""
        made = (interaction_id >> 22) + DISCORD_EPOCH_MS
        return self.world.now().timestamp() * 1000 - made > ANSWER_WITHIN_MS

    async def _callback(self, request: web.Request, call: Call,
                        args: dict[str, str]) -> web.Response:
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()
            if request.transport is None or request.transport.is_closing():
                return error(400, 0, "the bot closed the connection before the answer")
        log = self.interactions.get(int(args["id"]))
        if log is None or log.token != args["token"] or self._expired(log.id):
            return error(404, 10062, "Unknown interaction")
        if log.callback is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        log.callback, log.files = call.body, call.files
        log.answered.set()
        answer: Json = {"interaction": {"id": str(log.id), "type": 2,
                                        "response_message_loading": call.body["type"] == 5,
                                        "response_message_ephemeral": log.ephemeral}}
        if call.body["type"] in (4, 5):
            message = self.world.message(log.channel_id or self.world.seminar_channel,
                                         self.world.bot,
                                         (call.body.get("data") or {}).get("content") or "",
                                         embeds=(call.body.get("data") or {}).get("embeds"),
                                         store=False)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": call.body["type"], "message": message}
        return reply(answer)

    async def _edit_original(self, request: web.Request, call: Call,
                             args: dict[str, str]) -> web.Response:
        log = self._log(args["token"])
        if log is None:
            return error(404, 10015, "Unknown Webhook")
        log.edits.append(call.body)
        log.files += call.files
        return reply(self._webhook_message(call.body))

    async def _delete_original(self, request: web.Request, call: Call,
                               args: dict[str, str]) -> web.Response:
        log = self._log(args["token"])
        if log is None:
            return error(404, 10015, "Unknown Webhook")
        log.deleted = True
        return web.Response(status=204)

    async def _followup(self, request: web.Request, call: Call,
                        args: dict[str, str]) -> web.Response:
        log = self._log(args["token"])
        if log is None:
            return error(404, 10015, "Unknown Webhook")
        log.followups.append(call.body)
        log.files += call.files
        return reply(self._webhook_message(call.body))

    def _webhook_message(self, body: Json) -> Json:
        message = self.world.message(self.world.seminar_channel, self.world.bot,
                                     body.get("content") or "", embeds=body.get("embeds"),
                                     store=False)
        message["webhook_id"] = str(self.world.application_id)
        return message
