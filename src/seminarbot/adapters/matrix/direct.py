"""The bot's direct-message rooms: one per person, created on first need (`is_direct`,
encrypted when asked), recorded in the bot's `m.direct` account data as the spec has clients
do, and reused afterwards. Someone who leaves or declines theirs has refused it; inviting the
bot to a direct chat of their own gives them one again. One the bot itself leaves (its account
used elsewhere) is taken out of `m.direct`: the person refused nothing. A room upgraded
(`m.room.tombstone`) is followed to its successor when the bot is in it, and recorded; else
the person is given a new one. `m.direct` is read afresh for each answer and before each
change to it: the homeserver changes it too (Synapse records an upgraded room's successor
there).

Rooms just created are not in nio's rooms until the next sync; until then they are "waiting".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nio import (
    AsyncClient,
    DirectRoomsErrorResponse,
    DirectRoomsResponse,
    MatrixRoom,
    RoomCreateResponse,
)
from nio.api import RoomPreset
from nio.responses import EmptyResponse

from seminarbot.adapters.matrix.sender import SendFailed, with_retries

log = logging.getLogger(__name__)
DIRECT = "m.direct"
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
# Private answers are the person's alone: someone invited later reads from their invitation
# on, not what was answered before (the presets' default, `shared`, shows them all; spec:
# m.room.history_visibility). The person, invited at the start, reads everything.
FROM_INVITATION = {"type": "m.room.history_visibility", "state_key": "",
                   "content": {"history_visibility": "invited"}}


@dataclass(frozen=True)
class Direct:
    """Where a person's private answers can go. state: "ready" (they are in the room or
    invited to it: `joined` says which), "waiting" (created, not synced yet), "refused"
    (they left or declined it, or put the bot out), "none" (no room yet)."""

    state: str
    room_id: str | None = None
    joined: bool = False


class AccountDataSaved(EmptyResponse):  # type: ignore[misc]  # nio is untyped here
    """The answer to setting account data, for which nio has no call of its own."""


class DirectRooms:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self._rooms: dict[str, list[str]] | None = None  # m.direct: person → rooms
        self._found: dict[str, Any] = {}  # m.direct as read: written back as it was but ours
        self.created: set[str] = set()

    async def _load(self, *, fresh: bool = False) -> dict[str, list[str]]:
        """m.direct: as last read, or read again (`fresh`: the map last read when the
        homeserver cannot be asked now). Raises SendFailed when it was never read."""
        if self._rooms is None or fresh:
            async def read() -> Any:
                answer = await self.client.list_direct_rooms()
                if isinstance(answer, DirectRoomsErrorResponse) \
                        and answer.status_code == "M_NOT_FOUND":
                    return DirectRoomsResponse({})  # none recorded yet
                return answer

            try:
                found = (await with_retries(f"reading {DIRECT}", read,
                                            DirectRoomsResponse)).rooms
            except SendFailed:
                if self._rooms is None:
                    raise
                return self._rooms
            self._found = dict(found) if isinstance(found, dict) else {}
            self._rooms = {str(user): [r for r in rooms if isinstance(r, str)]
                           for user, rooms in self._found.items() if isinstance(rooms, list)}
        return self._rooms

    async def is_direct(self, room_id: str, user_id: str) -> bool:
        """As is_direct_with, with m.direct read first if it never was (after a restart:
        helper-176's 1); False if the homeserver cannot tell now."""
        try:
            await self._load()
        except SendFailed:
            return False
        return self.is_direct_with(room_id, user_id)

    def is_direct_with(self, room_id: str, user_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room_id in (self._rooms or {}).get(user_id, []) and room is not None \
            and self._only_them(room, user_id)

    def _only_them(self, room: MatrixRoom, user_id: str) -> bool:
        """Nobody but the bot and the person in it: m.direct is the bot's own account data,
        but a hand may have edited it to name a shared room, where a private answer is not."""
        return not set(room.users) - {self.client.user_id, user_id}

    async def of(self, user_id: str) -> Direct:
        rooms = (await self._load(fresh=True)).get(user_id, [])
        left: str | None = None  # the newest one the bot is in no more (they refused it)
        for room_id in reversed(rooms):  # the newest first
            room = self._latest(room_id)
            if room is None:
                if room_id in self.created:
                    return Direct("waiting", room_id)
                left = left or room_id
                continue
            if not self._only_them(room, user_id):  # a shared room m.direct names by mistake
                continue
            if room.replacement_room is not None:  # upgraded to a room the bot is not in
                return Direct("none")
            if room.room_id != room_id:
                await self.record(user_id, room.room_id)
            if user_id in room.users:
                return Direct("ready", room.room_id, joined=user_id not in room.invited_users)
            return Direct("refused", room.room_id)
        return Direct("refused", left) if left else Direct("none")

    def _latest(self, room_id: str) -> MatrixRoom | None:
        """The room, or the room it was upgraded to (and so on) while the bot is in that."""
        room = self.client.rooms.get(room_id)
        seen = {room_id}
        while room is not None and room.replacement_room is not None \
                and room.replacement_room in self.client.rooms \
                and room.replacement_room not in seen:
            seen.add(room.replacement_room)
            room = self.client.rooms[room.replacement_room]
        return room

    async def create(self, user_id: str, *, encrypted: bool) -> str:
        """A direct room with the person, invited; recorded in m.direct. Raises SendFailed."""
        answer = await with_retries(
            f"creating a direct room with {user_id}",
            lambda: self.client.room_create(is_direct=True, invite=[user_id],
                                            preset=RoomPreset.trusted_private_chat,
                                            initial_state=[FROM_INVITATION, *(
                                                [ENCRYPTION] if encrypted else [])]),
            RoomCreateResponse)
        room_id = str(answer.room_id)
        self.created.add(room_id)
        await self.record(user_id, room_id)
        log.info("matrix: opened a direct room %s with %s", room_id, user_id)
        return room_id

    async def record(self, user_id: str, room_id: str) -> None:
        """Add the room to the person's in m.direct (the whole map is written, as the spec
        has it). Raises SendFailed."""
        rooms = await self._load(fresh=True)
        if room_id in rooms.get(user_id, []):
            return
        theirs = self._found.get(user_id)
        await self._write({**self._found,
                           user_id: [*(theirs if isinstance(theirs, list) else []), room_id]})

    async def forget(self, room_id: str) -> None:
        """Take the room out of m.direct: the bot left it of its own accord (someone using
        its account elsewhere), which the person did not refuse, so their next private
        answer opens a new room. Raises SendFailed."""
        rooms = await self._load(fresh=True)
        if not any(room_id in theirs for theirs in rooms.values()):
            return
        await self._write({user: [r for r in theirs if r != room_id]
                           if isinstance(theirs, list) else theirs
                           for user, theirs in self._found.items()})
        log.info("matrix: the bot left the direct room %s; it is no longer recorded", room_id)

    async def _write(self, wanted: dict[str, Any]) -> None:
        path = (f"/_matrix/client/v3/user/{quote(self.client.user_id, safe='')}"
                f"/account_data/{DIRECT}")

        async def put() -> Any:
            # nio's own request path (authorisation, errors as responses), for a call it lacks.
            return await self.client._send(AccountDataSaved, "PUT", path, json.dumps(wanted))

        await with_retries(f"recording {DIRECT}", put, AccountDataSaved)
        self._found = wanted
        self._rooms = {str(user): [r for r in theirs if isinstance(r, str)]
                       for user, theirs in wanted.items() if isinstance(theirs, list)}


def invited_as_direct(invite_state: list[Any], user_id: str) -> bool:
    """Whether an invite of the bot was sent as a direct chat (`is_direct`)."""
    return any(getattr(event, "state_key", None) == user_id
               and getattr(event, "membership", None) == "invite"
               and (getattr(event, "content", None) or {}).get("is_direct") is True
               for event in invite_state)

