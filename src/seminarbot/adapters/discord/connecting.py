"""The connection to Discord (client.run): the log-in, then the gateway, each tried again with a
capped backoff and one log line a try while Discord cannot be reached or does not yet speak its
protocol; what no try can mend (a refused token or intent, a fatal close, a gateway URL that is
no gateway) raises SettingRefused, one line for the operator. Once a session has begun,
discord.py reconnects on its own, except after an answer it cannot read, which is tried again
here; `pacing.Paced` spaces the connections of a gateway that keeps closing them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Callable
from contextvars import ContextVar
from http import HTTPStatus
from typing import TYPE_CHECKING, cast

import aiohttp
import discord
import discord.gateway

from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.settings import DISCORD_API_BASE, DISCORD_GATEWAY
from seminarbot.adapters.discord.trace import Redirected
from seminarbot.adapters.http_answers import bounded_body, retried, status_line, unmendable
from seminarbot.config.settings import SettingRefused
from seminarbot.domain.backoff import Backoff
from seminarbot.domain.display import in_a_line
from seminarbot.domain.jsontext import read_json
from seminarbot.services.connections import ANSWER_LIMIT, RETRYING, answered, reason

if TYPE_CHECKING:
    from seminarbot.adapters.discord.client import SeminarClient

log = logging.getLogger("seminarbot.adapters.discord.client")  # as the lines always read
# Between two tries of an unreachable Discord at start-up (README: Running on Discord).
RETRY_LIMIT = 300.0
# Answers to the gateway's handshake worth another try: a timeout or too many requests.
RETRIED_STATUSES = frozenset({408, 429})
MOST_GATEWAY_BYTES = 65_536  # an answer to GET /gateway is some 40 bytes
TOKEN_REFUSED = ("Discord refused the token (DISCORD_TOKEN): check it in the Developer Portal "
                 "(Bot → Reset Token)")
_UPGRADE = "; no retry can mend it: upgrade seminarbot (and its discord.py)"
# The gateway's close codes after which Discord says not to reconnect
# (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway), each as
# one line for the operator (4014, disallowed intents, discord.py raises as
# PrivilegedIntentsRequired).
FATAL_CLOSES = {
    4004: TOKEN_REFUSED,
    4010: f"Discord refused the shard the bot sent (gateway close 4010, invalid shard){_UPGRADE}",
    4011: ("Discord requires sharding for this bot (gateway close 4011): it is in too many "
           "servers for one connection, which seminarbot does not split; remove it from "
           "servers it does not serve"),
    4012: f"Discord refused the gateway version (gateway close 4012){_UPGRADE}",
    4013: ("Discord refused the intents the bot sent (gateway close 4013, invalid intents)"
           f"{_UPGRADE}"),
    4014: ("turn on the Message Content intent for this bot in the Developer Portal "
           "(Bot → Privileged Gateway Intents)"),
}
_HANDSHAKE = "answered the WebSocket handshake with"
INTENTS_CLOSE = 4014
Report = Callable[..., None]
# What Client.connect tries again on (discord/client.py).
GATEWAY_ERRORS = (*NETWORK_ERRORS, discord.HTTPException, discord.GatewayNotFound,
                  discord.ConnectionClosed)


# What discord.py raises reading an answer that is not what it expects: no JSON (json's
# ValueError; RecursionError for one nested too deep), or JSON without the fields it reads.
UNREADABLE = (ValueError, RecursionError, KeyError, TypeError)
# What a gateway that is not (yet) speaking Discord's protocol makes discord.py raise: a close
# before HELLO (a request to reconnect), or an answer that is UNREADABLE (or no zlib); and what
# pacing.check_hello raises.
NOT_THE_PROTOCOL = (discord.gateway.ReconnectWebSocket, *UNREADABLE, AttributeError,
                    zlib.error)


# The client whose connect() runs in this task (`connect`), for `_said_by_connect`.
_connecting: ContextVar[SeminarClient | None] = ContextVar("discord_connecting", default=None)


def _said_by_connect(record: logging.LogRecord) -> bool:
    """False for discord.py's "Attempting a reconnect" after a first connection failed: no
    reconnect follows it (see `connect`), whose own line says the try and the wait."""
    client = _connecting.get()
    return not (client is not None and cast(object, client.ws) is None
                and str(record.msg).startswith("Attempting a reconnect"))


async def connect(client: SeminarClient, token: str, report: Report) -> None:
    """Log in, then connect and serve until the client closes (client.run)."""
    await _log_in(client, token, report)
    backoff = Backoff(limit=RETRY_LIMIT)
    _connecting.set(client)  # this task's own context: other tasks' records are left alone
    discord_log = logging.getLogger("discord.client")
    if _said_by_connect not in discord_log.filters:
        discord_log.addFilter(_said_by_connect)
    sessions = client.sessions
    while True:
        try:
            await client.connect(reconnect=True)
            return
        except (discord.ConnectionClosed, discord.PrivilegedIntentsRequired) as closed:
            code = getattr(closed, "code", INTENTS_CLOSE)  # discord.py's own class for 4014
            if code in FATAL_CLOSES and not client.paced.presented:
                # Discord answers with these only what the bot sent (Gateway docs, Close
                # Event Codes); discord.py has closed the client all the same.
                raise _not_the_gateway(client, f"closed the connection with {code} before "
                                       "the bot sent its token") from None
            if code in FATAL_CLOSES:
                raise SettingRefused(FATAL_CLOSES[code]) from None
            raise
        except Exception as error:
            # discord.py (2.7) follows a failed connection by resuming the session it had,
            # reading `client.ws`, which is still None when the first connection failed. What
            # is not the protocol escapes its loop at any connection, after a session too.
            failed = error.__context__ if isinstance(error, AttributeError) \
                and error.__context__ is not None else error
            if not isinstance(failed, (*GATEWAY_ERRORS, *NOT_THE_PROTOCOL)):
                raise
            await _close_what_failed(client)
            if client.sessions > sessions:  # one began since the last failure
                sessions = client.sessions
                backoff.reset()
            if isinstance(failed, Redirected):
                raise _not_the_gateway(client, f"{_HANDSHAKE} {failed.said}") from None
            if isinstance(failed, aiohttp.WSServerHandshakeError) \
                    and not _retried(failed.status):
                raise _not_the_gateway(client, f"{_HANDSHAKE} {status_line(failed.status)}"
                                       ) from None
            if (why := unmendable(failed)) is not None:
                raise SettingRefused(f"{client.settings.gateway_url} {why}") from None
            problem = client.paced.unanswered or _gateway_problem(failed, client)
            # Reached, and then no session: the network is not what to look at.
            reached = client.paced.unanswered is not None or isinstance(failed, NOT_THE_PROTOCOL)
            await _again(backoff, report, "no session with Discord's gateway" if reached
                         else "cannot reach Discord's gateway", problem, f"the gateway: {problem}")


async def _close_what_failed(client: SeminarClient) -> None:
    """The gateway connection a failed try opened (discord.py leaves it open when it cannot
    read the answer: aiohttp then says "Unclosed connection"), and the client's last one."""
    current = cast("discord.gateway.DiscordWebSocket | None", client.ws)
    if current is not None:  # its keep-alive thread stops with it
        with contextlib.suppress(Exception):
            await current.close(code=1000)
    latest = client.paced.latest
    if latest is not None and not latest.closed:
        with contextlib.suppress(Exception):
            await latest.close(code=1000)


