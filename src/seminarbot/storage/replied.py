"""Which prompt post each message of a batch answers: one in the prompt's thread or replying
to it (storage.response_batch.posts), and one replying to a recorded response or to the bot's
reminder, which answers that prompt, where the prompt is. So an older Matrix client's rich
reply to a message in a prompt's thread (the spec's thread-unaware client: `m.in_reply_to`
without `m.thread`) is recorded, as Element shows it beside the thread; so is a Discord reply
to a response in the seminar's channel. A message in a thread started from a response is
not: it is not where the prompt is, and no catch-up reads such threads. A reply to a message
of the same batch is written after it.

Runs in the writer's thread, on its plain sqlite3 connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from seminarbot.domain.responses import Outcome
from seminarbot.storage.outbox import reminders
from seminarbot.storage.response_batch import Answer, Post, answered, by_key, post_of_row, posts

if TYPE_CHECKING:
    from seminarbot.storage.response_writer import Submission

_POST = ("o.id, o.cohort_id, o.session_id, o.item, c.community_id, c.retention_days,"
         " c.swept_before, o.message_id, o.thread_id, c.channel_id")
# A recorded response's message, and the bot's reminder in a prompt's thread (an older
# Matrix client answers it outside the thread): each stands for its prompt's post.
_REPLIED = (
    f"SELECT r.message_id, {_POST} FROM responses r JOIN outbox o ON o.id = r.outbox_id"
    " JOIN cohorts c ON c.id = o.cohort_id"
    " WHERE r.platform = ? AND r.message_id IN ({marks}) AND o.kind = 'prompt'",
    # CROSS JOIN: the reminders by their ids first (migration 0017's index), never every
    # seminar of the platform first.
    f"SELECT x.message_id, {_POST} FROM outbox x CROSS JOIN outbox o CROSS JOIN cohorts c"
    " CROSS JOIN communities m ON o.cohort_id = x.cohort_id AND o.session_id = x.session_id"
    " AND o.item = x.item AND o.kind = 'prompt' AND c.id = o.cohort_id"
    " AND m.id = c.community_id"
    f" WHERE m.platform = ? AND x.message_id IN ({{marks}}) AND {reminders('x')}")


def answers(conn: sqlite3.Connection, batch: Sequence[Submission], known: dict[str, Post]
            ) -> list[Answer | None]:
    """The post each submission answers, and how it arrived there (None: no prompt of ours).
    `known` (ref → post) is read and added to. Raises Damaged for a post's row that is not
    what its columns hold (response_batch.post_of_row)."""
    found = posts(conn, {ref for submission in batch for _, ref in submission.refs}, known)
    for sql in _REPLIED:
        unknown = {(s.platform, ref) for s in batch for _, ref in s.refs if ref not in found}
        for _, (message_id, *row) in by_key(conn, sql, unknown) if unknown else ():
            found[message_id] = known[message_id] = post_of_row(tuple(row))
    return [answered(submission, found) for submission in batch]


def after_what_they_answer(batch: Sequence[Submission],
                           write: Callable[[Sequence[Submission]], list[Outcome | None]]
                           ) -> list[Outcome | None]:
    """Each submission's outcome, `write` taking the batch, then, as long as it records
    something, those it left unanswered that reply to a message it has just recorded: each is
    written after the message it answers, as if it came later. So one hand-over records what
    the same messages handed over one by one would, a reply to a refused message included
    (helper-136's 5: the chain had been resolved before the refusals)."""
    outcomes = write(batch)
    recorded = {s.message_id for s, o in zip(batch, outcomes, strict=True)
                if o is Outcome.CREATED}
    while recorded:
        again = [index for index, (s, o) in enumerate(zip(batch, outcomes, strict=True))
                 if o is None and any(ref in recorded for _, ref in s.refs)]
        written = write([batch[index] for index in again]) if again else []
        recorded = set()
        for index, outcome in zip(again, written, strict=True):
            outcomes[index] = outcome
            if outcome is Outcome.CREATED:
                recorded.add(batch[index].message_id)
    return outcomes
