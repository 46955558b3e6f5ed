"""Posting into Discord for the scheduler: a prompt is an embed with its own public thread.

The message carries the outbox row's key as its nonce (Discord drops a repeat within minutes)
and in its footer, where `find_post` looks for it in the channel's history after a crash
between sending and recording. How a post looks (render, forum, permissions) loads with the
first post: a bot that is only taking in responses never needs it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS, get_or_fetch, is_media
from seminarbot.scheduling.poster import PostedRef, PostError

if TYPE_CHECKING:
    from seminarbot.adapters.discord.render import Rename
    from seminarbot.core.replies import PromptPost
    from seminarbot.domain.models import Cohort

log = logging.getLogger(__name__)
NONCE_MAX = 25
HISTORY_SEARCHED = 100
# Discord's JSON error codes for a refusal: the bot cannot see the channel, or lacks a permission.
MISSING_ACCESS, MISSING_PERMISSIONS = 50001, 50013


def nonce_for(key: str) -> str:
    return key if len(key) <= NONCE_MAX else hashlib.sha256(key.encode()).hexdigest()[:NONCE_MAX]


def post_error(error: Exception, doing: str) -> PostError:
    """A failed Discord call as the scheduler sees it: retry only where waiting can help."""
    if isinstance(error, discord.Forbidden):
        what = {MISSING_ACCESS: "missing access to the channel",
                MISSING_PERMISSIONS: "missing permissions"}.get(error.code, "forbidden")
        return PostError(f"Discord refused to {doing}: {what} (error {error.code}: "
                         f"{error.text or 'Forbidden'}); check the bot's permissions in the "
                         "channel", retryable=False)
    if isinstance(error, discord.NotFound):
        return PostError(f"could not {doing}: the channel no longer exists (error "
                         f"{error.code})", retryable=False)
    if isinstance(error, discord.DiscordServerError):
        return PostError(f"could not {doing}: Discord answered {error.status}", retryable=True)
    if isinstance(error, discord.HTTPException):
        return PostError(f"could not {doing}: Discord answered {error.status} (error "
                         f"{error.code}: {error.text})", retryable=error.status == 429)
    return PostError(f"could not {doing}: {type(error).__name__}: {error}", retryable=True)


class DiscordPoster:
    platform = "discord"

    def __init__(self, client: discord.Client, rename: Rename = str,
                 read_thread: Callable[[str], None] = lambda thread_id: None) -> None:
        self.client = client
        self.rename = rename
        self.read_thread = read_thread  # bot.Handlers: queued behind the events before it
        # (channel, why) told to the moderators: a forum's posts untagged, a thread not started
        self._untagged: set[tuple[int, str]] = set()

    async def _channel(self, channel_id: str, doing: str) -> discord.abc.GuildChannel:
        try:
            channel = await get_or_fetch(self.client, int(channel_id))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, doing) from error
        if not isinstance(channel, discord.abc.GuildChannel):
            raise PostError(f"could not {doing}: {channel_id} is not a server channel",
                            retryable=False)
        return channel

    async def post_prompt(self, post: PromptPost) -> PostedRef:
        from seminarbot.adapters.discord import forum as forums
        from seminarbot.adapters.discord.permissions import missing_permissions
        from seminarbot.adapters.discord.render import NO_PINGS, prompt_embed, thread_name

        doing = "post the prompt"
        channel = await self._channel(post.channel_id, doing)
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel) \
                or is_media(channel):
            raise PostError(f"could not {doing}: #{channel.name} is not a text or forum "
                            "channel", retryable=False)
        me = channel.guild.me
        forum = isinstance(channel, discord.ForumChannel)
        missing = missing_permissions(channel.permissions_for(me), forum=forum) if me else []
        if missing:
            raise PostError(f"could not {doing} in #{channel.name}: the bot is missing "
                            f"{', '.join(missing)}", retryable=False)
        if isinstance(channel, discord.ForumChannel):
            try:
                posted, untagged = await forums.post(channel, post.session_number,
                                                     thread_name(post),
                                                     prompt_embed(post, self.rename))
            except (discord.HTTPException, *NETWORK_ERRORS) as error:
                raise post_error(error, doing) from error
            if untagged is not None and (channel.id, untagged.kind) not in self._untagged \
                    and await self._tell(channel, str(post.cohort_id),
                                         f"Session {post.session_number}'s posts go out "
                                         f"untagged: {untagged.why}."):
                self._untagged.add((channel.id, untagged.kind))  # once a run, for each reason
            return posted
        try:
            message = await channel.send(embed=prompt_embed(post, self.rename),
                                         nonce=nonce_for(post.idempotency_key),
                                         allowed_mentions=NO_PINGS)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, doing) from error
        return PostedRef(str(message.id),
                         await self._start_thread(message, thread_name(post), post))

    async def _start_thread(self, message: discord.Message, name: str,
                            post: PromptPost | None = None) -> str | None:
        """The message is out; a thread that cannot be started leaves replies to it working,
        and the moderators are told, once a run for each reason (helper-187's 8: a refusal of
        every thread was only logged)."""
        from seminarbot.adapters.discord.forum import ARCHIVE_AFTER_MINUTES

        try:
            thread = await message.create_thread(name=name,
                                                 auto_archive_duration=ARCHIVE_AFTER_MINUTES)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("prompt %s posted, but its thread could not be started: %s",
                        message.id, error)
            why = post_error(error, "start their threads").reason
            if post is not None and (message.channel.id, why) not in self._untagged \
                    and await self._tell(
                    message.channel, str(post.cohort_id),
                    f"Session {post.session_number}'s prompts are posted, but {why}; replies to "
                    "a prompt's post are recorded all the same."):
                self._untagged.add((message.channel.id, why))
            return None
        return str(thread.id)

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        from seminarbot.adapters.discord import forum as forums
        from seminarbot.adapters.discord.render import carries_key

        channel = await self._channel(channel_id, "look for an earlier post")
        me = self.client.user
        if isinstance(channel, discord.ForumChannel) and me is not None:
            try:
                return await forums.find(channel, me.id, idempotency_key)
            except (discord.HTTPException, *NETWORK_ERRORS) as error:
                raise post_error(error, "look for an earlier post") from error
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            async for message in channel.history(limit=HISTORY_SEARCHED):
                if me is None or message.author.id != me.id:
                    continue
                if any(carries_key(embed, idempotency_key) for embed in message.embeds):
                    thread = message.thread
                    if thread is not None:
                        return PostedRef(str(message.id), str(thread.id))
                    title = message.embeds[0].title or "prompt"
                    return PostedRef(str(message.id), await self._start_thread(message, title))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, "look for an earlier post") from error
        return None

    async def _thread(self, thread_id: str) -> discord.Thread:
        try:
            channel = await get_or_fetch(self.client, int(thread_id))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, "find the thread") from error
        if not isinstance(channel, discord.Thread):
            raise PostError(f"{thread_id} is not a thread", retryable=False)
        return channel

    def literal(self, text: str) -> str:
        from seminarbot.adapters.discord.render import literal

        return literal(text)

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        from seminarbot.adapters.discord.render import NO_PINGS, plain

        thread = await self._thread(thread_id)
        try:
            if thread.archived and not thread.locked:
                thread = await thread.edit(archived=False)
            sent = await thread.send(plain(self.rename(message)), allowed_mentions=NO_PINGS)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            raise post_error(error, "post in the thread") from error
        return PostedRef(str(sent.id), str(thread.id))

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        """In the seminar's channel; if the bot cannot post there (or it is a forum, which
        holds only posts), the server's system channel; failing both, the log (the audit log
        and /seminar schedule keep it either way)."""
        try:
            channel: object = await get_or_fetch(self.client, int(cohort.channel_id))
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("the channel of cohort %s cannot be read: %s", cohort.id, error)
            channel = None
        return await self._tell(channel, str(cohort.id), message)

    async def _tell(self, channel: object, cohort_id: str, message: str) -> bool:
        from seminarbot.adapters.discord.render import NO_PINGS, plain

        notice = self.rename(message)
        attempts: list[tuple[discord.abc.Messageable, str]] = []
        if isinstance(channel, discord.TextChannel):
            attempts.append((channel, f"**For the moderators:** {notice}"))
        if isinstance(channel, discord.TextChannel | discord.ForumChannel):
            system = channel.guild.system_channel
            if system is not None and system != channel:
                attempts.append((system, f"**For the moderators of {channel.mention}:** "
                                         f"{notice}"))
        for target, text in attempts:
            try:
                await target.send(plain(text), allowed_mentions=NO_PINGS)
                return True
            except (discord.HTTPException, *NETWORK_ERRORS) as error:
                log.warning("could not tell moderators in %s: %s", target, error)
        log.error("the moderators of cohort %s could not be told: %s", cohort_id, message)
        return False

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        self.read_thread(thread_id)
