"""The gateway connection, made before the services are open (services.opening).

`run(opening)` logs in and connects at once; discord.py's events are held (`dispatch`) until the
services are open and the handlers (bot.Handlers, loaded only then) are bound, then handed over
in the order they came. So the bot's own start-up (its modules, the database) overlaps Discord's
answers and discord.py's wait for guilds (benchmarks/discord_bench.py), and nothing that arrives
meanwhile is lost. This module imports only what connecting needs.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import discord
import discord.gateway

from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.endpoints import quiet_voice, use_endpoints
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.discord.trace import server_errors_logged
from seminarbot.config.settings import SettingRefused
from seminarbot.domain.backoff import Backoff
from seminarbot.services.connections import ANSWER_LIMIT, RETRYING, answered, reason

if TYPE_CHECKING:
    from seminarbot.adapters.discord.bot import Handlers
    from seminarbot.services.opening import Opening

log = logging.getLogger(__name__)
PLATFORM = "discord"
# Between two tries of an unreachable Discord at start-up (README: Running on Discord).
RETRY_LIMIT = 300.0
CANCEL_GRACE = 1.0  # seconds for the connection's task to end once cancelled, before a close
TOKEN_REFUSED = ("Discord refused the token (DISCORD_TOKEN): check it in the Developer Portal "
                 "(Bot → Reset Token)")
_UPGRADE = "; no retry can mend it: upgrade seminarbot (and its discord.py)"
# The gateway's close codes after which Discord says not to reconnect
# (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway), each as
# one line for the operator (4014, disallowed intents, is discord.py's PrivilegedIntentsRequired).
FATAL_CLOSES = {
    4004: TOKEN_REFUSED,
    4010: f"Discord refused the shard the bot sent (gateway close 4010, invalid shard){_UPGRADE}",
    4011: ("Discord requires sharding for this bot (gateway close 4011): it is in too many "
           "servers for one connection, which seminarbot does not split; remove it from "
           "servers it does not serve"),
    4012: f"Discord refused the gateway version (gateway close 4012){_UPGRADE}",
    4013: ("Discord refused the intents the bot sent (gateway close 4013, invalid intents)"
           f"{_UPGRADE}"),
}
INTENT_REFUSED = ("turn on the Message Content intent for this bot in the Developer Portal "
                  "(Bot → Privileged Gateway Intents)")
Report = Callable[..., None]
# What Client.connect tries again on (discord/client.py).
GATEWAY_ERRORS = (*NETWORK_ERRORS, discord.HTTPException, discord.GatewayNotFound,
                  discord.ConnectionClosed)
# What a gateway that is not (yet) speaking Discord's protocol makes discord.py raise: a close
# before HELLO (a request to reconnect), or an answer that is no JSON (or zlib) or lacks the
# fields of one.
NOT_THE_PROTOCOL = (discord.gateway.ReconnectWebSocket, ValueError, KeyError, TypeError,
                    zlib.error)


def intents() -> discord.Intents:
    """Servers and their channels, messages, and (privileged) message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


