"""The discord.py client: events in, the poster attached when ready, nothing doubled on reconnect.

The scheduler loop is the runner's; this client only attaches its poster, and attaching the same
poster again after a reconnect changes nothing. Each READY and RESUMED queues a catch-up on
prompt threads (after READY, which replays nothing, one that also follows edits and deletions);
message events, and the deletion of a thread, queue behind it and are handled in the order they
came.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import discord

from seminarbot.adapters.discord import backfill, events
from seminarbot.adapters.discord.calendar import DiscordCalendar
from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.endpoints import quiet_voice, use_endpoints
from seminarbot.adapters.discord.events import PLATFORM
from seminarbot.adapters.discord.interactions import InteractionHandler
from seminarbot.adapters.discord.poster import DiscordPoster
from seminarbot.adapters.discord.render import NO_PINGS
from seminarbot.adapters.discord.slash import SlashCommands
from seminarbot.adapters.discord.trace import server_errors_logged
from seminarbot.config.settings import SettingRefused
from seminarbot.domain.backoff import Backoff
from seminarbot.services.connections import CONNECTED, RETRYING
from seminarbot.services.container import Services
from seminarbot.services.ordered import InOrder, StallWatch
from seminarbot.services.outage import tell_moderators
from seminarbot.services.responses import record_message

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0  # seconds for commands in flight to finish when the bot stops
# Between two tries of an unreachable Discord at start-up (README: Running on Discord).
RETRY_LIMIT = 300.0
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


def intents() -> discord.Intents:
    """Servers and their channels, messages, and (privileged) message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class SeminarClient(discord.Client):
    def __init__(self, app: Services, *, guild_ready_timeout: float = 2.0,
                 reidentify_delay: float = 5.0) -> None:
        quiet_voice()
        # No message cache: discord.py would update a cached message in place when its edit
        # arrives, before the handler of its creation has read it.
        super().__init__(intents=intents(), allowed_mentions=NO_PINGS, max_messages=None,
                         guild_ready_timeout=guild_ready_timeout,
                         http_trace=server_errors_logged())
        self.app = app
        self.reidentify_delay = reidentify_delay
        self.commands = SlashCommands(app.registry)
        self.poster = DiscordPoster(self, self.commands.rename)
        self.calendar = DiscordCalendar(self)
        self.interactions = InteractionHandler(app, self.commands)
        self.readies = 0
        self.catch_ups = 0
        self.backfilled = 0
        watch = StallWatch(stalled=partial(tell_moderators, app, PLATFORM),
                           recovered=partial(tell_moderators, app, PLATFORM))
        self.inbound = InOrder("discord-inbound", watch=watch)
        self.closing = False

    async def login(self, token: str) -> None:
        use_endpoints(self.app.settings.discord)
        await super().login(token)

    async def setup_hook(self) -> None:
        self.inbound.start()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows one IDENTIFY per five seconds; the tests' fake has no such limit.
        if not initial:
            await asyncio.sleep(self.reidentify_delay)

    async def close(self) -> None:
        """Stop taking commands, let those in flight and the events queued finish (within
        SHUTDOWN_GRACE seconds in all), then close the gateway. What did not finish was
        not saved, and the catch-up of the next start reads it back."""
        self.closing = True
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE
        await self.interactions.drain(SHUTDOWN_GRACE)
        await self.inbound.stop(max(0.0, deadline - asyncio.get_running_loop().time()))
        await super().close()

    async def on_ready(self) -> None:
        self.app.connections.report(PLATFORM, CONNECTED)
        self.readies += 1
        log.info("connected to Discord as %s (ready #%d)", self.user, self.readies)
        self.app.calendars[PLATFORM] = self.calendar
        self.app.scheduler.attach(self.poster)
        self.inbound.put(partial(self._catch_up, reconcile=True))

    async def on_resumed(self) -> None:
        self.app.connections.report(PLATFORM, CONNECTED)
        self.inbound.put(partial(self._catch_up, reconcile=False))

    async def on_disconnect(self) -> None:
        self.app.connections.report(PLATFORM, RETRYING, "the gateway connection dropped")

    async def _catch_up(self, *, reconcile: bool) -> None:
        self.backfilled += await backfill.catch_up(self.app, self, reconcile=reconcile)
        self.catch_ups += 1

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if not self.closing:
            await self.interactions.handle(interaction)

    # Message events are stored in the order they arrived; new messages next to each other
    # share a commit (see seminarbot.services.ordered).

    async def on_message(self, message: discord.Message) -> None:
        found = events.inbound(message)
        if found is not None:
            self.inbound.put(partial(record_message, self.app, found), joins=True)

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        edit = events.edit_of(event)
        if edit is not None:
            self.inbound.put(partial(events.on_edit, self.app, edit))

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, {event.message_id}))

    async def on_raw_bulk_message_delete(self, event: discord.RawBulkMessageDeleteEvent) -> None:
        self.inbound.put(partial(events.on_delete, self.app, event.message_ids))

    async def on_raw_thread_delete(self, event: discord.RawThreadDeleteEvent) -> None:
        self.inbound.put(partial(events.on_thread_delete, self.app, event.thread_id))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.inbound.put(partial(events.on_channel_delete, self.app, channel.id))

    async def on_raw_thread_update(self, event: discord.RawThreadUpdateEvent) -> None:
        await events.on_thread_update(self.app, self, event)


async def run(app: Services) -> None:
    """Connect and serve until cancelled (`seminarbot run`). An unreachable Discord is tried
    again and again (capped backoff, a log line each time); a refused token or intent raises
    SettingRefused, which no retry can mend."""
    token = app.settings.discord.token
    if not token:
        raise SettingRefused("discord.token (DISCORD_TOKEN) is not set")
    async with SeminarClient(app) as client:
        await _log_in(client, token)
        try:
            await client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise SettingRefused(INTENT_REFUSED) from None
        except discord.ConnectionClosed as closed:
            if closed.code in FATAL_CLOSES:
                raise SettingRefused(FATAL_CLOSES[closed.code]) from None
            raise


async def _log_in(client: SeminarClient, token: str) -> None:
    backoff = Backoff(limit=RETRY_LIMIT)
    while True:
        try:
            await client.login(token)
            return
        except discord.LoginFailure:
            raise SettingRefused(TOKEN_REFUSED) from None
        except (discord.DiscordServerError, *NETWORK_ERRORS) as error:
            # Closing the session closes its connector too: let static_login make new ones.
            await client.http.close()
            client.http.connector = discord.utils.MISSING
            delay = backoff.next_delay()
            problem = str(error) or type(error).__name__
            client.app.connections.report(PLATFORM, RETRYING, problem)
            log.warning("discord: cannot reach Discord (%s); trying again in %g s",
                        problem, delay)
            await asyncio.sleep(delay)
