"""Which responses count, and under which name their author is shown: one definition for
statistics, exports, reminders, digests and the operator's overview (README: Statistics,
Exports, Scheduling).

A response counts unless it was deleted (a tombstone) or its author opted out. Its author is
shown under the name they have in the community (Discord server, Matrix room, the console) of
the cohort being read, never under a name from another community; where none is known there,
under their platform id.
"""

from __future__ import annotations

# `responses r` with each one's author `p`, and the author's name `n` in the community of the
# cohort given as the fragment's one parameter (its id).
RESPONSES_AND_AUTHORS = (
    "responses r JOIN participants p ON p.id = r.participant_id"
    " LEFT JOIN participant_names n ON n.participant_id = r.participant_id"
    " AND n.community_id = (SELECT community_id FROM cohorts WHERE id = ?)")
# `responses r` with each one's author `p` (no parameter): for counts, which need no names.
RESPONSES_AND_PEOPLE = "responses r JOIN participants p ON p.id = r.participant_id"
# The responses that count, over either of the above.
COUNTS = "r.deleted_at IS NULL AND p.opted_out = 0"
# The author's name as shown, over RESPONSES_AND_AUTHORS.
AUTHOR = "COALESCE(n.display_name, p.external_id)"
