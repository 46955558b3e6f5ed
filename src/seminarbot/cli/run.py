"""`seminarbot run` and `seminarbot health`.

With platforms configured, `run` opens one Services, starts one scheduler loop and every
configured adapter. Each adapter package exposes `async def run(app: Services) -> None`, which
connects, attaches its poster to the scheduler when ready (`app.scheduler.attach`) and runs
until cancelled. With none configured, `run` starts the console. The running bot touches a
heartbeat file that `health` reads.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from typing import TYPE_CHECKING

from seminarbot.cli.exits import EXIT_CONFIG

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

log = logging.getLogger(__name__)


NO_PLATFORM = (
    "No Discord or Matrix account is configured, so this starts the local console.\n"
    "To run on a platform, set DISCORD_TOKEN, or MATRIX_HOMESERVER, MATRIX_USER_ID and "
    "MATRIX_PASSWORD (or MATRIX_ACCESS_TOKEN), or name them in a config file (see README.md).")


class AdapterMissing(Exception):
    pass


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("run", help="start every configured platform (the console if none)")
    health = commands.add_parser("health", help="exit 0 if the running bot is alive (Docker)")
    health.add_argument("--max-age", type=int, default=180, metavar="SECONDS")


async def main(settings: Settings) -> int:
    from seminarbot.cli.heartbeat import beat

    pulse = asyncio.create_task(beat(settings.data_dir / "heartbeat"))
    try:
        return await _run(settings)
    finally:
        pulse.cancel()


async def _run(settings: Settings) -> int:
    if not settings.platforms:
        from seminarbot.cli import console

        return await console.main(settings, argparse.Namespace(clock=None, user=None),
                                  intro=NO_PLATFORM)
    try:
        await run_platforms(settings)
    except AdapterMissing as error:
        print(f"seminarbot: {error}; unset its credentials to use the console.",
              file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def run_platforms(settings: Settings) -> None:
    """Until cancelled, or until an adapter or the scheduler fails (raised here)."""
    from seminarbot.app import open_services
    from seminarbot.clock import SystemClock

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


def health(settings: Settings, max_age: int) -> int:
    import time

    beat = settings.data_dir / "heartbeat"
    try:
        age = time.time() - beat.stat().st_mtime
    except OSError:
        print(f"no heartbeat at {beat}", file=sys.stderr)
        return 1
    if age > max_age:
        print(f"heartbeat is {age:.0f}s old", file=sys.stderr)
        return 1
    return 0
