"""Participants' responses, however they arrive: thread replies and replies to a prompt (handed
over by adapters), `/seminar respond`, edits and deletions. This is the one write path: every
new response goes through the group-commit writer, and every text through `stored_body`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from seminarbot.core.invocation import Actor
from seminarbot.domain.errors import BadArgument
from seminarbot.domain.responses import VISIBLE, Arrival, Outcome, author_name, stored_body
from seminarbot.storage.response_writer import Submission

if TYPE_CHECKING:
    from seminarbot.services.container import Services


class InboundMessage(NamedTuple):  # a tuple, no __dict__: a burst waits in a queue
    platform: str
    message_id: str
    author: Actor
    text: str
    at: datetime
    # The thread the message is in, or the message it replies to: either may name a prompt post.
    thread_id: str | None = None
    reply_to: str | None = None
    # The channel, thread or room the message is in (exports link back to it); None when
    # there is no message to link to.
    channel_id: str | None = None
    # COMMAND for `/seminar respond` (reply_to names the prompt post); None for a platform
    # message, which arrived in the thread or as a reply, whichever names the prompt.
    arrival: Arrival | None = None
    # When it was last edited, where it is first seen already edited (its edit arrived before
    # it, or a catch-up reads it so): a new response is then recorded as edited.
    edited_at: datetime | None = None
    # False where the platform gave no name for the author in this server or room (Discord's
    # message history carries no member, only the global name): a name already known there is
    # kept, and only someone new there is recorded under this one.
    named_here: bool = True


def _refs(message: InboundMessage) -> tuple[tuple[Arrival, str], ...]:
    if message.arrival is Arrival.COMMAND:
        return ((Arrival.COMMAND, message.reply_to),) if message.reply_to else ()
    thread, reply = message.thread_id, message.reply_to
    if thread and reply:
        return (Arrival.THREAD, thread), (Arrival.REPLY, reply)
    return ((Arrival.THREAD, thread),) if thread else ((Arrival.REPLY, reply),) if reply else ()


async def record_message(app: Services, message: InboundMessage) -> Outcome | None:
    """Record a reply to a prompt, once it is committed (group commit: see ResponseWriter).
    None when the message answers no prompt of ours, when nothing is left of its text, when
    its author opted out, or when the write path refuses it (written before its author used
    forget-me, while they had opted out, or before the cohort's retention cut-off:
    storage/refusals.py); nothing about them is stored then."""
    submission = _submission(message)
    return None if submission is None else await app.response_writer.submit(submission)


async def record_messages(app: Services, messages: Sequence[InboundMessage]
                          ) -> list[Outcome | None]:
    """`record_message` for each, handed to the writer together (they share a commit as far
    as a batch holds them); their outcomes in their order."""
    submissions = [_submission(message) for message in messages]
    outcomes = iter(await app.response_writer.submit_all(
        [submission for submission in submissions if submission is not None]))
    return [None if submission is None else next(outcomes) for submission in submissions]


def _submission(message: InboundMessage) -> Submission | None:
    body = stored_body(message.text)
    refs = _refs(message)
    if body is None or not refs:
        return None
    author = message.author
    # Positional: a burst makes one per message, and keywords cost a third of the call.
    return Submission(message.platform, message.message_id, author.user_id,
                      author_name(author.display_name, author.user_id), body, message.at, refs,
                      message.channel_id, message.edited_at, message.named_here)


async def respond(app: Services, prompt_message_id: str, actor: Actor, text: str, at: datetime,
                  source_id: str | None) -> Outcome | None:
    """`/seminar respond`: a response to the prompt posted as `prompt_message_id`. The command's
    own id (`source_id`) makes a retried command record once. None as for record_message.
    Raises BadArgument (parameter `text`) when nothing visible is left of the text."""
    body = stored_body(text)
    if body is None:
        raise BadArgument("text", VISIBLE, text)
    from seminarbot.storage.repeated import repeats  # with the first command

    if await repeats(app.db, actor.platform, actor.user_id, prompt_message_id, body):
        return Outcome.UNCHANGED  # a retry of one the platform showed as failed
    return await record_message(app, InboundMessage(
        actor.platform, source_id or f"cmd-{uuid.uuid4()}", actor, text, at,
        reply_to=prompt_message_id, arrival=Arrival.COMMAND))


async def record_edit(app: Services, platform: str, message_id: str, text: str, at: datetime,
                      by: str | None = None, edit_id: str | None = None,
                      place: str | None = None) -> Outcome:
    """A new text for a recorded response. `by` is who sent the edit: anyone but the author is
    REFUSED (Matrix lets anyone send an m.replace); None where the platform itself lets only
    the author edit. `place` is the room it was sent in, where a platform lets an edit name a
    message of another (Matrix): one written elsewhere is UNKNOWN to it (storage).
    `edit_id` is the edit's own id where it has one (Matrix), so that its
    redaction can undo it (`record_redaction`). An edit that leaves nothing visible withdraws
    the response: it is erased like a deletion (DELETED), and a later edit with text records
    that text again, as the final state wins, like an edit made while the bot was away
    (README: Responses)."""
    body = stored_body(text)
    async with app.db.transaction():
        if body is None:
            return await app.responses.delete(platform, message_id, at, by=by, by_edit=True,
                                              place=place)
        return await app.responses.edit(platform, message_id, body, at, by=by, edit_id=edit_id,
                                        place=place)


async def record_delete(app: Services, platform: str, message_id: str, at: datetime) -> Outcome:
    """The author deleted (or redacted) it: its text and earlier versions are erased, and a
    tombstone (ids and times) stays so that a replay records nothing."""
    async with app.db.transaction():
        return await app.responses.delete(platform, message_id, at)


async def record_redaction(app: Services, platform: str, event_id: str, at: datetime, *,
                           by: str | None = None, place: str | None = None) -> Outcome:
    """A Matrix redaction of `event_id`: a response's own event is deleted (`record_delete`);
    an edit of one is withdrawn, its text erased and the response back to the latest version
    left (storage: withdraw_edit); anything else is UNKNOWN. `by`: who sent it, unless they may
    redact anyone's event there (then None); REFUSED when that is not the author. `place`: the
    room it was sent in; what was written in another is UNKNOWN to it. (Matrix spec, room
    version 3 on: whoever applies a redaction checks it, so a homeserver may pass on one it
    has not checked.)"""
    async with app.db.transaction():
        outcome = await app.responses.delete(platform, event_id, at, by=by, place=place)
        if outcome is Outcome.UNKNOWN:
            outcome = await app.responses.withdraw_edit(platform, event_id, at, by=by,
                                                        place=place)
        return outcome


async def may_keep(app: Services, platform: str, community: str, channel: str, author: str,
                   at: datetime) -> bool:
    """Whether an adapter may keep, to hand over later, a message `author` wrote at `at` in
    `channel` (of `community`; a Matrix room is both): it is a seminar's, and the writer will
    not refuse it for who wrote it (opted out then, or forgotten since), whose words are not
    kept meanwhile."""
    return (await app.cohorts.ids_at(platform, community, channel) is not None
            and not await app.privacy.refuses(platform, author, at))


async def last_recorded(app: Services, platform: str, thread_id: str) -> str | None:
    """The newest message id recorded in a prompt's thread: where a backfill resumes."""
    return await app.responses.last_in_thread(platform, thread_id)
