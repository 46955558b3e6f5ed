"""The adapter's life in `seminarbot run`: log in (or restore the saved device) and ask for the
first sync while the services are still opening (services.opening), then handle it and sync
until cancelled. Nothing is handled before the services are open; the sync token is saved only
after a batch is handled (sync.py), so asking early loses nothing. The event handling
(bot.py, and what it imports) is loaded only once the first request is under way."""

from __future__ import annotations

import logging
from functools import partial

from seminarbot.adapters.matrix.files import MatrixFiles
from seminarbot.adapters.matrix.login import connect
from seminarbot.adapters.matrix.sync import TIMELINE_LIMIT, SyncFailed, SyncLoop
from seminarbot.config.data_folder import MATRIX
from seminarbot.services.opening import Opening
from seminarbot.services.outage import watch

log = logging.getLogger(__name__)
PLATFORM = "matrix"


async def run(opening: Opening, *, timeline_limit: int = TIMELINE_LIMIT) -> None:
    """Sync until cancelled. A login the homeserver ends (an expired token, or a saved one
    that no longer works: login.connect) is renewed with the password, on the same device;
    with only an access token, that is LoginFailed."""
    settings = opening.settings
    files = MatrixFiles(settings.data_dir / MATRIX)
    report = partial(opening.connections.report, PLATFORM)
    ended = False
    while True:
        client = await connect(settings.matrix, files, report, ended=ended)
        syncing = SyncLoop(client, files, timeline_limit=timeline_limit, report=report)
        first = syncing.ask_first()
        try:
            app = await opening.services()
            from seminarbot.adapters.matrix.bot import MatrixBot

            await syncing.run_forever(MatrixBot(app, client, files), watch(app, PLATFORM))
        except SyncFailed as error:
            log.warning("matrix: %s; logging in again", error)
            ended = True
        finally:
            if not first.cancel() and not first.cancelled():
                first.exception()  # answered but never taken (the services never opened)
            await client.close()
