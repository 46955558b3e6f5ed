"""Forum channels (Discord channel type 15): each prompt is a forum post, a thread with its
starter message, titled "1.2 · short title" and tagged with its session's tag ("Session 1").

The tags are created when the bot may manage the forum (Manage Channels: they are the forum's
`available_tags`); a moderated tag is applied only with Manage Threads (Discord's Forum Tag
docs). Otherwise posts go out untagged: setup tells the moderator why, and so does the first
post that goes out untagged for a reason (a tag deleted, the forum's 20 filled, after setup); a
forum that requires a tag on every post (channel flag REQUIRE_TAG) is not set up at all then.
A forum post
takes no nonce, so after a crash between posting and recording the post is found again by the
outbox key in its starter message's footer, among the forum's active posts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.permissions import MODERATED_TAGS, TAGS, may_tag
from seminarbot.adapters.discord.render import NO_PINGS, carries_key
from seminarbot.scheduling.poster import PostedRef, PostError

log = logging.getLogger(__name__)
TAGS_MAX = 20  # a forum's available tags, at most (Discord's limit)
ARCHIVE_AFTER_MINUTES: Final = 10080  # 7 days, the longest Discord offers
POSTS_SEARCHED = 100
TAG_REQUIRED = 40067  # Discord's error: "A tag is required to create a forum post in this channel"


def session_tag(number: int) -> str:
    return f"Session {number}"


def sessions(numbers: Sequence[int]) -> str:
    """"session 2", "sessions 2 and 3", "sessions 2, 3 and 4"."""
    if len(numbers) == 1:
        return f"session {numbers[0]}"
    return f"sessions {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def sessions_are(numbers: Sequence[int]) -> str:
    return sessions(numbers) + (" is" if len(numbers) == 1 else " are")


def tag_for(forum: discord.ForumChannel, number: int) -> discord.ForumTag | None:
    wanted = session_tag(number).casefold()
    return next((tag for tag in forum.available_tags if tag.name.casefold() == wanted), None)


def may_apply(tag: discord.ForumTag, granted: discord.Permissions) -> bool:
    return not tag.moderated or granted.manage_threads or granted.administrator


def untagged(forum: discord.ForumChannel, granted: discord.Permissions,
             numbers: Iterable[int]) -> list[int]:
    """The sessions whose posts would go out without their tag: it is missing and the bot may
    not create it (or the forum has no room left), or it is moderated and the bot may not
    apply it."""
    room = TAGS_MAX - len(forum.available_tags)
    left = []
    for number in numbers:
        tag = tag_for(forum, number)
        if tag is None and may_tag(granted) and room > 0:
            room -= 1
        elif tag is None or not may_apply(tag, granted):
            left.append(number)
    return left


def required_but_untagged(forum: discord.ForumChannel, granted: discord.Permissions,
                          numbers: Iterable[int]) -> str:
    """Why the seminar cannot be set up in a forum that requires a tag on every post, or ""."""
    left = untagged(forum, granted, numbers) if forum.flags.require_tag else []
    if not left:
        return ""
    return (f"{forum.mention} requires a tag on every post, and the bot cannot tag the "
            f"posts of {sessions(left)}: grant it {TAGS[1]} (to create "
            f"“{session_tag(1)}”, “{session_tag(2)}” … tags; {MODERATED_TAGS[1]} to apply "
            "moderated ones), or turn off the forum's “Require people to select tags when "
            "posting”. Nothing was set up.")


async def ensure_tags(forum: discord.ForumChannel, numbers: Iterable[int]
                      ) -> tuple[discord.ForumChannel, list[int]]:
    """Create the session tags the forum lacks (as many as its 20 allow). Returns the forum as
    Discord now has it, and the sessions left without a tag. Raises discord.HTTPException or
    NETWORK_ERRORS."""
    missing = [n for n in numbers if tag_for(forum, n) is None]
    room = max(0, TAGS_MAX - len(forum.available_tags))
    added, left = missing[:room], missing[room:]
    if added:
        tags = [*forum.available_tags, *(discord.ForumTag(name=session_tag(n)) for n in added)]
        edited = await forum.edit(available_tags=tags,
                                  reason="seminarbot: a tag for each session")
        if isinstance(edited, discord.ForumChannel):
            forum = edited
    return forum, left


def _granted(forum: discord.ForumChannel) -> discord.Permissions:
    me = forum.guild.me
    return forum.permissions_for(me) if me is not None else discord.Permissions.none()


async def setup_note(forum: discord.ForumChannel, numbers: list[int]) -> str:
    """Create the session tags at setup, where the bot may; say what came of it."""
    granted = _granted(forum)
    if may_tag(granted):
        try:
            forum, _ = await ensure_tags(forum, numbers)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("could not create the session tags in %s: %s", forum.id, error)
            return f"The session tags could not be created in {forum.mention} ({error}); " \
                   "posts go out untagged."
    missing = [n for n in numbers if tag_for(forum, n) is None]
    if missing and not may_tag(granted):
        return (f"Posts in {forum.mention} carry no session tags: creating them needs "
                f"{TAGS[1]}. Grant it and set up again to add them, or create tags named "
                f"“{session_tag(1)}”, “{session_tag(2)}” … yourself.")
    if missing:
        return (f"{forum.mention} has no room for more tags (Discord allows {TAGS_MAX}): "
                f"{sessions_are(missing)} posted untagged.")
    moderated = untagged(forum, granted, numbers)
    if moderated:
        return (f"The session tags of {forum.mention} are moderated, and applying them needs "
                f"{MODERATED_TAGS[1]}: {sessions_are(moderated)} posted untagged.")
    return f"Each session's posts are tagged “{session_tag(1)}”, “{session_tag(2)}” …" \
        if may_tag(granted) else ""


class Untagged(NamedTuple):
    """Why a session's posts go out without its tag: `kind` ("missing", "full", "failed",
    "moderated") and the words for the moderators."""

    kind: str
    why: str


async def _tag(forum: discord.ForumChannel, number: int
               ) -> tuple[discord.ForumTag | None, Untagged | None]:
    """The session's tag, created if the bot may; else None and why."""
    tag, name = tag_for(forum, number), f"“{session_tag(number)}”"
    granted = _granted(forum)
    if tag is None and not may_tag(granted):
        return None, Untagged("missing", f"the forum has no {name} tag, and creating one "
                                         f"needs {TAGS[1]}")
    if tag is None:
        try:
            tagged, left = await ensure_tags(forum, [number])
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("posting untagged: the tag for session %d could not be created: %s",
                        number, error)
            return None, Untagged("failed", f"the {name} tag could not be created ({error})")
        tag = tag_for(tagged, number)
        if tag is None:
            return None, Untagged("full" if left else "failed",
                                  f"the forum has no room for a {name} tag (Discord allows "
                                  f"{TAGS_MAX})" if left else f"the {name} tag did not stay")
    if not may_apply(tag, granted):
        return None, Untagged("moderated", f"its {name} tag is moderated, and applying it "
                                           f"needs {MODERATED_TAGS[1]}")
    return tag, None


