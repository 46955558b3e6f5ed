"""Encrypted events that arrived before their room key: kept, asked for, and tried again after
every sync until the key comes (then handled as if just received) or they are given up.

They are kept on disk too, before the sync token that delivered them is saved, so a restart
while a key is on its way loses nothing: the next start tries them again. Handling one twice
(a crash after handling, before the file is rewritten) is harmless, as for any replay.

Events about one that waits are held by it, as its room's clients would apply them once they
can read it (Matrix spec, Event replacements and Redactions): an edit of it (in another Megolm
session, whose key came) is handled right after it, so its final text is what is recorded; a
redaction of it, or of an edit held, drops what was redacted, which is then never recorded.
A reply to it from outside a thread (an older client's) is held too, from anyone but someone
opted out, and handled after it: it answers whatever the event turns out to answer
(storage/replied.py). A forget-me drops everything of the person's (`forget`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MegolmEvent
from nio.exceptions import LocalProtocolError

from seminarbot.adapters.matrix.events import Edited, Said
from seminarbot.adapters.matrix.files import WAITING, MatrixFiles, left_out

log = logging.getLogger(__name__)
GIVE_UP_AFTER = 200  # syncs: about an hour and a half of idle long-polls
HELD_EDITS = 50  # edits of one waiting event, held until its key comes
HELD_REPLIES = 500  # replies to one waiting event; past that, handled as they come
MayKeep = Callable[[str, datetime], Awaitable[bool]]  # may its author's words, then, be kept?


@dataclass
class _Waiting:
    room_id: str
    event: MegolmEvent
    syncs: int = 0
    edits: list[dict[str, Any]] = field(default_factory=list)  # held: their decrypted sources
    replies: list[dict[str, Any]] = field(default_factory=list)  # held likewise, anyone's
    read: bool = False  # decrypted and handled: what comes about it now applies as it comes


@dataclass(frozen=True)
class Held:
    """A held edit handed over again: what the bot reads of any event, its `source`."""

    source: dict[str, Any]


class Undecrypted:
    def __init__(self, client: AsyncClient, files: MatrixFiles | None = None) -> None:
        self.client = client
        self.files = files
        self.waiting = self._load()

    async def keep(self, room_id: str, event: MegolmEvent) -> None:
        log.warning("matrix: no key yet for %s in %s; asking for it", event.event_id, room_id)
        self.waiting.append(_Waiting(room_id, event))
        self._save()
        try:
            await self.client.request_room_key(event)
        except (LocalProtocolError, ClientError, TimeoutError) as error:
            log.info("matrix: key request for %s not sent: %s", event.event_id, error)

    def hold_edit(self, room_id: str, target: str, source: dict[str, Any]) -> bool:
        """Hold an edit (its decrypted source) whose target waits for its key, or is a reply
        held by one (helper-138); False if none waits, and the edit applies now. Only its
        author's edits are held (an event's sender is read without its key), and of a waiting
        event the latest HELD_EDITS: anyone else's would be refused anyway, and each is kept
        on disk."""
        for waiting in self._unread(room_id, target):
            if source.get("sender") != waiting.event.sender:
                return True  # dropped: nothing it could change is recorded yet
            if len(waiting.edits) >= HELD_EDITS:
                del waiting.edits[0]  # the oldest: the latest edit wins
            waiting.edits.append(source)
            self._save()
            return True
        for waiting in (w for w in self.waiting if w.room_id == room_id and not w.read):
            for reply in waiting.replies:
                if reply.get("event_id") == target:  # an edit of a held reply: after it
                    if source.get("sender") == reply.get("sender"):
                        waiting.replies.append(source)
                        self._save()
                    return True
        return False

    async def held_reply(self, room_id: str, item: Said, source: dict[str, Any],
                         may_keep: MayKeep) -> bool:
        """Whether a reply from outside a thread (`item`, read from `source`) to an event
        that waits for its key is held with it (hold_reply), where `may_keep` (its author,
        when they wrote it) allows: only in a seminar's room (helper-139 found any room's kept
        on disk), and not from someone opted out then (services.responses.may_keep); any
        other is handed over now, and its words are not kept."""
        return bool(item.reply_to and not item.thread_root
                    and self._unread(room_id, item.reply_to)
                    and await may_keep(item.sender, item.at)
                    and self.hold_reply(room_id, item.reply_to, source))

    async def held_edit(self, room_id: str, item: Edited, source: dict[str, Any],
                        may_keep: MayKeep) -> bool:
        """Whether an edit (`item`, read from `source`) of what waits is held (hold_edit), or
        dropped where `may_keep` refuses it, as the writer would (made while opted out);
        False if nothing it edits waits, and it applies now."""
        if not any(w.event.event_id == item.target or any(
                r.get("event_id") == item.target for r in w.replies)
                for w in self.waiting if w.room_id == room_id and not w.read):
            return False
        return not await may_keep(item.sender, item.at) or self.hold_edit(
            room_id, item.target, source)

    def hold_reply(self, room_id: str, target: str, source: dict[str, Any]) -> bool:
        """Hold a reply (its decrypted source) to an event that waits for its key, to be
        handled after it; False if none waits (or HELD_REPLIES are held), and it is handled
        now."""
        for waiting in self._unread(room_id, target):
            if len(waiting.replies) >= HELD_REPLIES:
                return False
            waiting.replies.append(source)
            self._save()
            return True
        return False

    def redacted(self, room_id: str, target: str, by: str | None = None) -> bool:
        """Drop what a redaction of `target` removed, if it waits (an event, with what it
        holds) or is held (an edit, a reply); False if it is neither. `by`, when given, must
        be its sender (one who may redact anyone's events passes None)."""
        gone = [w for w in self._unread(room_id, target) if by in (None, w.event.sender)]
        for waiting in gone:
            self.waiting.remove(waiting)
        dropped = bool(gone)
        for waiting in (w for w in self.waiting if w.room_id == room_id):
            if by in (None, waiting.event.sender):
                kept = [edit for edit in waiting.edits if edit.get("event_id") != target]
                dropped |= len(kept) != len(waiting.edits)
                waiting.edits = kept
            replies = [reply for reply in waiting.replies if reply.get("event_id") != target
                       or by not in (None, reply.get("sender"))]
            dropped |= len(replies) != len(waiting.replies)
            waiting.replies = replies
        if dropped:
            self._save()
        return dropped

    def forget(self, user_id: str) -> int:
        """Drop everything kept of `user_id` (their forget-me): events of theirs that wait,
        with what they hold (replies to an event the bot will never record answer nothing:
        storage/replied.py), and their held edits and replies; how many were dropped."""
        dropped = 0
        for waiting in list(self.waiting):
            if waiting.event.sender == user_id:
                self.waiting.remove(waiting)
                dropped += 1 + len(waiting.edits) + len(waiting.replies)
                continue
            kept = [reply for reply in waiting.replies if reply.get("sender") != user_id]
            dropped += len(waiting.replies) - len(kept)
            waiting.replies = kept
        if dropped:
            log.info("matrix: dropped %d events waiting for keys (a forget-me)", dropped)
            self._save()
        return dropped

    def _unread(self, room_id: str, event_id: str) -> list[_Waiting]:
        return [w for w in self.waiting if w.room_id == room_id and not w.read
                and w.event.event_id == event_id]

    async def retry(self, handle: Callable[[str, Any], Awaitable[None]]) -> None:
        """Each event whose key came is handled, then the edits it holds, in their order; the
        file is rewritten after each, so a restart never hands over one handled before."""
        if not self.waiting:
            return
        for waiting in list(self.waiting):
            try:
                event = self.client.decrypt_event(waiting.event)
            except Exception:  # EncryptionError: no key yet; anything else, no better later
                waiting.syncs += 1
                if waiting.syncs >= GIVE_UP_AFTER:
                    log.error("matrix: gave up on decrypting %s in %s (and %d edits of it, "
                              "%d replies to it)", waiting.event.event_id, waiting.room_id,
                              len(waiting.edits), len(waiting.replies))
                    self.waiting.remove(waiting)
                continue
            await handle(waiting.room_id, event)
            waiting.read = True
            for held in (waiting.edits, waiting.replies):
                while held:  # one that fails is handled again with its event next time
                    await handle(waiting.room_id, Held(held[0]))
                    del held[0]
            self.waiting.remove(waiting)
            self._save()
        self._save()  # the syncs counted, those given up

    def _load(self) -> list[_Waiting]:
        found: list[_Waiting] = []
        items = self.files.load_undecrypted() if self.files else []
        for item in items:
            try:
                room_id = str(item["room_id"])
                syncs = int(item["syncs"])
                event = MegolmEvent.from_dict({**dict(item["source"]), "room_id": room_id})
            except Exception:  # a damaged entry (nio reads it as it can): the rest still count
                continue
            # damaged, the event still counts without them
            edits, replies = ([source for source in held if isinstance(source, dict)]
                              if isinstance(held := item.get(key), list) else []
                              for key in ("edits", "replies"))
            if isinstance(event, MegolmEvent):
                found.append(_Waiting(room_id, event, syncs, edits, replies=replies))
        if self.files:
            left_out(self.files.undecrypted_file, WAITING, len(items) - len(found))
        if found:
            log.info("matrix: %d encrypted events from before the restart still wait for keys",
                     len(found))
        return found

    def _save(self) -> None:
        if self.files is not None:
            self.files.save_undecrypted([
                {"room_id": w.room_id, "source": w.event.source, "syncs": w.syncs,
                 "edits": w.edits, "replies": w.replies} for w in self.waiting])
