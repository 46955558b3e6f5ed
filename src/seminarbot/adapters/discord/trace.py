"""What the bot's one HTTP session to Discord (REST and the gateway's handshake) does beside
discord.py: a log line for each answer of Discord's REST API that discord.py tries again on
its own (a 5xx: it sleeps and retries up to five times without a word), so an operator
watching a bot start against a Discord that answers 502 sees each try (README: Running on
Discord); and no redirect followed (aiohttp follows ten), as the token would go with it: on
the gateway's connection, in its IDENTIFY."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import SimpleNamespace

import aiohttp

from seminarbot.domain.display import in_a_line

log = logging.getLogger("seminarbot.adapters.discord")


class Redirected(aiohttp.ClientError):
    """Discord's API or gateway answered with a redirect, which is not followed: `said` names
    the status and where it points."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


def server_errors_logged() -> aiohttp.TraceConfig:
    """An aiohttp trace that logs a warning for every 5xx answer to a REST request (method, path
    and status), and raises Redirected for a redirect."""
    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(_ended)
    trace.on_request_redirect.append(_redirected)
    return trace


async def _redirected(session: aiohttp.ClientSession, context: SimpleNamespace,
                      params: aiohttp.TraceRequestRedirectParams) -> None:
    answer = params.response
    where = in_a_line(answer.headers.get("Location", ""))
    raise Redirected(f"a redirect (HTTP {answer.status} {answer.reason or ''}".rstrip()
                     + f") to {where or 'nowhere'}, which the bot does not follow")


def _handshake(headers: Mapping[str, str]) -> bool:
    return headers.get("Upgrade", "").lower() == "websocket"


_RETRIED = frozenset({500, 502, 504, 524})
_WEBHOOKS = ("/webhooks/", "/interactions/")


async def _ended(session: aiohttp.ClientSession, context: SimpleNamespace,
                 params: aiohttp.TraceRequestEndParams) -> None:
    status = params.response.status
    # The gateway's opening handshake is an HTTP request too, and discord.py does not try it
    # again on its own: connecting.connect says each of its tries, once.
    if status >= 500 and not _handshake(params.headers):
        # discord.py tries again on its own only these (discord/http.py, HTTPClient.request),
        # or any 5xx to an interaction's answer (discord/webhook/async_.py), 5 tries at most;
        # the others it raises to the caller, which says what it does.
        path = params.url.path
        # Said of each answer alike: the trace cannot tell which try gave up (helper-178).
        again = "; discord.py makes up to 5 tries of it" if status in _RETRIED or any(
            part in path for part in _WEBHOOKS) else ""
        log.warning("discord: Discord answered %d %s to %s %s%s", status,
                    in_a_line(params.response.reason or "", 60), params.method,
                    in_a_line(path), again)
