"""The bot's direct-message rooms: one per person, created on first need (`is_direct`,
encrypted when asked), recorded in the bot's `m.direct` account data as the spec has clients
do, and reused afterwards. Someone who leaves or declines theirs has refused it; inviting the
bot to a direct chat of their own gives them one again.

Rooms just created are not in nio's rooms until the next sync; until then they are "waiting".
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, DirectRoomsErrorResponse, DirectRoomsResponse, RoomCreateResponse
from nio.api import RoomPreset
from nio.responses import EmptyResponse

from seminarbot.adapters.matrix.sender import with_retries

log = logging.getLogger(__name__)
DIRECT = "m.direct"
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


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
        self.created: set[str] = set()

    async def _load(self) -> dict[str, list[str]]:
        if self._rooms is None:
            async def read() -> Any:
                answer = await self.client.list_direct_rooms()
                if isinstance(answer, DirectRoomsErrorResponse) \
                        and answer.status_code == "M_NOT_FOUND":
                    return DirectRoomsResponse({})  # none recorded yet
                return answer

            found = (await with_retries(f"reading {DIRECT}", read, DirectRoomsResponse)).rooms
            self._rooms = {str(user): [str(r) for r in rooms] for user, rooms in found.items()
                           if isinstance(rooms, list)}
        return self._rooms

    def is_direct_with(self, room_id: str, user_id: str) -> bool:
        return room_id in (self._rooms or {}).get(user_id, [])

    async def of(self, user_id: str) -> Direct:
        rooms = (await self._load()).get(user_id, [])
        for room_id in reversed(rooms):  # the newest first
            room = self.client.rooms.get(room_id)
            if room is None:
                if room_id in self.created:
                    return Direct("waiting", room_id)
                continue
            if user_id in room.users:
                return Direct("ready", room_id, joined=user_id not in room.invited_users)
            return Direct("refused", room_id)
        return Direct("refused", rooms[-1]) if rooms else Direct("none")

    async def create(self, user_id: str, *, encrypted: bool) -> str:
        """A direct room with the person, invited; recorded in m.direct. Raises SendFailed."""
        answer = await with_retries(
            f"creating a direct room with {user_id}",
            lambda: self.client.room_create(is_direct=True, invite=[user_id],
                                            preset=RoomPreset.trusted_private_chat,
                                            initial_state=[ENCRYPTION] if encrypted else []),
            RoomCreateResponse)
        room_id = str(answer.room_id)
        self.created.add(room_id)
        await self.record(user_id, room_id)
        log.info("matrix: opened a direct room %s with %s", room_id, user_id)
        return room_id

    async def record(self, user_id: str, room_id: str) -> None:
        """Add the room to the person's in m.direct (the whole map is written, as the spec
        has it). Raises SendFailed."""
        rooms = await self._load()
        if room_id in rooms.get(user_id, []):
            return
        wanted = {**rooms, user_id: [*rooms.get(user_id, []), room_id]}
        path = (f"/_matrix/client/v3/user/{quote(self.client.user_id, safe='')}"
                f"/account_data/{DIRECT}")

        async def put() -> Any:
            # nio's own request path (authorisation, errors as responses), for a call it lacks.
            return await self.client._send(AccountDataSaved, "PUT", path, json.dumps(wanted))

        await with_retries(f"recording {DIRECT}", put, AccountDataSaved)
        self._rooms = wanted


def invited_as_direct(invite_state: list[Any], user_id: str) -> bool:
    """Whether an invite of the bot was sent as a direct chat (`is_direct`)."""
    return any(getattr(event, "state_key", None) == user_id
               and getattr(event, "membership", None) == "invite"
               and (getattr(event, "content", None) or {}).get("is_direct") is True
               for event in invite_state)

