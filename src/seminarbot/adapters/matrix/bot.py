"""What the bot does with each room event: commands typed with the prefix are run through the
core and answered in the room, or, for answers meant for the caller alone, in a direct room with
them (adapters/matrix/private.py); thread replies and rich replies to a prompt are recorded,
and their edits and redactions followed; invites are accepted from allowed inviters; a kick,
a ban or an upgrade of the room pauses its seminar (departures.py)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from nio import AsyncClient, JoinResponse, MegolmEvent, RoomLeaveResponse

from seminarbot.adapters.matrix.answering import answer_in_room
from seminarbot.adapters.matrix.departures import Departures
from seminarbot.adapters.matrix.direct import DirectRooms, invited_as_direct
from seminarbot.adapters.matrix.edits import edited_unrecorded, inbound
from seminarbot.adapters.matrix.events import (
    Edited,
    Membership,
    Redacted,
    Said,
    Upgraded,
    emote_text,
    left_the_room,
    translate,
)
from seminarbot.adapters.matrix.fallback import as_typed, edit_as_typed
from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.pages import reply_contents
from seminarbot.adapters.matrix.poster import MatrixPoster
from seminarbot.adapters.matrix.private import PrivateAnswers
from seminarbot.adapters.matrix.rooms import (
    Creators,
    invite_allowed,
    inviter_of,
    may_redact_others,
    power_level,
    room_name,
    shown_redacted,
)
from seminarbot.adapters.matrix.sender import Sender, SendFailed, with_retries
from seminarbot.adapters.matrix.sync import TIMELINE_LIMIT
from seminarbot.adapters.matrix.undecrypted import Undecrypted
from seminarbot.core.invocation import Actor, Place
from seminarbot.domain.display import is_blank
from seminarbot.domain.errors import Unavailable
from seminarbot.domain.responses import Outcome, author_name
from seminarbot.services.container import Services
from seminarbot.services.opening import Opening
from seminarbot.services.responses import may_keep, record_edit, record_message, record_redaction

log = logging.getLogger(__name__)
PLATFORM = "matrix"


async def run(app: Services, *, timeline_limit: int = TIMELINE_LIMIT) -> None:
    """The adapter (start.py) on services already open."""
    from seminarbot.adapters.matrix.start import run as run_opening

    await run_opening(Opening.of(app), timeline_limit=timeline_limit)


class MatrixBot:
    def __init__(self, app: Services, client: AsyncClient, files: MatrixFiles | None = None
                 ) -> None:
        self.app = app
        self.client = client
        self.settings = app.settings.matrix
        self.prefix = self.settings.command_prefix
        self.sender = Sender(client)
        self.poster = MatrixPoster(client, self.sender, self.prefix, handle=self.event,
                                   is_command=self._is_command)
        self.creators = Creators()
        self.undecrypted = Undecrypted(client, files)
        self.direct = DirectRooms(client)
        self.private = PrivateAnswers(client, self.sender, self.direct,
                                      lambda reply, encrypted: reply_contents(
                                          reply, encrypted=encrypted), files)
        self.departures = Departures(app, client, self.private, self.creators, self._place,
                                     self._name)

    async def ready(self) -> None:
        self.app.scheduler.attach(self.poster)
        self.app.kept_outside[PLATFORM] = lambda user: (self.undecrypted.forget(user)
                                                        + self.private.forget(user))
        log.info("matrix: ready in %d rooms", len(self.client.rooms))

    def state(self, room_id: str, events: list[Any]) -> None:
        self.creators.note(room_id, events)

    async def handled_batch(self) -> None:
        await self.undecrypted.retry(self.event)
        await self.private.deliver()

    # -- rooms ---------------------------------------------------------------------------

    async def invited(self, room_id: str, invite_state: list[Any]) -> None:
        inviter = inviter_of(invite_state, self.client.user_id) or ""
        if not invite_allowed(self.settings, inviter):
            log.warning("matrix: declining the invite to %s from %s (not allowed)",
                        room_id, inviter)
            await self._quietly(with_retries(f"declining {room_id}",
                                             lambda: self.client.room_leave(room_id),
                                             RoomLeaveResponse))
            return
        log.info("matrix: joining %s, invited by %s", room_id, inviter)
        await self._quietly(with_retries(f"joining {room_id}",
                                         lambda: self.client.join(room_id), JoinResponse))
        if inviter and invited_as_direct(invite_state, self.client.user_id):
            await self._quietly(self.direct.record(inviter, room_id))  # their direct chat

    async def left(self, room_id: str, events: list[Any]) -> None:
        me = self.client.user_id
        for event in reversed(events):
            change = translate(getattr(event, "source", {}))
            if isinstance(change, Membership) and change.user_id == me \
                    and change.membership in ("leave", "ban"):
                if change.sender == me:
                    await self._quietly(self.direct.forget(room_id))
                elif not left_the_room(change):
                    continue  # an unban: the removal is before it, or told already (186's 2)
                else:
                    await self.departures.removed(room_id, change)
                break
        self.client.rooms.pop(room_id, None)

    # -- events --------------------------------------------------------------------------

    def joins(self, event: Any) -> bool:
        item = translate(getattr(event, "source", {}))
        # A reply whose fallback must be checked (fallback.py) waits for its turn alone.
        return (isinstance(item, Said) and item.sender != self.client.user_id
                and item.quoted is None and not self._is_command(item))

    def _is_command(self, item: Said) -> bool:
        """Typed with the prefix, not an emote; in a thread or a reply, where it may answer a
        prompt, a well-formed command (core.parsing.is_command): not "!!! I disagree"."""
        if item.emote or item.attached or not item.text.startswith(self.prefix):
            return False
        if not (item.thread_root or item.reply_to):
            return True
        from seminarbot.core.parsing import is_command  # loaded with the first command

        line, mentions = item.as_command(self.prefix)
        return is_command(self.app.registry, line, self.prefix, self.app.clock.now().date(),
                          mentions)

    async def holds_seminar(self, room_id: str) -> bool:
        return await self.app.cohorts.find(PLATFORM, room_id, room_id) is not None

    async def event(self, room_id: str, event: Any, *, away: bool = False) -> None:
        if isinstance(event, MegolmEvent):
            await self.undecrypted.keep(room_id, event)
            return
        item = translate(getattr(event, "source", {}))
        if item is None or item.sender == self.client.user_id:
            return
        if isinstance(item, Upgraded):
            await self.departures.upgraded(room_id, item)
            return
        if isinstance(item, Said):
            item = await as_typed(self.client, room_id, item)
        elif isinstance(item, Edited):
            item = await edit_as_typed(self.client, room_id, item)
        by = await self._redactor(room_id, item) if isinstance(item, Redacted) else None
        keep = functools.partial(may_keep, self.app, PLATFORM, room_id, room_id)
        try:
            if isinstance(item, Said):
                if away and self._is_command(item):
                    return  # typed while the bot was out of the room: not run, not words
                answered = self._is_command(item) and await self._command(room_id, item)
                if not answered and not await self.undecrypted.held_reply(
                        room_id, item, event.source, keep):
                    await self._said(room_id, item)  # (else: after the event it answers)
            elif isinstance(item, Edited):
                if not await self.undecrypted.held_edit(room_id, item, event.source, keep):
                    await self._edited(room_id, item)
            elif isinstance(item, Redacted):
                self.undecrypted.redacted(room_id, item.target, by)  # waiting: never recorded
                await record_redaction(self.app, PLATFORM, item.target, item.at, by=by,
                                       place=room_id)
        except Unavailable:
            raise  # the sync loop handles the whole batch again
        except Exception:
            log.exception("matrix: handling %s in %s failed", item.event_id, room_id)

    async def _redactor(self, room_id: str, item: Redacted) -> str | None:
        """Who a redaction counts from: anyone (None) when its sender is at the room's redact
        level, or when the homeserver shows what it redacts redacted (it checked the sender
        against the power levels of then: they may have changed since); else only the author
        of what it redacts (its sender)."""
        if may_redact_others(self.client.rooms.get(room_id), item.sender,
                             self.creators.of(room_id)):
            return None
        return None if await shown_redacted(self.client, room_id, item.target) else item.sender

    async def _said(self, room_id: str, item: Said) -> None:
        if item.thread_root or item.reply_to:  # else it answers nothing
            await record_message(self.app, inbound(
                self.client, room_id, item, self._actor(room_id, item.sender),
                self._text(room_id, item.sender, item.text, item.emote)))

    async def _edited(self, room_id: str, item: Edited) -> None:
        text = self._text(room_id, item.sender, item.text, item.emote)
        if self._is_command(Said(item.event_id, item.sender, item.text, item.at, item.target,
                                 emote=item.emote, pills=item.pills)):
            text = ""  # the room shows a command there now, not an answer: one no more
        outcome = await record_edit(self.app, PLATFORM, item.target, text, item.at,
                                    by=item.sender, edit_id=item.event_id, place=room_id)
        if outcome is Outcome.UNKNOWN:
            await edited_unrecorded(self.app, self.client, room_id, item, text,
                                 self._actor(room_id, item.sender), self._is_command)

    def _text(self, room_id: str, sender: str, body: str, emote: bool) -> str:
        """What is recorded: an emote with its actor's name before it, as clients show it."""
        return emote_text(self._name(room_id, sender), body) if emote and not is_blank(body) \
            else body

    async def _command(self, room_id: str, item: Said) -> bool:
        """Run as a command; False where it is words after all (dispatch.NotACommand)."""
        # Not stripped on the right: text of no-break spaces is not taken for none (parsing.py)
        line, mentions = item.as_command(self.prefix)
        if not line:
            return True
        from seminarbot.core.dispatch import NotACommand, run_line  # with the first command

        try:
            place = self._place(room_id)._replace(
                direct=await self.direct.is_direct(room_id, item.sender))
            reply = await run_line(self.app, line, self._actor(room_id, item.sender), place,
                                   prefix=self.prefix, source_id=item.event_id, sent_at=item.at,
                                   mentions=mentions,
                                   or_words=bool(item.thread_root or item.reply_to))
        except NotACommand:
            return False
        if reply.silent:  # a flood's repeated refusals are not echoed into the room
            return True
        if reply.private and not self.direct.is_direct_with(room_id, item.sender):
            await self.private.answer(room_id, item.event_id, item.sender, item.thread_root,
                                      reply)
        elif not await answer_in_room(self.client, self.sender, room_id, item, reply):
            # The room takes nothing from the bot (helper-186's 4): their direct room may.
            await self.private.answer(room_id, item.event_id, item.sender, item.thread_root,
                                      reply)
        return True

    # -- who and where -------------------------------------------------------------------

    def _name(self, room_id: str, user_id: str) -> str:
        room = self.client.rooms.get(room_id)
        return author_name((room.user_name(user_id) if room else None) or "", user_id)

    def _actor(self, room_id: str, user_id: str) -> Actor:
        level = power_level(self.client.rooms.get(room_id), user_id, self.creators.of(room_id))
        return Actor(PLATFORM, user_id, self._name(room_id, user_id),
                     is_moderator=level >= self.settings.moderator_power_level)

    def _place(self, room_id: str) -> Place:
        name = room_name(self.client.rooms.get(room_id), "")
        return Place(PLATFORM, room_id, room_id, community_name=name, channel_name=name,
                     noun="room")

    @staticmethod
    async def _quietly(call: Any) -> None:
        try:
            await call
        except SendFailed as error:
            log.error("matrix: %s", error.reason)
