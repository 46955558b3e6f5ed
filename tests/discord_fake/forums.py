"""Forum channels in the fake (channel type 15), with the shapes of Discord's API docs: a post is
`POST /channels/{forum}/threads` with a nested `message`, tags are the forum's
`available_tags` (edited with `PATCH /channels/{forum}`, which takes Manage Channels) and a
post's `applied_tags`; a moderated tag is applied only with Manage Threads, and a forum with the
REQUIRE_TAG flag refuses an untagged post (error 40067). Anything else about a forum (another
channel flag, say) is written down as a problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.discord_fake.gateway import Gateway
from tests.discord_fake.state import (
    FORUM_CHANNEL,
    MANAGE_CHANNELS,
    MANAGE_THREADS,
    REQUIRE_TAG,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Json,
    World,
)

POST_KEYS = {"name", "auto_archive_duration", "rate_limit_per_user", "applied_tags", "message",
             "type"}
MESSAGE_KEYS = {"content", "embeds", "allowed_mentions", "components", "flags", "sticker_ids",
                "attachments", "tts"}
TAG_KEYS = {"id", "name", "moderated", "emoji_id", "emoji_name"}
TAGS_MAX, TAG_NAME_MAX, APPLIED_MAX, NAME_MAX = 20, 20, 5, 100
ARCHIVE_CHOICES = (60, 1440, 4320, 10080)

Reply = Callable[[Any, int], web.Response]
Error = Callable[[int, int, str], web.Response]


class Forums:
    def __init__(self, world: World, gateway: Gateway, problems: list[str], reply: Reply,
                 error: Error) -> None:
        self.world = world
        self.gateway = gateway
        self.problems = problems
        self.reply = reply
        self.error = error

    def bot_may(self, channel: Json, permission: int) -> bool:
        """The bot's role, then the channel's overwrites for it, as Discord computes them."""
        allowed = self.world.bot_permissions
        guild = self.world.guild_of(int(channel["id"]))
        for overwrite in channel.get("permission_overwrites", []):
            if overwrite["id"] in (str(guild.id), str(guild.bot_role)):
                allowed = (allowed & ~int(overwrite["deny"])) | int(overwrite["allow"])
        return allowed & permission == permission

    async def create_post(self, channel: Json, body: Json) -> web.Response:
        if channel["type"] != FORUM_CHANNEL:
            self.problems.append(f"a thread without a message in #{channel['name']}")
            return self.error(400, 50035, "Invalid Form Body")
        unknown = set(body) - POST_KEYS | set(body.get("message") or {}) - MESSAGE_KEYS
        message = body.get("message")
        if unknown or not isinstance(message, dict) or not (message.get("content")
                                                            or message.get("embeds")):
            self.problems.append(f"a forum post Discord would refuse: {sorted(unknown)} "
                                 f"{message!r}")
            return self.error(400, 50035, "Invalid Form Body")
        if not self.bot_may(channel, VIEW_CHANNEL | SEND_MESSAGES):
            return self.error(403, 50013, "Missing Permissions")
        if channel["flags"] & ~REQUIRE_TAG:
            self.problems.append(f"a forum with flags the fake does not know: {channel['flags']}")
            return self.error(400, 50035, "Invalid Form Body")
        available = {tag["id"] for tag in channel["available_tags"]}
        applied = [str(tag) for tag in body.get("applied_tags") or []]
        name = str(body.get("name") or "")
        archive = body.get("auto_archive_duration") or channel["default_auto_archive_duration"]
        if (not set(applied) <= available or len(applied) > APPLIED_MAX
                or not 1 <= len(name) <= NAME_MAX or archive not in ARCHIVE_CHOICES):
            self.problems.append(f"a forum post with name {name!r}, tags {applied}, "
                                 f"archive {archive}")
            return self.error(400, 50035, "Invalid Form Body")
        if channel["flags"] & REQUIRE_TAG and not applied:
            return self.error(400, 40067,
                              "A tag is required to create a forum post in this channel")
        moderated = {tag["id"] for tag in channel["available_tags"] if tag["moderated"]}
        if set(applied) & moderated and not self.bot_may(channel, MANAGE_THREADS):
            return self.error(403, 50013, "Missing Permissions")
        thread = self.world.forum_post(int(channel["id"]), name, archive, applied, message)
        starter = self.world.messages[int(thread["id"])]
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        await self.gateway.dispatch("MESSAGE_CREATE", starter)
        return self.reply({**thread, "message": starter}, 201)

    async def edit_forum(self, channel: Json, body: Json) -> web.Response:
        if set(body) - {"available_tags"}:
            self.problems.append(f"the bot edited #{channel['name']}: {sorted(body)}")
            return self.error(403, 50013, "Missing Permissions")
        if not self.bot_may(channel, MANAGE_CHANNELS):
            return self.error(403, 50013, "Missing Permissions")
        tags = [{**tag, "id": str(tag["id"])} if "id" in tag else tag  # ids: strings or numbers
                for tag in body["available_tags"]]
        known = {tag["id"]: tag for tag in channel["available_tags"]}
        if (len(tags) > TAGS_MAX or any(set(tag) - TAG_KEYS for tag in tags)
                or any(not 1 <= len(tag.get("name") or "") <= TAG_NAME_MAX for tag in tags)
                or any("id" in tag and tag["id"] not in known for tag in tags)):
            self.problems.append(f"tags Discord would refuse: {tags}")
            return self.error(400, 50035, "Invalid Form Body")
        channel["available_tags"] = [
            {**known[tag["id"]], **tag} if "id" in tag
            else self.world.tag(tag["name"], moderated=bool(tag.get("moderated")))
            for tag in tags]
        await self.gateway.dispatch("CHANNEL_UPDATE", channel)
        return self.reply(channel, 200)

    def get_message(self, channel_id: int, message_id: int) -> web.Response:
        message = self.world.messages.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            return self.error(404, 10008, "Unknown Message")
        return self.reply(message, 200)