def _retried(status: int) -> bool:
    """A status another try may mend: a server error (RFC 9110 §15.6), 408 or 429."""
    return 500 <= status < 600 or status in RETRIED_STATUSES


def _not_the_gateway(client: SeminarClient, did: str) -> SettingRefused:
    """A gateway that did what Discord's never does (`did`, a clause: "answered the WebSocket
    handshake with HTTP 404 Not Found"): answer the handshake with a page, a refusal (any HTTP
    status but 101 Switching Protocols, RFC 6455 §4.1, a server error's 5xx, 408 and 429) or a
    redirect (trace.Redirected), or close with a code that answers a token before it was
    sent. No try mends it."""
    url = client.settings.gateway_url
    if url != DISCORD_GATEWAY:
        return SettingRefused(f"{url} does not answer as Discord's gateway (it {did}); set "
                              "DISCORD_GATEWAY_URL (or discord.gateway_url) to Discord's, or "
                              "leave it unset")
    return SettingRefused(f"Discord's gateway ({url}) {did}: something between this machine "
                          "and Discord (a proxy or a firewall) may be refusing WebSocket "
                          "connections")


def _gateway_problem(failed: BaseException, client: SeminarClient) -> str:
    if isinstance(failed, TimeoutError):
        return "it did not answer within 60 s"  # discord.py's limit for the handshake
    if isinstance(failed, discord.gateway.ReconnectWebSocket):
        return "it closed the connection before the session began"
    if isinstance(failed, NOT_THE_PROTOCOL):
        return f"its answer is not Discord's gateway protocol: {reason(failed)}"
    return retried(failed, client.settings.gateway_url)


