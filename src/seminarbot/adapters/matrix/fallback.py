"""Whether a reply fallback taken off (events.py) was one: only if the user its first line names
sent the event replied to (for an edit, the event its edited message replies to). A person who
types a quote of someone else ("> <@mod:server> said this") into a reply keeps it, since the
quoted user did not write what they answer."""

from __future__ import annotations

from dataclasses import replace

from nio import AsyncClient, MegolmEvent, RoomGetEventResponse
from nio.exceptions import EncryptionError

from seminarbot.adapters.matrix.events import Edited, Said, translate


async def as_typed(client: AsyncClient, room_id: str, item: Said) -> Said:
    """The message with its fallback taken off if it was one, else as it came. Asks the
    homeserver for the event replied to; one it does not give (not found, not visible) cannot
    show the quote was a fallback, and the text is kept whole. Raises what nio raises for the
    network (the sync loop handles the batch again)."""
    if item.quoted is None or item.reply_to is None:
        return item
    answer = await client.room_get_event(room_id, item.reply_to)
    if isinstance(answer, RoomGetEventResponse) and answer.event.sender == item.quoted:
        return item
    return replace(item, text=item.typed, quoted=None)


async def edit_as_typed(client: AsyncClient, room_id: str, item: Edited) -> Edited:
    """The edit with its fallback taken off if the message it edits is its sender's rich reply
    to an event of the user the quote names (an older client adds the fallback to its edit
    again), else as it came (helper-174's 1). Asks the homeserver for both events; raises what
    nio raises for the network."""
    if item.quoted is None:
        return item
    answer = await client.room_get_event(room_id, item.target)
    event = answer.event if isinstance(answer, RoomGetEventResponse) else None
    if isinstance(event, MegolmEvent):
        try:
            event = client.decrypt_event(event)
        except EncryptionError:
            event = None
    original = translate(getattr(event, "source", {}))
    if isinstance(original, Said) and original.sender == item.sender and original.reply_to:
        replied = await client.room_get_event(room_id, original.reply_to)
        if isinstance(replied, RoomGetEventResponse) and replied.event.sender == item.quoted:
            return item
    return replace(item, text=item.typed, quoted=None)
