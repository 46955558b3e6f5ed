"""Who may do what in a room: invites from allowed servers or users, moderators by power level."""

from __future__ import annotations

from typing import Any

from nio import AsyncClient, MatrixRoom, RoomGetEventResponse

from seminarbot.adapters.matrix.settings import MatrixSettings
from seminarbot.domain.responses import one_line

NAME_MOST = 255  # characters of a room's name kept (spec: m.room.name SHOULD be at most 255)


def room_name(room: MatrixRoom | None, fallback: str) -> str:
    """The room's name as nio computes it (its m.room.name, canonical alias or members), as one
    line of Unicode text (`one_line`: it is the homeserver's to give, and may hold a line break
    or a lone surrogate); `fallback` for a room nio does not know."""
    return one_line(room.display_name)[:NAME_MOST] if room is not None else fallback


def server_of(user_id: str) -> str:
    return user_id.partition(":")[2]


def invite_allowed(settings: MatrixSettings, inviter: str) -> bool:
    """With no allow-lists every invite is accepted; with either, the inviter must match one."""
    if not settings.allowed_users and not settings.allowed_servers:
        return True
    return inviter in settings.allowed_users or server_of(inviter) in settings.allowed_servers


def inviter_of(invite_state: list[Any], user_id: str) -> str | None:
    # nio's invite events keep membership as attributes (their source lost its content).
    for event in invite_state:
        if getattr(event, "state_key", None) == user_id \
                and getattr(event, "membership", None) == "invite":
            sender = getattr(event, "sender", None)
            return sender if isinstance(sender, str) else None
    return None


# Room versions before 12 rank creators by the power-levels event like everyone else; from
# version 12 on, creators outrank every level and are not listed in it (nio does not know).
_CLASSIC_VERSIONS = frozenset(str(version) for version in range(1, 12))
CREATOR_LEVEL = 2**53


class Creators:
    """The privileged creators of each room, noted from its m.room.create event."""

    def __init__(self) -> None:
        self._by_room: dict[str, frozenset[str]] = {}

    def note(self, room_id: str, events: list[Any]) -> None:
        """Room state as the sync gives it. A decrypted event is never room state (state events
        are not encrypted): its sender wrote all of it, an m.room.create naming them included."""
        for event in events:
            source = getattr(event, "source", {})
            if getattr(event, "decrypted", False) or not isinstance(source, dict) \
                    or source.get("type") != "m.room.create" or source.get("state_key") != "":
                continue
            content = source.get("content")
            content = content if isinstance(content, dict) else {}
            if str(content.get("room_version", "1")) in _CLASSIC_VERSIONS:
                self._by_room[room_id] = frozenset()
            else:
                extra = content.get("additional_creators")
                extra = extra if isinstance(extra, list) else []
                self._by_room[room_id] = frozenset(
                    [str(source.get("sender")), *(u for u in extra if isinstance(u, str))])

    def of(self, room_id: str) -> frozenset[str]:
        return self._by_room.get(room_id, frozenset())


def power_level(room: MatrixRoom | None, user_id: str, creators: frozenset[str]) -> int:
    if user_id in creators:
        return CREATOR_LEVEL
    if room is None:
        return 0
    return int(room.power_levels.get_user_level(user_id))


def moderators(room: MatrixRoom | None, threshold: int, bot: str,
               creators: frozenset[str]) -> set[str]:
    """The room's creators and the users listed at or above the threshold, but the bot."""
    listed = set() if room is None else {user for user, level in room.power_levels.users.items()
                                         if int(level) >= threshold}
    return (listed | creators) - {bot}


def may_redact_others(room: MatrixRoom | None, user_id: str, creators: frozenset[str]) -> bool:
    """Whether `user_id` may redact others' events in the room: a power level at or above the
    room's `redact` level (Matrix spec, Room versions: the redaction algorithm's checks)."""
    redact = 50 if room is None else int(room.power_levels.defaults.redact)
    return power_level(room, user_id, creators) >= redact


async def shown_redacted(client: AsyncClient, room_id: str, event_id: str) -> bool:
    """Whether the homeserver gives the event as redacted (`unsigned.redacted_because`): it
    applied a redaction of it, which it does only once it has checked who sent it (Matrix
    spec, room versions 3 on). False for an event it does not give. Raises what nio raises
    for the network."""
    answer = await client.room_get_event(room_id, event_id)
    if not isinstance(answer, RoomGetEventResponse):
        return False
    unsigned = answer.event.source.get("unsigned")
    return isinstance(unsigned, dict) and "redacted_because" in unsigned
