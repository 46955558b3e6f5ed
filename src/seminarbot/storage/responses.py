"""Responses keyed by (platform, message id): replays change nothing, edits keep history, and a
deletion erases the text and its history, leaving a tombstone (ids and times)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from seminarbot.clock import exact, parse_instant, to_iso
from seminarbot.domain.models import ResponseRecord
from seminarbot.domain.responses import Arrival, Outcome
from seminarbot.storage.counted import AUTHOR, COUNTS, RESPONSES_AND_AUTHORS, RESPONSES_AND_PEOPLE
from seminarbot.storage.damage import read_row, readable, text
from seminarbot.storage.db import Database, Row
from seminarbot.storage.refusals import OPTED_OUT_AT

_COLUMNS = ("id, cohort_id, session_id, prompt_id, participant_id, platform, message_id, body,"
            " created_at, edited_at, deleted_at")


# Where an event about a response came from (?3), if given, must be where it was written; one
# with no place (`/seminar respond`, or before migration 0011) was written in its seminar's (c).
_FROM_PLACE = ("JOIN cohorts c ON c.id = r.cohort_id WHERE (?3 IS NULL"
               " OR COALESCE(r.channel_id, c.channel_id) = ?3)")


class Recorded(NamedTuple):
    message_id: str
    arrival: Arrival | None  # None: recorded before migration 0009, not yet seen since
    edited_exact: str | None = None  # its version's edit time (clock.exact; before 0016, to_iso)


def _record(row: Row) -> ResponseRecord:
    return ResponseRecord(
        id=row["id"], cohort_id=row["cohort_id"], session_id=text(row["session_id"]),
        prompt_id=text(row["prompt_id"]), participant_id=row["participant_id"],
        platform=text(row["platform"]), message_id=row["message_id"], body=text(row["body"]),
        created_at=parse_instant(row["created_at"]),
        edited_at=parse_instant(row["edited_at"]) if row["edited_at"] else None,
        deleted_at=parse_instant(row["deleted_at"]) if row["deleted_at"] else None,
    )


def _older(at: datetime, row: Row) -> bool:
    """Whether an edit made at `at` is older than the version a response's row shows: its last
    edit's, or its withdrawal's (by an edit). Stored times have whole seconds, so one in the
    same second is not older; where no time can be read (never edited, or damaged), arrival
    order decides."""
    shown = row["deleted_at"] if row["deleted_at"] is not None else row["edited_at"]
    try:
        return at.replace(microsecond=0) < parse_instant(shown)
    except (TypeError, ValueError, AttributeError):
        return False


class ResponseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def edit(self, platform: str, message_id: str, body: str, at: datetime, *,
                   by: str | None = None, edit_id: str | None = None,
                   place: str | None = None) -> Outcome:
        """Keep the previous text in response_edits; a repeated edit event changes nothing.
        `by`: the platform user id of whoever edited; REFUSED unless it is the author's, and
        when the author had opted out at `at` (what they write then is not recorded).
        `place`: the channel or room the edit came from; a response written elsewhere is
        UNKNOWN to it (Matrix spec, Event replacements: the same room as the original).
        `edit_id`: the platform's id of the edit (a Matrix m.replace event), kept so that
        `withdraw_edit` can undo it (so an edit with an id is kept even when its text is the
        same: its redaction must not undo the edit before it). A response an edit withdrew
        takes the new text (the final state wins, README: Responses); one deleted stays
        deleted. The latest edit wins whatever order edits arrive in (the Matrix spec, Event
        replacements: the most recent origin_server_ts; Discord's edited_timestamp): one
        older than the version recorded is kept in the history at its time, and the text
        stays (UNCHANGED). Call inside a transaction."""
        row = await self._authored(platform, message_id, by, place,
                                   "r.id, r.body, r.edited_at, r.deleted_at, r.withdrawn_by_edit",
                                   edited=True)
        if isinstance(row, Outcome):
            return row
        if await self.db.scalar(OPTED_OUT_AT, (platform, row["external_id"], to_iso(at))):
            return Outcome.REFUSED  # words written while opted out (storage/refusals.py)
        if edit_id is not None and await self.db.scalar(
                "SELECT 1 FROM response_edits WHERE response_id = ? AND replaced_by = ?",
                (row["id"], edit_id)):
            return Outcome.UNCHANGED
        if row["deleted_at"] is not None and not row["withdrawn_by_edit"]:
            return Outcome.UNCHANGED
        when = to_iso(at)
        if _older(at, row):
            return await self._past_version(row["id"], body, when, edit_id)
        previous = "" if row["deleted_at"] is not None else str(row["body"])  # '': withdrawn
        if edit_id is not None or previous not in ("", body):
            await self.db.execute(
                "INSERT INTO response_edits (response_id, previous_body, replaced_at,"
                " replaced_by) VALUES (?, ?, ?, ?)", (row["id"], previous, when, edit_id))
        if previous == body:  # edited back to it: the text is as new as this edit, and an
            # older one arriving later loses to it
            await self.db.execute("UPDATE responses SET edited_at = ?, edited_exact = ?"
                                  " WHERE id = ?", (when, exact(at), row["id"]))
            return Outcome.UNCHANGED
        await self.db.execute(
            "UPDATE responses SET body = ?, edited_at = ?, edited_exact = ?, deleted_at = NULL,"
            " withdrawn_by_edit = 0 WHERE id = ?", (body, when, exact(at), row["id"]))
        return Outcome.UPDATED

    async def _past_version(self, response_id: int, body: str, when: str,
                            edit_id: str | None) -> Outcome:
        """An edit made at `when` that arrived after a later one: its text goes into the
        history between the versions before and after it; the text shown stays. Not where
        the version after it followed a withdrawal (whose erased history it belongs to), nor,
        without an id, where a version began at the same time (a replay: Discord's edits are
        told apart by their times, kept to the second)."""
        after = await self.db.fetchone(
            "SELECT id, previous_body FROM response_edits WHERE response_id = ?"
            " AND replaced_at > ? ORDER BY replaced_at, id LIMIT 1", (response_id, when))
        if after is None or after["previous_body"] == "":
            return Outcome.UNCHANGED
        if edit_id is None and await self.db.scalar(
                "SELECT 1 FROM response_edits WHERE response_id = ? AND replaced_at = ?",
                (response_id, when)):
            return Outcome.UNCHANGED
        await self.db.execute(
            "INSERT INTO response_edits (response_id, previous_body, replaced_at, replaced_by)"
            " VALUES (?, ?, ?, ?)", (response_id, after["previous_body"], when, edit_id))
        await self.db.execute("UPDATE response_edits SET previous_body = ? WHERE id = ?",
                              (body, after["id"]))
        return Outcome.UNCHANGED

    async def withdraw_edit(self, platform: str, edit_id: str, at: datetime, *,
                            by: str | None = None, place: str | None = None) -> Outcome:
        """The edit `edit_id` was withdrawn (a Matrix m.replace redacted): the text it gave is
        erased, and the response reads as clients now show it, the latest version left
        (README: Matrix); withdrawn again (DELETED) if that one was withdrawn. UNKNOWN when no
        recorded edit has that id (from `place`, when given); REFUSED when `by` is given and
        is not the author. Call inside a transaction."""
        row = await self.db.fetchone(
            "SELECT e.id, e.response_id, e.previous_body, e.replaced_at, p.external_id"
            " FROM response_edits e JOIN responses r ON r.id = e.response_id"
            f" JOIN participants p ON p.id = r.participant_id {_FROM_PLACE}"
            " AND e.replaced_by = ?1 AND r.platform = ?2",
            (edit_id, platform, place))
        if row is None:
            return Outcome.UNKNOWN
        if by is not None and row["external_id"] != by:
            return Outcome.REFUSED
        response_id, previous = row["response_id"], row["previous_body"]
        self.db.erased()  # the text the withdrawn edit gave
        version = (response_id, row["replaced_at"], row["id"])  # by time, then arrival
        later = await self.db.scalar(
            "SELECT id FROM response_edits WHERE response_id = ? AND (replaced_at, id) > (?, ?)"
            " ORDER BY replaced_at, id LIMIT 1", version)
        if later is not None:  # the next edit now replaced the version before this one
            await self.db.execute("UPDATE response_edits SET previous_body = ? WHERE id = ?",
                                  (previous, later))
        elif not previous:
            return await self._erase(response_id, at, by_edit=True)
        else:
            await self.db.execute(
                "UPDATE responses SET body = ?, edited_at = (SELECT replaced_at FROM"
                " response_edits WHERE response_id = ? AND (replaced_at, id) < (?, ?)"
                " ORDER BY replaced_at DESC, id DESC LIMIT 1) WHERE id = ?",
                (previous, *version, response_id))
        await self.db.execute("DELETE FROM response_edits WHERE id = ?", (row["id"],))
        return Outcome.UPDATED

    async def delete(self, platform: str, message_id: str, at: datetime, *,
                     by: str | None = None, by_edit: bool = False,
                     place: str | None = None) -> Outcome:
        """Erase a response's text and every earlier version of it; the row stays as a
        tombstone (ids and times, an empty body), so a replay of the message is recognised
        and records nothing. `by_edit`: an edit left nothing visible (a later edit with text
        brings the response back); `by`, when given, must be the author (REFUSED otherwise);
        `place`, when given, where it was written (UNKNOWN otherwise, as for `edit`).
        An edit that withdraws it but is older than the version recorded leaves the text
        (`edit`: the latest edit wins) and erases the versions it took back. Call inside a
        transaction."""
        row = await self._authored(platform, message_id, by, place,
                                   "r.id, r.edited_at, r.deleted_at", edited=by_edit)
        if isinstance(row, Outcome):
            return row
        if by_edit and _older(at, row):  # it took back what was there until then
            self.db.erased()
            await self.db.execute(
                "UPDATE response_edits SET previous_body = '' WHERE response_id = ?1 AND"
                " (replaced_at <= ?2 OR id = (SELECT id FROM response_edits WHERE"
                " response_id = ?1 AND replaced_at > ?2 ORDER BY replaced_at, id LIMIT 1))",
                (row["id"], to_iso(at)))
            return Outcome.UNCHANGED
        if row["deleted_at"] is not None:
            if not by_edit:  # deleted after an edit withdrew it: no later edit brings it back
                await self.db.execute("UPDATE responses SET withdrawn_by_edit = 0 WHERE id = ?",
                                      (row["id"],))
            else:  # withdrawn again: what an older edit brings loses to this
                await self.db.execute("UPDATE responses SET deleted_at = ? WHERE id = ?",
                                      (to_iso(at), row["id"]))
            return Outcome.UNCHANGED
        return await self._erase(row["id"], at, by_edit=by_edit)

    async def _authored(self, platform: str, message_id: str, by: str | None,
                        place: str | None, columns: str, *, edited: bool) -> Row | Outcome:
        """The response's `columns` (of `r`), or UNKNOWN when none has that message id (in
        `place`, when given), or REFUSED when `by` is given and is not its author, or, for an
        edit (`edited`), UNCHANGED when it was given by command: an edit of the command's
        message (Matrix) is no edit of the response."""
        row = await self.db.fetchone(
            f"SELECT {columns}, p.external_id, r.arrival FROM responses r"
            f" JOIN participants p ON p.id = r.participant_id {_FROM_PLACE}"
            " AND r.platform = ?1 AND r.message_id = ?2", (platform, message_id, place))
        if row is None:
            return Outcome.UNKNOWN
        if by is not None and row["external_id"] != by:
            return Outcome.REFUSED
        if edited and row["arrival"] == Arrival.COMMAND.value:
            return Outcome.UNCHANGED  # its message is the command, not the response's text
        return row

    async def _erase(self, response_id: int, at: datetime, *, by_edit: bool) -> Outcome:
        self.db.erased()
        await self.db.execute("DELETE FROM response_edits WHERE response_id = ?", (response_id,))
        await self.db.execute(
            "UPDATE responses SET body = '', deleted_at = ?, withdrawn_by_edit = ? WHERE id = ?",
            (to_iso(at), int(by_edit), response_id))
        return Outcome.DELETED

    async def in_thread(self, platform: str, thread_id: str) -> list[Recorded]:
        """The live responses to a prompt (not deleted; withdrawn by an edit counts as live,
        since a later edit brings it back), by the id of its thread (or of its post), however
        they arrived, oldest first (Recorded)."""
        rows = await self.db.fetchall(
            "SELECT r.message_id, r.arrival, CAST(COALESCE(r.edited_exact, r.edited_at) AS TEXT)"
            " FROM responses r JOIN outbox o ON o.id = r.outbox_id WHERE r.platform = ?"
            " AND ? IN (o.thread_id, o.message_id) AND (r.deleted_at IS NULL"
            " OR r.withdrawn_by_edit = 1) ORDER BY r.created_at, r.id", (platform, thread_id))
        return [Recorded(str(row[0]), Arrival(row[1]) if row[1] else None, row[2])
                for row in rows]

    async def last_in_thread(self, platform: str, thread_id: str) -> str | None:
        """The newest message recorded in a prompt's thread: a backfill reads on from there.
        Only messages in the thread count (not a reply in the channel, not a command's id);
        newest by message id, which grows with time on Discord, the one platform that
        reads back this way (`created_at` has whole seconds only)."""
        value = await self.db.scalar(
            "SELECT r.message_id FROM responses r JOIN outbox o ON o.id = r.outbox_id"
            " WHERE r.platform = ? AND (o.thread_id = ? OR o.message_id = ?)"
            " AND (r.arrival IS NULL OR r.arrival = 'thread')"
            # Ids of digits (Discord's snowflakes) first: a damaged one, bytes or a longer
            # text, would be read on from instead.
            " AND typeof(r.message_id) = 'text' ORDER BY r.message_id NOT GLOB '*[^0-9]*' DESC,"
            " length(r.message_id) DESC, r.message_id DESC LIMIT 1",
            (platform, thread_id, thread_id))
        return None if value is None else str(value)

    async def classify(self, platform: str, message_ids: list[str], arrival: Arrival) -> None:
        """How responses recorded before migration 0009 arrived, once the platform has shown it
        (their message seen in the thread, or found in the channel)."""
        await self.db.executemany(
            "UPDATE responses SET arrival = ? WHERE platform = ? AND message_id = ?"
            " AND arrival IS NULL", [(arrival.value, platform, one) for one in message_ids])

    async def get(self, platform: str, message_id: str) -> ResponseRecord | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM responses WHERE platform = ? AND message_id = ?",
            (platform, message_id))
        return None if row is None else read_row("responses", row, _record)

    async def history(self, response_id: int) -> list[tuple[str, datetime]]:
        rows = await self.db.fetchall(
            "SELECT previous_body, replaced_at FROM response_edits WHERE response_id = ?"
            " AND previous_body <> '' ORDER BY replaced_at, id", (response_id,))
        return [(row[0], parse_instant(row[1])) for row in rows]

    async def by_participant(self, cohort_id: int, participant_id: int) -> list[ResponseRecord]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM responses WHERE cohort_id = ? AND participant_id = ?"
            " AND deleted_at IS NULL ORDER BY created_at, id", (cohort_id, participant_id))
        return readable("responses", rows, _record)

    async def count_for_prompt(self, cohort_id: int, prompt_id: str) -> tuple[int, int]:
        """(responses, distinct participants) for a prompt: those that count (storage/counted.py:
        not deleted, not by someone who opted out)."""
        [(count, people)] = await self.db.fetch_tuples(
            f"SELECT COUNT(*), COUNT(DISTINCT r.participant_id) FROM {RESPONSES_AND_PEOPLE}"
            f" WHERE r.cohort_id = ? AND r.prompt_id = ? AND {COUNTS}", (cohort_id, prompt_id))
        return int(count), int(people)

    async def names_for_prompt(self, cohort_id: int, prompt_id: str) -> list[str]:
        """Who has a response that counts to a prompt, by their names in the cohort's own
        community, sorted."""
        rows = await self.db.fetchall(
            f"SELECT DISTINCT {AUTHOR} FROM {RESPONSES_AND_AUTHORS}"
            f" WHERE r.cohort_id = ? AND r.prompt_id = ? AND {COUNTS} ORDER BY 1",
            (cohort_id, cohort_id, prompt_id))
        return [row[0] for row in rows]

    async def participants_for_session(self, cohort_id: int, session_id: str) -> int:
        """How many people have a response that counts in a session."""
        return int(await self.db.scalar(
            f"SELECT COUNT(DISTINCT r.participant_id) FROM {RESPONSES_AND_PEOPLE}"
            f" WHERE r.cohort_id = ? AND r.session_id = ? AND {COUNTS}", (cohort_id, session_id)))
