"""Communities, cohorts and their schedule changes (skipped dates, moved sessions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from seminarbot.clock import parse_instant, to_iso
from seminarbot.domain.display import as_text, clean
from seminarbot.domain.models import Cohort, CohortState, Community
from seminarbot.domain.schedule import DEFAULT_MIN_OPEN, Move, WeeklyRule, local_to_utc
from seminarbot.storage.counted import COUNTS, RESPONSES_AND_PEOPLE
from seminarbot.storage.damage import READ_ERRORS, damaged, readable, text
from seminarbot.storage.db import Database, Row

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

T = TypeVar("T")
_COHORT = ("SELECT c.id, c.community_id, m.platform, c.channel_id, c.name, c.plan_id,"
           " c.weekdays, c.local_time, c.timezone, c.start_date, c.state, c.reminder_before,"
           " c.reminder_names, c.digest, c.min_open, m.external_id FROM cohorts c"
           " JOIN communities m ON m.id = c.community_id")


# The cohort in a place, found even where another program stored its ids as bytes (the row then
# says it is damaged, rather than the place seeming to have no seminar and taking a second one).
_AT = (" WHERE m.platform = ? AND m.external_id IN (?, CAST(? AS BLOB))"
       " AND c.channel_id IN (?, CAST(? AS BLOB))")


def _at(platform: str, community_id: str, channel_id: str) -> tuple[str, ...]:
    return platform, community_id, community_id, channel_id, channel_id


def _time(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def _cohort(row: Row) -> Cohort:
    """The cohort a row holds. Raises Damaged naming the cohort and the first column that
    cannot be read as what it holds (storage/damage.py)."""
    def read(column: str, parse: Callable[[Any], T]) -> T:
        try:
            return parse(row[column])
        except READ_ERRORS as error:
            raise damaged(f"cohort {row['id']}'s {column}", error) from error

    weekdays = read("weekdays", lambda text: tuple(int(day) for day in text.split(",")))
    zone = read("timezone", text)
    at, start = read("local_time", _time), read("start_date", date.fromisoformat)
    rule = read("weekdays", lambda _: WeeklyRule(weekdays, at, zone, start))
    return Cohort(id=row["id"], community_id=row["community_id"],
                  platform=read("platform", text), channel_id=read("channel_id", text),
                  name=read("name", text), plan_id=read("plan_id", text), rule=rule,
                  state=read("state", CohortState),
                  reminder_before=read("reminder_before", _seconds),
                  reminder_names=bool(row["reminder_names"]), digest=bool(row["digest"]),
                  min_open=read("min_open", _seconds) or DEFAULT_MIN_OPEN,
                  community_external_id=read("external_id", text))


def _seconds(value: object) -> timedelta | None:
    if not value:
        return None
    if not isinstance(value, int | float):
        raise TypeError(f"it holds {type(value).__name__}, not a number of seconds")
    return timedelta(seconds=value)


class CohortOverview(NamedTuple):
    id: int
    platform: str
    community: str
    channel: str
    state: str
    responses: int  # those that count (storage/counted.py), as an export holds them
    retention_days: int | None


class CohortRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def ensure_community(self, platform: str, external_id: str, name: str,
                               now: datetime) -> Community:
        await self.db.execute(
            "INSERT INTO communities (platform, external_id, name, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, external_id) DO UPDATE SET name = excluded.name"
            " WHERE excluded.name != '' AND excluded.name != communities.name",
            (platform, external_id, clean(name), to_iso(now)),
        )
        row = await self.db.fetchone(
            "SELECT id, platform, external_id, name FROM communities"
            " WHERE platform = ? AND external_id = ?", (platform, external_id))
        assert row is not None
        return Community(row["id"], row["platform"], row["external_id"], row["name"])

    async def find(self, platform: str, community_id: str, channel_id: str) -> Cohort | None:
        row = await self.db.fetchone(_COHORT + _AT, _at(platform, community_id, channel_id))
        return None if row is None else _cohort(row)

    async def count_in(self, platform: str, community_id: str) -> int:
        """How many seminars a community (a Discord server) holds, less those finished (their
        channel deleted)."""
        return int(await self.db.scalar(
            "SELECT COUNT(*) FROM cohorts c JOIN communities m ON m.id = c.community_id"
            " WHERE m.platform = ? AND m.external_id = ? AND c.state != 'finished'",
            (platform, community_id)))

    async def unfinished(self, platform: str, *, channel_id: str | None = None,
                         community_id: str | None = None) -> list[int]:
        """The ids of the cohorts not finished that meet in this channel (room), or anywhere in
        this community (server), on `platform`."""
        rows = await self.db.fetch_tuples(
            "SELECT c.id FROM cohorts c JOIN communities m ON m.id = c.community_id"
            " WHERE m.platform = ? AND c.state != 'finished'"
            " AND (? IS NULL OR c.channel_id IN (?, CAST(? AS BLOB)))"
            " AND (? IS NULL OR m.external_id IN (?, CAST(? AS BLOB))) ORDER BY c.id",
            (platform, *3 * [channel_id], *3 * [community_id]))
        return [int(row[0]) for row in rows]

    async def ids_at(self, platform: str, community_id: str, channel_id: str
                     ) -> tuple[int, int] | None:
        """(cohort id, community id) of the cohort in this place, its row not read further
        (the audit log's entry of a command, even about a damaged row)."""
        row = await self.db.fetchone(
            "SELECT c.id, c.community_id FROM cohorts c JOIN communities m"
            " ON m.id = c.community_id" + _AT, _at(platform, community_id, channel_id))
        return None if row is None else (row[0], row[1])

    async def get(self, cohort_id: int) -> Cohort:
        row = await self.db.fetchone(_COHORT + " WHERE c.id = ?", (cohort_id,))
        if row is None:
            raise KeyError(cohort_id)
        return _cohort(row)

    async def all(self, state: CohortState | None = None) -> list[Cohort]:
        if state is None:
            rows = await self.db.fetchall(_COHORT + " ORDER BY c.id")
        else:
            rows = await self.db.fetchall(_COHORT + " WHERE c.state = ? ORDER BY c.id",
                                          (state.value,))
        return readable("cohorts", rows, _cohort)

    async def to_adopt(self, edition: str) -> list[Cohort]:
        """The active cohorts whose outbox was not yet set against this edition of the plan."""
        rows = await self.db.fetchall(
            _COHORT + " WHERE c.state = ? AND c.plan_edition IS NOT ? ORDER BY c.id",
            (CohortState.ACTIVE.value, edition))
        return readable("cohorts", rows, _cohort)

    async def adopted(self, cohort_ids: list[int], edition: str) -> None:
        """Record that these cohorts were set against this edition (one statement)."""
        await self.db.executemany("UPDATE cohorts SET plan_edition = ? WHERE id = ?",
                                  [(edition, cohort_id) for cohort_id in cohort_ids])

    async def planned_under(self, cohort_id: int, edition: str) -> None:
        """The cohort was planned under this edition: if its posts were set against another,
        that no longer stands (NULL: the next start's `to_adopt` has it)."""
        await self.db.execute("UPDATE cohorts SET plan_edition = NULL"
                              " WHERE id = ? AND plan_edition IS NOT ?", (cohort_id, edition))

    async def upsert(self, community: Community, channel_id: str, name: str, plan_id: str,
                     rule: WeeklyRule, now: datetime) -> Cohort:
        """Create the channel's cohort or replace its schedule (callers hold a transaction)."""
        await self.db.execute(
            "INSERT INTO cohorts (community_id, channel_id, name, plan_id, weekday, weekdays,"
            " local_time, timezone, start_date, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
            " ON CONFLICT (community_id, channel_id) DO UPDATE SET name = excluded.name,"
            " weekday = excluded.weekday, weekdays = excluded.weekdays,"
            " local_time = excluded.local_time, timezone = excluded.timezone,"
            " start_date = excluded.start_date, state = 'active',"
            " updated_at = excluded.updated_at",
            (community.id, channel_id, clean(name), plan_id, rule.weekdays[0],
             ",".join(str(d) for d in rule.weekdays), rule.local_time.strftime("%H:%M"),
             rule.timezone, rule.start_date.isoformat(), to_iso(now), to_iso(now)),
        )
        found = await self.find(community.platform, community.external_id, channel_id)
        assert found is not None
        return found

    async def set_rule(self, cohort_id: int, rule: WeeklyRule, now: datetime) -> None:
        await self.db.execute(
            "UPDATE cohorts SET weekday = ?, weekdays = ?, local_time = ?, timezone = ?,"
            " start_date = ?, updated_at = ? WHERE id = ?",
            (rule.weekdays[0], ",".join(str(d) for d in rule.weekdays),
             rule.local_time.strftime("%H:%M"), rule.timezone, rule.start_date.isoformat(),
             to_iso(now), cohort_id))

    async def set_state(self, cohort_id: int, state: CohortState, now: datetime) -> None:
        await self.db.execute("UPDATE cohorts SET state = ?, updated_at = ? WHERE id = ?",
                              (state.value, to_iso(now), cohort_id))

    async def set_reminders(self, cohort_id: int, before: timedelta | None, names: bool,
                            digest: bool, now: datetime) -> None:
        await self.db.execute(
            "UPDATE cohorts SET reminder_before = ?, reminder_names = ?, digest = ?,"
            " updated_at = ? WHERE id = ?",
            (int(before.total_seconds()) if before else None, int(names), int(digest),
             to_iso(now), cohort_id))

    async def set_min_open(self, cohort_id: int, min_open: timedelta, now: datetime) -> None:
        await self.db.execute(
            "UPDATE cohorts SET min_open = ?, updated_at = ? WHERE id = ?",
            (int(min_open.total_seconds()), to_iso(now), cohort_id))

    async def skips(self, cohort_id: int) -> dict[date, str | None]:
        """Skipped local dates, each with the session that left it empty (None: a moderator
        skipped it)."""
        rows = await self.db.fetchall(
            "SELECT local_date, session_id FROM schedule_skips WHERE cohort_id = ?",
            (cohort_id,))
        return {date.fromisoformat(row[0]): row[1] for row in rows}

    async def add_skip(self, cohort_id: int, day: date, session_id: str | None = None) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO schedule_skips (cohort_id, local_date, session_id)"
            " VALUES (?, ?, ?)", (cohort_id, day.isoformat(), session_id))

    async def remove_skip(self, cohort_id: int, day: date) -> bool:
        cursor = await self.db.execute(
            "DELETE FROM schedule_skips WHERE cohort_id = ? AND local_date = ?",
            (cohort_id, day.isoformat()))
        return cursor.rowcount == 1

    async def moves(self, cohort_id: int, zone: ZoneInfo) -> dict[str, Move]:
        """Moved sessions. A move stored before moves kept their instant (no `at`) means its
        local date and time in the cohort's zone."""
        rows = await self.db.fetchall(
            "SELECT session_id, local_date, local_time, at, out_of_order FROM session_moves"
            " WHERE cohort_id = ?", (cohort_id,))
        return {row[0]: Move(parse_instant(row[3]) if row[3] else local_to_utc(
            date.fromisoformat(row[1]), _time(row[2]), zone), bool(row[4])) for row in rows}

    async def set_move(self, cohort_id: int, session_id: str, move: Move, zone: ZoneInfo) -> None:
        """Pin a session to `move.at`; its local date and time in `zone` are kept beside it."""
        local = move.at.astimezone(zone)
        await self.db.execute(
            "INSERT INTO session_moves (cohort_id, session_id, local_date, local_time, at,"
            " out_of_order) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cohort_id, session_id)"
            " DO UPDATE SET local_date = excluded.local_date, local_time = excluded.local_time,"
            " at = excluded.at, out_of_order = excluded.out_of_order",
            (cohort_id, session_id, local.date().isoformat(), local.strftime("%H:%M"),
             to_iso(move.at), int(move.out_of_order)))

    async def remove_move(self, cohort_id: int, session_id: str) -> None:
        await self.db.execute(
            "DELETE FROM session_moves WHERE cohort_id = ? AND session_id = ?",
            (cohort_id, session_id))

    async def overview(self) -> list[CohortOverview]:
        """Every cohort with what an operator needs to pick one to export."""
        rows = await self.db.fetch_tuples(
            "SELECT c.id, CAST(m.platform AS BLOB), CAST(m.name AS BLOB),"
            " CAST(CASE WHEN c.name != '' THEN c.name ELSE c.channel_id END AS BLOB),"
            " CAST(c.state AS BLOB),"
            f" (SELECT COUNT(*) FROM {RESPONSES_AND_PEOPLE} WHERE r.cohort_id = c.id"
            f" AND {COUNTS}),"
            " c.retention_days FROM cohorts c JOIN communities m ON m.id = c.community_id"
            " ORDER BY c.id")
        # Its names as text whatever a damaged row holds (domain/display.py as_text).
        return [CohortOverview(row[0], as_text(row[1]), as_text(row[2]), as_text(row[3]),
                               as_text(row[4]), row[5], row[6]) for row in rows]
