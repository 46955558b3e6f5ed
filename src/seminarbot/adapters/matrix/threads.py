"""What a room said after a prompt that was found after a crash (scheduling.claimed): the sync
handed over the replies to it, their edits and redactions before the post was recorded, when
they answered nothing the bot knew, so they are handed over again now."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import (
    AsyncClient,
    MegolmEvent,
    MessageDirection,
    RoomContextResponse,
    RoomMessagesResponse,
)
from nio.exceptions import EncryptionError

from seminarbot.adapters.matrix.events import Said, translate
from seminarbot.adapters.matrix.polls import POLL_TYPES

log = logging.getLogger(__name__)
PAGE_SIZE = 100
# What may touch a response: a message (a thread reply, a rich reply, an edit), a poll or a
# redaction. Not a membership: a kick handed over again would pause the seminar again.
_KINDS = ("m.room.message", "m.room.redaction", "m.room.encrypted", *POLL_TYPES)


class RoomUnreadable(Exception):
    """The homeserver did not give the room's events after the prompt."""


async def read_since(client: AsyncClient, handle: Callable[[str, Any], Awaitable[None]],
                     is_command: Callable[[Said], bool], room_id: str, root: str) -> None:
    """Every message and redaction in the room after `root` (Matrix spec: GET /context/{root},
    the events just after it and a token after those, then GET /messages forward from there,
    PAGE_SIZE a request), oldest
    first, handed to `handle` as a sync hands an event: the thread's replies, rich replies to
    the prompt, the edits and redactions of either. Handing over what was handled already
    changes nothing (replays are recognised); a command is left out, since the sync that
    brought it ran it. Raises RoomUnreadable, or what nio raises for the network."""
    context = await client.room_context(room_id, root, limit=PAGE_SIZE)
    if not isinstance(context, RoomContextResponse) or not context.end:
        raise RoomUnreadable(f"{root} in {room_id}: {context}")
    for event in context.events_after:
        await _hand_over(client, handle, is_command, room_id, event)
    token, read = context.end, len(context.events_after)
    while True:
        page = await client.room_messages(room_id, start=token,
                                          direction=MessageDirection.front, limit=PAGE_SIZE)
        if not isinstance(page, RoomMessagesResponse):
            raise RoomUnreadable(f"the events of {room_id} after {root}: {page}")
        for event in page.chunk:
            read += 1
            await _hand_over(client, handle, is_command, room_id, event)
        if not page.chunk or not page.end or page.end == token:
            break
        token = page.end
    log.info("matrix: read back %d events of %s after the prompt %s", read, room_id, root)


async def _hand_over(client: AsyncClient, handle: Callable[[str, Any], Awaitable[None]],
                     is_command: Callable[[Said], bool], room_id: str, event: Any) -> None:
    if (getattr(event, "source", None) or {}).get("type") not in _KINDS:
        return
    if isinstance(event, MegolmEvent):
        try:
            event = client.decrypt_event(event)
        except EncryptionError:
            log.info("matrix: %s read back cannot be decrypted; left", event.event_id)
            return
    item = translate(getattr(event, "source", {}))
    if isinstance(item, Said) and is_command(item):
        return
    await handle(room_id, event)
