"""An answer in the room a command was typed in: over several events if it is too large for
one (Matrix refuses events over 64 KiB: adapters/matrix/pages.py), then its files, each event
sent with its own transaction id so a retry is never doubled; if a send still fails, the person
who asked is told, and the log says why."""

from __future__ import annotations

import logging

from nio import AsyncClient

from seminarbot.adapters.matrix.events import Said
from seminarbot.adapters.matrix.pages import reply_contents
from seminarbot.adapters.matrix.render import notice, replying
from seminarbot.adapters.matrix.sender import Sender, SendFailed, failed_notice
from seminarbot.adapters.matrix.sender import txn_for as _txn
from seminarbot.core.replies import Reply

log = logging.getLogger(__name__)


async def answer_in_room(client: AsyncClient, sender: Sender, room_id: str, item: Said,
                         reply: Reply) -> bool:
    """`reply` to `item` in `room_id`, in its thread if it was typed in one. False when the
    room took neither the answer nor the notice that it failed (the bot's power level there
    is below what sending needs): the caller then answers privately."""
    thread = item.thread_root
    room = client.rooms.get(room_id)
    pages = reply_contents(reply, encrypted=bool(room and room.encrypted))
    try:
        for index, page in enumerate(pages):
            await sender.send(room_id, replying(page, item.event_id, thread),
                              txn_id=_txn("reply" if index == 0 else f"reply{index}",
                                          item.event_id))
        for index, attachment in enumerate(reply.attachments):
            content = await sender.upload(room_id, attachment)
            await sender.send(room_id, replying(content, item.event_id, thread),
                              txn_id=_txn(f"file{index}", item.event_id))
    except SendFailed as error:
        log.warning("matrix: could not answer %s in %s: %s", item.event_id, room_id,
                    error.reason)  # the asker is told, here or privately: not an ERROR
        return await _tell_failed(sender, room_id, item, error)
    return True


async def _tell_failed(sender: Sender, room_id: str, item: Said, error: SendFailed) -> bool:
    told = notice(failed_notice(error))
    try:
        await sender.send(room_id, replying(told, item.event_id, item.thread_root),
                          txn_id=_txn("failed", item.event_id))
    except SendFailed as again:
        log.warning("matrix: could not tell %s either: %s; answering privately", item.sender,
                    again.reason)
        return False
    return True