async def _log_in(client: SeminarClient, token: str, report: Report) -> None:
    backoff = Backoff(limit=RETRY_LIMIT)
    base = client.settings.api_base
    log.info("discord: connecting to %s", base)
    while True:
        try:
            if base != DISCORD_API_BASE:
                await answered(api_checked(base), ANSWER_LIMIT, "Discord")
            await answered(client.login(token), ANSWER_LIMIT, "Discord")
            return
        except discord.LoginFailure:
            raise SettingRefused(TOKEN_REFUSED) from None
        except Redirected as redirect:
            raise _not_discord(base, f"it answered the log-in with {redirect.said}") from None
        except (discord.DiscordServerError, *NETWORK_ERRORS) as error:  # before ValueError:
            # an untrusted certificate is one (ssl.CertificateError)
            if (why := unmendable(error)) is not None:
                raise SettingRefused(f"{base} {why}") from None
            # Closing the session closes its connector too: let static_login make new ones.
            await client.http.close()
            client.http.connector = discord.utils.MISSING
            problem = retried(error, base)
            await _again(backoff, report, "cannot reach Discord", problem, problem)
        except UNREADABLE:  # discord.py reading another kind of answer
            raise _not_discord(base, "its answer to the log-in is no user") from None
        except discord.HTTPException as error:  # 4xx but 401: no try can mend it
            raise _not_discord(base, f"it answered the log-in with HTTP {error.status} "
                                     f"{error.response.reason or ''}".rstrip()) from None


async def _again(backoff: Backoff, report: Report, failed: str, problem: str,
                 detail: str) -> None:
    """A failed try said (the link's state with `detail`; one log line, `failed` and the
    `problem`), then the backoff's wait."""
    delay = backoff.next_delay()
    report(RETRYING, detail)
    log.warning("discord: %s (%s); trying again in %g s", failed, problem, delay)
    await asyncio.sleep(delay)


async def api_checked(api_base: str) -> None:
    """Before the token leaves for an API base that is not Discord's own: the base answers as
    Discord's API answers anyone (GET /gateway, which needs no token: API docs, Get Gateway),
    so a mistyped address gets no token. Raises SettingRefused when it does not; an error
    status of 500 or more, 408 or 429 as aiohttp.ClientError (tried again)."""
    url = f"{api_base.rstrip('/')}/gateway"
    async with aiohttp.ClientSession() as session, \
            session.get(url, allow_redirects=False) as response:
        said = status_line(response.status)
        if _retried(response.status):
            raise aiohttp.ClientError(f"it answered {said} to GET /gateway")
        if 300 <= response.status < 400:
            where = in_a_line(response.headers.get("Location", ""))
            raise _not_discord(api_base, f"it redirects ({said}) to {where or 'nowhere'}, "
                                         "and the bot follows no redirect with its token")
        body = await bounded_body(response, MOST_GATEWAY_BYTES)
        try:
            answer = read_json(body) if body is not None else None
        except ValueError:
            answer = None
    if response.status != HTTPStatus.OK or not isinstance(answer, dict) \
            or not isinstance(answer.get("url"), str):
        raise _not_discord(api_base, "its answer to GET /gateway, which needs no token, is "
                                     f"not Discord's: {said}")


def _not_discord(api_base: str, why: str) -> SettingRefused:
    return SettingRefused(f"{api_base} does not answer as Discord's API ({why}); "
                          "set DISCORD_API_BASE (or discord.api_base) to Discord's, or leave it "
                          "unset")
