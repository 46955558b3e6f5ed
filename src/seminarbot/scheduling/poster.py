"""What the scheduler needs from an adapter: post a prompt, find a post again, tell moderators."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from seminarbot.core.replies import PromptPost
    from seminarbot.domain.models import Cohort

# The most characters a notice the bot posts on its own (a reminder, a digest, a warning to the
# moderators) may have: one message on every platform, Discord's 2,000 characters being the
# smallest, less the lead-in a poster adds ("For the moderators of #channel: "). Notices are
# cut to it where they are worded (scheduling/messages.py `fitted`); Matrix's 64 KiB holds it
# whatever the characters and their HTML escapes.
NOTICE_MAX = 1_800
log = logging.getLogger(__name__)


class PostedRef(NamedTuple):
    message_id: str
    thread_id: str | None = None


class PostError(Exception):
    """A send that failed. `retryable` is True where trying again later can help."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Poster(Protocol):
    platform: str

    async def post_prompt(self, post: PromptPost) -> PostedRef: ...

    async def find_post(self, channel_id: str, idempotency_key: str) -> PostedRef | None:
        """The post carrying this key if it reached the platform (after a crash mid-send)."""
        ...

    async def post_in_thread(self, cohort: Cohort, thread_id: str, message: str) -> PostedRef:
        """A plain notice (a reminder) inside a prompt's thread, of at most NOTICE_MAX
        characters; it must ping nobody."""
        ...

    def literal(self, text: str) -> str:
        """A participant's words or name placed in a notice, as this platform shows them as
        typed: never read as its markup (a mention, emphasis) or as a command's name."""
        ...

    async def notify_moderators(self, cohort: Cohort, message: str) -> bool:
        """Tell the cohort's moderators something (a failure, a skipped post, a digest), in at
        most NOTICE_MAX characters; whether it reached a place they read (False: only the
        log has it)."""
        ...

    async def read_back(self, cohort: Cohort, thread_id: str) -> None:
        """Record what was written to a prompt post before it was recorded (a post found after
        a crash, one just recorded: scheduling.claimed.read_back), which the write path could
        not tell was the post's yet: in its thread, `thread_id` (or, for a post without one,
        its message's id), and in replies to its message. Raises what reading the platform
        raises; nothing is lost by it (the next catch-up reads it)."""
        ...


async def tell_moderators(posters: Mapping[str, Poster], cohort: Cohort, message: str) -> None:
    """The scheduler's notices to a cohort's moderators, by the poster of its platform if one
    is attached. A notice is told after what it tells of is committed: one that fails is
    logged and the pass goes on, as a failed pass would find nothing left to tell."""
    poster = posters.get(cohort.platform)
    if poster is None:
        return
    try:
        await poster.notify_moderators(cohort, message)
    except Exception:
        log.exception("a notice to the moderators of cohort %s could not be sent", cohort.id)
