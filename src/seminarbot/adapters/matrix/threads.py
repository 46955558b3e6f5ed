"""A prompt's thread read from the homeserver, for a post found after a crash
(scheduling.claimed): the sync handed over its replies before the post was recorded, when they
answered nothing the bot knew, so they are handed over again now."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, MegolmEvent
from nio.api import RelationshipType
from nio.exceptions import EncryptionError

from seminarbot.adapters.matrix.events import Said, translate

log = logging.getLogger(__name__)


async def read_thread(client: AsyncClient, handle: Callable[[str, Any], Awaitable[None]],
                      is_command: Callable[[Said], bool], room_id: str, root: str) -> None:
    """Every event in the thread of `root` (GET /_matrix/client/v1/rooms/{roomId}/relations/
    {eventId}/m.thread, Matrix spec: Relationships), oldest first, handed to `handle` as a
    sync hands an event; a command is left out, since the sync that brought it ran it. Raises
    what nio raises (AttributeError for an error answer, whose iterator reads no next page)."""
    events = [event async for event in client.room_get_event_relations(
        room_id, root, RelationshipType.thread)]  # newest first
    for event in reversed(events):
        if isinstance(event, MegolmEvent):
            try:
                event = client.decrypt_event(event)
            except EncryptionError:
                log.info("matrix: %s in a thread read back cannot be decrypted; left",
                         event.event_id)
                continue
        item = translate(getattr(event, "source", {}))
        if isinstance(item, Said) and is_command(item):
            continue
        await handle(room_id, event)
