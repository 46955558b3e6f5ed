"""Whether a `/seminar respond` repeats, word for word, one its author sent to the same prompt
and has not deleted. Discord shows a command whose answer came too late as failed ("The
application did not respond") after the bot ran it; the person tries again, and that try is
the same response, recorded once (helper-172's 1)."""

from __future__ import annotations

from seminarbot.storage.db import Database

_REPEATS = """
SELECT EXISTS (
    SELECT 1 FROM responses AS r
    JOIN participants AS p ON p.id = r.participant_id
    JOIN outbox AS o ON o.id = r.outbox_id
    WHERE p.platform = ? AND p.external_id = ? AND o.message_id = ?
      AND r.arrival = 'command' AND r.deleted_at IS NULL AND r.body = ?)
"""


async def repeats(db: Database, platform: str, user_id: str, prompt_message_id: str,
                  body: str) -> bool:
    """True if the person (`user_id` on `platform`) has a response not deleted, sent with
    `/seminar respond` to the prompt posted as `prompt_message_id`, whose text is `body` (as
    stored: domain.responses.stored_body)."""
    return bool(await db.scalar(_REPEATS, (platform, user_id, prompt_message_id, body)))
