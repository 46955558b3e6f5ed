"""Forum channels (Discord channel type 15): each prompt is a forum post, a thread with its
starter message, titled "1.2 · short title" and tagged with its session's tag ("Session 1").

The tags are created when the bot may manage the forum (Manage Channels: they are the forum's
`available_tags`); otherwise posts go out untagged, and setup has told the moderator why. A
forum post takes no nonce, so after a crash between posting and recording the post is found
again by the outbox key in its starter message's footer, among the forum's active posts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Final

import discord

from seminarbot.adapters.discord.channels import NETWORK_ERRORS
from seminarbot.adapters.discord.permissions import TAGS, may_tag
from seminarbot.adapters.discord.render import NO_PINGS, carries_key
from seminarbot.scheduling.poster import PostedRef

log = logging.getLogger(__name__)
TAGS_MAX = 20  # a forum's available tags, at most (Discord's limit)
ARCHIVE_AFTER_MINUTES: Final = 10080  # 7 days, the longest Discord offers
POSTS_SEARCHED = 100


def session_tag(number: int) -> str:
    return f"Session {number}"


def tag_for(forum: discord.ForumChannel, number: int) -> discord.ForumTag | None:
    wanted = session_tag(number).casefold()
    return next((tag for tag in forum.available_tags if tag.name.casefold() == wanted), None)


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


async def setup_note(forum: discord.ForumChannel, numbers: list[int]) -> str:
    """Create the session tags at setup, where the bot may; say what came of it."""
    me = forum.guild.me
    if me is None or not may_tag(forum.permissions_for(me)):
        if all(tag_for(forum, n) for n in numbers):
            return ""
        return (f"Posts in {forum.mention} carry no session tags: creating them needs "
                f"{TAGS[1]}. Grant it and set up again to add them, or create tags named "
                f"“{session_tag(1)}”, “{session_tag(2)}” … yourself.")
    try:
        _, left = await ensure_tags(forum, numbers)
    except (discord.HTTPException, *NETWORK_ERRORS) as error:
        log.warning("could not create the session tags in %s: %s", forum.id, error)
        return f"The session tags could not be created in {forum.mention} ({error}); posts " \
               "go out untagged."
    if left:
        return (f"{forum.mention} has no room for more tags (Discord allows {TAGS_MAX}): "
                f"sessions {', '.join(map(str, left))} are posted untagged.")
    return f"Each session's posts are tagged “{session_tag(1)}”, “{session_tag(2)}” …"


async def post(forum: discord.ForumChannel, number: int, name: str,
               embed: discord.Embed) -> PostedRef:
    """The prompt as a forum post. Raises discord.HTTPException or NETWORK_ERRORS."""
    tag = tag_for(forum, number)
    me = forum.guild.me
    if tag is None and me is not None and may_tag(forum.permissions_for(me)):
        try:
            tagged, _ = await ensure_tags(forum, [number])
            tag = tag_for(tagged, number)
        except (discord.HTTPException, *NETWORK_ERRORS) as error:
            log.warning("posting untagged: the tag for session %d could not be created: %s",
                        number, error)
    created = await forum.create_thread(
        name=name, auto_archive_duration=ARCHIVE_AFTER_MINUTES, embed=embed,
        allowed_mentions=NO_PINGS, applied_tags=[tag] if tag is not None else [])
    return PostedRef(str(created.message.id), str(created.thread.id))


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
