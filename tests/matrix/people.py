"""Real nio clients for the Matrix tests: people (a moderator, participants) who create rooms,
talk, edit and redact, and the bot itself, started and stopped around a real Synapse."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    DownloadResponse,
    JoinResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)

from seminarbot.adapters.matrix import bot as matrix_bot
from seminarbot.adapters.matrix.private import MARK, POINTER
from seminarbot.adapters.matrix.settings import MatrixSettings
from seminarbot.adapters.matrix.sync import TIMELINE_LIMIT
from seminarbot.app import open_services
from seminarbot.clock import ManualClock
from seminarbot.config.settings import Settings
from seminarbot.services.container import Services
from tests.conftest import MINI
from tests.matrix.synapse import Account, Synapse

WAIT = 30.0  # seconds: the bound on waiting for anything to arrive


async def eventually(check: Callable[[], Awaitable[Any]], what: str,
                     within: float = WAIT) -> Any:
    """Poll until check() gives something truthy; fail naming what never happened."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting ({within:g} s) for: {what}")
        await asyncio.sleep(0.1)


class Person:
    def __init__(self, account: Account, client: AsyncClient) -> None:
        self.account = account
        self.user_id = account.user_id
        self.client = client
        self.events: dict[str, list[dict[str, Any]]] = {}
        self._seen: set[str] = set()
        # Accept invitations as they come (a person opening the bot's direct chat), or not.
        self.accept_invites = True
        self.invites: dict[str, list[Any]] = {}  # room → its invite state, as last seen

    @classmethod
    async def create(cls, synapse: Synapse, name: str, store: Path) -> Person:
        account = synapse.register(name)
        store.mkdir(parents=True, exist_ok=True)
        client = AsyncClient(synapse.url, account.user_id, store_path=str(store),
                             config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=2,
                                                      encryption_enabled=True))
        client.restore_login(account.user_id, account.device_id, account.access_token)
        await client.keys_upload()
        person = cls(account, client)
        await person.sync()
        return person

    async def close(self) -> None:
        await self.client.close()

    async def sync(self, timeout_ms: int = 0) -> None:
        answer = await self.client.sync(timeout=timeout_ms,
                                        full_state=self.client.next_batch is None)
        assert isinstance(answer, SyncResponse), answer
        for room_id, invite in answer.rooms.invite.items():
            self.invites[room_id] = list(invite.invite_state)
            if self.accept_invites:
                joined = await self.client.join(room_id)
                assert isinstance(joined, JoinResponse), joined
        for room_id, info in answer.rooms.join.items():
            for event in info.timeline.events:
                source = dict(event.source)
                if isinstance(event, MegolmEvent) or source.get("event_id") in self._seen:
                    continue
                # Whether it arrived encrypted (nio has replaced it with the decrypted event).
                source["decrypted"] = bool(getattr(event, "decrypted", False))
                self._seen.add(source["event_id"])
                self.events.setdefault(room_id, []).append(source)
        client = self.client
        if client.outgoing_to_device_messages:
            await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def create_room(self, *, invite: list[str], encrypted: bool = False,
                          name: str = "Reading group") -> str:
        state = []
        if encrypted:
            state.append({"type": "m.room.encryption", "state_key": "",
                          "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        answer = await self.client.room_create(name=name, invite=invite, initial_state=state)
        assert isinstance(answer, RoomCreateResponse), answer
        await self.sync()
        return str(answer.room_id)

    async def join(self, room_id: str) -> None:
        await self.sync()
        answer = await self.client.join(room_id)
        assert isinstance(answer, JoinResponse), answer
        await self.sync()

    async def invite_and_wait(self, room_id: str, user_id: str) -> None:
        await self.client.room_invite(room_id, user_id)
        await self.wait_member(room_id, user_id)

    async def wait_member(self, room_id: str, user_id: str, membership: str = "join") -> None:
        async def joined() -> bool:
            await self.sync(timeout_ms=200)
            # The latest of them: after a kick and a new invite, the first join is still here
            # (waiting on it, a command was sent before the bot was back: a CI failure).
            said = [e["content"].get("membership") for e in self.events.get(room_id, [])
                    if e["type"] == "m.room.member" and e.get("state_key") == user_id]
            return bool(said) and said[-1] == membership
        await eventually(joined, f"{user_id} {membership} {room_id}")

    async def say(self, room_id: str, body: str, *, thread: str | None = None,
                  reply_to: str | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if thread:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        elif reply_to:  # a current client's rich reply: no fallback (element.py has both)
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return await self.send(room_id, content)

    async def send(self, room_id: str, content: dict[str, Any],
                   kind: str = "m.room.message") -> str:
        answer = await self.client.room_send(room_id, kind, content,
                                             ignore_unverified_devices=True)
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    async def edit(self, room_id: str, event_id: str, body: str) -> str:
        return await self.send(room_id, {
            "msgtype": "m.text", "body": "* " + body,
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    async def redact(self, room_id: str, event_id: str) -> None:
        answer = await self.client.room_redact(room_id, event_id, reason="withdrawn")
        assert isinstance(answer, RoomRedactResponse), answer

    async def wait_for(self, room_id: str, check: Callable[[dict[str, Any]], bool],
                       what: str, within: float = WAIT) -> dict[str, Any]:
        async def found() -> dict[str, Any] | None:
            await self.sync(timeout_ms=200)
            return next((e for e in self.events.get(room_id, []) if check(e)), None)
        result: dict[str, Any] = await eventually(found, what, within)
        return result

    async def answer_to(self, room_id: str, event_id: str, bot: str,
                        msgtype: str = "m.notice") -> dict[str, Any]:
        """The bot's answer (of a msgtype) to one of our events: a reply in the room, or, for
        an answer meant for us alone, the one in our direct room with the bot."""
        def answers(event: dict[str, Any]) -> bool:
            return answering(event, event_id, bot) and \
                event.get("content", {}).get("msgtype") == msgtype
        return await self.wait_anywhere(answers, f"the bot's {msgtype} answering {event_id}")

    def answers_to(self, event_id: str, bot: str) -> list[dict[str, Any]]:
        """Every event of the bot's seen so far that answers one of ours, in order."""
        return [e for events in self.events.values() for e in events
                if answering(e, event_id, bot)]

    async def wait_anywhere(self, check: Callable[[dict[str, Any]], bool], what: str,
                            within: float = WAIT) -> dict[str, Any]:
        """The first event of any room we are in that passes `check`."""
        async def found() -> dict[str, Any] | None:
            await self.sync(timeout_ms=200)
            return next((e for events in self.events.values() for e in events if check(e)),
                        None)
        result: dict[str, Any] = await eventually(found, what, within)
        return result

    def room_of(self, event_id: str) -> str:
        return next(room for room, events in self.events.items()
                    if any(e["event_id"] == event_id for e in events))

    async def command(self, room_id: str, line: str, bot: str, **where: str) -> str:
        """Type a command and give the plain body of the bot's answer."""
        event_id = await self.say(room_id, line, **where)
        answer = await self.answer_to(room_id, event_id, bot)
        return str(answer["content"]["body"])

    async def download(self, url: str) -> bytes:
        answer = await self.client.download(mxc=url)
        assert isinstance(answer, DownloadResponse), answer
        return bytes(answer.body)


def answering(event: dict[str, Any], event_id: str, bot: str) -> bool:
    """The bot's answer to one of our events: a reply in the room (not a pointer to a direct
    room), or, meant for us alone, an event in our direct room that names it."""
    content = event.get("content", {})
    if event.get("sender") != bot:
        return False
    if (content.get(MARK) or {}).get("event_id") == event_id:
        return True
    return replies(event, event_id, bot) and POINTER not in content


def replies(event: dict[str, Any], event_id: str, sender: str) -> bool:
    relation = event.get("content", {}).get("m.relates_to") or {}
    return event.get("sender") == sender and \
        (relation.get("m.in_reply_to") or {}).get("event_id") == event_id


class BotHarness:
    """The bot as `seminarbot run` runs it (the adapter and the scheduler loop), on a manual
    clock, and stoppable and restartable on the same data directory."""

    def __init__(self, synapse: Synapse, account: Account, data_dir: Path, clock: ManualClock,
                 **matrix: Any) -> None:
        self.account = account
        self.user_id = account.user_id
        self.clock = clock
        self.settings = Settings(
            data_dir=data_dir, database=data_dir / "seminar.db", content_dir=MINI.content,
            prompts_dir=MINI.prompts,
            matrix=MatrixSettings(homeserver=synapse.url, user_id=account.user_id,
                                  password=account.password, **matrix))
        self.app: Services | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.setup_hooks: list[Callable[[Services], None]] = []

    @property
    def services(self) -> Services:
        assert self.app is not None, "the bot is not running"
        return self.app

    async def start(self, *, timeline_limit: int = TIMELINE_LIMIT) -> Services:
        app = self.app = await open_services(self.settings, self.clock)
        for hook in self.setup_hooks:
            hook(app)
        self.tasks = [asyncio.create_task(app.scheduler.run_forever()),
                      asyncio.create_task(matrix_bot.run(app, timeline_limit=timeline_limit))]

        async def attached() -> bool:
            for task in self.tasks:
                if task.done():
                    task.result()  # a failure at start-up: raise it here
            return "matrix" in app.posters
        await eventually(attached, "the bot to log in and sync")
        return app

    async def stop(self) -> None:
        """Cancel the bot and close its database, whatever state the tasks ended in."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks = []
        if self.app is not None:
            await self.app.close()
            self.app = None

    async def advance_to(self, instant: Any) -> None:
        """Move the clock to an instant and let the scheduler see it."""
        self.clock.set(instant)
        self.services.scheduler.wake()

    async def advance(self, delta: timedelta) -> None:
        await self.advance_to(self.clock.now() + delta)
