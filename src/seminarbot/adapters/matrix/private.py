"""Answers for one person on Matrix. What Discord shows only to the caller (a `Reply` marked
private: their responses, errors, forget-me codes, exports, per-person statistics) goes to a
direct room with them (adapters/matrix/direct.py) instead of the seminar room.

- Each private answer carries `org.seminarbot.answers` (the room and command it answers) and
  says in its footer which room the question came from.
- A short pointer goes to the seminar room while the person has not joined the direct room
  yet (it was just made, or they have not accepted the invitation).
- A direct room made just now is not synced yet: its answers wait, on disk too (so a restart
  loses none), and go out after the next sync that brings it, with the same transaction ids.
- Someone who left or declined the direct room gets the answer in the seminar room, with a
  note saying why: their choice. Where the bot fails (it cannot make the room, or a send there
  still fails), the answer itself is never made public: they are told what failed, in the
  direct room if it can, else in a notice replying to their command.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient

from seminarbot.adapters.matrix.direct import Direct, DirectRooms
from seminarbot.adapters.matrix.files import PRIVATE, MatrixFiles, left_out
from seminarbot.adapters.matrix.render import Content, notice, replying
from seminarbot.adapters.matrix.rooms import room_name
from seminarbot.adapters.matrix.sender import (
    Sender,
    SendFailed,
    failed_notice,
    txn_for,
    why_failed,
)
from seminarbot.core.replies import Reply
from seminarbot.domain.display import isolate

log = logging.getLogger(__name__)
MARK = "org.seminarbot.answers"  # in a private answer: {"room_id", "event_id"} it answers
POINTER = "org.seminarbot.answered_in"  # in the seminar room's pointer: the direct room
GIVE_UP_AFTER = 200  # syncs an answer waits for its direct room
POINTED = "I have answered you in a direct chat: accept my invitation to read it."
LEFT = ("This answer was meant for you alone, but you left (or declined) our direct chat, so "
        "it is here for everyone in the room. Invite me to a direct chat to get such answers "
        "privately again.")
UNREACHABLE = ("I could not open a direct chat with you for this answer ({why}), and it is "
               "meant for you alone. Please try again later.")

Render = Callable[[Reply, bool], list[Content]]  # a reply, encrypted? → its events' content
Contents = Callable[[str, bool], Awaitable[list[Content]]]  # for a room, encrypted? → content


class PrivateAnswers:
    def __init__(self, client: AsyncClient, sender: Sender, direct: DirectRooms,
                 render: Render, files: MatrixFiles | None = None) -> None:
        self.client = client
        self.sender = sender
        self.direct = direct
        self.render = render
        self.files = files
        items = files.load_private() if files else []
        self.pending = [item for item in items if _readable(item)]
        if files:
            left_out(files.private_file, PRIVATE, len(items) - len(self.pending))

    async def answer(self, room_id: str, event_id: str, user_id: str, thread: str | None,
                     reply: Reply) -> None:
        """Send `reply`, asked for by `user_id` with `event_id` in `room_id`, privately."""
        room = self.client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        place = room_name(room, room_id)
        shown = replace(reply, footer=" ".join(filter(None, (
            reply.footer, f"(You asked in “{isolate(place)}”.)"))))
        origin = {"room_id": room_id, "event_id": event_id, "thread": thread}
        try:
            direct = await self._direct(user_id, encrypted)
        except SendFailed as error:
            log.warning("matrix: no direct room with %s: %s", user_id, error.reason)
            await self._notice(origin, UNREACHABLE.format(why=why_failed(error)))
            return
        if direct.room_id == room_id:  # asked in the direct room itself
            await self._in_room(origin, reply)
            return
        if direct.state == "refused" or direct.room_id is None:
            await self._in_room(origin, replace(reply, paragraphs=(*reply.paragraphs, LEFT)))
            return

        async def contents(dm: str, encrypted: bool) -> list[Content]:
            made = await self._contents(dm, shown, encrypted)
            for content in made:
                content[MARK] = {"room_id": room_id, "event_id": event_id}
            return made

        dm, joined = await self._send_private(direct, user_id, contents, origin, encrypted)
        if dm is not None and not joined:
            pointer = notice(POINTED)
            pointer[POINTER] = dm
            await self._quietly(room_id, replying(pointer, event_id, thread),
                                txn_for("pointer", event_id))

    async def _send_private(self, direct: Direct, user_id: str, contents_for: Contents,
                            origin: dict[str, Any], encrypted: bool) -> tuple[str | None, bool]:
        """Send what `contents_for` makes (for a room, encrypted or not) in the person's direct
        room, or keep it for a room just made; the room it went to, and whether they have
        joined it (None: no room could be had, said if it answers a command). A room the
        homeserver says the bot may not send in, the bot has left (from elsewhere, before a
        sync said so): the person refused nothing, so a new room takes it (helper-137)."""
        dm, waiting, joined = str(direct.room_id), direct.state == "waiting", direct.joined
        while True:
            synced = self.client.rooms.get(dm)
            contents = await contents_for(dm, synced.encrypted if synced else encrypted)
            if waiting:
                await self._send_or_keep(dm, user_id, contents, origin, True)
                return dm, joined
            if await self._send_now(dm, contents, origin, refused_room=True):
                return dm, joined
            try:
                await self.direct.forget(dm)
                dm, waiting, joined = await self.direct.create(user_id, encrypted=encrypted), \
                    True, False
            except SendFailed as error:
                log.warning("matrix: no new direct room with %s: %s", user_id, error.reason)
                if origin.get("event_id"):
                    await self._notice(origin, UNREACHABLE.format(why=why_failed(error)))
                return None, True

    async def tell(self, user_id: str, message: str, *, encrypted: bool, key: str) -> bool:
        """A notice for one person alone (a moderator, when the bot is removed from a room);
        False if they have no direct room with the bot and refuse one."""
        try:
            direct = await self._direct(user_id, encrypted)
        except SendFailed as error:
            log.warning("matrix: cannot tell %s privately: %s", user_id, error.reason)
            return False
        if direct.state == "refused" or direct.room_id is None:
            return False
        async def content(dm: str, encrypted: bool) -> list[Content]:
            told = notice(message)
            told[MARK] = {"key": key}
            return [told]

        dm, _ = await self._send_private(direct, user_id, content, {"key": key}, encrypted)
        return dm is not None

    async def deliver(self) -> None:
        """After each sync: answers whose direct room has arrived go out."""
        still = []
        for waiting in self.pending:
            try:
                if await self._deliver(waiting):
                    still.append(waiting)
            except (ClientError, TimeoutError):
                raise  # the network: tried again after the next sync
            except Exception:  # one answer that cannot go out holds up no other
                log.exception("matrix: an answer waiting for %s could not be sent; dropped",
                              waiting.get("dm"))
        if still != self.pending:
            self.pending = still
            self._save()

    def forget(self, user_id: str) -> int:
        """Drop the answers waiting for `user_id`'s direct room (their forget-me: what they
        asked for before, their words among it); how many were dropped."""
        kept = [waiting for waiting in self.pending if waiting.get("user") != user_id]
        dropped = len(self.pending) - len(kept)
        if dropped:
            log.info("matrix: dropped %d answers waiting for a direct room (a forget-me)",
                     dropped)
            self.pending = kept
            self._save()
        return dropped

    async def _deliver(self, waiting: dict[str, Any]) -> bool:
        """Send one waiting answer if its direct room has come; whether it still waits."""
        room = self.client.rooms.get(waiting["dm"])
        waiting["syncs"] = int(waiting.get("syncs", 0)) + 1
        if room is None:
            if waiting["syncs"] < GIVE_UP_AFTER:
                return True
            log.error("matrix: direct room %s never arrived; an answer is lost", waiting["dm"])
        elif waiting.get("user") in room.users:
            await self._send_now(waiting["dm"], waiting["contents"], waiting["origin"])
        elif waiting["origin"].get("event_id"):  # they declined before it came
            await self._in_room(waiting["origin"], None, [notice(LEFT), *waiting["contents"]])
        return False

    async def _direct(self, user_id: str, encrypted: bool) -> Direct:
        direct = await self.direct.of(user_id)
        if direct.state == "none":
            return Direct("waiting", await self.direct.create(user_id, encrypted=encrypted))
        return direct

    async def _contents(self, dm: str, reply: Reply, encrypted: bool) -> list[Content]:
        pages = self.render(reply, encrypted)
        for attachment in reply.attachments:
            pages.append(await self.sender.upload(dm, attachment, encrypt=encrypted))
        return pages

    async def _send_or_keep(self, dm: str, user_id: str, contents: list[Content],
                            origin: dict[str, Any], waiting: bool) -> None:
        if waiting:
            self.pending.append({"dm": dm, "user": user_id, "contents": contents,
                                 "origin": origin, "syncs": 0})
            self._save()
        else:
            await self._send_now(dm, contents, origin)

    async def _send_now(self, dm: str, contents: list[Content], origin: dict[str, Any], *,
                        refused_room: bool = False) -> bool:
        """Send the contents, or tell of the failure; whether it was done. With
        `refused_room`, False (and nothing said) when the homeserver refuses one as
        forbidden: the bot is not in that room (kicked, or gone between two pages)."""
        key = str(origin.get("event_id") or origin.get("key"))
        try:
            for index, content in enumerate(contents):
                try:
                    await self.sender.send(dm, content, txn_id=txn_for(f"private{index}", key))
                except SendFailed as error:
                    if refused_room and error.code == "M_FORBIDDEN":
                        return False
                    raise
        except SendFailed as error:
            log.error("matrix: could not answer privately in %s: %s", dm, error.reason)
            told = notice(failed_notice(error))
            told[MARK] = contents[0].get(MARK)
            try:
                await self.sender.send(dm, told, txn_id=txn_for("private-failed", key))
            except SendFailed:
                if origin.get("event_id"):
                    await self._notice(origin, failed_notice(error))
        return True

    async def _notice(self, origin: dict[str, Any], text: str) -> None:
        """A notice replying to the command in the seminar room (nothing private in it)."""
        await self._quietly(origin["room_id"], replying(notice(text), origin["event_id"],
                                                        origin.get("thread")),
                            txn_for("private-notice", origin["event_id"]))

    async def _in_room(self, origin: dict[str, Any], reply: Reply | None,
                       contents: list[Content] | None = None) -> None:
        """The answer in the seminar room after all (`reply` rendered, or the contents made
        for the direct room), replying to the command."""
        room_id, event_id, thread = origin["room_id"], origin["event_id"], origin.get("thread")
        if reply is not None:
            room = self.client.rooms.get(room_id)
            contents = await self._contents(room_id, reply, bool(room and room.encrypted))
        for index, content in enumerate(contents or []):
            content.pop(MARK, None)
            await self._quietly(room_id, replying(content, event_id, thread),
                                txn_for(f"public{index}", event_id))

    async def _quietly(self, room_id: str, content: Content, txn: str) -> None:
        try:
            await self.sender.send(room_id, content, txn_id=txn)
        except SendFailed as error:
            log.warning("matrix: could not send to %s: %s", room_id, error.reason)

    def _save(self) -> None:
        if self.files is not None:
            self.files.save_private(self.pending)


def _readable(item: dict[str, Any]) -> bool:
    """Whether a waiting answer read back from disk has what `deliver` uses: a damaged one is
    left out, and holds up no other."""
    contents = item.get("contents")
    return (isinstance(item.get("dm"), str) and isinstance(item.get("user"), str)
            and isinstance(item.get("syncs", 0), int) and _origin_readable(item.get("origin"))
            and isinstance(contents, list) and contents != []
            and all(isinstance(content, dict) for content in contents))


def _origin_readable(origin: Any) -> bool:
    """What a waiting answer answers: a command (its room and event, and thread if any), or
    a notice's key."""
    if not isinstance(origin, dict):
        return False
    if not origin.get("event_id"):
        return isinstance(origin.get("key"), str)
    return (isinstance(origin.get("room_id"), str) and isinstance(origin["event_id"], str)
            and isinstance(origin.get("thread"), str | None))
