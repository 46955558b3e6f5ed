"""Whether a reply fallback taken off (events.py) was one: only if the user its first line names
sent the event replied to. A person who types a quote of someone else ("> <@mod:server> said
this") into a reply keeps it, since the quoted user did not write what they answer."""

from __future__ import annotations

from dataclasses import replace

from nio import AsyncClient, RoomGetEventResponse

from seminarbot.adapters.matrix.events import Said


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
