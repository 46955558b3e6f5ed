"""A log line for each answer of Discord's REST API that discord.py tries again on its own (a
5xx: it sleeps and retries up to five times without a word), so an operator watching a bot
start against a Discord that answers 502 sees each try (README: Running on Discord)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import aiohttp

log = logging.getLogger("seminarbot.adapters.discord")


def server_errors_logged() -> aiohttp.TraceConfig:
    """An aiohttp trace that logs a warning for every 5xx answer to a REST request (method, path
    and status)."""
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_ended)
    return trace


async def _ended(session: aiohttp.ClientSession, context: SimpleNamespace,
                 params: aiohttp.TraceRequestEndParams) -> None:
    status = params.response.status
    # The gateway's opening handshake is an HTTP request too, and discord.py does not try it
    # again on its own: connecting.connect says each of its tries, once.
    if status >= 500 and params.headers.get("Upgrade", "").lower() != "websocket":
        log.warning("discord: Discord answered %d %s to %s %s; trying again", status,
                    params.response.reason or "", params.method, params.url.path)
