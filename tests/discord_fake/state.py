"""What the fake Discord knows: a server with a seminar channel and a system channel, three
people and the bot (and, when a test adds them, more servers with people of their own), the
messages and threads, all as the JSON Discord's API speaks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Json = dict[str, Any]
DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits, as in Discord's documentation.
VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES = 1 << 10, 1 << 11, 1 << 14, 1 << 15
READ_MESSAGE_HISTORY, MANAGE_GUILD = 1 << 16, 1 << 5
CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS = 1 << 35, 1 << 38
MANAGE_CHANNELS, MANAGE_THREADS, MANAGE_EVENTS, CREATE_EVENTS = 1 << 4, 1 << 34, 1 << 33, 1 << 44
BOT_NEEDS = (VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
             | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS)
MEMBER = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | SEND_MESSAGES_IN_THREADS

TEXT_CHANNEL, PUBLIC_THREAD, FORUM_CHANNEL, MEDIA_CHANNEL = 0, 11, 15, 16
REQUIRE_TAG = 1 << 4  # a forum's channel flag: every post must carry a tag
DEFAULT_MESSAGE, REPLY, THREAD_STARTER = 0, 19, 21


def iso(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds")


class Snowflakes:
    """Ids that sort by creation time, taken from the test's clock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self._count = itertools.count(1)

    def __call__(self) -> int:
        millis = int(self.now().timestamp() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._count) & 0x3FFFFF)


@dataclass
class Person:
    user: Json
    roles: list[int]
    permissions: int
    guild_id: int  # the server this person is a member of
    # Other servers they are a member of too: server id → their permissions there.
    elsewhere: dict[int, int] = field(default_factory=dict)
    # Their nickname in a server (what Discord shows as their name there), by server id.
    nicks: dict[int, str] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def member_of(self, guild_id: int) -> bool:
        return guild_id == self.guild_id or guild_id in self.elsewhere

    def permissions_in(self, guild_id: int) -> int:
        return self.permissions if guild_id == self.guild_id else self.elsewhere[guild_id]


@dataclass(frozen=True)
class Guild:
    id: int
    name: str
    seminar_channel: int
    system_channel: int | None  # None: the server has none (Server Settings → Overview)
    tutors_role: int
    bot_role: int
    owner: str  # the name of the person who owns it


def _user(user_id: int, name: str, *, bot: bool = False) -> Json:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "public_flags": 0}


