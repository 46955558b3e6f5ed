"""Encrypted events that arrived before their room key: kept, asked for, and tried again after
every sync until the key comes (then handled as if just received) or they are given up.

They are kept on disk too, before the sync token that delivered them is saved, so a restart
while a key is on its way loses nothing: the next start tries them again. Handling one twice
(a crash after handling, before the file is rewritten) is harmless, as for any replay."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MegolmEvent
from nio.exceptions import EncryptionError, LocalProtocolError

from seminarbot.adapters.matrix.files import MatrixFiles

log = logging.getLogger(__name__)
GIVE_UP_AFTER = 200  # syncs: about an hour and a half of idle long-polls


@dataclass
class _Waiting:
    room_id: str
    event: MegolmEvent
    syncs: int = 0


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

    async def retry(self, handle: Callable[[str, Any], Awaitable[None]]) -> None:
        still: list[_Waiting] = []
        for waiting in self.waiting:
            try:
                event = self.client.decrypt_event(waiting.event)
            except EncryptionError:
                waiting.syncs += 1
                if waiting.syncs < GIVE_UP_AFTER:
                    still.append(waiting)
                else:
                    log.error("matrix: gave up on decrypting %s in %s",
                              waiting.event.event_id, waiting.room_id)
                continue
            await handle(waiting.room_id, event)
        if self.waiting or still:
            self.waiting = still
            self._save()

    def _load(self) -> list[_Waiting]:
        found: list[_Waiting] = []
        for item in self.files.load_undecrypted() if self.files else []:
            try:
                room_id = str(item["room_id"])
                source = dict(item["source"])
                syncs = int(item["syncs"])
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry: the rest still count
            event = MegolmEvent.from_dict({**source, "room_id": room_id})
            if isinstance(event, MegolmEvent):
                found.append(_Waiting(room_id, event, syncs))
        if found:
            log.info("matrix: %d encrypted events from before the restart still wait for keys",
                     len(found))
        return found

    def _save(self) -> None:
        if self.files is not None:
            self.files.save_undecrypted([
                {"room_id": w.room_id, "source": w.event.source, "syncs": w.syncs}
                for w in self.waiting])
