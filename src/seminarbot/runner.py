"""`seminarbot run` with platforms configured: one Services, one scheduler loop, every adapter.

Each adapter package exposes `async def run(app: Services) -> None`, which connects, attaches
its poster to the scheduler when ready (`app.scheduler.attach`) and runs until cancelled. The
scheduler loop is started here, once, whatever the adapters do on reconnect.
"""

from __future__ import annotations

import asyncio
import importlib
import logging

from seminarbot.app import open_services
from seminarbot.clock import SystemClock
from seminarbot.config import Settings

log = logging.getLogger(__name__)


class AdapterMissing(Exception):
    pass


async def run_platforms(settings: Settings) -> None:
    modules = []
    for platform in settings.platforms:
        try:
            modules.append(importlib.import_module(f"seminarbot.adapters.{platform}"))
        except ModuleNotFoundError as error:
            if error.name != f"seminarbot.adapters.{platform}":
                raise
            raise AdapterMissing(f"the {platform} adapter is not part of this build yet") from None
    app = await open_services(settings, SystemClock())
    tasks = [asyncio.create_task(app.scheduler.run_forever(), name="scheduler")]
    tasks += [asyncio.create_task(module.run(app), name=module.__name__) for module in modules]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()  # an adapter or the scheduler failed: say so and stop
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await app.close()
