"""Participants: one row per platform user; their names, one per community, in
participant_names (written by the response writer, storage/response_batch.py)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from seminarbot.clock import to_iso
from seminarbot.domain.display import as_text
from seminarbot.domain.models import Participant
from seminarbot.domain.textfold import name_key
from seminarbot.storage.counted import COUNTS, RESPONSES_AND_PEOPLE
from seminarbot.storage.db import Database
from seminarbot.storage.ids import next_id


class ParticipantMatch(NamedTuple):
    id: int
    external_id: str
    display_name: str  # their name in the cohort's community, else their platform id
    opted_out: bool


# A cohort's people: those with a response in it (deleted ones included), with their names in
# the cohort's community. Parameters: the cohort's id, twice.
_OF_COHORT = (
    "SELECT p.id, p.external_id, COALESCE(n.display_name, p.external_id), p.opted_out"
    " FROM participants p LEFT JOIN participant_names n ON n.participant_id = p.id"
    " AND n.community_id = (SELECT community_id FROM cohorts WHERE id = ?)"
    " WHERE EXISTS (SELECT 1 FROM responses r WHERE r.participant_id = p.id"
    " AND r.cohort_id = ?)")


class ParticipantRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def ensure(self, platform: str, external_id: str, now: datetime) -> Participant:
        await self.db.execute(
            "INSERT INTO participants (id, platform, external_id, created_at)"
            f" VALUES ({next_id('participants')}, ?, ?, ?)"
            " ON CONFLICT (platform, external_id) DO NOTHING",
            (platform, external_id, to_iso(now)))
        found = await self.find(platform, external_id)
        assert found is not None
        return found

    async def find(self, platform: str, external_id: str) -> Participant | None:
        row = await self.db.fetchone(
            "SELECT id, platform, external_id, opted_out FROM participants"
            " WHERE platform = ? AND external_id = ?", (platform, external_id))
        if row is None:
            return None
        return Participant(row["id"], row["platform"], row["external_id"],
                           bool(row["opted_out"]))

    async def matching(self, cohort_id: int, wanted: str, *, prefix: bool = False,
                       limit: int = 25) -> list[ParticipantMatch]:
        """The people of one cohort named `wanted`: their platform id or, ignoring case
        (Unicode's folding: storage.damage.casefold), the display name they have in the
        cohort's community (or, with prefix, a name as shown there that begins with it).
        Nobody outside the cohort is ever returned, and no name from another community is
        ever matched or shown."""
        if prefix:  # (LIKE ignores ASCII's case only: both sides folded first)
            pattern = name_key(wanted).replace("\\", "\\\\").replace("%", "\\%") \
                .replace("_", "\\_")
            rows = await self.db.fetch_tuples(
                _OF_COHORT + " AND casefold(COALESCE(n.display_name, p.external_id)) LIKE ?"
                " ESCAPE '\\' ORDER BY casefold(COALESCE(n.display_name, p.external_id)), p.id"
                " LIMIT ?",
                (cohort_id, cohort_id, pattern + "%", limit))
        else:
            rows = await self.db.fetch_tuples(
                _OF_COHORT + " AND (p.external_id = ? OR casefold(n.display_name) = ?)"
                " ORDER BY p.id LIMIT ?", (cohort_id, cohort_id, wanted, name_key(wanted),
                                           limit))
        # Ids and names as text whatever a damaged row holds (domain/display.py as_text).
        return [ParticipantMatch(r[0], as_text(r[1]), as_text(r[2]), bool(r[3])) for r in rows]

    async def servers(self, cohort_id: int, most: int) -> list[str]:
        """The Matrix servers (a user id's part after the first colon) of the cohort's people
        whose responses count, and of its moderators (commands of theirs done, in the audit
        log), most people first, then by name; at most `most`. No one opted out, nor anyone
        whose commands were only refused, steers it (helper-143)."""
        rows = await self.db.fetch_tuples(
            "SELECT substr(who, instr(who, ':') + 1) AS server FROM ("
            f" SELECT p.external_id AS who FROM {RESPONSES_AND_PEOPLE}"
            f" WHERE r.cohort_id = ?1 AND {COUNTS}"
            " UNION SELECT actor_id FROM audit_log WHERE cohort_id = ?1 AND platform = 'matrix'"
            " AND outcome = 'ok' AND actor_id NOT IN (SELECT external_id FROM participants"
            " WHERE platform = 'matrix' AND opted_out = 1))"
            " WHERE who GLOB '@?*:?*' GROUP BY server ORDER BY COUNT(*) DESC, server LIMIT ?2",
            (cohort_id, most))
        return [str(row[0]) for row in rows]

