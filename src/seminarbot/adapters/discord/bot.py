"""What the Discord client's events do (client.py connects): events in, the poster attached when
ready, nothing doubled on reconnect.

The scheduler loop is the runner's; the handlers only attach their poster, and attaching the same
poster again after a reconnect changes nothing. Each READY and RESUMED queues a catch-up on
prompt threads (after READY, which replays nothing, one that also follows edits and deletions);
the events after it are handled in the order they came, each queued as discord.py parses it
(`Handlers.queued`). They wait for the catch-up, except that new messages pass the one after
READY, which reads every prompt thread from its start.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import discord

from seminarbot.adapters.discord import backfill, events, payloads
from seminarbot.adapters.discord.calendar import DiscordCalendar
from seminarbot.adapters.discord.client import PLATFORM, SeminarClient
from seminarbot.adapters.discord.poster import DiscordPoster
from seminarbot.services.connections import CONNECTED, RETRYING
from seminarbot.services.container import Services
from seminarbot.services.ordered import InOrder
from seminarbot.services.outage import watch
from seminarbot.services.responses import InboundMessage, record_messages

if TYPE_CHECKING:
    from seminarbot.adapters.discord.interactions import InteractionHandler
    from seminarbot.adapters.discord.slash import SlashCommands

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0  # seconds for commands in flight to finish when the bot stops
REREAD_TRIES, REREAD_LIMIT = 10, 60.0  # a message read again (_reread): tries, longest wait


class Handlers:
    """What the client's events do, once the services are open (client.SeminarClient.bind)."""

    def __init__(self, app: Services, client: SeminarClient) -> None:
        self.app = app
        self.client = client
        self.poster = DiscordPoster(client, self._rename, self._read_thread)
        self.calendar = DiscordCalendar(client)
        self.readies = 0
        self.catch_ups = 0
        self.backfilled = 0
        self.inbound: InOrder[InboundMessage] = InOrder(
            "discord-inbound", partial(record_messages, app), watch=watch(app, PLATFORM))
        self.closing = False

    # The commands' machinery (and the features declaring them) loads with the first
    # interaction or post that needs it: a bot that only takes in responses never loads it.
    @cached_property
    def commands(self) -> SlashCommands:
        from seminarbot.adapters.discord.slash import SlashCommands

        return SlashCommands(self.app.registry)

    @cached_property
    def interactions(self) -> InteractionHandler:
        from seminarbot.adapters.discord.interactions import InteractionHandler

        return InteractionHandler(self.app, self.commands)

    def _rename(self, text: str) -> str:
        """A post's text with commands named the Discord way (slash.SlashCommands.rename).
        Only a text with a slash can name one: the others leave the tables unbuilt."""
        return self.commands.rename(text) if "/" in text else text

    def start(self) -> None:
        self.inbound.start()

    async def finish(self) -> None:
        """Stop taking commands, let those in flight and the events queued finish (within
        SHUTDOWN_GRACE seconds in all)."""
        self.closing = True
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE
        if "interactions" in self.__dict__:  # none ever came otherwise
            await self.interactions.drain(SHUTDOWN_GRACE)
        await self.inbound.stop(max(0.0, deadline - asyncio.get_running_loop().time()))

    def queued(self, event: str, args: tuple[Any, ...]) -> None:
        """What a gateway event queues, done at once as discord.py parses the event
        (SeminarClient.dispatch), so the queue holds events in the order Discord sent them: a
        READY's or RESUMED's catch-up comes before every message after it, and a message before
        its edit. discord.py would run each `on_*` handler as a task of its own: a burst's
        messages waited as tasks, each holding its discord.Message, at twice the CPU
        (benchmarks/discord_bench.py). Whatever goes wrong stops here, as discord.py's
        `on_error` stops a handler's error, and never reaches the gateway's loop."""
        try:
            self._queue(event, *args)
        except Exception:
            log.exception("a Discord %s event could not be taken in", event)

    def _queue(self, event: str, *args: Any) -> None:
        if event == "message":
            found = events.inbound(args[0])
            if found is not None:
                self.inbound.join(found)
        elif event in ("ready", "resumed"):
            self._connected(resumed=event == "resumed")
        elif event == "raw_message_edit":
            try:
                edit = events.edit_of(args[0])
            except events.UNREADABLE as error:  # a field left out that discord.py's Message reads
                log.warning("an edit of message %s could not be read (%s: %s); reading the "
                            "message again", args[0].message_id, type(error).__name__, error)
                edit = None
                self._reread(args[0].channel_id, args[0].message_id)
            if edit is not None:
                self.inbound.put(partial(events.on_edit, self.app, edit))
            elif events.to_read_again(args[0]):
                self._reread(args[0].channel_id, args[0].message_id)
        elif event == "unread_message":  # client.SeminarClient._parse
            self._reread(*args)
        elif event == "raw_message_delete":
            self.inbound.put(partial(events.on_delete, self.app, {args[0].message_id}))
        elif event == "raw_bulk_message_delete":
            self.inbound.put(partial(events.on_delete, self.app, args[0].message_ids))
        elif event == "raw_thread_delete":
            self.inbound.put(partial(events.on_thread_delete, self.app, args[0].thread_id))
        elif event == "guild_channel_delete":
            self.inbound.put(partial(events.on_channel_delete, self.app, args[0].id))
        elif event == "guild_remove":  # GUILD_DELETE without `unavailable`: not an outage
            self.inbound.put(partial(events.on_guild_remove, self.app, args[0].id))

    def _reread(self, channel_id: int, message_id: int, tries: int = 0) -> None:
        """Queue a read of the message from Discord; one that Discord or the network stops is
        queued again after 1, 2, 4 … up to REREAD_LIMIT seconds (helper-172's 2: a partial
        MESSAGE_UPDATE's edit was lost to one 503), meanwhile the queue goes on. After
        REREAD_TRIES, the next catch-up after a new gateway session reads it with its thread."""
        if self.closing:
            return

        async def read() -> None:
            if await payloads.reread(self.app, self.client, channel_id, message_id):
                return
            if tries + 1 >= REREAD_TRIES:
                log.warning("could not read message %s again from Discord after %d tries; a "
                            "new gateway session's catch-up reads it", message_id, tries + 1)
                return
            delay = min(REREAD_LIMIT, 2.0 ** tries)
            log.warning("could not read message %s again from Discord; trying again in %g s",
                        message_id, delay)
            asyncio.get_running_loop().call_later(delay, self._reread, channel_id, message_id,
                                                  tries + 1)
        self.inbound.put(read)

    def _connected(self, *, resumed: bool) -> None:
        """READY (a new gateway session: the catch-up also follows edits and deletions) or
        RESUMED (Discord replays what was missed)."""
        self.app.connections.report(PLATFORM, CONNECTED)
        if not resumed:
            self.readies += 1
            log.info("connected to Discord as %s (ready #%d)", self.client.user, self.readies)
            self.app.calendars[PLATFORM] = self.calendar
            self.app.scheduler.attach(self.poster)
        # After RESUMED the catch-up reads on from the last message recorded: what came after
        # waits for it. After READY it reads every prompt thread from its start, and a new
        # message stored meanwhile is recognised as stored: new messages pass it.
        self.inbound.put(partial(self._catch_up, reconcile=not resumed), joins_pass=not resumed)

    async def on_disconnect(self) -> None:
        self.app.connections.report(PLATFORM, RETRYING, "the gateway connection dropped")

    async def _catch_up(self, *, reconcile: bool) -> None:
        if reconcile:  # READY: the servers the bot is in now, one left meanwhile not among them
            await events.on_servers_known(self.app, self.client)
        self.backfilled += await backfill.catch_up(self.app, self.client, reconcile=reconcile)
        self.catch_ups += 1

    def _read_thread(self, thread_id: str) -> None:
        """A prompt post just recorded, or found after a crash: its thread read from its start
        as after READY, and the replies to it in its channel (new messages pass it, and are
        recognised when it meets them: DiscordPoster.read_back)."""
        self.inbound.put(partial(self._read_one, thread_id), joins_pass=True)

    async def _read_one(self, thread_id: str) -> None:
        self.backfilled += await backfill.catch_up(self.app, self.client, reconcile=True,
                                                   only=thread_id)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if not self.closing:
            await self.interactions.handle(interaction)

    async def on_raw_thread_update(self, event: discord.RawThreadUpdateEvent) -> None:
        await events.on_thread_update(self.app, self.client, event)



def bound_client(app: Services, **options: float) -> SeminarClient:
    """A client whose handlers are bound at once (the services being open already), as the
    tests connect one; `options` as SeminarClient's."""
    client = SeminarClient(app.settings.discord, **options)
    client.bind(Handlers(app, client))
    return client
