"""A loopback fake of Discord for the real discord.py client: REST and gateway on 127.0.0.1,
plus what a test needs to act as the people in the server."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.discord_fake.gateway import Gateway
from tests.discord_fake.rest import API, Call, InteractionLog, Rest
from tests.discord_fake.state import PUBLIC_THREAD, REPLY, Json, World, iso

APPLICATION_COMMAND, AUTOCOMPLETE = 2, 4
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, CHANNEL = 1, 2, 3, 4, 5, 7
WAIT = 5.0  # seconds: the longest any single wait for the bot may take before the test fails


class FakeDiscord:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.token = "fake." + secrets.token_hex(8)
        self.problems: list[str] = []
        self.world = World(now)
        self.gateway = Gateway(self.world, self.token, self.problems)
        self.rest = Rest(self.world, self.gateway, self.token, self.problems)
        self._runner: web.AppRunner | None = None
        self.base = ""

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1, on `port` (a free one when 0): a test can stop the fake and
        bring it back where the bot keeps looking."""
        app = web.Application()
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        self.gateway.url = f"ws://{host}:{port}/gateway"

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return self.base + API

    @property
    def gateway_url(self) -> str:
        return self.gateway.url

    @property
    def calls(self) -> list[Call]:
        return self.rest.calls

    def requests(self, method: str, path_start: str) -> list[Call]:
        return [c for c in self.rest.calls if c.method == method and c.path.startswith(path_start)]

    # -- people acting in the server ----------------------------------------------------------

    def person(self, name: str) -> Json:
        return self.world.people[name].user

    async def say(self, who: str, channel_id: int, text: str, *,
                  reply_to: int | None = None) -> Json:
        thread = self.world.channels[channel_id]
        if thread["type"] == PUBLIC_THREAD and thread["thread_metadata"]["archived"]:
            # A message in an archived, unlocked thread unarchives it (Discord's Threads docs).
            thread["thread_metadata"]["archived"] = False
            await self.gateway.dispatch("THREAD_UPDATE", thread)
        person = self.world.people[who]
        message = self.world.message(channel_id, person.user, text,
                                     kind=REPLY if reply_to else 0, reference=reply_to)
        guild_id = int(message["guild_id"])
        await self.gateway.dispatch("MESSAGE_CREATE", {
            **message, "member": self._partial_member(who, guild_id),
            **self.world.mentions_in(text, guild_id, members=True)})
        return message

    async def edit(self, message_id: int, text: str) -> None:
        """MESSAGE_UPDATE as Discord sends it now: the whole message, with the same extra
        fields as MESSAGE_CREATE (the author's `member`)."""
        message = self.world.messages[message_id]
        message["content"] = text
        message["edited_timestamp"] = iso(self.world.now())
        message.update(self.world.mentions_in(text, int(message["guild_id"])))
        extra = self.world.mentions_in(text, int(message["guild_id"]), members=True)
        for name, person in self.world.people.items():
            if person.user["id"] == message["author"]["id"]:
                extra["member"] = self._partial_member(name, int(message["guild_id"]))
        await self.gateway.dispatch("MESSAGE_UPDATE", {**message, **extra})

    async def partial_update(self, message_id: int, **fields: Any) -> None:
        """MESSAGE_UPDATE with only the message's ids and `fields` (an embed unfurled, or an
        older client's edit of the text), which Discord's Gateway Events docs allowed: "may
        contain only a subset of the full message object payload"."""
        message = self.world.messages[message_id]
        message.update(fields)
        if "content" in fields:  # what it mentions is Discord's to find again
            message.update(self.world.mentions_in(fields["content"], int(message["guild_id"])))
        await self.gateway.dispatch("MESSAGE_UPDATE", {
            "id": message["id"], "channel_id": message["channel_id"],
            "guild_id": message["guild_id"], **fields})

    async def delete(self, message_id: int) -> None:
        message = self.world.messages.pop(message_id)
        await self.gateway.dispatch("MESSAGE_DELETE", {
            "id": message["id"], "channel_id": message["channel_id"],
            "guild_id": message["guild_id"]})

    async def delete_thread(self, thread_id: int) -> None:
        """A moderator deleting a thread (DELETE /channels/{id} in their client): the thread and
        every message in it are gone, with no MESSAGE_DELETE for them; THREAD_DELETE carries
        only the thread's id, guild_id, parent_id and type (Discord's Gateway Events docs)."""
        thread = self.world.channels.pop(thread_id)
        for message_id in [m for m, message in self.world.messages.items()
                           if int(message["channel_id"]) == thread_id]:
            del self.world.messages[message_id]
        starter = self.world.messages.get(thread_id)
        if starter is not None:
            starter.pop("thread", None)
        await self.gateway.dispatch("THREAD_DELETE", {
            "id": thread["id"], "guild_id": thread["guild_id"], "parent_id": thread["parent_id"],
            "type": thread["type"]})

    async def delete_channel(self, channel_id: int) -> None:
        """A channel deleted in the server's settings: its threads and every message in them
        are gone. CHANNEL_DELETE carries the channel object; no event comes for its threads or
        messages."""
        channel = self.world.channels.pop(channel_id)
        threads = {c for c, data in self.world.channels.items()
                   if data.get("parent_id") == str(channel_id)}
        for thread in threads:
            del self.world.channels[thread]
        for message_id in [m for m, message in self.world.messages.items()
                           if int(message["channel_id"]) in threads | {channel_id}]:
            del self.world.messages[message_id]
        await self.gateway.dispatch("CHANNEL_DELETE", channel)

    async def remove_bot(self, guild_id: int, *, told: bool = True) -> None:
        """The bot kicked from a server, banned, or the server deleted: GUILD_DELETE with the
        guild's id and no `unavailable` (Gateway docs, Guild Delete: unset, the user was
        removed; true, an outage); not `told` while the bot is away. READY lists it no more."""
        del self.world.guilds[guild_id]
        if told:
            await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    async def update_channel(self, channel_id: int, **changes: Any) -> None:
        """A moderator changing a channel's settings (a forum's flags, say): CHANNEL_UPDATE."""
        channel = self.world.channels[channel_id]
        channel.update(changes)
        await self.gateway.dispatch("CHANNEL_UPDATE", channel)

    async def update_guild(self, guild_id: int) -> None:
        """A server's settings changed (its system channel, say): GUILD_UPDATE, a guild
        object without what only GUILD_CREATE carries (Gateway docs, Guild Create)."""
        created_only = {"joined_at", "large", "unavailable", "member_count", "voice_states",
                        "members", "channels", "threads", "presences", "stage_instances",
                        "guild_scheduled_events", "soundboard_sounds"}
        guild = self.world.guild(guild_id)
        await self.gateway.dispatch("GUILD_UPDATE", {k: v for k, v in guild.items()
                                                     if k not in created_only})

    def delete_event(self, event_id: int) -> None:
        """A moderator deleting a scheduled event by hand in their client. The bot asks for
        no Guild Scheduled Events intent, so Discord tells it nothing."""
        del self.world.events[event_id]

    async def archive(self, thread_id: int) -> None:
        """Discord archiving a thread after its inactivity period."""
        thread = self.world.channels[thread_id]
        thread["thread_metadata"]["archived"] = True
        await self.gateway.dispatch("THREAD_UPDATE", thread)

    def threads(self, parent: int | None = None) -> list[Json]:
        """Every thread (and forum post), or those of one channel or forum, oldest first."""
        return [c for c in self.world.channels.values() if c["type"] == PUBLIC_THREAD
                and (parent is None or c["parent_id"] == str(parent))]

    def messages_in(self, channel_id: int) -> list[Json]:
        return sorted((m for m in self.world.messages.values()
                       if int(m["channel_id"]) == channel_id), key=lambda m: int(m["id"]))

    def _partial_member(self, who: str, guild_id: int) -> Json:
        member = self.world.member(self.world.people[who], guild_id)
        member.pop("user")
        member.pop("permissions")
        return member

    # -- slash commands -----------------------------------------------------------------------

    def _registered(self, name: str, guild_id: int) -> Json:
        for scope in (str(guild_id), "global"):
            for command in self.rest.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was never synced, so Discord would not offer it")

    def _command_data(self, words: str, options: dict[str, Any], focused: str | None,
                      guild_id: int) -> Json:
        names = words.split()
        registered = self._registered(names[0], guild_id)
        node: Json = registered
        path: list[Json] = []
        for word in names[1:]:
            node = next((o for o in node.get("options", []) if o["name"] == word), {})
            if node.get("type") not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise AssertionError(f"/{words}: no subcommand {word!r} was synced")
            path.append(node)
        known = {o["name"]: o for o in node.get("options", [])}
        leaves = []
        resolved: Json = {}
        for name, value in options.items():
            if name not in known:
                raise AssertionError(f"/{words} has no option {name!r} in the synced payload")
            kind = known[name]["type"]
            typed = {INTEGER: int, BOOLEAN: bool}.get(kind, str)(value)
            if kind == CHANNEL:
                found = self._resolved_channel(int(typed), known[name].get("channel_types"))
                if found is not None:
                    resolved.setdefault("channels", {})[typed] = found
            leaf: Json = {"name": name, "type": kind, "value": typed}
            if name == focused:
                leaf["focused"] = True
            leaves.append(leaf)
        for sub in reversed(path):
            leaves = [{"name": sub["name"], "type": sub["type"], "options": leaves}]
        data = {"id": registered["id"], "name": registered["name"], "type": 1,
                "guild_id": str(guild_id), "options": leaves}
        return {**data, "resolved": resolved} if resolved else data

    def _resolved_channel(self, channel_id: int, types: list[int] | None) -> Json | None:
        """A channel option as Discord resolves it; Discord offers only the synced types. An
        id no channel has (typed by hand, or deleted meanwhile) resolves to nothing: asked for
        it, the REST API answers 404 Unknown Channel (10003)."""
        channel = self.world.channels.get(channel_id)
        if channel is None:
            return None
        if types is not None and channel["type"] not in types:
            raise AssertionError(f"Discord offers no #{channel['name']} for this option")
        return {key: channel[key] for key in ("id", "name", "type", "parent_id")
                } | {"permissions": "0"}

    def _channel_for(self, who: str, in_channel: int | None) -> Json:
        """Where `who` types: the given channel, else their own server's seminar channel."""
        person = self.world.people[who]
        channel = self.world.channels[in_channel or
                                      self.world.guilds[person.guild_id].seminar_channel]
        if not person.member_of(int(channel["guild_id"])):
            raise AssertionError(f"{who} is not a member of the server of #{channel['name']}")
        return channel

    async def _interact(self, who: str, kind: int, command: str, options: dict[str, Any],
                        focused: str | None, in_channel: int | None, *,
                        wait: bool = True) -> InteractionLog:
        world = self.world
        channel = self._channel_for(who, in_channel)
        guild_id = int(channel["guild_id"])
        data = self._command_data(command, options, focused, guild_id)
        log = InteractionLog(world.new_id(), secrets.token_urlsafe(24), int(channel["id"]))
        self.rest.interactions[log.id] = log
        await self.gateway.dispatch("INTERACTION_CREATE", {
            "id": str(log.id), "application_id": str(world.application_id), "type": kind,
            "data": data, "guild_id": str(guild_id), "channel_id": channel["id"],
            "channel": channel, "member": world.member(world.people[who], guild_id),
            "token": log.token,
            "version": 1, "app_permissions": str(world.app_permissions), "locale": "en-GB",
            "guild_locale": "en-US", "entitlements": [], "context": 0,
            "authorizing_integration_owners": {"0": str(guild_id)},
            "attachment_size_limit": world.upload_limit})
        if wait:
            await asyncio.wait_for(log.answered.wait(), WAIT)
        return log

    async def slash(self, who: str, command: str, /, *, in_channel: int | None = None,
                    **options: Any) -> InteractionLog:
        """`who` runs `/command` with these options; returns once the bot has answered."""
        return await self._interact(who, APPLICATION_COMMAND, command, options, None,
                                    in_channel)

    async def send_slash(self, who: str, command: str, /, **options: Any) -> InteractionLog:
        """`who` runs `/command` in their seminar channel; returns at once (the bot may answer
        later, or never)."""
        return await self._interact(who, APPLICATION_COMMAND, command, options, None, None,
                                    wait=False)

    async def complete(self, who: str, command: str, focused: str, /, *,
                       in_channel: int | None = None, **options: Any) -> list[Json]:
        """The suggestions the bot offers while `who` types into option `focused` (in their
        own server's seminar channel unless told)."""
        log = await self._interact(who, AUTOCOMPLETE, command, options, focused, in_channel)
        assert log.callback is not None and log.callback["type"] == 8
        choices: list[Json] = log.callback["data"]["choices"]
        return choices

    async def send_complete(self, who: str, command: str, focused: str, /,
                            **options: Any) -> InteractionLog:
        """`who` types into option `focused` of `/command`; returns at once (the bot may suggest
        later, or never)."""
        return await self._interact(who, AUTOCOMPLETE, command, options, focused, None,
                                    wait=False)

    # -- the test's verdict -------------------------------------------------------------------

    def check(self) -> None:
        """Fail loudly on anything the fake did not expect (an unknown route, say)."""
        assert not self.problems, "the fake Discord saw: " + "; ".join(self.problems)
