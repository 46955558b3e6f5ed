"""What `seminarbot run` hands each adapter at once, before the database is open: the settings,
the link states (services.connections) and, once they are open, the services. An adapter can so
connect, and ask for its first events, while the services open (the homeserver's wait overlaps
the bot's own start-up work, benchmarks/matrix_bench.py); it handles nothing before."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from seminarbot.services.connections import Connections

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings
    from seminarbot.services.container import Services


class Opening:
    def __init__(self, settings: Settings, connections: Connections) -> None:
        self.settings = settings
        self.connections = connections
        self._services: asyncio.Future[Services] = asyncio.get_running_loop().create_future()

    @classmethod
    def of(cls, services: Services) -> Opening:
        """An opening whose services are already open."""
        opening = cls(services.settings, services.connections)
        opening.opened(services)
        return opening

    def opened(self, services: Services) -> None:
        self._services.set_result(services)

    async def services(self) -> Services:
        """The services, once open. The caller is cancelled if `run` stops before."""
        return await asyncio.shield(self._services)
