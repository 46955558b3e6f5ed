"""Slash commands and autocomplete: an interaction becomes a dispatch, a Reply its reply.

A reply that is not ready within DEFER_AFTER seconds is deferred first (Discord allows three
seconds for the first answer) and sent as an edit of the deferred one. An interaction already
that old when it comes (a gateway's replay after a resume) is deferred before it runs: if
Discord no longer takes an answer, it has told the person the application did not respond,
and the command is not run.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

import discord

from seminarbot.adapters.discord import setup
from seminarbot.adapters.discord.channels import seminar_channel_id
from seminarbot.adapters.discord.formatting import as_shown, resolved_people
from seminarbot.adapters.discord.permissions import is_moderator
from seminarbot.adapters.discord.render import (
    NO_PINGS,
    Page,
    render_reply,
    within_upload_limit,
)
from seminarbot.adapters.discord.slash import CHANNEL_OPTION, SlashCommands, UnknownInteraction
from seminarbot.core.commands import Command, Permission, Suggestion
from seminarbot.core.completion import complete
from seminarbot.core.dispatch import run
from seminarbot.core.invocation import Actor, Place
from seminarbot.core.params import Words
from seminarbot.core.replies import Reply, Tone, text
from seminarbot.services.container import Services

log = logging.getLogger(__name__)
PLATFORM = "discord"
DEFER_AFTER = 2.0
# Discord's errors for an interaction that takes no first answer (any more): Unknown
# interaction, and already acknowledged (docs: Interactions, Receiving and Responding).
NO_ANSWER_TAKEN = (10062, 40060)
SEEN = 1_000  # interactions remembered, so that one delivered twice runs once


def actor_of(interaction: discord.Interaction, moderator_role: str | None) -> Actor:
    user = interaction.user
    roles = list(user.roles) if isinstance(user, discord.Member) else []
    return Actor(PLATFORM, str(user.id), user.display_name,
                 is_moderator=is_moderator(interaction.permissions, roles, moderator_role))


def place_of(interaction: discord.Interaction, channel: object | None = None) -> Place:
    """A command typed inside a prompt's thread (or forum post) belongs to the thread's
    channel; one that names a channel (setup's `channel` option), to that channel."""
    if channel is None:
        channel = interaction.channel
    channel_id = seminar_channel_id(channel) or interaction.channel_id or 0
    parent = channel.parent if isinstance(channel, discord.Thread) else channel
    guild = interaction.guild
    return Place(PLATFORM, str(interaction.guild_id), str(channel_id),
                 community_name=guild.name if guild else "",
                 channel_name=getattr(parent, "name", "") or "")


class InteractionHandler:
    def __init__(self, app: Services, commands: SlashCommands) -> None:
        self.app = app
        self.commands = commands
        self.defer_after = DEFER_AFTER
        self._running: set[asyncio.Task[Reply]] = set()  # the commands' own work
        self._handling: set[asyncio.Task[Any]] = set()  # each interaction, answer included
        self._seen: dict[int, None] = {}  # the latest SEEN interactions' ids, oldest first

    async def handle(self, interaction: discord.Interaction) -> None:
        """In discord.py's task for the event: tracked, so that a stop waits for the answer
        to reach Discord, not only for the command's work."""
        me = asyncio.current_task()
        if me is not None:
            self._handling.add(me)
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction)
            elif interaction.type is discord.InteractionType.application_command \
                    and self._first_time(interaction.id):
                await self._command(interaction)
        except discord.HTTPException as error:
            if error.code not in NO_ANSWER_TAKEN and error.status < 500:
                raise
            log.warning("an answer to interaction %s did not reach Discord: %s",
                        interaction.id, error.text or error.status)
        finally:
            self._handling.discard(me)

    def _first_time(self, interaction_id: int) -> bool:
        """False for an interaction the gateway delivered again (helper-178's 2: a skip
        delivered twice skipped two weeks); one replayed after a restart is late, and Discord
        refuses its answer (_deferred)."""
        if interaction_id in self._seen:
            log.warning("interaction %s delivered again: not run twice", interaction_id)
            return False
        self._seen[interaction_id] = None
        if len(self._seen) > SEEN:
            del self._seen[next(iter(self._seen))]
        return True

    async def drain(self, grace: float) -> None:
        """Let the interactions in flight finish, their answers sent (each command is one
        transaction), for up to `grace` seconds; then cancel the rest, quietly (discord.py
        logs nothing for a cancelled event)."""
        waiting = self._handling | self._running
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _autocomplete(self, interaction: discord.Interaction) -> None:
        suggestions: list[Suggestion] | None = []
        try:
            invoked = self.commands.read(interaction.data or {})
            if invoked.focused is not None and interaction.guild_id is not None:
                name, typed = invoked.focused
                actor = actor_of(interaction, self.app.settings.discord.moderator_role)
                suggestions = await complete(self.app, invoked.command, name, typed, actor,
                                             place_of(interaction))
        except (UnknownInteraction, KeyError):
            suggestions = []
        if suggestions is None:  # over the person's allowance: no reply at all
            return
        choices = [discord.app_commands.Choice(name=(s.label or s.value)[:100], value=s.value[:100])
                   for s in suggestions]
        await interaction.response.autocomplete(choices)

    async def _command(self, interaction: discord.Interaction) -> None:
        try:
            invoked = self.commands.read(interaction.data or {})
        except UnknownInteraction as error:
            await self._reply(interaction, text(
                f"This server knows {error}, but this bot does not: its commands need syncing "
                "(`seminarbot discord sync`).", tone=Tone.ERROR, private=True))
            return
        if interaction.guild_id is None:
            await self._reply(interaction, text("Seminar commands work in a server's channels.",
                                                tone=Tone.ERROR, private=True))
            return
        command = invoked.command
        raw = dict(invoked.raw)
        for param in command.params:  # people on Discord name commands the Discord way
            if param.names_command and raw.get(param.name):
                raw[param.name] = self.commands.core_name(raw[param.name] or "")
            elif isinstance(param.type, Words) and raw.get(param.name):  # as in a thread
                raw[param.name] = as_shown(raw[param.name] or "",
                                           resolved_people(interaction.data or {}),
                                           interaction.guild)
        # Discord counts its three seconds from the interaction's creation (its id's time),
        # so the wait before deferring does too.
        late = (self.app.clock.now() - interaction.created_at).total_seconds()
        if late >= self.defer_after and not await self._deferred(interaction, command, late):
            return
        task = asyncio.create_task(self._run(interaction, command, raw))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        try:
            if not interaction.response.is_done():
                done, _ = await asyncio.wait({task}, timeout=self.defer_after - max(late, 0.0))
                if task in done:
                    if not task.result().silent:  # a flood's repeated refusals go unanswered
                        await self._reply(interaction, task.result())
                    return
                await interaction.response.defer(ephemeral=command.private, thinking=True)
            await self._follow_deferred(interaction, command, await task)
        except discord.HTTPException as error:
            if error.code in NO_ANSWER_TAKEN or error.status >= 500:  # never shown
                await self._done_unanswered(interaction, command, task)
            raise

    async def _done_unanswered(self, interaction: discord.Interaction, command: Command,
                               task: asyncio.Task[Reply]) -> None:
        """A moderator's command done (once it finishes), though its answer never reached
        Discord, which showed it as failed: the seminar's moderators are told, so that it is
        not done twice (helper-176's 2). Not for one refused or failed (helper-178's 1)."""
        from seminarbot.adapters.discord.render import literal, showing_typed
        from seminarbot.domain.display import embedded
        from seminarbot.scheduling.messages import fitted
        from seminarbot.scheduling.poster import tell_moderators

        if command.permission is not Permission.MODERATOR:
            return
        try:
            reply = await asyncio.shield(task)
        except asyncio.CancelledError:
            return
        if reply.tone is Tone.ERROR or reply.silent:
            return
        place = place_of(interaction)
        cohort = await self.app.cohorts.find(PLATFORM, place.community_id, place.channel_id)
        if cohort is None:
            return
        said = next((line for line in (reply.title, *reply.paragraphs) if line), "")
        who = embedded(literal(interaction.user.display_name))
        await tell_moderators(self.app.posters, cohort, fitted(
            f"/{command.name} by {who} was done, though Discord showed it as failed (its "
            f"answer did not reach Discord): {showing_typed(lambda text: text)(said)}"))

    async def _deferred(self, interaction: discord.Interaction, command: Command,
                        late: float) -> bool:
        """Deferred before it runs; False if Discord takes no answer to it any more, so that a
        command the person was told had failed changes nothing (helper-172's 1)."""
        try:
            await interaction.response.defer(ephemeral=command.private, thinking=True)
        except discord.HTTPException as error:
            if error.code not in NO_ANSWER_TAKEN:
                raise
            log.warning("%s (interaction %s) not run: it came %.1f s late, and Discord takes "
                        "no answer to it any more (%s)", self.commands.rename("/" + command.name),
                        interaction.id, late, error.text or error.code)
            return False
        return True

    async def _run(self, interaction: discord.Interaction, command: Command,
                   raw: dict[str, str | None]) -> Reply:
        """Dispatch the command; one that sets a seminar up goes to the channel it names, is
        checked there first and says afterwards what else the moderator should know."""
        channel = await setup.target_channel(interaction, raw.pop(CHANNEL_OPTION, None)) \
            if command.sets_up_channel else None
        reply = await run(
            self.app, command, raw, actor_of(interaction, self.app.settings.discord.moderator_role),
            place_of(interaction, channel), prefix="/", source_id=str(interaction.id),
            guard=partial(self._check_channel, interaction, channel),
            sent_at=interaction.created_at)
        if not command.sets_up_channel or interaction.guild is None \
                or interaction.guild.me is None:
            return reply
        return await setup.with_notes(reply, channel, self._sessions(),
                                      interaction.guild.me.guild_permissions)

    def _sessions(self) -> list[int]:
        return [session.number for session in self.app.syllabus.plan.sessions]

    async def _check_channel(self, interaction: discord.Interaction, channel: object | None,
                             command: Command, actor: Actor, place: Place) -> None:
        """Before a command sets the seminar up: the channel, and the bot's permissions there."""
        if command.sets_up_channel:
            setup.check(interaction, channel, command, self.commands.rename("/" + command.name),
                        self._sessions())

    def _pages(self, interaction: discord.Interaction, reply: Reply) -> list[Page]:
        fitting = within_upload_limit(reply, interaction.filesize_limit)
        return render_reply(fitting, self.commands.rename)

    async def _reply(self, interaction: discord.Interaction, reply: Reply) -> None:
        pages = self._pages(interaction, reply)
        first = pages[0]
        await interaction.response.send_message(embed=first.embed, files=first.files,
                                                ephemeral=reply.private,
                                                allowed_mentions=NO_PINGS)
        await self._more(interaction, pages[1:], reply.private)

    async def _follow_deferred(self, interaction: discord.Interaction, command: Command,
                               reply: Reply) -> None:
        pages = self._pages(interaction, reply)
        if reply.private and not command.private:
            # Deferred in public, but the answer is for the caller only (an error, say).
            await interaction.delete_original_response()
            await self._more(interaction, pages, True)
            return
        first = pages[0]
        await interaction.edit_original_response(embed=first.embed, attachments=first.files,
                                                 allowed_mentions=NO_PINGS)
        await self._more(interaction, pages[1:], reply.private or command.private)

    async def _more(self, interaction: discord.Interaction, pages: list[Page],
                    private: bool) -> None:
        for page in pages:
            await interaction.followup.send(embed=page.embed, files=page.files,
                                            ephemeral=private, allowed_mentions=NO_PINGS)
