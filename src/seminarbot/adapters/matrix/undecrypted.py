"""Encrypted events that arrived before their room key: kept, asked for, and tried again after
every sync until the key comes (then handled as if just received) or they are given up."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError
from nio import AsyncClient, MegolmEvent
from nio.exceptions import EncryptionError, LocalProtocolError

log = logging.getLogger(__name__)
GIVE_UP_AFTER = 200  # syncs: about an hour and a half of idle long-polls


@dataclass
class _Waiting:
    room_id: str
    event: MegolmEvent
    syncs: int = 0


class Undecrypted:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.waiting: list[_Waiting] = []

    async def keep(self, room_id: str, event: MegolmEvent) -> None:
        log.warning("matrix: no key yet for %s in %s; asking for it", event.event_id, room_id)
        self.waiting.append(_Waiting(room_id, event))
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
        self.waiting = still
