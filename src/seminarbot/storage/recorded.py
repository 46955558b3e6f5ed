"""The latest instant the database has recorded: a post sent or claimed, an audited action, a
cohort changed. A clock behind it (restored from a snapshot, a wrong --clock, the wall clock
stepped back) would have the planner place sessions before what already happened.

The console's seminars run on its simulated clock (`/clock advance`), so what they recorded
may lie ahead of real time: `seminarbot run` leaves them out (`live=True`), or one console
session of the Quick start on the same database held the real bot's clock a week ahead.

An export from the command line is audited at the real time, but it reads and changes
nothing: it is no seminar's time, and it is left out (helper-181's 1: one export moved a console
seminar on its simulated clock to today, every session after skipped as late).

For the console, what people did counts too, on its own clock (helper-179's 2: a later --clock
was taken, and a response then stored before one already there). For `run` it does not: a
platform's time of a message is the platform's clock (a Matrix server sets its events' own),
which could hold the bot's ahead."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime

from seminarbot.clock import parse_instant
from seminarbot.domain.errors import FileDamaged
from seminarbot.storage.db import Database

CONSOLE = "console"  # the console's platform: its seminars, and what they audit
COMMAND_LINE = "cli"  # what the command line's exports audit as their platform
_OF_COHORT = " JOIN communities m ON m.id = c.community_id WHERE m.platform != ?"
_LATEST = ("SELECT max(at) AS at FROM audit_log"
           f" WHERE platform != ? AND platform != '{COMMAND_LINE}'"
           " UNION ALL SELECT max(o.posted_at) FROM outbox o JOIN cohorts c ON c.id = o.cohort_id"
           f"{_OF_COHORT} UNION ALL SELECT max(o.claimed_at) FROM outbox o"
           f" JOIN cohorts c ON c.id = o.cohort_id{_OF_COHORT}"
           f" UNION ALL SELECT max(c.updated_at) FROM cohorts c{_OF_COHORT}")


# What people did, at the time the clock of whoever recorded it said (for the console, its
# simulated one): an opt-out or opt-in (helper-182's 4: a --clock before an opt-out left the
# person opted out after "Opted in"), a forget-me, a post asked for, a first message; and a
# response (_WRITTEN). `run` leaves these out (above).
_DONE = ("participants.created_at", "opt_out_periods.opted_out_at", "opt_out_periods.opted_in_at",
         "opt_choices.chosen_at", "forgotten.forgotten_at", "post_requests.requested_at")
_DONE_SQL = "".join(f" UNION ALL SELECT max({column}) FROM {column.split('.')[0]}"
                    for column in _DONE)
# Each seminar's latest response, along the index on (cohort, created_at): the start checks
# no page of the responses (storage.migrate.GROWING), so none of the table's is read here.
_WRITTEN = ("SELECT max((SELECT max(r.created_at) FROM responses r WHERE r.cohort_id = c.id))"
            " FROM cohorts c")


async def latest_recorded(db: Database, *, live: bool = False) -> datetime | None:
    """The latest stored instant (UTC), or None for an empty database; with `live`, of the
    platforms' seminars only, the console's left out; without, what people did too (_DONE)."""
    if live:
        rows = await db.fetchall(_LATEST, (CONSOLE,) * 4)
    else:
        rows = await db.fetchall(_LATEST + _DONE_SQL, ("",) * 4)
        with contextlib.suppress(sqlite3.DatabaseError, FileDamaged):  # said where it is read
            rows += await db.fetchall(_WRITTEN)
    return max((at for (value, *_) in rows if (at := _instant(value)) is not None),
               default=None)


def _instant(value: object) -> datetime | None:
    """A stored instant, or None for none or for one a damaged row holds (it names no time)."""
    try:
        return parse_instant(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
