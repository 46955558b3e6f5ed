"""Which prompt post each message of a batch answers: one in the prompt's thread or replying
to it (storage.response_batch.posts), and one replying to a recorded response, or in a thread
started from one, which answers that response's prompt. So an older Matrix client's rich
reply to a message in a prompt's thread (the spec's thread-unaware client: `m.in_reply_to`
without `m.thread`) is recorded, as Element shows it beside the thread; so is a Discord reply
to a response in the seminar's channel. A reply to a message of the same batch resolves
through it.

Runs in the writer's thread, on its plain sqlite3 connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seminarbot.storage.response_batch import Answer, Post, answered, by_key, post_of_row, posts

if TYPE_CHECKING:
    from seminarbot.storage.response_writer import Submission

_REPLIED = (
    "SELECT r.message_id, o.id, o.cohort_id, o.session_id, o.item, c.community_id,"
    " c.retention_days, c.swept_before, o.message_id, o.thread_id, c.channel_id"
    " FROM responses r JOIN outbox o ON o.id = r.outbox_id JOIN cohorts c ON c.id = o.cohort_id"
    " WHERE r.platform = ? AND r.message_id IN ({marks}) AND o.kind = 'prompt'")


def answers(conn: sqlite3.Connection, batch: Sequence[Submission], known: dict[str, Post]
            ) -> list[Answer | None]:
    """The post each submission answers, and how it arrived there (None: no prompt of ours).
    `known` (ref → post) is read and added to. Raises Damaged for a post's row that is not
    what its columns hold (response_batch.post_of_row)."""
    found = posts(conn, {ref for submission in batch for _, ref in submission.refs}, known)
    unknown = {(s.platform, ref) for s in batch for _, ref in s.refs if ref not in found}
    for _, (message_id, *row) in by_key(conn, _REPLIED, unknown) if unknown else ():
        found[message_id] = known[message_id] = _through(post_of_row(tuple(row)), message_id)
    result = [answered(submission, found) for submission in batch]
    within: dict[str, Post] = {}  # this batch's messages that answer a prompt
    for index, submission in enumerate(batch):
        if result[index] is None:
            result[index] = answered(submission, {
                ref: _through(within[ref], ref) for _, ref in submission.refs if ref in within})
        if (answer := result[index]) is not None:
            within[submission.message_id] = answer[0]
    return result


def _through(post: Post, message_id: str) -> Post:
    """The post as answered through a response: also where a thread started from that
    response is (Discord gives it the message's id)."""
    return post._replace(places=post.places | {message_id})
