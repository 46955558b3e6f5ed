"""Who may do what in a room: invites from allowed servers or users, moderators by power level."""

from __future__ import annotations

from typing import Any

from nio import MatrixRoom

from seminarbot.config import MatrixSettings


def server_of(user_id: str) -> str:
    return user_id.partition(":")[2]


def invite_allowed(settings: MatrixSettings, inviter: str) -> bool:
    """With no allow-lists every invite is accepted; with either, the inviter must match one."""
    if not settings.allowed_users and not settings.allowed_servers:
        return True
    return inviter in settings.allowed_users or server_of(inviter) in settings.allowed_servers


def inviter_of(invite_state: list[Any], user_id: str) -> str | None:
    for event in invite_state:
        source = getattr(event, "source", {})
        if source.get("type") == "m.room.member" and source.get("state_key") == user_id \
                and (source.get("content") or {}).get("membership") == "invite":
            sender = source.get("sender")
            return sender if isinstance(sender, str) else None
    return None


def power_level(room: MatrixRoom | None, user_id: str) -> int:
    if room is None:
        return 0
    return int(room.power_levels.get_user_level(user_id))


def moderators(room: MatrixRoom | None, threshold: int, bot: str) -> set[str]:
    """Users given a power level at or above the threshold (the room's explicit list)."""
    if room is None:
        return set()
    return {user for user, level in room.power_levels.users.items()
            if int(level) >= threshold and user != bot}
