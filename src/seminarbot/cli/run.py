"""`seminarbot run`.

With platforms configured, `run` opens one Services, starts one scheduler loop, the heartbeat
and every configured adapter. Each adapter package exposes `async def run(opening: Opening)
-> None` (services/opening.py), which connects, attaches its poster to the scheduler when ready
(`app.scheduler.attach`) and runs until cancelled; cancelled, it finishes what it has in hand
(within its own bound) and closes its connection. SIGTERM, SIGHUP or SIGINT (cli.stopping)
stops them all that way, then closes the database, and `run` exits 0. With no platform
configured, `run` starts the console when a person is at a terminal (console_at_hand) and
refuses (exit 2) otherwise; a platform configured only in part is refused (exit 2), naming
what is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seminarbot.cli.exits import EXIT_CONFIG, EXIT_FAILED

if TYPE_CHECKING:
    from seminarbot.clock import SteadyClock
    from seminarbot.config.settings import Settings
    from seminarbot.domain.syllabus import Syllabus
    from seminarbot.services.connections import Connections
    from seminarbot.services.container import Services
    from seminarbot.services.opening import Opening
    from seminarbot.storage.db import Database
    from seminarbot.syllabus.cache import Loaded
    from seminarbot.syllabus.roots import ContentRoots

log = logging.getLogger(__name__)


HOW_TO_CONFIGURE = ("To run on a platform, set DISCORD_TOKEN, or MATRIX_HOMESERVER, "
                    "MATRIX_USER_ID and MATRIX_PASSWORD (or MATRIX_ACCESS_TOKEN), or name them in "
                    "a config file (see README.md).")


class AdapterMissing(Exception):
    pass


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser("run", help="start every configured platform (the console if none)")


def refusal(settings: Settings) -> str | None:
    """Why `run` will not start, decided before anything is created (cli.main): a platform
    half configured, or none configured and no person at a terminal for the console."""
    if settings.incomplete:
        return settings.incomplete[0]
    if settings.platforms or console_at_hand():
        return None
    # A daemon (a container, a service) with nothing configured: starting a console that
    # reads end of input at once would exit 0 and be restarted, again and again.
    return ("no platform is configured, and the console needs a person at a terminal. "
            f"{HOW_TO_CONFIGURE} For a console, run `seminarbot console` (in a container: "
            "`docker run -it IMAGE console`).")


async def main(settings: Settings, *, unbegun: Callable[[], None] = lambda: None) -> int:
    """`run`'s exit status. `unbegun` is called when a platform refuses the run (or its adapter
    is missing) before any platform began a session."""
    from seminarbot.cli.boundary import say

    refused = refusal(settings)
    if refused is not None:
        say(refused)
        return EXIT_CONFIG
    if not settings.platforms:
        from seminarbot.cli import console

        return await console.main(
            settings, argparse.Namespace(clock=None, user=None),
            intro="No Discord or Matrix account is configured, so this starts the local "
                  f"console.\n{HOW_TO_CONFIGURE}")
    from seminarbot.clock import SteadyClock, SystemClock
    from seminarbot.config.settings import SettingRefused
    from seminarbot.domain.errors import StorageLost
    from seminarbot.services.connections import Connections

    clock = SteadyClock(SystemClock())
    connections = Connections(clock, settings.platforms)
    try:
        await run_platforms(settings, clock, connections, unbegun)
    except AdapterMissing as error:
        say(f"{error}; unset its credentials to use the console.")
        unbegun()
        return EXIT_CONFIG
    except SettingRefused as error:
        say(str(error))
        if not connections.began:
            unbegun()
        return EXIT_CONFIG
    except StorageLost as error:
        say(error.message)
        return EXIT_FAILED
    return 0


def console_at_hand() -> bool:
    """Whether `run` with no platform may start the console: standard input and output are a
    terminal, and this is not PID 1. A daemon (a service, `docker run -d`, even with `-t`, which
    gives a terminal nobody types at) must not wait for ever on a console: PID 1 is a
    container's main process, and there the console is asked for by name (README: Docker)."""
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout)) \
        and os.getpid() != 1


