"""`seminarbot run`.

With platforms configured, `run` opens one Services, starts one scheduler loop, the heartbeat
and every configured adapter. Each adapter package exposes `async def run(app: Services) ->
None`, which connects, attaches its poster to the scheduler when ready
(`app.scheduler.attach`) and runs until cancelled; cancelled, it finishes what it has in hand
(within its own bound) and closes its connection. SIGTERM or SIGINT stops them all that way,
then closes the database, and `run` exits 0. With no platform configured, `run` starts the
console on a terminal and refuses (exit 2) without one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from seminarbot.cli.exits import EXIT_CONFIG, EXIT_FAILED

if TYPE_CHECKING:
    from seminarbot.config.settings import Settings

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


HOW_TO_CONFIGURE = ("To run on a platform, set DISCORD_TOKEN, or MATRIX_HOMESERVER, "
                    "MATRIX_USER_ID and MATRIX_PASSWORD (or MATRIX_ACCESS_TOKEN), or name them in "
                    "a config file (see README.md).")


class AdapterMissing(Exception):
    pass


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("run", help="start every configured platform (the console if none)")


async def main(settings: Settings) -> int:
    if not settings.platforms:
        from seminarbot.cli import console

        if not sys.stdin.isatty():
            # A daemon (a container, a service) with nothing configured: starting a console
            # that reads end of input at once would exit 0 and be restarted, again and again.
            print(f"seminarbot: no platform is configured, and the console needs a terminal. "
                  f"{HOW_TO_CONFIGURE} For a scripted console, run `seminarbot console`.",
                  file=sys.stderr)
            return EXIT_CONFIG
        return await console.main(
            settings, argparse.Namespace(clock=None, user=None),
            intro="No Discord or Matrix account is configured, so this starts the local "
                  f"console.\n{HOW_TO_CONFIGURE}")
    from seminarbot.config.settings import SettingRefused
    from seminarbot.domain.errors import StorageLost

    try:
        await run_platforms(settings)
    except AdapterMissing as error:
        print(f"seminarbot: {error}; unset its credentials to use the console.",
              file=sys.stderr)
        return EXIT_CONFIG
    except SettingRefused as error:
        print(f"seminarbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StorageLost as error:
        print(f"seminarbot: {error.message}", file=sys.stderr)
        return EXIT_FAILED
    return 0


async def run_platforms(settings: Settings) -> None:
    """Until cancelled, or until an adapter or the scheduler fails (raised here)."""
    from seminarbot.app import open_services
    from seminarbot.cli.heartbeat import beat
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
    tasks = [asyncio.create_task(app.scheduler.run_forever(), name="scheduler"),
             asyncio.create_task(beat(settings.data_dir / "heartbeat", app.db.check_identity,
                                      app.connections.snapshot,
                                      changed=app.connections.changed), name="heartbeat")]
    tasks += [asyncio.create_task(module.run(app), name=module.__name__) for module in modules]
    try:
        async with _until_signalled() as stopped:
            done, _ = await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopped:
                task.result()  # an adapter or the scheduler failed: say so and stop
    finally:
        log.info("stopping: finishing what is in hand, then closing the connections")
        for task in reversed(tasks):  # the adapters first: they stop taking work
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await app.close()
        log.info("stopped")


@contextlib.asynccontextmanager
async def _until_signalled() -> AsyncIterator[asyncio.Task[bool]]:
    """A task that ends when SIGTERM (docker stop) or SIGINT (Ctrl-C) arrives."""
    loop = asyncio.get_running_loop()
    arrived = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, arrived.set)
    waiting = asyncio.create_task(arrived.wait(), name="signals")
    try:
        yield waiting
    finally:
        waiting.cancel()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