@dataclass
class World:
    now: Callable[[], datetime]
    new_id: Snowflakes = field(init=False)
    application_id: int = field(init=False)
    bot: Json = field(init=False)
    # The first server's ids, as most tests use them.
    guild_id: int = field(init=False)
    seminar_channel: int = field(init=False)
    system_channel: int = field(init=False)
    tutors_role: int = field(init=False)
    bot_role: int = field(init=False)
    guilds: dict[int, Guild] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    channels: dict[int, Json] = field(default_factory=dict)
    messages: dict[int, Json] = field(default_factory=dict)
    # The bot's permissions in the seminar channel, as interactions report them.
    app_permissions: int = BOT_NEEDS
    # The permissions of the bot's role, server-wide (channels may override them).
    bot_permissions: int = BOT_NEEDS
    # Guild scheduled events, by id (tests/discord_fake/scheduled.py).
    events: dict[int, Json] = field(default_factory=dict)
    # What files in one message may add up to, as interactions report it (an unboosted guild).
    upload_limit: int = 10 * 1024 * 1024

    def __post_init__(self) -> None:
        self.new_id = Snowflakes(self.now)
        self.application_id = self.new_id()
        self.bot = _user(self.application_id, "seminarbot", bot=True)
        first = self.add_guild("Reading Group", "soviet-democracy", {
            "ann": MEMBER | MANAGE_GUILD, "bob": MEMBER, "tia": MEMBER}, tutors=("tia",))
        self.guild_id, self.seminar_channel = first.id, first.seminar_channel
        self.system_channel, self.tutors_role, self.bot_role = (
            first.system_channel, first.tutors_role, first.bot_role)

    def add_guild(self, name: str, channel: str, people: dict[str, int], *,
                  tutors: tuple[str, ...] = ()) -> Guild:
        """Another server the bot is in, with a seminar channel, a system channel and its own
        people (name → permissions; the first one owns it). Add it before the bot connects."""
        guild_id, tutors_role, bot_role = self.new_id(), self.new_id(), self.new_id()
        seminar, system = self.new_id(), self.new_id()
        for channel_id, channel_name in ((seminar, channel), (system, "general")):
            self.channels[channel_id] = {
                "id": str(channel_id), "type": TEXT_CHANNEL, "guild_id": str(guild_id),
                "name": channel_name, "position": len(self.channels),
                "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0, "flags": 0}
        guild = Guild(guild_id, name, seminar, system, tutors_role, bot_role, next(iter(people)))
        self.guilds[guild_id] = guild
        for person, permissions in people.items():
            self.add_person(person, permissions, guild_id, tutor=person in tutors)
        return guild

    def add_forum(self, name: str, *, tags: tuple[str, ...] = (), moderated: tuple[str, ...] = (),
                  require_tag: bool = False, guild_id: int | None = None,
                  media: bool = False) -> int:
        """A forum channel (type 15; a media channel, type 16, if told) in a server (the
        first one unless told), with these tags available (and these moderated ones),
        requiring a tag on each post if told. Add it before the bot connects, as Discord lists
        it in GUILD_CREATE."""
        guild = self.guilds[guild_id or self.guild_id]
        forum_id = self.new_id()
        self.channels[forum_id] = {
            "id": str(forum_id), "type": MEDIA_CHANNEL if media else FORUM_CHANNEL,
            "guild_id": str(guild.id),
            "name": name, "position": len(self.channels), "permission_overwrites": [],
            "nsfw": False, "parent_id": None, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0, "flags": REQUIRE_TAG if require_tag else 0,
            "default_auto_archive_duration": 4320,
            "available_tags": [self.tag(tag) for tag in tags]
            + [self.tag(tag, moderated=True) for tag in moderated],
            "default_reaction_emoji": None,
            "default_thread_rate_limit_per_user": 0, "default_sort_order": None,
            "default_forum_layout": 0}
        return forum_id

    def tag(self, name: str, *, moderated: bool = False) -> Json:
        return {"id": str(self.new_id()), "name": name, "moderated": moderated,
                "emoji_id": None, "emoji_name": None}

    def add_person(self, name: str, permissions: int = MEMBER, guild_id: int | None = None, *,
                   tutor: bool = False) -> Person:
        """A member of a server (the first one unless told)."""
        guild = self.guilds[guild_id or self.guild_id]
        person = Person(_user(self.new_id(), name), [guild.tutors_role] if tutor else [],
                        permissions, guild.id)
        self.people[name] = person
        return person

    def join(self, name: str, guild_id: int, permissions: int = MEMBER, *,
             nick: str | None = None) -> Person:
        """An existing person becomes a member of another server too, under `nick` there."""
        person = self.people[name]
        person.elsewhere[guild_id] = permissions
        if nick is not None:
            person.nicks[guild_id] = nick
        return person

    def guild_of(self, channel_id: int) -> Guild:
        return self.guilds[int(self.channels[channel_id]["guild_id"])]

    # -- payloads -----------------------------------------------------------------------------

    def member(self, person: Person, guild_id: int | None = None) -> Json:
        """The person as a member of a server (their own unless told): nickname, roles and
        permissions there."""
        guild_id = guild_id or person.guild_id
        roles = person.roles if guild_id == person.guild_id else []
        return {"user": person.user, "roles": [str(r) for r in roles],
                "nick": person.nicks.get(guild_id), "avatar": None,
                "joined_at": iso(self.now()), "premium_since": None, "deaf": False,
                "mute": False, "flags": 0, "pending": False,
                "permissions": str(person.permissions_in(guild_id))}

    def guild(self, guild_id: int | None = None) -> Json:
        guild = self.guilds[guild_id or self.guild_id]
        roles = [
            {"id": str(guild.id), "name": "@everyone", "permissions": str(MEMBER),
             "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
             "flags": 0},
            {"id": str(guild.tutors_role), "name": "Tutors", "permissions": "0", "position": 1,
             "color": 0, "hoist": False, "managed": False, "mentionable": True, "flags": 0},
            {"id": str(guild.bot_role), "name": "seminarbot",
             "permissions": str(self.bot_permissions),
             "position": 2, "color": 0, "hoist": False, "managed": True, "mentionable": False,
             "flags": 0, "tags": {"bot_id": str(self.application_id)}},
        ]
        bot_member = {"user": self.bot, "roles": [str(guild.bot_role)], "nick": None,
                      "avatar": None, "joined_at": iso(self.now()), "premium_since": None,
                      "deaf": False, "mute": False, "flags": 0, "pending": False}
        channels = [c for c in self.channels.values() if c["guild_id"] == str(guild.id)]
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "splash": None,
            "owner_id": self.people[guild.owner].user["id"], "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 1,
            "explicit_content_filter": 0, "roles": roles, "emojis": [], "stickers": [],
            "features": [], "mfa_level": 0, "application_id": None,
            "system_channel_id": guild.system_channel and str(guild.system_channel),
            "system_channel_flags": 0,
            "rules_channel_id": None, "max_members": 500000, "vanity_url_code": None,
            "description": None, "banner": None, "premium_tier": 0,
            "premium_subscription_count": 0, "preferred_locale": "en-US",
            "public_updates_channel_id": None, "nsfw_level": 0, "premium_progress_bar_enabled":
            False, "unavailable": False, "large": False, "joined_at": iso(self.now()),
            "member_count": 1 + sum(p.member_of(guild.id) for p in self.people.values()),
            "members": [bot_member],
            "channels": [c for c in channels
                         if c["type"] in (TEXT_CHANNEL, FORUM_CHANNEL, MEDIA_CHANNEL)],
            "threads": [c for c in channels
                        if c["type"] == PUBLIC_THREAD and not c["thread_metadata"]["archived"]],
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [e for e in self.events.values()
                                       if e["guild_id"] == str(guild.id)],
            "soundboard_sounds": [],
        }

    def message(self, channel_id: int, author: Json, content: str, *, kind: int = DEFAULT_MESSAGE,
                reference: int | None = None, embeds: list[Json] | None = None,
                nonce: str | None = None, attachments: list[Json] | None = None,
                store: bool = True) -> Json:
        message_id = self.new_id()
        guild_id = self.channels[channel_id]["guild_id"]
        message: Json = {
            "id": str(message_id), "channel_id": str(channel_id), "guild_id": guild_id,
            "author": author, "content": content, "timestamp": iso(self.now()),
            "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "attachments": attachments or [], "embeds": embeds or [],
            "pinned": False, "type": kind, "flags": 0, "components": []}
        message.update(self.mentions_in(content, int(guild_id)))
        if nonce is not None:
            message["nonce"] = nonce
        if reference is not None:
            target = self.messages[reference]
            message["message_reference"] = {"message_id": str(reference),
                                            "channel_id": target["channel_id"],
                                            "guild_id": guild_id}
            if kind == REPLY:
                message["referenced_message"] = target
        if not store:  # an interaction's answer: not part of the channel's history here
            return message
        self.messages[message_id] = message
        channel = self.channels[channel_id]
        channel["last_message_id"] = str(message_id)
        if channel["type"] == PUBLIC_THREAD:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        return message

    def mentions_in(self, content: str, guild_id: int, *, members: bool = False) -> Json:
        """What Discord finds mentioned in a message's text (API docs, Message object):
        `mentions`, the users named as `<@id>` or `<@!id>` that exist (in a gateway event,
        `members`, each with its partial `member` when they are one of the server's; a message
        read through the REST API has none); `mention_roles`, the ids of the server's roles
        named as `<@&id>`."""
        users = {int(found) for found in re.findall(r"<@!?(\d+)>", content)}
        mentioned = []
        for person in self.people.values():
            if person.id in users:
                user: Json = dict(person.user)
                if members and person.member_of(guild_id):
                    member = self.member(person, guild_id)
                    member.pop("user")
                    member.pop("permissions")
                    user["member"] = member
                mentioned.append(user)
        guild = self.guilds[guild_id]
        roles = {guild.tutors_role, guild.bot_role}
        return {"mentions": mentioned,
                "mention_roles": [found for found in re.findall(r"<@&(\d+)>", content)
                                  if int(found) in roles]}

    def thread(self, message_id: int, name: str, archive_minutes: int) -> Json:
        parent = self.messages[message_id]
        thread = {
            "id": str(message_id), "type": PUBLIC_THREAD, "guild_id": parent["guild_id"],
            "parent_id": parent["channel_id"], "owner_id": self.bot["id"], "name": name,
            "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1, "total_message_sent": 0, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": archive_minutes,
                                "archive_timestamp": iso(self.now()), "locked": False,
                                "create_timestamp": iso(self.now())}}
        self.channels[message_id] = thread
        parent["thread"] = thread
        return thread

    def forum_post(self, forum_id: int, name: str, archive_minutes: int, applied_tags: list[str],
                   message: Json) -> Json:
        """A post in a forum: a thread whose starter message shares its id."""
        forum = self.channels[forum_id]
        thread_id = self.new_id()
        thread = {
            "id": str(thread_id), "type": PUBLIC_THREAD, "guild_id": forum["guild_id"],
            "parent_id": str(forum_id), "owner_id": self.bot["id"], "name": name,
            "last_message_id": str(thread_id), "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1, "total_message_sent": 0, "flags": 0,
            "applied_tags": applied_tags,
            "thread_metadata": {"archived": False, "auto_archive_duration": archive_minutes,
                                "archive_timestamp": iso(self.now()), "locked": False,
                                "create_timestamp": iso(self.now())}}
        self.channels[thread_id] = thread
        starter: Json = {
            "id": str(thread_id), "channel_id": str(thread_id), "guild_id": forum["guild_id"],
            "author": self.bot, "content": message.get("content") or "",
            "timestamp": iso(self.now()), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": message.get("embeds") or [], "pinned": False, "type": DEFAULT_MESSAGE,
            "flags": 0, "components": []}
        self.messages[thread_id] = starter
        return thread

    def history(self, channel_id: int, *, limit: int, after: int | None,
                before: int | None) -> list[Json]:
        """Newest first, as Discord answers; with `after`, the `limit` messages right after it."""
        found = sorted((m for m in self.messages.values() if int(m["channel_id"]) == channel_id
                        and (after is None or int(m["id"]) > after)
                        and (before is None or int(m["id"]) < before)),
                       key=lambda m: int(m["id"]))
        chosen = found[:limit] if after is not None and before is None else found[-limit:]
        return list(reversed(chosen))
