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
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import discord

from seminarbot.adapters.discord.connecting import connect
from seminarbot.adapters.discord.endpoints import quiet_voice, use_endpoints
from seminarbot.adapters.discord.pacing import Paced
from seminarbot.adapters.discord.settings import DiscordSettings
from seminarbot.adapters.discord.trace import server_errors_logged
from seminarbot.config.settings import SettingRefused

if TYPE_CHECKING:
    from seminarbot.adapters.discord.bot import Handlers
    from seminarbot.services.opening import Opening

log = logging.getLogger(__name__)
PLATFORM = "discord"
CANCEL_GRACE = 1.0  # seconds for the connection's task to end once cancelled, before a close

def intents() -> discord.Intents:
    """Servers and their channels, messages, and (privileged) message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


def is_snowflake(value: object) -> bool:
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
                         http_trace=server_errors_logged(),
                         # socket_raw_receive: each gateway message, as `paced` checks them
                         enable_debug_events=True)
        self.paced = Paced(self.http.ws_connect, self.is_closed,
                           self._connection.heartbeat_timeout,
                           retried_by_discord_py=lambda: cast(object, self.ws) is not None)
        self.http.ws_connect = self.paced  # type: ignore[method-assign]
        self.settings = settings
        self.reidentify_delay = reidentify_delay
        self._bound: Handlers | None = None
        self._held: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = []
        self.sessions = 0  # READY events: a session began (connecting.connect)
        parsers = self._connection.parsers  # the gateway reads this very dict
        for event, parse in parsers.items():
            parsers[event] = partial(self._parse, event, parse)

    def _parse(self, event: str, parse: Callable[[Any], None], data: Any) -> None:
        """discord.py's parser of one gateway event (ConnectionState.parse_*), inside one error
        boundary: discord.py lets a payload it cannot read (a MESSAGE_UPDATE with only some of
        a message's fields, say, which Discord's Gateway Events docs allowed) escape the
        gateway's loop, which closes the connection, and `run` with it. Here the event is
        logged and skipped; a new message or an edit of its text or files among them is read
        again from Discord (`unread_message`), so the words are not lost."""
        if event == "READY":
            self.sessions += 1
        self.paced.began()  # READY, RESUMED, or an event a RESUME replays before it
        try:
            parse(with_poll_texts(data) if event in _MESSAGES else data)
        except Exception as error:
            log.warning("Discord sent a %s event that discord.py could not read (%s: %s); "
                        "skipped", event, type(error).__name__, str(error)[:200])
            if isinstance(data, dict) and (event == "MESSAGE_CREATE" or (
                    event == "MESSAGE_UPDATE" and not STORED.isdisjoint(data))):
                ids = [str(data.get(key)) for key in ("channel_id", "id")]
                if all(map(is_snowflake, ids)):
                    self.dispatch("unread_message", int(ids[0]), int(ids[1]))
            if event == "MESSAGE_DELETE_BULK" and isinstance(data, dict) and isinstance(
                    data.get("ids"), list):  # the deletions it can read still count
                kept = [each for each in data["ids"] if is_snowflake(each)]
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
        if event == "socket_raw_receive":  # the debug events: for the check, nothing else
            self.paced.received(args[0])
            return
        if event == "socket_raw_send":  # (an IDENTIFY holds the token: it goes nowhere)
            self.paced.sending()
            return
        if event == "disconnect":  # dispatched while discord.py handles why
            self.paced.ended(sys.exc_info()[1])
        if self._held is not None:
            self._held.append((event, args, kwargs))
            return
        self._hand_over(event, args, kwargs)

    def _hand_over(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if not isinstance(getattr(self, "loop", None), asyncio.AbstractEventLoop):
            # Closed before it ever logged in (a fatal close of the gateway's first answer,
            # while the handlers were being made): discord.py has no loop to run them on.
            return
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


_MESSAGES = ("MESSAGE_CREATE", "MESSAGE_UPDATE")
# The fields of a message its stored response is made of (events._text; a poll is never edited):
# an update carrying any of them edits the words.
STORED = frozenset({"content", "attachments"})


def with_poll_texts(data: Any) -> Any:
    """A message's payload whose poll media leave out `text` (Discord's API docs, Poll Media
    object: an answer may be an emoji alone) given an empty one: discord.py reads `text` as
    required, and drops the whole poll (Message.poll None) when it is missing, so its
    answers' lines were lost (helper-134). Any other payload is returned as it is."""
    poll = data.get("poll") if isinstance(data, dict) else None
    if not isinstance(poll, dict) or not isinstance(poll.get("answers"), list):
        return data
    answers = [{**a, "poll_media": _with_text(a.get("poll_media"))} if isinstance(a, dict)
               else a for a in poll["answers"]]
    filled = {**poll, "answers": answers}
    if "question" in poll:
        filled["question"] = _with_text(poll["question"])
    return data if filled == poll else {**data, "poll": filled}


def _with_text(media: Any) -> Any:
    return {"text": "", **media} if isinstance(media, dict) and "text" not in media else media


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
            connect(client, token, partial(opening.connections.report, PLATFORM)),
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
