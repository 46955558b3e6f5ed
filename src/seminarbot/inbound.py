"""Participants' messages as adapters hand them over: thread replies and replies to a prompt
become responses; edits and deletions update them. Adapters call these and hold no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from seminarbot.core.invocation import Actor
from seminarbot.storage.response_writer import Submission
from seminarbot.storage.responses import Outcome

if TYPE_CHECKING:
    from seminarbot.app import Services

# Longer messages are stored cut at this many characters, with a marker (see README).
MAX_BODY_CHARS = 20_000
TRUNCATION_MARK = "\n[… truncated by seminarbot]"


@dataclass(frozen=True)
class InboundMessage:
    platform: str
    message_id: str
    author: Actor
    text: str
    at: datetime
    # The thread the message is in, or the message it replies to: either may name a prompt post.
    thread_id: str | None = None
    reply_to: str | None = None


def stored_body(text: str) -> str:
    if len(text) <= MAX_BODY_CHARS:
        return text
    return text[: MAX_BODY_CHARS - len(TRUNCATION_MARK)] + TRUNCATION_MARK


async def record_message(app: Services, message: InboundMessage) -> Outcome | None:
    """Record a reply to a prompt, once it is committed (group commit: see ResponseWriter).
    None when the message answers no prompt of ours, or when its author opted out (nothing
    about them is stored then)."""
    if not message.text or message.text.isspace():
        return None
    refs = tuple(filter(None, (message.thread_id, message.reply_to)))
    if not refs:
        return None
    return await app.response_writer.submit(Submission(
        platform=message.platform, message_id=message.message_id,
        author_id=message.author.user_id, author_name=message.author.display_name,
        body=stored_body(message.text), at=message.at, refs=refs))


async def record_edit(app: Services, platform: str, message_id: str, text: str,
                      at: datetime) -> Outcome:
    async with app.db.transaction():
        return await app.responses.edit(platform, message_id, stored_body(text), at)


async def record_delete(app: Services, platform: str, message_id: str, at: datetime) -> Outcome:
    async with app.db.transaction():
        return await app.responses.delete(platform, message_id, at)


async def last_recorded(app: Services, platform: str, thread_id: str) -> str | None:
    """The newest message id recorded in a prompt's thread: where a backfill resumes."""
    value = await app.db.scalar(
        "SELECT r.message_id FROM responses r JOIN outbox o ON o.id = r.outbox_id"
        " WHERE r.platform = ? AND (o.thread_id = ? OR o.message_id = ?)"
        " ORDER BY r.created_at DESC, r.id DESC LIMIT 1", (platform, thread_id, thread_id))
    return None if value is None else str(value)
