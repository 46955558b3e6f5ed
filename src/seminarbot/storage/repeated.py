"""Whether a `/seminar respond` repeats, word for word, one its author sent to the same prompt
and has not deleted. Discord shows a command whose answer came too late as failed ("The
application did not respond") after the bot ran it; the person tries again, and that try is
the same response, recorded once (helper-172's 1). Someone opted out is told so instead."""

from __future__ import annotations

from seminarbot.domain.textfold import as_read
from seminarbot.storage.db import Database

_BODIES = """
SELECT r.body FROM responses AS r
JOIN participants AS p ON p.id = r.participant_id
JOIN outbox AS o ON o.id = r.outbox_id
WHERE p.platform = ? AND p.external_id = ? AND p.opted_out = 0 AND o.message_id = ?
  AND r.arrival = 'command' AND r.deleted_at IS NULL AND r.body IS NOT NULL
"""


async def repeats(db: Database, platform: str, user_id: str, prompt_message_id: str,
                  body: str) -> bool:
    """True if the person (`user_id` on `platform`, not opted out) has a response not deleted,
    sent with `/seminar respond` to the prompt posted as `prompt_message_id`, with the same
    words as `body` (domain.textfold.as_read)."""
    said = as_read(body)
    rows = await db.fetch_tuples(_BODIES, (platform, user_id, prompt_message_id))
    return any(as_read(str(row[0])) == said for row in rows)