async def post(forum: discord.ForumChannel, number: int, name: str,
               embed: discord.Embed) -> tuple[PostedRef, Untagged | None]:
    """The prompt as a forum post, and why it went out untagged (None: tagged). Raises
    PostError when the forum requires a tag the bot cannot apply, else discord.HTTPException
    or NETWORK_ERRORS."""
    tag, untagged = await _tag(forum, number)
    try:
        created = await forum.create_thread(
            name=name, auto_archive_duration=ARCHIVE_AFTER_MINUTES, embed=embed,
            allowed_mentions=NO_PINGS, applied_tags=[tag] if tag is not None else [])
    except discord.HTTPException as error:
        if error.code != TAG_REQUIRED:
            raise
        # Why it is untagged: the tag deleted, moderated, the forum full … (helper-141: a
        # deleted tag was told as the requirement turned on)
        why = untagged.why if untagged is not None else \
            f"Discord refused its “{session_tag(number)}” tag"
        raise PostError(
            f"#{forum.name} requires a tag on every post, and {why} (error {TAG_REQUIRED}): "
            f"grant the bot {TAGS[1]} to create the session tags ({MODERATED_TAGS[1]} for "
            f"moderated ones), create “{session_tag(number)}” yourself, or turn off the "
            "forum's “Require people to select tags when posting”, then send the session with "
            f"/seminar post {number}", retryable=False) from error
    return PostedRef(str(created.message.id), str(created.thread.id)), untagged


async def find(forum: discord.ForumChannel, bot_id: int, key: str) -> PostedRef | None:
    """The bot's post carrying this outbox key, among the forum's active posts, newest first.
    Raises discord.HTTPException or NETWORK_ERRORS."""
    ours = sorted((t for t in forum.threads if t.owner_id == bot_id), key=lambda t: -t.id)
    for thread in ours[:POSTS_SEARCHED]:
        try:
            starter = await thread.fetch_message(thread.id)
        except discord.NotFound:
            continue  # its starter message was deleted
        if any(carries_key(embed, key) for embed in starter.embeds):
            return PostedRef(str(starter.id), str(thread.id))
    return None
