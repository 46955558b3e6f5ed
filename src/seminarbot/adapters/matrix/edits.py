"""A participant's message as recorded on Matrix, and the edit of one that was not recorded: a
command typed in a prompt's thread, or a message with nothing visible in it, then edited into
prose is an answer from then on, as the room now shows it (README, Responses: the message's
final state counts)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

from nio import AsyncClient, MegolmEvent, RoomGetEventResponse
from nio.exceptions import EncryptionError

from seminarbot.adapters.matrix.events import Edited, Said, translate
from seminarbot.core.invocation import Actor
from seminarbot.domain.display import is_blank
from seminarbot.services.container import Services
from seminarbot.services.responses import InboundMessage, record_edit, record_message

log = logging.getLogger(__name__)
PLATFORM = "matrix"


def inbound(client: AsyncClient, room_id: str, item: Said, author: Actor, text: str,
            edited_at: datetime | None = None) -> InboundMessage:
    """A thread reply or rich reply as a response. A sender the room's state no longer lists
    (read after they left) is named by their user id, which never replaces the name the room
    knew (InboundMessage.named_here)."""
    room = client.rooms.get(room_id)
    return InboundMessage(PLATFORM, item.event_id, author, text, item.at,
                          thread_id=item.thread_root, reply_to=item.reply_to,
                          channel_id=room_id, edited_at=edited_at,
                          named_here=room is not None and item.sender in room.users)


async def edited_unrecorded(app: Services, client: AsyncClient, room_id: str, edit: Edited,
                         text: str, author: Actor, is_command: Callable[[Said], bool]) -> None:
    """An edit of an event no response was recorded for (record_edit said UNKNOWN): if that
    event was a command its author typed in a thread or as a reply, or showed nothing (blank:
    not recorded), and the edit leaves something that is no command, the edited text is
    recorded as their response, written when the original was, edited when the edit was, by
    this edit: its redaction withdraws it. Asks the homeserver for the event edited (GET
    /rooms/{room_id}/event/{event_id}); raises what nio raises for the network."""
    answer = await client.room_get_event(room_id, edit.target)
    if not isinstance(answer, RoomGetEventResponse):
        return
    event = answer.event
    if isinstance(event, MegolmEvent):
        try:
            event = client.decrypt_event(event)
        except EncryptionError:
            return
    original = translate(getattr(event, "source", {}))
    if not isinstance(original, Said) or original.sender != edit.sender \
            or not (is_command(original) or is_blank(original.text)) \
            or is_command(dataclasses.replace(original, text=edit.text, emote=edit.emote,
                                              pills=edit.pills)):
        return
    log.debug("matrix: %s, unrecorded, was edited into a response", original.event_id)
    if await record_message(app, inbound(client, room_id, original, author, text)) is None:
        return
    # The original showed no response: recorded as one an edit withdrew, then this edit's
    # text, so that withdrawing this edit (its redaction) withdraws the response again.
    await record_edit(app, PLATFORM, original.event_id, "", original.at)
    await record_edit(app, PLATFORM, original.event_id, text, edit.at, by=edit.sender,
                      edit_id=edit.event_id, place=room_id)