async def run_platforms(settings: Settings, clock: SteadyClock, connections: Connections,
                        unbegun: Callable[[], None] = lambda: None) -> None:
    """Until cancelled, or until an adapter or the scheduler fails (raised here). The database
    and the content are opened first; then the adapters start, and connect while the rest of
    the services open (services.opening). The last heartbeat, once it has ended, is cli.main's
    (it holds the data directory). `unbegun` is called when a stop comes before any platform
    is asked (what the start made then goes: cli.leftovers)."""
    from seminarbot.cli.collector import frozen_start
    from seminarbot.cli.heartbeat import beat
    from seminarbot.config.data_folder import HEARTBEAT
    from seminarbot.services.opening import Opening

    modules = [_adapter(platform) for platform in settings.platforms]
    with frozen_start():  # what the start makes lives as long as the process
        # What is local is known to be usable before any platform hears from the bot: a
        # damaged, foreign or newer database, or content that does not load, is one line.
        try:
            db, syllabus = await _open_local(settings)
        except BaseException as error:  # a first start's database half migrated goes, as a
            from seminarbot.storage.dbfile import DatabaseUnusable  # (loaded: storage.db's)

            # start refused before it began leaves nothing (helper-152's 5), and so does one
            # on a database refused (another program's: helper-158's 8)
            if isinstance(error, asyncio.CancelledError | DatabaseUnusable):
                unbegun()
            if isinstance(error, asyncio.CancelledError):
                log.info("stopped while starting, before any platform was asked")
            raise
        opening = Opening(settings, connections)
        tasks = [asyncio.create_task(module.run(opening), name=module.__name__)
                 for module in modules]
        try:
            await asyncio.sleep(0)  # each adapter sends its first request before the rest
            app = await _open_services(settings, clock, opening, db, syllabus)
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):  # said as a stop once ready is
                log.info("stopping while starting: closing the connections")  # (helper-151's 6)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if isinstance(error, asyncio.CancelledError):
                log.info("stopped")
            raise
    tasks[:0] = [asyncio.create_task(app.scheduler.run_forever(), name="scheduler"),
                 asyncio.create_task(beat(settings.data_dir / HEARTBEAT, app.db.check_identity,
                                          app.connections.beat,
                                          changed=app.connections.changed), name="heartbeat")]
    why = "asked to stop"
    try:  # until a stop signal cancels this (cli.stopping), or a task ends
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        why = " and ".join(sorted(task.get_name() for task in done)) + " ended"  # no stop
        for task in done:
            task.result()  # an adapter or the scheduler failed: say so and stop
    finally:
        log.info("stopping (%s): finishing what is in hand, then closing the connections", why)
        for task in reversed(tasks):  # the adapters first: they stop taking work
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await app.close()
        log.info("stopped")


def _adapter(platform: str) -> Any:
    """The platform's adapter module (it has `run(opening)`); AdapterMissing if not built."""
    try:
        return importlib.import_module(f"seminarbot.adapters.{platform}")
    except ModuleNotFoundError as error:
        if error.name != f"seminarbot.adapters.{platform}":
            raise
        raise AdapterMissing(f"the {platform} adapter is not part of this build yet") from None


async def _open_local(settings: Settings) -> tuple[Database, Syllabus]:
    """The database, open, checked (all but the tables that grow with the discussion:
    storage/migrate.py) and stamped as this process's, and the syllabus (from the data
    directory's cache when the content has not changed: syllabus/cache.py)."""
    from seminarbot.storage.db import Database
    from seminarbot.storage.migrate import check_for_start
    from seminarbot.syllabus.cache import store, unstored

    db = await Database.open(settings.database)
    try:
        await check_for_start(db)
        await db.claim()
        roots = _roots(settings)
        loaded = _preloaded.pop(roots, None)
        if loaded is None:
            loaded = unstored(roots, settings.data_dir)
        # `run` alone owns the data directory (cli.main locks it): the one that keeps the cache.
        store(loaded, settings.data_dir)
        return db, loaded.syllabus
    except BaseException:
        await db.close()
        raise


def preload(settings: Settings) -> None:
    """Load the syllabus the next `run_platforms` starts on now, from the data directory's
    cache or the content: cli.main does it before the data folder is made or locked, so content
    the loader refuses leaves nothing behind (as cli.console.preload). Raises the loader's
    configuration errors."""
    from seminarbot.syllabus.cache import unstored

    roots = _roots(settings)
    _preloaded[roots] = unstored(roots, settings.data_dir)


_preloaded: dict[ContentRoots, Loaded] = {}


def _roots(settings: Settings) -> ContentRoots:
    from seminarbot.syllabus.roots import ContentRoots

    return ContentRoots.configured(settings.content_dir, settings.prompts_dir)


async def _open_services(settings: Settings, clock: SteadyClock, opening: Opening,
                         db: Database, syllabus: Syllabus) -> Services:
    # The rest of the bot's modules load in a worker thread, while the adapters' first
    # requests go on in this one (discord.py's handshake and its wait for guilds, Matrix's
    # first sync): benchmarks/discord_bench.py and matrix_bench.py.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(interval / 10)  # the loop, woken by an answer, waits less for the GIL
    try:
        await asyncio.to_thread(_load)
    except BaseException:
        await db.close()
        raise
    finally:
        sys.setswitchinterval(interval)
    from seminarbot.app import open_services
    from seminarbot.storage.recorded import latest_recorded

    app = await open_services(settings, clock, syllabus, connections=opening.connections,
                              db=db, claim=False)
    try:
        latest = await latest_recorded(app.db, live=True)  # not the console's simulated time
    except BaseException:
        await app.close()
        raise
    if latest is not None:
        clock.hold_at_least(latest)  # a wall clock behind the database waits for it
    opening.opened(app)
    return app


def _load() -> None:
    from seminarbot import app  # noqa: F401
    from seminarbot.storage import recorded  # noqa: F401  (loaded here, used in the loop)
