"""Whether a `/seminar respond` repeats, word for word, one its author sent to the same prompt
and has not deleted. Discord shows a command whose answer came too late as failed ("The
application did not respond") after the bot ran it; the person tries again, and that try is
the same response, recorded once (helper-172's 1). Someone opted out is told so instead."""

from __future__ import annotations

import re
import unicodedata

from seminarbot.domain.display import DEFAULT_IGNORABLE
from seminarbot.storage.db import Database

_BODIES = """
SELECT r.body FROM responses AS r
JOIN participants AS p ON p.id = r.participant_id
JOIN outbox AS o ON o.id = r.outbox_id
WHERE p.platform = ? AND p.external_id = ? AND p.opted_out = 0 AND o.message_id = ?
  AND r.arrival = 'command' AND r.deleted_at IS NULL AND r.body IS NOT NULL
"""
_SPACES = re.compile(r"\s+")


async def repeats(db: Database, platform: str, user_id: str, prompt_message_id: str,
                  body: str) -> bool:
    """True if the person (`user_id` on `platform`, not opted out) has a response not deleted,
    sent with `/seminar respond` to the prompt posted as `prompt_message_id`, with the same
    words as `body` (`words`)."""
    said = words(body)
    rows = await db.fetch_tuples(_BODIES, (platform, user_id, prompt_message_id))
    return any(words(str(row[0])) == said for row in rows)


def words(text: str) -> str:
    """The text as it reads: Unicode's canonical composition (NFC, so é typed either way is
    one), without the characters that show nothing (Unicode's Default_Ignorable_Code_Point:
    zero-width ones, fillers, variation selectors; README, Responses), each run of white space
    one space, none at either end. Letter case stays: it is what was written."""
    shown = DEFAULT_IGNORABLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", shown).strip()