def _snowflake(value: object) -> bool:
    """An id as Discord's payloads write one, decimal text (API docs, Snowflakes), or as a
    number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value >= 0
    return isinstance(value, str) and value.isascii() and value.isdigit()


class SeminarClient(discord.Client):
    """discord.py's client, whose events wait for `bind` (bot.Handlers). Until then each event
    is kept, in order, with its arguments; nothing is handled twice or dropped."""

    def __init__(self, settings: DiscordSettings, *, guild_ready_timeout: float = 2.0,
                 reidentify_delay: float = 5.0) -> None:
        quiet_voice()
        # No message cache: discord.py would update a cached message in place when its edit
        # arrives, before the handler of its creation has read it.
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none(),
                         max_messages=None, guild_ready_timeout=guild_ready_timeout,
                         http_trace=server_errors_logged())
        self.settings = settings
        self.reidentify_delay = reidentify_delay
        self._bound: Handlers | None = None
        self._held: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = []
        parsers = self._connection.parsers  # the gateway reads this very dict
        for event, parse in parsers.items():
            parsers[event] = partial(self._parse, event, parse)

    def _parse(self, event: str, parse: Callable[[Any], None], data: Any) -> None:
        """discord.py's parser of one gateway event (ConnectionState.parse_*), inside one error
        boundary: discord.py lets a payload it cannot read (a MESSAGE_UPDATE with only some of
        a message's fields, say, which Discord's Gateway Events docs allowed) escape the
        gateway's loop, which closes the connection, and `run` with it. Here the event is
        logged and skipped; a text edit among them is read again from Discord
        (`unread_edit`), so the words are not lost."""
        try:
            parse(data)
        except Exception as error:
            log.warning("Discord sent a %s event that discord.py could not read (%s: %s); "
                        "skipped", event, type(error).__name__, str(error)[:200])
            if event == "MESSAGE_UPDATE" and isinstance(data, dict) and "content" in data:
                ids = [str(data.get(key)) for key in ("channel_id", "id")]
                if all(map(_snowflake, ids)):
                    self.dispatch("unread_edit", int(ids[0]), int(ids[1]))
            if event == "MESSAGE_DELETE_BULK" and isinstance(data, dict) and isinstance(
                    data.get("ids"), list):  # the deletions it can read still count
                kept = [each for each in data["ids"] if _snowflake(each)]
                if kept and len(kept) < len(data["ids"]):
                    self._parse(event, parse, {**data, "ids": kept})

    @property
    def handlers(self) -> Handlers:
        """What handles the events; raises RuntimeError before `bind`."""
        if self._bound is None:
            raise RuntimeError("the Discord client's handlers are not bound yet")
        return self._bound

    def bind(self, handlers: Handlers) -> None:
        """Register the handlers' `on_*` coroutines (discord.py's Client.event) and hand them
        the events held so far, in the order they came."""
        self._bound = handlers
        for name in dir(handlers):
            if name.startswith("on_"):
                self.event(getattr(handlers, name))
        handlers.start()
        held, self._held = self._held or [], None
        for event, args, kwargs in held:
            self._hand_over(event, args, kwargs)

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        if self._held is not None:
            self._held.append((event, args, kwargs))
            return
        self._hand_over(event, args, kwargs)

    def _hand_over(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.handlers.queued(event, args)  # in the order parsed (bot.Handlers.queued)
        super().dispatch(event, *args, **kwargs)

    async def login(self, token: str) -> None:
        use_endpoints(self.settings)
        await super().login(token)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per five seconds; the tests' fake has no such limit.
        if not initial:
            await asyncio.sleep(self.reidentify_delay)

    async def close(self) -> None:
        """Let the handlers finish what they hold (bot.Handlers.finish), then close the
        gateway. What did not finish was not saved, and the next start's catch-up reads it."""
        if self._bound is not None:
            await self._bound.finish()
        await super().close()


async def run(opening: Opening) -> None:
    """Connect and serve until cancelled (`seminarbot run`). An unreachable Discord is tried
    again and again (capped backoff, a log line each time); a refused token or intent raises
    SettingRefused, which no retry can mend."""
    settings = opening.settings.discord
    token = settings.token
    if not token:
        raise SettingRefused("discord.token (DISCORD_TOKEN) is not set")
    async with SeminarClient(settings) as client:
        binding = asyncio.create_task(_bind(client, opening), name="discord-bind")
        connecting = asyncio.create_task(
            _connect(client, token, partial(opening.connections.report, PLATFORM)),
            name="discord-connect")
        try:
            done, _ = await asyncio.wait({binding, connecting},
                                         return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # the first failure, said as it is
            await connecting
        finally:
            for task in (binding, connecting):
                task.cancel()
            _, lost = await asyncio.wait({binding, connecting}, timeout=CANCEL_GRACE)
            if lost:
                # discord.py can lose a cancellation in its handshake (asyncio.wait_for on
                # Python 3.11 drops one that comes as the call it waits on completes): a stop
                # then waited for the 20 s limit. Closing the client ends connect() whatever
                # it waits on.
                log.debug("discord: the connection did not stop when asked; closing it")
                await client.close()
            await asyncio.gather(binding, connecting, return_exceptions=True)


async def _bind(client: SeminarClient, opening: Opening) -> None:
    app = await opening.services()
    from seminarbot.adapters.discord.bot import Handlers

    client.bind(Handlers(app, client))


# The client whose connect() runs in this task (`_connect`), for `_said_by_connect`.
_connecting: ContextVar[SeminarClient | None] = ContextVar("discord_connecting", default=None)


def _said_by_connect(record: logging.LogRecord) -> bool:
    """False for discord.py's "Attempting a reconnect" after a first connection failed: no
    reconnect follows it (see `_connect`), whose own line says the try and the wait."""
    client = _connecting.get()
    return not (client is not None and cast(object, client.ws) is None
                and str(record.msg).startswith("Attempting a reconnect"))


async def _connect(client: SeminarClient, token: str, report: Report) -> None:
    await _log_in(client, token, report)
    backoff = Backoff(limit=RETRY_LIMIT)
    _connecting.set(client)  # this task's own context: other tasks' records are left alone
    discord_log = logging.getLogger("discord.client")
    if _said_by_connect not in discord_log.filters:
        discord_log.addFilter(_said_by_connect)
    while True:
        try:
            await client.connect(reconnect=True)
            return
        except discord.PrivilegedIntentsRequired:
            raise SettingRefused(INTENT_REFUSED) from None
        except discord.ConnectionClosed as closed:
            if closed.code in FATAL_CLOSES:
                raise SettingRefused(FATAL_CLOSES[closed.code]) from None
            raise
        except Exception as error:
            if cast(object, client.ws) is not None:  # a session began: not a first connection
                raise
            # discord.py (2.7) follows a failed connection by resuming the session it had,
            # reading `client.ws`, which is still None when the first connection failed.
            failed = error.__context__ if isinstance(error, AttributeError) else error
            if not isinstance(failed, (*GATEWAY_ERRORS, *NOT_THE_PROTOCOL)):
                raise
            problem = _gateway_problem(failed)
            await _again(backoff, report, "Discord's gateway", problem, f"the gateway: {problem}")


def _gateway_problem(failed: BaseException) -> str:
    if isinstance(failed, TimeoutError):
        return "it did not answer within 60 s"  # discord.py's limit for the handshake
    if isinstance(failed, discord.gateway.ReconnectWebSocket):
        return "it closed the connection before the session began"
    if isinstance(failed, NOT_THE_PROTOCOL):
        return f"its answer is not Discord's gateway protocol: {reason(failed)}"
    return reason(failed)


async def _log_in(client: SeminarClient, token: str, report: Report) -> None:
    backoff = Backoff(limit=RETRY_LIMIT)
    log.info("discord: connecting to %s", client.settings.api_base)
    while True:
        try:
            await answered(client.login(token), ANSWER_LIMIT, "Discord")
            return
        except discord.LoginFailure:
            raise SettingRefused(TOKEN_REFUSED) from None
        except (TypeError, KeyError, ValueError):  # discord.py reading another kind of answer
            raise _not_discord(client, "its answer to the log-in is no user") from None
        except (discord.DiscordServerError, *NETWORK_ERRORS) as error:
            # Closing the session closes its connector too: let static_login make new ones.
            await client.http.close()
            client.http.connector = discord.utils.MISSING
            problem = reason(error)
            await _again(backoff, report, "Discord", problem, problem)
        except discord.HTTPException as error:  # 4xx but 401: no try can mend it
            raise _not_discord(client, f"it answered the log-in with HTTP {error.status} "
                                       f"{error.response.reason or ''}".rstrip()) from None


async def _again(backoff: Backoff, report: Report, what: str, problem: str,
                 detail: str) -> None:
    """A failed try said (the link's state with `detail`, one log line), then the backoff's
    wait."""
    delay = backoff.next_delay()
    report(RETRYING, detail)
    log.warning("discord: cannot reach %s (%s); trying again in %g s", what, problem, delay)
    await asyncio.sleep(delay)


def _not_discord(client: SeminarClient, why: str) -> SettingRefused:
    return SettingRefused(f"{client.settings.api_base} does not answer as Discord's API ({why}); "
                          "set DISCORD_API_BASE (or discord.api_base) to Discord's, or leave it "
                          "unset")
